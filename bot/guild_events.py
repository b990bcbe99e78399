"""Discord Scheduled Events: one per session, so the server's Events tab shows the day and attendees can mark
"Interested". Kept in step with the schedule in force, idempotently: an event is created once, edited only when
what it shows changed (a digest of it is stored), and cancelled when its session is cancelled or removed.
Breaks are left out; sessions already over are not created. A session that is on keeps its event's start: only
its end follows a shift."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.messages import shorten
from bot.schedule.model import Kind, Session
from bot.timefmt import zones_line

if TYPE_CHECKING:
    from bot.chair import ChairBot

log = logging.getLogger(__name__)

#: Discord's limits for a scheduled event.
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100


@dataclass(frozen=True, slots=True)
class EventSpec:
    name: str
    description: str
    location: str
    start: dt.datetime
    end: dt.datetime

    def digest(self) -> str:
        parts = (self.name, self.description, self.location, self.start.isoformat(), self.end.isoformat())
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def event_spec(bot: ChairBot, session: Session) -> EventSpec:
    event = bot.schedule.event
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


async def sync_guild_events(bot: ChairBot) -> SyncReport:
    """Bring the server's scheduled events in line with the schedule in force."""
    report = SyncReport()
    guild = bot.guild
    if guild is None or bot.outbox is None:
        return report
    known = await bot.outbox.guild_events()
    now = bot.clock()
    wanted = {s.id: s for s in bot.schedule.sessions if s.kind is not Kind.BREAK and s.end > now}
    for session_id, session in wanted.items():
        spec = event_spec(bot, session)
        digest = spec.digest()
        current = known.get(session_id)
        try:
            if current is not None and current[1] == digest:
                report.unchanged += 1
                continue
            fields: dict[str, Any] = {
                "name": spec.name,
                "description": spec.description,
                "location": spec.location,
                "start_time": spec.start,
                "end_time": spec.end,
                # Always explicit: with only a location, discord.py leaves the entity type out and Discord refuses.
                "entity_type": discord.EntityType.external,
                "privacy_level": discord.PrivacyLevel.guild_only,
            }
            if current is not None:
                existing = guild.get_scheduled_event(current[0]) or await guild.fetch_scheduled_event(current[0])
                if session.start <= now:
                    # On now (it ran late, or early): its event is under way, so only its end changes; a start
                    # sent again would be refused as in the past, and no status is sent, so it stays active.
                    del fields["start_time"]
                await existing.edit(**fields)
                report.updated += 1
                await bot.outbox.set_guild_event(session_id, existing.id, digest)
            elif session.start > now:  # Discord does not take events that have started
                created = await guild.create_scheduled_event(**fields)
                report.created += 1
                await bot.outbox.set_guild_event(session_id, created.id, digest)
        except discord.NotFound:
            await bot.outbox.forget_guild_event(session_id)  # deleted by hand: made again on the next sync
            report.failed += 1
        except discord.HTTPException as exc:
            log.error("scheduled event for %s: %s", session_id, exc)
            report.failed += 1
    for session_id, (event_id, _) in known.items():
        if session_id in wanted or session_id in {s.id for s in bot.schedule.sessions}:
            continue
        try:
            existing = guild.get_scheduled_event(event_id) or await guild.fetch_scheduled_event(event_id)
            await existing.cancel()
            report.cancelled += 1
        except discord.NotFound:
            pass
        except discord.HTTPException as exc:
            log.error("cancelling the scheduled event for %s: %s", session_id, exc)
            report.failed += 1
            continue
        await bot.outbox.forget_guild_event(session_id)
    return report
