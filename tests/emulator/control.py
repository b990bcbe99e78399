"""The control API under ``/_emulator``: drive an emulator in another process over HTTP.

A benchmark runs the emulator with ``python -m tests.emulator`` so the emulator's own work does not share the bot's
event loop. It then sets up the guild (``POST /_emulator/setup``), waits for the bot (``POST /_emulator/wait``),
fires interactions in bulk (``POST /_emulator/interactions``, optionally paced at a rate) and reads back per
interaction send and callback times (``POST /_emulator/interactions/results``, ``GET /_emulator/interactions/stats``).
``POST /_emulator/limits`` sets Discord's message and DM limits and reports the busiest channel and the Events tab.
Everything here is JSON; ids are strings, times are milliseconds since the emulator started.
"""

from __future__ import annotations

import asyncio
import collections
import re
import statistics
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .faults import json_response
from .interactions import InteractionResult
from .model import JSON, Channel, ChannelType, Member, Role

if TYPE_CHECKING:
    from .emulator import DiscordEmulator

#: Frames an unpaced bulk send lets wait for the gateway writer before it creates the next interaction.
UNPACED_BACKLOG = 32


PREFIX = "/_emulator"
_CHANNEL_KINDS = {
    "text": ChannelType.TEXT,
    "voice": ChannelType.VOICE,
    "stage": ChannelType.STAGE,
    "category": ChannelType.CATEGORY,
}
_BAD_SPEC = (LookupError, ValueError, TypeError, PermissionError, RuntimeError)


class ControlApi:
    def __init__(self, emulator: DiscordEmulator) -> None:
        self.emu = emulator

    def install(self, app: web.Application) -> None:
        routes: list[tuple[str, str, Callable[[web.Request], Awaitable[web.Response]]]] = [
            ("GET", "/health", self.health),
            ("GET", "/state", self.state),
            ("POST", "/setup", self.setup),
            ("POST", "/wait", self.wait),
            ("POST", "/interactions", self.fire),
            ("POST", "/interactions/results", self.results),
            ("GET", "/interactions/stats", self.stats),
            ("POST", "/interactions/reset", self.reset),
            ("GET", "/requests", self.requests),
            ("GET", "/messages", self.messages),
            ("POST", "/faults", self.faults),
            ("POST", "/limits", self.limits),
            ("POST", "/gateway/drop", self.drop),
            ("POST", "/gateway/invalidate", self.invalidate),
            ("POST", "/gateway/reconnect", self.reconnect),
            ("POST", "/shutdown", self.shutdown),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, PREFIX + path, self._guard(handler))

    def _guard(self, handler: Callable[[web.Request], Awaitable[web.Response]]) -> Callable[..., Any]:
        async def guarded(request: web.Request) -> web.Response:
            self.emu._touch()
            try:
                return await handler(request)
            except _BAD_SPEC as exc:
                return json_response({"error": f"{type(exc).__name__}: {exc}"}, status=400)

        return guarded

    # ----------------------------------------------------------------- state and setup

    async def health(self, request: web.Request) -> web.Response:
        return json_response({"ok": True, **self._addresses()})

    def _addresses(self) -> JSON:
        emu = self.emu
        return {"port": emu.port, "api_url": emu.api_url, "gateway_url": emu.gateway_url, "token": emu.token}

    async def state(self, request: web.Request) -> web.Response:
        emu = self.emu
        world = emu.world
        return json_response(
            {
                **self._addresses(),
                "bot": {"id": str(world.bot.id), "username": world.bot.username},
                "application_id": str(world.application_id),
                "guilds": [
                    {
                        "id": str(g.id),
                        "name": g.name,
                        "member_count": len(g.members),
                        "channels": [
                            {"id": str(c.id), "name": c.name, "type": int(c.type), "parent_id": _s(c.parent_id)}
                            for c in g.channels.values()
                        ],
                        "roles": [
                            {"id": str(r.id), "name": r.name, "permissions": str(r.permissions)}
                            for r in g.roles.values()
                        ],
                    }
                    for g in world.guilds.values()
                ],
                "sessions": [
                    {
                        "id": s.id,
                        "connected": s.connected,
                        "resumable": s.resumable,
                        "resumes": s.resumes,
                        "seq": s.seq,
                        "intents": s.intents,
                    }
                    for s in emu.gateway.all_sessions
                ],
                "commands": {
                    ("global" if scope is None else str(scope)): sorted(c["name"] for c in commands.values())
                    for scope, commands in world.commands.items()
                },
                "interactions": len(emu.desk.records),
                "requests": len(emu.rest.requests),
            }
        )

    async def setup(self, request: web.Request) -> web.Response:
        return json_response(apply_setup(self.emu, await request.json()))

    async def wait(self, request: web.Request) -> web.Response:
        body = await request.json()
        condition = body.get("condition", "ready")
        timeout = float(body.get("timeout", 10.0))
        emu = self.emu
        predicates: dict[str, Callable[[], bool]] = {
            "ready": lambda: any(s.connected for s in emu.gateway.sessions.values()),
            "commands": lambda: _has_command(emu, body.get("command")),
            "answered": lambda: emu.desk.settled >= len(emu.desk.records),
        }
        if condition not in predicates:
            raise ValueError(f"unknown condition {condition!r}; use one of {sorted(predicates)}")
        try:
            await emu.notifier.wait_until(predicates[condition], timeout=timeout, what=condition)
        except TimeoutError as exc:
            return json_response({"ok": False, "error": str(exc)}, status=504)
        return json_response({"ok": True})

    # ----------------------------------------------------------------- interactions

    async def fire(self, request: web.Request) -> web.Response:
        """Send a list of interactions; with ``wait``, answer after all callbacks.

        How fast they go: ``rate`` per second; or, with ``in_flight``, each as soon as fewer than that many
        interactions are waiting for their answer (users who click again once answered, or once Discord's client
        gave up after 3 s); or else as fast as the bot takes frames off the socket.
        """
        body = await request.json()
        specs: list[JSON] = body.get("interactions") or []
        rate = body.get("rate")
        in_flight = int(body.get("in_flight") or 0)
        desk = self.emu.desk
        loop = asyncio.get_running_loop()
        start = loop.time()
        records: list[InteractionResult] = []
        for index, spec in enumerate(specs):
            if rate:
                delay = start + index / float(rate) - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif in_flight:
                if desk.waiting() >= in_flight:
                    try:
                        await self.emu.notifier.wait_until(
                            lambda: desk.waiting() < in_flight,
                            timeout=float(body.get("timeout", 600.0)),
                            what=f"fewer than {in_flight} interactions waiting for an answer",
                            poll=0.05,
                        )
                    except TimeoutError as exc:
                        return json_response({"error": str(exc), "ids": [str(r.id) for r in records]}, status=504)
            else:
                # Unpaced: create each interaction only when the bot is taking frames off the socket, so its id
                # (which carries Discord's 3-second clock) is stamped as it goes out, not seconds before.
                await self.emu.gateway.wait_for_room(UNPACED_BACKLOG)
            try:
                records.append(self.emu.send_interaction(self._build(spec)))
            except _BAD_SPEC as exc:
                return json_response(
                    {"error": f"{type(exc).__name__}: {exc}", "index": index, "ids": [str(r.id) for r in records]},
                    status=400,
                )
            if not rate and index % 64 == 63:
                # Let the gateway writer run even when no connection is there to hold the send back.
                await asyncio.sleep(0)
        answer: JSON = {"ids": [str(r.id) for r in records]}
        if body.get("wait"):
            unsettled = collections.deque(records)

            def settled() -> bool:
                # Callbacks arrive roughly in order: drop settled ones from the front instead of rescanning all.
                while unsettled and (unsettled[0].answered or unsettled[0].rejected_callbacks):
                    unsettled.popleft()
                return not unsettled

            try:
                await self.emu.notifier.wait_until(
                    settled,
                    timeout=float(body.get("timeout", 30.0)),
                    what="callbacks of the fired interactions",
                )
            except TimeoutError as exc:
                answer["error"] = str(exc)
            answer["results"] = [self._result(r) for r in records]
        return json_response(answer)

    def _build(self, spec: JSON) -> InteractionResult:
        emu = self.emu
        kind = spec.get("kind", "slash")
        desk = emu.desk
        if kind in ("button", "select"):
            message = emu.world.messages[int(spec["message_id"])]
            channel = emu.world.channel(message.channel_id)
            return desk.component(
                message, spec["custom_id"], user=self._actor(spec, channel), values=spec.get("values")
            )
        if kind == "modal":
            source = desk.records[int(spec["source_id"])]
            user = self._actor(spec, emu.world.channel(source.channel_id)) if "user_id" in spec else None
            return desk.modal_submit(source, spec.get("values") or {}, user=user)
        channel = emu._channel(int(spec["channel_id"]) if "channel_id" in spec else None)
        if kind in ("slash", "autocomplete"):
            return desk.slash(
                spec["command"],
                spec.get("options"),
                user=self._actor(spec, channel),
                channel=channel,
                focused=spec.get("focused") if kind == "autocomplete" else None,
                bypass_default_permissions=bool(spec.get("bypass_default_permissions", kind == "autocomplete")),
            )
        raise ValueError(f"unknown interaction kind {kind!r}; use slash, autocomplete, button, select or modal")

    def _actor(self, spec: JSON, channel: Channel) -> Member:
        guild = self.emu.world.guild_of(channel)
        if guild is None:
            raise ValueError("the control API sends interactions in guild channels only")
        user_id = int(spec["user_id"]) if "user_id" in spec else self.emu.world.owner.id
        try:
            return guild.members[user_id]
        except KeyError:
            raise LookupError(f"user {user_id} is not a member of {guild.name!r}") from None

    async def results(self, request: web.Request) -> web.Response:
        body = await request.json() if request.body_exists else {}
        records = self.emu.desk.records
        if body.get("ids") is not None:
            chosen = [records[int(i)] for i in body["ids"] if int(i) in records]
        else:
            chosen = list(records.values())
        return json_response({"results": [self._result(r) for r in chosen]})

    def _result(self, record: InteractionResult) -> JSON:
        t0 = self.emu.started_at

        def ms(at: float | None) -> float | None:
            return None if at is None else round((at - t0) * 1000, 3)

        if record.answered:
            status = "answered"
        elif record.rejected_callbacks:
            status = "rejected"
        else:
            status = "pending" if record.sent_at is not None else "queued"
        return {
            "id": str(record.id),
            "label": record.label,
            "type": record.type,
            "status": status,
            "sent_at_ms": ms(record.sent_at),
            "callback_at_ms": ms(record.callback_at),
            "latency_ms": None if record.latency is None else round(record.latency * 1000, 3),
            "callback_type": record.callback_type,
            "ephemeral": record.ephemeral,
            "content": record.content,
            "choices": record.choices,
            "followups": len(record.followups),
            "original_edits": len(record.original_edits),
            "rejected": [list(r) for r in record.rejected_callbacks],
        }

    async def stats(self, request: web.Request) -> web.Response:
        return json_response(interaction_stats(list(self.emu.desk.records.values())))

    async def reset(self, request: web.Request) -> web.Response:
        return json_response({"cleared": self.emu.desk.clear()})

    # ----------------------------------------------------------------- records

    async def requests(self, request: web.Request) -> web.Response:
        method = request.query.get("method", "*")
        pattern = re.compile(request.query.get("path", ".*"))
        limit = int(request.query.get("limit", "1000"))
        t0 = self.emu.started_at
        found = [r for r in self.emu.rest.requests if method in ("*", r.method) and pattern.fullmatch(r.path)]
        return json_response(
            [
                {
                    "method": r.method,
                    "path": r.path,
                    "query": r.query,
                    "json": r.json,
                    "files": r.files,
                    "at_ms": round((r.at - t0) * 1000, 3),
                    "status": r.status,
                }
                for r in found[-limit:]
            ]
        )

    async def messages(self, request: web.Request) -> web.Response:
        channel = self.emu._channel(int(request.query["channel_id"]) if "channel_id" in request.query else None)
        include_deleted = request.query.get("include_deleted") in ("1", "true")
        return json_response(
            [
                {
                    "id": str(m.id),
                    "content": m.content,
                    "sent": m.sent,
                    "data": m.data,
                    "deleted": m.deleted,
                    "edits": len(m.edits),
                }
                for m in self.emu.messages_in(channel, include_deleted=include_deleted)
            ]
        )

    # ----------------------------------------------------------------- faults and gateway control

    async def faults(self, request: web.Request) -> web.Response:
        body = await request.json()
        fault = self.emu.fail_next(
            body.get("method", "*"),
            body["path"],
            body.get("status", 429),
            retry_after=float(body.get("retry_after", 0.2)),
            count=int(body.get("count", 1)),
            global_=bool(body.get("global", False)),
            delay=float(body.get("delay", 0.0)),
        )
        return json_response({"ok": True, "count": fault.count})

    async def limits(self, request: web.Request) -> web.Response:
        """Discord's limits: ``{"messages": [5, 5.0] | null, "dm_opens": [count, window] | null}`` (each key
        optional); answers what accepted messages and events show so far."""
        body = await request.json() if request.body_exists else {}
        if "messages" in body:
            messages = body["messages"]
            if messages is None:
                self.emu.set_message_limit(None)
            else:
                self.emu.set_message_limit(int(messages[0]), float(messages[1]))
        if "dm_opens" in body:
            opens = body["dm_opens"]
            if opens is None:
                self.emu.limit_dm_opens(None)
            else:
                self.emu.limit_dm_opens(int(opens[0]), float(opens[1]))
        return json_response(
            {
                "most_posts_within_5s": self.emu.most_posts_within(5.0),
                "uncompleted_events": self.emu.uncompleted_events(),
                "most_uncompleted_events": self.emu.most_uncompleted_events(),
            }
        )

    async def drop(self, request: web.Request) -> web.Response:
        body = await request.json() if request.body_exists else {}
        dropped = await self.emu.drop_gateway(int(body.get("code", 4000)), abort=bool(body.get("abort", False)))
        return json_response({"dropped": dropped})

    async def invalidate(self, request: web.Request) -> web.Response:
        body = await request.json() if request.body_exists else {}
        return json_response({"invalidated": self.emu.invalidate_session(resumable=bool(body.get("resumable")))})

    async def reconnect(self, request: web.Request) -> web.Response:
        return json_response({"asked": self.emu.request_reconnect()})

    async def shutdown(self, request: web.Request) -> web.Response:
        # Stopping from inside a request would wait on this very request; the process's main loop stops instead.
        self.emu.shutdown_requested.set()
        return json_response({"ok": True})


def apply_setup(emu: DiscordEmulator, spec: JSON) -> JSON:
    """Build roles, channels and members from a JSON spec; return their ids by name."""
    guild = emu.guild
    if "guild_name" in spec:
        guild.name = str(spec["guild_name"])
    roles: dict[str, Role] = {r.name: r for r in guild.roles.values()}
    for item in spec.get("roles", []):
        roles[item["name"]] = emu.add_role(
            item["name"], int(item.get("permissions", 0)), mentionable=bool(item.get("mentionable", False))
        )
    channels: dict[str, Channel] = {c.name: c for c in guild.channels.values()}
    for item in spec.get("channels", []):
        kind = _CHANNEL_KINDS[item.get("type", "text")]
        category = channels[item["category"]] if item.get("category") else None
        channels[item["name"]] = emu._add_channel(item["name"], kind, None, category, item.get("topic"), None)
    members: dict[str, Member] = {}
    for item in spec.get("members", []):
        members[item["username"]] = emu.add_member(
            item["username"],
            display_name=item.get("display_name"),
            nick=item.get("nick"),
            roles=[roles[name] for name in item.get("roles", [])],
            accepts_dms=bool(item.get("accepts_dms", True)),
        )
    bulk_ids: list[str] = []
    if spec.get("bulk_members"):
        bulk = spec["bulk_members"]
        added = emu.add_members(
            int(bulk["count"]),
            prefix=str(bulk.get("prefix", "attendee")),
            roles=[roles[name] for name in bulk.get("roles", [])],
        )
        bulk_ids = [str(m.id) for m in added]
    if "bot_permissions" in spec:
        emu.set_bot_permissions(int(spec["bot_permissions"]))
    if "everyone_permissions" in spec:
        emu.set_role_permissions(guild.everyone_role, int(spec["everyone_permissions"]))
    return {
        "guild_id": str(guild.id),
        "owner_id": str(emu.world.owner.id),
        "roles": {name: str(r.id) for name, r in roles.items()},
        "channels": {name: str(c.id) for name, c in channels.items()},
        "members": {name: str(m.id) for name, m in members.items()},
        "bulk_member_ids": bulk_ids,
    }


def interaction_stats(records: list[InteractionResult]) -> JSON:
    """Counts and latency percentiles (ms) of interactions, and callbacks per second over the whole run."""
    latencies = sorted(r.latency * 1000 for r in records if r.latency is not None)
    answered = [r for r in records if r.answered]
    stats: JSON = {
        "count": len(records),
        "sent": sum(1 for r in records if r.sent_at is not None),
        "answered": len(answered),
        "rejected": sum(1 for r in records if r.rejected_callbacks and not r.answered),
        "pending": sum(1 for r in records if not r.answered and not r.rejected_callbacks),
        "latency_ms": None,
        "callbacks_per_second": None,
    }
    if latencies:
        stats["latency_ms"] = {
            "min": round(latencies[0], 3),
            "p50": round(_percentile(latencies, 50), 3),
            "p90": round(_percentile(latencies, 90), 3),
            "p99": round(_percentile(latencies, 99), 3),
            "max": round(latencies[-1], 3),
            "mean": round(statistics.fmean(latencies), 3),
        }
        first = min(r.sent_at for r in answered if r.sent_at is not None)
        last = max(r.callback_at for r in answered if r.callback_at is not None)
        if last > first:
            stats["callbacks_per_second"] = round(len(answered) / (last - first), 1)
    return stats


def _percentile(ordered: list[float], pct: float) -> float:
    # Nearest-rank on the sorted sample: simple and exact for the sizes a benchmark sees.
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _has_command(emu: DiscordEmulator, name: str | None) -> bool:
    commands = [c for scope in emu.world.commands.values() for c in scope.values()]
    return any(c["name"] == name for c in commands) if name else bool(commands)


def _s(value: int | None) -> str | None:
    return None if value is None else str(value)
