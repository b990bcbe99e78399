"""Live pages: Server-Sent Events fed by the core's change feed, one snapshot per change for every page at once.

A *view* is one kind of live state (a session's public Q&A for the stage and ask pages; the moderators' queue;
the schedule), built by an async function of one argument (a session id, or ``""``) into a JSON-able dict, and
told by :attr:`View.topics` which topics of :mod:`bot.live` change it. A *stream* is a view with its argument:
all the pages showing the same stream share one snapshot, built once per change and sent to each as the same
bytes. A page that cannot keep up is sent the newest snapshot when it can, never a backlog, so a slow phone
costs memory for one snapshot at most.

Changes are merged: while snapshots are built and sent, new changes collect, and a stream is rebuilt at most
once per :attr:`LiveHub.interval`. Each snapshot carries ``changed_at`` (Unix seconds, the oldest change it
answers), so a page can tell how long the update took to reach it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from bot.live import ChangeFeed, Changes

log = logging.getLogger(__name__)

#: How often, at most, one stream is rebuilt while changes keep coming.
DEFAULT_INTERVAL_S = 0.1
#: A page that has not taken a frame for this long is dropped (it reconnects when it can).
SEND_TIMEOUT_S = 30.0
#: A comment line this often keeps proxies from closing a quiet stream, and notices a page that went away.
PING_S = 20.0
#: How often a stream that is for some people only asks whether its reader still is one of them.
RECHECK_S = 60.0
#: The browser reconnects after this long when the connection drops (EventSource's ``retry``).
RETRY_MS = 2000


@dataclass(frozen=True, slots=True)
class View:
    name: str
    #: The topics whose change makes a stream of this view (with its argument) stale.
    topics: Callable[[str], frozenset[str]]
    build: Callable[[str], Awaitable[dict[str, Any]]]


def _frame(event: str, data: str) -> bytes:
    """One SSE event; ``data`` is JSON, which has no raw line breaks."""
    return f"event: {event}\nretry: {RETRY_MS}\ndata: {data}\n\n".encode()


class _Listener:
    __slots__ = ("frame", "ready")

    def __init__(self) -> None:
        self.frame: bytes | None = None
        self.ready = asyncio.Event()

    def give(self, frame: bytes) -> None:
        self.frame = frame
        self.ready.set()


@dataclass(eq=False)
class _Stream:
    view: View
    arg: str
    topics: frozenset[str]
    listeners: set[_Listener] = field(default_factory=set)
    frame: bytes | None = None
    stale_since: float | None = None
    built_at: float = 0.0


class LiveHub:
    """The live streams of one web app over one change feed. :meth:`start` and :meth:`stop` with the app."""

    def __init__(self, feed: ChangeFeed, *, interval: float = DEFAULT_INTERVAL_S) -> None:
        self.feed = feed
        self.interval = interval
        self.views: dict[str, View] = {}
        self._streams: dict[tuple[str, str], _Stream] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        #: Snapshots built and frames handed to pages, for metrics.
        self.snapshots = 0
        self.deliveries = 0

    def add_view(self, view: View) -> None:
        self.views[view.name] = view

    @property
    def connected(self) -> int:
        """Live pages connected now."""
        return sum(len(stream.listeners) for stream in self._streams.values())

    def connected_by_view(self) -> dict[str, int]:
        counts = dict.fromkeys(self.views, 0)
        for (name, _arg), stream in self._streams.items():
            counts[name] += len(stream.listeners)
        return counts

    # -- life cycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name="live pages")

    async def stop(self) -> None:
        """End every stream (their pages reconnect to whatever serves next) and stop following the feed."""
        self._stopping.set()
        for stream in self._streams.values():
            for listener in stream.listeners:
                listener.ready.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        with self.feed.subscribe() as changes:
            while True:
                batch = await changes.next()
                started = time.monotonic()
                try:
                    await self._refresh(batch)
                except Exception:
                    log.exception("updating the live pages failed")
                # At most one rebuild per interval: changes meanwhile collect in the subscription.
                rest = self.interval - (time.monotonic() - started)
                if rest > 0:
                    await asyncio.sleep(rest)

    async def _refresh(self, batch: Changes) -> None:
        for stream in list(self._streams.values()):
            if not stream.listeners or not (stream.topics & batch.topics):
                if stream.topics & batch.topics:
                    stream.frame = None  # nobody watching: build afresh when someone comes
                continue
            since = batch.since if stream.stale_since is None else min(batch.since, stream.stale_since)
            stream.stale_since = since
            await self._build(stream, since)
            stream.stale_since = None
            assert stream.frame is not None
            for listener in stream.listeners:
                listener.give(stream.frame)
            self.deliveries += len(stream.listeners)

    async def _build(self, stream: _Stream, since: float | None) -> None:
        state = await stream.view.build(stream.arg)
        state["changed_at"] = since
        stream.frame = _frame(stream.view.name, json.dumps(state, separators=(",", ":"), ensure_ascii=False))
        stream.built_at = time.monotonic()
        self.snapshots += 1

    # -- pages ------------------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _listen(self, name: str, arg: str) -> AsyncIterator[_Listener]:
        view = self.views[name]
        stream = self._streams.get((name, arg))
        if stream is None:
            stream = _Stream(view, arg, view.topics(arg))
            self._streams[(name, arg)] = stream
        listener = _Listener()
        if stream.frame is None:
            await self._build(stream, None)
        assert stream.frame is not None
        listener.give(stream.frame)
        stream.listeners.add(listener)
        try:
            yield listener
        finally:
            stream.listeners.discard(listener)
            if not stream.listeners:
                self._streams.pop((name, arg), None)

    async def snapshot(self, name: str, arg: str) -> dict[str, Any]:
        """What a page of this view shows now (for rendering it before its stream starts)."""
        return await self.views[name].build(arg)

    async def serve(
        self,
        request: web.Request,
        name: str,
        arg: str,
        *,
        still_allowed: Callable[[], Awaitable[bool]] | None = None,
        recheck_every: float | None = None,
    ) -> web.StreamResponse:
        """Stream ``name(arg)`` to the page that made ``request`` until it goes away or the app stops; with
        ``still_allowed``, also once that says no, asked every ``recheck_every`` seconds (a moderator's role)."""
        every = RECHECK_S if recheck_every is None else recheck_every
        if self._stopping.is_set():
            raise web.HTTPServiceUnavailable(text="The server is stopping.")
        # Line feeds, as the frames built here use, also for the keep-alive pings.
        response = EventSourceResponse(ping_interval=PING_S, sep="\n")
        response.headers["X-Accel-Buffering"] = "no"
        await response.prepare(request)
        # The keep-alive pings notice a page that went away; that wakes the loop below.
        gone = asyncio.ensure_future(response.wait())
        try:
            async with self._listen(name, arg) as listener:
                gone.add_done_callback(lambda _: listener.ready.set())
                next_check = time.monotonic() + every
                while not self._stopping.is_set() and not gone.done():
                    if still_allowed is None:
                        await listener.ready.wait()
                    else:
                        try:
                            await asyncio.wait_for(listener.ready.wait(), max(0.0, next_check - time.monotonic()))
                        except TimeoutError:
                            if not await still_allowed():
                                break
                            next_check = time.monotonic() + every
                            continue
                    listener.ready.clear()
                    frame, listener.frame = listener.frame, None
                    if frame is None or self._stopping.is_set() or gone.done():
                        continue
                    async with asyncio.timeout(SEND_TIMEOUT_S):
                        await response.write(frame)
        except (ConnectionResetError, TimeoutError):
            pass  # the page went away, or stopped reading
        finally:
            response.stop_streaming()
            gone.cancel()
        return response
