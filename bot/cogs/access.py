"""Who may do what: role checks done in code on every action (``default_permissions`` is only a hint that
server admins can override), and turning any failure into a short private reply instead of a traceback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.flow import STALE_AFTER_S, DropTally, InteractionGate, age_of
from bot.messages import split_message
from bot.qa.errors import QARefusal, StoreError

if TYPE_CHECKING:
    from bot.chair import ChairBot

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Discord allows 3 seconds for the first answer; past this, defer and answer in a followup.
ANSWER_WITHIN_S = 2.0


class NotAllowed(app_commands.CheckFailure):
    """The member lacks the role an action needs; the message names it."""


def _has_role(member: discord.Member | discord.User, wanted: Iterable[str]) -> bool:
    roles = getattr(member, "roles", [])
    names = {w.casefold() for w in wanted}
    return any(str(role.id) in names or role.name.casefold() in names for role in roles)


def is_organizer(bot: ChairBot, member: discord.Member | discord.User) -> bool:
    return _has_role(member, bot.settings.organizer_roles)


def is_moderator(bot: ChairBot, member: discord.Member | discord.User) -> bool:
    """Moderators, and organizers (who may always moderate)."""
    return _has_role(member, bot.settings.moderator_roles) or is_organizer(bot, member)


def _bot(interaction: discord.Interaction[Any]) -> ChairBot:
    from bot.chair import ChairBot

    client = interaction.client
    assert isinstance(client, ChairBot)
    return client


def moderators_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        bot = _bot(interaction)
        if not is_moderator(bot, interaction.user):
            roles = ", ".join(bot.settings.moderator_roles + bot.settings.organizer_roles)
            raise NotAllowed(f"Only moderators can do this (roles: {roles}).")
        return True

    return app_commands.check(predicate)


def organizers_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        bot = _bot(interaction)
        if not is_organizer(bot, interaction.user):
            raise NotAllowed(f"Only organizers can do this (roles: {', '.join(bot.settings.organizer_roles)}).")
        return True

    return app_commands.check(predicate)


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


def _unknown_interaction(error: BaseException) -> bool:
    return isinstance(error, discord.NotFound) and error.code == 10062


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """The one place an error becomes a message: refusals verbatim, anything else a short apology."""
    original = getattr(error, "original", error)
    if _unknown_interaction(original):
        # The answer came too late for Discord; a second reply would fail the same way.
        log.warning("an answer to %s arrived after Discord's deadline", interaction.user)
        return
    if isinstance(original, QARefusal):
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
