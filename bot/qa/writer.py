"""Group commit: requests run on the event loop, and only the commit, which waits for the disk, on a thread.

Every Q&A request is a short indexed query or two (tens of microseconds), so the event loop runs them itself,
one batch at a time, in one transaction with a SAVEPOINT per request (a refused or failed request is rolled
back alone). The batch's COMMIT, which with ``synchronous=FULL`` waits for the disk, runs on a helper thread,
and only when it returns are the batch's futures resolved: a caller is answered only after its change is
durable, and a burst costs one fsync per batch instead of one per request. Requests that arrive during a commit
wait for it and form the next batch; during a burst the writer also waits up to ``group_wait`` for more.

Why not a thread for the statements as well: the statements would hold and release Python's global lock
several times each, and every hand-over costs the event loop, which is busy with Discord at those very moments
(bench/README.md has the context switches measured both ways).

A read that may take long (an export of every question of the day) is the exception:
it runs alone on the helper thread, outside any transaction, in its turn.

The connection is therefore shared by the loop and the helper thread, but never at the same time: the loop
does not touch it while the thread commits, begins or opens. A write lock held by another connection (the
command line, a second process) is not waited for on the loop: ``BEGIN IMMEDIATE`` tries once there, and if the
database is busy, the waiting (the busy timeout, ``busy_retries`` times) happens on the thread.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import functools
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.qa.clock import Clock
from bot.qa.errors import QAError, StoreBusy, StoreClosed, StoreError
from bot.qa.model import QAConfig
from bot.qa.store import QAStore, primary_error_code
from bot.stats import Histogram, HistogramSnapshot

log = logging.getLogger(__name__)
T = TypeVar("T")

# (future, succeeded, result or exception)
_Outcome = tuple["asyncio.Future[Any]", bool, Any]


class _Job:
    __slots__ = ("args", "call", "future", "kwargs", "long_read")

    def __init__(
        self,
        call: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        future: asyncio.Future[Any],
        long_read: bool,
    ) -> None:
        self.call = call
        self.args = args
        self.kwargs = kwargs
        self.future = future
        self.long_read = long_read


class _TransactionLost(Exception):
    """A statement error ended the whole transaction, taking the batch's savepoints with it."""


def _settle(outcomes: list[_Outcome]) -> None:
    for future, succeeded, value in outcomes:
        if future.done():  # the caller gave up waiting (cancelled); the change itself stands
            continue
        if succeeded:
            future.set_result(value)
        else:
            future.set_exception(value)


#: Upper bounds (seconds) of the commit-time buckets: group commit with fsync takes milliseconds.
COMMIT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Work done so far, for health checks and metrics: requests run, and the commits that carried them; how
    long the commits took; requests that succeeded by operation (``ask``, ``vote``, ``moderate``, ...)."""

    requests: int
    commits: int
    commit_seconds: HistogramSnapshot | None = None
    operations: Mapping[str, int] = field(default_factory=dict)


#: Told the topics (see :mod:`bot.live`) a batch changed, on the event loop, once the batch has committed.
CommitListener = Callable[[frozenset[str]], None]


class GroupCommitWriter:
    """Runs store operations in batches on the event loop and commits each batch once, off the loop."""

    def __init__(self, path: Path, config: QAConfig, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        self.path = path
        self._config = config
        self._clock = clock
        self._loop = loop
        self._pending: list[_Job] = []
        self._wake = asyncio.Event()
        self._store: QAStore | None = None
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="chairbot-qa-commit")
        self._serving: asyncio.Task[None] | None = None
        self._accepting = False
        self._max_batch = config.max_batch
        self._group_wait_s = config.group_wait.total_seconds()
        self._requests = 0
        self._commits = 0
        self._commit_seconds = Histogram(COMMIT_BUCKETS)
        self._operations: collections.Counter[str] = collections.Counter()
        self.listeners: list[CommitListener] = []

    @property
    def stats(self) -> WriterStats:
        snapshot = self._commit_seconds.snapshot()
        return WriterStats(self._requests, self._commits, snapshot, dict(self._operations))

    def _committed(self, seconds: float, store: QAStore) -> None:
        self._commits += 1
        self._commit_seconds.observe(seconds)
        touched = store.take_touched()
        if touched:
            topics = frozenset(touched)
            for listener in self.listeners:
                try:
                    listener(topics)
                except Exception:
                    log.exception("a listener of Q&A changes failed")

    async def start(self) -> None:
        """Open (create, migrate) the database off the loop; raises :class:`StoreError` if it cannot be used."""
        try:
            self._store = await self._off_loop(self._open)
        except BaseException:
            self._thread.shutdown(wait=False)
            raise
        self._serving = self._loop.create_task(self._serve(self._store), name="chairbot-qa-writer")
        self._accepting = True

    def submit(
        self, call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, long_read: bool = False
    ) -> asyncio.Future[Any]:
        """Queue ``call(store, *args, **kwargs)``; the future resolves after the batch holding it commits.

        ``long_read``: a read that may take a while (every question of the day, for an export). It runs alone
        on the helper thread, outside any transaction, after everything submitted before it has committed.
        """
        if not self._accepting:
            raise StoreClosed(self.path, f"the Q&A store {self.path} is closed.")
        future = self._loop.create_future()
        self._pending.append(_Job(call, args, kwargs, future, long_read))
        self._wake.set()
        return future

    async def close(self) -> None:
        """Finish and commit everything already submitted, then close the database."""
        self._accepting = False
        serving, self._serving = self._serving, None
        if serving is None:
            return
        self._wake.set()
        try:
            await asyncio.shield(serving)
        except Exception:
            pass  # logged where it happened; the database is closed all the same
        finally:
            if self._store is not None:
                store, self._store = self._store, None
                await self._off_loop(store.close)
            self._thread.shutdown(wait=False)

    # -- serving ------------------------------------------------------------------------------------

    async def _off_loop(self, call: Callable[..., T], *args: Any) -> T:
        return await self._loop.run_in_executor(self._thread, call, *args)

    def _open(self) -> QAStore:
        store = QAStore.open(self.path, self._config, self._clock)
        # The loop never waits for a lock: see _begin_at_once and _begin_waiting.
        store.conn.execute("PRAGMA busy_timeout = 0")
        return store

    async def _serve(self, store: QAStore) -> None:
        in_burst = False
        batch: list[_Job] = []
        try:
            while True:
                if not self._pending:
                    if not self._accepting:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if in_burst and self._group_wait_s > 0 and len(self._pending) < self._max_batch:
                    # A burst is under way: a short wait fills the batch, and fewer batches mean fewer fsyncs.
                    await asyncio.sleep(self._group_wait_s)
                batch = self._next_batch()
                if batch[0].long_read:
                    outcomes = [await self._read_off_loop(store, batch[0])]
                else:
                    outcomes = await self._run_batch(store, batch)
                _settle(outcomes)
                in_burst = len(batch) > 1
                batch = []
        except BaseException as exc:
            # Cancelled with the loop, or a bug: refuse what is left rather than leave callers waiting forever.
            self._accepting = False
            self._pending[:0] = batch
            self._refuse_leftovers()
            if not isinstance(exc, asyncio.CancelledError):
                log.exception("the Q&A writer stopped unexpectedly")
            raise

    def _next_batch(self) -> list[_Job]:
        """Up to ``max_batch`` requests in the order they came, stopping before a long read (taken alone)."""
        pending = self._pending
        if pending[0].long_read:
            return [pending.pop(0)]
        size = min(len(pending), self._max_batch)
        for index in range(1, size):
            if pending[index].long_read:
                size = index
                break
        batch = pending[:size]
        del pending[:size]
        return batch

    async def _read_off_loop(self, store: QAStore, job: _Job) -> _Outcome:
        try:
            value = await self._off_loop(functools.partial(job.call, store, *job.args, **job.kwargs))
        except Exception as exc:
            return (job.future, False, self._as_reported(exc))
        self._requests += 1
        return (job.future, True, value)

    async def _run_batch(self, store: QAStore, batch: list[_Job]) -> list[_Outcome]:
        conn = store.conn
        try:
            if not self._begin_at_once(conn):
                await self._off_loop(self._begin_waiting, conn)
            outcomes = self._execute(store, batch)
            started = time.perf_counter()
            await self._off_loop(conn.execute, "COMMIT")
            self._committed(time.perf_counter() - started, store)
            self._requests += len(batch)
            for job, (_, succeeded, _) in zip(batch, outcomes, strict=True):
                if succeeded:
                    self._operations[job.call.__name__] += 1
        except (sqlite3.Error, StoreError, _TransactionLost) as exc:
            if conn.in_transaction:
                try:
                    await self._off_loop(conn.execute, "ROLLBACK")
                except sqlite3.Error:
                    log.exception("rolling back a failed batch on %s", self.path)
            store.take_touched()
            cause = exc.__cause__ if isinstance(exc, _TransactionLost) else exc
            log.error("a batch of %d Q&A requests failed on %s: %s", len(batch), self.path, cause)
            return [(job.future, False, self._batch_error(exc)) for job in batch]
        return outcomes

    def _begin_at_once(self, conn: sqlite3.Connection) -> bool:
        """``BEGIN IMMEDIATE`` without waiting; False when another connection holds the write lock."""
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if primary_error_code(exc) != sqlite3.SQLITE_BUSY:
                raise
            return False
        return True

    def _begin_waiting(self, conn: sqlite3.Connection) -> None:
        # On the helper thread. IMMEDIATE takes the write lock up front, where the busy timeout applies, instead
        # of failing to upgrade a read lock half-way through the batch.
        timeout = self._config.busy_timeout
        attempts = self._config.busy_retries + 1
        conn.execute(f"PRAGMA busy_timeout = {int(timeout.total_seconds() * 1000)}")
        try:
            for attempt in range(1, attempts + 1):
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as exc:
                    if primary_error_code(exc) != sqlite3.SQLITE_BUSY:
                        raise
                    log.warning("%s is locked by another connection (attempt %d of %d)", self.path, attempt, attempts)
                    if attempt == attempts:
                        raise StoreBusy(
                            self.path,
                            f"{self.path} stayed locked by another connection for "
                            f"{attempts} × {timeout.total_seconds():g} s; try again.",
                        ) from exc
        finally:
            conn.execute("PRAGMA busy_timeout = 0")

    def _execute(self, store: QAStore, batch: list[_Job]) -> list[_Outcome]:
        conn = store.conn
        outcomes: list[_Outcome] = []
        for job in batch:
            conn.execute("SAVEPOINT request")
            try:
                value = job.call(store, *job.args, **job.kwargs)
            except Exception as exc:
                if not conn.in_transaction:
                    raise _TransactionLost() from exc
                conn.execute("ROLLBACK TO request")
                conn.execute("RELEASE request")
                outcomes.append((job.future, False, self._as_reported(exc)))
            else:
                conn.execute("RELEASE request")
                outcomes.append((job.future, True, value))
        return outcomes

    def _as_reported(self, exc: Exception) -> Exception:
        if isinstance(exc, sqlite3.Error):
            log.error("a Q&A request failed on %s: %s", self.path, exc)
            return StoreError(self.path, f"the Q&A database {self.path} failed: {exc}")
        if not isinstance(exc, QAError):
            log.error("a Q&A request raised %s", type(exc).__name__, exc_info=exc)
        return exc

    def _batch_error(self, exc: BaseException) -> StoreError:
        # One exception object per future: an instance raised in several tasks would collect their tracebacks.
        if isinstance(exc, StoreError):
            return type(exc)(exc.path, str(exc))
        cause = exc.__cause__ if isinstance(exc, _TransactionLost) else exc
        return StoreError(self.path, f"the Q&A database {self.path} could not commit: {cause}")

    def _refuse_leftovers(self) -> None:
        leftovers, self._pending = self._pending, []
        _settle(
            [(job.future, False, StoreClosed(self.path, f"the Q&A store {self.path} closed.")) for job in leftovers]
        )
