"""The one reply path of the Discord adapter: answer or follow up (never pinging anyone), split long text, defer
when work may outlast Discord's 3 seconds, drop interactions too old to answer, and turn any failure into a short
private reply instead of a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.errors import Refusal
from bot.messages import split_message
from bot.on_discord.gate import STALE_AFTER_S, DropTally, InteractionGate, age_of
from bot.qa.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Discord allows 3 seconds for the first answer; past this, defer and answer in a followup.
ANSWER_WITHIN_S = 2.0


async def reply(interaction: discord.Interaction[Any], content: str, *, ephemeral: bool = True, **kwargs: Any) -> None:
    """Answer the interaction, or follow up when it was already answered or deferred; never pings anyone."""
    kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=ephemeral, **kwargs)


async def send_long(interaction: discord.Interaction[Any], text: str, *, ephemeral: bool = True) -> None:
    """``text`` in as many replies as Discord's 2,000-character limit needs."""
    for piece in split_message(text):
        await reply(interaction, piece, ephemeral=ephemeral)


async def answer_in_time(interaction: discord.Interaction[Any], work: Awaitable[T], *, ephemeral: bool = True) -> T:
    """Await ``work``; if it is not done within :data:`ANSWER_WITHIN_S`, defer so Discord's 3-second window is
    kept, and let the caller answer with a followup.

    A timer rather than a second task: this runs for every click, and the timer costs a fraction of a task and
    ``asyncio.wait``. Once the work is done, a deferral already under way is awaited, so the caller's answer
    always comes after it.
    """
    loop = asyncio.get_running_loop()
    deferral: asyncio.Task[Any] | None = None

    def defer() -> None:
        nonlocal deferral
        if not interaction.response.is_done():
            deferral = loop.create_task(interaction.response.defer(ephemeral=ephemeral, thinking=True))

    timer = loop.call_later(ANSWER_WITHIN_S, defer)
    try:
        result = await work
    finally:
        timer.cancel()
        if deferral is not None:
            await deferral
    return result


_dropped_elsewhere = DropTally()


def is_stale(interaction: discord.Interaction[Any]) -> bool:
    """Whether Discord's answer window for ``interaction`` is (nearly) gone: then doing the work would only
    produce a reply Discord refuses, and cost the interactions still in time."""
    age = age_of(interaction)
    if age > STALE_AFTER_S:
        gate = getattr(interaction.client, "gate", None)
        (gate.dropped if isinstance(gate, InteractionGate) else _dropped_elsewhere).note(age)
        return True
    return False


class NotAllowed(app_commands.CheckFailure):
    """The member lacks the role an action needs; the message names it."""


def _unknown_interaction(error: BaseException) -> bool:
    return isinstance(error, discord.NotFound) and error.code == 10062


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The one place an error becomes a message: refusals verbatim, anything else a short apology."""
    original = getattr(error, "original", None) or error
    if isinstance(error, app_commands.TransformerError) and error.__cause__ is not None:
        original = error.__cause__  # a transformer's refusal ("There is no session ...")
    if _unknown_interaction(original):
        # The answer came too late for Discord; a second reply would fail the same way.
        log.warning("an answer to %s arrived after Discord's deadline", interaction.user)
        return
    if isinstance(original, Refusal):
        message = str(original)
    elif isinstance(error, NotAllowed):
        message = str(error)
    elif isinstance(error, app_commands.CheckFailure):
        message = "You cannot use this command here."
    elif isinstance(original, StoreError):
        log.error("storage failure: %s", original)
        message = "The question store is unavailable right now; organizers have been told. Please try again."
    else:
        log.exception("command failed", exc_info=original)
        message = "Something went wrong on our side; it has been logged. Please try again."
    try:
        await reply(interaction, message)
    except discord.HTTPException:
        log.warning("could not tell %s about an error: %s", interaction.user, message)
