"""A local Discord emulator (REST API v10 and gateway) for testing and benchmarking chairbot with real discord.py.

In a test::

    async with DiscordEmulator(heartbeat_interval=0.5) as emu:    # discord.py now talks to the emulator
        alice = emu.add_member("alice", display_name="Alice")
        qa = emu.add_text_channel("qa")
        async with emu.run_client(make_bot()):                  # the real client logs in, gets READY + GUILD_CREATE
            result = await emu.slash("ask", {"question": "Why?"}, user=alice, channel=qa)
            assert result.ephemeral and "queued" in result.content

In another process (benchmarks): ``python -m tests.emulator --port 0 --ready-file PATH``, or ``EmulatorProcess``,
driven through ``ControlClient`` (``/_emulator/...``).

Modules: ``emulator`` (the facade), ``state`` (guilds, channels, messages, events, commands and Discord's rules),
``model`` (objects and their JSON), ``interactions`` (building interactions, taking callbacks), ``gateway``
(websocket sessions, resume, zlib-stream), ``rest`` (HTTP routes), ``faults`` (records, faults, rate-limit headers),
``control`` (HTTP control API), ``standalone`` (child process and control client), ``patching`` (pointing
discord.py here), ``snowflake``, ``validation``, ``errors``, ``waiting``.
"""

from .emulator import DEFAULT_TOKEN, DiscordEmulator
from .faults import Fault, RecordedRequest
from .gateway import Connection, Session
from .interactions import CallbackType, InteractionResult, InteractionType
from .model import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Channel,
    ChannelType,
    Guild,
    Intent,
    Member,
    Message,
    Permission,
    Role,
    ScheduledEvent,
    User,
)
from .patching import patch_discord, run_client
from .snowflake import SnowflakeFactory, snowflake_time
from .standalone import ControlClient, EmulatorProcess

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "DEFAULT_TOKEN",
    "CallbackType",
    "Channel",
    "ChannelType",
    "Connection",
    "ControlClient",
    "DiscordEmulator",
    "EmulatorProcess",
    "Fault",
    "Guild",
    "Intent",
    "InteractionResult",
    "InteractionType",
    "Member",
    "Message",
    "Permission",
    "RecordedRequest",
    "Role",
    "ScheduledEvent",
    "Session",
    "SnowflakeFactory",
    "User",
    "patch_discord",
    "run_client",
    "snowflake_time",
]
