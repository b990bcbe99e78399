"""``chairbot run`` with ``web_listen`` serves the web side from the bot's own process, over the same core: the
schedule page, the calendar and the health report reflect the running bot."""

from __future__ import annotations

import socket
from pathlib import Path

import aiohttp
import pytest

from bot.config import ConfigError, load_settings
from tests.on_discord.conftest import TALK_1_LIVE, MovableClock, running_event


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_running_bot_serves_its_schedule_calendar_and_health(tmp_path: Path) -> None:
    port = free_port()
    async with (
        running_event(tmp_path, MovableClock(TALK_1_LIVE), web_listen=f"127.0.0.1:{port}") as day,
        aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http,
    ):
        # At 09:10 the bot first catches up on what it missed (the outbox lags until then).
        await day.emu.wait_for_message(day.announcements, lambda m: "Invited Talk 1" in m.content)
        await day.emu.wait_until(lambda: day.chair.announcer is not None and not day.chair.announcer.busy())
        async with http.get("/") as page:
            assert page.status == 200
            assert "Invited Talk 1" in await page.text()
        async with http.get("/healthz") as health:
            report = await health.json()
            assert health.status == 200, report
            assert report["status"] == "ok"
            assert report["latency_ms"] is not None  # the gateway is connected
        await day.emu.slash("schedule cancel", {"session": "invited-2"}, user=day.organizer)
        async with http.get("/schedule.ics") as feed:
            text = await feed.text()
        assert "STATUS:CANCELLED" in text.split("invited-2@", 1)[1].split("END:VEVENT", 1)[0]


def test_web_listen_is_host_and_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("DISCORD_TOKEN", "t"),
        ("CHAIRBOT_GUILD_ID", "1"),
        ("CHAIRBOT_ANNOUNCE_CHANNEL", "announcements"),
        ("CHAIRBOT_SCHEDULE", str(tmp_path / "day.yaml")),
        ("CHAIRBOT_WEB_LISTEN", "127.0.0.1:8080"),
    ):
        monkeypatch.setenv(name, value)
    assert load_settings().web_address == ("127.0.0.1", 8080)
    monkeypatch.setenv("CHAIRBOT_WEB_LISTEN", "localhost")
    with pytest.raises(ConfigError, match=r"web_listen: .*'localhost' is not HOST:PORT; write e.g. 127.0.0.1:8080"):
        load_settings()
