"""The public live state of a session's Q&A, for the stage display and the ask page: plain JSON-able data.

Only what attendees may see: the question on stage and the queued ones, each with the name its asker chose to
show (``anonymous`` otherwise), never a question awaiting review or hidden, never a member id. Texts are plain
text; the pages put them in the document as text, never as HTML.
"""

from __future__ import annotations

from typing import Any

from bot.chair import Chair
from bot.live import SCHEDULE
from bot.qa.model import Question, Status
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
