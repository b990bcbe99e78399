"""A real core on a throwaway store, served by the real web app on a free local port."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.chair import Chair
from bot.config import Settings
from bot.console.rehearse import ConsolePublisher
from bot.health import GatewayStats
from bot.qa.service import QAService
from bot.schedule.loader import parse_schedule
from bot.schedule.model import Schedule
from bot.schedule.source import ScheduleSource
from bot.web.server import bound_port, make_app, start_site
from tests.clocks import HandClock
from tests.web.browser import browser, contexts  # noqa: F401  (fixtures: the real browser, its contexts)

DAY = """
event: {name: Web Day, timezone: Europe/Vienna, date: 2031-05-12, display_timezones: [Asia/Kathmandu]}
sessions:
  - {id: opening, title: Opening, start: "09:00", end: "09:10", room: Hall A}
  - id: talk
    title: "<img src=x onerror=alert(1)>"
    start: "09:10"
    end: "09:40"
    room: Hall A
    speakers: ["Ada Lovelace (Analytical Engines)"]
    links: {stream: "https://stream.example/a", slides: "https://slides.example/t"}
    abstract: About engines.
  - {id: panel, title: The Panel, kind: panel, start: "09:40", end: "10:20", room: Hall B}
  - {id: lunch, title: Lunch, kind: break, start: "10:20", end: "11:00"}
  - id: posters
    title: Poster Session
    kind: poster
    start: "11:00"
    end: "12:00"
    room: Foyer
    posters:
      - {id: P-01, title: Calibrated Engines, authors: [Ada Lovelace, Charles Babbage], url: "https://posters.example/p1"}
      - {id: P-02, title: "<script>alert(2)</script> Safe Loops", authors: Grace Hopper}
"""
#: 08:00 at the venue, before the day.
MORNING = dt.datetime(2031, 5, 12, 6, 0, tzinfo=dt.UTC)


@dataclass
class Site:
    chair: Chair
    clock: HandClock
    http: aiohttp.ClientSession
    base: str

    async def get(self, path: str) -> tuple[aiohttp.ClientResponse, str]:
        async with self.http.get(self.base + path) as response:
            return response, await response.text()


@pytest.fixture
def gateway() -> GatewayStats | None:
    return None


@contextlib.asynccontextmanager
async def serving(
    day: str | Schedule,
    data_dir: Path,
    now: dt.datetime,
    *,
    source: ScheduleSource | None = None,
    gateway: GatewayStats | None = None,
    **settings: Any,
) -> AsyncIterator[Site]:
    """``day`` (a schedule, or its text in the native format) in a real core on a throwaway store in
    ``data_dir``, served by the real web app on a free local port; the event's clock stands at ``now``;
    ``settings`` changes the rehearsal's defaults."""
    schedule = parse_schedule(day, "day.yaml") if isinstance(day, str) else day
    clock = HandClock(now)
    config = Settings.for_rehearsal(data_dir).model_copy(update=settings)
    async with QAService(config.database_path, config=config.qa_config(), clock=clock) as qa:
        chair = Chair(config, schedule, qa, source, clock=clock)
        chair.attach(ConsolePublisher(schedule, clock, io.StringIO()))
        await chair.open()
        try:
            runner = await start_site(make_app(chair, gateway=lambda: gateway), "127.0.0.1", 0)
            try:
                async with aiohttp.ClientSession() as http:
                    yield Site(chair, clock, http, f"http://127.0.0.1:{bound_port(runner)}")
            finally:
                await runner.cleanup()
        finally:
            await chair.close()


@pytest.fixture
async def site(tmp_path: Path, gateway: GatewayStats | None) -> AsyncIterator[Site]:
    async with serving(DAY, tmp_path, MORNING, gateway=gateway) as running:
        yield running
