"""The organizers' changes on the day (:class:`~bot.schedule.overrides.Override`), kept in the shared SQLite file so
they survive a restart. This module owns the ``schedule_overrides`` table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from sqlite_utils import Database, Migrations

from bot.db import SqliteFile, to_micros
from bot.schedule.overrides import Override

MIGRATIONS = Migrations("chairbot.overrides")


@MIGRATIONS()
def _m001_schedule_overrides(db: Database) -> None:
    # IF NOT EXISTS: files written before this module owned the table already have it.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS schedule_overrides (
            session_id TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            shift_minutes INTEGER NOT NULL DEFAULT 0,
            cancelled INTEGER NOT NULL DEFAULT 0,
            updated_by TEXT,
            updated_at INTEGER NOT NULL,
            extend_minutes INTEGER NOT NULL DEFAULT 0
        )
        """
    )


@MIGRATIONS()
def _m002_override_extend(db: Database) -> None:
    # A session shifted while it was on keeps its start and ends later (or earlier): its end moves by this much more.
    if "extend_minutes" not in db["schedule_overrides"].columns_dict:
        db.execute("ALTER TABLE schedule_overrides ADD COLUMN extend_minutes INTEGER NOT NULL DEFAULT 0")


class OverrideStore:
    """``await OverrideStore.on(file, clock=...)``; every write is one committed transaction."""

    def __init__(self, file: SqliteFile, clock: Callable[[], dt.datetime]) -> None:
        self.file = file
        self._clock = clock

    @classmethod
    async def on(cls, file: SqliteFile, *, clock: Callable[[], dt.datetime]) -> OverrideStore:
        await file.migrate(MIGRATIONS)
        return cls(file, clock)

    async def load(self) -> dict[str, Override]:
        rows = await self.file.run(
            self.file.rows,
            "SELECT session_id, fingerprint, shift_minutes, cancelled, extend_minutes FROM schedule_overrides",
        )
        return {
            r[0]: Override(
                session_id=r[0], fingerprint=r[1], shift_minutes=r[2], cancelled=bool(r[3]), extend_minutes=r[4]
            )
            for r in rows
        }

    async def save(self, overrides: Mapping[str, Override], by: str) -> None:
        """Replace the stored changes with ``overrides`` (empty ones are not kept), in one transaction."""
        await self.file.run(self._save, dict(overrides), by)

    def _save(self, overrides: dict[str, Override], by: str) -> None:
        conn = self.file.conn
        now = to_micros(self._clock())
        with conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM schedule_overrides")
            conn.executemany(
                "INSERT INTO schedule_overrides (session_id, fingerprint, shift_minutes, cancelled, extend_minutes, "
                "updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (o.session_id, o.fingerprint, o.shift_minutes, int(o.cancelled), o.extend_minutes, by, now)
                    for o in overrides.values()
                    if not o.is_empty
                ],
            )
