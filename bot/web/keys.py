"""The keys under which the web app keeps what its handlers share (one module, so every part of the web side
uses the same ones)."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.chair import Chair
from bot.health import GatewayStats
from bot.web.calendar import CalendarVersions
from bot.web.live import LiveHub

CHAIR = web.AppKey("chair", Chair)
GATEWAY: web.AppKey[Callable[[], GatewayStats | None] | None] = web.AppKey("gateway")
VERSIONS = web.AppKey("calendar versions", CalendarVersions)
HUB = web.AppKey("live pages", LiveHub)
