"""``DiscordEmulator``: the one object a test talks to.

It runs the aiohttp server (REST under ``/api/v10``, the gateway at ``/gateway`` and ``/gateway-resume``, attachment
downloads, and the ``/_emulator`` control API), builds the world a test needs (channels, roles, members, bot
permissions), sends interactions as a given member and awaits the bot's answer, injects faults, and offers the
records to assert on. By default it also points discord.py at itself for as long as it runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

from .faults import DmOpenLimit, Fault, MessageRateLimit, RateLimiter, RecordedRequest
from .gateway import Connection, Gateway, Session
from .interactions import InteractionDesk, InteractionResult
from .model import (
    JSON,
    PRIVILEGED_INTENTS,
    Channel,
    ChannelType,
    Guild,
    Member,
    Message,
    Overwrite,
    Role,
    ScheduledEvent,
    User,
    as_permission_bits,
)
from .patching import patch_discord, run_client
from .rest import RestApi
from .snowflake import SnowflakeFactory
from .state import Event, World
from .waiting import Notifier

DEFAULT_TOKEN = "emulator-bot-token"
T = TypeVar("T")
ChannelRef = Channel | int
Actor = Member | User


class DiscordEmulator:
    """A local Discord (REST API v10 + gateway) for the real discord.py client.

    Use as ``async with DiscordEmulator() as emu:``. It starts with one guild (``emu.guild``, "Workshop") holding a
    ``#general`` text channel (``emu.general``), the application owner ("organizer") and the bot, whose managed role
    carries the bot's permissions (``emu.set_bot_permissions``).

    Options: ``heartbeat_interval`` (seconds, sent in HELLO), ``interaction_deadline`` (Discord's 3 s; ``None`` turns
    the check off), ``privileged_intents`` (what the portal grants; a bot asking for more is closed with 4014),
    ``transport_compression`` (honour ``compress=zlib-stream``), ``rate_limit``/``rate_limit_window`` (the budget
    the ``X-RateLimit-*`` headers describe; large by default so discord.py never waits) and ``enforce_rate_limits``
    (answer 429 past it), ``message_limit`` (Discord's messages per channel, ``(5, 5.0)``: 5 in any 5 s, answered
    429 past it; ``None`` turns it off), ``clock`` (Discord's time for scheduled events; the real time by default,
    the bot's clock in a test that moves it), ``patch_discord`` (point discord.py here while running),
    ``record_limit`` (REST requests kept), ``replay_limit`` and ``resume_window`` (how much and how long a dropped
    session can be resumed), ``control_api`` (serve ``/_emulator``).

    Discord's other limits that matter to chairbot hold too: at most 100 uncompleted scheduled events per server
    (30038), a member with DMs closed (50007, ``add_member(accepts_dms=False)`` or ``set_accepts_dms``), and,
    once a test calls ``limit_dm_opens``, DMs opened too fast (40003).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "chairbot",
        guild_name: str = "Workshop",
        heartbeat_interval: float = 41.25,
        interaction_deadline: float | None = 3.0,
        privileged_intents: int = PRIVILEGED_INTENTS,
        transport_compression: bool = True,
        rate_limit: int = 10_000,
        rate_limit_window: float = 1.0,
        enforce_rate_limits: bool = False,
        message_limit: tuple[int, float] | None = (5, 5.0),
        clock: Callable[[], dt.datetime] | None = None,
        patch_discord: bool = True,
        record_limit: int | None = None,
        replay_limit: int = 100_000,
        resume_window: float = 120.0,
        control_api: bool = True,
    ) -> None:
        self.host = host
        self.token = token
        self._requested_port = port
        self._patch_discord = patch_discord
        self._control_api = control_api
        self.started_at = time.perf_counter()
        self.last_activity = time.monotonic()
        self.ids = SnowflakeFactory()
        self.notifier = Notifier()
        self.world = World(self.ids, bot_name=bot_name, clock=clock)
        self.desk = InteractionDesk(self.world, self.ids, self.notifier, deadline=interaction_deadline)
        self.gateway = Gateway(
            self.world,
            self.notifier,
            token=token,
            heartbeat_interval=heartbeat_interval,
            privileged_intents=privileged_intents,
            transport_compression=transport_compression,
            replay_limit=replay_limit,
            resume_window=resume_window,
            on_activity=self._touch,
        )
        self.rest = RestApi(
            self.world,
            self.desk,
            self.notifier,
            token=token,
            gateway_url=lambda: self.gateway.url,
            rate_limiter=RateLimiter(limit=rate_limit, window=rate_limit_window, enforce=enforce_rate_limits),
            message_limit=None if message_limit is None else MessageRateLimit(*message_limit),
            record_limit=record_limit,
            on_activity=self._touch,
        )
        self.world.emit = self._emit
        self.guild: Guild = self.world.add_guild(guild_name)
        self.general: Channel = self.add_text_channel("general")
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._patch: contextlib.AbstractContextManager[None] | None = None
        self.closed = asyncio.Event()
        #: Set by ``POST /_emulator/shutdown``; the standalone process stops when it is.
        self.shutdown_requested = asyncio.Event()

    # ----------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        self.rest.install(app)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        app.router.add_get(r"/attachments/{channel_id:\d+}/{attachment_id:\d+}/{filename}", self._attachment)
        if self._control_api:
            from .control import ControlApi

            ControlApi(self).install(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        # A burst of interactions makes discord.py open one connection per concurrent callback; with aiohttp's
        # default backlog (128) the excess SYNs are dropped and retried a second later, which looks like a slow bot.
        site = web.TCPSite(self._runner, self.host, self._requested_port, backlog=4096)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self.world.cdn_base = self.base_url
        self.gateway.ws_base = f"ws://{self.host}:{self.port}"
        if self._patch_discord:
            self._patch = patch_discord(self.api_url, self.gateway.url)
            self._patch.__enter__()

    async def stop(self) -> None:
        if self._patch is not None:
            self._patch.__exit__(None, None, None)
            self._patch = None
        if self._runner is not None:
            await self.gateway.close_all()
            await self._runner.cleanup()
            self._runner = None
        self.closed.set()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """What ``discord.http.Route.BASE`` must be."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What ``DiscordWebSocket.DEFAULT_GATEWAY`` must be."""
        return self.gateway.url

    @property
    def bot(self) -> User:
        return self.world.bot

    @property
    def application_id(self) -> int:
        return self.world.application_id

    @property
    def owner(self) -> Member:
        return self.guild.members[self.world.owner.id]

    def run_client(
        self, client: Any, *, timeout: float = 10.0, fast_ready: bool = True
    ) -> contextlib.AbstractAsyncContextManager[Any]:
        """``async with emu.run_client(bot):`` starts the client with the emulator's token and yields it when ready."""
        return run_client(client, self.token, timeout=timeout, fast_ready=fast_ready)

    # ----------------------------------------------------------------- building the world

    def add_guild(self, name: str) -> Guild:
        return self.world.add_guild(name)

    def add_role(
        self,
        name: str,
        permissions: Any = 0,
        *,
        guild: Guild | None = None,
        mentionable: bool = False,
        hoist: bool = False,
        color: int = 0,
    ) -> Role:
        return self.world.add_role(
            guild or self.guild,
            name,
            as_permission_bits(permissions),
            mentionable=mentionable,
            hoist=hoist,
            color=color,
        )

    def add_text_channel(
        self,
        name: str,
        *,
        guild: Guild | None = None,
        category: Channel | None = None,
        topic: str | None = None,
        overwrites: Mapping[Role | Member, tuple[Any, Any]] | None = None,
    ) -> Channel:
        return self._add_channel(name, ChannelType.TEXT, guild, category, topic, overwrites)

    def add_voice_channel(self, name: str, *, guild: Guild | None = None, category: Channel | None = None) -> Channel:
        return self._add_channel(name, ChannelType.VOICE, guild, category, None, None)

    def add_stage_channel(
        self, name: str, *, guild: Guild | None = None, category: Channel | None = None, topic: str | None = None
    ) -> Channel:
        return self._add_channel(name, ChannelType.STAGE, guild, category, topic, None)

    def add_category(self, name: str, *, guild: Guild | None = None) -> Channel:
        return self._add_channel(name, ChannelType.CATEGORY, guild, None, None, None)

    def _add_channel(
        self,
        name: str,
        kind: ChannelType,
        guild: Guild | None,
        category: Channel | None,
        topic: str | None,
        overwrites: Mapping[Role | Member, tuple[Any, Any]] | None,
    ) -> Channel:
        built = [_overwrite(target, allow, deny) for target, (allow, deny) in (overwrites or {}).items()]
        return self.world.add_channel(guild or self.guild, name, kind, parent=category, topic=topic, overwrites=built)

    def set_channel_overwrite(self, channel: Channel, target: Role | Member, *, allow: Any = 0, deny: Any = 0) -> None:
        channel.overwrites = [o for o in channel.overwrites if o.target_id != target.id]
        channel.overwrites.append(_overwrite(target, allow, deny))
        self.world.update_channel(channel)

    def add_member(
        self,
        username: str,
        *,
        display_name: str | None = None,
        nick: str | None = None,
        roles: Iterable[Role] = (),
        guild: Guild | None = None,
        bot: bool = False,
        accepts_dms: bool = True,
    ) -> Member:
        return self.world.add_member(
            guild or self.guild,
            username,
            global_name=display_name,
            nick=nick,
            roles=roles,
            bot=bot,
            accepts_dms=accepts_dms,
        )

    def add_members(
        self, count: int, *, prefix: str = "attendee", roles: Iterable[Role] = (), guild: Guild | None = None
    ) -> list[Member]:
        """Add ``count`` members quickly (a conference's attendees), named ``prefix0001`` and up."""
        role_list = list(roles)
        width = max(4, len(str(count)))
        return [
            self.world.add_member(
                guild or self.guild, f"{prefix}{i:0{width}d}", global_name=f"{prefix.title()} {i}", roles=role_list
            )
            for i in range(1, count + 1)
        ]

    def set_accepts_dms(self, member: Actor, accepts: bool) -> None:
        """Open or close a member's DMs: the bot's messages to a member with closed DMs fail with 50007."""
        (member.user if isinstance(member, Member) else member).accepts_dms = accepts

    def set_member_roles(self, member: Member, roles: Iterable[Role]) -> None:
        self.world.set_member_roles(member, roles)

    def set_bot_permissions(self, permissions: Any, *, guild: Guild | None = None) -> None:
        """Set what the bot's own role grants (``@everyone``'s permissions still apply on top, as on Discord)."""
        self.world.update_role((guild or self.guild).bot_role, permissions=as_permission_bits(permissions))

    def set_role_permissions(self, role: Role, permissions: Any) -> None:
        self.world.update_role(role, permissions=as_permission_bits(permissions))

    def bot_permissions_in(self, channel: Channel) -> int:
        return self.world.bot_permissions(channel)

    # ----------------------------------------------------------------- interactions

    def send_slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Actor,
        channel: ChannelRef | None = None,
        bypass_default_permissions: bool = False,
        locale: str = "en-US",
        stale_limits: bool = False,
    ) -> InteractionResult:
        """Send a slash command without waiting; ``await result.wait_answered()`` later. Option values outside
        the synced limits are refused as Discord's client refuses them, unless ``stale_limits`` (a client with
        an older copy of the command)."""
        record = self.desk.slash(
            command,
            options,
            user=user,
            channel=self._channel(channel),
            bypass_default_permissions=bypass_default_permissions,
            locale=locale,
            stale_limits=stale_limits,
        )
        return self.send_interaction(record)

    async def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: Actor,
        channel: ChannelRef | None = None,
        bypass_default_permissions: bool = False,
        locale: str = "en-US",
        timeout: float = 5.0,
        stale_limits: bool = False,
    ) -> InteractionResult:
        """Run ``/command`` (``"qa next"`` for a subcommand) as ``user`` and return once the bot answered."""
        record = self.send_slash(
            command,
            options,
            user=user,
            channel=channel,
            bypass_default_permissions=bypass_default_permissions,
            locale=locale,
            stale_limits=stale_limits,
        )
        return await self._answered(record, timeout)

    async def autocomplete(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        user: Actor,
        channel: ChannelRef | None = None,
        timeout: float = 5.0,
    ) -> InteractionResult:
        """Type into option ``focused`` (its text is ``options[focused]``); the result's ``choices`` are the bot's."""
        record = self.desk.slash(
            command,
            options,
            user=user,
            channel=self._channel(channel),
            focused=focused,
            bypass_default_permissions=True,
        )
        return await self._answered(self.send_interaction(record), timeout)

    async def click(
        self, message: Message | int, custom_id: str, *, user: Actor, timeout: float = 5.0
    ) -> InteractionResult:
        """Click button ``custom_id`` on ``message``."""
        record = self.desk.component(self._message(message), custom_id, user=user)
        return await self._answered(self.send_interaction(record), timeout)

    async def select(
        self, message: Message | int, custom_id: str, values: list[str], *, user: Actor, timeout: float = 5.0
    ) -> InteractionResult:
        """Pick ``values`` in select menu ``custom_id`` on ``message``."""
        record = self.desk.component(self._message(message), custom_id, user=user, values=values)
        return await self._answered(self.send_interaction(record), timeout)

    async def submit_modal(
        self,
        source: InteractionResult,
        values: Mapping[str, str | list[str]],
        *,
        user: Actor | None = None,
        timeout: float = 5.0,
    ) -> InteractionResult:
        """Fill in and submit the modal the bot opened in answer to ``source`` (inputs by ``custom_id``)."""
        record = self.desk.modal_submit(source, values, user=user)
        return await self._answered(self.send_interaction(record), timeout)

    async def user_command(
        self, name: str, target: Member | User, *, user: Actor, channel: ChannelRef | None = None, timeout: float = 5.0
    ) -> InteractionResult:
        record = self.desk.context_menu(name, target, user=user, channel=self._channel(channel))
        return await self._answered(self.send_interaction(record), timeout)

    async def message_command(
        self, name: str, target: Message, *, user: Actor, timeout: float = 5.0
    ) -> InteractionResult:
        channel = self.world.channel(target.channel_id)
        record = self.desk.context_menu(name, target, user=user, channel=channel)
        return await self._answered(self.send_interaction(record), timeout)

    def send_interaction(self, record: InteractionResult) -> InteractionResult:
        """Dispatch a built interaction over the gateway (``INTERACTION_CREATE``)."""
        delivered = self.gateway.deliver(Event("INTERACTION_CREATE", record.payload, None), record)
        if not delivered:
            raise RuntimeError(f"no bot session is connected (or resumable) to receive {record.label}")
        self.notifier.notify()
        return record

    async def _answered(self, record: InteractionResult, timeout: float) -> InteractionResult:
        await self.notifier.wait_until(
            lambda: record.answered or record.rejected_callbacks,
            timeout=timeout,
            what=f"the bot to answer {record.label}",
        )
        return record

    @property
    def interactions(self) -> list[InteractionResult]:
        return list(self.desk.records.values())

    # ----------------------------------------------------------------- people talking in channels

    def post_as(self, member: Actor, channel: ChannelRef, content: str, **body: Any) -> Message:
        """Post a message as a user (not the bot), as if typed in Discord's client; dispatches MESSAGE_CREATE."""
        user = member.user if isinstance(member, Member) else member
        return self.world.create_message(self._channel(channel).id, {"content": content, **body}, author=user)

    # ----------------------------------------------------------------- looking at what happened

    def messages_in(
        self, channel: ChannelRef, *, include_deleted: bool = False, include_ephemeral: bool = False
    ) -> list[Message]:
        """Messages in a channel or thread, oldest first."""
        return [
            m
            for m in self.world.messages_in(self._channel(channel).id)
            if (include_deleted or not m.deleted) and (include_ephemeral or not m.ephemeral)
        ]

    def message(self, message_id: int) -> Message:
        return self.world.messages[message_id]

    def dm_channel(self, user: Actor) -> Channel | None:
        return self.world.dm_channel_with(user.id)

    def dms_to(self, user: Actor) -> list[Message]:
        """Messages the bot sent to ``user`` in their DM channel, oldest first."""
        channel = self.world.dm_channel_with(user.id)
        return [] if channel is None else self.messages_in(channel)

    def threads_in(self, channel: ChannelRef) -> list[Channel]:
        parent = self._channel(channel)
        guild = self.world.guild_of(parent)
        return [] if guild is None else [t for t in guild.threads if t.parent_id == parent.id]

    def scheduled_events(self, *, guild: Guild | None = None, include_deleted: bool = False) -> list[ScheduledEvent]:
        """The server's scheduled events as Discord shows them now (begun and ended on the emulator's clock)."""
        target = guild or self.guild
        shown = self.world.scheduled_events_of(target)
        return list(target.scheduled_events.values()) if include_deleted else shown

    def uncompleted_events(self, *, guild: Guild | None = None) -> int:
        """How many scheduled events count against Discord's cap of 100 now (scheduled or active)."""
        return self.world.uncompleted_events(guild or self.guild)

    def most_uncompleted_events(self, *, guild: Guild | None = None) -> int:
        """The most scheduled events the server held uncompleted at once, so far."""
        return (guild or self.guild).most_uncompleted_events

    def posted_at(self, channel: ChannelRef) -> list[float]:
        """When (``time.monotonic()``) the channel accepted each message the bot posted through the REST API."""
        return list(self.rest.posted_at.get(self._channel(channel).id, []))

    def most_posts_within(self, seconds: float = 5.0) -> int:
        """The most messages any one channel accepted from the bot within ``seconds`` (Discord allows 5 in 5 s)."""
        most = 0
        for times in self.rest.posted_at.values():
            first = 0
            for last, at in enumerate(times):
                while at - times[first] >= seconds:
                    first += 1
                most = max(most, last - first + 1)
        return most

    def guild_commands(self, guild: Guild | None = None) -> list[JSON]:
        return list(self.world.commands.get((guild or self.guild).id, {}).values())

    def global_commands(self) -> list[JSON]:
        return list(self.world.commands.get(None, {}).values())

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.rest.requests)

    def requests_matching(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """Recorded requests whose method matches (``"*"`` for any) and whose whole path matches the regex."""
        pattern = re.compile(path_regex)
        return [r for r in self.rest.requests if method in ("*", r.method) and pattern.fullmatch(r.path)]

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        """Requests to routes the emulator does not model (answered with 404)."""
        return list(self.rest.unhandled)

    @property
    def sessions(self) -> list[Session]:
        return list(self.gateway.all_sessions)

    @property
    def connections(self) -> list[Connection]:
        return list(self.gateway.connections)

    # ----------------------------------------------------------------- waiting

    async def wait_until(
        self, predicate: Callable[[], T], *, timeout: float = 5.0, what: str = "the condition", poll: float = 0.02
    ) -> T:
        """Wait for ``predicate()`` to be truthy: re-checked on every emulator change and every ``poll`` seconds.

        The polling covers conditions on the client's side (its cache, ``is_ready()``) that the emulator cannot see.
        """
        return await self.notifier.wait_until(predicate, timeout=timeout, what=what, poll=poll)

    async def wait_for_message(
        self,
        channel: ChannelRef,
        predicate: Callable[[Message], bool] = lambda m: True,
        *,
        timeout: float = 5.0,
    ) -> Message:
        target = self._channel(channel)

        def find() -> Message | None:
            return next((m for m in self.messages_in(target) if predicate(m)), None)

        found = await self.notifier.wait_until(find, timeout=timeout, what=f"a matching message in #{target.name}")
        assert found is not None
        return found

    async def wait_for_requests(
        self, method: str, path_regex: str, *, count: int = 1, timeout: float = 5.0
    ) -> list[RecordedRequest]:
        def enough() -> list[RecordedRequest]:
            found = self.requests_matching(method, path_regex)
            return found if len(found) >= count else []

        return await self.notifier.wait_until(enough, timeout=timeout, what=f"{count} request(s) {method} {path_regex}")

    async def wait_identified(self, count: int = 1, *, timeout: float = 5.0) -> Session:
        """Wait until ``count`` sessions have been started with IDENTIFY; return the newest."""
        await self.notifier.wait_until(
            lambda: len(self.gateway.all_sessions) >= count, timeout=timeout, what=f"{count} IDENTIFY"
        )
        return self.gateway.all_sessions[-1]

    async def wait_resumed(self, count: int = 1, *, timeout: float = 5.0) -> Session:
        """Wait until some session has RESUMEd ``count`` times in total; return it."""

        def resumed() -> Session | None:
            return next((s for s in self.gateway.all_sessions if s.resumes >= count), None)

        found = await self.notifier.wait_until(resumed, timeout=timeout, what=f"{count} RESUME(s)")
        assert found is not None
        return found

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int | None = 429,
        *,
        retry_after: float = 0.2,
        count: int = 1,
        global_: bool = False,
        delay: float = 0.0,
        scope: str = "user",
        cloudflare: bool = False,
    ) -> Fault:
        """Make the next ``count`` matching requests fail with ``status`` (429 or 5xx), after ``delay`` s.

        ``path_regex`` must match the whole path below ``/api/v10``, e.g. ``r"/channels/\\d+/messages"``.
        """
        fault = Fault(method, path_regex, status, retry_after, count, global_, delay, scope, cloudflare)
        self.rest.faults.append(fault)
        return fault

    def set_message_limit(self, limit: int | None, window: float = 5.0) -> None:
        """Hold the bot to ``limit`` messages per channel in any ``window`` seconds (Discord: 5 in 5 s); ``None``
        lifts the limit, for a test that must post faster than Discord allows."""
        self.rest.message_limit = None if limit is None else MessageRateLimit(limit, window)

    def limit_dm_opens(self, count: int | None, window: float = 10.0) -> DmOpenLimit | None:
        """Answer 40003 ("You are opening direct messages too fast") once the bot opened ``count`` DM channels
        within ``window`` seconds, as Discord's anti-spam does; ``None`` switches it off. The limit returned counts
        the refusals."""
        self.rest.dm_open_limit = None if count is None else DmOpenLimit(count, window)
        return self.rest.dm_open_limit

    def delay_next(self, method: str, path_regex: str, delay: float, *, count: int = 1) -> Fault:
        """Answer the next ``count`` matching requests normally, but only after ``delay`` seconds."""
        return self.fail_next(method, path_regex, None, count=count, delay=delay)

    async def drop_gateway(self, code: int = 4000, *, abort: bool = False) -> int:
        """Break the gateway connection(s): a close frame with ``code``, or with ``abort`` no close frame at all."""
        return await self.gateway.drop(code=code, abort=abort)

    def invalidate_session(self, *, resumable: bool = False) -> int:
        return self.gateway.invalidate(resumable=resumable)

    def request_reconnect(self) -> int:
        return self.gateway.request_reconnect()

    def request_heartbeat(self) -> int:
        return self.gateway.request_heartbeat()

    # ----------------------------------------------------------------- internals

    def _emit(self, event: Event) -> None:
        self.gateway.deliver(event)
        self.notifier.notify()

    def _touch(self) -> None:
        self.last_activity = time.monotonic()

    def _channel(self, channel: ChannelRef | None) -> Channel:
        if channel is None:
            return self.general
        if isinstance(channel, Channel):
            return channel
        return self.world.channel(int(channel))

    def _message(self, message: Message | int) -> Message:
        return message if isinstance(message, Message) else self.world.messages[int(message)]

    async def _attachment(self, request: web.Request) -> web.Response:
        found = self.world.attachment_bytes(
            int(request.match_info["channel_id"]), int(request.match_info["attachment_id"])
        )
        if found is None:
            raise web.HTTPNotFound()
        return web.Response(body=found[1], content_type="application/octet-stream")


def _overwrite(target: Role | Member, allow: Any, deny: Any) -> Overwrite:
    kind = 1 if isinstance(target, Member) else 0
    return Overwrite(target.id, kind, as_permission_bits(allow), as_permission_bits(deny))
