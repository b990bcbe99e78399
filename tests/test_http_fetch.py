"""The HTTP fetcher against a real local aiohttp server: conditional GETs, statuses, the size limit, the timeout, and
network errors told without the URL's query. What the answers mean is the schedule source's business
(tests/schedule/test_source.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.http_fetch import USER_AGENT, HttpFetcher
from bot.ports import Download, ScheduleFetcher, TooLarge, Unreachable

BODY = b"event: {name: Hybrid Workshop}\n"


class Server:
    """Serves ``/schedule.yaml`` (ETag "v1"), ``/chunked`` (4 KB), ``/slow`` and ``/not-modified``; anything else is a
    404. Records the headers of every ``/schedule.yaml`` request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/schedule.yaml", self._schedule)
        app.router.add_get("/chunked", self._chunked)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/not-modified", self._not_modified)
        # A short shutdown timeout: the slow handler is left sleeping.
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _schedule(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        headers = {"ETag": '"v1"', "Last-Modified": "Sat, 11 May 2024 05:00:00 GMT"}
        return web.Response(body=BODY, headers={**headers, "Content-Type": "application/yaml; charset=iso-8859-1"})

    async def _chunked(self, request: web.Request) -> web.StreamResponse:
        stream = web.StreamResponse()
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        for _ in range(8):
            await stream.write(b"x" * 512)
        await stream.write_eof()
        return stream

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=BODY)

    async def _not_modified(self, request: web.Request) -> web.Response:
        return web.Response(status=304)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    running = Server()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def fetcher() -> AsyncIterator[HttpFetcher]:
    made = HttpFetcher()
    yield made
    await made.close()


async def get(fetcher: ScheduleFetcher, url: str, *, limit: int = 1 << 20) -> Download:
    """An unconditional GET with a generous limit and timeout."""
    return await fetcher.get(url, etag=None, last_modified=None, limit=limit, timeout=5.0)


async def test_a_download_carries_the_body_its_validators_and_the_charset_named(
    server: Server, fetcher: HttpFetcher
) -> None:
    download = await fetcher.get(server.url("/schedule.yaml"), etag=None, last_modified=None, limit=1024, timeout=5)
    assert (download.body, download.etag, download.last_modified, download.charset) == (
        BODY,
        '"v1"',
        "Sat, 11 May 2024 05:00:00 GMT",
        "iso-8859-1",
    )
    assert server.requests[-1]["User-Agent"] == USER_AGENT
    assert "If-None-Match" not in server.requests[-1]


async def test_known_validators_make_the_request_conditional(server: Server, fetcher: HttpFetcher) -> None:
    download = await fetcher.get(
        server.url("/schedule.yaml"),
        etag='"v1"',
        last_modified="Sat, 11 May 2024 05:00:00 GMT",
        limit=1024,
        timeout=5,
    )
    assert server.requests[-1]["If-None-Match"] == '"v1"'
    assert server.requests[-1]["If-Modified-Since"] == "Sat, 11 May 2024 05:00:00 GMT"
    assert (download.body, download.etag) == (None, '"v1"')


async def test_a_304_to_an_unconditional_request_is_unreachable(server: Server, fetcher: HttpFetcher) -> None:
    with pytest.raises(Unreachable) as info:
        await get(fetcher, server.url("/not-modified"))
    assert (str(info.value), info.value.status) == ("HTTP 304 Not Modified", 304)


async def test_an_error_status_is_unreachable_with_its_status_line(server: Server, fetcher: HttpFetcher) -> None:
    with pytest.raises(Unreachable) as info:
        await get(fetcher, server.url("/missing"))
    assert (str(info.value), info.value.status) == ("HTTP 404 Not Found", 404)


@pytest.mark.parametrize("path", ["/schedule.yaml", "/chunked"], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_too_large(server: Server, fetcher: HttpFetcher, path: str) -> None:
    with pytest.raises(TooLarge):
        await get(fetcher, server.url(path), limit=16)


async def test_a_body_at_the_limit_is_read_whole(server: Server, fetcher: HttpFetcher) -> None:
    download = await get(fetcher, server.url("/chunked"), limit=4096)
    assert download.body == b"x" * 4096


async def test_a_slow_server_is_unreachable_past_the_timeout(server: Server, fetcher: HttpFetcher) -> None:
    with pytest.raises(Unreachable) as info:
        await fetcher.get(server.url("/slow"), etag=None, last_modified=None, limit=1024, timeout=0.2)
    assert (str(info.value), info.value.status) == ("no complete answer within 0.2 s", None)


async def test_a_refused_connection_is_told_without_the_query(server: Server, fetcher: HttpFetcher) -> None:
    await server.stop()
    with pytest.raises(Unreachable) as info:
        await get(fetcher, server.url("/schedule.yaml?token=s3cret"))
    assert str(info.value).startswith(f"cannot connect to 127.0.0.1:{server.port} (")
    assert "s3cret" not in str(info.value)
    assert info.value.status is None


async def test_close_ends_its_own_session_and_a_later_get_opens_another(server: Server) -> None:
    fetcher = HttpFetcher()
    await get(fetcher, server.url("/schedule.yaml"))
    await fetcher.close()
    await fetcher.close()
    await get(fetcher, server.url("/schedule.yaml"))
    await fetcher.close()
    assert len(server.requests) == 2


async def test_a_session_passed_in_is_used_and_left_open(server: Server) -> None:
    async with aiohttp.ClientSession(headers={"User-Agent": "the caller"}) as session:
        fetcher = HttpFetcher(session)
        await get(fetcher, server.url("/schedule.yaml"))
        await fetcher.close()
        assert not session.closed
    assert server.requests[-1]["User-Agent"] == "the caller"
