"""A schedule published at a URL: the bot starts from it (or from its cached copy when the URL is down), and
``/schedule reload`` takes a new version with a conditional request, refusing an invalid one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.app import open_services
from bot.config import Settings
from bot.errors import StartupError
from tests.on_discord.conftest import SCHEDULE, TALK_1_LIVE, MovableClock, running_event


class Published:
    """A local web server publishing one schedule text with an ETag, as a conference website would."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.conditional_requests = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        etag = f'"{hash(self.text) & 0xFFFFFFFF:x}"'
        if request.headers.get("If-None-Match"):
            self.conditional_requests += 1
            if request.headers["If-None-Match"] == etag:
                return web.Response(status=304, headers={"ETag": etag})
        return web.Response(text=self.text, headers={"ETag": etag}, content_type="text/yaml")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/day.yaml", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/day.yaml"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


@pytest.fixture
async def published() -> AsyncIterator[Published]:
    server = Published(SCHEDULE)
    await server.start()
    yield server
    await server.stop()


async def test_reload_takes_a_new_version_and_refuses_an_invalid_one(tmp_path: Path, published: Published) -> None:
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE), location=published.url) as event:
        unchanged = await event.emu.slash("schedule reload", user=event.organizer)
        assert "nothing changed" in unchanged.content
        published.text = SCHEDULE.replace("Invited Talk 2", "Invited Talk Two")
        changed = await event.emu.slash("schedule reload", user=event.organizer)
        assert "Changed: `invited-2`" in changed.content
        assert event.chair.schedule.session("invited-2").title == "Invited Talk Two"
        published.text = "event: {name: Broken, timezone: Nowhere/Land}\nsessions: []\n"
        refused = await event.emu.slash("schedule reload", user=event.organizer)
        assert "not** reloaded" in refused.content
        assert "Nowhere/Land" in refused.content
        assert event.chair.schedule.session("invited-2").title == "Invited Talk Two"
        assert published.conditional_requests >= 2


async def test_the_bot_starts_from_the_cached_copy_when_the_url_is_down(tmp_path: Path, published: Published) -> None:
    settings = Settings(
        discord_token="t", guild_id=1, announce_channel="a", schedule=published.url, data_dir=tmp_path / "data"
    )
    schedule, qa, source = await open_services(settings)
    await qa.close()
    await source.close()
    assert schedule.find("invited-1") is not None
    await published.stop()
    schedule, qa, source = await open_services(settings)
    await qa.close()
    await source.close()
    assert schedule.find("invited-1") is not None


async def test_no_url_and_no_copy_stops_start_up_with_the_address(tmp_path: Path) -> None:
    settings = Settings(
        discord_token="t",
        guild_id=1,
        announce_channel="a",
        schedule="http://127.0.0.1:9/day.yaml",
        data_dir=tmp_path / "data",
    )
    with pytest.raises(StartupError, match=r"127\.0\.0\.1:9"):
        await open_services(settings)
