"""Changes organizers make on the day, on top of the schedule file: shifting sessions and cancelling them.

A shift made while sessions are on moves the rest of the day, not what has begun: a live session keeps its start
and runs longer (or shorter), and every session that has not started moves.

Each change is recorded against the session *as the file had it* (its fingerprint). When the file is reloaded,
a change still applies to a session the file did not touch, and is dropped for a session the file changed: the
file's newer word wins, so a shift is never applied twice once the organizers have put the new times in the file.

Pure: plain values in, a new :class:`Schedule` out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from bot.schedule.model import Schedule, Session
from bot.timefmt import duration

#: A live session shortened by a shift still runs at least this long after the shift.
MIN_RUNNING = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Override:
    """What the organizers changed about one session: moved by ``shift_minutes`` (start and end), its end moved
    by ``extend_minutes`` more (it ran longer or shorter while it was on), and/or ``cancelled``."""

    session_id: str
    fingerprint: str
    shift_minutes: int = 0
    cancelled: bool = False
    extend_minutes: int = 0

    @property
    def is_empty(self) -> bool:
        return self.shift_minutes == 0 and self.extend_minutes == 0 and not self.cancelled


def fingerprint(session: Session) -> str:
    """A short hash of what the file says about a session's identity, time and place."""
    parts = (
        session.id,
        session.title,
        session.kind.value,
        session.start.isoformat(),
        session.end.isoformat(),
        session.room or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Applied:
    """The schedule in force (cancelled sessions left out), and what was applied or dropped."""

    schedule: Schedule
    cancelled: tuple[Session, ...]
    #: Overrides whose session the file changed or removed since; they no longer apply.
    dropped: tuple[Override, ...]


def apply(source: Schedule, overrides: Mapping[str, Override]) -> Applied:
    """The schedule ``source`` with ``overrides`` applied."""
    kept: list[Session] = []
    cancelled: list[Session] = []
    dropped: list[Override] = []
    by_id = {s.id: s for s in source.sessions}
    for session_id, override in overrides.items():
        original = by_id.get(session_id)
        if original is None or fingerprint(original) != override.fingerprint:
            dropped.append(override)
    live = {o.session_id: o for o in overrides.values() if o not in dropped}
    for session in source.sessions:
        change = live.get(session.id)
        if change is not None and (change.shift_minutes or change.extend_minutes):
            delta = dt.timedelta(minutes=change.shift_minutes)
            longer = dt.timedelta(minutes=change.extend_minutes)
            session = dataclasses.replace(session, start=session.start + delta, end=session.end + delta + longer)
        if change is not None and change.cancelled:
            cancelled.append(session)
        else:
            kept.append(session)
    kept.sort(key=lambda s: (s.start, s.room or "", s.id))
    return Applied(dataclasses.replace(source, sessions=tuple(kept)), tuple(cancelled), tuple(dropped))


@dataclass(frozen=True, slots=True)
class ShiftScope:
    """What a shift touches: ``running`` sessions keep their start and end later (or earlier); ``moving`` ones
    move whole. Everything else stays."""

    running: tuple[Session, ...]
    moving: tuple[Session, ...]


def shift_scope(current: Schedule, first: Session, now: dt.datetime | None = None) -> ShiftScope:
    """The sessions a shift from ``first`` touches, at ``now``.

    When ``first`` is live (``start <= now < end``), the day runs late from now on: every live session runs
    longer and every session that has not started moves; sessions already over stay. Otherwise ``first`` and
    every session starting at or after it move."""
    if now is not None and first.start <= now < first.end:
        running = tuple(current.live_at(now))
        moving = tuple(s for s in current.sessions if s.start > now)
    else:
        running = ()
        moving = tuple(s for s in current.sessions if s.start >= first.start)
    return ShiftScope(running, moving)


def shift_from(
    source: Schedule,
    current: Schedule,
    overrides: Mapping[str, Override],
    first: Session,
    minutes: int,
    *,
    now: dt.datetime | None = None,
) -> dict[str, Override]:
    """New overrides moving ``first`` and what comes after it by ``minutes`` (see :func:`shift_scope`): a live
    ``first`` keeps its start and ends ``minutes`` later, as does every session live at ``now``.

    Raises ``ValueError`` when a live session would end less than a minute from ``now``, or when moving earlier
    would overlap a session that stays in the same room."""
    if minutes == 0:
        raise ValueError("a shift of 0 minutes changes nothing")
    scope = shift_scope(current, first, now)
    delta = dt.timedelta(minutes=minutes)
    new_end = {s.id: s.end + delta for s in scope.running}
    for session in scope.running:
        # A live session may end early, but not before it started nor in the minute that is already under way.
        earliest = max(session.start, now or session.start) + MIN_RUNNING
        if new_end[session.id] < earliest:
            most = max(0, (session.end - earliest) // dt.timedelta(minutes=1))
            until = session.end.astimezone(current.event.timezone).strftime("%H:%M")
            can = f"can end at most {duration(dt.timedelta(minutes=most))} earlier" if most else "cannot end earlier"
            raise ValueError(
                f"{session.id!r} is on now until {until} and must run at least another minute, so it {can}; shift less"
            )
    moving_ids = {s.id for s in scope.moving}
    staying = [s for s in current.sessions if s.id not in moving_ids]
    for session in scope.moving:
        for other in staying:
            other_end = new_end.get(other.id, other.end)
            if other.room == session.room and session.start + delta < other_end and other.start < session.end + delta:
                raise ValueError(
                    f"moving {session.id!r} {duration(delta)} earlier would overlap {other.id!r}; shift less "
                    "or shift from an earlier session"
                )
    originals = {s.id: s for s in source.sessions}
    updated = dict(overrides)
    for session, shift, extend in [(s, 0, minutes) for s in scope.running] + [(s, minutes, 0) for s in scope.moving]:
        previous = overrides.get(session.id)
        updated[session.id] = Override(
            session_id=session.id,
            fingerprint=fingerprint(originals[session.id]),
            shift_minutes=(previous.shift_minutes if previous else 0) + shift,
            cancelled=previous.cancelled if previous else False,
            extend_minutes=(previous.extend_minutes if previous else 0) + extend,
        )
    return updated


def set_cancelled(
    source: Schedule, overrides: Mapping[str, Override], session_id: str, cancelled: bool
) -> dict[str, Override]:
    """Overrides with ``session_id`` cancelled (or restored). ``KeyError`` if the file has no such session."""
    original = {s.id: s for s in source.sessions}[session_id]
    previous = overrides.get(session_id)
    updated = dict(overrides)
    updated[session_id] = Override(
        session_id=session_id,
        fingerprint=fingerprint(original),
        shift_minutes=previous.shift_minutes if previous else 0,
        cancelled=cancelled,
        extend_minutes=previous.extend_minutes if previous else 0,
    )
    return updated
