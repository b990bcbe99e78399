"""The Events-tab plan: one scheduled event per session, so attendees see the day in the server's Events tab and
can mark "Interested".

Kept in step with the schedule in force, idempotently: an event is created once, edited only when what it shows
changed (a digest of it is stored), and cancelled when its session is cancelled or removed. Breaks are left out;
sessions already over are not created. A session that is on keeps its event's start: only its end follows a
shift. The decisions are made here on plain data; the :class:`~bot.ports.EventsTab` port carries them out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlite_utils import Database, Migrations

from bot.db import SqliteFile
from bot.messages import shorten
from bot.ports import EventGone, EventSpec, EventsTab, EventsTabError
from bot.schedule.model import Kind, Schedule, Session
from bot.timefmt import zones_line

log = logging.getLogger(__name__)

#: Discord's limits for a scheduled event.
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100


def digest(spec: EventSpec) -> str:
    parts = (spec.name, spec.description, spec.location, spec.start.isoformat(), spec.end.isoformat())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def event_spec(schedule: Schedule, session: Session) -> EventSpec:
    event = schedule.event
    lines = []
    if session.speakers:
        lines.append(", ".join(s.name + (f" ({s.affiliation})" if s.affiliation else "") for s in session.speakers))
    lines.append(zones_line(session.start, event.timezone, event.display_timezones))
    if session.qa:
        lines.append("Questions: /ask in the server.")
    if session.abstract:
        lines.append(session.abstract)
    where = session.links.stream or session.links.virtual_room or session.room or event.name
    return EventSpec(
        name=shorten(session.title, NAME_LIMIT),
        description=shorten("\n".join(lines), DESCRIPTION_LIMIT),
        location=shorten(where, LOCATION_LIMIT),
        start=session.start,
        end=session.end,
    )


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    failed: int = 0

    def line(self) -> str:
        return (
            f"Events tab: {self.created} created, {self.updated} updated, {self.cancelled} cancelled, "
            f"{self.unchanged} unchanged" + (f", {self.failed} failed (see the log)" if self.failed else "")
        )


MIGRATIONS = Migrations("chairbot.events_tab")


@MIGRATIONS()
def _m001_guild_events(db: Database) -> None:
    # IF NOT EXISTS: files written before this module owned the table already have it.
    db.execute(
        "CREATE TABLE IF NOT EXISTS guild_events "
        "(session_id TEXT PRIMARY KEY, event_id INTEGER NOT NULL, digest TEXT NOT NULL)"
    )


class EventIds:
    """The scheduled event made for each session and a digest of what it was last given: the ``guild_events``
    table, which this module owns. ``await EventIds.on(file)``."""

    def __init__(self, file: SqliteFile) -> None:
        self.file = file

    @classmethod
    async def on(cls, file: SqliteFile) -> EventIds:
        await file.migrate(MIGRATIONS)
        return cls(file)

    async def known(self) -> dict[str, tuple[int, str]]:
        rows = await self.file.run(self.file.rows, "SELECT session_id, event_id, digest FROM guild_events")
        return {r[0]: (int(r[1]), r[2]) for r in rows}

    async def remember(self, session_id: str, event_id: int, digest: str) -> None:
        await self.file.run(
            self.file.write,
            "INSERT INTO guild_events (session_id, event_id, digest) VALUES (?, ?, ?) "
            "ON CONFLICT (session_id) DO UPDATE SET event_id = excluded.event_id, digest = excluded.digest",
            (session_id, event_id, digest),
        )

    async def forget(self, session_id: str) -> None:
        await self.file.run(self.file.write, "DELETE FROM guild_events WHERE session_id = ?", (session_id,))


async def sync_events(schedule: Schedule, now: dt.datetime, ids: EventIds, tab: EventsTab) -> SyncReport:
    """Bring the Events tab in line with ``schedule`` at ``now``."""
    report = SyncReport()
    if not tab.available():
        return report
    known = await ids.known()
    wanted = {s.id: s for s in schedule.sessions if s.kind is not Kind.BREAK and s.end > now}
    for session_id, session in wanted.items():
        spec = event_spec(schedule, session)
        current = known.get(session_id)
        try:
            if current is not None and current[1] == digest(spec):
                report.unchanged += 1
                continue
            if current is not None:
                # On now (it ran late, or early): its event is under way, so only its end changes.
                await tab.edit(current[0], spec, started=session.start <= now)
                report.updated += 1
                await ids.remember(session_id, current[0], digest(spec))
            elif session.start > now:  # Discord does not take events that have started
                created = await tab.create(spec)
                report.created += 1
                await ids.remember(session_id, created, digest(spec))
        except EventGone:
            await ids.forget(session_id)  # deleted by hand: made again on the next sync
            report.failed += 1
        except EventsTabError as exc:
            log.error("scheduled event for %s: %s", session_id, exc)
            report.failed += 1
    in_force = {s.id for s in schedule.sessions}
    for session_id, (event_id, _) in known.items():
        if session_id in wanted or session_id in in_force:
            continue
        try:
            await tab.cancel(event_id)
            report.cancelled += 1
        except EventGone:
            pass
        except EventsTabError as exc:
            log.error("cancelling the scheduled event for %s: %s", session_id, exc)
            report.failed += 1
            continue
        await ids.forget(session_id)
    return report
