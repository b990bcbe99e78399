"""The thread that owns the Q&A database, and group commit.

sqlite-utils and sqlite3 connections may only be used on the thread that opened them, so one writer thread
opens the :class:`~bot.qa.store.QAStore` and runs every request; the event loop hands requests over through a
queue and awaits an asyncio future that the writer resolves with ``loop.call_soon_threadsafe``.

Group commit: the writer takes every request waiting in its inbox (at most ``max_batch``; during a burst it
waits up to ``group_wait`` for more), runs each inside its own SAVEPOINT so a refused or failed request is
rolled back alone, commits the batch once, and only then resolves the futures. A caller is therefore answered
only after its change is durable (with ``synchronous=FULL``, on disk), while a burst costs one fsync per batch
instead of one per request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.qa.clock import Clock
from bot.qa.errors import QAError, StoreBusy, StoreClosed, StoreError
from bot.qa.model import QAConfig
from bot.qa.store import QAStore, primary_error_code

log = logging.getLogger(__name__)

# (future, succeeded, result or exception)
_Outcome = tuple["asyncio.Future[Any]", bool, Any]


class _Job:
    __slots__ = ("args", "call", "future", "kwargs")

    def __init__(
        self,
        call: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        future: asyncio.Future[Any],
    ) -> None:
        self.call = call
        self.args = args
        self.kwargs = kwargs
        self.future = future


class _Stop:
    """The last item ever put in the inbox: finish what came before it, then close."""


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


@dataclass(frozen=True, slots=True)
class WriterStats:
    """Work done so far, for health checks and metrics: requests run, and the commits that carried them."""

    requests: int
    commits: int


class GroupCommitWriter:
    """Runs store operations on its own thread and commits them in batches."""

    def __init__(self, path: Path, config: QAConfig, clock: Clock, loop: asyncio.AbstractEventLoop) -> None:
        self.path = path
        self._config = config
        self._clock = clock
        self._loop = loop
        self._inbox: queue.SimpleQueue[_Job | _Stop] = queue.SimpleQueue()
        self._ready: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._stopped: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._accepting = False
        self._max_batch = config.max_batch
        self._group_wait_s = config.group_wait.total_seconds()
        self._thread = threading.Thread(target=self._run, name="chairbot-qa-writer", daemon=True)
        self._requests = 0
        self._commits = 0

    @property
    def stats(self) -> WriterStats:
        return WriterStats(self._requests, self._commits)

    async def start(self) -> None:
        """Open the database on the writer thread; raises :class:`StoreError` if it cannot be used."""
        self._thread.start()
        await asyncio.wrap_future(self._ready)
        self._accepting = True

    def submit(self, call: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> asyncio.Future[Any]:
        """Queue ``call(store, *args, **kwargs)``; the future resolves after the batch holding it commits."""
        if not self._accepting:
            raise StoreClosed(self.path, f"the Q&A store {self.path} is closed.")
        future = self._loop.create_future()
        self._inbox.put(_Job(call, args, kwargs, future))
        return future

    async def close(self) -> None:
        """Finish and commit everything already submitted, then close the database and end the thread."""
        if self._accepting:
            self._accepting = False
            self._inbox.put(_Stop())
        if self._thread.ident is not None:  # started: wait for it to finish, or see that it already has
            await asyncio.wrap_future(self._stopped)

    # -- the writer thread ---------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            store = QAStore.open(self.path, self._config, self._clock)
        except BaseException as exc:
            self._ready.set_exception(exc)
            self._stopped.set_result(None)
            return
        self._ready.set_result(None)
        try:
            self._serve(store)
        except BaseException:
            log.exception("the Q&A writer thread stopped unexpectedly")
            self._accepting = False
            raise
        finally:
            store.close()
            self._refuse_leftovers()
            self._stopped.set_result(None)

    def _serve(self, store: QAStore) -> None:
        in_burst = False
        while True:
            batch, stop = self._collect(linger=in_burst)
            if batch:
                self._deliver(self._execute(store, batch))
            if stop:
                return
            in_burst = len(batch) > 1

    def _collect(self, linger: bool) -> tuple[list[_Job], bool]:
        inbox = self._inbox
        first = inbox.get()
        if isinstance(first, _Stop):
            return [], True
        batch = [first]
        deadline: float | None = None
        while len(batch) < self._max_batch:
            try:
                item = inbox.get_nowait()
            except queue.Empty:
                # Alone, a request commits at once; in a burst a short wait fills the batch: fewer fsyncs.
                if not linger:
                    break
                now = time.monotonic()
                if deadline is None:
                    deadline = now + self._group_wait_s
                if now >= deadline:
                    break
                try:
                    item = inbox.get(timeout=deadline - now)
                except queue.Empty:
                    break
            if isinstance(item, _Stop):
                return batch, True
            batch.append(item)
        return batch, False

    def _begin(self, conn: sqlite3.Connection) -> None:
        # IMMEDIATE takes the write lock up front, where the busy timeout applies, instead of failing to
        # upgrade a read lock half-way through the batch.
        attempts = self._config.busy_retries + 1
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
                        f"{attempts} × {self._config.busy_timeout.total_seconds():g} s; try again.",
                    ) from exc

    def _execute(self, store: QAStore, batch: list[_Job]) -> list[_Outcome]:
        conn = store.conn
        outcomes: list[_Outcome] = []
        try:
            self._begin(conn)
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
            conn.execute("COMMIT")
            self._commits += 1
            self._requests += len(batch)
        except (sqlite3.Error, StoreError, _TransactionLost) as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    log.exception("rolling back a failed batch on %s", self.path)
            cause = exc.__cause__ if isinstance(exc, _TransactionLost) else exc
            log.error("a batch of %d Q&A requests failed on %s: %s", len(batch), self.path, cause)
            return [(job.future, False, self._batch_error(exc)) for job in batch]
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

    def _deliver(self, outcomes: list[_Outcome]) -> None:
        try:
            self._loop.call_soon_threadsafe(_settle, outcomes)
        except RuntimeError:  # the loop is already closed: nobody is waiting any more
            log.warning("the event loop closed before %d Q&A results were delivered", len(outcomes))

    def _refuse_leftovers(self) -> None:
        leftovers: list[_Outcome] = []
        while True:
            try:
                item = self._inbox.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, _Job):
                leftovers.append((item.future, False, StoreClosed(self.path, f"the Q&A store {self.path} closed.")))
        if leftovers:
            self._deliver(leftovers)
