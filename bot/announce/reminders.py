"""Personal reminders: an attendee asks to be reminded of a session and gets a direct message before it starts.

A reminder is an outbox item (kind ``reminder``) whose id joins the session and the member, so there is one per
member and session, it survives restarts with the rest of the outbox, and it follows the session when the day
is shifted. Pure: the Discord adapter sends the message.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from bot.announce.outbox import Planned
from bot.messages import Post, escape_text
from bot.schedule.model import Schedule, Session
from bot.timefmt import discord_timestamp, zones_line

REMINDER_KIND = "reminder"
#: How long before the start a reminder is sent.
REMIND_BEFORE = dt.timedelta(minutes=10)


def reminder_id(session_id: str, user_id: str) -> str:
    return f"remind:{session_id}:{user_id}"


def session_token(session_id: str) -> str:
    """A short stable token for a session, to fit a button's 100-character custom id whatever the session id."""
    return hashlib.sha1(session_id.encode(), usedforsecurity=False).hexdigest()[:16]


def find_by_token(schedule: Schedule, token: str) -> Session | None:
    return next((s for s in schedule.sessions if session_token(s.id) == token), None)


def planned_reminder(session: Session, user_id: str, now: dt.datetime) -> Planned:
    """The reminder of ``session`` for ``user_id``: ten minutes before the start, or at once when that is past."""
    due = max(session.start - REMIND_BEFORE, now)
    return Planned(
        id=reminder_id(session.id, user_id),
        kind=REMINDER_KIND,
        due_at=due,
        stale_at=session.start,
        session_id=session.id,
        created_by=user_id,
        room=session.room,
    )


def reminder_posts(schedule: Schedule, session: Session) -> list[Post]:
    event = schedule.event
    title = escape_text(session.title, one_line=True)
    text = (
        f"⏰ **{title}** starts {discord_timestamp(session.start, 'R')} ({discord_timestamp(session.start, 't')}).\n"
        f"{zones_line(session.start, event.timezone, event.display_timezones)}"
    )
    if session.links.stream:
        text += f"\nWatch: {session.links.stream}"
    if session.links.virtual_room:
        text += f"\nJoin: {session.links.virtual_room}"
    return [Post(content=text + f"\n— {escape_text(event.name, one_line=True)}")]
