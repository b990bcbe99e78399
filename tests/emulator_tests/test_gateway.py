"""The gateway's connection lifecycle: heartbeats, dropped connections and RESUME, invalid sessions, chunking."""

from __future__ import annotations

import itertools

import discord

from tests.emulator import DiscordEmulator
from tests.emulator.gateway import Op

from .conftest import TinyBot


async def test_client_heartbeats_at_the_interval_sent_in_hello() -> None:
    async with DiscordEmulator(heartbeat_interval=0.1) as fast, fast.run_client(TinyBot(fast.guild.id)):
        connection = fast.connections[-1]
        await fast.wait_until(lambda: len(connection.heartbeats) >= 4, timeout=3, what="four heartbeats")
        times = [at for at, _ in connection.heartbeats]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # On average, not each: a busy loop may read two beats at once.
        assert 0.08 <= sum(gaps) / len(gaps) <= 0.5, gaps
        assert connection.heartbeats[-1][1] == connection.session.seq  # type: ignore[union-attr]


async def test_server_requested_heartbeat_is_answered_at_once(emu: DiscordEmulator, bot: TinyBot) -> None:
    connection = emu.connections[-1]
    before = len(connection.heartbeats)
    emu.request_heartbeat()
    await emu.wait_until(lambda: len(connection.heartbeats) > before, timeout=2, what="a heartbeat on request")


async def test_dropped_connection_resumes_and_interactions_still_arrive(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    session = emu.sessions[-1]

    assert await emu.drop_gateway(code=4000) == 1
    await emu.wait_resumed(1)

    resumed_on = emu.connections[-1]
    assert resumed_on.path == "/gateway-resume"
    assert Op.RESUME in resumed_on.ops
    assert Op.IDENTIFY not in resumed_on.ops
    assert emu.sessions == [session]  # the same session, not a new IDENTIFY
    result = await emu.slash("ask", {"question": "Still there?"}, user=alice)
    assert result.content == "Queued: Still there?"


async def test_events_sent_while_disconnected_are_replayed_on_resume(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    await emu.drop_gateway(abort=True)  # no close frame: the socket just dies
    pending = emu.send_slash("ask", {"question": "Did this survive?"}, user=alice)

    await pending.wait_answered(timeout=5)

    assert emu.sessions[-1].resumes == 1
    assert ("ask", alice.id, "Did this survive?", None) in bot.seen


class EagerBot(TinyBot):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py sleeps 5 s before every re-IDENTIFY (identify rate limit); nothing to protect here.
        return None


async def test_invalid_session_makes_the_client_identify_again(emu: DiscordEmulator) -> None:
    alice = emu.add_member("alice")
    async with emu.run_client(EagerBot(emu.guild.id)):
        emu.invalidate_session(resumable=False)

        fresh = await emu.wait_identified(2)
        await emu.wait_until(lambda: fresh.connected, what="the new session to be ready")

        assert emu.connections[-1].path == "/gateway"  # a new session starts at the default gateway, not resume URL
        result = await emu.slash("ask", {"question": "New session?"}, user=alice)
        assert result.answered


async def test_reconnect_request_is_followed_by_resume(emu: DiscordEmulator, bot: TinyBot) -> None:
    emu.request_reconnect()
    session = await emu.wait_resumed(1)
    assert session.connected


async def test_large_guild_is_chunked_on_request() -> None:
    async with DiscordEmulator() as big:
        big.add_members(300)
        client = TinyBot(big.guild.id)
        async with big.run_client(client, timeout=15):
            guild = client.get_guild(big.guild.id)
            await big.wait_until(lambda: guild is not None and guild.chunked, what="the guild to be chunked")
            assert guild is not None
            assert len(guild.members) == 302
            assert Op.REQUEST_GUILD_MEMBERS in big.connections[-1].ops


async def test_member_added_later_reaches_the_cache(emu: DiscordEmulator, bot: TinyBot) -> None:
    bob = emu.add_member("bob", display_name="Bob")
    guild = bot.get_guild(emu.guild.id)
    assert guild is not None
    member = await emu.wait_until(lambda: guild.get_member(bob.id), what="GUILD_MEMBER_ADD")
    assert isinstance(member, discord.Member)
    assert member.display_name == "Bob"
