"""The bot's state at a glance, for organizers (``/status``): what is next, what was
last posted and how late, what the outbox holds, and how the Q&A store is doing. :meth:`bot.chair.Chair.health`
builds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from bot.timefmt import utc_iso


@dataclass(frozen=True, slots=True)
class GatewayStats:
    """What the transport knows of itself: Discord's heartbeat latency (None before the first one) and the flow
    control of interactions (read and not yet answered; times reading paused for room; dropped as too old)."""

    latency_ms: float | None = None
    in_flight: int = 0
    pauses: int = 0
    dropped: int = 0
    received: int = 0


@dataclass(frozen=True, slots=True)
class Health:
    now: dt.datetime
    next_announcement: str | None
    next_at: dt.datetime | None
    last_posted: str | None
    last_outcome: str | None
    last_lateness_s: float | None
    outbox: dict[str, int]
    questions: dict[str, int]
    cancelled_sessions: list[str]
    latency_ms: float | None
    #: Interactions read and not yet answered; times reading paused for room; those dropped as too old.
    interactions_in_flight: int
    gateway_pauses: int
    interactions_dropped: int
    #: None when the database could be written to just now; else why not.
    database_error: str | None = None
    #: Since when the schedule's URL has not answered (None: it answers, or the schedule is a file).
    source_failing_since: dt.datetime | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("now", "next_at", "source_failing_since"):
            value = data[key]
            data[key] = utc_iso(value) if value is not None else None
        return data


#: How long the schedule's URL may fail to answer (three checks) before the schedule counts as stale.
SOURCE_STALE = dt.timedelta(minutes=15)
#: The next planned announcement may be this late before the outbox counts as lagging.
OUTBOX_LAG = dt.timedelta(seconds=60)


def degraded_reasons(health: Health, gateway: GatewayStats | None, schedule_problems: str | None) -> list[str]:
    """Why the bot is degraded (empty: it is fine)."""
    reasons = []
    if health.next_at is not None and health.now - health.next_at > OUTBOX_LAG:
        late = int((health.now - health.next_at).total_seconds())
        reasons.append(f"outbox lag: {health.next_announcement} is {late} s overdue")
    if health.database_error is not None:
        reasons.append(f"database not writable: {health.database_error}")
    if gateway is not None and gateway.latency_ms is None:
        reasons.append("gateway not connected")
    if health.source_failing_since is not None and health.now - health.source_failing_since > SOURCE_STALE:
        since = utc_iso(health.source_failing_since)
        reasons.append(f"schedule source: unreachable since {since}; its last good copy is in force")
    if schedule_problems:
        reasons.append("schedule source: the newest version was refused")
    return reasons
