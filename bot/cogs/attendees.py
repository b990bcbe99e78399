"""Attendee commands: ``/ask``, ``/questions`` with upvote buttons that keep working after a restart, and
``/now``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.cogs.access import answer_in_time, is_stale, reply, report_error, send_long
from bot.messages import MESSAGE_LIMIT, shorten

if TYPE_CHECKING:
    from bot.chair import ChairBot

#: How many questions ``/questions`` lists, one upvote button each (Discord allows 25 buttons a message).
LISTED_QUESTIONS = 10
#: Discord's limit on a button's label.
BUTTON_LABEL_LIMIT = 80


def vote_label(rank: int | None, votes: int | None = None) -> str:
    """What a click does and how many votes the question has: ``▲ Upvote #1 · 3 votes`` (``(on stage)`` for the
    question on stage), within Discord's 80 characters for a button label."""
    label = f"▲ Upvote #{rank}" if rank is not None else "▲ Upvote (on stage)"
    if votes is not None:
        label += f" · {render.counted(votes, 'vote', 'votes')}"
    return shorten(label, BUTTON_LABEL_LIMIT)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:vote:(?P<question>\d+)"):
    """An upvote button for one question. Its ``custom_id`` carries the question id, so a click works on any
    message the bot ever posted, across restarts; clicking again takes the vote back. The label shows the votes
    at the time the list was made."""

    def __init__(self, question_id: int, rank: int | None = None, votes: int | None = None) -> None:
        label = vote_label(rank, votes)
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=f"qa:vote:{question_id}")
        )
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["question"]))

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        return not is_stale(interaction)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # Errors in component callbacks do not reach the command tree's handler: answer them here.
        try:
            await self._toggle_vote(interaction)
        except Exception as error:
            await report_error(interaction, error)

    async def _toggle_vote(self, interaction: discord.Interaction[Any]) -> None:
        bot: ChairBot = interaction.client
        voter = str(interaction.user.id)
        result = await answer_in_time(interaction, bot.qa.toggle_vote(self.question_id, voter))
        votes = render.counted(result.votes, "vote", "votes")
        if result.voted:
            message = f"Your vote is counted: this question has ▲ {votes}."
        else:
            message = f"Your vote is taken back: this question has ▲ {votes}."
        await reply(interaction, message)


def vote_view(items: Sequence[tuple[int, int | None] | tuple[int, int | None, int]]) -> discord.ui.View:
    """One upvote button per question: ``(question id, rank, votes)``, rank None for the question on stage (the
    votes may be left out)."""
    view = discord.ui.View(timeout=None)
    for question_id, rank, *votes in items:
        view.add_item(VoteButton(question_id, rank, votes[0] if votes else None))
    return view


class Attendees(commands.Cog):
    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot
        limits = bot.qa.config
        _limit_length(self.ask, "question", limits.min_length, limits.max_length)

    # -- commands ---------------------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the speaker a question (the live session by default).")
    @app_commands.describe(
        question="Your question",  # with its lengths from the settings: see _limit_length
        anonymous="Hide your name from everyone but the moderators",
        session="The session (defaults to the one live now, else the next with Q&A)",
    )
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        question: str,
        anonymous: bool = False,
        session: str | None = None,
    ) -> None:
        target = self.bot.resolve_session(session)
        result = await answer_in_time(
            interaction,
            self.bot.qa.ask(
                target.id,
                str(interaction.user.id),
                question,
                author_name=interaction.user.display_name,
                anonymous=anonymous,
            ),
        )
        await reply(interaction, render.ask_reply(result, target))

    @ask.autocomplete("session")
    async def _ask_session(self, interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
        return self.bot.session_choices(current)

    @app_commands.command(name="questions", description="The top questions of the live session, with upvote buttons.")
    @app_commands.describe(session="The session (defaults to the one live now, else the next with Q&A)")
    async def questions(self, interaction: discord.Interaction[Any], session: str | None = None) -> None:
        target = self.bot.resolve_session(session)
        items = await answer_in_time(interaction, self.bot.qa.queue(target.id, LISTED_QUESTIONS))
        text = render.queue_text(target, items)
        buttons = [(item.question.id, item.rank, item.question.votes) for item in items]
        view = vote_view(buttons) if items else discord.utils.MISSING
        await reply(interaction, text[:MESSAGE_LIMIT], view=view)

    @questions.autocomplete("session")
    async def _questions_session(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return self.bot.session_choices(current)

    @app_commands.command(name="now", description="What is on now and next, in your own time zone.")
    async def now(self, interaction: discord.Interaction[Any]) -> None:
        await self._send_long(interaction, render.now_text(self.bot.schedule, self.bot.clock()))

    async def _send_long(self, interaction: discord.Interaction[Any], text: str) -> None:
        await send_long(interaction, text)


def _limit_length(command: app_commands.Command[Any, Any, Any], name: str, low: int, high: int) -> None:
    """Give the string option ``name`` of ``command`` the lengths the bot accepts, so that Discord's app holds
    people to them as they type and says why.

    discord.py reads option limits only from annotations (``Range[str, 3, 500]``), fixed when the class is
    defined; these come from the settings. Each cog instance has its own copy of its commands, each with its own
    parameter table, so replacing the parameter here changes this bot's command and nothing else."""
    parameter = command._params[name]
    command._params[name] = dataclasses.replace(
        parameter,
        min_value=low,
        max_value=high,
        description=f"{parameter.description} ({low} to {high} characters)",
    )
