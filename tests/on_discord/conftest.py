"""A running chairbot against the local Discord emulator: a small schedule, three people with their roles,
a real SQLite Q&A store and a clock the test moves."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import discord_app
from bot.chair import Chair
from bot.clock import Clock
from bot.config import Settings
from bot.on_discord.client import ChairBot
from tests.clocks import HandClock as MovableClock
from tests.emulator import CallbackType, Channel, DiscordEmulator, InteractionResult, Member

SCHEDULE = """\
event: {name: Test Workshop, timezone: Europe/Vienna, date: 2024-05-11, display_timezones: [America/New_York]}
sessions:
  - {id: opening, title: Opening, start: "08:50", end: "09:00"}
  - {id: invited-1, title: Invited Talk 1, start: "09:00", end: "09:30", speakers: ["Andrew Wilson (NYU)"]}
  - {id: posters-1, title: Poster Session 1, start: "09:30", end: "10:30"}
  - {id: invited-2, title: Invited Talk 2, start: "10:30", end: "11:00"}
"""

MANAGE_MESSAGES = 1 << 13

#: 09:10 in Vienna: Invited Talk 1 is live.
TALK_1_LIVE = dt.datetime(2024, 5, 11, 7, 10, tzinfo=dt.UTC)


@dataclass
class Event:
    """Everything a bot test touches."""

    emu: DiscordEmulator
    bot: ChairBot
    chair: Chair
    clock: Clock
    attendee: Member
    moderator: Member
    organizer: Member
    announcements: Channel
    qa_channel: Channel
    schedule_path: Path


@contextlib.asynccontextmanager
async def running_event(
    tmp_path: Path,
    clock: Clock,
    *,
    qa_channel: str | None = "questions",
    schedule: str = SCHEDULE,
    location: str | None = None,
    web_listen: str | None = None,
    rooms: dict[str, str] | None = None,
    discord_clock: Clock | None = None,
    **more: Any,
) -> AsyncIterator[Event]:
    """The emulator with the test server, and chairbot running against it on ``clock``; ``rooms`` maps rooms to
    channels, which are made on the server too. ``discord_clock``: Discord's own time for scheduled events (the
    bot's clock, for a test that moves time past them); the real time by default. ``more``: other settings."""
    schedule_path = tmp_path / "day.yaml"
    schedule_path.write_text(schedule, encoding="utf-8")
    async with DiscordEmulator(heartbeat_interval=5.0, clock=discord_clock) as emu:
        # Manage Messages: what /qa asks for by default (a hint; the bot checks the role itself).
        moderators = emu.add_role("Moderator", permissions=MANAGE_MESSAGES)
        organizers = emu.add_role("Organizer", permissions=MANAGE_MESSAGES)
        announcements = emu.add_text_channel("announcements")
        questions = emu.add_text_channel("questions")
        for channel in sorted({name.lstrip("#") for name in (rooms or {}).values()}):
            emu.add_text_channel(channel)
        attendee = emu.add_member("alice", display_name="Alice")
        moderator = emu.add_member("mo", display_name="Mo", roles=[moderators])
        organizer = emu.add_member("olga", display_name="Olga", roles=[organizers])
        settings = Settings(
            discord_token=emu.token,
            guild_id=emu.guild.id,
            announce_channel="announcements",
            qa_channel=qa_channel,
            data_dir=tmp_path / "data",
            schedule=location or str(schedule_path),
            web_listen=web_listen,
            rooms=rooms or {},
            **more,
        )
        async with discord_app(settings, clock=clock) as bot, emu.run_client(bot):
            await asyncio.wait_for(bot.chair.started.wait(), 10)
            yield Event(
                emu, bot, bot.chair, clock, attendee, moderator, organizer, announcements, questions, schedule_path
            )


@pytest.fixture
async def event(tmp_path: Path) -> AsyncIterator[Event]:
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE)) as running:
        # At 09:10 the bot catches up on the "now live" of Invited Talk 1 (useful until 09:30), marked late;
        # the tests start once that is done.
        await running.emu.wait_for_message(running.announcements, lambda m: "Invited Talk 1" in m.content)
        await running.emu.wait_until(lambda: running.chair.announcer is not None and not running.chair.announcer.busy())
        yield running


@contextlib.asynccontextmanager
async def restarted(event: Event) -> AsyncIterator[ChairBot]:
    """The bot of ``event`` stopped and started again on the same data (as after a crash or a deploy)."""
    settings = event.chair.settings
    await event.bot.close()
    async with discord_app(settings, clock=event.clock) as bot, event.emu.run_client(bot):
        await asyncio.wait_for(bot.chair.started.wait(), 10)
        yield bot


async def settled(result: InteractionResult, timeout: float = 10.0) -> InteractionResult:
    """The interaction once the bot has said something: after a "thinking" deferral, its first followup."""
    if result.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE:
        await result.wait_followups(1, timeout=timeout)
    return result
