"""``/announce``: organizers post an announcement, now or at a given time, after seeing a preview and
confirming it; ``/announcements list|cancel`` manage the scheduled ones (stored, so they survive a restart)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.announce.outbox import Planned
from bot.announce.when import parse_when
from bot.cogs.access import is_organizer, organizers_only, reply, report_error, send_long
from bot.health import health_report
from bot.messages import MESSAGE_LIMIT, escape_text, shorten
from bot.timefmt import discord_timestamp, zones_line

if TYPE_CHECKING:
    from bot.chair import ChairBot

PREVIEW_TIMEOUT_S = 300.0
#: A scheduled announcement missed while the bot was down is still posted up to this long after its time.
NOTE_STALE_AFTER = dt.timedelta(hours=1)
NOTE_KIND = "note"


class ConfirmAnnouncement(discord.ui.View):
    """Post / Cancel buttons under a preview; only organizers can press them, once."""

    def __init__(self, bot: ChairBot, text: str, channel: discord.abc.GuildChannel, at: dt.datetime | None) -> None:
        super().__init__(timeout=PREVIEW_TIMEOUT_S)
        self.bot = bot
        self.text = text
        self.channel = channel
        self.at = at

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
        if self.at is None:
            message = await self.bot.post(self.channel, self.text)  # type: ignore[arg-type]
            note = f"Posted in {self.channel.mention}." if message else "Posting failed; Discord refused it."
        else:
            announcer = self.bot.announcer
            assert announcer is not None
            number = await announcer.outbox.next_number(NOTE_KIND)
            item = await announcer.add(
                Planned(
                    id=f"note-{number}",
                    kind=NOTE_KIND,
                    due_at=self.at,
                    stale_at=self.at + NOTE_STALE_AFTER,
                    channel=str(self.channel.id),
                    text=self.text,
                    created_by=str(interaction.user.id),
                )
            )
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

    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot

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
        target: discord.abc.GuildChannel = channel or self.bot.announce_channel()
        when: dt.datetime | None = None
        if at:
            try:
                when = parse_when(at, self.bot.schedule.event.timezone, self.bot.clock())
            except ValueError as exc:
                await reply(interaction, f"Not scheduled: {exc}")
                return
        event = self.bot.schedule.event
        timing = "now"
        if when is not None:
            timing = (
                f"at {discord_timestamp(when, 'F')} ({discord_timestamp(when, 'R')})\n"
                f"{zones_line(when, event.timezone, event.display_timezones)}"
            )
        preview = f"**Preview** — to be posted in {target.mention} {timing}:\n\n{text}"
        await reply(interaction, preview[:MESSAGE_LIMIT], view=ConfirmAnnouncement(self.bot, text, target, when))

    @app_commands.command(name="status", description="Organizers: what the bot will post next, and how it is doing.")
    @app_commands.guild_only()
    @organizers_only()
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        health = await health_report(self.bot)
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
        assert self.bot.outbox is not None
        pending = await self.bot.outbox.pending(NOTE_KIND)
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
        assert self.bot.announcer is not None
        if await self.bot.announcer.cancel(announcement, str(interaction.user.id)):
            await reply(interaction, f"`{escape_text(announcement)}` is withdrawn; it will not be posted.")
        else:
            await reply(
                interaction, f"`{escape_text(announcement)}` is not a scheduled announcement (already posted?)."
            )

    @cancel.autocomplete("announcement")
    async def _pending(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        assert self.bot.outbox is not None
        pending = await self.bot.outbox.pending(NOTE_KIND)
        return [
            app_commands.Choice(name=shorten(f"{item.id}: {item.text or ''}", 100), value=item.id)
            for item in pending
            if current.casefold() in f"{item.id} {item.text}".casefold()
        ][:25]
