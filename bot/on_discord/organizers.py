"""``/announce``: organizers post an announcement, now or at a given time, after seeing a preview and
confirming it; ``/announcements list|cancel`` manage the scheduled ones (stored, so they survive a restart)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.chair import Chair
from bot.errors import Refusal
from bot.messages import MESSAGE_LIMIT, Post, escape_text, shorten
from bot.on_discord.access import chair_of, find_channel, is_organizer, organizers_only
from bot.on_discord.replies import reply, report_error, send_long
from bot.timefmt import discord_timestamp, zones_line

PREVIEW_TIMEOUT_S = 300.0


class ConfirmAnnouncement(discord.ui.View):
    """Post / Cancel buttons under a preview; only organizers can press them, once."""

    def __init__(self, chair: Chair, text: str, channel: discord.abc.GuildChannel, at: dt.datetime | None) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_S)
        self.chair = chair
        self.text = text
        self.channel = channel
        self.at = at

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if not is_organizer(self.chair, interaction.user):
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
        channel = str(self.channel.id)
        if self.at is None:
            assert self.chair.publisher is not None
            posted = await self.chair.publisher.announce([Post(content=self.text)], channel)
            note = f"Posted in {self.channel.mention}." if posted else "Posting failed; Discord refused it."
        else:
            item = await self.chair.schedule_note(self.text, channel, self.at, str(interaction.user.id))
            note = (
                f"Scheduled as `{item.id}` for {discord_timestamp(self.at, 'F')} in {self.channel.mention}; "
                "`/announcements cancel` withdraws it."
            )
        await interaction.response.edit_message(content=f"{note}\n\n{self.text}"[:MESSAGE_LIMIT], view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled; nothing was posted.", view=None)


class Organizers(commands.Cog):
    announcements = app_commands.Group(
        name="announcements", description="Organizers: scheduled announcements.", guild_only=True
    )

    def __init__(self, chair: Chair) -> None:
        self.chair = chair

    @app_commands.command(name="announce", description="Organizers: post an announcement now or later (preview first).")
    @app_commands.describe(
        text="What to announce (Discord markdown allowed; mentions are not pinged)",
        at="When: 15:30 (venue time), 2024-05-11 15:30, 15:30 America/New_York, or in 20 min; default now",
        channel="Where to post it (default: the announcement channel)",
    )
    @app_commands.guild_only()
    @organizers_only()
    async def announce(
        self,
        interaction: discord.Interaction[Any],
        text: app_commands.Range[str, 1, 1800],
        at: str | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        target = channel or _announce_channel(interaction, self.chair)
        when = self.chair.when(at) if at else None
        event = self.chair.schedule.event
        timing = "now"
        if when is not None:
            timing = (
                f"at {discord_timestamp(when, 'F')} ({discord_timestamp(when, 'R')})\n"
                f"{zones_line(when, event.timezone, event.display_timezones)}"
            )
        preview = f"**Preview** — to be posted in {target.mention} {timing}:\n\n{text}"
        await reply(interaction, preview[:MESSAGE_LIMIT], view=ConfirmAnnouncement(self.chair, text, target, when))

    @app_commands.command(name="status", description="Organizers: what the bot will post next, and how it is doing.")
    @app_commands.guild_only()
    @organizers_only()
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        stats = getattr(interaction.client, "gateway_stats", None)
        health = await self.chair.health(stats() if callable(stats) else None)
        lines = ["**chairbot status**"]
        if health.next_announcement and health.next_at:
            lines.append(f"Next: `{health.next_announcement}` {discord_timestamp(health.next_at, 'R')}")
        else:
            lines.append("Next: nothing planned.")
        if health.last_posted:
            lines.append(
                f"Last: `{health.last_posted}` {health.last_outcome}, {health.last_lateness_s:.1f} s after its time"
            )
        lines.append("Outbox: " + (", ".join(f"{k} {v}" for k, v in health.outbox.items() if v) or "empty"))
        lines.append("Questions: " + (", ".join(f"{k} {v}" for k, v in health.questions.items() if v) or "none yet"))
        if health.cancelled_sessions:
            lines.append("Cancelled: " + ", ".join(f"`{i}`" for i in health.cancelled_sessions))
        if health.latency_ms is not None:
            lines.append(f"Gateway latency: {health.latency_ms:.0f} ms")
        if health.interactions_dropped:
            lines.append(
                f"Behind: {health.interactions_dropped} interaction(s) arrived too late to answer in Discord's "
                "3 seconds and were dropped"
            )
        await reply(interaction, "\n".join(lines))

    @announcements.command(name="list", description="Scheduled announcements not yet posted.")
    @organizers_only()
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        pending = await self.chair.notes()
        if not pending:
            await reply(interaction, "No scheduled announcements.")
            return
        lines = [
            f"`{item.id}` {discord_timestamp(item.due_at, 'f')} ({discord_timestamp(item.due_at, 'R')}) "
            f"in <#{item.channel}>: {escape_text(shorten(item.text or '', 200), one_line=True)}"
            for item in pending
        ]
        await send_long(interaction, "\n".join(lines))

    @announcements.command(name="cancel", description="Withdraw a scheduled announcement.")
    @organizers_only()
    async def cancel(self, interaction: discord.Interaction[Any], announcement: str) -> None:
        if await self.chair.cancel_note(announcement, str(interaction.user.id)):
            await reply(interaction, f"`{escape_text(announcement)}` is withdrawn; it will not be posted.")
        else:
            await reply(
                interaction, f"`{escape_text(announcement)}` is not a scheduled announcement (already posted?)."
            )

    @cancel.autocomplete("announcement")
    async def _pending(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=shorten(f"{item.id}: {item.text or ''}", 100), value=item.id)
            for item in await self.chair.notes()
            if current.casefold() in f"{item.id} {item.text}".casefold()
        ][:25]


def _announce_channel(interaction: discord.Interaction[Any], chair: Chair) -> discord.TextChannel:
    found = find_channel(interaction.guild.channels if interaction.guild else [], chair.settings.announce_channel)
    if not isinstance(found, discord.TextChannel):
        raise Refusal(f"The announcement channel {chair.settings.announce_channel!r} is not a text channel here.")
    return found


async def setup(bot: commands.Bot) -> None:
    """Add ``/announce``, ``/announcements`` and ``/status``."""
    await bot.add_cog(Organizers(chair_of(bot)))
