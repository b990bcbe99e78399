"""Injected faults and how discord.py copes: rate limits, server errors, slow answers; rate-limit headers."""

from __future__ import annotations

import time

import aiohttp
import discord
import pytest

from tests.emulator import DiscordEmulator

from .conftest import TinyBot

MESSAGES = r"/channels/\d+/messages"


def text_channel(bot: TinyBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_rate_limited_post_is_retried_and_posted_once(emu: DiscordEmulator, bot: TinyBot) -> None:
    fault = emu.fail_next("POST", MESSAGES, 429, retry_after=0.2)
    started = time.perf_counter()
    await text_channel(bot, emu.general.id).send("Talk starts now")

    assert time.perf_counter() - started >= 0.2  # discord.py waited retry_after before retrying
    assert fault.hits == 1
    assert [r.status for r in emu.requests_matching("POST", MESSAGES)] == [429, 200]
    assert [m.content for m in emu.messages_in(emu.general)] == ["Talk starts now"]


async def test_global_rate_limit_is_retried(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.fail_next("POST", MESSAGES, 429, retry_after=0.1, global_=True)
    await text_channel(bot, emu.general.id).send("after the global limit")
    assert [r.status for r in emu.requests_matching("POST", MESSAGES)] == [429, 200]


async def test_cloudflare_429_without_via_is_not_retried(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.fail_next("POST", MESSAGES, 429, cloudflare=True)
    with pytest.raises(discord.HTTPException) as caught:
        await text_channel(bot, emu.general.id).send("blocked")
    assert caught.value.status == 429
    assert emu.messages_in(emu.general) == []


@pytest.mark.parametrize("status", [500, 502])
async def test_server_error_on_post_is_retried_and_posted_once(emu: DiscordEmulator, bot: TinyBot, status: int) -> None:
    emu.fail_next("POST", MESSAGES, status)  # a 502 comes as an HTML page, not JSON
    await text_channel(bot, emu.general.id).send("despite a 5xx")  # discord.py sleeps 1 s before the retry
    assert [r.status for r in emu.requests_matching("POST", MESSAGES)] == [status, 200]
    assert len(emu.messages_in(emu.general)) == 1


async def test_service_unavailable_is_raised_without_retry(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.fail_next("POST", MESSAGES, 503)
    with pytest.raises(discord.DiscordServerError):
        await text_channel(bot, emu.general.id).send("not retried")
    assert [r.status for r in emu.requests_matching("POST", MESSAGES)] == [503]
    assert emu.messages_in(emu.general) == []


async def test_slow_response_delays_the_call(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.delay_next("POST", MESSAGES, 0.3)
    started = time.perf_counter()
    await text_channel(bot, emu.general.id).send("slowly")
    assert time.perf_counter() - started >= 0.3
    assert len(emu.messages_in(emu.general)) == 1


async def test_latency_counts_to_the_callback_arrival_not_the_slow_answer(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.delay_next("POST", r"/interactions/\d+/[^/]+/callback", 0.2)
    started = time.perf_counter()
    result = await emu.slash("ask", {"question": "Why?"}, user=emu.owner)
    assert time.perf_counter() - started >= 0.2
    assert result.latency is not None
    assert result.latency < 0.2


async def test_normal_answers_carry_rate_limit_headers(emu: DiscordEmulator) -> None:
    headers = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession() as session, session.get(f"{emu.api_url}/users/@me", headers=headers) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json"
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset-After", "X-RateLimit-Bucket"):
            assert name in response.headers


async def test_429_carries_discord_body_and_headers(emu: DiscordEmulator) -> None:
    emu.fail_next("GET", "/users/@me", 429, retry_after=0.25)
    headers = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession() as session, session.get(f"{emu.api_url}/users/@me", headers=headers) as response:
        assert response.status == 429
        assert await response.json() == {"message": "You are being rate limited.", "retry_after": 0.25, "global": False}
        assert response.headers["Retry-After"] == "1"
        assert response.headers["X-RateLimit-Remaining"] == "0"
        assert response.headers["X-RateLimit-Scope"] == "user"


async def test_enforced_rate_limit_makes_discord_py_wait() -> None:
    # The budget under test is the route's (2 in 0.3 s); the channel's own 5 in 5 s would add a 5 s wait at the end.
    strict = DiscordEmulator(rate_limit=2, rate_limit_window=0.3, enforce_rate_limits=True, message_limit=None)
    async with strict, strict.run_client(TinyBot(strict.guild.id)) as client:
        channel = text_channel(client, strict.general.id)
        for n in range(5):
            await channel.send(f"burst {n}")
        statuses = [r.status for r in strict.requests_matching("POST", MESSAGES)]
        assert len(strict.messages_in(strict.general)) == 5
        assert 429 not in statuses  # discord.py read the headers and waited for the bucket to reset
