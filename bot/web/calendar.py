"""The schedule as RFC 5545 calendars (``/schedule.ics`` and ``/sessions/{id}.ics``), built with ``icalendar``.

One VEVENT per session except breaks, cancelled sessions included (``STATUS:CANCELLED``) so that subscribed
calendars drop them. Instants are UTC. UIDs are ``{session id}@{event slug}.chairbot``, stable across restarts
and reloads.

``SEQUENCE`` is 0 the first time a feed shows a session and rises by one each time what the feed shows of it
changes (time, title, place, links, status): a shift, a cancellation, its undoing, a new version of the file.
:class:`CalendarVersions` keeps the count in the shared SQLite file (the ``calendar_versions`` table, which this
module owns), so it only ever rises, across restarts too, and calendars take every update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping

from icalendar import Calendar, Event
from sqlite_utils import Database, Migrations

from bot.db import SqliteFile
from bot.schedule.model import Kind, Schedule, Session


def event_slug(name: str) -> str:
    """``Hybrid Workshop 2024`` -> ``hybrid-workshop-2024``: the domain part of every UID."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "event"


def session_uid(session_id: str, slug: str) -> str:
    return f"{session_id}@{slug}.chairbot"


MIGRATIONS = Migrations("chairbot.web")


@MIGRATIONS()
def _m001_calendar_versions(db: Database) -> None:
    db.execute(
        "CREATE TABLE IF NOT EXISTS calendar_versions "
        "(session_id TEXT PRIMARY KEY, digest TEXT NOT NULL, sequence INTEGER NOT NULL)"
    )


class CalendarVersions:
    """The ``SEQUENCE`` of each session's VEVENT. ``await CalendarVersions.on(file)``."""

    def __init__(self, file: SqliteFile) -> None:
        self.file = file

    @classmethod
    async def on(cls, file: SqliteFile) -> CalendarVersions:
        await file.migrate(MIGRATIONS)
        return cls(file)

    async def sequences(self, digests: Mapping[str, str]) -> dict[str, int]:
        """The sequence of each session whose published content has ``digests[session_id]``, raised by one for
        each whose digest changed since it was last seen (in one transaction)."""
        return await self.file.run(self._sequences, dict(digests))

    def _sequences(self, digests: dict[str, str]) -> dict[str, int]:
        conn = self.file.conn
        known = dict.fromkeys(digests)
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            rows = conn.execute("SELECT session_id, digest, sequence FROM calendar_versions").fetchall()
            seen = {row[0]: (row[1], int(row[2])) for row in rows if row[0] in known}
            result: dict[str, int] = {}
            for session_id, digest in digests.items():
                before = seen.get(session_id)
                if before is None:
                    result[session_id] = 0
                    conn.execute(
                        "INSERT INTO calendar_versions (session_id, digest, sequence) VALUES (?, ?, 0)",
                        (session_id, digest),
                    )
                elif before[0] != digest:
                    result[session_id] = before[1] + 1
                    conn.execute(
                        "UPDATE calendar_versions SET digest = ?, sequence = ? WHERE session_id = ?",
                        (digest, before[1] + 1, session_id),
                    )
                else:
                    result[session_id] = before[1]
        return result


def published(session: Session, cancelled: bool) -> str:
    """A digest of what a VEVENT shows of ``session``: when it changes, its ``SEQUENCE`` rises."""
    parts = (
        session.start.astimezone(dt.UTC).isoformat(),
        session.end.astimezone(dt.UTC).isoformat(),
        session.title,
        session.links.stream or session.room or "",
        _description(session),
        "CANCELLED" if cancelled else "CONFIRMED",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _description(session: Session) -> str:
    parts = []
    if session.speakers:
        parts.append(
            "Speakers: "
            + ", ".join(f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in session.speakers)
        )
    if session.abstract:
        parts.append(session.abstract)
    links = session.links
    for label, url in (("Virtual room", links.virtual_room), ("Slides", links.slides), ("Page", links.page)):
        if url:
            parts.append(f"{label}: {url}")
    return "\n\n".join(parts)


def _vevent(session: Session, *, slug: str, cancelled: bool, sequence: int, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session.id, slug))
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", session.start.astimezone(dt.UTC))
    event.add("dtend", session.end.astimezone(dt.UTC))
    event.add("summary", session.title)
    description = _description(session)
    if description:
        event.add("description", description)
    location = session.links.stream or session.room
    if location:
        event.add("location", location)
    if session.links.stream:
        event.add("url", session.links.stream)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_sessions(schedule: Schedule, cancelled: Mapping[str, Session]) -> list[tuple[Session, bool]]:
    """Every session a calendar lists, with whether it is cancelled, in start order (breaks left out)."""
    rows = [(s, False) for s in schedule.sessions] + [(s, True) for s in cancelled.values()]
    rows = [(s, gone) for s, gone in rows if s.kind is not Kind.BREAK]
    return sorted(rows, key=lambda row: (row[0].start, row[0].room or "", row[0].id))


def to_ical(
    schedule: Schedule,
    sessions: Iterable[tuple[Session, bool]],
    sequences: Mapping[str, int],
    *,
    stamp: dt.datetime,
) -> bytes:
    """A VCALENDAR holding ``sessions`` (each with whether it is cancelled) of ``schedule``'s event, each with its
    ``SEQUENCE`` from ``sequences`` (0 when missing)."""
    slug = event_slug(schedule.event.name)
    calendar = Calendar()
    calendar.add("prodid", "-//chairbot//schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", schedule.event.name)
    for session, gone in sessions:
        number = sequences.get(session.id, 0)
        calendar.add_component(_vevent(session, slug=slug, cancelled=gone, sequence=number, stamp=stamp))
    return bytes(calendar.to_ical())
