"""Discord's limits that a conference-size bot runs into, held by the emulator as Discord holds them: 100
uncompleted scheduled events per server (30038), 5 messages per 5 s in one channel (429 with its headers), DMs
closed (50007) and DMs opened too fast (40003)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from tests.clocks import HandClock
from tests.emulator import DiscordEmulator

from .conftest import TinyBot

MORNING = dt.datetime(2030, 6, 3, 8, 0, tzinfo=dt.UTC)


def text_channel(bot: TinyBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def create_event(guild: discord.Guild, n: int, start: dt.datetime) -> discord.ScheduledEvent:
    return await guild.create_scheduled_event(
        name=f"Talk {n}",
        start_time=start,
        end_time=start + dt.timedelta(minutes=30),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="Room 1",
    )


@pytest.fixture
async def clocked() -> AsyncIterator[tuple[DiscordEmulator, TinyBot, HandClock]]:
    """An emulator whose Discord runs on a clock the test moves, and the tiny bot on it."""
    clock = HandClock(MORNING)
    async with (
        DiscordEmulator(heartbeat_interval=5.0, clock=clock) as emu,
        emu.run_client(TinyBot(emu.guild.id)) as bot,
    ):
        yield emu, bot, clock


async def test_the_101st_uncompleted_event_is_refused_with_30038(
    clocked: tuple[DiscordEmulator, TinyBot, HandClock],
) -> None:
    emu, bot, _ = clocked
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    for n in range(100):
        await create_event(guild, n, MORNING + dt.timedelta(hours=1, minutes=n))
    with pytest.raises(discord.HTTPException) as refused:
        await create_event(guild, 100, MORNING + dt.timedelta(hours=3))
    assert (refused.value.status, refused.value.code) == (400, 30038)
    assert refused.value.text == "Maximum number of uncompleted guild scheduled events reached (100)"
    assert (emu.uncompleted_events(), emu.most_uncompleted_events()) == (100, 100)


async def test_a_cancelled_or_ended_event_frees_a_place(clocked: tuple[DiscordEmulator, TinyBot, HandClock]) -> None:
    emu, bot, clock = clocked
    emu.world.scheduled_events_max = 3  # the rule is the same at 100; three keep the test short
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    events = [await create_event(guild, n, MORNING + dt.timedelta(hours=1 + n)) for n in range(3)]
    await events[2].cancel()
    await create_event(guild, 3, MORNING + dt.timedelta(hours=5))
    with pytest.raises(discord.HTTPException):
        await create_event(guild, 4, MORNING + dt.timedelta(hours=6))
    # External events begin at their start and end at their end by themselves, as on Discord.
    clock.now = MORNING + dt.timedelta(hours=1, minutes=10)
    assert [e.status for e in emu.scheduled_events()[:2]] == [2, 1]  # active, scheduled
    clock.now = MORNING + dt.timedelta(hours=1, minutes=30)
    assert emu.scheduled_events()[0].status == 3  # completed
    await create_event(guild, 4, MORNING + dt.timedelta(hours=6))
    assert emu.most_uncompleted_events() == 3


async def test_a_sixth_message_in_five_seconds_is_answered_429_and_other_channels_are_not_held(
    emu: DiscordEmulator,
) -> None:
    busy, quiet = emu.general, emu.add_text_channel("quiet")
    auth = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession(headers=auth) as http:

        async def post(channel_id: int) -> tuple[int, dict[str, str], object]:
            url = f"{emu.api_url}/channels/{channel_id}/messages"
            async with http.post(url, json={"content": "hello"}) as response:
                return response.status, dict(response.headers), await response.json()

        accepted = [await post(busy.id) for _ in range(5)]
        status, headers, body = await post(busy.id)
        elsewhere, _, _ = await post(quiet.id)

    assert [s for s, _, _ in accepted] == [200] * 5
    assert [h["X-RateLimit-Remaining"] for _, h, _ in accepted] == ["4", "3", "2", "1", "0"]
    last = accepted[-1][1]
    assert last["X-RateLimit-Limit"] == "5"
    assert 4.9 < float(last["X-RateLimit-Reset-After"]) <= 5.0
    assert float(last["X-RateLimit-Reset"]) > 0
    assert status == 429
    assert isinstance(body, dict)
    assert body["global"] is False
    assert 4.5 < body["retry_after"] <= 5.0
    assert headers["Retry-After"] == "5"
    assert headers["X-RateLimit-Scope"] == "user"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Bucket"] == last["X-RateLimit-Bucket"]
    assert "Via" in headers  # a 429 from Discord's API, not a Cloudflare ban
    assert elsewhere == 200
    assert (len(emu.posted_at(busy)), len(emu.posted_at(quiet))) == (5, 1)
    assert emu.most_posts_within(5.0) == 5


async def test_discord_py_waits_on_the_headers_and_gets_every_message_through(
    emu: DiscordEmulator, bot: TinyBot
) -> None:
    emu.set_message_limit(5, 0.5)  # Discord's rule on a tenth of its window, to keep the test short
    channel = text_channel(bot, emu.general.id)
    for n in range(8):
        await channel.send(f"one by one {n}")
    await asyncio.gather(*(channel.send(f"all at once {n}") for n in range(8)))

    assert len(emu.messages_in(emu.general)) == 16
    assert emu.most_posts_within(0.5) <= 5
    assert 429 not in [r.status for r in emu.requests_matching("POST", r"/channels/\d+/messages")]


async def test_a_member_whose_dms_are_closed_answers_50007(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    user = await bot.fetch_user(alice.id)
    await user.send("Your talk is next.")
    emu.set_accepts_dms(alice, False)
    with pytest.raises(discord.Forbidden) as refused:
        await user.send("Reminder")
    assert (refused.value.code, refused.value.text) == (50007, "Cannot send messages to this user")
    assert [m.content for m in emu.dms_to(alice)] == ["Your talk is next."]


async def test_opening_dms_too_fast_answers_40003_until_the_window_passes(emu: DiscordEmulator, bot: TinyBot) -> None:
    members = emu.add_members(4)
    limit = emu.limit_dm_opens(3, window=0.3)
    assert limit is not None
    users = [await bot.fetch_user(m.id) for m in members]
    for user in users[:3]:
        await user.send("Reminder")
    with pytest.raises(discord.Forbidden) as refused:
        await users[3].send("Reminder")
    assert (refused.value.status, refused.value.code) == (403, 40003)
    assert refused.value.text == "You are opening direct messages too fast."
    assert limit.refused == 1
    await asyncio.sleep(0.3)
    await users[3].send("Reminder")
    assert [len(emu.dms_to(m)) for m in members] == [1, 1, 1, 1]
    emu.limit_dm_opens(None)
