"""Downloading a schedule over HTTP(S) with aiohttp: the :class:`~bot.ports.ScheduleFetcher` the core's
:class:`~bot.schedule.source.ScheduleSource` polls through.

It owns the transport only: conditional requests, status codes, the size limit, the timeout, and describing network
errors without the URL's query (which may carry an access token). What the body means, the cache and the messages
people read belong to the source.
"""

from __future__ import annotations

import aiohttp
from aiohttp import hdrs

from bot.ports import Download, TooLarge, Unreachable

USER_AGENT = "chairbot (schedule poller)"

#: Read the body in pieces of this size, so the size limit stops a download early.
_CHUNK = 64 * 1024


def _describe_client_error(exc: aiohttp.ClientError) -> str:
    # Some of aiohttp's own messages repeat the full URL, whose query may carry an access token: say it without.
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return f"the certificate of {exc.host} is not trusted ({exc.certificate_error})"
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or str(exc.os_error) or type(exc.os_error).__name__
        return f"cannot connect to {exc.host}:{exc.port} ({reason})"
    if isinstance(exc, aiohttp.TooManyRedirects):
        return "too many redirects"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"HTTP {exc.status} {exc.message}".rstrip()
    if isinstance(exc, aiohttp.InvalidURL):
        return "an invalid URL (or a redirect to one)"
    return str(exc) or type(exc).__name__


class HttpFetcher:
    """GETs schedules with aiohttp.

    ``session``: an :class:`aiohttp.ClientSession` that belongs to the caller (used as it is, never closed here).
    Without one, the fetcher creates its own on first use, with chairbot's User-Agent, and :meth:`close` closes it.
    """

    def __init__(self, session: aiohttp.ClientSession | None = None) -> None:
        self._session = session
        self._owns_session = session is None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, not in __init__: a ClientSession belongs to the running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(headers={hdrs.USER_AGENT: USER_AGENT})
            self._owns_session = True
        return self._session

    async def get(
        self, url: str, *, etag: str | None, last_modified: str | None, limit: int, timeout: float
    ) -> Download:
        headers: dict[str, str] = {}
        if etag:
            headers[hdrs.IF_NONE_MATCH] = etag
        if last_modified:
            headers[hdrs.IF_MODIFIED_SINCE] = last_modified
        try:
            async with self._client().get(
                url, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as response:
                new_etag = response.headers.get(hdrs.ETAG)
                new_last_modified = response.headers.get(hdrs.LAST_MODIFIED)
                # A 304 to an unconditional request is not an answer we can use: it falls through to the error.
                if response.status == 304 and headers:
                    return Download(None, new_etag, new_last_modified)
                if not 200 <= response.status < 300:
                    status_line = f"HTTP {response.status} {response.reason or ''}".rstrip()
                    raise Unreachable(status_line, status=response.status)
                body = await self._read_body(response, limit)
                return Download(body, new_etag, new_last_modified, response.charset)
        except TimeoutError:
            # Before ClientError: aiohttp's timeouts are both.
            raise Unreachable(f"no complete answer within {timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise Unreachable(_describe_client_error(exc)) from None

    @staticmethod
    async def _read_body(response: aiohttp.ClientResponse, limit: int) -> bytes:
        if response.content_length is not None and response.content_length > limit:
            raise TooLarge(f"more than {limit} bytes")
        # Count while reading as well: the length may be absent (chunked) or describe the compressed body.
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"more than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    async def close(self) -> None:
        """Close the session this fetcher created (a later :meth:`get` makes a new one); a session passed in
        belongs to the caller and stays open."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None


__all__ = ["USER_AGENT", "HttpFetcher"]
