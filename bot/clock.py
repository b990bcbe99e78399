"""The injected clock: every part of chairbot asks a clock for "now" instead of reading the system time, so the
same code runs on the real clock, a frozen test clock and the rehearsal's fast clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: Returns the current instant, timezone-aware (UTC).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The real time, in UTC."""
    return dt.datetime.now(dt.UTC)
