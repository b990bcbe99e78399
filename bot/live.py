"""What changed, for whoever shows it live: the web pages of the stage, the dashboard and the schedule.

The core publishes *topics* when a change has committed: a session's id when its questions or Q&A settings
changed, :data:`SCHEDULE` when the schedule in force changed, :data:`MODERATION` for a change that concerns no
one session (a ban). A :class:`Subscription` collects the topics published since its reader last looked, so a
reader that is busy gets one merged set instead of a backlog: a burst of votes on one session is one update.

Each published batch carries the instant of its oldest unread change (``time.time()``, for measuring how long an
update took to reach a page), not a clock of the event day.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

#: The schedule in force changed (a shift, a cancellation, a reload).
SCHEDULE = "@schedule"
#: A moderation change that belongs to no one session (a ban, an unban).
MODERATION = "@moderation"


@dataclass(frozen=True, slots=True)
class Changes:
    """Topics that changed since the last read, and when the oldest of those changes was published."""

    topics: frozenset[str]
    since: float


class Subscription:
    """One reader's view of the feed; use as a context manager, or :meth:`close` when done."""

    def __init__(self, feed: ChangeFeed) -> None:
        self._feed = feed
        self._topics: set[str] = set()
        self._since: float | None = None
        self._ready = asyncio.Event()

    def _add(self, topics: Iterable[str], at: float) -> None:
        self._topics.update(topics)
        if self._since is None:
            self._since = at
        self._ready.set()

    async def next(self) -> Changes:
        """Wait for changes; every topic published since the last call, merged."""
        await self._ready.wait()
        self._ready.clear()
        topics, self._topics = frozenset(self._topics), set()
        since, self._since = self._since or time.time(), None
        return Changes(topics, since)

    def close(self) -> None:
        self._feed._readers.discard(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class ChangeFeed:
    """Publish topics to every current subscription (on the event loop's thread)."""

    def __init__(self) -> None:
        self._readers: set[Subscription] = set()
        self.published = 0

    def subscribe(self) -> Subscription:
        reader = Subscription(self)
        self._readers.add(reader)
        return reader

    def publish(self, topics: Iterable[str]) -> None:
        wanted = frozenset(topics)
        if not wanted:
            return
        self.published += 1
        at = time.time()
        for reader in self._readers:
            reader._add(wanted, at)
