"""Running the outbox on time with APScheduler 3.11.

One job per planned item, with the item's id as job id (``replace_existing``), run at the real time at which
the injected clock reads the item's due time. ``misfire_grace_time`` is ``None`` on purpose: APScheduler's default
of one second silently drops a job after one slow call on the loop, and a missed announcement must be decided
on, not lost. The decision is made here, with the injected clock: an item is posted (marked late past
:data:`LATE_AFTER`) until its ``stale_at``, and skipped with a log line after it.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.announce.direct import DirectQueue
from bot.announce.outbox import Item, Outbox, Planned, Status
from bot.clock import Clock, real_time_of
from bot.ports import DirectClosed, DirectTooFast
from bot.stats import Histogram
from bot.timefmt import duration, utc_iso

log = logging.getLogger(__name__)

#: How often, in real seconds, the announcer looks for due posts that no job woke for.
SWEEP_SECONDS = 30
SWEEP_JOB = "sweep"

#: Upper bounds (seconds) of the lateness buckets of posted announcements.
LATENESS_BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 15.0, 60.0, 300.0)
#: A post this far behind its time is marked as late.
LATE_AFTER = dt.timedelta(seconds=60)

#: A job run this much before its time (by the injected clock) is put back rather than posted early.
EARLY_TOLERANCE = dt.timedelta(seconds=1)

#: Posts one item; returns the Discord message id, or ``None`` when the post failed (already logged).
Poster = Callable[[Item, bool], Awaitable[int | None]]


def _order(item: Item) -> tuple[dt.datetime, int, str]:
    """Due time first; at the same time, a session going live before one announced as coming up."""
    action = item.action or ""
    rank = 0 if action == "start" else 2 if action.startswith("before") else 1
    return (item.due_at, rank, item.id)


class Announcer:
    """Posts the outbox's items on time. With ``paced`` (kinds of items, e.g. reminders) and ``rate``, those go
    out through a :class:`~bot.announce.direct.DirectQueue` at ``rate`` per second instead, so a burst of them
    neither trips Discord's anti-spam nor holds up the announcements behind it."""

    def __init__(
        self,
        outbox: Outbox,
        post: Poster,
        *,
        clock: Clock,
        paced: frozenset[str] = frozenset(),
        rate: float = 5.0,
    ) -> None:
        self.outbox = outbox
        self._post = post
        self.clock = clock
        self.paced = paced
        self.direct = DirectQueue(self._run_paced, rate) if paced else None
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self._running: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        #: What happened most recently, for health reports: (item id, status, lateness).
        self.last: tuple[str, str, dt.timedelta] | None = None
        #: Items run since the start, by outcome (sent, late, skipped, failed), and how late the posted ones ran.
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.lateness = Histogram(LATENESS_BUCKETS)

    async def start(self) -> None:
        """Schedule every planned item; ones due while the bot was down run at once (late or skipped)."""
        for item in await self.outbox.recover():
            log.warning("announcement %s was interrupted while posting; not posting it again", item.id)
        if self.direct is not None:
            self.direct.start()
        self.scheduler.start()
        for item in await self.outbox.pending():
            self.schedule(item)
        # A sweep now and then posts anything due that no job woke for (belt and braces; normally a no-op).
        self.scheduler.add_job(
            self._fire,
            IntervalTrigger(seconds=SWEEP_SECONDS),
            args=[""],
            id="sweep",
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            max_instances=1,
        )

    async def stop(self) -> None:
        """Stop taking jobs, let the posts under way finish (a post cut off halfway would be lost: its item is
        claimed, and a restart will not post a claimed item again), then shut the scheduler down."""
        if self.scheduler.running:
            self.scheduler.pause()
        await asyncio.sleep(0)  # jobs already handed over start, and register as running
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        if self.direct is not None:
            await self.direct.stop()  # the reminders not yet sent stay planned, for the next start
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def schedule(self, item: Item) -> None:
        """Run ``item`` at its time (again, if it was scheduled before)."""
        self.scheduler.add_job(
            self._fire,
            DateTrigger(real_time_of(self.clock, item.due_at)),
            args=[item.id, item.due_at],
            id=item.id,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
            # A job re-armed from inside its own run (woken early) must not be refused as a second instance.
            max_instances=3,
        )

    def _unschedule(self, item_id: str) -> None:
        if self.scheduler.get_job(item_id) is not None:
            self.scheduler.remove_job(item_id)

    # -- changes -------------------------------------------------------------------------------------------

    async def add(self, planned: Planned) -> Item:
        item = await self.outbox.add(planned)
        self.schedule(item)
        return item

    async def replan(self, items: list[Planned], *, kind: str) -> list[Item]:
        """Make the planned items of ``kind`` exactly ``items``: jobs follow, one by one."""
        before = {i.id for i in await self.outbox.pending(kind)}
        pending = await self.outbox.plan(items, replace_kind=kind)
        now_planned = {i.id for i in pending if i.kind == kind}
        for gone in before - now_planned:
            self._unschedule(gone)
        for item in pending:
            if item.kind == kind:
                self.schedule(item)
        return [i for i in pending if i.kind == kind]

    async def cancel(self, item_id: str, by: str) -> bool:
        cancelled = await self.outbox.cancel(item_id, by)
        if cancelled:
            self._unschedule(item_id)
        return cancelled

    def busy(self) -> bool:
        """Whether an item is being posted right now, or reminders are waiting for their turn."""
        return bool(self._running) or (self.direct is not None and self.direct.busy())

    def scheduled_ids(self) -> set[str]:
        """Ids of the items waiting for their time."""
        return {j.id for j in self.scheduler.get_jobs() if j.id != SWEEP_JOB}

    # -- running one item -----------------------------------------------------------------------------------

    async def _fire(self, item_id: str, due_at: dt.datetime | None = None) -> None:
        """A job woke up: post everything due by now, one at a time and in order, so that two announcements due
        together never interleave their messages and "now live" comes before "starting in 10 minutes".

        "Due by now" reaches up to the woken item's own time when the clock reads a hair before it (a shifted
        clock's rounding), but never further: an item due a moment later waits for its own job."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            now = self.clock()
            until = max(now, due_at) if due_at is not None and due_at - now <= EARLY_TOLERANCE else now
            await self.post_due(until)
            woken = await self.outbox.get(item_id) if item_id else None
            if woken is not None and woken.status is Status.PLANNED:
                self.schedule(woken)  # woke before its time by the clock: try again at its time
        except Exception:
            log.exception("announcements due with %s failed", item_id)
        finally:
            if task is not None:
                self._running.discard(task)

    async def post_due(self, until: dt.datetime) -> None:
        """Post every planned item due by ``until``, one at a time and in order (see :func:`_order`)."""
        async with self._lock:
            for item in sorted(await self.outbox.due(until), key=_order):
                if self.direct is not None and item.kind in self.paced:
                    self.direct.put(item.id)  # sent at the queue's pace, not in this run
                    continue
                await self.run_item(item.id)

    async def _run_paced(self, item_id: str) -> None:
        """One item of the paced queue: as :meth:`run_item`; a "too fast" puts it back and is raised to the queue."""
        await self.run_item(item_id, paced=True)

    async def run_item(self, item_id: str, *, paced: bool = False) -> None:
        """Claim the item, then post it, or skip it when it is stale. ``paced``: from the direct-message queue,
        which waits and tries again when Discord says "too fast" (:class:`DirectTooFast`, raised after the item
        is put back)."""
        item = await self.outbox.claim(item_id)
        if item is None:
            return  # already posted, cancelled or skipped: never twice
        now = self.clock()
        lateness = now - item.due_at
        if lateness < -EARLY_TOLERANCE:
            # Run before its time by the clock (the real clock jumped, or a clock without real time): put it back.
            await self.outbox.unclaim(item.id)
            self.schedule(item)
            return
        if now >= item.stale_at:
            log.info(
                "skipping announcement %s: due %s, stale since %s",
                item.id,
                utc_iso(item.due_at),
                utc_iso(item.stale_at),
            )
            await self.outbox.skip(item.id, f"stale: due {item.due_at.isoformat()}, run {now.isoformat()}")
            self.last = (item.id, "skipped", lateness)
            self.outcomes["skipped"] += 1
            return
        late = lateness > LATE_AFTER
        try:
            message_id = await self._post(item, late)
        except DirectTooFast:
            await self.outbox.unclaim(item.id)
            if paced:
                raise
            log.warning("reminder %s refused as too fast; it stays planned", item.id)
            return
        except DirectClosed:
            await self.outbox.fail(item.id, "the member does not accept direct messages")
            self.last = (item.id, "failed", lateness)
            self.outcomes["failed"] += 1
            return
        if message_id is None:
            await self.outbox.fail(item.id, "Discord refused the post")
            self.last = (item.id, "failed", lateness)
            self.outcomes["failed"] += 1
            return
        await self.outbox.sent(item.id, message_id, late=late)
        log.info(
            "posted announcement %s: due %s%s",
            item.id,
            utc_iso(item.due_at),
            f", {duration(lateness)} late" if late else "",
        )
        self.last = (item.id, "late" if late else "sent", lateness)
        self.outcomes["late" if late else "sent"] += 1
        self.lateness.observe(lateness.total_seconds())
