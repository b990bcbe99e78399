"""``/schedule``: the programme for everyone (``show``) and, for organizers, changes on the day (``shift``,
``cancel``, ``restore``) and reloading the schedule file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.chair import Chair
from bot.on_discord.access import chair_of, organizers_only
from bot.on_discord.reminders import RemindMenu
from bot.on_discord.replies import answer_in_time, reply, send_long
from bot.on_discord.transformers import AnySession, CancelledSession


class ScheduleCommands(commands.Cog):
    schedule = app_commands.Group(name="schedule", description="The programme of the event.")

    def __init__(self, chair: Chair) -> None:
        self.chair = chair

    @schedule.command(name="show", description="The programme of one day, in your own time zone.")
    @app_commands.describe(day="The day (YYYY-MM-DD); defaults to today at the venue, or the first day")
    async def show(self, interaction: discord.Interaction[Any], day: str | None = None) -> None:
        schedule = self.chair.schedule
        days = schedule.days()
        if day:
            try:
                chosen = dt.date.fromisoformat(day.strip())
            except ValueError:
                await reply(interaction, f"{day!r} is not a date; write it as YYYY-MM-DD, e.g. {days[0].isoformat()}.")
                return
        else:
            today = self.chair.clock().astimezone(schedule.event.timezone).date()
            chosen = today if today in days else days[0]
        await send_long(interaction, render.day_text(schedule, chosen))
        upcoming = [
            s
            for s in schedule.upcoming(self.chair.clock())
            if s.start.astimezone(schedule.event.timezone).date() == chosen
        ]
        if upcoming:
            await reply(
                interaction, "Want a direct message before a session starts?", view=RemindMenu(self.chair, upcoming)
            )

    @show.autocomplete("day")
    async def _days(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=d.strftime("%A %d %B %Y"), value=d.isoformat())
            for d in self.chair.schedule.days()
            if current.strip() in d.isoformat()
        ][:25]

    @schedule.command(
        name="shift", description="Organizers: move a session and everything after it later (or earlier)."
    )
    @app_commands.describe(
        minutes="Minutes to move by: 15 for later, -10 for earlier",
        session="The first session to move (default: the one live now, else the next); a live one runs longer",
    )
    @organizers_only()
    async def shift(
        self,
        interaction: discord.Interaction[Any],
        minutes: app_commands.Range[int, -240, 240],
        session: AnySession | None = None,
    ) -> None:
        result = await answer_in_time(
            interaction, self.chair.shift(minutes, session.id if session else None, str(interaction.user.id))
        )
        await reply(interaction, render.shift_reply(result))

    @schedule.command(name="cancel", description="Organizers: cancel a session (no announcements, no Q&A).")
    @organizers_only()
    async def cancel(self, interaction: discord.Interaction[Any], session: AnySession) -> None:
        await answer_in_time(interaction, self.chair.cancel_session(session.id, str(interaction.user.id)))
        await reply(interaction, f"{render.session_title(session)} is cancelled; `/schedule restore` brings it back.")

    @schedule.command(name="restore", description="Organizers: bring back a cancelled session.")
    @organizers_only()
    async def restore(self, interaction: discord.Interaction[Any], session: CancelledSession) -> None:
        restored = await answer_in_time(interaction, self.chair.restore_session(session.id, str(interaction.user.id)))
        title = render.session_title(restored) if restored else f"`{session.id}`"
        await reply(interaction, f"{title} is back in the schedule; its announcements are planned again.")

    @schedule.command(name="reload", description="Organizers: read the schedule file again and report what changed.")
    @organizers_only()
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        report = await answer_in_time(interaction, self.chair.reload())
        await send_long(interaction, report)


async def setup(bot: commands.Bot) -> None:
    """Add ``/schedule``."""
    await bot.add_cog(ScheduleCommands(chair_of(bot)))
