"""Option limits: what Discord's client refuses to send, what it sends while typing, and what it refuses to register."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord import app_commands

from tests.emulator import DiscordEmulator

from .conftest import TinyBot


def add_limited_ask(bot: TinyBot) -> None:
    """``/limited question [session]``: the question must be 3 to 20 characters long."""

    @app_commands.command(description="Ask within limits")
    async def limited(
        interaction: discord.Interaction[Any], question: app_commands.Range[str, 3, 20], session: str = ""
    ) -> None:
        await interaction.response.send_message(f"Got {len(question)}", ephemeral=True)

    @limited.autocomplete("session")
    async def session_choices(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name="Keynote", value="keynote")]

    bot.tree.add_command(limited, guild=discord.Object(bot.guild_id))


def add_overlong_option(bot: TinyBot) -> None:
    """``/overlong text``: a string option allowed longer than Discord's 6,000 characters."""

    @app_commands.command(description="Asks for too much")
    async def overlong(interaction: discord.Interaction[Any], text: app_commands.Range[str, 1, 6001]) -> None:
        await interaction.response.send_message("never", ephemeral=True)

    bot.tree.add_command(overlong, guild=discord.Object(bot.guild_id))


async def test_a_value_outside_the_synced_lengths_is_not_sent(emu: DiscordEmulator, bot: TinyBot) -> None:
    add_limited_ask(bot)
    await bot.tree.sync(guild=discord.Object(emu.guild.id))
    option = next(c for c in emu.guild_commands() if c["name"] == "limited")["options"][0]
    assert (option["min_length"], option["max_length"]) == (3, 20)
    for text in ("no", "x" * 21):
        with pytest.raises(ValueError, match="outside the allowed range 3 to 20"):
            emu.send_slash("limited", {"question": text}, user=emu.owner)
    assert (await emu.slash("limited", {"question": "x" * 20}, user=emu.owner)).content == "Got 20"


async def test_while_typing_an_unfinished_option_goes_with_the_autocomplete(emu: DiscordEmulator, bot: TinyBot) -> None:
    add_limited_ask(bot)
    await bot.tree.sync(guild=discord.Object(emu.guild.id))
    result = await emu.autocomplete("limited", {"question": "W", "session": "k"}, focused="session", user=emu.owner)
    assert [c["value"] for c in result.choices] == ["keynote"]


async def test_a_client_with_an_older_copy_sends_other_lengths_up_to_6000(emu: DiscordEmulator, bot: TinyBot) -> None:
    add_limited_ask(bot)
    await bot.tree.sync(guild=discord.Object(emu.guild.id))
    result = await emu.slash("limited", {"question": "x" * 6000}, user=emu.owner, stale_limits=True)
    assert result.content == "Got 6000"
    with pytest.raises(ValueError, match="outside the allowed range"):
        emu.send_slash("limited", {"question": "x" * 6001}, user=emu.owner, stale_limits=True)


async def test_a_string_option_longer_than_6000_cannot_be_registered(emu: DiscordEmulator, bot: TinyBot) -> None:
    add_overlong_option(bot)
    with pytest.raises(discord.HTTPException) as caught:
        await bot.tree.sync(guild=discord.Object(emu.guild.id))
    assert caught.value.code == 50035
    assert "overlong" not in [c["name"] for c in emu.guild_commands()]
