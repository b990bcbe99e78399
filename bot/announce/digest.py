"""One post for a time slot: when several sessions start together at a multi-room event, the announcement channel
gets a digest ("10:35 — 6 talks: … in #rolin, …") while each room's channel gets its session's full
announcement, so the main channel does not take six posts in one second.

A digest is planned for each instant at which two or more sessions (poster sessions aside: their lists go out on
their own) have the same announcement ("starting in 10 minutes", "now live") and at least one of them is announced
in a room channel of its own. Its id names the instant and the announcement (``digest:start@2025-02-01T09:35:00Z``),
and the sessions it lists are found again in the schedule in force when it is posted, so a shift or a cancellation
in between is reflected.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.announce.outbox import Planned
from bot.messages import Post, escape_text, split_message
from bot.render import counted, kind_label
from bot.schedule.model import Kind, Schedule, Session
from bot.schedule.plan import Announcement, plan
from bot.timefmt import discord_timestamp, utc_iso

DIGEST = "digest"
#: A post stays worth making this long after its instant (as a "now live" post stays until the sessions end).
DIGEST_STALE_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Slot:
    """Sessions announced together: at ``at``, ``minutes_before`` their start (0: they start now)."""

    at: dt.datetime
    minutes_before: int
    sessions: tuple[Session, ...]


def action_of(minutes_before: int) -> str:
    return "start" if minutes_before == 0 else f"before:{minutes_before}"


def digest_id(at: dt.datetime, minutes_before: int) -> str:
    return f"{DIGEST}:{action_of(minutes_before)}@{utc_iso(at)}"


def slots(
    schedule: Schedule,
    routed: Callable[[Session], bool],
    announcements: Sequence[Announcement] | None = None,
    cancelled: frozenset[str] = frozenset(),
) -> list[Slot]:
    """The time slots that call for a digest, in time order."""
    grouped: dict[tuple[dt.datetime, int], list[Session]] = defaultdict(list)
    for announcement in plan(schedule) if announcements is None else announcements:
        session = announcement.session
        if session.kind is Kind.POSTER or session.id in cancelled:
            continue
        grouped[(announcement.at, announcement.minutes_before)].append(session)
    found = [
        Slot(at, minutes, tuple(sorted(sessions, key=lambda s: (s.room or "", s.title))))
        for (at, minutes), sessions in grouped.items()
        if len(sessions) >= 2 and any(routed(s) for s in sessions)
    ]
    return sorted(found, key=lambda slot: (slot.at, -slot.minutes_before))


def planned_digests(slots_found: Sequence[Slot]) -> list[Planned]:
    return [
        Planned(
            id=digest_id(slot.at, slot.minutes_before),
            kind=DIGEST,
            due_at=slot.at,
            stale_at=slot.at + DIGEST_STALE_AFTER,
            action=action_of(slot.minutes_before),
        )
        for slot in slots_found
    ]


def slot_at(schedule: Schedule, routed: Callable[[Session], bool], at: dt.datetime, action: str) -> Slot | None:
    """The slot a planned digest stands for, as the schedule in force has it now (None: no longer a slot)."""
    minutes = 0 if action == "start" else int(action.partition(":")[2] or 0)
    return next((s for s in slots(schedule, routed) if s.at == at and s.minutes_before == minutes), None)


def _kinds(sessions: Sequence[Session]) -> str:
    """``6 talks``; ``3 sessions`` when they are of different kinds."""
    kinds = {s.kind for s in sessions}
    label = kind_label(next(iter(kinds))).lower() if len(kinds) == 1 else "session"
    return counted(len(sessions), label, f"{label}s")


def digest_posts(slot: Slot, where: Callable[[Session], str]) -> list[Post]:
    """The digest of ``slot``; ``where(session)`` names the channel each session is announced in."""
    start = slot.sessions[0].start
    when = discord_timestamp(start, "t")
    if slot.minutes_before:
        head = f"⏰ **{when} — {_kinds(slot.sessions)} starting {discord_timestamp(start, 'R')}:**"
    else:
        head = f"🔴 **{when} — {_kinds(slot.sessions)} now live:**"
    lines = [head]
    for session in slot.sessions:
        room = f" ({escape_text(session.room, one_line=True)})" if session.room else ""
        lines.append(f"• **{escape_text(session.title, one_line=True)}**{room} in {where(session)}")
    return [Post(content=part) for part in split_message("\n".join(lines))]
