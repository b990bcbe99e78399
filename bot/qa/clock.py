"""Time for the Q&A queue: the injected clock and how instants are stored.

An instant is stored as an INTEGER of microseconds since 1970-01-01T00:00:00Z (UTC). Integers sort and compare
correctly in SQL, cost less than text to write and parse on the hot path, and cannot carry a stray offset.
Exports render them as ISO-8601 text ending in ``Z``.
"""

from __future__ import annotations

import datetime as dt

from bot.clock import Clock, system_clock

__all__ = ["Clock", "from_micros", "micros_to_iso", "system_clock", "to_micros"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def to_micros(instant: dt.datetime) -> int:
    """Microseconds since the epoch for an aware instant; a naive one is a bug, so it is refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no instant; the clock must return aware datetimes")
    return (instant - _EPOCH) // _ONE_MICROSECOND


def from_micros(micros: int) -> dt.datetime:
    """The aware UTC instant for a stored value."""
    return _EPOCH + dt.timedelta(microseconds=micros)


def micros_to_iso(micros: int) -> str:
    """ISO-8601 in UTC with a ``Z`` suffix, to the second (``2026-05-04T09:12:30Z``)."""
    return from_micros(micros).strftime("%Y-%m-%dT%H:%M:%SZ")
