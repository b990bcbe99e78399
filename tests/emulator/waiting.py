"""Waiting for the emulated world to reach a state, without sleeping longer than needed.

Every change (a request recorded, a callback received, a gateway frame) calls ``Notifier.notify``; a waiter re-checks
its predicate after each change and gives up with a message that names what it was waiting for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        # Wake everyone waiting on the current generation, then start a new one for later waiters.
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(
        self, predicate: Callable[[], T], *, timeout: float, what: str, poll: float | None = None
    ) -> T:
        """Return ``predicate()``'s first truthy value; raise ``TimeoutError`` naming ``what`` after ``timeout`` s.

        The predicate is re-checked on every change and, with ``poll``, also every ``poll`` seconds: for conditions
        that depend on something else than the emulator (such as the client's own cache).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event
            result = predicate()
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining if poll is None else min(poll, remaining))
