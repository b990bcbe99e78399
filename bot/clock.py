"""The injected clock: every part of chairbot asks a clock for "now" instead of reading the system time, so the
same code runs on the real clock, a frozen test clock and the rehearsal's fast clock.

A clock is any callable returning an aware UTC datetime. The announcer also needs to know *when, in real time,*
an instant of the clock's time comes, to hand APScheduler a real run time: :func:`real_time_of` asks the clock
(``ShiftedClock`` knows) and otherwise takes the instant as real.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: Returns the current instant, timezone-aware (UTC).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(dt.UTC)


class ShiftedClock:
    """Time that runs ``speed`` times as fast as real time and read ``start`` when it was created.

    ``ShiftedClock(event_morning)`` replays an event day at real speed (tests); ``speed=60`` plays an hour a
    minute (the rehearsal).
    """

    def __init__(self, start: dt.datetime, *, speed: float = 1.0, real: Clock = system_clock) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real = real
        self._anchor_real = real()
        self._anchor = start.astimezone(dt.UTC)
        self._start = self._anchor

    def __call__(self) -> dt.datetime:
        return self._anchor + (self._real() - self._anchor_real) * self.speed

    def restart(self) -> None:
        """Read ``start`` again from now on (after a slow set-up that should not count as time passing)."""
        self._anchor_real = self._real()
        self._anchor = self._start

    def real_time_of(self, instant: dt.datetime) -> dt.datetime:
        """The real instant at which this clock will read ``instant``."""
        return self._anchor_real + (instant.astimezone(dt.UTC) - self._anchor) / self.speed


def real_time_of(clock: Clock, instant: dt.datetime) -> dt.datetime:
    """When, in real time, ``clock`` reads ``instant``."""
    convert = getattr(clock, "real_time_of", None)
    return convert(instant) if callable(convert) else instant.astimezone(dt.UTC)
