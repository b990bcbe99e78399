"""The REST API (``/api/v10``): routes, request recording, authentication, faults and rate-limit headers.

Handlers only translate: path parameters and bodies in, ``World``/``InteractionDesk`` calls, JSON out. One middleware
records each request, applies an injected fault if one matches, checks the bot token, holds message creates to
Discord's per-channel limit (and records when each channel accepted one), turns ``ApiError`` into Discord's error
body, and adds ``X-RateLimit-*`` headers. Unknown routes answer Discord's JSON 404 and are kept in
``unhandled`` so a test can notice the bot calling something the emulator does not model.
"""

from __future__ import annotations

import asyncio
import collections
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import BodyPartReader, web

from . import errors
from .faults import DmOpenLimit, Fault, MessageRateLimit, RateLimiter, RecordedRequest, json_response, route_bucket
from .interactions import InteractionDesk
from .state import Upload, World
from .waiting import Notifier

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_ID = r"{%s:\d+}"
# Interaction webhooks authenticate with their token in the path; GET /gateway needs no auth on Discord either.
_UNAUTHENTICATED = ("/interactions/", "/webhooks/", "/gateway")
_MESSAGE_CREATE = re.compile(r"/channels/(\d+)/messages")
# Where the middleware leaves the parsed body for handlers (typed keys where this aiohttp has them).
if hasattr(web, "RequestKey"):
    BODY: Any = web.RequestKey("emulator_body", object)
    UPLOADS: Any = web.RequestKey("emulator_uploads", list)
    ARRIVED: Any = web.RequestKey("emulator_arrived", float)
else:  # pragma: no cover - aiohttp before 3.12
    BODY, UPLOADS, ARRIVED = "emulator_body", "emulator_uploads", "emulator_arrived"


def _id(name: str) -> str:
    return _ID % name


class RestApi:
    def __init__(
        self,
        world: World,
        desk: InteractionDesk,
        notifier: Notifier,
        *,
        token: str,
        gateway_url: Callable[[], str],
        rate_limiter: RateLimiter,
        message_limit: MessageRateLimit | None,
        record_limit: int | None,
        on_activity: Callable[[], None],
    ) -> None:
        self.world = world
        self.desk = desk
        self.notifier = notifier
        self.token = token
        self.gateway_url = gateway_url
        self.rate_limiter = rate_limiter
        #: Discord's per-channel limit on message creates; None: off.
        self.message_limit = message_limit
        #: Switched on by a test: opening DM channels too fast is refused with 40003.
        self.dm_open_limit: DmOpenLimit | None = None
        #: When (``time.monotonic()``) each channel accepted each message the bot created through the REST API.
        self.posted_at: dict[int, list[float]] = collections.defaultdict(list)
        self.on_activity = on_activity
        self.requests: collections.deque[RecordedRequest] = collections.deque(maxlen=record_limit)
        self.unhandled: list[RecordedRequest] = []
        self.faults: list[Fault] = []

    # ----------------------------------------------------------------- wiring

    def install(self, app: web.Application) -> None:
        app.middlewares.append(self._middleware)
        p = API_PREFIX
        channel, message, guild, app_id = _id("channel_id"), _id("message_id"), _id("guild_id"), _id("app_id")
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("GET", f"/users/{_id('user_id')}", self.get_user),
            ("POST", "/users/@me/channels", self.open_dm),
            ("GET", "/users/@me/guilds", self.my_guilds),
            ("GET", "/oauth2/applications/@me", self.application_info),
            ("GET", "/applications/@me", self.application_info),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", f"/applications/{app_id}/commands", self.list_commands),
            ("PUT", f"/applications/{app_id}/commands", self.put_commands),
            ("POST", f"/applications/{app_id}/commands", self.upsert_command),
            ("GET", f"/applications/{app_id}/commands/{_id('command_id')}", self.get_command),
            ("PATCH", f"/applications/{app_id}/commands/{_id('command_id')}", self.edit_command),
            ("DELETE", f"/applications/{app_id}/commands/{_id('command_id')}", self.delete_command),
            ("GET", f"/applications/{app_id}/guilds/{guild}/commands", self.list_commands),
            ("PUT", f"/applications/{app_id}/guilds/{guild}/commands", self.put_commands),
            ("POST", f"/applications/{app_id}/guilds/{guild}/commands", self.upsert_command),
            ("GET", f"/applications/{app_id}/guilds/{guild}/commands/{_id('command_id')}", self.get_command),
            ("PATCH", f"/applications/{app_id}/guilds/{guild}/commands/{_id('command_id')}", self.edit_command),
            ("DELETE", f"/applications/{app_id}/guilds/{guild}/commands/{_id('command_id')}", self.delete_command),
            ("GET", f"/guilds/{guild}", self.get_guild),
            ("GET", f"/guilds/{guild}/channels", self.guild_channels),
            ("GET", f"/guilds/{guild}/roles", self.guild_roles),
            ("GET", f"/guilds/{guild}/members", self.list_members),
            ("GET", f"/guilds/{guild}/members/{_id('user_id')}", self.get_member),
            ("PUT", f"/guilds/{guild}/members/{_id('user_id')}/roles/{_id('role_id')}", self.add_member_role),
            ("DELETE", f"/guilds/{guild}/members/{_id('user_id')}/roles/{_id('role_id')}", self.remove_member_role),
            ("GET", f"/guilds/{guild}/threads/active", self.active_threads),
            ("GET", f"/guilds/{guild}/scheduled-events", self.list_events),
            ("POST", f"/guilds/{guild}/scheduled-events", self.create_event),
            ("GET", f"/guilds/{guild}/scheduled-events/{_id('event_id')}", self.get_event),
            ("PATCH", f"/guilds/{guild}/scheduled-events/{_id('event_id')}", self.edit_event),
            ("DELETE", f"/guilds/{guild}/scheduled-events/{_id('event_id')}", self.delete_event),
            ("GET", f"/channels/{channel}", self.get_channel),
            ("PATCH", f"/channels/{channel}", self.edit_channel),
            ("GET", f"/channels/{channel}/messages/pins", self.list_pins),
            ("PUT", f"/channels/{channel}/messages/pins/{message}", self.pin),
            ("DELETE", f"/channels/{channel}/messages/pins/{message}", self.unpin),
            ("GET", f"/channels/{channel}/messages", self.list_messages),
            ("POST", f"/channels/{channel}/messages", self.create_message),
            ("POST", f"/channels/{channel}/messages/bulk-delete", self.bulk_delete),
            ("GET", f"/channels/{channel}/messages/{message}", self.get_message),
            ("PATCH", f"/channels/{channel}/messages/{message}", self.edit_message),
            ("DELETE", f"/channels/{channel}/messages/{message}", self.delete_message),
            ("POST", f"/channels/{channel}/messages/{message}/threads", self.thread_from_message),
            ("POST", f"/channels/{channel}/threads", self.thread_in_channel),
            ("PUT", f"/channels/{channel}/messages/{message}/reactions/{{emoji}}/@me", self.add_reaction),
            ("POST", f"/channels/{channel}/typing", self.typing),
            ("POST", f"/interactions/{_id('interaction_id')}/{{token}}/callback", self.interaction_callback),
            ("GET", f"/webhooks/{app_id}/{{token}}/messages/@original", self.get_original),
            ("PATCH", f"/webhooks/{app_id}/{{token}}/messages/@original", self.edit_original),
            ("DELETE", f"/webhooks/{app_id}/{{token}}/messages/@original", self.delete_original),
            ("POST", f"/webhooks/{app_id}/{{token}}", self.followup),
            ("GET", f"/webhooks/{app_id}/{{token}}/messages/{message}", self.get_followup),
            ("PATCH", f"/webhooks/{app_id}/{{token}}/messages/{message}", self.edit_followup),
            ("DELETE", f"/webhooks/{app_id}/{{token}}/messages/{message}", self.delete_followup),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, p + path, handler)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        self.on_activity()
        path = request.path[len(API_PREFIX) :]
        method = request.method
        body, uploads = await _read_body(request)
        request[BODY], request[UPLOADS] = body, uploads
        record = RecordedRequest(
            method,
            path,
            dict(request.query),
            body,
            [u.filename for u in uploads],
            time.perf_counter(),
            request.headers.get("X-Audit-Log-Reason"),
        )
        self.requests.append(record)
        request[ARRIVED] = record.at
        response = await self._answer(request, handler, record, method, path)
        record.status = response.status
        self.notifier.notify()
        return response

    async def _answer(
        self, request: web.Request, handler: Handler, record: RecordedRequest, method: str, path: str
    ) -> web.StreamResponse:
        fault = self._take_fault(method, path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            injected = fault.response(route_bucket(method, path)[0])
            if injected is not None:
                return injected
        if not path.startswith(_UNAUTHENTICATED) and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response(errors.unauthorized().body(), status=401)
        counted = not path.startswith("/interactions/")
        headers, wait = self.rate_limiter.take(method, path) if counted else ({}, None)
        if wait is not None:
            limited = Fault(method, ".*", retry_after=round(wait, 3))
            return limited.response(headers["X-RateLimit-Bucket"]) or json_response({}, 429)
        posting = _MESSAGE_CREATE.fullmatch(path) if method == "POST" else None
        if posting is not None and self.message_limit is not None:
            channel_headers, refused = self.message_limit.take(int(posting[1]), route_bucket(method, path)[0])
            if refused is not None:
                return refused
            headers = _tighter(headers, channel_headers)
        try:
            response = await handler(request)
        except errors.ApiError as exc:
            response = json_response(exc.body(), status=exc.status)
        except web.HTTPMethodNotAllowed:
            self.unhandled.append(record)
            response = json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
        except web.HTTPNotFound:
            self.unhandled.append(record)
            response = json_response({"message": "404: Not Found", "code": 0}, status=404)
        response.headers.update(headers)
        if posting is not None and response.status < 300:
            self.posted_at[int(posting[1])].append(time.monotonic())
        return response

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if not fault.exhausted and fault.matches(method, path):
                fault.hits += 1
                return fault
        return None

    # ----------------------------------------------------------------- users, application, gateway

    async def get_me(self, request: web.Request) -> web.Response:
        bot = self.world.bot
        return json_response({**bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "locale": "en-US"})

    async def get_user(self, request: web.Request) -> web.Response:
        return json_response(self.world.user(int(request.match_info["user_id"])).payload())

    async def open_dm(self, request: web.Request) -> web.Response:
        body = request[BODY] or {}
        if self.dm_open_limit is not None and not self.dm_open_limit.allow():
            raise errors.opening_dms_too_fast()
        return json_response(self.world.open_dm(int(body.get("recipient_id", 0))).payload())

    async def my_guilds(self, request: web.Request) -> web.Response:
        guilds = [
            {
                "id": str(g.id),
                "name": g.name,
                "icon": None,
                "owner": False,
                "permissions": str(g.base_permissions(self.world.bot_member(g))),
                "features": ["COMMUNITY"],
            }
            for g in self.world.guilds.values()
        ]
        return json_response(guilds)

    async def application_info(self, request: web.Request) -> web.Response:
        world = self.world
        return json_response(
            {
                "id": str(world.application_id),
                "name": world.bot.username,
                "icon": None,
                "description": "Emulated application",
                "rpc_origins": [],
                "bot_public": False,
                "bot_require_code_grant": False,
                "bot": world.bot.payload(),
                "owner": world.owner.payload(),
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "approximate_guild_count": len(world.guilds),
                "interactions_endpoint_url": None,
                "redirect_uris": [],
                "tags": [],
                "integration_types_config": {"0": {}},
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.gateway_url()})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return json_response({"url": self.gateway_url(), "shards": 1, "session_start_limit": limit})

    # ----------------------------------------------------------------- application commands

    def _command_scope(self, request: web.Request) -> int | None:
        if int(request.match_info["app_id"]) != self.world.application_id:
            raise errors.ApiError(403, 50001, "Missing Access")
        guild_id = request.match_info.get("guild_id")
        return None if guild_id is None else int(guild_id)

    async def list_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        if scope is not None:
            self.world.guild(scope)
        return json_response(list(self.world.commands.get(scope, {}).values()))

    async def put_commands(self, request: web.Request) -> web.Response:
        return json_response(self.world.put_commands(self._command_scope(request), list(request[BODY] or [])))

    async def upsert_command(self, request: web.Request) -> web.Response:
        return json_response(self.world.upsert_command(self._command_scope(request), request[BODY] or {}), 201)

    async def get_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        return json_response(self.world.command(scope, int(request.match_info["command_id"])))

    async def edit_command(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        command_id = int(request.match_info["command_id"])
        return json_response(self.world.edit_command(scope, command_id, request[BODY] or {}))

    async def delete_command(self, request: web.Request) -> web.Response:
        self.world.delete_command(self._command_scope(request), int(request.match_info["command_id"]))
        return web.Response(status=204)

    # ----------------------------------------------------------------- guilds, members, roles

    async def get_guild(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        data = self.world.guild_payload(guild)
        if request.query.get("with_counts") in ("1", "true", "True"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return json_response(data)

    async def guild_channels(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        return json_response([c.payload() for c in guild.channels.values() if not c.is_thread])

    async def guild_roles(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        return json_response([r.payload() for r in guild.roles.values()])

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        return json_response(self.world.member(guild, int(request.match_info["user_id"])).payload())

    async def list_members(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        return json_response([m.payload() for m in self.world.list_members(guild, limit=limit, after=after)])

    async def add_member_role(self, request: web.Request) -> web.Response:
        return self._member_role(request, add=True)

    async def remove_member_role(self, request: web.Request) -> web.Response:
        return self._member_role(request, add=False)

    def _member_role(self, request: web.Request, *, add: bool) -> web.Response:
        info = request.match_info
        self.world.change_member_role(int(info["guild_id"]), int(info["user_id"]), int(info["role_id"]), add=add)
        return web.Response(status=204)

    async def active_threads(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        return json_response({"threads": [t.payload() for t in self.world.active_threads(guild)], "members": []})

    # ----------------------------------------------------------------- scheduled events

    async def list_events(self, request: web.Request) -> web.Response:
        guild = self.world.guild(int(request.match_info["guild_id"]))
        return json_response([e.data for e in self.world.scheduled_events_of(guild)])

    async def create_event(self, request: web.Request) -> web.Response:
        event = self.world.create_scheduled_event(int(request.match_info["guild_id"]), request[BODY] or {})
        return json_response(event.data)

    async def get_event(self, request: web.Request) -> web.Response:
        info = request.match_info
        return json_response(self.world.scheduled_event(int(info["guild_id"]), int(info["event_id"])).data)

    async def edit_event(self, request: web.Request) -> web.Response:
        info = request.match_info
        event = self.world.edit_scheduled_event(int(info["guild_id"]), int(info["event_id"]), request[BODY] or {})
        return json_response(event.data)

    async def delete_event(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.world.delete_scheduled_event(int(info["guild_id"]), int(info["event_id"]))
        return web.Response(status=204)

    # ----------------------------------------------------------------- channels and messages

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(self.world.channel(int(request.match_info["channel_id"])).payload())

    async def edit_channel(self, request: web.Request) -> web.Response:
        return json_response(
            self.world.edit_channel(int(request.match_info["channel_id"]), request[BODY] or {}).payload()
        )

    async def list_pins(self, request: web.Request) -> web.Response:
        limit = int(request.query.get("limit", "50"))
        pins, more = self.world.pinned(
            int(request.match_info["channel_id"]), limit=limit, before=request.query.get("before")
        )
        items = [{"pinned_at": m.pinned_at, "message": m.data} for m in pins]
        return json_response({"items": items, "has_more": more})

    async def pin(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.world.pin(int(info["channel_id"]), int(info["message_id"]), pinned=True)
        return web.Response(status=204)

    async def unpin(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.world.pin(int(info["channel_id"]), int(info["message_id"]), pinned=False)
        return web.Response(status=204)

    async def list_messages(self, request: web.Request) -> web.Response:
        query = request.query

        def opt(name: str) -> int | None:
            return int(query[name]) if name in query else None

        messages = self.world.list_messages(
            int(request.match_info["channel_id"]),
            limit=int(query.get("limit", "50")),
            before=opt("before"),
            after=opt("after"),
            around=opt("around"),
        )
        return json_response([m.data for m in messages])

    async def create_message(self, request: web.Request) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        message = self.world.create_message(channel_id, request[BODY] or {}, request[UPLOADS])
        return json_response(message.data)

    async def bulk_delete(self, request: web.Request) -> web.Response:
        ids = [int(i) for i in (request[BODY] or {}).get("messages", [])]
        self.world.bulk_delete(int(request.match_info["channel_id"]), ids)
        return web.Response(status=204)

    async def get_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        return json_response(self.world.message_in(int(info["channel_id"]), int(info["message_id"])).data)

    async def edit_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        message = self.world.edit_message(
            int(info["channel_id"]), int(info["message_id"]), request[BODY] or {}, request[UPLOADS]
        )
        return json_response(message.data)

    async def delete_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.world.delete_message(int(info["channel_id"]), int(info["message_id"]))
        return web.Response(status=204)

    async def thread_from_message(self, request: web.Request) -> web.Response:
        info = request.match_info
        thread = self.world.create_thread_from_message(
            int(info["channel_id"]), int(info["message_id"]), request[BODY] or {}
        )
        return json_response(thread.payload(), status=201)

    async def thread_in_channel(self, request: web.Request) -> web.Response:
        thread = self.world.create_thread(int(request.match_info["channel_id"]), request[BODY] or {})
        return json_response(thread.payload(), status=201)

    async def add_reaction(self, request: web.Request) -> web.Response:
        info = request.match_info
        self.world.add_reaction(int(info["channel_id"]), int(info["message_id"]), info["emoji"], self.world.bot)
        return web.Response(status=204)

    async def typing(self, request: web.Request) -> web.Response:
        self.world.channel(int(request.match_info["channel_id"]))
        return web.Response(status=204)

    # ----------------------------------------------------------------- interactions and their webhooks

    async def interaction_callback(self, request: web.Request) -> web.Response:
        info = request.match_info
        result = self.desk.callback(
            int(info["interaction_id"]), info["token"], request[BODY] or {}, request[UPLOADS], arrived=request[ARRIVED]
        )
        if request.query.get("with_response") in ("1", "true", "True"):
            return json_response(result)
        return web.Response(status=204)

    def _webhook(self, request: web.Request) -> tuple[int, str]:
        return int(request.match_info["app_id"]), request.match_info["token"]

    async def get_original(self, request: web.Request) -> web.Response:
        return json_response(self.desk.original(*self._webhook(request)).data)

    async def edit_original(self, request: web.Request) -> web.Response:
        message = self.desk.edit_original(*self._webhook(request), request[BODY] or {}, request[UPLOADS])
        return json_response(message.data)

    async def delete_original(self, request: web.Request) -> web.Response:
        self.desk.delete_original(*self._webhook(request))
        return web.Response(status=204)

    async def followup(self, request: web.Request) -> web.Response:
        message = self.desk.followup(*self._webhook(request), request[BODY] or {}, request[UPLOADS])
        if request.query.get("wait") in ("1", "true", "True"):
            return json_response(message.data)
        return web.Response(status=204)

    async def get_followup(self, request: web.Request) -> web.Response:
        message_id = int(request.match_info["message_id"])
        return json_response(self.desk.followup_message(*self._webhook(request), message_id).data)

    async def edit_followup(self, request: web.Request) -> web.Response:
        message_id = int(request.match_info["message_id"])
        message = self.desk.edit_followup(*self._webhook(request), message_id, request[BODY] or {}, request[UPLOADS])
        return json_response(message.data)

    async def delete_followup(self, request: web.Request) -> web.Response:
        self.desk.delete_followup(*self._webhook(request), int(request.match_info["message_id"]))
        return web.Response(status=204)


def _tighter(one: dict[str, str], other: dict[str, str]) -> dict[str, str]:
    """Of two budgets a request counts against, the headers of the one that leaves less (or lasts longer)."""
    if not one:
        return other

    def left(headers: dict[str, str]) -> tuple[int, float]:
        return int(headers["X-RateLimit-Remaining"]), -float(headers["X-RateLimit-Reset-After"])

    return min(one, other, key=left)


async def _read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """The JSON body, or a multipart body's ``payload_json`` plus its ``files[n]`` parts."""
    if not request.body_exists:
        return None, []
    content_type = request.content_type
    if content_type == "application/json":
        raw = await request.read()
        return (json.loads(raw) if raw else None), []
    if content_type.startswith("multipart/"):
        payload: Any = None
        uploads: list[Upload] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read()
            if name == "payload_json":
                payload = json.loads(data)
            else:
                uploads.append(
                    Upload(
                        name,
                        part.filename or name,
                        part.headers.get("Content-Type", "application/octet-stream"),
                        bytes(data),
                    )
                )
        return payload, uploads
    return (await request.text()) or None, []
