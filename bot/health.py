"""The bot's state at a glance, for organizers (``/status``) and the web dashboard to come: what is next, what was
last posted and how late, what the outbox holds, and how the Q&A store is doing."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from bot.timefmt import utc_iso

if TYPE_CHECKING:
    from bot.chair import ChairBot


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

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("now", "next_at"):
            value = data[key]
            data[key] = utc_iso(value) if value is not None else None
        return data


async def health_report(bot: ChairBot) -> Health:
    outbox_counts: dict[str, int] = {}
    next_id: str | None = None
    next_at: dt.datetime | None = None
    last = None
    if bot.announcer is not None:
        outbox_counts = {status.value: n for status, n in (await bot.announcer.outbox.counts()).items()}
        pending = await bot.announcer.outbox.pending()
        if pending:
            next_id, next_at = pending[0].id, pending[0].due_at
        last = bot.announcer.last
    questions = {status.value: n for status, n in (await bot.qa.counts()).items()}
    latency = bot.latency * 1000 if bot.is_ready() and bot.latency == bot.latency else None  # NaN before a heartbeat
    return Health(
        now=bot.clock(),
        next_announcement=next_id,
        next_at=next_at,
        last_posted=last[0] if last else None,
        last_outcome=last[1] if last else None,
        last_lateness_s=last[2].total_seconds() if last else None,
        outbox=outbox_counts,
        questions=questions,
        cancelled_sessions=sorted(bot.cancelled),
        latency_ms=latency,
        interactions_in_flight=bot.gate.in_flight(),
        gateway_pauses=bot.gate.pauses,
        interactions_dropped=bot.gate.dropped.total,
    )
