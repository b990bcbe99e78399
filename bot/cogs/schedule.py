"""``/schedule``: the programme for everyone (``show``) and, for organizers, reloading the schedule file."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.cogs.access import answer_in_time, organizers_only, reply, send_long

if TYPE_CHECKING:
    from bot.chair import ChairBot


class ScheduleCommands(commands.Cog):
    schedule = app_commands.Group(name="schedule", description="The programme of the event.")

    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot

    @schedule.command(name="show", description="The programme of one day, in your own time zone.")
    @app_commands.describe(day="The day (YYYY-MM-DD); defaults to today at the venue, or the first day")
    async def show(self, interaction: discord.Interaction[Any], day: str | None = None) -> None:
        schedule = self.bot.schedule
        days = schedule.days()
        if day:
            try:
                chosen = dt.date.fromisoformat(day.strip())
            except ValueError:
                await reply(interaction, f"{day!r} is not a date; write it as YYYY-MM-DD, e.g. {days[0].isoformat()}.")
                return
        else:
            today = self.bot.clock().astimezone(schedule.event.timezone).date()
            chosen = today if today in days else days[0]
        await send_long(interaction, render.day_text(schedule, chosen))

    @show.autocomplete("day")
    async def _days(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=d.strftime("%A %d %B %Y"), value=d.isoformat())
            for d in self.bot.schedule.days()
            if current.strip() in d.isoformat()
        ][:25]

    @schedule.command(name="reload", description="Organizers: read the schedule file again and report what changed.")
    @organizers_only()
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        report = await answer_in_time(interaction, self.bot.reload_schedule())
        await send_long(interaction, report)
