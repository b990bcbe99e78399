"""Application commands: sync, slash commands with options and subcommands, autocomplete, and the 3-second rule."""

from __future__ import annotations

import discord
import pytest

from tests.emulator import CallbackType, DiscordEmulator

from .conftest import TinyBot


async def test_guild_command_sync_is_recorded_with_options(emu: DiscordEmulator, bot: TinyBot) -> None:
    [sync] = emu.requests_matching("PUT", rf"/applications/{emu.application_id}/guilds/{emu.guild.id}/commands")
    assert {c["name"] for c in sync.json} == {"ask", "qa", "post", "feedback", "announce", "slow"}
    ask = next(c for c in emu.guild_commands() if c["name"] == "ask")
    assert [(o["name"], o["type"], o.get("required", False)) for o in ask["options"]] == [
        ("question", 3, True),
        ("session", 3, False),
    ]
    assert ask["options"][1]["autocomplete"] is True
    assert emu.global_commands() == []


async def test_global_command_sync_is_recorded_and_invocable(emu: DiscordEmulator) -> None:
    class GlobalBot(TinyBot):
        async def setup_hook(self) -> None:
            @self.tree.command(description="Is the bot alive?")
            async def ping(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("pong", ephemeral=True)

            await self.tree.sync()

    async with emu.run_client(GlobalBot(emu.guild.id)):
        assert [c["name"] for c in emu.global_commands()] == ["ping"]
        assert emu.requests_matching("PUT", rf"/applications/{emu.application_id}/commands")
        result = await emu.slash("ping", user=emu.owner)
        assert "guild_id" not in result.payload["data"]  # a global command's data names no guild
        assert result.content == "pong"


async def test_resync_keeps_command_ids(emu: DiscordEmulator, bot: TinyBot) -> None:
    before = {c["name"]: c["id"] for c in emu.guild_commands()}
    await bot.tree.sync(guild=discord.Object(emu.guild.id))
    assert {c["name"]: c["id"] for c in emu.guild_commands()} == before


async def test_fetched_commands_match_the_synced_ones(emu: DiscordEmulator, bot: TinyBot) -> None:
    fetched = await bot.tree.fetch_commands(guild=discord.Object(emu.guild.id))
    assert sorted(c.name for c in fetched) == sorted(c["name"] for c in emu.guild_commands())


async def test_slash_command_answer_is_recorded_with_the_ephemeral_flag(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice", display_name="Alice")
    qa = emu.add_text_channel("qa")

    result = await emu.slash("ask", {"question": "Why?"}, user=alice, channel=qa)

    assert result.callback_type == CallbackType.CHANNEL_MESSAGE
    assert result.data["flags"] == 64
    assert result.ephemeral
    assert result.data["allowed_mentions"] == {"parse": []}
    assert result.content == "Queued: Why?"
    assert result.latency is not None
    assert 0 < result.latency < 3
    assert bot.seen == [("ask", alice.id, "Why?", None)]
    assert emu.messages_in(qa) == []  # ephemeral answers are not in the channel


async def test_subcommand_group_reaches_its_handler(emu: DiscordEmulator, bot: TinyBot) -> None:
    mod = emu.add_member("mod")
    result = await emu.slash("qa next", user=mod)
    assert result.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE
    assert result.payload["data"]["options"] == [{"name": "next", "type": 1, "options": []}]
    await emu.wait_until(lambda: ("original", "Queue: 1 left") in bot.seen, what="the handler to finish")


async def test_autocomplete_choices_are_recorded(emu: DiscordEmulator, bot: TinyBot) -> None:
    alice = emu.add_member("alice")
    result = await emu.autocomplete("ask", {"question": "Why?", "session": "pos"}, focused="session", user=alice)
    assert result.callback_type == CallbackType.AUTOCOMPLETE_RESULT
    assert result.choices == [{"name": "Poster session", "value": "Poster session"}]


async def test_unsynced_command_cannot_be_sent(emu: DiscordEmulator, bot: TinyBot) -> None:
    with pytest.raises(LookupError, match="no application command /nope"):
        emu.send_slash("nope", user=emu.owner)


async def test_unknown_option_is_refused_before_sending(emu: DiscordEmulator, bot: TinyBot) -> None:
    with pytest.raises(LookupError, match="has no option"):
        emu.send_slash("ask", {"question": "Why?", "sesion": "typo"}, user=emu.owner)


async def test_default_member_permissions_hide_a_command_unless_overridden(emu: DiscordEmulator) -> None:
    class GuardedBot(TinyBot):
        async def setup_hook(self) -> None:
            @self.tree.command(guild=discord.Object(self.guild_id), description="Moderators only")
            @discord.app_commands.default_permissions(manage_messages=True)
            async def purge(interaction: discord.Interaction) -> None:
                await interaction.response.send_message("purged", ephemeral=True)

            await super().setup_hook()

    attendee = emu.add_member("attendee")
    async with emu.run_client(GuardedBot(emu.guild.id)):
        with pytest.raises(PermissionError, match="default_member_permissions"):
            emu.send_slash("purge", user=attendee)
        overridden = await emu.slash("purge", user=attendee, bypass_default_permissions=True)
        assert overridden.content == "purged"


async def test_callback_after_the_deadline_is_unknown_interaction() -> None:
    strict = DiscordEmulator(interaction_deadline=0.1)  # Discord allows 3 s; the tiny bot's /slow takes 0.3 s
    async with strict, strict.run_client(TinyBot(strict.guild.id)) as bot:
        result = await strict.slash("slow", user=strict.owner)
        assert not result.answered
        assert result.rejected_callbacks == [(404, 10062)]
        await strict.wait_until(lambda: ("late", 10062) in bot.seen, what="the bot to see NotFound")


async def test_oversized_response_is_refused_and_the_result_says_why(emu: DiscordEmulator, bot: TinyBot) -> None:
    result = await emu.slash("ask", {"question": "x" * 1995}, user=emu.owner)  # "Queued: " makes it 2003 long
    assert not result.answered
    assert result.rejected_callbacks == [(400, 50035)]
