"""The Events-tab plan: a scheduled event for each of the next sessions, so attendees see what is coming in the
server's Events tab and can mark "Interested".

Discord holds at most 100 scheduled or active events per server (error 30038 past that), and a conference has many
more sessions, so the tab shows a rolling window: events for the nearest sessions, at most ``limit`` of them
(``events_tab_max``, 90 by default, which leaves room for events the organizers make by hand). Discord ends an
external event at its end time by itself, which frees its place; the next sync gives it to the next session. An
event once made stays until its session ends: people may have marked it, so it is never taken back to make room.

Kept in step with the schedule in force, idempotently: an event is created once, edited only when what it shows
changed (a digest of it is stored), and cancelled when its session is cancelled or removed. Breaks are left out;
sessions already on or over are not created (Discord does not take events that have started). A session that is on
keeps its event's start: only its end follows a shift. :func:`plan_events` decides on plain data;
:func:`sync_events` carries the plan out through the :class:`~bot.ports.EventsTab` port.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlite_utils import Database, Migrations

from bot.db import SqliteFile
from bot.messages import shorten
from bot.ports import EventGone, EventSpec, EventsTab, EventsTabClosed, EventsTabError
from bot.schedule.model import Kind, Schedule, Session
from bot.timefmt import zones_line

log = logging.getLogger(__name__)

#: Discord's limits for a scheduled event.
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100
#: Discord's cap on scheduled or active events per server, and how many of them chairbot fills by default.
DISCORD_MAX_EVENTS = 100
DEFAULT_MAX_EVENTS = 90


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


@dataclass(frozen=True, slots=True)
class Create:
    session_id: str
    spec: EventSpec


@dataclass(frozen=True, slots=True)
class Edit:
    session_id: str
    event_id: int
    spec: EventSpec
    #: The session is on: its event is under way and keeps its start.
    started: bool


@dataclass(frozen=True, slots=True)
class Cancel:
    session_id: str
    event_id: int


@dataclass(frozen=True)
class EventsPlan:
    """What one sync does, in this order: cancel (which frees places), edit, create (nearest session first)."""

    cancels: list[Cancel] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    creates: list[Create] = field(default_factory=list)
    #: Events that already show what they should.
    unchanged: int = 0
    #: Sessions to come that get no event yet: past the window, made as earlier ones end.
    waiting: int = 0


def plan_events(
    schedule: Schedule, now: dt.datetime, known: Mapping[str, tuple[int, str]], limit: int = DEFAULT_MAX_EVENTS
) -> EventsPlan:
    """What to change in the Events tab for ``schedule`` at ``now``, given the events made so far (``known``: the
    event id and digest by session id), so that at most ``limit`` events show sessions that are not over."""
    in_force = {s.id for s in schedule.sessions}
    cancels = [Cancel(sid, event_id) for sid, (event_id, _) in known.items() if sid not in in_force]
    not_over = sorted((s for s in schedule.sessions if s.kind is not Kind.BREAK and s.end > now), key=lambda s: s.start)
    edits: list[Edit] = []
    unchanged = 0
    for session in not_over:
        if session.id not in known:
            continue
        event_id, shown = known[session.id]
        spec = event_spec(schedule, session)
        if digest(spec) == shown:
            unchanged += 1
        else:
            # On now (it ran late, or early): its event is under way, so only its end changes.
            edits.append(Edit(session.id, event_id, spec, started=session.start <= now))
    to_come = [s for s in not_over if s.id not in known and s.start > now]
    room = max(0, limit - len(edits) - unchanged)
    creates = [Create(s.id, event_spec(schedule, s)) for s in to_come[:room]]
    return EventsPlan(cancels, edits, creates, unchanged, waiting=len(to_come) - len(creates))


def ended_between(schedule: Schedule, since: dt.datetime, now: dt.datetime) -> bool:
    """Whether a session with an event (any but a break) ended after ``since`` and by ``now``: its event's place
    in the window is free, for the next session."""
    return any(since < s.end <= now for s in schedule.sessions if s.kind is not Kind.BREAK)


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    failed: int = 0
    #: Sessions to come without an event yet (past the window, or held back because Discord took no more).
    waiting: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.cancelled or self.failed)

    def line(self) -> str:
        return (
            f"Events tab: {self.created} created, {self.updated} updated, {self.cancelled} cancelled, "
            f"{self.unchanged} unchanged"
            + (f", {self.waiting} later sessions wait for a place" if self.waiting else "")
            + (f", {self.failed} failed (see the log)" if self.failed else "")
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


async def sync_events(
    schedule: Schedule, now: dt.datetime, ids: EventIds, tab: EventsTab, *, limit: int = DEFAULT_MAX_EVENTS
) -> SyncReport:
    """Bring the Events tab in line with ``schedule`` at ``now``: :func:`plan_events`, carried out.

    When Discord takes no new event (its cap, or no permission), the sync stops creating with one warning: every
    later create would be refused the same way, and a flood of refused requests is what Discord blocks bots for.
    """
    report = SyncReport()
    if not tab.available():
        return report
    plan = plan_events(schedule, now, await ids.known(), limit)
    report.unchanged, report.waiting = plan.unchanged, plan.waiting
    for cancel in plan.cancels:
        try:
            await tab.cancel(cancel.event_id)
            report.cancelled += 1
        except EventGone:
            pass
        except EventsTabError as exc:
            log.error("cancelling the scheduled event for %s: %s", cancel.session_id, exc)
            report.failed += 1
            continue
        await ids.forget(cancel.session_id)
    for edit in plan.edits:
        try:
            await tab.edit(edit.event_id, edit.spec, started=edit.started)
        except EventGone:
            await ids.forget(edit.session_id)  # deleted by hand: made again by a later sync
            report.failed += 1
            continue
        except EventsTabError as exc:
            log.error("scheduled event for %s: %s", edit.session_id, exc)
            report.failed += 1
            continue
        report.updated += 1
        await ids.remember(edit.session_id, edit.event_id, digest(edit.spec))
    for done, create in enumerate(plan.creates):
        try:
            event_id = await tab.create(create.spec)
        except EventsTabClosed as exc:
            held = len(plan.creates) - done
            report.waiting += held
            log.warning("Events tab: Discord takes no new event now (%s); the next %d wait for a later sync", exc, held)
            break
        except EventsTabError as exc:
            log.error("scheduled event for %s: %s", create.session_id, exc)
            report.failed += 1
            continue
        report.created += 1
        await ids.remember(create.session_id, event_id, digest(create.spec))
    return report
