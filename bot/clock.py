"""The injected clock: every part of chairbot asks a clock for "now" instead of reading the system time, so the
same code runs on the real clock, a frozen test clock, a fast clock and the rehearsal's stepped clock.

A clock is any callable returning an aware UTC datetime. The announcer also needs to know *when, in real time,*
an instant of the clock's time comes, to hand APScheduler a real run time: :func:`real_time_of` asks the clock
(``ShiftedClock`` knows) and otherwise takes the instant as real.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

#: Returns the current instant, timezone-aware (UTC).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(dt.UTC)


def _checked(start: dt.datetime, speed: float) -> tuple[dt.datetime, float]:
    """A fast clock's start (in UTC) and speed, refused when they cannot make a clock."""
    if start.tzinfo is None:
        raise ValueError("the clock's start must be timezone-aware")
    if not speed > 0:  # also refuses NaN
        raise ValueError("speed must be positive")
    return start.astimezone(dt.UTC), speed


class ShiftedClock:
    """Time that runs ``speed`` times as fast as real time and read ``start`` when it was created.

    ``ShiftedClock(event_morning)`` replays an event day at real speed; ``speed=600`` plays an hour in six
    seconds (tests and benchmarks of the running bot).
    """

    def __init__(self, start: dt.datetime, *, speed: float = 1.0, real: Clock = system_clock) -> None:
        self._anchor, self.speed = _checked(start, speed)
        self._real = real
        self._anchor_real = real()

    def __call__(self) -> dt.datetime:
        return self._anchor + (self._real() - self._anchor_real) * self.speed

    def real_time_of(self, instant: dt.datetime) -> dt.datetime:
        """The real instant at which this clock will read ``instant``."""
        return self._anchor_real + (instant.astimezone(dt.UTC) - self._anchor) / self.speed


def real_time_of(clock: Clock, instant: dt.datetime) -> dt.datetime:
    """When, in real time, ``clock`` reads ``instant``."""
    convert = getattr(clock, "real_time_of", None)
    return convert(instant) if callable(convert) else instant.astimezone(dt.UTC)


class SteppedClock:
    """The rehearsal's clock: it stands still while posts are made, and runs ``speed`` times as fast as real
    time only while the driver waits for the next post (:meth:`advance_to`).

    A fast clock alone is coarse: at 20,000x one millisecond of the loop is 20 simulated seconds, so a post made a
    moment after its job woke would read "started 1 minute ago" and be marked late. Standing at each post's
    instant, every post sees exactly its planned time, whatever the speed and however busy the machine.
    """

    def __init__(self, start: dt.datetime, *, speed: float = 1.0, real: Clock = system_clock) -> None:
        self._anchor, self.speed = _checked(start, speed)
        self._real = real
        self._anchor_real = real()
        #: Where the clock is running to; ``None`` while it stands at ``_anchor``.
        self._target: dt.datetime | None = None

    def __call__(self) -> dt.datetime:
        if self._target is None:
            return self._anchor
        return min(self._anchor + (self._real() - self._anchor_real) * self.speed, self._target)

    def real_time_of(self, instant: dt.datetime) -> dt.datetime:
        """The real instant at which this clock would reach ``instant`` if it ran from now on."""
        start = self._anchor_real if self._target is not None else self._real()
        return start + (instant.astimezone(dt.UTC) - self._anchor) / self.speed

    async def advance_to(self, instant: dt.datetime) -> None:
        """Run until the clock reads ``instant`` (at once if it already does or is past it), then stand there."""
        instant = instant.astimezone(dt.UTC)
        if instant <= self._anchor:
            return  # time never runs backwards: a post already due is made now
        self._anchor_real, self._target = self._real(), instant
        try:
            await asyncio.sleep((instant - self._anchor).total_seconds() / self.speed)
            self._anchor = instant
        finally:
            if self._anchor != instant:
                self._anchor = self()  # interrupted: stand where the clock got to
            self._target = None
