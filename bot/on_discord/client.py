"""The Discord client: a thin ``commands.Bot`` around the application core (:class:`~bot.chair.Chair`).

It loads the features as extensions by name (each adds its cog, buttons and persistent views in ``setup``),
syncs the slash commands to the one server it serves, starts the core once the server's channels are known, and
reads the gateway through the flow control of :mod:`bot.on_discord.gate`. It holds no rule of the event day.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.chair import Chair
from bot.errors import StartupError
from bot.health import GatewayStats
from bot.on_discord.gate import GatedClient, InteractionGate
from bot.on_discord.replies import is_stale, report_error

log = logging.getLogger(__name__)

#: The features, loaded in this order; each module has ``async def setup(bot)``.
EXTENSIONS = (
    "bot.on_discord.attendees",
    "bot.on_discord.moderators",
    "bot.on_discord.schedule",
    "bot.on_discord.organizers",
    "bot.on_discord.reminders",
)


class ChairTree(app_commands.CommandTree["ChairBot"]):
    """Refuses interactions from other servers and turns every command error into a private reply."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if is_stale(interaction):
            return False
        if interaction.guild_id is not None and interaction.guild_id != self.client.guild_id:
            await interaction.response.send_message("chairbot is not set up for this server.", ephemeral=True)
            return False
        return True

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


class ChairBot(GatedClient, commands.Bot):
    """The bot of one server. ``chair`` is set by the wiring (:mod:`bot.app`) before the bot logs in."""

    chair: Chair

    def __init__(self, guild_id: int, *, gate: InteractionGate | None = None) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # channels, roles and threads of the server; slash commands need nothing more
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=ChairTree,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id
        self.install_gate(gate or InteractionGate())

    @property
    def guild(self) -> discord.Guild | None:
        return self.get_guild(self.guild_id)

    async def setup_hook(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        self.tree.clear_commands(guild=None)
        await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        # Scheduled posts start once the server's channels are known; a reconnect does not start them twice.
        await self.chair.start()

    async def serve(self, token: str) -> None:
        """Log in and run until closed; :class:`StartupError` when Discord will not let the bot in."""
        try:
            await self.start(token)
        except discord.LoginFailure:
            raise StartupError(
                "Discord refused the token in DISCORD_TOKEN; copy it again from the developer portal "
                "(Applications > your app > Bot > Reset Token)"
            ) from None
        except discord.PrivilegedIntentsRequired as exc:  # not expected: no privileged intent is asked
            raise StartupError(str(exc)) from None

    async def close(self) -> None:
        # The core stops posting first (a post under way finishes while the connection is still up).
        chair = getattr(self, "chair", None)
        if chair is not None:
            await chair.close()
        await super().close()

    def gateway_stats(self) -> GatewayStats:
        latency = self.latency * 1000 if self.is_ready() and self.latency == self.latency else None  # NaN at first
        return GatewayStats(
            latency_ms=latency,
            in_flight=self.gate.in_flight(),
            pauses=self.gate.pauses,
            dropped=self.gate.dropped.total,
            received=self.gate.received_total,
        )
