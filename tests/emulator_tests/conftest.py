"""Fixtures for the emulator's own tests: an emulator per test and a tiny real discord.py bot to run against it.

The tiny bot has what chairbot's Discord adapter uses: guild slash commands with options, autocomplete and a
subcommand group, a persistent button view registered with ``bot.add_view`` (so clicks work after a restart),
a modal, deferrals, followups and edits of the original response.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.emulator import DiscordEmulator

SESSIONS = ["Keynote", "Poster session", "Panel: open problems", "Closing remarks"]


class VoteView(discord.ui.View):
    """A persistent view: no timeout, fixed custom_id, registered at start-up."""

    def __init__(self, bot: TinyBot) -> None:
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Upvote", custom_id="vote:up", style=discord.ButtonStyle.primary)
    async def upvote(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        self.bot.seen.append(("vote", interaction.user.id, interaction.message.id if interaction.message else None))
        await interaction.response.send_message(f"Vote counted, {interaction.user.display_name}.", ephemeral=True)

    @discord.ui.select(
        custom_id="vote:track",
        placeholder="Track",
        options=[
            discord.SelectOption(label="Posters", value="posters"),
            discord.SelectOption(label="Talks", value="talks"),
        ],
    )
    async def track(self, interaction: discord.Interaction, select: discord.ui.Select[VoteView]) -> None:
        self.bot.seen.append(("track", interaction.user.id, tuple(select.values)))
        await interaction.response.edit_message(content=f"Track: {', '.join(select.values)}")


class FeedbackModal(discord.ui.Modal, title="Session feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Your feedback", custom_id="feedback:text")

    def __init__(self, bot: TinyBot) -> None:
        super().__init__(custom_id="feedback:modal")
        self.bot = bot

    async def on_submit(self, interaction: discord.Interaction) -> None:
        self.bot.seen.append(("feedback", interaction.user.id, self.text.value))
        await interaction.response.send_message(f"Thanks for: {self.text.value}", ephemeral=True)


class TinyBot(commands.Bot):
    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.members = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents)
        self.guild_id = guild_id
        self.seen: list[tuple[object, ...]] = []
        guild = discord.Object(guild_id)

        @app_commands.command(description="Ask a question in the current session")
        @app_commands.describe(question="Your question", session="Which session")
        async def ask(interaction: discord.Interaction, question: str, session: str | None = None) -> None:
            self.seen.append(("ask", interaction.user.id, question, session))
            if question.startswith("slow:"):  # a handler that takes its time, for pacing tests
                await asyncio.sleep(0.05)
            await interaction.response.send_message(
                f"Queued: {question}", ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )

        @ask.autocomplete("session")
        async def ask_session(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=s, value=s) for s in SESSIONS if current.lower() in s.lower()]

        qa = app_commands.Group(name="qa", description="Moderate the question queue")

        @qa.command(name="next", description="Put the next question on stage")
        async def qa_next(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True)
            await interaction.edit_original_response(content="Queue: 1 left")
            await interaction.followup.send("Next: why?", ephemeral=True)
            original = await interaction.original_response()
            self.seen.append(("original", original.content))

        @app_commands.command(description="Post a question card with a vote button")
        async def post(interaction: discord.Interaction, text: str) -> None:
            assert isinstance(interaction.channel, discord.abc.Messageable)
            await interaction.channel.send(text, view=VoteView(self), allowed_mentions=discord.AllowedMentions.none())
            await interaction.response.send_message("Posted.", ephemeral=True)

        @app_commands.command(description="Give feedback on a session")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(FeedbackModal(self))

        @app_commands.command(description="Announce after thinking about it")
        async def announce(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("Session starts now.")

        @app_commands.command(description="Answer too late")
        async def slow(interaction: discord.Interaction) -> None:
            await asyncio.sleep(0.3)
            try:
                await interaction.response.send_message("late")
            except discord.NotFound as exc:
                self.seen.append(("late", exc.code))

        commands_: list[app_commands.Command[Any, Any, Any] | app_commands.Group] = [
            ask,
            qa,
            post,
            feedback,
            announce,
            slow,
        ]
        for command in commands_:
            self.tree.add_command(command, guild=guild)

    async def setup_hook(self) -> None:
        self.add_view(VoteView(self))
        await self.tree.sync(guild=discord.Object(self.guild_id))


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator(heartbeat_interval=5.0) as emulator:
        yield emulator
        # Every route discord.py used must be modelled; a 404 for an unknown route would hide a gap.
        assert emulator.unhandled_requests == []


@pytest.fixture
def make_bot(emu: DiscordEmulator) -> Callable[..., TinyBot]:
    def make(**kwargs: object) -> TinyBot:
        return TinyBot(emu.guild.id, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
async def bot(emu: DiscordEmulator, make_bot: Callable[..., TinyBot]) -> AsyncIterator[TinyBot]:
    async with emu.run_client(make_bot()) as client:
        yield client
