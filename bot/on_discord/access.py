"""Who may do what, and where things are, on the one server the bot serves: the role check and the channel lookup
that the commands, the publisher and ``preflight`` share, and the core behind a client.

Roles are checked in code on every action: ``default_permissions`` is only a hint that server admins can
override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.chair import Chair
from bot.on_discord.replies import NotAllowed

T = TypeVar("T")


def chair_of(client: discord.Client) -> Chair:
    """The application core the client serves (set by the wiring)."""
    chair = getattr(client, "chair", None)
    if not isinstance(chair, Chair):
        raise RuntimeError("this client serves no chair")
    return chair


def find_channel(channels: Iterable[Any], wanted: str) -> Any | None:
    """The channel named ``wanted`` (a name, with or without ``#``, any case; or an id)."""
    wanted = wanted.strip().lstrip("#")
    channels = list(channels)
    if wanted.isdigit():
        for channel in channels:
            if channel.id == int(wanted):
                return channel
    folded = wanted.casefold()
    return next((c for c in channels if c.name.casefold() == folded), None)


def has_role(roles: Iterable[discord.Role], wanted: Iterable[str]) -> bool:
    """Whether one of ``roles`` is one of ``wanted`` (names in any case, or ids)."""
    names = {w.casefold() for w in wanted}
    return any(str(role.id) in names or role.name.casefold() in names for role in roles)


def is_organizer(chair: Chair, member: discord.Member | discord.User) -> bool:
    return has_role(getattr(member, "roles", []), chair.settings.organizer_roles)


def is_moderator(chair: Chair, member: discord.Member | discord.User) -> bool:
    """Moderators, and organizers (who may always moderate)."""
    return has_role(getattr(member, "roles", []), chair.settings.moderator_roles) or is_organizer(chair, member)


def moderators_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        chair = chair_of(interaction.client)
        if not is_moderator(chair, interaction.user):
            roles = ", ".join(chair.settings.moderator_roles + chair.settings.organizer_roles)
            raise NotAllowed(f"Only moderators can do this (roles: {roles}).")
        return True

    return app_commands.check(predicate)


def organizers_only() -> Callable[[T], T]:
    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        chair = chair_of(interaction.client)
        if not is_organizer(chair, interaction.user):
            raise NotAllowed(f"Only organizers can do this (roles: {', '.join(chair.settings.organizer_roles)}).")
        return True

    return app_commands.check(predicate)
