"""``/schedule``: the programme for everyone (``show``) and, for organizers, reloading the schedule file."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.cogs.access import answer_in_time, organizers_only, reply, send_long
from bot.cogs.reminders import RemindMenu
from bot.qa.errors import QARefusal
from bot.schedule.model import Session
from bot.schedule.overrides import set_cancelled, shift_from, shift_scope
from bot.timefmt import duration

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
        upcoming = [
            s
            for s in schedule.upcoming(self.bot.clock())
            if s.start.astimezone(schedule.event.timezone).date() == chosen
        ]
        if upcoming:
            await reply(
                interaction, "Want a direct message before a session starts?", view=RemindMenu(self.bot, upcoming)
            )

    @show.autocomplete("day")
    async def _days(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=d.strftime("%A %d %B %Y"), value=d.isoformat())
            for d in self.bot.schedule.days()
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
        session: str | None = None,
    ) -> None:
        first = self._session(session)
        now = self.bot.clock()
        try:
            changed = shift_from(
                self.bot.source_schedule, self.bot.schedule, self.bot.overrides, first, minutes, now=now
            )
        except ValueError as exc:
            await reply(interaction, f"Not shifted: {exc}.")
            return
        scope = shift_scope(self.bot.schedule, first, now)
        posts = await answer_in_time(interaction, self.bot.change_schedule(changed, str(interaction.user.id)))
        direction = "later" if minutes > 0 else "earlier"
        by = duration(dt.timedelta(minutes=minutes))
        moved = len(scope.moving)
        parts = []
        for running in scope.running:
            now_running = self.bot.schedule.find(running.id) or running
            parts.append(
                f"{render.session_title(now_running)} keeps its start and now runs until "
                f"{discord.utils.format_dt(now_running.end, 't')}."
            )
        if scope.running:
            parts.append(
                f"Moved {render.counted(moved, 'later session', 'later sessions')} {by} {direction}; "
                "announcements and Q&A follow."
            )
        else:
            parts.append(
                f"Moved {render.counted(moved, 'session', 'sessions')} from {render.session_title(first)} on "
                f"{by} {direction}; announcements and Q&A follow."
            )
        if posts:
            parts.append("A schedule update was posted.")
        await reply(interaction, " ".join(parts))

    @schedule.command(name="cancel", description="Organizers: cancel a session (no announcements, no Q&A).")
    @organizers_only()
    async def cancel(self, interaction: discord.Interaction[Any], session: str) -> None:
        target = self.bot.schedule.find(session)
        if target is None:
            await reply(interaction, f"There is no session {session!r} in force (already cancelled?).")
            return
        changed = set_cancelled(self.bot.source_schedule, self.bot.overrides, target.id, True)
        await answer_in_time(interaction, self.bot.change_schedule(changed, str(interaction.user.id)))
        await reply(interaction, f"{render.session_title(target)} is cancelled; `/schedule restore` brings it back.")

    @schedule.command(name="restore", description="Organizers: bring back a cancelled session.")
    @organizers_only()
    async def restore(self, interaction: discord.Interaction[Any], session: str) -> None:
        if session not in self.bot.cancelled:
            await reply(interaction, f"{session!r} is not cancelled.")
            return
        changed = set_cancelled(self.bot.source_schedule, self.bot.overrides, session, False)
        await answer_in_time(interaction, self.bot.change_schedule(changed, str(interaction.user.id)))
        restored = self.bot.schedule.find(session)
        title = render.session_title(restored) if restored else f"`{session}`"
        await reply(interaction, f"{title} is back in the schedule; its announcements are planned again.")

    @shift.autocomplete("session")
    @cancel.autocomplete("session")
    async def _any_session(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return self.bot.session_choices(current, qa_only=False)

    @restore.autocomplete("session")
    async def _cancelled(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return self.bot.session_choices(current, qa_only=False, sessions=list(self.bot.cancelled.values()))

    def _session(self, session_id: str | None) -> Session:
        if session_id:
            found = self.bot.schedule.find(session_id)
            if found is None:
                raise QARefusal(f"There is no session {session_id!r} in force.")
            return found
        now = self.bot.clock()
        live = self.bot.schedule.live_at(now)
        found = live[-1] if live else next(iter(self.bot.schedule.upcoming(now, 1)), None)
        if found is None:
            raise QARefusal("Nothing is on now or later; name the first session to move.")
        return found

    @schedule.command(name="reload", description="Organizers: read the schedule file again and report what changed.")
    @organizers_only()
    async def reload(self, interaction: discord.Interaction[Any]) -> None:
        report = await answer_in_time(interaction, self.bot.reload_schedule())
        await send_long(interaction, report)
