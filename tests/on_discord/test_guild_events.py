"""The server's Events tab follows the schedule: one scheduled event per upcoming session, made once, edited
when the session moves, cancelled with it; a second sync changes nothing. Discord refuses events in the past,
so these tests run the test day two days from now, on the real clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import system_clock
from tests.on_discord.conftest import SCHEDULE, Event, running_event

CANCELLED = 4  # Discord's status for a cancelled scheduled event
DAY = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date()


@pytest.fixture
async def future_day(tmp_path: Path) -> AsyncIterator[Event]:
    text = SCHEDULE.replace("date: 2024-05-11", f"date: {DAY.isoformat()}")
    async with running_event(tmp_path, system_clock, schedule=text) as running:
        await running.emu.wait_until(lambda: len(live_events(running)) == 4)
        yield running


def live_events(event: Event) -> dict[str, object]:
    return {e.name: e for e in event.emu.scheduled_events() if e.status != CANCELLED}


async def test_every_session_gets_one_external_event(future_day: Event) -> None:
    events = live_events(future_day)
    assert set(events) == {"Opening", "Invited Talk 1", "Poster Session 1", "Invited Talk 2"}
    talk = events["Invited Talk 2"]
    assert talk.sent["entity_type"] == 3  # type: ignore[attr-defined]  # external
    start = future_day.chair.schedule.session("invited-2").start
    assert dt.datetime.fromisoformat(talk.sent["scheduled_start_time"]) == start  # type: ignore[attr-defined]
    assert "New York" in talk.sent["description"]  # type: ignore[attr-defined]


async def test_a_second_sync_changes_nothing(future_day: Event) -> None:
    writes = r"/guilds/\d+/scheduled-events.*"
    before = sum(len(future_day.emu.requests_matching(m, writes)) for m in ("POST", "PATCH", "DELETE"))
    report = await future_day.chair.sync_events()
    assert (report.created, report.updated, report.cancelled, report.unchanged) == (0, 0, 0, 4)
    assert sum(len(future_day.emu.requests_matching(m, writes)) for m in ("POST", "PATCH", "DELETE")) == before


async def test_events_follow_a_shift_and_a_cancellation(future_day: Event) -> None:
    await future_day.emu.slash("schedule shift", {"minutes": 15, "session": "posters-1"}, user=future_day.organizer)
    posters = live_events(future_day)["Poster Session 1"]
    moved = future_day.chair.schedule.session("posters-1").start
    assert dt.datetime.fromisoformat(posters.data["scheduled_start_time"]) == moved  # type: ignore[attr-defined]
    await future_day.emu.slash("schedule cancel", {"session": "invited-2"}, user=future_day.organizer)
    assert "Invited Talk 2" not in live_events(future_day)
