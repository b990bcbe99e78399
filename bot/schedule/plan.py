"""The announcement plan: which messages the bot posts about which session, and when.

Pure and deterministic: the same schedule always gives the same plan, with the same announcement ids, so a
restarted bot (or a re-planned day after a shift) can tell what it already posted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.schedule.model import Schedule, Session


class AnnouncementKind(StrEnum):
    BEFORE = "before"  # "starting in N minutes"
    START = "start"  # "now live"


@dataclass(frozen=True, slots=True)
class Announcement:
    """One message to post at ``at`` (aware, UTC) about ``session``."""

    id: str
    session: Session
    kind: AnnouncementKind
    at: dt.datetime
    minutes_before: int

    @property
    def session_id(self) -> str:
        return self.session.id


def announcement_id(session_id: str, minutes_before: int) -> str:
    """The stable id of the announcement ``minutes_before`` the start of ``session_id`` (0: at the start)."""
    return f"{session_id}:start" if minutes_before == 0 else f"{session_id}:before-{minutes_before}m"


def offsets_for(schedule: Schedule, session: Session) -> tuple[int, ...]:
    """Minutes before the start at which ``session`` is announced, largest first, without repeats."""
    offsets = session.announce if session.announce is not None else schedule.event.offsets_for(session.kind)
    return tuple(sorted(set(offsets), reverse=True))


def plan(schedule: Schedule) -> list[Announcement]:
    """Every announcement of the schedule, in the order they are due."""
    announcements = []
    for order, session in enumerate(schedule.sessions):
        for minutes in offsets_for(schedule, session):
            announcements.append(
                (
                    session.start - dt.timedelta(minutes=minutes),
                    order,
                    Announcement(
                        id=announcement_id(session.id, minutes),
                        session=session,
                        kind=AnnouncementKind.START if minutes == 0 else AnnouncementKind.BEFORE,
                        at=session.start - dt.timedelta(minutes=minutes),
                        minutes_before=minutes,
                    ),
                )
            )
    announcements.sort(key=lambda item: (item[0], item[1], -item[2].minutes_before))
    return [item[2] for item in announcements]
