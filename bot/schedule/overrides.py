"""Changes organizers make on the day, on top of the schedule file: shifting sessions and cancelling them.

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


@dataclass(frozen=True, slots=True)
class Override:
    """What the organizers changed about one session: moved by ``shift_minutes``, and/or ``cancelled``."""

    session_id: str
    fingerprint: str
    shift_minutes: int = 0
    cancelled: bool = False

    @property
    def is_empty(self) -> bool:
        return self.shift_minutes == 0 and not self.cancelled


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
        if change is not None and change.shift_minutes:
            delta = dt.timedelta(minutes=change.shift_minutes)
            session = dataclasses.replace(session, start=session.start + delta, end=session.end + delta)
        if change is not None and change.cancelled:
            cancelled.append(session)
        else:
            kept.append(session)
    kept.sort(key=lambda s: (s.start, s.room or "", s.id))
    return Applied(dataclasses.replace(source, sessions=tuple(kept)), tuple(cancelled), tuple(dropped))


def shift_from(
    source: Schedule, current: Schedule, overrides: Mapping[str, Override], first: Session, minutes: int
) -> dict[str, Override]:
    """New overrides moving ``first`` and every session starting at or after it (as now scheduled) by
    ``minutes``. Raises ``ValueError`` when moving earlier would overlap a session that stays in the same room."""
    if minutes == 0:
        raise ValueError("a shift of 0 minutes changes nothing")
    moving = [s for s in current.sessions if s.start >= first.start]
    staying = [s for s in current.sessions if s.start < first.start]
    delta = dt.timedelta(minutes=minutes)
    for session in moving:
        for other in staying:
            if other.room == session.room and session.start + delta < other.end and other.start < session.end + delta:
                raise ValueError(
                    f"moving {session.id!r} {abs(minutes)} minutes earlier would overlap {other.id!r}; shift less "
                    "or shift from an earlier session"
                )
    originals = {s.id: s for s in source.sessions}
    updated = dict(overrides)
    for session in moving:
        previous = overrides.get(session.id)
        updated[session.id] = Override(
            session_id=session.id,
            fingerprint=fingerprint(originals[session.id]),
            shift_minutes=(previous.shift_minutes if previous else 0) + minutes,
            cancelled=previous.cancelled if previous else False,
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
    )
    return updated
