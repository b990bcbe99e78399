"""Who holds which role now, from the server's member list: the :class:`~bot.ports.Roster` port, which the web
side asks on every request a signed-in moderator makes.

The member cache is used only when the bot receives member updates (the members intent); chairbot asks for no
privileged intent, so a cached member may carry roles that were taken away since, and the member is fetched
from Discord instead: one request per page or click, well within Discord's limits for a handful of moderators.
The role rules are those of the ``/qa`` and organizer commands (:mod:`bot.on_discord.access`).
"""

from __future__ import annotations

import discord

from bot.on_discord.access import chair_of, is_moderator, is_organizer
from bot.signin import Member, Role


class RosterUnavailable(Exception):
    """The server's member list cannot be read now (the bot is not connected to the server yet)."""


class DiscordRoster:
    """:class:`~bot.ports.Roster` over the server ``guild_id`` that ``client`` serves."""

    def __init__(self, client: discord.Client, guild_id: int) -> None:
        self.client = client
        self.guild_id = guild_id

    async def _find(self, member_id: int) -> discord.Member | None:
        guild = self.client.get_guild(self.guild_id)
        if guild is None:
            raise RosterUnavailable(f"the server {self.guild_id} is not known (yet)")
        if self.client.intents.members:
            cached = guild.get_member(member_id)
            if cached is not None:
                return cached
        try:
            return await guild.fetch_member(member_id)
        except discord.NotFound:  # not (or no longer) on the server
            return None

    async def member(self, member_id: str) -> Member | None:
        """The member and the highest role they hold now; None when they are not on the server or hold neither
        role. Discord failing to answer raises (:class:`discord.HTTPException`, :class:`RosterUnavailable`): the
        caller must not take that for "no role" nor for "still a moderator"."""
        if not member_id.isdigit():  # web askers (``web:...``) are never members of the server
            return None
        found = await self._find(int(member_id))
        if found is None:
            return None
        chair = chair_of(self.client)
        if is_organizer(chair, found):
            role = Role.ORGANIZER
        elif is_moderator(chair, found):
            role = Role.MODERATOR
        else:
            return None
        return Member(str(found.id), found.display_name, role)
