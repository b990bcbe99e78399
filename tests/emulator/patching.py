"""Pointing discord.py at an emulator, and running a client against it for the length of a block.

``discord.http.Route.BASE`` prefixes every REST route (interaction webhooks included) and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` is where a client without a ``resume_gateway_url`` connects.
Both are process-wide, so ``patch_discord`` restores the previous values on exit. Nothing here imports discord.py
until called: the standalone emulator process does not need it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any


@contextlib.contextmanager
def patch_discord(api_url: str, gateway_url: str) -> Iterator[None]:
    """Make discord.py talk to ``api_url`` (``http://host:port/api/v10``) and ``gateway_url`` for the duration."""
    import discord.gateway
    import discord.http
    import yarl

    route = discord.http.Route
    websocket = discord.gateway.DiscordWebSocket
    saved_base, saved_gateway = route.BASE, websocket.DEFAULT_GATEWAY
    route.BASE = api_url
    websocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    try:
        yield
    finally:
        route.BASE = saved_base
        websocket.DEFAULT_GATEWAY = saved_gateway


@contextlib.asynccontextmanager
async def run_client(client: Any, token: str, *, timeout: float = 10.0, fast_ready: bool = True) -> AsyncIterator[Any]:
    """Start a discord.py ``Client``/``Bot`` with ``token``, yield it once ready, close it (and await it) afterwards.

    Call inside ``patch_discord`` (``DiscordEmulator`` patches by default). ``fast_ready`` shortens discord.py's
    ``guild_ready_timeout``: it waits that long (2 s) after the last GUILD_CREATE before ``on_ready``, which would
    otherwise dominate every test's run time.
    """
    if fast_ready:
        client._connection.guild_ready_timeout = min(client._connection.guild_ready_timeout, 0.05)
    task = asyncio.create_task(client.start(token), name="discord client under test")
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not client.is_ready():
            if task.done():
                task.result()  # raises what stopped the client (LoginFailure, PrivilegedIntentsRequired, ...)
                raise RuntimeError("the client stopped before it became ready")
            if loop.time() > deadline:
                raise TimeoutError(f"the client did not become ready within {timeout:g} s")
            # The client's readiness is its own state; a short poll is the simplest way to see it.
            await asyncio.sleep(0.01)
        yield client
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, timeout)
