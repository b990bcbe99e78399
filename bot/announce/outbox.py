"""The outbox: every post chairbot means to make at a given time, in the shared SQLite file, with what became
of it (planned, sending, sent with its Discord message id, skipped with a reason, cancelled, failed).

The outbox is what makes restarts safe: an item is *claimed* (planned -> sending) in one committed statement
before it is posted, so no restart or second process posts it twice, and a post missed while the bot was down
is still ``planned`` when the bot comes back, to be posted late or skipped as stale.

The outbox's connection lives on the thread of its :class:`~bot.db.SqliteFile`; the async methods hand work to it.
Every write is committed before its method returns (``synchronous=FULL``). The outbox holds announcements only.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database, Migrations

from bot.db import DatabaseError, SqliteFile, from_micros, to_micros

T = TypeVar("T")
MIGRATION_SET = "chairbot.announce"


class OutboxError(Exception):
    """The outbox's database cannot be used; the message names the file and what to do."""


class Status(StrEnum):
    PLANNED = "planned"
    SENDING = "sending"  # claimed; the post is under way (or the process died while posting)
    SENT = "sent"
    SKIPPED = "skipped"  # not posted on purpose: stale when its time came, or no longer in the schedule
    CANCELLED = "cancelled"  # withdrawn by an organizer
    FAILED = "failed"  # Discord refused it


@dataclass(frozen=True, slots=True)
class Planned:
    """A post to make at ``due_at``; worth making until ``stale_at``."""

    id: str
    kind: str
    due_at: dt.datetime
    stale_at: dt.datetime
    channel: str | None = None
    text: str | None = None
    session_id: str | None = None
    created_by: str | None = None
    #: What to post about the session: ``before:10``, ``start``, ``qa-close`` (for kind ``session``).
    action: str | None = None
    #: The room of the session the post is about (None: the main room, or not about a session); it decides the
    #: channel a post goes to when ``channel`` does not.
    room: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str
    due_at: dt.datetime
    stale_at: dt.datetime
    status: Status
    channel: str | None
    text: str | None
    session_id: str | None
    created_by: str | None
    message_id: int | None
    posted_at: dt.datetime | None
    late: bool
    detail: str | None
    action: str | None
    room: str | None = None


def _m001_outbox(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE announce_outbox (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            stale_at INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN
                ('planned', 'sending', 'sent', 'skipped', 'cancelled', 'failed')),
            channel TEXT,
            text TEXT,
            session_id TEXT,
            action TEXT,
            created_by TEXT,
            message_id INTEGER,
            posted_at INTEGER,
            late INTEGER NOT NULL DEFAULT 0,
            detail TEXT,
            updated_at INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX announce_outbox_status_due ON announce_outbox (status, due_at)")
    db.execute("CREATE TABLE announce_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")


# Files written before each table had its own owner also hold, from this set, the tables now created by
# bot.schedule.override_store, bot.events_tab and bot.on_discord.publisher (with CREATE TABLE IF NOT EXISTS).
def _m005_room(db: Database) -> None:
    # Each post carries its session's room, so that a room can be routed to a channel of its own.
    db.execute("ALTER TABLE announce_outbox ADD COLUMN room TEXT")


MIGRATIONS = Migrations(MIGRATION_SET)
MIGRATIONS()(_m001_outbox)
MIGRATIONS()(_m005_room)

_COLUMNS = (
    "id, kind, due_at, stale_at, status, channel, text, session_id, created_by, message_id, posted_at, late, detail, "
    "action, room"
)


_INSERT = (
    "INSERT INTO announce_outbox (id, kind, due_at, stale_at, status, channel, text, session_id, created_by, "
    "action, room, updated_at) VALUES (?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?)"
)


def _insert_values(p: Planned, now: int) -> tuple[Any, ...]:
    return (
        p.id,
        p.kind,
        to_micros(p.due_at),
        to_micros(p.stale_at),
        p.channel,
        p.text,
        p.session_id,
        p.created_by,
        p.action,
        p.room,
        now,
    )


def _item(row: tuple[Any, ...]) -> Item:
    return Item(
        id=row[0],
        kind=row[1],
        due_at=from_micros(row[2]),
        stale_at=from_micros(row[3]),
        status=Status(row[4]),
        channel=row[5],
        text=row[6],
        session_id=row[7],
        created_by=row[8],
        message_id=row[9],
        posted_at=from_micros(row[10]) if row[10] is not None else None,
        late=bool(row[11]),
        detail=row[12],
        action=row[13],
        room=row[14],
    )


class Outbox:
    """Async access to the outbox table. ``await Outbox.open(path, clock=...)`` opens a file of its own;
    ``await Outbox.on(file, clock=...)`` shares an open :class:`~bot.db.SqliteFile`. ``await close()``."""

    def __init__(self, file: SqliteFile, clock: Callable[[], dt.datetime], *, owns_file: bool) -> None:
        self.file = file
        self.path = file.path
        self._clock = clock
        self._owns_file = owns_file

    @classmethod
    async def open(cls, path: Path | str, *, clock: Callable[[], dt.datetime]) -> Outbox:
        try:
            file = await SqliteFile.open(path)
        except DatabaseError as exc:
            raise OutboxError(f"{exc} (the announcement outbox)") from None
        outbox = await cls.on(file, clock=clock, owns_file=True)
        return outbox

    @classmethod
    async def on(cls, file: SqliteFile, *, clock: Callable[[], dt.datetime], owns_file: bool = False) -> Outbox:
        try:
            await file.migrate(MIGRATIONS)
        except DatabaseError as exc:
            if owns_file:
                await file.close()
            raise OutboxError(f"{exc} (the announcement outbox)") from None
        return cls(file, clock, owns_file=owns_file)

    async def close(self) -> None:
        if self._owns_file:
            await self.file.close()

    # -- the owning thread -------------------------------------------------------------------------------

    async def _run(self, call: Callable[..., T], *args: Any) -> T:
        return await self.file.run(call, *args)

    @property
    def _conn(self) -> sqlite3.Connection:
        try:
            return self.file.conn
        except DatabaseError as exc:
            raise OutboxError(f"{self.path}: the outbox is closed") from exc

    def _now(self) -> int:
        return to_micros(self._clock())

    def _write(self, sql: str, params: Iterable[Any]) -> int:
        conn = self._conn
        with conn:  # one committed transaction
            cursor = conn.execute(sql, tuple(params))
        return cursor.rowcount

    def _get(self, item_id: str) -> Item | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM announce_outbox WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    # -- planning ------------------------------------------------------------------------------------------

    async def plan(self, items: Iterable[Planned], *, replace_kind: str | None = None) -> list[Item]:
        """Add new items and move still-planned ones to their new time. With ``replace_kind``, planned items of
        that kind that are not in ``items`` are skipped ("no longer planned"). Returns the items still planned."""
        wanted = list(items)
        return await self._run(self._plan, wanted, replace_kind)

    def _plan(self, wanted: list[Planned], replace_kind: str | None) -> list[Item]:
        now = self._now()
        conn = self._conn
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            for p in wanted:
                conn.execute(
                    f"""
                    {_INSERT}
                    ON CONFLICT (id) DO UPDATE SET
                        due_at = excluded.due_at, stale_at = excluded.stale_at, channel = excluded.channel,
                        text = excluded.text, action = excluded.action, room = excluded.room,
                        updated_at = excluded.updated_at,
                        status = CASE WHEN status = 'skipped' AND detail = 'no longer planned'
                                      THEN 'planned' ELSE status END,
                        detail = CASE WHEN status = 'skipped' AND detail = 'no longer planned'
                                      THEN NULL ELSE detail END
                    WHERE status IN ('planned', 'skipped')
                    """,
                    _insert_values(p, now),
                )
            if replace_kind is not None:
                keep = {p.id for p in wanted}
                rows = conn.execute(
                    "SELECT id FROM announce_outbox WHERE kind = ? AND status = 'planned'", (replace_kind,)
                ).fetchall()
                for (item_id,) in rows:
                    if item_id not in keep:
                        conn.execute(
                            "UPDATE announce_outbox SET status = 'skipped', detail = 'no longer planned', "
                            "updated_at = ? WHERE id = ?",
                            (now, item_id),
                        )
        return self._pending()

    async def add(self, planned: Planned) -> Item:
        """Add one new item (an organizer's announcement); its id must be new."""
        return await self._run(self._add, planned)

    def _add(self, p: Planned) -> Item:
        try:
            self._write(_INSERT, _insert_values(p, self._now()))
        except sqlite3.IntegrityError:
            raise OutboxError(f"an announcement with id {p.id!r} already exists") from None
        item = self._get(p.id)
        assert item is not None
        return item

    async def renew(self, planned: Planned) -> Item:
        """Add ``planned``, or bring back an item of the same id that was cancelled or skipped (never a sent one)."""
        return await self._run(self._renew, planned)

    def _renew(self, p: Planned) -> Item:
        self._write(
            f"""
            {_INSERT}
            ON CONFLICT (id) DO UPDATE SET
                due_at = excluded.due_at, stale_at = excluded.stale_at, channel = excluded.channel,
                text = excluded.text, action = excluded.action, room = excluded.room, status = 'planned', detail = NULL,
                updated_at = excluded.updated_at
            WHERE status NOT IN ('sent', 'sending')
            """,
            _insert_values(p, self._now()),
        )
        item = self._get(p.id)
        assert item is not None
        return item

    async def next_number(self, name: str) -> int:
        """A counter that never repeats, for readable ids such as ``note-3``."""
        return await self._run(self._next_number, name)

    def _next_number(self, name: str) -> int:
        conn = self._conn
        with conn:
            conn.execute(
                "INSERT INTO announce_counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1",
                (name,),
            )
            (value,) = conn.execute("SELECT value FROM announce_counters WHERE name = ?", (name,)).fetchone()
        return int(value)

    # -- the life of one item ---------------------------------------------------------------------------

    async def claim(self, item_id: str) -> Item | None:
        """planned -> sending, committed; ``None`` when the item is not planned (already taken, or gone)."""
        return await self._run(self._claim, item_id)

    def _claim(self, item_id: str) -> Item | None:
        changed = self._write(
            "UPDATE announce_outbox SET status = 'sending', updated_at = ? WHERE id = ? AND status = 'planned'",
            (self._now(), item_id),
        )
        return self._get(item_id) if changed else None

    async def unclaim(self, item_id: str) -> None:
        """sending -> planned: the item was claimed too early and will run again at its time."""
        await self._run(
            self._write,
            "UPDATE announce_outbox SET status = 'planned', updated_at = ? WHERE id = ? AND status = 'sending'",
            (self._now(), item_id),
        )

    async def sent(self, item_id: str, message_id: int | None, *, late: bool) -> None:
        await self._run(
            self._write,
            "UPDATE announce_outbox SET status = 'sent', message_id = ?, posted_at = ?, late = ?, updated_at = ? "
            "WHERE id = ?",
            (message_id, self._now(), int(late), self._now(), item_id),
        )

    async def skip(self, item_id: str, reason: str) -> None:
        await self._finish(item_id, Status.SKIPPED, reason)

    async def fail(self, item_id: str, reason: str) -> None:
        await self._finish(item_id, Status.FAILED, reason)

    async def _finish(self, item_id: str, status: Status, reason: str) -> None:
        await self._run(
            self._write,
            "UPDATE announce_outbox SET status = ?, detail = ?, updated_at = ? WHERE id = ?",
            (status.value, reason, self._now(), item_id),
        )

    async def cancel(self, item_id: str, by: str) -> bool:
        """Withdraw a planned item; False when it is not planned any more."""
        changed = await self._run(
            self._write,
            "UPDATE announce_outbox SET status = 'cancelled', detail = ?, updated_at = ? "
            "WHERE id = ? AND status = 'planned'",
            (f"cancelled by {by}", self._now(), item_id),
        )
        return changed > 0

    async def recover(self) -> list[Item]:
        """After a restart: items left ``sending`` may or may not have been posted; mark them failed rather
        than risk posting twice, and return them so the operator can be told."""
        return await self._run(self._recover)

    def _recover(self) -> list[Item]:
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM announce_outbox WHERE status = 'sending'").fetchall()
        for row in rows:
            self._write(
                "UPDATE announce_outbox SET status = 'failed', detail = ?, updated_at = ? WHERE id = ?",
                ("interrupted while posting; check the channel", self._now(), row[0]),
            )
        return [_item(row) for row in rows]

    # -- reads -----------------------------------------------------------------------------------------------

    async def get(self, item_id: str) -> Item | None:
        return await self._run(self._get, item_id)

    async def pending(self, kind: str | None = None) -> list[Item]:
        """Planned items, soonest first."""
        return await self._run(self._pending, kind)

    def _pending(self, kind: str | None = None) -> list[Item]:
        sql = f"SELECT {_COLUMNS} FROM announce_outbox WHERE status = 'planned'"
        params: tuple[Any, ...] = ()
        if kind is not None:
            sql += " AND kind = ?"
            params = (kind,)
        rows = self._conn.execute(sql + " ORDER BY due_at, id", params).fetchall()
        return [_item(row) for row in rows]

    async def due(self, until: dt.datetime) -> list[Item]:
        """Planned items due at or before ``until``, soonest first."""
        rows = await self._run(
            lambda: self._conn.execute(
                f"SELECT {_COLUMNS} FROM announce_outbox WHERE status = 'planned' AND due_at <= ? ORDER BY due_at, id",
                (to_micros(until),),
            ).fetchall()
        )
        return [_item(row) for row in rows]

    async def items(self) -> list[Item]:
        return await self._run(
            lambda: [
                _item(r)
                for r in self._conn.execute(f"SELECT {_COLUMNS} FROM announce_outbox ORDER BY due_at, id").fetchall()
            ]
        )

    async def counts(self) -> dict[Status, int]:
        rows = await self._run(
            lambda: self._conn.execute("SELECT status, COUNT(*) FROM announce_outbox GROUP BY status").fetchall()
        )
        counts = dict.fromkeys(Status, 0)
        counts.update({Status(status): n for status, n in rows})
        return counts
