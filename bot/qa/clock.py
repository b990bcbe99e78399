"""Time for the Q&A queue: the injected clock, and how instants are stored (see :mod:`bot.db`)."""

from __future__ import annotations

from bot.clock import Clock, system_clock
from bot.db import from_micros, micros_to_iso, to_micros

__all__ = ["Clock", "from_micros", "micros_to_iso", "system_clock", "to_micros"]
