"""The port through which a schedule is downloaded from a URL (:class:`ScheduleFetcher`), with what it returns and
raises. :mod:`bot.http_fetch` implements it with aiohttp; :mod:`bot.ports` lists it with the other ports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Download:
    """A schedule as a server sent it (``body`` None: 304, the copy we hold is current).

    The body is bytes as received: deciding whether it is usable text is the core's job. ``charset`` is the one the
    server named in its ``Content-Type`` (None when it named none), to explain a body that is not UTF-8.
    """

    body: bytes | None
    etag: str | None
    last_modified: str | None
    charset: str | None = None


class Unreachable(Exception):
    """The URL gave no answer to use; the message says why in a few words, never with the URL's query.

    ``status`` is the HTTP status when the server answered with an error, and the message is then its status line
    ("HTTP 404 Not Found"); None when no answer came, and the message says why ("cannot connect to host:443 (...)",
    "no complete answer within 10 s").
    """

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class TooLarge(Exception):
    """The body is longer than the ``limit`` given to :meth:`ScheduleFetcher.get` (by its declared length, or
    counted while it was read)."""


class ScheduleFetcher(Protocol):
    async def get(
        self, url: str, *, etag: str | None, last_modified: str | None, limit: int, timeout: float
    ) -> Download:
        """GET ``url``, conditionally when ``etag``/``last_modified`` are known: a 304 is a :class:`Download`
        without a body only then. At most ``limit`` bytes of body, and ``timeout`` seconds for the whole request.
        :class:`Unreachable` on network trouble, a timeout or a non-2xx status; :class:`TooLarge` past the limit."""

    async def close(self) -> None:
        """Release connections. The fetcher may be used again afterwards; closing twice is harmless."""
