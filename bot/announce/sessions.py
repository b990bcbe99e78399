"""From the schedule to the outbox: every announcement of every session as a planned post, with the moment
after which it is no longer worth posting.

- "starting in N minutes" is due N minutes before the start and stale at the start;
- "now live" is due at the start and stale at the end;
- "Q&A closed" (sessions with Q&A) is due a set time after the end and stale half an hour later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from bot.announce.outbox import Planned
from bot.schedule.model import Schedule
from bot.schedule.plan import plan
from bot.timefmt import utc_iso

SESSION_KIND = "session"
QA_CLOSE = "qa-close"
QA_CLOSE_STALE_AFTER = dt.timedelta(minutes=30)


def planned_posts(
    schedule: Schedule, *, qa_close_after: dt.timedelta, cancelled: Collection[str] = ()
) -> list[Planned]:
    """Every post the schedule calls for, sessions in ``cancelled`` left out."""
    posts: list[Planned] = []
    for announcement in plan(schedule):
        session = announcement.session
        if session.id in cancelled:
            continue
        minutes = announcement.minutes_before
        posts.append(
            Planned(
                id=announcement.id,
                kind=SESSION_KIND,
                due_at=announcement.at,
                stale_at=session.start if minutes else session.end,
                session_id=session.id,
                action="start" if minutes == 0 else f"before:{minutes}",
                room=session.room,
            )
        )
    for session in schedule.sessions:
        if session.qa and session.id not in cancelled:
            due = session.end + qa_close_after
            posts.append(
                Planned(
                    id=f"{session.id}:{QA_CLOSE}",
                    kind=SESSION_KIND,
                    due_at=due,
                    stale_at=due + QA_CLOSE_STALE_AFTER,
                    session_id=session.id,
                    action=QA_CLOSE,
                    room=session.room,
                )
            )
    return sorted(posts, key=lambda p: (p.due_at, p.id))


def minutes_before(action: str) -> int:
    """``before:10`` -> 10, ``start`` -> 0."""
    if action == "start":
        return 0
    kind, _, minutes = action.partition(":")
    if kind != "before" or not minutes.isdigit():
        raise ValueError(f"not an announcement action: {action!r}")
    return int(minutes)


def planned_json(schedule: Schedule, posts: list[Planned]) -> dict[str, Any]:
    """``{"announcements": [{"id", "session", "kind", "at", "minutes_before", ...}]}``; ``kind`` is ``before``,
    ``start`` or ``qa-close`` (whose ``minutes_before`` is null), ``at`` a UTC instant ending in ``Z``."""
    out = []
    for post in posts:
        session = schedule.session(post.session_id or "")
        action = post.action or ""
        kind, _, minutes = action.partition(":")
        out.append(
            {
                "id": post.id,
                "session": session.id,
                "kind": kind,
                "at": utc_iso(post.due_at),
                "minutes_before": int(minutes) if kind == "before" else 0 if kind == "start" else None,
                "session_kind": session.kind.value,
                "title": session.title,
            }
        )
    return {"announcements": out}
