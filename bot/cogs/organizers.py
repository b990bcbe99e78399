"""``/announce``: organizers post an announcement after seeing a preview and confirming it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cogs.access import is_organizer, organizers_only, reply, report_error
from bot.messages import MESSAGE_LIMIT

if TYPE_CHECKING:
    from bot.chair import ChairBot

PREVIEW_TIMEOUT_S = 300.0


class ConfirmAnnouncement(discord.ui.View):
    """Post / Cancel buttons under a preview; only organizers can press them, once."""

    def __init__(self, bot: ChairBot, text: str, channel: discord.abc.Messageable) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_S)
        self.bot = bot
        self.text = text
        self.channel = channel

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not is_organizer(self.bot, interaction.user):
            await reply(interaction, "Only organizers can post announcements.")
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await report_error(interaction, error)

    @discord.ui.button(label="Post", style=discord.ButtonStyle.primary)
    async def post(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.stop()
        message = await self.bot.post(self.channel, self.text)
        note = (
            f"Posted in {getattr(self.channel, 'mention', 'the channel')}." if message else "Posting failed; see logs."
        )
        await interaction.response.edit_message(content=f"{note}\n\n{self.text}"[:MESSAGE_LIMIT], view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled; nothing was posted.", view=None)


class Organizers(commands.Cog):
    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot

    @app_commands.command(name="announce", description="Organizers: post an announcement (after a preview).")
    @app_commands.describe(
        text="What to announce (Discord markdown allowed; mentions are not pinged)",
        channel="Where to post it (default: the announcement channel)",
    )
    @app_commands.guild_only()
    @organizers_only()
    async def announce(
        self,
        interaction: discord.Interaction[Any],
        text: app_commands.Range[str, 1, 1900],
        channel: discord.TextChannel | None = None,
    ) -> None:
        target: discord.abc.Messageable = channel or self.bot.announce_channel()
        where = getattr(target, "mention", "the announcement channel")
        await reply(
            interaction,
            f"**Preview** — to be posted in {where}:\n\n{text}",
            view=ConfirmAnnouncement(self.bot, text, target),
        )
