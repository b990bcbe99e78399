"""The public live state of a session's Q&A, for the stage display and the ask page: plain JSON-able data.

Only what attendees may see: the question on stage and the queued ones, each with the name its asker chose to
show (``anonymous`` otherwise), never a question awaiting review or hidden, never a member id. Texts are plain
text; the pages put them in the document as text, never as HTML.

The moderators' view (:func:`moderator_qa`) is apart and carries more: askers' names and ids, questions awaiting
review or done with, bans and the moderation log. It is served only to a signed-in moderator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Set
from typing import Any

from bot.chair import Chair
from bot.live import MODERATION, SCHEDULE
from bot.messages import shorten
from bot.qa.model import Action, ModerationEntry, Question, Status
from bot.schedule.model import Session
from bot.timefmt import utc_iso
from bot.web.live import View

#: Queued questions a public view lists.
PUBLIC_QUEUE = 20
PUBLIC_QA = "qa"


def session_info(chair: Chair, session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "speakers": [s.name for s in session.speakers],
        "room": session.room,
        "start": utc_iso(session.start),
        "end": utc_iso(session.end),
        "qa_closes": utc_iso(chair.qa_closes_at(session)),
        "qa": session.qa,
    }


def public_question(question: Question, rank: int | None) -> dict[str, Any]:
    return {
        "id": question.id,
        "rank": rank,
        "text": question.text,
        "author": question.public_author,
        "votes": question.votes,
    }


async def public_qa(chair: Chair, session_id: str) -> dict[str, Any]:
    """The stage and the queue of ``session_id`` as attendees see them; ``session`` is None when the session is
    not in force (cancelled, removed)."""
    session = chair.schedule.find(session_id)
    listing = await chair.qa.queue(session_id, PUBLIC_QUEUE)
    settings = await chair.qa.session_settings(session_id)
    counts = await chair.qa.counts(session_id)
    stage = next((public_question(r.question, None) for r in listing if r.rank is None), None)
    return {
        "session": None if session is None else session_info(chair, session),
        "qa_open": settings.qa_open,
        "stage": stage,
        "queue": [public_question(r.question, r.rank) for r in listing if r.rank is not None],
        "queued": counts.get(Status.QUEUED, 0),
        "answered": counts.get(Status.ANSWERED, 0),
        "now": utc_iso(chair.clock()),
    }


def public_qa_view(chair: Chair) -> View:
    """The ``qa`` stream of a session: changes with its questions and with the schedule."""

    async def build(session_id: str) -> dict[str, Any]:
        return await public_qa(chair, session_id)

    return View(PUBLIC_QA, lambda session_id: frozenset({session_id, SCHEDULE}), build)


# -- the moderators' view --------------------------------------------------------------------------------------

#: What the moderators' dashboard of a session shows at most of each list.
MODERATOR_QUEUE = 100
MODERATOR_PENDING = 50
MODERATOR_DONE = 50
MODERATOR_LOG = 50
MODERATOR_QA = "moderate"
#: A question's text in a log line is cut to this many characters (the card above has it whole).
_LOG_SNIPPET = 60
_DONE = (Status.ANSWERED, Status.DISMISSED, Status.HIDDEN)


def age_text(seconds: float) -> str:
    """How long ago a question was asked, as the dashboard shows it (``just now``, ``4 min``, ``1 h 5 min``);
    ``static/moderate.js`` writes it the same way."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def find_session(chair: Chair, session_id: str) -> Session | None:
    """The session in force, or a cancelled one (its questions may still need moderating or exporting)."""
    return chair.schedule.find(session_id) or chair.cancelled.get(session_id)


def moderator_question(question: Question, rank: int | None, now: dt.datetime, banned: Set[str]) -> dict[str, Any]:
    """A question as moderators see it: the asker's name and id even when attendees see ``anonymous`` (to ban an
    abusive asker), its status, and whether the asker is banned."""
    return {
        "id": question.id,
        "rank": rank,
        "status": question.status.value,
        "text": question.text,
        "author": question.author_name,
        "author_id": question.author_id,
        "anonymous": question.anonymous,
        "votes": question.votes,
        "asked_at": utc_iso(question.created_at),
        "age": age_text((now - question.created_at).total_seconds()),
        "banned": question.author_id in banned,
    }


def _shown_name(member_id: str, names: Mapping[str, str]) -> str:
    return names.get(member_id) or (f"member {member_id}" if member_id.isdigit() else member_id)


def log_line(entry: ModerationEntry, names: Mapping[str, str], texts: Mapping[int, str]) -> str:
    """What one moderation did, as a sentence without its subject: ``dismissed #12 “Why…”: off topic``."""
    question = ""
    if entry.question_id is not None:
        text = texts.get(entry.question_id)
        question = f"#{entry.question_id}" + (f" “{shorten(text, _LOG_SNIPPET)}”" if text else "")
    user = _shown_name(entry.user_id, names) if entry.user_id else "someone"
    what = {
        Action.APPROVE: f"approved {question}",
        Action.DISMISS: f"dismissed {question}",
        Action.HIDE: f"hid {question}",
        Action.RESTORE: f"restored {question}",
        Action.ANSWER: f"marked {question} answered",
        Action.MOVE: f"moved {question} to another session",
        Action.STAGE: f"put {question} on stage",
        Action.REQUEUE: f"put {question} back in the queue",
        Action.BAN: f"banned {user} from Q&A",
        Action.UNBAN: f"lifted the ban on {user}",
        Action.OPEN: "opened Q&A",
        Action.CLOSE: "closed Q&A",
        Action.PRE_MODERATION_ON: "turned pre-moderation on",
        Action.PRE_MODERATION_OFF: "turned pre-moderation off",
    }[entry.action]
    return f"{what}: {entry.reason}" if entry.reason else what


async def moderator_qa(chair: Chair, session_id: str, names: Mapping[str, str]) -> dict[str, Any]:
    """Everything the moderators' dashboard of ``session_id`` shows: the stage and the queue in the order ``next``
    takes them, the questions awaiting review, those done with (to restore one), the bans, and the moderation
    log of the session and of the bans, newest first. ``names``: members' names the web side knows (from their
    sign-ins), for the log; askers' names come from their questions."""
    qa = chair.qa
    now = chair.clock()
    session = find_session(chair, session_id)
    listing = await qa.queue(session_id, MODERATOR_QUEUE)
    pending = await qa.pending_review(session_id, MODERATOR_PENDING)
    everything = await qa.questions(session_id)
    settings = await qa.session_settings(session_id)
    bans = await qa.bans()
    # The session's log and the bans (which belong to no session), merged newest first.
    entries = await qa.moderation_log(session_id, MODERATOR_LOG)
    entries += [e for e in await qa.moderation_log(None, MODERATOR_LOG) if e.session_id is None]
    entries = sorted(entries, key=lambda e: e.id, reverse=True)[:MODERATOR_LOG]

    banned = {ban.user_id for ban in bans}
    known = {q.author_id: q.author_name for q in everything} | dict(names)
    texts = {q.id: q.text for q in everything}
    done = sorted(
        (q for q in everything if q.status in _DONE),
        key=lambda q: (q.moderated_at or q.created_at, q.id),
        reverse=True,
    )[:MODERATOR_DONE]
    counts = {status: 0 for status in Status}
    for question in everything:
        counts[question.status] += 1
    zone = chair.schedule.event.timezone
    return {
        "session": None if session is None else session_info(chair, session),
        "qa_open": settings.qa_open,
        "pre_moderation": settings.pre_moderation,
        "stage": next((moderator_question(r.question, None, now, banned) for r in listing if r.rank is None), None),
        "queue": [moderator_question(r.question, r.rank, now, banned) for r in listing if r.rank is not None],
        "pending": [moderator_question(q, None, now, banned) for q in pending],
        "done": [moderator_question(q, None, now, banned) for q in done],
        "counts": {status.value: n for status, n in counts.items()},
        "bans": [
            {
                "user_id": ban.user_id,
                "name": _shown_name(ban.user_id, known),
                "by": _shown_name(ban.banned_by, known),
                "reason": ban.reason,
            }
            for ban in bans
        ],
        "log": [
            {
                "id": entry.id,
                "at": utc_iso(entry.at),
                "time": entry.at.astimezone(zone).strftime("%H:%M:%S"),
                "who": _shown_name(entry.moderator_id, known),
                "what": log_line(entry, known, texts),
            }
            for entry in entries
        ],
        "now": utc_iso(now),
    }


def moderator_qa_view(chair: Chair, names: Mapping[str, str]) -> View:
    """The ``moderate`` stream of a session: changes with its questions, with bans, and with the schedule."""

    async def build(session_id: str) -> dict[str, Any]:
        return await moderator_qa(chair, session_id, names)

    return View(MODERATOR_QA, lambda session_id: frozenset({session_id, MODERATION, SCHEDULE}), build)
