"""The flow control reaches into three internals of discord.py (bot.on_discord.gate.GatedClient). These tests fail
the day discord.py renames or reshapes any of them, instead of the gate silently doing nothing."""

from __future__ import annotations

import inspect

import discord
from discord.gateway import DiscordWebSocket

from bot.on_discord.client import ChairBot
from bot.on_discord.gate import InteractionGate


def test_the_interaction_parser_is_wrapped() -> None:
    gate = InteractionGate()
    bot = ChairBot(1, gate=gate)
    parser = bot._connection.parsers["INTERACTION_CREATE"]
    assert parser.__name__ == "parse_unless_stale"
    assert callable(discord.state.ConnectionState.parse_interaction_create)


def test_discord_py_assigns_each_gateway_connection_to_client_ws_and_polls_it() -> None:
    source = inspect.getsource(discord.Client.connect)
    assert "self.ws = " in source
    assert "self.ws.poll_event()" in source
    assert inspect.iscoroutinefunction(DiscordWebSocket.poll_event)


def test_a_connection_assigned_to_ws_reads_through_the_gate() -> None:
    bot = ChairBot(1, gate=InteractionGate())

    class Connection:
        async def poll_event(self) -> None:
            return None

    connection = Connection()
    bot.ws = connection  # type: ignore[assignment]
    assert bot.ws is connection
    assert connection.poll_event.__name__ == "gated_poll_event"


def test_interactions_are_dispatched_by_that_name() -> None:
    source = inspect.getsource(discord.state.ConnectionState.parse_interaction_create)
    assert "dispatch('interaction'" in source or 'dispatch("interaction"' in source
