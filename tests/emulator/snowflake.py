"""Snowflake ids as Discord makes them: numeric, strictly increasing, with the creation time in the top bits.

discord.py derives ``created_at`` from an id (``discord.utils.snowflake_time``), and sorts and paginates by id, so
the emulator's ids must carry a real timestamp and never go backwards, even when many are made in one millisecond.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

#: Milliseconds since the Unix epoch at the first second of 2015, Discord's epoch.
DISCORD_EPOCH_MS = 1_420_070_400_000

_INCREMENT_BITS = 12
_INCREMENT_MASK = (1 << _INCREMENT_BITS) - 1


class SnowflakeFactory:
    """Hands out unique, increasing snowflakes for one emulator.

    ``worker`` and ``process`` fill the middle bits like Discord's own id workers; they only make ids from two
    emulators in one test distinguishable.
    """

    __slots__ = ("_last_ms", "_lock", "_prefix", "_sequence")

    def __init__(self, *, worker: int = 1, process: int = 0) -> None:
        self._prefix = ((worker & 0x1F) << 17) | ((process & 0x1F) << 12)
        self._last_ms = 0
        self._sequence = 0
        # The standalone emulator is single-threaded, but tests may create ids from a helper thread.
        self._lock = threading.Lock()

    def next(self) -> int:
        """Return a new snowflake whose timestamp is now (or just after the previous id, if the clock stalls)."""
        with self._lock:
            now_ms = time.time_ns() // 1_000_000 - DISCORD_EPOCH_MS
            if now_ms > self._last_ms:
                self._last_ms, self._sequence = now_ms, 0
            else:
                # Same millisecond (or the wall clock stepped back): keep counting, borrowing the next millisecond
                # when the 12-bit counter is used up, so ids stay strictly increasing.
                self._sequence += 1
                if self._sequence > _INCREMENT_MASK:
                    self._last_ms, self._sequence = self._last_ms + 1, 0
            return (self._last_ms << 22) | self._prefix | self._sequence


def snowflake_time(snowflake: int) -> dt.datetime:
    """The aware UTC creation time encoded in ``snowflake`` (same result as ``discord.utils.snowflake_time``)."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def iso_now() -> str:
    """The current time as Discord writes timestamps: ISO 8601 with microseconds and a ``+00:00`` offset."""
    return dt.datetime.now(dt.UTC).isoformat()
