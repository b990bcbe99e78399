"""The clock tests move by hand: it reads what the test sets, so each thing happens at the instant the test
chooses, and later instants come only when the test gets there."""

from __future__ import annotations

import datetime as dt


class HandClock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta

    def real_time_of(self, instant: dt.datetime) -> dt.datetime:
        # For the announcer's scheduler: past instants are due at once; future ones as far away in real time as
        # they are now.
        return dt.datetime.now(dt.UTC) + (instant - self.now)
