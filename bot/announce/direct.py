"""Direct messages at a pace Discord accepts: personal reminders go out through one queue, a few per second.

A popular talk can have thousands of reminders due at the same minute. Sent as one burst they would hold up the
announcements behind them, and Discord's anti-spam takes a bot that opens many DM channels quickly for a spammer
(error 40003, "opening direct messages too fast"), which can end in quarantine. So reminders are not posted by
the announcer's in-order run: it hands their ids to a :class:`DirectQueue`, whose worker sends them one at a time
at ``rate`` per second. A 40003 halves the pace (down to :data:`SLOWEST`) and waits as Discord asks before the
next; the pace comes back step by step once an interval passes without one.

Nothing is lost across restarts: a reminder stays *planned* in the outbox until the worker claims it, right
before sending, so a restart finds every reminder not yet sent and queues it again (one sent when the bot
stopped is marked as interrupted, as any post). One that cannot be sent before its session starts is skipped as
stale. A member whose direct messages are closed (error 50007) is told so once, in the channel of the session,
and their reminders are marked failed with that reason (:class:`ClosedDirectMessages` keeps who was told).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from sqlite_utils import Database, Migrations

from bot.clock import Clock
from bot.db import SqliteFile, to_micros
from bot.ports import DirectTooFast

log = logging.getLogger(__name__)

#: The slowest pace a run of 40003s brings the queue to (messages per second).
SLOWEST = 0.2
#: After this long without a 40003 the pace rises a step (×1.5) towards the configured one.
RECOVER_AFTER_S = 30.0
#: How long to wait after a 40003 when Discord does not say.
DEFAULT_BACKOFF_S = 10.0


class Pace:
    """When the next message may go, at ``rate`` per second, slowed by refusals and recovering by itself."""

    def __init__(self, rate: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if not rate > 0:
            raise ValueError("the pace of direct messages must be positive")
        self.configured = rate
        self.rate = rate
        self._monotonic = monotonic
        self._next = 0.0
        self._last_refusal = -float("inf")
        self.slowdowns = 0

    def delay(self) -> float:
        """Seconds to wait before the next message; books its slot."""
        now = self._monotonic()
        if self.rate < self.configured and now - self._last_refusal > RECOVER_AFTER_S:
            self.rate = min(self.configured, self.rate * 1.5)
            self._last_refusal = now  # one step per quiet interval
        wait = max(0.0, self._next - now)
        self._next = max(now, self._next) + 1 / self.rate
        return wait

    def too_fast(self, retry_after: float | None) -> float:
        """Discord refused: slow down; seconds to wait before trying again."""
        now = self._monotonic()
        self.slowdowns += 1
        self.rate = max(SLOWEST, self.rate / 2)
        self._last_refusal = now
        backoff = retry_after if retry_after is not None and retry_after > 0 else DEFAULT_BACKOFF_S
        self._next = now + backoff
        return backoff


#: Runs one reminder by its outbox id; raises :class:`DirectTooFast` (the item put back) to ask for a pause.
Runner = Callable[[str], Awaitable[None]]


class DirectQueue:
    """The reminders waiting to be sent, and the worker that sends them at the pace."""

    def __init__(self, run: Runner, rate: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._run = run
        self.pace = Pace(rate, monotonic=monotonic)
        self._waiting: dict[str, None] = {}  # insertion-ordered set: first due, first sent
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._busy = False
        self.sent = 0

    def put(self, item_id: str) -> None:
        if item_id not in self._waiting:
            self._waiting[item_id] = None
            self._wake.set()

    def __len__(self) -> int:
        return len(self._waiting)

    def busy(self) -> bool:
        """Whether reminders are waiting or one is being sent."""
        return bool(self._waiting) or self._busy

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._work(), name="direct messages")

    async def stop(self) -> None:
        """Stop after the message being sent (the rest stay planned in the outbox for the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _work(self) -> None:
        while True:
            if not self._waiting:
                self._wake.clear()
                await self._wake.wait()
                continue
            await asyncio.sleep(self.pace.delay())
            item_id = next(iter(self._waiting))
            self._busy = True
            try:
                await asyncio.shield(self._run(item_id))  # a stop lets the message under way finish
            except DirectTooFast as exc:
                backoff = self.pace.too_fast(exc.retry_after)
                log.warning(
                    "Discord says direct messages go out too fast: pausing %.0f s, then %.2g a second",
                    backoff,
                    self.pace.rate,
                )
                continue  # the same reminder again, after the pause
            except Exception:
                log.exception("sending reminder %s failed", item_id)
            finally:
                self._busy = False
            self._waiting.pop(item_id, None)
            self.sent += 1


MIGRATIONS = Migrations("chairbot.direct")


@MIGRATIONS()
def _m001_closed(db: Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS dm_closed (user_id TEXT PRIMARY KEY, told_at INTEGER NOT NULL)")


class ClosedDirectMessages:
    """Members whose direct messages were found closed and who were told so (once each)."""

    def __init__(self, file: SqliteFile, clock: Clock) -> None:
        self.file = file
        self.clock = clock

    @classmethod
    async def on(cls, file: SqliteFile, clock: Clock) -> ClosedDirectMessages:
        await file.migrate(MIGRATIONS)
        return cls(file, clock)

    async def first_time(self, user_id: str) -> bool:
        """Record that ``user_id``'s messages are closed; True the first time (tell them), False after."""
        changed = await self.file.run(
            self.file.write,
            "INSERT OR IGNORE INTO dm_closed (user_id, told_at) VALUES (?, ?)",
            (user_id, to_micros(self.clock())),
        )
        return changed == 1

    async def forget(self, user_id: str) -> None:
        """They set a new reminder: their messages may be open again, so tell them again if not."""
        await self.file.run(self.file.write, "DELETE FROM dm_closed WHERE user_id = ?", (user_id,))
