"""Benchmark: are scheduled announcements posted on time, once each, while the Q&A queue is busy?

On the real clock (:func:`bot.clock.system_clock`), ``--announcements`` items due over ``--seconds`` are planned
into a real :class:`~bot.announce.outbox.Outbox` in a temporary SQLite file and run by the real
:class:`~bot.announce.announcer.Announcer`. The due instants are evenly spread, with bunches of two and three
items due at the same instant (a session going live, the next one "starting in 10 minutes" and the previous
one's Q&A closing). On the same event loop and the same database file a :class:`~bot.qa.QAService` ingests
``--asks-per-s`` questions per second (a fixed-rate loop; distinct texts from many users; rate limit raised so
nothing is refused), and a probe task sleeps 10 ms over and over to measure the loop's lag.

The poster stands in for Discord: it records the real time it was called for each item and returns a fake
message id (optionally after ``--post-ms`` of simulated round trip). Lateness = time the poster was called -
the item's due time (negative for an item posted before its time). Half-way through, the announcer is restarted
as after a crash or deploy: ``stop()``, ``--restart-gap-s`` with no announcer running, a new ``Announcer`` on
the same outbox, ``start()``. ``stop()`` is called while a post is under way, the hardest moment: the first
item of the first bunch due from half-way on takes ``--restart-hold-ms`` to post, and the stop comes as it
begins. The restart window runs from that item's due time (or the stop, if earlier) until ``start()``
returns. ``--twin-seconds`` also runs a second announcer, on its own connection to the same file (a second
process), for the first seconds of the run.

Counted at the end, after ``--grace-s`` past the last due time:

- missed: planned items no post completed for (a post cancelled half-way does not count: whether Discord got
  it cannot be known);
- duplicated: items the poster was called for more than once, or whose ``sent`` row in the outbox carries a
  message id other than the one the poster returned last.

Prints one JSON line: lateness_p50_ms, lateness_p99_ms, lateness_max_ms (items due during the restart window
are left out of these and reported on stderr), missed, duplicated. Targets: p99 under 250 ms, none missed,
none duplicated. On stderr: the achieved asks/s, the loop lag, items posted early, the restart item by item,
where the outbox disagrees with the poster, and where the time goes: APScheduler's hand-over of each job, and
each outbox call, split into the wait for the outbox's thread and the SQLite work (the outbox is subclassed
here for that timing only). Everything happens in a temporary directory (``--dir`` picks where).

    python -m bench.announce_timing [--announcements 200] [--seconds 60] [--asks-per-s 200] [--no-restart]
    python -m bench.announce_timing --seconds 10 --announcements 40     # a quick run, about 15 s
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_SUBMITTED, JobExecutionEvent, JobSubmissionEvent

from bot.announce.announcer import Announcer
from bot.announce.outbox import Item, Outbox, Planned, Status
from bot.clock import system_clock
from bot.db import SqliteFile
from bot.qa import QAConfig, QAError, QAService

T = TypeVar("T")

#: Sizes of the groups of items due at the same instant, repeated: bunches of three and two among single items.
BUNCHING = (3, 1, 1, 2, 1, 1)
#: What each item of a bunch announces: now live, coming up next, Q&A closing.
ACTIONS = ("start", "before:10", "qa-close")
KIND = "session"
PROBE_S = 0.010


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def spread(values: list[float]) -> str:
    """p50/p99/max of milliseconds, for stderr."""
    if not values:
        return "n/a"
    return f"p50 {percentile(values, 0.5):.1f} / p99 {percentile(values, 0.99):.1f} / max {max(values):.1f} ms"


def ms(delta: dt.timedelta) -> float:
    return delta.total_seconds() * 1000


# -- what is planned ---------------------------------------------------------------------------------------


def make_plan(count: int, seconds: float, first_due: dt.datetime) -> list[Planned]:
    """``count`` items over ``seconds`` from ``first_due``: instants evenly spaced, some holding a bunch."""
    sizes: list[int] = []
    while sum(sizes) < count:
        sizes.append(min(BUNCHING[len(sizes) % len(BUNCHING)], count - sum(sizes)))
    planned: list[Planned] = []
    for instant, size in enumerate(sizes):
        due = first_due + dt.timedelta(seconds=seconds * instant / len(sizes))
        for slot in range(size):
            number = len(planned)
            action = ACTIONS[slot] if size > 1 else ACTIONS[instant % len(ACTIONS)]
            planned.append(
                Planned(
                    id=f"bench-{number:04d}",
                    kind=KIND,
                    due_at=due,
                    stale_at=due + dt.timedelta(minutes=30),
                    channel="announcements",
                    text=f"Announcement {number} ({action})",
                    session_id=f"session-{instant + slot}",
                    action=action,
                )
            )
    return planned


# -- instruments -------------------------------------------------------------------------------------------


class TimedOutbox(Outbox):
    """The real outbox, timing each call it hands to its thread: the wait for the thread, then the SQLite work."""

    #: Outbox methods by the function they run on the thread (``_write`` is ``sent`` while announcing).
    LABELS: ClassVar[dict[str, str]] = {
        "_claim": "claim",
        "_write": "sent",
        "_get": "get",
        "<lambda>": "due",
        "_pending": "pending",
    }

    def __init__(self, file: SqliteFile, clock: Callable[[], dt.datetime], *, owns_file: bool) -> None:
        super().__init__(file, clock, owns_file=owns_file)
        self.waits: dict[str, list[float]] = defaultdict(list)
        self.works: dict[str, list[float]] = defaultdict(list)

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        label = self.LABELS.get(getattr(call, "__name__", ""), getattr(call, "__name__", "?"))
        handed = time.perf_counter()

        def timed() -> T:
            began = time.perf_counter()
            try:
                return call(*args)
            finally:
                self.waits[label].append((began - handed) * 1000)
                self.works[label].append((time.perf_counter() - began) * 1000)

        return await super()._run(timed)


@dataclass
class Poster:
    """Stands in for Discord: records when it was called for which item and returns a fake message id.

    The post of ``stop_during`` takes ``hold_s`` and sets ``reached`` when it begins, so that the restart can
    stop the announcer while that post is under way.
    """

    delay_s: float = 0.0
    hold_s: float = 0.0
    stop_during: str | None = None
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    #: Every call begun: (when, the message id it was to return, which announcer).
    calls: dict[str, list[tuple[dt.datetime, int, str]]] = field(default_factory=lambda: defaultdict(list))
    #: Message ids actually returned to the announcer.
    completed: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    interrupted: list[str] = field(default_factory=list)
    last_id: int = 1_000_000

    def for_instance(self, name: str) -> Callable[[Item, bool], Awaitable[int | None]]:
        async def post(item: Item, late: bool) -> int | None:
            called = system_clock()
            self.last_id += 1
            message_id = self.last_id
            self.calls[item.id].append((called, message_id, name))
            hold = self.delay_s
            if item.id == self.stop_during:
                hold = max(hold, self.hold_s)
                self.reached.set()
            try:
                if hold:
                    await asyncio.sleep(hold)
            except asyncio.CancelledError:
                self.interrupted.append(item.id)  # whether Discord got it is anybody's guess
                raise
            self.completed[item.id].append(message_id)
            return message_id

        return post


@dataclass
class SchedulerWatch:
    """APScheduler's side: how late it hands each job to its executor, and jobs that ended in an exception."""

    #: (the job's run time, how late it was handed over in ms)
    wakes: list[tuple[dt.datetime, float]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def attach(self, announcer: Announcer) -> None:
        announcer.scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        announcer.scheduler.add_listener(self._error, EVENT_JOB_ERROR)

    def _submitted(self, event: JobSubmissionEvent) -> None:
        now = system_clock()
        self.wakes.extend((run_time, ms(now - run_time)) for run_time in event.scheduled_run_times)

    def _error(self, event: JobExecutionEvent) -> None:
        self.errors[type(event.exception).__name__] += 1


# -- load on the same loop and file --------------------------------------------------------------------------


@dataclass
class AskLoad:
    rate: float
    users: int
    sessions: int
    offered: int = 0
    acked: int = 0
    refused: int = 0
    failed: int = 0
    ack_ms: list[float] = field(default_factory=list)
    began: float = 0.0
    ended: float = 0.0

    async def run(self, qa: QAService, until: float) -> None:
        """Offer asks at a fixed rate (catching up when behind) until the loop's clock reads ``until``."""
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()
        self.began = loop.time()
        while True:
            slot = self.began + self.offered / self.rate
            if slot >= until:
                break
            delay = slot - loop.time()
            await asyncio.sleep(max(0.0, delay))
            task = asyncio.create_task(self._ask(qa, self.offered))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            self.offered += 1
        self.ended = loop.time()
        if tasks:
            await asyncio.gather(*tasks)

    async def _ask(self, qa: QAService, number: int) -> None:
        session = number % self.sessions
        user = number % self.users
        text = f"Question {number} for session {session}: what happens at {number * 7919 % 100_003} attendees?"
        started = time.perf_counter()
        try:
            await qa.ask(f"session-{session}", f"user-{user}", text, author_name=f"User {user}")
        except QAError:
            self.refused += 1
            return
        except Exception:
            self.failed += 1
            return
        self.ack_ms.append((time.perf_counter() - started) * 1000)
        self.acked += 1

    @property
    def per_s(self) -> float:
        return self.acked / (self.ended - self.began) if self.ended > self.began else 0.0


async def probe_lag(until: float, overshoot_ms: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        before = loop.time()
        await asyncio.sleep(PROBE_S)
        overshoot_ms.append((loop.time() - before - PROBE_S) * 1000)


# -- the run -----------------------------------------------------------------------------------------------------


@dataclass
class Restart:
    aimed_due: dt.datetime | None = None
    aimed_id: str | None = None
    mid_post: bool = True
    stop_called: dt.datetime | None = None
    stop_ms: float = 0.0
    start_ms: float = 0.0
    started: dt.datetime | None = None


@dataclass
class Run:
    planned: list[Planned]
    poster: Poster
    rows: list[Item]
    load: AskLoad
    lag_ms: list[float]
    restart: Restart
    watch: SchedulerWatch
    outbox: TimedOutbox
    qa_commits: int
    qa_requests: int
    database: str


async def sleep_until(instant: dt.datetime) -> None:
    delay = (instant - system_clock()).total_seconds()
    if delay > 0:
        await asyncio.sleep(delay)


async def run(args: argparse.Namespace, tmp: Path) -> Run:
    path = tmp / "chairbot.db"
    loop = asyncio.get_running_loop()
    config = QAConfig(rate_limit=1_000_000)  # measure the store and the loop, not the rate limit
    poster = Poster(delay_s=args.post_ms / 1000, hold_s=args.restart_hold_ms / 1000)
    watch = SchedulerWatch()
    restart = Restart()
    async with QAService(path, config=config) as qa:
        outbox = await TimedOutbox.open(path, clock=system_clock)
        assert isinstance(outbox, TimedOutbox)
        first_due = system_clock() + dt.timedelta(seconds=args.lead_s)
        planned = make_plan(args.announcements, args.seconds, first_due)
        await outbox.plan(planned)
        last_due = max(p.due_at for p in planned)
        end = last_due + dt.timedelta(seconds=args.grace_s)
        until = loop.time() + (end - system_clock()).total_seconds()

        load = AskLoad(args.asks_per_s, args.users, args.sessions)
        lag_ms: list[float] = []
        background = [asyncio.create_task(probe_lag(until, lag_ms))]
        if args.asks_per_s > 0:
            background.append(asyncio.create_task(load.run(qa, until)))

        announcer = Announcer(outbox, poster.for_instance("first"), clock=system_clock)
        watch.attach(announcer)
        await announcer.start()

        twin: Announcer | None = None
        twin_outbox: Outbox | None = None
        if args.twin_seconds > 0:  # a second process on the same file, for a while
            twin_outbox = await Outbox.open(path, clock=system_clock)
            twin = Announcer(twin_outbox, poster.for_instance("twin"), clock=system_clock)
            watch.attach(twin)
            await twin.start()

        async def stop_twin() -> None:
            await sleep_until(first_due + dt.timedelta(seconds=args.twin_seconds))
            assert twin is not None
            assert twin_outbox is not None
            await twin.stop()
            await twin_outbox.close()

        if twin is not None:
            background.append(asyncio.create_task(stop_twin()))

        if args.restart:
            # The first item of the first bunch due from half-way on: stop while its post is under way.
            half = first_due + dt.timedelta(seconds=args.seconds / 2)
            bunches = Counter(p.due_at for p in planned)
            aimed = min((d for d, n in bunches.items() if n > 1 and d >= half), default=half)
            target = next((p for p in planned if p.due_at >= aimed), planned[-1])
            restart.aimed_due, restart.aimed_id = target.due_at, target.id
            poster.stop_during = target.id
            wait_s = (target.due_at - system_clock()).total_seconds() + args.grace_s
            try:
                await asyncio.wait_for(poster.reached.wait(), timeout=max(0.0, wait_s))
            except TimeoutError:
                restart.mid_post = False
            restart.stop_called = system_clock()
            began = time.perf_counter()
            await announcer.stop()
            restart.stop_ms = (time.perf_counter() - began) * 1000
            await asyncio.sleep(args.restart_gap_s)
            announcer = Announcer(outbox, poster.for_instance("second"), clock=system_clock)
            watch.attach(announcer)
            began = time.perf_counter()
            await announcer.start()
            restart.start_ms = (time.perf_counter() - began) * 1000
            restart.started = system_clock()

        await sleep_until(end)
        await announcer.stop()
        await asyncio.gather(*background)
        rows = await outbox.items()
        await outbox.close()
        stats = qa.stats
    return Run(planned, poster, rows, load, lag_ms, restart, watch, outbox, stats.commits, stats.requests, str(tmp))


# -- the verdict ---------------------------------------------------------------------------------------------------


def report(args: argparse.Namespace, result: Run) -> tuple[dict[str, Any], list[str]]:
    """The JSON figures, and the lines for stderr."""
    lines: list[str] = []
    planned = {p.id: p for p in result.planned}
    calls = result.poster.calls
    completed = result.poster.completed
    rows = {row.id: row for row in result.rows}
    restart = result.restart
    # From the due time of the item being posted at the stop (or the stop, if earlier) until start() returned.
    window_from = (
        min(restart.aimed_due, restart.stop_called)
        if restart.aimed_due is not None and restart.stop_called is not None
        else None
    )

    def in_restart(due_at: dt.datetime) -> bool:
        return window_from is not None and restart.started is not None and window_from <= due_at <= restart.started

    first_call = {item_id: made[0][0] for item_id, made in calls.items() if made}
    lateness = {item_id: ms(at - planned[item_id].due_at) for item_id, at in first_call.items()}
    steady = [late for item_id, late in lateness.items() if not in_restart(planned[item_id].due_at)]
    during = sorted((p for p in planned.values() if in_restart(p.due_at)), key=lambda p: (p.due_at, p.id))

    missed = sorted(set(planned) - {item_id for item_id, ids in completed.items() if ids})
    twice = {item_id for item_id, made in calls.items() if len(made) > 1}
    mismatched = {
        row.id
        for row in rows.values()
        if row.status is Status.SENT and completed.get(row.id) and row.message_id != completed[row.id][-1]
    }
    duplicated = sorted(twice | mismatched)
    disagree = sorted(
        f"{item_id}: posted, outbox says {rows[item_id].status.value}"
        + (f" ({rows[item_id].detail})" if rows[item_id].detail else "")
        for item_id, ids in completed.items()
        if ids and item_id in rows and rows[item_id].status is not Status.SENT
    ) + sorted(
        f"{row.id}: outbox says sent, no post returned"
        for row in rows.values()
        if row.status is Status.SENT and not completed.get(row.id)
    )

    instants = len({p.due_at for p in planned.values()})
    biggest = max(Counter(p.due_at for p in planned.values()).values())
    poster = "instant" if not args.post_ms else f"taking {args.post_ms:g} ms"
    lines.append(
        f"{len(planned)} announcements at {instants} instants (bunches of up to {biggest}) over {args.seconds:g} s, "
        f"real clock, poster {poster}; SQLite in {result.database}"
    )
    load = result.load
    lines.append(
        f"Q&A on the same loop and file: {load.offered} asks offered at {args.asks_per_s:g}/s, {load.acked} "
        f"acknowledged ({load.per_s:.1f} asks/s achieved), {load.refused} refused, {load.failed} failed; "
        f"ack {spread(load.ack_ms)}; writer: {result.qa_requests} requests in {result.qa_commits} commits"
    )
    lines.append(f"loop lag (10 ms sleeps, {len(result.lag_ms)} samples): overshoot {spread(result.lag_ms)}")
    if steady:
        early = [late for late in steady if late < 0]
        lines.append(
            f"lateness (poster called - due) of {len(steady)} items; the {len(during)} due during the restart "
            f"window are left out of these percentiles but counted in missed/duplicated: {spread(steady)}, "
            f"min {min(steady):.1f} ms"
        )
        lines.append(
            f"  posted before their due time: {len(early)}"
            + (f", the earliest {-min(early):.1f} ms early" if early else "")
            + f"; |poster called - due| {spread([abs(late) for late in steady])}"
        )
    if restart.stop_called is not None and restart.aimed_due is not None and restart.started is not None:
        assert window_from is not None
        lead = ms(restart.stop_called - restart.aimed_due)
        when = (
            f"while the post of {restart.aimed_id} was under way ({abs(lead):.1f} ms "
            f"{'after' if lead >= 0 else 'before'} its due time)"
            if restart.mid_post
            else "with no post under way (the aimed item was not posted in time)"
        )
        lines.append(
            f"restart at +{ms(restart.stop_called - min(p.due_at for p in planned.values())) / 1000:.1f} s: stop() "
            f"called {when}, took {restart.stop_ms:.1f} ms; down {args.restart_gap_s:g} s; start() took "
            f"{restart.start_ms:.1f} ms; the window {window_from.time().isoformat(timespec='milliseconds')} .. "
            f"{restart.started.time().isoformat(timespec='milliseconds')} UTC holds {len(during)} items:"
        )
        for p in during:
            made = calls.get(p.id, [])
            posted = ", ".join(
                f"{ms(at - p.due_at):+.1f} ms by the {who} announcer"
                + ("" if message_id in completed.get(p.id, []) else " (interrupted)")
                for at, message_id, who in made
            )
            row = rows.get(p.id)
            state = "no row" if row is None else row.status.value + (f" ({row.detail})" if row.detail else "")
            lines.append(
                f"  {p.id} ({p.action}) due {ms(p.due_at - restart.aimed_due):+.0f} ms: "
                f"{posted or 'never posted'}; outbox: {state}"
            )
    statuses = Counter(row.status.value for row in rows.values())
    lines.append(
        f"missed {len(missed)}{': ' + ', '.join(missed) if missed else ''}; duplicated {len(duplicated)}"
        f"{': ' + ', '.join(duplicated) if duplicated else ''}; outbox rows: {dict(sorted(statuses.items()))}"
    )
    if disagree:
        lines.append(f"outbox disagrees with what was posted: {'; '.join(disagree)}")
    if result.poster.interrupted:
        lines.append(f"posts cancelled half-way: {', '.join(result.poster.interrupted)}")
    watch = result.watch
    wakes = [late for run_time, late in watch.wakes if not in_restart(run_time)]
    errors = ", ".join(f"{n} {name}" for name, n in watch.errors.items()) or "none"
    lines.append(
        f"where the time goes: APScheduler hands jobs to its executor late by {spread(wakes)} "
        f"(restart window left out); jobs ending in an exception: {errors}"
    )
    outbox = result.outbox
    for label in ("due", "claim", "sent", "get"):
        if outbox.works.get(label):
            lines.append(
                f"  outbox {label:5} x{len(outbox.works[label])}: waiting for its thread "
                f"{spread(outbox.waits[label])}; SQLite {spread(outbox.works[label])}"
            )

    def rounded(value: float) -> float:
        return round(value, 1)

    figures = {
        "lateness_p50_ms": rounded(percentile(steady, 0.5)) if steady else None,
        "lateness_p99_ms": rounded(percentile(steady, 0.99)) if steady else None,
        "lateness_max_ms": rounded(max(steady)) if steady else None,
        "missed": len(missed),
        "duplicated": len(duplicated),
    }
    return figures, lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--announcements", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0, help="the span over which they fall due")
    parser.add_argument("--asks-per-s", type=float, default=200.0, help="0: no Q&A load")
    parser.add_argument("--users", type=int, default=5_000)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--no-restart", dest="restart", action="store_false", help="no restart half-way")
    parser.add_argument("--restart-gap-s", type=float, default=1.0, help="time with no announcer running")
    parser.add_argument(
        "--restart-hold-ms", type=float, default=50.0, help="how long the post under way at the stop takes"
    )
    parser.add_argument(
        "--twin-seconds",
        type=float,
        default=0.0,
        help="also run a second announcer on its own connection for the first N seconds",
    )
    parser.add_argument("--post-ms", type=float, default=0.0, help="simulated Discord round trip per post")
    parser.add_argument("--lead-s", type=float, default=1.0, help="from start-up to the first due time")
    parser.add_argument("--grace-s", type=float, default=3.0, help="wait after the last due time")
    parser.add_argument("--dir", help="where to make the temporary directory (default: the system's)")
    args = parser.parse_args(argv)
    if args.announcements < 1 or args.seconds <= 0:
        parser.error("--announcements and --seconds must be positive")

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)  # job errors are counted by SchedulerWatch
    with tempfile.TemporaryDirectory(prefix="chairbot-announce-bench-", dir=args.dir) as tmp:
        result = asyncio.run(run(args, Path(tmp)))
        figures, lines = report(args, result)
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    main()
