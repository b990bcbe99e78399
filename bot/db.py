"""Every SQLite connection chairbot opens comes from here, with the project's pragmas: WAL (readers never wait for
the writer), ``synchronous`` FULL by default (a committed post or question survives a power cut), a busy timeout
(another connection's write lock is waited for, not an error). An instant is stored as an INTEGER of microseconds
since 1970-01-01T00:00:00Z: integers sort and compare correctly in SQL, cost less than text to write and parse,
and cannot carry a stray offset.

:class:`SqliteFile` is one connection on one thread of its own, for the tables of the announcer and the
application core (outbox, schedule overrides, Events-tab ids, Q&A places); sqlite-utils objects must stay on the
thread that made them, so async callers hand it work with :meth:`SqliteFile.run`. Each table has one owning module,
which brings its own sqlite-utils migration set (:meth:`SqliteFile.migrate`). The Q&A store, which commits in
groups from its own writer, opens its connection with :func:`connect`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlite_utils import Database, Migrations

T = TypeVar("T")
Synchronous = Literal["OFF", "NORMAL", "FULL", "EXTRA"]
BUSY_TIMEOUT_S = 5.0


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MICROSECOND = dt.timedelta(microseconds=1)


def to_micros(instant: dt.datetime) -> int:
    """Microseconds since the epoch for an aware instant; a naive one is a bug, so it is refused."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no instant; the clock must return aware datetimes")
    return (instant - _EPOCH) // _ONE_MICROSECOND


def from_micros(micros: int) -> dt.datetime:
    """The aware UTC instant for a stored value."""
    return _EPOCH + dt.timedelta(microseconds=micros)


def micros_to_iso(micros: int) -> str:
    """ISO-8601 in UTC with a ``Z`` suffix, to the second (``2026-05-04T09:12:30Z``)."""
    return from_micros(micros).strftime("%Y-%m-%dT%H:%M:%SZ")


class DatabaseError(Exception):
    """The database file cannot be used; the message names the file and what to do."""


def connect(
    path: Path | str,
    *,
    synchronous: Synchronous = "FULL",
    busy_timeout_s: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = True,
    autocommit: bool = False,
) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode with the given durability; ``autocommit`` leaves transactions to the
    caller's explicit ``BEGIN`` (``isolation_level=None``)."""
    if autocommit:
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout_s, check_same_thread=check_same_thread, isolation_level=None
        )
    else:
        conn = sqlite3.connect(str(path), timeout=busy_timeout_s, check_same_thread=check_same_thread)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def connect_read_only(path: Path | str, *, busy_timeout_s: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    """A connection that can only read ``path`` and never creates or changes it (the command line's exports)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_s)


def connect_memory() -> sqlite3.Connection:
    """A scratch database in memory (a copy of an old file, migrated there to be read like a new one)."""
    return sqlite3.connect(":memory:")


class SqliteFile:
    """One database file, one connection, one thread: ``await SqliteFile.open(path)``; ``await close()``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._thread = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
        self._db: Database | None = None

    @classmethod
    async def open(cls, path: Path | str) -> SqliteFile:
        file = cls(path)
        await file.run(file._open)
        return file

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = Database(connect(self.path, autocommit=True))
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"{self.path}: cannot open the database: {exc}") from None

    async def close(self) -> None:
        if self._db is not None:
            await self.run(self._close)
        self._thread.shutdown(wait=True)

    def _close(self) -> None:
        assert self._db is not None
        self._db.conn.close()
        self._db = None

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Run ``call(*args)`` on the connection's thread."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    async def migrate(self, migrations: Migrations) -> None:
        """Bring the owning module's tables up to date (each migration runs once per file)."""

        def apply() -> None:
            try:
                migrations.apply(self.db)
            except sqlite3.Error as exc:
                raise DatabaseError(f"{self.path}: cannot prepare the database: {exc}") from None

        await self.run(apply)

    # -- on the connection's thread ---------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        if self._db is None:
            raise DatabaseError(f"{self.path}: the database is closed")
        return self._db

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement in one committed transaction; the number of rows it changed."""
        conn = self.conn
        with conn:
            cursor = conn.execute(sql, tuple(params))
        return cursor.rowcount

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, tuple(params)).fetchall()


def write_probe(conn: sqlite3.Connection, now: dt.datetime) -> None:
    """Commit one small write (the ``health_probe`` row): raises when the file cannot take writes now (a
    read-only file or disk, a full disk, a lock held too long)."""
    with conn:
        conn.execute("CREATE TABLE IF NOT EXISTS health_probe (id INTEGER PRIMARY KEY CHECK (id = 1), at INTEGER)")
        conn.execute(
            "INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            (to_micros(now),),
        )
