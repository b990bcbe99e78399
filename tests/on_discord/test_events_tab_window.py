"""A conference's Events tab under Discord's cap of 100 events: the bot shows the next 90 sessions, and as the
clock moves past sessions their events end and the next ones take their places; when Discord refuses anyway, the
bot stops asking with one warning. Discord and the bot share one clock the test moves."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import chair as chair_module
from tests.clocks import HandClock
from tests.on_discord.conftest import Event, running_event, settled

ROOMS, SLOTS, MINUTES = 10, 30, 20
DAY = dt.date(2031, 2, 3)
SCHEDULED, ACTIVE, COMPLETED = 1, 2, 3


def conference() -> str:
    """300 talks: 10 rooms, 20-minute slots back to back from 08:00 to 18:00 in Brussels."""
    lines = [f"event: {{name: Big Conference, timezone: Europe/Brussels, date: {DAY.isoformat()}}}", "sessions:"]
    for n in range(ROOMS * SLOTS):
        start = dt.datetime(2000, 1, 1, 8) + (n // ROOMS) * dt.timedelta(minutes=MINUTES)
        end = start + dt.timedelta(minutes=MINUTES)
        lines.append(
            f'  - {{id: t{n:03d}, title: "Talk {n:03d}", kind: talk, room: "Room {n % ROOMS}", '
            f'start: "{start:%H:%M}", end: "{end:%H:%M}"}}'
        )
    return "\n".join(lines) + "\n"


def venue(hhmm: str) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime(DAY.year, DAY.month, DAY.day, hours - 1, minutes, tzinfo=dt.UTC)  # Brussels is UTC+1


def shown(day: Event) -> set[str]:
    """Titles in the Events tab now: events scheduled or under way."""
    return {e.name for e in day.emu.scheduled_events() if e.status in (SCHEDULED, ACTIVE)}


def titles(first: int, last: int) -> set[str]:
    return {f"Talk {n:03d}" for n in range(first, last)}


def refused_creates(day: Event) -> list[int | None]:
    return [r.status for r in day.emu.requests_matching("POST", r"/guilds/\d+/scheduled-events") if r.status != 200]


@pytest.fixture
async def conference_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Event, HandClock]]:
    # The bot looks at its clock every second for sessions that ended; a tenth keeps the test's steps short.
    monkeypatch.setattr(chair_module, "EVENTS_TAB_LOOK_SECONDS", 0.1)
    clock = HandClock(venue("07:00"))
    async with running_event(tmp_path, clock, schedule=conference(), discord_clock=clock) as day:
        await day.emu.wait_until(lambda: len(shown(day)) == 90, what="the first 90 events")
        yield day, clock


async def test_the_events_tab_shows_the_next_90_sessions_and_slides_as_they_end(
    conference_day: tuple[Event, HandClock],
) -> None:
    day, clock = conference_day
    assert shown(day) == titles(0, 90)  # the nine nearest slots

    # Each step lands within a slot whose talks already have their events: as on the day, no talk starts unseen.
    clock.now = venue("09:05")  # three slots over, the fourth on
    await day.emu.wait_until(lambda: shown(day) == titles(30, 120), what="the window to move by three slots")
    clock.now = venue("11:50")
    await day.emu.wait_until(lambda: shown(day) == titles(110, 200), what="the window to move to noon")
    clock.now = venue("14:30")
    await day.emu.wait_until(lambda: shown(day) == titles(190, 280), what="the window to move to the afternoon")
    clock.now = venue("17:10")  # the last 30 talks, all shown
    await day.emu.wait_until(lambda: shown(day) == titles(270, 300), what="the last sessions")

    assert day.emu.most_uncompleted_events() == 90
    assert len(day.emu.scheduled_events()) == 300  # one event per session, never made twice
    assert refused_creates(day) == []


async def test_when_discord_holds_more_than_the_bot_expects_it_stops_asking_with_one_warning(
    conference_day: tuple[Event, HandClock], caplog: pytest.LogCaptureFixture
) -> None:
    day, clock = conference_day
    day.emu.world.scheduled_events_max = 70  # as if the organizers had made 30 events of their own
    with caplog.at_level(logging.WARNING, logger="bot.events_tab"):
        clock.now = venue("09:01")  # three slots over: 30 places free for the bot, 10 for Discord
        warned = await day.emu.wait_until(
            lambda: [r for r in caplog.records if r.name == "bot.events_tab"], what="the warning"
        )
    assert shown(day) == titles(30, 100)
    assert refused_creates(day) == [400]  # one refused request, not one per session
    [warning] = warned
    assert "30038" in warning.getMessage()
    assert "the next 20 wait" in warning.getMessage()


async def test_a_session_cancelled_while_on_has_its_event_ended_and_its_place_given_on(
    conference_day: tuple[Event, HandClock],
) -> None:
    day, clock = conference_day
    # A cancellation re-plans the day, and at 09:05 the ten talks just begun are announced late in one channel:
    # at Discord's pace (5 posts in 5 s) those posts, which this test does not look at, would hold it 10 s more.
    day.emu.set_message_limit(None)
    clock.now = venue("09:05")
    await day.emu.wait_until(lambda: shown(day) == titles(30, 120), what="the window at 09:05")
    await settled(await day.emu.slash("schedule cancel", {"session": "t030"}, user=day.organizer))
    await day.emu.wait_until(lambda: shown(day) == titles(31, 121), what="the next talk in the freed place")
    [talk] = [e for e in day.emu.scheduled_events() if e.name == "Talk 030"]
    assert talk.status == COMPLETED  # Discord cancels only events that have not begun: the bot ends this one


async def test_a_session_cancelled_after_its_end_leaves_its_ended_event_alone(
    conference_day: tuple[Event, HandClock], caplog: pytest.LogCaptureFixture
) -> None:
    day, clock = conference_day
    # A cancellation re-plans the day, and at 09:05 the ten talks just begun are announced late in one channel:
    # at Discord's pace (5 posts in 5 s) those posts, which this test does not look at, would hold it 10 s more.
    day.emu.set_message_limit(None)
    clock.now = venue("09:05")
    await day.emu.wait_until(lambda: shown(day) == titles(30, 120), what="the window at 09:05")
    with caplog.at_level(logging.WARNING):
        await settled(await day.emu.slash("schedule cancel", {"session": "t000"}, user=day.organizer))
        report = await day.chair.sync_events()
    [talk] = [e for e in day.emu.scheduled_events() if e.name == "Talk 000"]
    assert talk.status == COMPLETED
    assert (report.cancelled, report.failed, report.created) == (0, 0, 0)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("bot")] == []
