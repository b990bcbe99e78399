"""The web application: routes, templates, security headers and error pages over a :class:`~bot.chair.Chair`.

:func:`make_app` builds it; :func:`start_site` serves it (port 0 picks a free port; :func:`bound_port` reads it).
Every response carries a Content-Security-Policy that forbids inline scripts and styles; static files carry a
cache header. Unknown paths get a 404 page and a failing handler a 500 page: never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_remotes import XForwardedRelaxed

from bot.chair import Chair
from bot.health import GatewayStats, degraded_reasons
from bot.live import SCHEDULE
from bot.schedule.model import Session
from bot.timefmt import utc_iso
from bot.web import ask, auth, moderate, stage
from bot.web.calendar import CalendarVersions, calendar_sessions, published, to_ical
from bot.web.keys import CHAIR, GATEWAY, HUB, VERSIONS
from bot.web.live import LiveHub, View
from bot.web.metrics import metrics_handler
from bot.web.page import clock_speed, schedule_days
from bot.web.qa_views import PUBLIC_QA, public_qa_view

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
STATIC_CACHE = "public, max-age=3600"
ICS_TYPE = "text/calendar"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.path.startswith("/static/") and response.status == 200:
        response.headers["Cache-Control"] = STATIC_CACHE


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A 404 page for what does not exist, a 500 page (and the traceback in the log) for what failed."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _error_page(request, 404, "Not found", "There is no page at this address.")
    except web.HTTPException:
        raise
    except Exception:
        log.exception("the web page %s %s failed", request.method, request.path)
        return _error_page(request, 500, "Something went wrong", "The error was logged for the organizers.")


def _error_page(request: web.Request, status: int, title: str, detail: str) -> web.Response:
    return aiohttp_jinja2.render_template(
        "error.html", request, {"title": title, "detail": detail, "event": None}, status=status
    )


async def schedule_page(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    schedule = chair.schedule
    context = {
        "event": schedule.event.name,
        "days": schedule_days(
            schedule, chair.cancelled, chair.clock(), {s.id: s for s in chair.source_schedule.sessions}
        ),
        "webcal": f"webcal://{request.host}/schedule.ics" if request.host else None,
        "version": schedule_version(chair),
        "web_ask": chair.settings.web_ask,
        **event_clock(chair),
    }
    return aiohttp_jinja2.render_template("schedule.html", request, context)


def schedule_version(chair: Chair) -> str:
    """A short digest of what the schedule page shows of the schedule in force: a page whose version differs
    from the live stream's is out of date."""
    shown = [(s.id, s.start, s.end, s.title, s.room, s.speakers, s.links, s.posters) for s in chair.schedule.sessions]
    text = repr((chair.schedule.event.name, shown, sorted(chair.cancelled)))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def schedule_view(chair: Chair) -> View:
    """The ``schedule`` stream: a new version whenever the schedule in force changes."""

    async def build(_: str) -> dict[str, Any]:
        return {"version": schedule_version(chair), "now": utc_iso(chair.clock())}

    return View("schedule", lambda _: frozenset({SCHEDULE}), build)


async def live_schedule(request: web.Request) -> web.StreamResponse:
    """The schedule's version as Server-Sent Events (``event: schedule``), for the page to fetch itself anew."""
    return await request.app[HUB].serve(request, "schedule", "")


def event_clock(chair: Chair) -> dict[str, str]:
    """The event's clock for a page's script: its reading now and how fast it runs (a rehearsal's runs fast), so
    the page marks what is on by the event's time rather than by the browser's own clock."""
    return {"clock_now": utc_iso(chair.clock()), "clock_speed": clock_speed(chair.clock)}


def _ics_response(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=ICS_TYPE,
        charset="utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"},
    )


async def _calendar(request: web.Request, rows: list[tuple[Session, bool]]) -> bytes:
    """The VCALENDAR of ``rows``, each with its SEQUENCE (raised where what it shows changed since last seen)."""
    chair = request.app[CHAIR]
    sequences: dict[str, int] = {}
    versions = request.app.get(VERSIONS)
    if versions is not None:
        sequences = await versions.sequences({s.id: published(s, gone) for s, gone in rows})
    return to_ical(chair.schedule, rows, sequences, stamp=chair.clock())


async def _open_versions(app: web.Application) -> None:
    """At start-up: the calendar's sequences live in the core's SQLite file (none without one)."""
    file = app[CHAIR].file
    if file is not None:
        app[VERSIONS] = await CalendarVersions.on(file)


async def schedule_ics(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    rows = calendar_sessions(chair.schedule, chair.cancelled)
    return _ics_response(await _calendar(request, rows), "schedule.ics")


async def session_ics(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    session_id = request.match_info["session_id"]
    rows = [row for row in calendar_sessions(chair.schedule, chair.cancelled) if row[0].id == session_id]
    if not rows:
        # Returned, not raised: the error middleware would turn it into the HTML page.
        return web.json_response(
            {"error": "not_found", "detail": f"There is no session {session_id!r} in the calendar."}, status=404
        )
    return _ics_response(await _calendar(request, rows), f"{session_id}.ics")


async def healthz(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    source = request.app[GATEWAY]
    gateway = source() if source is not None else None
    try:
        health = await chair.health(gateway)
    except Exception as exc:  # the outbox or the Q&A store cannot be read: that is the answer, not an error page
        log.exception("reading the bot's health failed")
        reasons = [f"the bot's state cannot be read ({type(exc).__name__})"]
        return web.json_response({"status": "degraded", "reasons": reasons}, status=503)
    reasons = degraded_reasons(health, gateway, chair.last_problems)
    body = {"status": "degraded" if reasons else "ok", "reasons": reasons, **health.as_json()}
    return web.json_response(body, status=503 if reasons else 200)


async def live_qa(request: web.Request) -> web.StreamResponse:
    """The public Q&A of one session, as Server-Sent Events (``event: qa``, a JSON snapshot each)."""
    chair = request.app[CHAIR]
    session_id = request.match_info["session_id"]
    if chair.schedule.find(session_id) is None and session_id not in chair.cancelled:
        return web.json_response(
            {"error": "not_found", "detail": f"There is no session {session_id!r} in the schedule."}, status=404
        )
    return await request.app[HUB].serve(request, PUBLIC_QA, session_id)


async def _start_hub(app: web.Application) -> None:
    await app[HUB].start()


async def _stop_hub(app: web.Application) -> None:
    await app[HUB].stop()


def make_app(
    chair: Chair,
    *,
    gateway: Callable[[], GatewayStats | None] | None = None,
    live_interval: float | None = None,
) -> web.Application:
    """The web side of ``chair``; ``gateway`` tells ``/healthz`` how the Discord connection is (None: no Discord);
    ``live_interval``: how often at most a live page is updated while changes keep coming (seconds)."""
    app = web.Application(middlewares=[error_pages], client_max_size=64 * 1024)
    if chair.settings.web_behind_proxy:
        # The visitor's address and scheme from the proxy's headers, for the limits per address and the links.
        app.middlewares.append(XForwardedRelaxed(num=1).middleware)
    app[CHAIR] = chair
    app[GATEWAY] = gateway
    hub = LiveHub(chair.feed) if live_interval is None else LiveHub(chair.feed, interval=live_interval)
    hub.add_view(public_qa_view(chair))
    hub.add_view(schedule_view(chair))
    app[HUB] = hub
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    app.on_response_prepare.append(_security_headers)
    app.on_startup.append(_open_versions)
    app.on_startup.append(_start_hub)
    app.on_shutdown.append(_stop_hub)
    app.router.add_get("/", schedule_page, name="schedule")
    app.router.add_get("/schedule.ics", schedule_ics, name="schedule_ics")
    app.router.add_get("/sessions/{session_id}.ics", session_ics, name="session_ics")
    app.router.add_get("/healthz", healthz, name="healthz")
    app.router.add_get("/metrics", metrics_handler(chair, gateway, hub), name="metrics")
    app.router.add_get("/live/qa/{session_id}", live_qa, name="live_qa")
    app.router.add_get("/live/schedule", live_schedule, name="live_schedule")
    for part in (auth, stage, ask, moderate):
        part.setup(app)
    app.router.add_static("/static/", STATIC_DIR, name="static")
    return app


async def start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on ``host:port`` (0: a free port); the caller reads the port with :func:`bound_port` and
    calls ``cleanup()`` on the runner at the end."""
    # A page that goes away cancels its handler: a live page's stream ends at once, not at its next write.
    # Changes already handed to the core still commit (see QAService).
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port ``runner`` listens on (the first address)."""
    address = runner.addresses[0]
    return int(address[1])
