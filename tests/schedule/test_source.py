"""The schedule source: a URL polled with conditional requests against a real local aiohttp server, with a cached
last good copy on disk, and a local file re-read on request. A version that cannot be used never replaces the one
in force; network trouble is a line of text, never a traceback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.http_fetch import HttpFetcher
from bot.ports import Download
from bot.schedule.errors import ScheduleError
from bot.schedule.loader import load_schedule
from bot.schedule.source import CACHE_META, DEFAULT_POLL_SECONDS, ScheduleSource, SourceError

FIXTURES = Path(__file__).parent / "fixtures"
NOW = dt.datetime(2024, 5, 11, 6, 30, tzinfo=dt.UTC)

V1 = """\
event: {name: Hybrid Workshop, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: opening, title: Opening, start: "09:00", end: "09:15"}
  - {id: keynote, title: Keynote, start: "09:15", end: "10:00"}
"""

V2 = V1 + '  - {id: posters, title: Poster Session, start: "10:15", end: "11:15"}\n'

# Ends before it starts: parses, but does not validate.
INVALID = V1 + '  - {id: broken, title: Broken Talk, start: "11:00", end: "10:00"}\n'


# --- a real schedule server on 127.0.0.1 ----------------------------------------------------------------------


@dataclass
class Served:
    """What the server answers, changed by the tests between requests."""

    body: bytes = V1.encode()
    status: int = 200
    etag: str | None = '"v1"'
    last_modified: str | None = None
    content_type: str = "application/yaml"
    charset: str | None = "utf-8"
    chunked: bool = False
    delay: float = 0.0
    #: The headers of every request received, and the status answered.
    requests: list[dict[str, str]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


class ScheduleServer:
    def __init__(self) -> None:
        self.served = Served()
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        # A short shutdown timeout: the slow-server test leaves a handler sleeping.
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str = "/schedule.yaml") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        served = self.served
        served.requests.append(dict(request.headers))
        if served.delay:
            await asyncio.sleep(served.delay)
        response = self._answer(request)
        served.statuses.append(response.status)
        if served.chunked and response.status == 200:
            stream = web.StreamResponse(headers=response.headers)
            stream.enable_chunked_encoding()
            await stream.prepare(request)
            for start in range(0, len(served.body), 512):
                await stream.write(served.body[start : start + 512])
            await stream.write_eof()
            return stream
        return response

    def _answer(self, request: web.Request) -> web.Response:
        served = self.served
        headers: dict[str, str] = {}
        if served.etag:
            headers["ETag"] = served.etag
        if served.last_modified:
            headers["Last-Modified"] = served.last_modified
        if served.status != 200:
            return web.Response(status=served.status, text="no schedule here")
        if served.etag and request.headers.get("If-None-Match") == served.etag:
            return web.Response(status=304, headers=headers)
        if (
            not served.etag
            and served.last_modified
            and request.headers.get("If-Modified-Since") == served.last_modified
        ):
            return web.Response(status=304, headers=headers)
        content_type = served.content_type + (f"; charset={served.charset}" if served.charset else "")
        return web.Response(body=served.body, headers={**headers, "Content-Type": content_type})


@pytest.fixture
async def server() -> AsyncIterator[ScheduleServer]:
    running = ScheduleServer()
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


MakeSource = Callable[..., ScheduleSource]


@pytest.fixture
async def make_source(cache_dir: Path) -> AsyncIterator[MakeSource]:
    """A ScheduleSource on the test's cache directory and a fixed clock, with an HTTP fetcher for a URL; closed at
    the end of the test."""
    made: list[ScheduleSource] = []

    def make(location: str, **options: Any) -> ScheduleSource:
        options.setdefault("cache_dir", cache_dir)
        options.setdefault("clock", lambda: NOW)
        if location.startswith("http"):
            options.setdefault("fetcher", HttpFetcher())
        source = ScheduleSource(location, **options)
        made.append(source)
        return source

    yield make
    for source in made:
        await source.close()


def ids(source_or_fetched: Any) -> list[str]:
    return [s.id for s in source_or_fetched.schedule.sessions]


def cache_record(cache_dir: Path) -> dict[str, Any]:
    record: dict[str, Any] = json.loads((cache_dir / CACHE_META).read_text(encoding="utf-8"))
    return record


# --- URL: first load, cache, conditional refresh ----------------------------------------------------------------


def test_the_bot_is_told_to_poll_every_five_minutes() -> None:
    assert DEFAULT_POLL_SECONDS == 300


async def test_first_load_from_a_url_gives_the_schedule(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url())
    assert source.is_url
    fetched = await source.load()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache, fetched.problems) == (True, False, None)
    assert fetched.detail == f'loaded from {server.url()} (ETag "v1")'
    assert fetched.schedule.event.name == "Hybrid Workshop"


async def test_first_load_writes_the_cache_with_its_validators(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    await make_source(server.url()).load()
    assert (cache_dir / "schedule-cache.yaml").read_text(encoding="utf-8") == V1
    record = cache_record(cache_dir)
    assert (record["url"], record["etag"], record["file"]) == (server.url(), '"v1"', "schedule-cache.yaml")
    assert dt.datetime.fromisoformat(record["fetched_at"]) == NOW
    assert not list(cache_dir.glob("*.tmp")), "no temporary file is left behind"


async def test_an_unchanged_schedule_costs_a_304(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url())
    first = await source.load()
    fetched = await source.refresh()
    assert server.served.requests[-1]["If-None-Match"] == '"v1"'
    assert server.served.statuses[-1] == 304
    assert (fetched.changed, fetched.from_cache, fetched.problems) == (False, False, None)
    assert fetched.detail == "unchanged (304)"
    assert fetched.schedule is first.schedule


async def test_a_new_etag_brings_the_new_sessions(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.body, server.served.etag = V2.encode(), '"v2"'
    fetched = await source.refresh()
    assert fetched.changed
    assert ids(fetched) == ["opening", "keynote", "posters"]
    assert fetched.detail == f'updated from {server.url()} (ETag "v2")'
    assert cache_record(cache_dir)["etag"] == '"v2"'
    assert (cache_dir / "schedule-cache.yaml").read_text(encoding="utf-8") == V2
    # The next check is conditional on the new version.
    await source.refresh()
    assert server.served.requests[-1]["If-None-Match"] == '"v2"'


async def test_last_modified_is_used_when_the_server_gives_no_etag(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    server.served.etag = None
    server.served.last_modified = "Sat, 11 May 2024 05:00:00 GMT"
    source = make_source(server.url())
    loaded = await source.load()
    assert loaded.detail.endswith("(Last-Modified Sat, 11 May 2024 05:00:00 GMT)")
    fetched = await source.refresh()
    request = server.served.requests[-1]
    assert request["If-Modified-Since"] == "Sat, 11 May 2024 05:00:00 GMT"
    assert "If-None-Match" not in request
    assert (fetched.changed, fetched.detail) == (False, "unchanged (304)")


async def test_the_same_text_under_a_new_etag_is_unchanged(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.etag = '"re-exported"'
    fetched = await source.refresh()
    assert (fetched.changed, fetched.detail) == (False, "unchanged (same content)")
    await source.refresh()
    assert server.served.statuses[-1] == 304, "the new ETag is remembered"


async def test_without_validators_an_identical_download_is_unchanged(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    server.served.etag = None
    source = make_source(server.url())
    assert "each check downloads it in full" in (await source.load()).detail
    fetched = await source.refresh()
    assert (fetched.changed, fetched.detail) == (False, "unchanged (same content)")


# --- URL: refused versions ----------------------------------------------------------------------------------------


async def test_an_invalid_new_version_is_refused_and_the_last_good_kept(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.body, server.served.etag = INVALID.encode(), '"v3"'
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache) == (False, False)
    assert fetched.problems is not None
    assert fetched.problems.startswith(f"{server.url()}:5: session 'broken':")
    assert fetched.detail == f"refused the new version from {server.url()} (1 problem); keeping the last good schedule"
    assert (cache_dir / "schedule-cache.yaml").read_text(encoding="utf-8") == V1
    assert cache_record(cache_dir)["etag"] == '"v1"'


async def test_a_refused_version_is_reported_until_it_is_fixed(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.body, server.served.etag = INVALID.encode(), '"v3"'
    first = await source.refresh()
    again = await source.refresh()
    assert again.problems == first.problems
    assert again.detail.startswith("still refusing the new version")
    server.served.body, server.served.etag = V2.encode(), '"v4"'
    fixed = await source.refresh()
    assert (fixed.changed, fixed.problems) == (True, None)
    assert ids(fixed) == ["opening", "keynote", "posters"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_huge_body_is_refused(server: ScheduleServer, make_source: MakeSource, chunked: bool) -> None:
    source = make_source(server.url(), max_bytes=1024)
    await source.load()
    server.served.body = (V2 + "# padding\n" * 400).encode()
    server.served.etag, server.served.chunked = '"huge"', chunked
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.problems == f"{server.url()}: the download is larger than 1 KB, too large for a schedule"


async def test_a_body_that_is_not_utf8_is_refused(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.body = V2.replace("Poster Session", "Café Posters").encode("latin-1")
    server.served.etag, server.served.charset = '"latin"', "iso-8859-1"
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.problems == (
        f"{server.url()}:5: not UTF-8 text (the server says charset=iso-8859-1): serve the schedule as UTF-8"
    )


async def test_an_invalid_first_download_without_a_cache_raises_its_problems(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    server.served.body = b"event: {name: X\nsessions: []\n"
    with pytest.raises(ScheduleError) as info:
        await make_source(server.url("/broken.yaml")).load()
    # The URL's .yaml suffix reaches the format detection: a YAML syntax error, not "unrecognised format".
    assert "YAML syntax error" in info.value.render()
    assert info.value.render().startswith(server.url("/broken.yaml"))


async def test_an_invalid_first_download_falls_back_to_the_cache(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    await make_source(server.url()).load()
    server.served.body, server.served.etag = INVALID.encode(), '"v3"'
    restarted = make_source(server.url())
    fetched = await restarted.load()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.problems is not None
    assert fetched.detail.startswith(f"refused the version at {server.url()} (1 problem); using the copy cached at")
    again = await restarted.refresh()
    assert again.problems == fetched.problems
    assert again.detail.startswith("still refusing the new version")


async def test_a_copy_written_without_its_record_is_used_without_validators(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    await make_source(server.url()).load()
    # As if the bot stopped between writing the new copy and its record: the record's hash is the old copy's.
    (cache_dir / "schedule-cache.yaml").write_text(V2, encoding="utf-8")
    fetched = await make_source(server.url()).load()
    assert "If-None-Match" not in server.served.requests[-1]
    assert ids(fetched) == ["opening", "keynote"], "the server's version wins"
    await server.stop()
    (cache_dir / "schedule-cache.yaml").write_text(V2, encoding="utf-8")
    offline = await make_source(server.url()).load()
    assert offline.from_cache
    assert ids(offline) == ["opening", "keynote", "posters"]


# --- URL: the server is down, slow, or answers with an error --------------------------------------------------


async def test_a_server_that_went_down_keeps_the_last_good_schedule(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    source = make_source(server.url())
    await source.load()
    await server.stop()
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache, fetched.problems) == (False, True, None)
    assert fetched.detail.startswith("unreachable: ")
    assert fetched.detail.endswith("; using the copy cached at 2024-05-11 06:30 UTC")


async def test_a_restart_without_network_starts_from_the_cache(server: ScheduleServer, make_source: MakeSource) -> None:
    await make_source(server.url()).load()
    await server.stop()
    fetched = await make_source(server.url()).load()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache, fetched.problems) == (True, True, None)
    assert fetched.detail.startswith(f"unreachable: cannot connect to 127.0.0.1:{server.port}")


async def test_a_restart_with_network_asks_whether_the_cache_is_current(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    await make_source(server.url()).load()
    fetched = await make_source(server.url()).load()
    assert server.served.statuses[-1] == 304
    assert (fetched.from_cache, fetched.detail) == (
        False,
        "unchanged since the copy cached at 2024-05-11 06:30 UTC (304)",
    )
    assert ids(fetched) == ["opening", "keynote"]


async def test_first_load_without_network_or_cache_names_the_url_and_the_cache(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    await server.stop()
    with pytest.raises(SourceError) as info:
        await make_source(server.url()).load()
    message = info.value.render()
    assert message.startswith(f"{server.url()}: cannot load the schedule: unreachable: cannot connect to")
    assert f"no cached copy in {cache_dir}" in message


async def test_a_cache_of_another_url_is_not_used(server: ScheduleServer, make_source: MakeSource) -> None:
    await make_source(server.url("/old.yaml")).load()
    await server.stop()
    with pytest.raises(SourceError) as info:
        await make_source(server.url("/new.yaml")).load()
    assert f"it holds a copy of another URL, '{server.url('/old.yaml')}'" in info.value.render()


@pytest.mark.parametrize(("status", "line"), [(500, "HTTP 500 Internal Server Error"), (404, "HTTP 404 Not Found")])
async def test_an_error_status_is_reported_with_its_status_line(
    server: ScheduleServer, make_source: MakeSource, status: int, line: str
) -> None:
    source = make_source(server.url())
    await source.load()
    server.served.status = status
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.from_cache
    assert fetched.detail == f"{line} from {server.url()}; using the copy cached at 2024-05-11 06:30 UTC"


async def test_an_error_status_at_first_load_without_a_cache_is_a_source_error(
    server: ScheduleServer, make_source: MakeSource
) -> None:
    server.served.status = 404
    with pytest.raises(SourceError, match="HTTP 404 Not Found"):
        await make_source(server.url()).load()


async def test_a_slow_server_is_reported_past_the_timeout(server: ScheduleServer, make_source: MakeSource) -> None:
    source = make_source(server.url(), timeout=0.2)
    await source.load()
    server.served.delay = 5.0
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.from_cache
    assert (
        fetched.detail == "unreachable: no complete answer within 0.2 s; using the copy cached at 2024-05-11 06:30 UTC"
    )


# --- URL: formats, names, sessions ------------------------------------------------------------------------------


async def test_a_pretalx_export_served_as_json_is_detected(server: ScheduleServer, make_source: MakeSource) -> None:
    fixture = FIXTURES / "pretalx_robustml2024.json"
    server.served.body, server.served.content_type = fixture.read_bytes(), "application/json"
    fetched = await make_source(server.url("/robustml24/schedule/export/schedule.json")).load()
    expected = load_schedule(fixture)
    assert fetched.schedule.sessions == expected.sessions
    assert fetched.schedule.event.name == expected.event.name


async def test_an_access_token_in_the_query_is_not_shown(
    server: ScheduleServer, make_source: MakeSource, cache_dir: Path
) -> None:
    source = make_source(server.url("/schedule.yaml?token=s3cret"))
    fetched = await source.load()
    assert "s3cret" not in fetched.detail
    assert "s3cret" not in fetched.schedule.source
    assert (cache_dir / "schedule-cache.yaml").exists()


async def test_close_leaves_a_session_passed_in_open(server: ScheduleServer, make_source: MakeSource) -> None:
    async with aiohttp.ClientSession() as session:
        source = make_source(server.url(), fetcher=HttpFetcher(session))
        await source.load()
        await source.close()
        assert not session.closed


class RecordingFetcher:
    """A fetcher that serves nothing and remembers being closed."""

    def __init__(self) -> None:
        self.closed = False

    async def get(
        self, url: str, *, etag: str | None, last_modified: str | None, limit: int, timeout: float
    ) -> Download:
        raise AssertionError("not expected to download")

    async def close(self) -> None:
        self.closed = True


def test_a_url_without_a_fetcher_is_refused_at_construction(cache_dir: Path) -> None:
    with pytest.raises(ValueError, match="needs a fetcher") as info:
        ScheduleSource("https://example.org/schedule.json?token=s3cret", cache_dir=cache_dir)
    assert "https://example.org/schedule.json" in str(info.value)
    assert "s3cret" not in str(info.value)


async def test_close_closes_the_fetcher_given_to_the_source(cache_dir: Path) -> None:
    fetcher = RecordingFetcher()
    async with ScheduleSource("https://example.org/schedule.json", cache_dir=cache_dir, fetcher=fetcher):
        pass
    assert fetcher.closed


# --- local files ----------------------------------------------------------------------------------------------


@pytest.fixture
def schedule_file(tmp_path: Path) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(V1, encoding="utf-8")
    return path


async def test_a_local_file_loads(schedule_file: Path, make_source: MakeSource, cache_dir: Path) -> None:
    source = make_source(str(schedule_file))  # no fetcher: a file needs none
    assert not source.is_url
    fetched = await source.load()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache, fetched.detail) == (True, False, f"loaded from {schedule_file}")
    assert not cache_dir.exists(), "a local file needs no cache"


async def test_an_unchanged_local_file_refreshes_unchanged(schedule_file: Path, make_source: MakeSource) -> None:
    source = make_source(str(schedule_file))
    await source.load()
    fetched = await source.refresh()
    assert (fetched.changed, fetched.detail) == (False, "unchanged (same content)")


async def test_an_edited_local_file_refreshes_changed(schedule_file: Path, make_source: MakeSource) -> None:
    source = make_source(str(schedule_file))
    await source.load()
    schedule_file.write_text(V2, encoding="utf-8")
    fetched = await source.refresh()
    assert fetched.changed
    assert ids(fetched) == ["opening", "keynote", "posters"]
    assert fetched.detail == f"updated from {schedule_file}"


async def test_an_invalid_edit_keeps_the_last_good_schedule(schedule_file: Path, make_source: MakeSource) -> None:
    source = make_source(str(schedule_file))
    await source.load()
    schedule_file.write_text(INVALID, encoding="utf-8")
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert (fetched.changed, fetched.from_cache) == (False, False)
    assert fetched.problems is not None
    assert fetched.problems.startswith(f"{schedule_file}:5: session 'broken':")


async def test_a_file_removed_mid_save_keeps_the_last_good_schedule(
    schedule_file: Path, make_source: MakeSource
) -> None:
    source = make_source(str(schedule_file))
    await source.load()
    schedule_file.unlink()
    fetched = await source.refresh()
    assert ids(fetched) == ["opening", "keynote"]
    assert fetched.problems == f"{schedule_file}: no such file"


async def test_an_invalid_local_file_fails_the_first_load(schedule_file: Path, make_source: MakeSource) -> None:
    schedule_file.write_text(INVALID, encoding="utf-8")
    with pytest.raises(ScheduleError, match="broken"):
        await make_source(str(schedule_file)).load()
