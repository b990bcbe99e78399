"""The gateway: Discord's websocket (v10, JSON, optional ``zlib-stream`` transport compression).

It owns connections and sessions. A connection gets HELLO with the configured heartbeat interval and ACKs every
heartbeat; IDENTIFY starts a session (READY with a ``resume_gateway_url`` pointing back here, then one GUILD_CREATE
per guild); RESUME re-attaches a session and replays every dispatch after the client's last sequence number before
sending RESUMED. Sessions outlive dropped connections (that is what makes RESUME possible) but end when the client
closes normally (1000/1001), as on Discord.

discord.py 2.7 connects with ``?v=10&encoding=json&compress=zlib-stream`` (``zstd-stream`` if a zstd module is
installed). The emulator answers ``zlib-stream`` with one shared deflate stream per connection, each message ending in
a ``Z_SYNC_FLUSH`` (``00 00 ff ff``) as discord.py expects. It cannot produce zstd, and falls back to plain text
frames, which discord.py also accepts (it only decompresses binary frames).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import json
import secrets
import time
import zlib
from collections.abc import Callable
from enum import IntEnum
from typing import Any

from aiohttp import WSMsgType, web

from .interactions import InteractionResult
from .model import JSON, PRIVILEGED_INTENTS, Intent
from .state import Event, World
from .waiting import Notifier


class Op(IntEnum):
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    VOICE_STATE_UPDATE = 4
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


#: Close codes after which Discord ends the session instead of keeping it resumable.
_SESSION_ENDING_CLOSES = frozenset({1000, 1001})
_MEMBERS_PER_CHUNK = 1000


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


@dataclasses.dataclass(eq=False)
class Session:
    """A gateway session: its sequence counter and the dispatches kept for replay on RESUME."""

    id: str
    intents: int
    shard: list[int] | None
    large_threshold: int
    identify: JSON
    log: collections.deque[tuple[int, str, InteractionResult | None]]
    seq: int = 0
    connection: Connection | None = None
    resumable: bool = True
    resumes: int = 0
    disconnected_at: float | None = None

    @property
    def connected(self) -> bool:
        return self.connection is not None


@dataclasses.dataclass(eq=False)
class Connection:
    """One websocket connection; frames leave through a queue so they go out in sequence order."""

    id: int
    ws: web.WebSocketResponse
    request: web.Request
    path: str
    compression: str | None
    opened_at: float
    queue: asyncio.Queue[tuple[str, Any, Any]] = dataclasses.field(default_factory=asyncio.Queue)
    session: Session | None = None
    #: Every payload the client sent (``op``/``d``), oldest first.
    received: list[JSON] = dataclasses.field(default_factory=list)
    #: ``(perf_counter time, sequence the client acknowledged)`` per heartbeat.
    heartbeats: list[tuple[float, int | None]] = dataclasses.field(default_factory=list)
    closed: bool = False
    closing: bool = False
    #: The code that ended the connection: the emulator's when it closed first, else the client's.
    close_code: int | None = None
    sent_close_code: int | None = None
    dropped_by_emulator: bool = False
    compressor: Any = None
    writer: asyncio.Task[None] | None = None
    #: Set by the writer once fewer than ``room_limit`` frames wait; see :meth:`Gateway.wait_for_room`.
    room: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    room_limit: int = 0

    @property
    def ops(self) -> list[int]:
        return [int(p.get("op", -1)) for p in self.received]


class Gateway:
    def __init__(
        self,
        world: World,
        notifier: Notifier,
        *,
        token: str,
        heartbeat_interval: float,
        privileged_intents: int,
        transport_compression: bool,
        replay_limit: int,
        resume_window: float,
        on_activity: Callable[[], None],
    ) -> None:
        self.world = world
        self.notifier = notifier
        self.token = token
        self.heartbeat_interval = heartbeat_interval
        #: Privileged intents the application has been granted in the developer portal.
        self.privileged_intents = privileged_intents
        self.transport_compression = transport_compression
        self.replay_limit = replay_limit
        self.resume_window = resume_window
        self.on_activity = on_activity
        self.sessions: dict[str, Session] = {}
        #: Every session ever started, including ended ones, oldest first.
        self.all_sessions: list[Session] = []
        self.connections: list[Connection] = []
        self.ws_base = "ws://127.0.0.1"
        self._connection_ids = 0

    @property
    def url(self) -> str:
        return f"{self.ws_base}/gateway"

    @property
    def resume_url(self) -> str:
        return f"{self.ws_base}/gateway-resume"

    def live_connections(self) -> list[Connection]:
        return [c for c in self.connections if not c.closed]

    async def wait_for_room(self, limit: int) -> None:
        """Return once every live connection has fewer than ``limit`` frames waiting to be written.

        A frame waits in the queue while the client is not reading (the socket's buffers are full), so a bulk send
        that waits here creates each interaction only when the bot can take it, as Discord creates an interaction
        when a user clicks and delivers it at once. A closed connection stops counting within half a second.
        """
        while True:
            full = [c for c in self.live_connections() if c.queue.qsize() >= limit]
            if not full:
                return
            conn = full[0]
            conn.room_limit = limit
            conn.room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(conn.room.wait(), 0.5)

    # ----------------------------------------------------------------- the websocket handler

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._connection_ids += 1
        compression = request.query.get("compress")
        conn = Connection(
            self._connection_ids,
            ws,
            request,
            request.path,
            compression if compression == "zlib-stream" and self.transport_compression else None,
            time.perf_counter(),
        )
        if conn.compression == "zlib-stream":
            conn.compressor = zlib.compressobj()
        self.connections.append(conn)
        conn.writer = asyncio.create_task(self._write(conn), name=f"emulator gateway writer {conn.id}")
        self.on_activity()
        try:
            if request.query.get("v", "10") != "10":
                self._close(conn, 4012, "Invalid API version.")
            elif request.query.get("encoding", "json") != "json":
                self._close(conn, 4002, "Error while decoding payload.")
            else:
                self._send(conn, {"op": Op.HELLO, "d": {"heartbeat_interval": round(self.heartbeat_interval * 1000)}})
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    raw = message.data
                elif message.type == WSMsgType.BINARY:
                    raw = message.data.decode("utf-8", "replace")
                else:
                    break
                self.on_activity()
                try:
                    payload = json.loads(raw)
                except ValueError:
                    self._close(conn, 4002, "Error while decoding payload.")
                    break
                self._receive(conn, payload)
                if conn.closing:
                    break
        finally:
            await self._finish(conn)
        return ws

    async def _finish(self, conn: Connection) -> None:
        if conn.writer is not None and not conn.writer.done():
            conn.queue.put_nowait(("stop", None, None))
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(conn.writer), 2.0)
            conn.writer.cancel()
        conn.closed = True
        conn.close_code = conn.sent_close_code if conn.sent_close_code is not None else conn.ws.close_code
        session = conn.session
        if session is not None and session.connection is conn:
            session.connection = None
            session.disconnected_at = time.monotonic()
            if conn.close_code in _SESSION_ENDING_CLOSES and not conn.dropped_by_emulator:
                self._end_session(session)
        self.notifier.notify()

    async def _write(self, conn: Connection) -> None:
        """Send queued frames in order; a ``close`` item ends the connection after what was queued before it."""
        while True:
            kind, item, extra = await conn.queue.get()
            if conn.queue.qsize() < conn.room_limit:
                conn.room.set()
            try:
                if kind == "frame":
                    if extra is not None and extra.sent_at is None:
                        extra.sent_at = time.perf_counter()
                    if conn.compressor is not None:
                        data = conn.compressor.compress(item.encode()) + conn.compressor.flush(zlib.Z_SYNC_FLUSH)
                        await conn.ws.send_bytes(data)
                    else:
                        await conn.ws.send_str(item)
                elif kind == "close":
                    await conn.ws.close(code=item, message=str(extra).encode())
                    return
                else:
                    return
            except (ConnectionError, RuntimeError):
                # The peer went away mid-send; the reader notices and cleans up.
                return

    def _send(self, conn: Connection, payload: JSON, record: InteractionResult | None = None) -> None:
        conn.queue.put_nowait(("frame", _dumps(payload), record))

    def _close(self, conn: Connection, code: int, reason: str) -> None:
        conn.closing = True
        if conn.sent_close_code is None:
            conn.sent_close_code = code
        conn.queue.put_nowait(("close", code, reason))

    # ----------------------------------------------------------------- what the client sends

    def _receive(self, conn: Connection, payload: JSON) -> None:
        op = payload.get("op")
        data = payload.get("d")
        conn.received.append(payload)
        if op == Op.HEARTBEAT:
            conn.heartbeats.append((time.perf_counter(), data))
            self._send(conn, {"op": Op.HEARTBEAT_ACK})
        elif op == Op.IDENTIFY:
            self._identify(conn, data or {})
        elif op == Op.RESUME:
            self._resume(conn, data or {})
        elif conn.session is None:
            self._close(conn, 4003, "Not authenticated.")
        elif op == Op.REQUEST_GUILD_MEMBERS:
            self._send_member_chunks(conn.session, data or {})
        elif op not in (Op.PRESENCE_UPDATE, Op.VOICE_STATE_UPDATE):
            self._close(conn, 4001, "Unknown opcode.")
        self.notifier.notify()

    def _identify(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            self._close(conn, 4005, "Already authenticated.")
            return
        if data.get("token") != self.token:
            self._close(conn, 4004, "Authentication failed.")
            return
        intents = data.get("intents")
        if not isinstance(intents, int) or intents < 0:
            self._close(conn, 4013, "Invalid intent(s).")
            return
        if intents & PRIVILEGED_INTENTS & ~self.privileged_intents:
            self._close(conn, 4014, "Disallowed intent(s).")
            return
        shard = data.get("shard")
        if shard is not None and not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            self._close(conn, 4010, "Invalid shard.")
            return
        session = Session(
            secrets.token_hex(16),
            intents,
            shard,
            int(data.get("large_threshold") or 50),
            data,
            collections.deque(maxlen=self.replay_limit),
        )
        self.sessions[session.id] = session
        self.all_sessions.append(session)
        self._attach(conn, session)
        self._dispatch(session, "READY", self.world.ready_payload(session.id, self.resume_url, shard))
        for guild in self.world.guilds.values():
            payload = self.world.guild_create_payload(
                guild, members=bool(intents & Intent.GUILD_MEMBERS), large_threshold=session.large_threshold
            )
            self._dispatch(session, "GUILD_CREATE", payload)

    def _resume(self, conn: Connection, data: JSON) -> None:
        if conn.session is not None:
            self._close(conn, 4005, "Already authenticated.")
            return
        if data.get("token") != self.token:
            self._close(conn, 4004, "Authentication failed.")
            return
        session = self.sessions.get(str(data.get("session_id")))
        last_seq = int(data.get("seq") or 0)
        if session is not None and self._expired(session):
            self._end_session(session)
            session = None
        oldest = session.log[0][0] if session is not None and session.log else None
        if session is None or (oldest is not None and last_seq + 1 < oldest) or last_seq > session.seq:
            # Unknown session, or the events it missed are no longer kept: it must IDENTIFY afresh.
            self._send(conn, {"op": Op.INVALID_SESSION, "d": False})
            return
        previous = session.connection
        if previous is not None and previous is not conn:
            # The client came back before we noticed the old socket die; the old one is now stale.
            previous.session = None
            previous.dropped_by_emulator = True
            self._close(previous, 4000, "Session resumed elsewhere.")
        self._attach(conn, session)
        for seq, text, record in session.log:
            if seq > last_seq:
                conn.queue.put_nowait(("frame", text, record))
        session.resumes += 1
        self._dispatch(session, "RESUMED", {"_trace": ["chairbot-emulator"]})

    def _attach(self, conn: Connection, session: Session) -> None:
        conn.session = session
        session.connection = conn
        session.disconnected_at = None

    def _send_member_chunks(self, session: Session, data: JSON) -> None:
        guild_ids = data.get("guild_id")
        for raw_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
            guild = self.world.guilds.get(int(raw_id or 0))
            if guild is None:
                continue
            not_found: list[str] = []
            if data.get("user_ids"):
                wanted = data["user_ids"] if isinstance(data["user_ids"], list) else [data["user_ids"]]
                members = [guild.members[int(u)] for u in wanted if int(u) in guild.members]
                not_found = [str(u) for u in wanted if int(u) not in guild.members]
            else:
                query = str(data.get("query") or "").lower()
                limit = int(data.get("limit") or 0) or len(guild.members)
                members = [
                    m
                    for m in guild.members.values()
                    if m.user.username.lower().startswith(query) or (m.nick or "").lower().startswith(query)
                ][:limit]
            chunks = [members[i : i + _MEMBERS_PER_CHUNK] for i in range(0, len(members), _MEMBERS_PER_CHUNK)] or [[]]
            for index, chunk in enumerate(chunks):
                payload: JSON = {
                    "guild_id": str(guild.id),
                    "members": [m.payload() for m in chunk],
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                }
                if not_found and index == 0:
                    payload["not_found"] = not_found
                if data.get("nonce") is not None:
                    payload["nonce"] = data["nonce"]
                self._dispatch(session, "GUILD_MEMBERS_CHUNK", payload)

    # ----------------------------------------------------------------- what the emulator sends

    def deliver(self, event: Event, record: InteractionResult | None = None) -> int:
        """Dispatch ``event`` to every session whose intents want it; return how many sessions took it."""
        delivered = 0
        for session in list(self.sessions.values()):
            if self._expired(session):
                self._end_session(session)
                continue
            if event.intent is not None and not session.intents & event.intent:
                continue
            data = event.data
            if event.content_gated and not session.intents & Intent.MESSAGE_CONTENT:
                # Without the privileged intent Discord blanks what other people wrote.
                data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
            self._dispatch(session, event.name, data, record)
            delivered += 1
        return delivered

    def _dispatch(self, session: Session, name: str, data: JSON, record: InteractionResult | None = None) -> None:
        session.seq += 1
        text = _dumps({"op": Op.DISPATCH, "t": name, "s": session.seq, "d": data})
        session.log.append((session.seq, text, record))
        if session.connection is not None and not session.connection.closing:
            session.connection.queue.put_nowait(("frame", text, record))

    def _expired(self, session: Session) -> bool:
        return session.disconnected_at is not None and time.monotonic() - session.disconnected_at > self.resume_window

    def _end_session(self, session: Session) -> None:
        session.resumable = False
        session.log.clear()
        self.sessions.pop(session.id, None)

    async def drop(self, *, code: int = 4000, abort: bool = False, timeout: float = 5.0) -> int:
        """Break every live connection (sessions stay resumable); return how many were dropped."""
        live = self.live_connections()
        for conn in live:
            conn.dropped_by_emulator = True
            transport = conn.request.transport
            if abort and transport is not None:
                # No close frame at all: the client sees the socket die, like a network failure (1006).
                conn.sent_close_code = 1006
                transport.abort()
            else:
                self._close(conn, code, "Dropped by the emulator.")
        await self.notifier.wait_until(
            lambda: all(c.closed for c in live), timeout=timeout, what="dropped gateway connections to close"
        )
        return len(live)

    def invalidate(self, *, resumable: bool = False) -> int:
        """Send INVALID_SESSION (op 9) on every live connection; unless ``resumable``, the sessions end."""
        count = 0
        for conn in self.live_connections():
            session = conn.session
            if session is None:
                continue
            if not resumable:
                self._end_session(session)
            self._send(conn, {"op": Op.INVALID_SESSION, "d": resumable})
            count += 1
        return count

    def request_reconnect(self) -> int:
        """Send RECONNECT (op 7): the client should close and RESUME."""
        live = [c for c in self.live_connections() if c.session is not None]
        for conn in live:
            self._send(conn, {"op": Op.RECONNECT, "d": None})
        return len(live)

    def request_heartbeat(self) -> int:
        """Send HEARTBEAT (op 1): the client must heartbeat at once."""
        live = self.live_connections()
        for conn in live:
            self._send(conn, {"op": Op.HEARTBEAT, "d": None})
        return len(live)

    async def close_all(self) -> None:
        for conn in self.live_connections():
            self._close(conn, 1001, "Emulator shutting down.")
        with contextlib.suppress(TimeoutError):
            await self.notifier.wait_until(
                lambda: not self.live_connections(), timeout=2.0, what="gateway connections to close"
            )
        for conn in self.connections:
            if conn.writer is not None:
                conn.writer.cancel()
