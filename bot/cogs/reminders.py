"""Personal reminders from Discord: a "Remind me" button on announcements of upcoming sessions, a "Remind me
about…" menu under ``/schedule show``, and ``/remind`` for one session. A second click takes the reminder back."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.announce.outbox import Status
from bot.announce.reminders import find_by_token, planned_reminder, reminder_id, session_token
from bot.cogs.access import reply, report_error
from bot.schedule.model import Session

if TYPE_CHECKING:
    from bot.chair import ChairBot

#: The menu under /schedule show lists at most this many upcoming sessions (Discord allows 25 options).
MENU_SESSIONS = 25


async def toggle_reminder(bot: ChairBot, interaction: discord.Interaction[Any], session: Session) -> None:
    """Set a reminder for the member, or take it back when one is set; answer privately either way."""
    announcer = bot.announcer
    assert announcer is not None
    user_id = str(interaction.user.id)
    now = bot.clock()
    title = render.session_title(session)
    if session.start <= now:
        await reply(interaction, f"{title} has already started.")
        return
    async with bot.plan_lock:
        existing = await announcer.outbox.get(reminder_id(session.id, user_id))
        if existing is not None and existing.status is Status.PLANNED:
            await announcer.cancel(existing.id, user_id)
            removed = True
        else:
            item = await announcer.outbox.renew(planned_reminder(session, user_id, now))
            announcer.schedule(item)
            removed = False
    if removed:
        await reply(interaction, f"Reminder for {title} removed.")
        return
    await reply(
        interaction,
        f"I will send you a direct message {discord.utils.format_dt(item.due_at, 'R')} "
        f"({discord.utils.format_dt(item.due_at, 't')}), before {title} starts. Click again to remove it.",
    )


class RemindButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"remind:(?P<token>[0-9a-f]{16})"):
    """ "Remind me" for one session; works on any announcement the bot ever posted, across restarts."""

    def __init__(self, token: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remind me", emoji="⏰", style=discord.ButtonStyle.secondary, custom_id=f"remind:{token}"
            )
        )
        self.token = token

    @classmethod
    def for_session(cls, session: Session) -> RemindButton:
        return cls(session_token(session.id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RemindButton:
        return cls(match["token"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot: ChairBot = interaction.client
        try:
            session = find_by_token(bot.schedule, self.token)
            if session is None:
                await reply(interaction, "That session is no longer in the schedule.")
                return
            await toggle_reminder(bot, interaction, session)
        except Exception as error:  # component errors do not reach the command tree's handler
            await report_error(interaction, error)


class RemindSelect(discord.ui.Select[Any]):
    def __init__(self, bot: ChairBot, sessions: list[Session]) -> None:
        options = [
            discord.SelectOption(label=render.session_choice_label(bot.schedule, s)[:100], value=s.id[:100])
            for s in sessions[:MENU_SESSIONS]
        ]
        super().__init__(
            custom_id="remind:menu",
            placeholder="⏰ Remind me about…",
            options=options or [discord.SelectOption(label="No upcoming sessions", value="-")],
        )
        self.bot = bot

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            session = self.bot.schedule.find(self.values[0])
            if session is None:
                await reply(interaction, "That session is no longer in the schedule.")
                return
            await toggle_reminder(self.bot, interaction, session)
        except Exception as error:  # component errors do not reach the command tree's handler
            await report_error(interaction, error)


class RemindMenu(discord.ui.View):
    """A menu of upcoming sessions under ``/schedule show``; its custom id is fixed, so it keeps working after a
    restart (registered with ``bot.add_view``)."""

    def __init__(self, bot: ChairBot, sessions: list[Session] | None = None) -> None:
        super().__init__(timeout=None)
        self.add_item(RemindSelect(bot, sessions or []))


class Reminders(commands.Cog):
    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot

    @app_commands.command(name="remind", description="Get a direct message before a session starts (again: remove it).")
    @app_commands.describe(session="The session")
    async def remind(self, interaction: discord.Interaction[Any], session: str) -> None:
        found = self.bot.schedule.find(session)
        if found is None:
            await reply(interaction, f"There is no session {session!r}; pick one from the list.")
            return
        await toggle_reminder(self.bot, interaction, found)

    @remind.autocomplete("session")
    async def _sessions(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        now = self.bot.clock()
        return self.bot.session_choices(current, qa_only=False, sessions=self.bot.schedule.upcoming(now))
