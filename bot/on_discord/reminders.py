"""Personal reminders from Discord: a "Remind me" button on announcements of upcoming sessions, a "Remind me
about…" menu under ``/schedule show``, and ``/remind`` for one session. A second click takes the reminder back."""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.announce.reminders import find_by_token, session_token
from bot.chair import Chair
from bot.on_discord.access import chair_of
from bot.on_discord.replies import reply, report_error
from bot.on_discord.transformers import UpcomingSession
from bot.schedule.model import Session

#: The menu under /schedule show lists at most this many upcoming sessions (Discord allows 25 options).
MENU_SESSIONS = 25


async def toggle_reminder(chair: Chair, interaction: discord.Interaction[Any], session: Session) -> None:
    """Set a reminder for the member, or take it back when one is set; answer privately either way."""
    result = await chair.toggle_reminder(session, str(interaction.user.id))
    await reply(interaction, render.reminder_reply(result))


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
        try:
            chair = chair_of(interaction.client)
            session = find_by_token(chair.schedule, self.token)
            if session is None:
                await reply(interaction, "That session is no longer in the schedule.")
                return
            await toggle_reminder(chair, interaction, session)
        except Exception as error:  # component errors do not reach the command tree's handler
            await report_error(interaction, error)


class RemindSelect(discord.ui.Select[Any]):
    def __init__(self, chair: Chair, sessions: list[Session]) -> None:
        options = [
            discord.SelectOption(label=render.session_choice_label(chair.schedule, s)[:100], value=s.id[:100])
            for s in sessions[:MENU_SESSIONS]
        ]
        super().__init__(
            custom_id="remind:menu",
            placeholder="⏰ Remind me about…",
            options=options or [discord.SelectOption(label="No upcoming sessions", value="-")],
        )
        self.chair = chair

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            session = self.chair.schedule.find(self.values[0])
            if session is None:
                await reply(interaction, "That session is no longer in the schedule.")
                return
            await toggle_reminder(self.chair, interaction, session)
        except Exception as error:  # component errors do not reach the command tree's handler
            await report_error(interaction, error)


class RemindMenu(discord.ui.View):
    """A menu of upcoming sessions under ``/schedule show``; its custom id is fixed, so it keeps working after a
    restart (registered with ``bot.add_view``)."""

    def __init__(self, chair: Chair, sessions: list[Session] | None = None) -> None:
        super().__init__(timeout=None)
        self.add_item(RemindSelect(chair, sessions or []))


class Reminders(commands.Cog):
    def __init__(self, chair: Chair) -> None:
        self.chair = chair

    @app_commands.command(name="remind", description="Get a direct message before a session starts (again: remove it).")
    @app_commands.describe(session="The session")
    async def remind(self, interaction: discord.Interaction[Any], session: UpcomingSession) -> None:
        await toggle_reminder(self.chair, interaction, session)


async def setup(bot: commands.Bot) -> None:
    """Add ``/remind``, the "Remind me" buttons and the menu under ``/schedule show`` (all survive restarts)."""
    chair = chair_of(bot)
    await bot.add_cog(Reminders(chair))
    bot.add_dynamic_items(RemindButton)
    bot.add_view(RemindMenu(chair))
