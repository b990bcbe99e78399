"""The organizers' changes kept in the SQLite file: they survive a restart, and files written by earlier versions
(when the outbox's migrations made this table) are read as they were."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from bot.announce.outbox import MIGRATION_SET, Outbox
from bot.db import SqliteFile
from bot.schedule.override_store import OverrideStore
from bot.schedule.overrides import Override

T0 = dt.datetime(2024, 5, 11, 6, 0, tzinfo=dt.UTC)


async def opened(path: Path) -> OverrideStore:
    return await OverrideStore.on(await SqliteFile.open(path), clock=lambda: T0)


async def test_overrides_keep_how_much_longer_a_live_session_runs(tmp_path: Path) -> None:
    box = await opened(tmp_path / "chairbot.db")
    running_longer = Override(session_id="talk-1", fingerprint="f1", extend_minutes=10)
    moved = Override(session_id="talk-2", fingerprint="f2", shift_minutes=10)
    await box.save({"talk-1": running_longer, "talk-2": moved}, "olga")
    await box.file.close()
    box = await opened(tmp_path / "chairbot.db")
    assert await box.load() == {"talk-1": running_longer, "talk-2": moved}
    await box.file.close()


# The outbox's schema before sessions could run longer, written out as that version of chairbot left it.
V3_SCHEMA = """
CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT);
CREATE UNIQUE INDEX idx__sqlite_migrations_migration_set_name ON _sqlite_migrations (migration_set, name);
CREATE TABLE announce_outbox (id TEXT PRIMARY KEY, kind TEXT NOT NULL, due_at INTEGER NOT NULL,
    stale_at INTEGER NOT NULL, status TEXT NOT NULL CHECK (status IN
        ('planned', 'sending', 'sent', 'skipped', 'cancelled', 'failed')),
    channel TEXT, text TEXT, session_id TEXT, action TEXT, created_by TEXT, message_id INTEGER, posted_at INTEGER,
    late INTEGER NOT NULL DEFAULT 0, detail TEXT, updated_at INTEGER NOT NULL);
CREATE INDEX announce_outbox_status_due ON announce_outbox (status, due_at);
CREATE TABLE announce_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE announce_places (session_id TEXT PRIMARY KEY, channel_id INTEGER NOT NULL);
CREATE TABLE schedule_overrides (session_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
    shift_minutes INTEGER NOT NULL DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0, updated_by TEXT,
    updated_at INTEGER NOT NULL);
CREATE TABLE guild_events (session_id TEXT PRIMARY KEY, event_id INTEGER NOT NULL, digest TEXT NOT NULL);
"""


async def test_a_database_from_before_sessions_could_run_longer_keeps_its_overrides(tmp_path: Path) -> None:
    path = tmp_path / "chairbot.db"
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(V3_SCHEMA)
        conn.executemany(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            [
                (MIGRATION_SET, name, "2024-05-01 08:00:00+00:00")
                for name in ("_m001_outbox", "_m002_schedule_overrides", "_m003_guild_events")
            ],
        )
        conn.execute("INSERT INTO schedule_overrides VALUES ('talk-2', 'f2', 15, 0, 'olga', 0)")
        conn.execute("INSERT INTO schedule_overrides VALUES ('talk-3', 'f3', 0, 1, 'olga', 0)")
    conn.close()
    box = await opened(path)
    outbox = await Outbox.on(box.file, clock=lambda: T0)  # the outbox's own tables are found as they were
    assert await outbox.pending() == []
    assert await box.load() == {
        "talk-2": Override(session_id="talk-2", fingerprint="f2", shift_minutes=15),
        "talk-3": Override(session_id="talk-3", fingerprint="f3", cancelled=True),
    }
    await box.save({"talk-1": Override(session_id="talk-1", fingerprint="f1", extend_minutes=5)}, "olga")
    assert (await box.load())["talk-1"].extend_minutes == 5
    await box.file.close()
