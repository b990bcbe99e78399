"""Logging in: the real client authenticates, connects, and sees the modelled guild in its cache."""

from __future__ import annotations

from collections.abc import Callable

import discord
import pytest

from tests.emulator import DiscordEmulator

from .conftest import TinyBot


async def test_client_sees_guild_channels_roles_and_members_after_ready(
    emu: DiscordEmulator, make_bot: Callable[..., TinyBot]
) -> None:
    moderator = emu.add_role("Moderator", discord.Permissions(manage_messages=True))
    alice = emu.add_member("alice", display_name="Alice", roles=[moderator])
    talks = emu.add_category("Talks")
    hall = emu.add_stage_channel("main-hall", category=talks)
    qa = emu.add_text_channel("qa", category=talks, topic="Questions")

    async with emu.run_client(make_bot()) as bot:
        guild = bot.get_guild(emu.guild.id)
        assert guild is not None
        assert guild.name == "Workshop"
        assert bot.user is not None
        assert bot.user.id == emu.bot.id
        assert {c.name for c in guild.channels} == {"general", "Talks", "main-hall", "qa"}
        assert isinstance(guild.get_channel(hall.id), discord.StageChannel)
        qa_channel = guild.get_channel(qa.id)
        assert qa_channel is not None
        assert qa_channel.category is not None
        assert qa_channel.category.id == talks.id
        role = guild.get_role(moderator.id)
        assert role is not None
        assert role.permissions.manage_messages
        member = guild.get_member(alice.id)
        assert member is not None
        assert member.display_name == "Alice"
        assert moderator.id in [r.id for r in member.roles]
        assert guild.me.guild_permissions.send_messages


async def test_login_fetches_user_and_application_info(emu: DiscordEmulator, bot: TinyBot) -> None:
    paths = [r.path for r in emu.requests_matching("GET", r".*")]
    assert "/users/@me" in paths
    assert "/oauth2/applications/@me" in paths
    assert bot.application_id == emu.application_id


async def test_ready_hands_out_a_resume_url_on_the_emulator(emu: DiscordEmulator, bot: TinyBot) -> None:
    assert bot.ws is not None
    assert str(bot.ws.gateway) == emu.gateway.resume_url
    assert emu.sessions[-1].connection is not None


async def test_gateway_speaks_zlib_stream_when_asked(emu: DiscordEmulator, bot: TinyBot) -> None:
    connection = emu.connections[-1]
    assert connection.request.query["compress"] == "zlib-stream"
    assert connection.compression == "zlib-stream"
    assert bot.get_guild(emu.guild.id) is not None  # the compressed READY and GUILD_CREATE were understood


async def test_wrong_token_is_refused_at_login(emu: DiscordEmulator, make_bot: Callable[..., TinyBot]) -> None:
    client = make_bot()
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()


async def test_privileged_intent_not_granted_closes_the_gateway_with_4014() -> None:
    async with DiscordEmulator(privileged_intents=0) as strict:
        client = TinyBot(strict.guild.id)  # asks for the members intent
        with pytest.raises(discord.PrivilegedIntentsRequired):
            await client.start(strict.token)
        await client.close()
        connection = strict.connections[-1]
        await strict.wait_until(lambda: connection.closed, what="the refused connection to close")
        assert connection.close_code == 4014


async def test_discord_py_addresses_are_restored_when_the_emulator_stops() -> None:
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with DiscordEmulator() as local:
        assert local.api_url == discord.http.Route.BASE
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == local.gateway_url
    assert before == (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


async def test_autosharded_client_finds_the_gateway_through_gateway_bot(emu: DiscordEmulator) -> None:
    client = discord.AutoShardedClient(intents=discord.Intents.default())
    async with emu.run_client(client):
        assert client.shard_count == 1
        assert emu.requests_matching("GET", "/gateway/bot")
        assert emu.sessions[-1].shard == [0, 1]
        assert client.get_guild(emu.guild.id) is not None
