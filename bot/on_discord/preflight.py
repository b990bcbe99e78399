"""``chairbot preflight``: before the event, check over Discord's HTTP API that the server, channels and roles
in the settings exist and that the bot has the permissions it needs. Prints one line per check."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.config import Settings
from bot.on_discord.access import find_channel, has_role

#: What the bot needs in the channels it posts to, and why.
CHANNEL_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "see the channel"),
    ("send_messages", "post announcements and questions"),
    ("embed_links", "post announcement embeds"),
    ("attach_files", "send question exports"),
    ("create_public_threads", "open a Q&A thread per talk"),
    ("send_messages_in_threads", "post in Q&A threads"),
)
GUILD_PERMISSIONS: tuple[tuple[str, str], ...] = (("manage_events", "show sessions in the server's Events tab"),)


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool
    what: str

    def line(self) -> str:
        return f"{'ok     ' if self.ok else 'MISSING'} {self.what}"


async def run_checks(settings: Settings) -> list[Check]:
    """Log in over HTTP (no gateway) and check the server against ``settings``."""
    client = discord.Client(intents=discord.Intents.none())
    checks: list[Check] = []
    try:
        try:
            await client.login(settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            return [Check(False, "DISCORD_TOKEN: Discord refused the token")]
        checks.append(Check(True, f"logged in as {client.user}"))
        try:
            guild = await client.fetch_guild(settings.guild_id)
        except (discord.NotFound, discord.Forbidden):
            checks.append(
                Check(
                    False,
                    f"server {settings.guild_id}: not found, or the bot is not a member "
                    "(invite it with the applications.commands and bot scopes)",
                )
            )
            return checks
        checks.append(Check(True, f"server {guild.name!r}"))
        channels = list(await guild.fetch_channels())
        assert client.user is not None
        me = await guild.fetch_member(client.user.id)
        for perm, why in GUILD_PERMISSIONS:
            checks.append(Check(getattr(me.guild_permissions, perm), f"server permission {perm} ({why})"))
        wanted = [("announce_channel", settings.announce_channel)]
        if settings.qa_channel:
            wanted.append(("qa_channel", settings.qa_channel))
        for room, name in settings.rooms.items():
            wanted.append((f"rooms {room!r}", name))
        checked: set[tuple[str, str]] = set()
        for setting, name in wanted:
            if (setting, name) in checked:
                continue
            checked.add((setting, name))
            channel = find_channel(channels, name)
            if not isinstance(channel, discord.TextChannel):
                checks.append(Check(False, f"{setting} {name!r}: no text channel by that name or id"))
                continue
            permissions = channel.permissions_for(me)
            checks.append(Check(True, f"{setting} #{channel.name}"))
            for perm, why in CHANNEL_PERMISSIONS:
                checks.append(Check(getattr(permissions, perm), f"#{channel.name}: {perm} ({why})"))
        roles = await guild.fetch_roles()
        for setting, names in (
            ("moderator_roles", settings.moderator_roles),
            ("organizer_roles", settings.organizer_roles),
        ):
            for name in names:
                found = has_role(roles, [name])
                checks.append(Check(found, f"{setting}: role {name!r}" + ("" if found else " does not exist")))
        return checks
    finally:
        await client.close()
