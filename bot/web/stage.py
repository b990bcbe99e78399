"""The stage display: one session's Q&A on the projector in the room, ``GET /stage/{session}``.

Read-only and public: the session's title and speakers, the question on stage with its asker and votes, the next
questions by votes, a countdown to the end of Q&A, and a QR code that takes phones in the room to the ask page
(or, where the event does not take questions on the web, a line saying to ask in Discord). The page is served
with the session's current state and then follows ``/live/qa/{session}`` (Server-Sent Events) by itself:
nobody touches the projector during a talk.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import segno
from aiohttp import web
from markupsafe import Markup

from bot.chair import Chair
from bot.schedule.model import Session
from bot.web.keys import CHAIR, HUB
from bot.web.page import clock_speed
from bot.web.qa_views import PUBLIC_QA

#: Queued questions the projector lists under the one on stage (more would not be read from the back; a long
#: question on stage takes the room of the last ones).
NEXT_SHOWN = 3
#: What the projector says instead of the QR code when the ask page is off.
DISCORD_HINT = "Ask in Discord with /ask"
#: What the stage and ask pages of a cancelled (or removed) session say; stage.js and ask.js say the same.
OFF_SCHEDULE = "This session is off the schedule."


def shown_session(chair: Chair, session_id: str) -> tuple[Session | None, bool]:
    """The session in force with this id, or None; and whether it is one the organizers cancelled. Unknown
    altogether (neither): the 404 page."""
    session = chair.schedule.find(session_id)
    cancelled = session is None and session_id in chair.cancelled
    if session is None and not cancelled:
        raise web.HTTPNotFound()
    return session, cancelled


def public_base(chair: Chair, request: web.Request) -> str:
    """The address people's phones reach this site by: ``public_url`` when the organizers set it, else the
    scheme and host the projector itself used.

    Not ``web_listen``: that is where the server listens (often ``0.0.0.0`` or ``127.0.0.1`` behind a proxy), an
    address a phone in the room cannot use, while the host the projector's browser asked for is one that works
    on the room's network."""
    configured = chair.settings.public_url
    if configured:
        return configured.rstrip("/")
    return f"{request.scheme}://{request.host}"


def ask_url(chair: Chair, request: web.Request, session_id: str) -> str:
    return f"{public_base(chair, request)}/ask/{quote(session_id, safe='')}"


def qr_svg(url: str) -> Markup:
    """``url`` as a QR code in SVG markup to put in the page as it is (no size: the style sheet sizes it).
    Medium error correction (segno raises it when the code's size allows) survives a glare on the screen."""
    code = segno.make(url, error="m")
    return Markup(code.svg_inline(omitsize=True, border=2, dark="#000", light="#fff", svgclass="qr-code"))


def speakers_text(names: list[str]) -> str:
    return ", ".join(names)


async def stage_page(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    session_id = request.match_info["session_id"]
    session, cancelled = shown_session(chair, session_id)
    state = await request.app[HUB].snapshot(PUBLIC_QA, session_id)
    shown = session or chair.cancelled[session_id]
    url = ask_url(chair, request, session_id) if chair.settings.web_ask else None
    context: dict[str, Any] = {
        "event": chair.schedule.event.name,
        "session_id": session_id,
        "title": shown.title,
        "speakers": speakers_text([s.name for s in shown.speakers]),
        "cancelled": cancelled,
        "state": state,
        "next": state["queue"][:NEXT_SHOWN],
        "qa_closes": state["session"]["qa_closes"] if state["session"] else "",
        "live_url": f"/live/qa/{quote(session_id, safe='')}",
        "ask_url": url,
        "ask_url_shown": url.split("://", 1)[-1] if url else "",
        "qr": qr_svg(url) if url else None,
        "discord_hint": DISCORD_HINT,
        "next_shown": NEXT_SHOWN,
        "speed": clock_speed(chair.clock),
        "off_schedule": OFF_SCHEDULE,
    }
    return aiohttp_jinja2.render_template("stage.html", request, context)


def setup(app: web.Application) -> None:
    """Add the stage display's route to ``app``."""
    app.router.add_get("/stage/{session_id}", stage_page, name="stage")
