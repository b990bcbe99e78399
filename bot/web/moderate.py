"""The moderators' dashboard: every session taking questions now, and for one session the stage, the queue in the
order ``/qa next`` takes it, the questions awaiting review, the bans and the moderation log, with one click for
each thing ``/qa`` does.

Every page and action goes through :mod:`bot.web.auth` (signed in, the role asked of the Roster again, the CSRF
token on every POST), then calls the core with the member's id, so the Q&A store logs who did what. With
JavaScript (``static/moderate.js``) an action is a ``fetch`` answered in JSON and the page follows the
``moderate`` live stream (:func:`bot.web.qa_views.moderator_qa_view`), so two moderators see each other's clicks
within a moment; without it each action is a plain form answered by a 303 back to the dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web

from bot.chair import Chair
from bot.errors import Refusal
from bot.messages import shorten
from bot.qa.export import render_export
from bot.qa.model import Question, Status
from bot.schedule.model import Session
from bot.signin import Member, Role
from bot.timefmt import span, zone_label
from bot.web.auth import NAMES, Form, Problem, Signed, member_action, member_page, wants_json
from bot.web.keys import CHAIR, HUB
from bot.web.qa_views import MODERATOR_QA, find_session, moderator_qa_view

log = logging.getLogger(__name__)

#: The downloads the dashboard offers, as ``/qa export`` gives them: (media type, label).
EXPORTS = {"md": ("text/markdown", "Markdown"), "csv": ("text/csv", "CSV")}
#: What an export holds: every question but the hidden ones, as ``/qa export`` does.
EXPORTED = (Status.QUEUED, Status.ON_STAGE, Status.ANSWERED, Status.DISMISSED, Status.PENDING_REVIEW)
#: What may become of the question on stage when the next one comes.
LEAVING_STAGE = {"answered": Status.ANSWERED, "queued": Status.QUEUED}
#: Longest member id a form may name (Discord's are 20 digits; web askers' ``web:`` and a token).
USER_ID_MAX = 100
#: Longest question text quoted back in an action's answer.
QUOTED = 120


def _session(request: web.Request) -> Session:
    session_id = request.match_info["session_id"]
    session = find_session(request.app[CHAIR], session_id)
    if session is None:
        raise Problem(404, "not_found", "No such session", f"There is no session {session_id!r} in the schedule.")
    return session


def _when(chair: Chair, session: Session) -> str:
    zone = chair.schedule.event.timezone
    return f"{session.start.astimezone(zone):%a %d %b}, {span(session.start, session.end, zone)} {zone_label(zone)}"


# -- pages -------------------------------------------------------------------------------------------------------


async def index(request: web.Request, signed: Signed) -> web.StreamResponse:
    """The sessions taking questions now (or the next one), each a link to its dashboard; the others below."""
    chair = request.app[CHAIR]
    now = chair.qa_sessions_now()
    others = [s for s in chair.schedule.sessions if s.qa and s not in now]
    context = {
        "event": chair.schedule.event.name,
        "member": signed.member,
        "csrf": signed.csrf,
        "now": [(s, _when(chair, s)) for s in now],
        "others": [(s, _when(chair, s)) for s in others],
    }
    return _no_store(aiohttp_jinja2.render_template("moderate_index.html", request, context))


async def dashboard(request: web.Request, signed: Signed) -> web.StreamResponse:
    """One session's dashboard, as it is now; the script keeps it up to date from the live stream."""
    chair = request.app[CHAIR]
    session = _session(request)
    state = await request.app[HUB].snapshot(MODERATOR_QA, session.id)
    context = {
        "event": chair.schedule.event.name,
        "member": signed.member,
        "csrf": signed.csrf,
        "session": session,
        "when": _when(chair, session),
        "cancelled": session.id in chair.cancelled,
        "state": state,
        "exports": EXPORTS,
        "base": str(request.app.router["moderate_session"].url_for(session_id=session.id)),
    }
    return _no_store(aiohttp_jinja2.render_template("moderate.html", request, context))


async def export(request: web.Request, signed: Signed) -> web.StreamResponse:
    """The session's questions as a file for the speaker, the same as ``/qa export`` gives."""
    chair = request.app[CHAIR]
    session = _session(request)
    fmt = request.match_info["fmt"]
    if fmt not in EXPORTS:
        raise Problem(404, "not_found", "No such export", f"Exports come as {' or '.join(EXPORTS)}, not {fmt!r}.")
    questions = await chair.qa.questions(session.id, EXPORTED)
    text = render_export(questions, fmt, chair.schedule)
    return web.Response(
        text=text,
        content_type=EXPORTS[fmt][0],
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="questions-{session.id}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


async def live(request: web.Request, signed: Signed) -> web.StreamResponse:
    """The dashboard's live stream (Server-Sent Events, ``event: moderate``), for a moderator signed in now."""
    session = _session(request)
    chair = request.app[CHAIR]

    async def still_a_moderator() -> bool:
        """Asked now and then: a moderator whose role was taken away stops receiving the queue. When Discord
        cannot say (an outage), the stream goes on; the next click asks again anyway."""
        try:
            await chair.member_with(signed.member.id, Role.MODERATOR)
        except Refusal:
            return False
        except Exception:
            log.warning("could not check the role of member %s; their stream goes on", signed.member.id)
        return True

    return await request.app[HUB].serve(request, MODERATOR_QA, session.id, still_allowed=still_a_moderator)


def _no_store(response: web.StreamResponse) -> web.StreamResponse:
    # Moderators' pages carry askers' ids and a CSRF token: no cache keeps them.
    response.headers["Cache-Control"] = "no-store"
    return response


# -- actions -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Act:
    """One moderator's click: on which session, by whom, with which form."""

    chair: Chair
    session: Session
    member: Member
    form: Form

    def text(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    async def question(self) -> Question:
        """The question the form names, which must be one of this session's; :class:`Problem` 400 otherwise."""
        raw = self.text("question")
        if not raw.isdigit() or len(raw) > 18:
            raise Problem(400, "bad_form", "No such question", "The form does not name a question by its number.")
        question = await self.chair.qa.get(int(raw))
        if question.session_id != self.session.id:
            raise Problem(
                400, "bad_form", "No such question", f"Question #{question.id} is not one of this session's."
            )
        return question

    def reason(self, *, required: bool = False) -> str | None:
        reason = self.text("reason")
        if required and not reason:
            raise Problem(
                400,
                "bad_form",
                "A reason is needed",
                "Write why the question is dismissed: it is kept in the moderation log.",
            )
        return reason or None


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did, for the moderator who clicked: a sentence, and the question it put on stage."""

    message: str
    on_stage: int | None = None


def _quoted(question: Question) -> str:
    return f"#{question.id} “{shorten(' '.join(question.text.split()), QUOTED)}”"


def _posted_note(chair: Chair, posted: bool) -> str:
    if posted or chair.publisher is None:
        return ""
    return " The post where the session's Q&A happens did not go out: read the question out from here."


async def _next(act: Act) -> Done:
    previous = LEAVING_STAGE.get(act.text("previous") or "answered")
    if previous is None:
        choices = " or ".join(LEAVING_STAGE)
        raise Problem(400, "bad_form", "Cannot do that", f"The question leaving the stage can become {choices}.")
    shown = act.text("shown")
    if shown and not shown.isdigit():
        raise Problem(400, "bad_form", "Cannot do that", "The form names the question on stage by its number.")
    # Through the core, so the question also shows where the session's Q&A happens (the Discord thread).
    expected = int(shown) if shown else None
    result = await act.chair.next_on_stage(act.session.id, act.member.id, previous, expected_on_stage=expected)
    if result.question is None:
        return Done("The queue is empty: there is no question to put on stage.")
    note = _posted_note(act.chair, result.posted)
    return Done(f"On stage now: {_quoted(result.question)}.{note}", result.question.id)


async def _stage(act: Act) -> Done:
    question = await act.question()
    # Through the core, as "next": the question also shows where the session's Q&A happens.
    result = await act.chair.put_on_stage(question.id, act.member.id, Status.ANSWERED)
    assert result.question is not None
    note = _posted_note(act.chair, result.posted)
    return Done(f"On stage now: {_quoted(result.question)}.{note}", result.question.id)


async def _answered(act: Act) -> Done:
    question = await act.chair.qa.mark_answered((await act.question()).id, act.member.id)
    return Done(f"{_quoted(question)} is marked answered.")


async def _dismiss(act: Act) -> Done:
    reason = act.reason(required=True)
    assert reason is not None
    question = await act.chair.qa.dismiss((await act.question()).id, act.member.id, reason)
    return Done(f"{_quoted(question)} is dismissed.")


async def _hide(act: Act) -> Done:
    question = await act.chair.qa.hide((await act.question()).id, act.member.id, act.reason())
    return Done(f"{_quoted(question)} is hidden from every public view.")


async def _restore(act: Act) -> Done:
    question = await act.chair.qa.restore((await act.question()).id, act.member.id)
    return Done(f"{_quoted(question)} is back in the queue.")


async def _approve(act: Act) -> Done:
    question = await act.chair.qa.approve((await act.question()).id, act.member.id)
    return Done(f"{_quoted(question)} is approved and queued.")


async def _asker(act: Act) -> tuple[str, str]:
    """Whom a ban names: the asker of the form's question, or the form's member id; (id, name)."""
    if act.text("question"):
        question = await act.question()
        return question.author_id, question.author_name
    user = act.text("user")
    if not user or len(user) > USER_ID_MAX or not user.isprintable() or " " in user:
        raise Problem(400, "bad_form", "No such asker", "The form names no asker (by question or by member id).")
    return user, user


async def _ban(act: Act) -> Done:
    user, name = await _asker(act)
    changed = await act.chair.qa.ban(user, act.member.id, act.reason())
    return Done(f"{name} {'can no longer ask or vote' if changed else 'was already banned'}.")


async def _unban(act: Act) -> Done:
    user, name = await _asker(act)
    changed = await act.chair.qa.unban(user, act.member.id, act.reason())
    return Done(f"{name} {'may ask and vote again' if changed else 'was not banned'}.")


async def _open(act: Act) -> Done:
    await act.chair.qa.open_session(act.session.id, act.member.id)
    return Done("Q&A is open: attendees may ask.")


async def _close(act: Act) -> Done:
    await act.chair.qa.close_session(act.session.id, act.member.id)
    return Done("Q&A is closed: no new questions.")


async def _pre_moderation(act: Act) -> Done:
    wanted = act.text("enabled")
    if wanted not in ("on", "off"):
        raise Problem(400, "bad_form", "Cannot do that", "Pre-moderation is turned on or off.")
    await act.chair.qa.set_pre_moderation(act.session.id, act.member.id, wanted == "on")
    if wanted == "on":
        return Done("Pre-moderation is on: new questions wait for a moderator's approval.")
    return Done("Pre-moderation is off: new questions join the queue at once.")


#: Every action by the last part of its address, ``POST /moderate/{session}/{action}``.
ACTIONS: dict[str, Callable[[Act], Awaitable[Done]]] = {
    "next": _next,
    "stage": _stage,
    "answered": _answered,
    "dismiss": _dismiss,
    "hide": _hide,
    "restore": _restore,
    "approve": _approve,
    "ban": _ban,
    "unban": _unban,
    "open": _open,
    "close": _close,
    "premoderation": _pre_moderation,
}


async def act(request: web.Request, signed: Signed, form: Form) -> web.StreamResponse:
    """Carry out one action for a signed-in moderator: JSON for the page's script, a 303 back for a plain form."""
    session = _session(request)
    action = ACTIONS.get(request.match_info["action"])
    if action is None:
        raise Problem(404, "not_found", "No such action", "The dashboard has no such action.")
    done = await action(Act(request.app[CHAIR], session, signed.member, form))
    if wants_json(request):
        return web.json_response(
            {"ok": True, "message": done.message, "on_stage": done.on_stage}, headers={"Cache-Control": "no-store"}
        )
    back = request.app.router["moderate_session"].url_for(session_id=session.id)
    return web.Response(status=303, headers={"Location": str(back), "Cache-Control": "no-store"})


def setup(app: web.Application) -> None:
    """Add the dashboard, its actions, its exports and its live stream to ``app``."""
    app[HUB].add_view(moderator_qa_view(app[CHAIR], app.setdefault(NAMES, {})))
    app.router.add_get("/moderate", member_page(index), name="moderate")
    app.router.add_get("/moderate/{session_id}", member_page(dashboard), name="moderate_session")
    app.router.add_get("/moderate/{session_id}/questions.{fmt}", member_page(export), name="moderate_export")
    app.router.add_post("/moderate/{session_id}/{action}", member_action(act), name="moderate_action")
    app.router.add_get("/live/moderate/{session_id}", member_page(live), name="live_moderate")
