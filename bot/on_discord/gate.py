"""Flow control on the gateway: a bounded number of interactions waiting for their first answer.

discord.py reads the gateway as fast as the socket delivers and starts a task for every interaction at once.
When a crowd clicks faster than the bot can answer, the backlog therefore lives inside the bot: thousands of
tasks, parsed payloads and, for their answers, thousands of HTTP connections at once. The memory they take
stays with the process long after the burst (the allocator keeps its high-water mark), and collecting so many
young objects stalls the event loop.

:class:`InteractionGate` keeps the backlog where it costs nothing, in the socket: before the bot reads the
next gateway message it waits while ``limit`` interactions are still unanswered. Arrival order is kept, every
interaction is still read, and one that waited too long is dropped unread by the command tree as before. An
interaction counts as answered once its first response is sent, or at Discord's deadline, 3 seconds after it
was created, so a handler that never answers cannot hold the gate shut. One that is already too old to answer
when it is read is not counted at all: it is dropped at once. No pause lasts longer than ``max_pause``, so
heartbeats and other gateway events keep flowing.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import discord
from discord.gateway import DiscordWebSocket

log = logging.getLogger(__name__)

#: Discord's deadline for the first response to an interaction, from its creation.
DEADLINE_S = 3.0
#: An interaction older than this cannot be answered within the deadline any more; it is dropped unread.
STALE_AFTER_S = 2.5


def age_of(interaction: discord.Interaction[Any]) -> float:
    """Seconds since Discord created ``interaction`` (its id carries the time)."""
    return time.time() - interaction.created_at.timestamp()


def snowflake_time(snowflake: int) -> float:
    """The POSIX time a Discord id was made."""
    return ((snowflake >> 22) + discord.utils.DISCORD_EPOCH) / 1000


class DropTally:
    """Interactions dropped for their age, logged at most once per ``every`` seconds: a flood of them must not
    become a flood of log lines."""

    def __init__(self, every: float = 10.0) -> None:
        self.every = every
        self.total = 0
        self._count = 0
        self._oldest = 0.0
        self._last_logged = -math.inf

    def note(self, age: float) -> None:
        self.total += 1
        self._count += 1
        self._oldest = max(self._oldest, age)
        now = time.monotonic()
        if now - self._last_logged >= self.every:
            log.warning(
                "dropped %d interaction(s) too old to answer in time (oldest %.1f s); the bot is behind",
                self._count,
                self._oldest,
            )
            self._count, self._oldest, self._last_logged = 0, 0.0, now


class InteractionGate:
    """Counts interactions not yet answered and holds the gateway while there are ``limit`` of them."""

    def __init__(
        self,
        limit: int = 128,
        *,
        max_pause: float = 1.0,
        poll: float = 0.005,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` is POSIX time, to compare with the time in interaction ids; pauses are timed on the
        monotonic clock."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        #: Once paused, reading resumes when this many are left: a few at a time, not one per poll.
        self.resume_at = limit - max(1, limit // 8)
        self._max_pause = max_pause
        self._poll = poll
        self._clock = clock
        #: (deadline, interaction), in the order they arrived.
        self._pending: collections.deque[tuple[float, discord.Interaction[Any]]] = collections.deque()
        #: How often reading paused, and for how long in all: for the status report and benchmarks.
        self.pauses = 0
        self.paused_s = 0.0
        #: Interactions dropped as too old to answer, here or by a handler that found them so.
        self.dropped = DropTally()
        #: Interactions read since the start.
        self.received_total = 0

    def received(self, interaction: discord.Interaction[Any]) -> None:
        """Count ``interaction`` until it is answered or its deadline passes."""
        self.received_total += 1
        deadline = interaction.created_at.timestamp() + DEADLINE_S
        if deadline - self._clock() > DEADLINE_S - STALE_AFTER_S:
            self._pending.append((deadline, interaction))

    def in_flight(self) -> int:
        """Interactions received, not answered and not past their deadline."""
        self._prune()
        return len(self._pending)

    def _prune(self) -> None:
        now = self._clock()
        self._pending = collections.deque(
            [entry for entry in self._pending if entry[0] > now and not entry[1].response.is_done()]
        )

    async def wait_for_room(self) -> None:
        """Return at once while fewer than ``limit`` are unanswered; otherwise once no more than ``resume_at``
        are (or after ``max_pause``)."""
        if len(self._pending) < self.limit:
            return
        self._prune()
        if len(self._pending) < self.limit:
            return
        started = time.monotonic()
        give_up = started + self._max_pause
        while len(self._pending) > self.resume_at and time.monotonic() < give_up:
            await asyncio.sleep(self._poll)
            self._prune()
        self.pauses += 1
        self.paused_s += time.monotonic() - started

    def shed(self, payload: Mapping[str, Any]) -> bool:
        """Whether a raw INTERACTION_CREATE payload is already too old to answer: dropped before discord.py
        builds anything for it, so a backlog of them is cleared at the cost of reading it."""
        try:
            age = self._clock() - snowflake_time(int(payload["id"]))
        except (KeyError, TypeError, ValueError):
            return False
        if age > STALE_AFTER_S:
            self.dropped.note(age)
            return True
        return False

    def shedding(self, parse: Callable[[Any], None]) -> Callable[[Any], None]:
        """discord.py's parser of INTERACTION_CREATE, skipping the payloads :meth:`shed` drops."""

        def parse_unless_stale(payload: Any) -> None:
            if not self.shed(payload):
                parse(payload)

        return parse_unless_stale

    def hold(self, poll_event: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], Coroutine[Any, Any, None]]:
        """``poll_event`` (read and handle one gateway message) made to wait for room first."""

        async def gated_poll_event() -> None:
            if len(self._pending) >= self.limit:
                await self.wait_for_room()
            await poll_event()

        return gated_poll_event


class GatedClient(discord.Client):
    """A client whose gateway reading waits for an :class:`InteractionGate`.

    The only place chairbot reaches into discord.py's internals (tests/on_discord/test_gate.py fails the day
    discord.py renames any of them):

    - ``Client.ws``: discord.py assigns it a new gateway connection at every (re)connect and then calls its
      ``poll_event`` in a loop; each one is made to wait for the gate before it reads;
    - ``ConnectionState.parsers["INTERACTION_CREATE"]``: stale payloads are dropped before they are parsed;
    - ``Client.dispatch("interaction", ...)``: every interaction that is handled is counted until answered.
    """

    gate: InteractionGate

    def install_gate(self, gate: InteractionGate) -> None:
        self.gate = gate
        parsers = self._connection.parsers
        parsers["INTERACTION_CREATE"] = gate.shedding(parsers["INTERACTION_CREATE"])

    @property
    def ws(self) -> DiscordWebSocket:
        return self._ws

    @ws.setter
    def ws(self, connection: DiscordWebSocket) -> None:
        gate = getattr(self, "gate", None)
        if connection is not None and gate is not None:
            connection.poll_event = gate.hold(connection.poll_event)  # type: ignore[method-assign]
        self._ws = connection

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction" and args and hasattr(self, "gate"):
            self.gate.received(args[0])
        super().dispatch(event_name, *args, **kwargs)
