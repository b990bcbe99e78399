"""Attendee commands: ``/ask``, ``/questions`` with upvote buttons that keep working after a restart, and
``/now``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.chair import Chair
from bot.messages import MESSAGE_LIMIT, shorten
from bot.on_discord.access import chair_of
from bot.on_discord.replies import answer_in_time, is_stale, reply, report_error, send_long
from bot.on_discord.transformers import QASession

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
        chair = chair_of(interaction.client)
        voter = str(interaction.user.id)
        result = await answer_in_time(interaction, chair.qa.toggle_vote(self.question_id, voter))
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
    def __init__(self, chair: Chair) -> None:
        self.chair = chair
        limits = chair.qa.config
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
        session: QASession | None = None,
    ) -> None:
        target = session or self.chair.resolve_session(None)
        result = await answer_in_time(
            interaction,
            self.chair.qa.ask(
                target.id,
                str(interaction.user.id),
                question,
                author_name=interaction.user.display_name,
                anonymous=anonymous,
            ),
        )
        await reply(interaction, render.ask_reply(result, target))

    @app_commands.command(name="questions", description="The top questions of the live session, with upvote buttons.")
    @app_commands.describe(session="The session (defaults to the one live now, else the next with Q&A)")
    async def questions(self, interaction: discord.Interaction[Any], session: QASession | None = None) -> None:
        target = session or self.chair.resolve_session(None)
        items = await answer_in_time(interaction, self.chair.qa.queue(target.id, LISTED_QUESTIONS))
        text = render.queue_text(target, items)
        buttons = [(item.question.id, item.rank, item.question.votes) for item in items]
        view = vote_view(buttons) if items else discord.utils.MISSING
        await reply(interaction, text[:MESSAGE_LIMIT], view=view)

    @app_commands.command(name="now", description="What is on now and next, in your own time zone.")
    async def now(self, interaction: discord.Interaction[Any]) -> None:
        await send_long(interaction, render.now_text(self.chair.schedule, self.chair.clock()))


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


async def setup(bot: commands.Bot) -> None:
    """Add ``/ask``, ``/questions``, ``/now`` and the upvote buttons (which work on any list ever posted)."""
    await bot.add_cog(Attendees(chair_of(bot)))
    bot.add_dynamic_items(VoteButton)
