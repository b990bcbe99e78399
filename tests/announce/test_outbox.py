"""The outbox remembers every planned post in SQLite and never lets one be posted twice."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.outbox import MIGRATION_SET, Outbox, OutboxError, Planned, Status
from bot.schedule.overrides import Override

T0 = dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC)


def planned(item_id: str, minutes: int, kind: str = "session") -> Planned:
    due = T0 + dt.timedelta(minutes=minutes)
    return Planned(id=item_id, kind=kind, due_at=due, stale_at=due + dt.timedelta(minutes=30), text=item_id)


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    yield box
    await box.close()


async def test_planned_items_come_back_soonest_first(outbox: Outbox) -> None:
    await outbox.plan([planned("b", 20), planned("a", 10)])
    assert [i.id for i in await outbox.pending()] == ["a", "b"]


async def test_an_item_is_claimed_once(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10)])
    first = await outbox.claim("a")
    assert first is not None
    assert first.status is Status.SENDING
    assert await outbox.claim("a") is None


async def test_sent_items_keep_their_message_id_and_lateness(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10)])
    await outbox.claim("a")
    await outbox.sent("a", 1234, late=True)
    item = await outbox.get("a")
    assert item is not None
    assert (item.status, item.message_id, item.late) == (Status.SENT, 1234, True)


async def test_replanning_moves_planned_items_but_never_sent_ones(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20)])
    await outbox.claim("a")
    await outbox.sent("a", 1, late=False)
    await outbox.plan([planned("a", 40), planned("b", 50)])
    a, b = await outbox.get("a"), await outbox.get("b")
    assert a is not None
    assert b is not None
    assert a.due_at == T0 + dt.timedelta(minutes=10)
    assert a.status is Status.SENT
    assert b.due_at == T0 + dt.timedelta(minutes=50)


async def test_items_dropped_from_the_plan_are_skipped_and_come_back_if_replanned(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20), planned("note-1", 5, kind="note")])
    await outbox.plan([planned("a", 10)], replace_kind="session")
    b = await outbox.get("b")
    assert b is not None
    assert (b.status, b.detail) == (Status.SKIPPED, "no longer planned")
    assert [i.id for i in await outbox.pending()] == ["note-1", "a"]  # other kinds untouched
    await outbox.plan([planned("a", 10), planned("b", 25)], replace_kind="session")
    b = await outbox.get("b")
    assert b is not None
    assert b.status is Status.PLANNED


async def test_cancel_only_withdraws_planned_items(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20)])
    assert await outbox.cancel("a", "olga")
    await outbox.claim("b")
    assert not await outbox.cancel("b", "olga")
    a = await outbox.get("a")
    assert a is not None
    assert a.status is Status.CANCELLED


async def test_items_interrupted_while_posting_are_not_posted_again(tmp_path: Path) -> None:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    await box.plan([planned("a", 10)])
    await box.claim("a")
    await box.close()  # the process dies between claiming and posting
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    (recovered,) = await box.recover()
    assert recovered.id == "a"
    item = await box.get("a")
    assert item is not None
    assert item.status is Status.FAILED
    assert await box.claim("a") is None
    await box.close()


async def test_counters_never_repeat_across_reopening(tmp_path: Path) -> None:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    assert [await box.next_number("note") for _ in range(3)] == [1, 2, 3]
    await box.close()
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    assert await box.next_number("note") == 4
    await box.close()


async def test_adding_an_existing_id_is_refused(outbox: Outbox) -> None:
    await outbox.add(planned("note-1", 5, kind="note"))
    with pytest.raises(OutboxError, match="already exists"):
        await outbox.add(planned("note-1", 6, kind="note"))


async def test_an_unusable_database_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "chairbot.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match=str(bad)):
        await Outbox.open(bad, clock=lambda: T0)


async def test_overrides_keep_how_much_longer_a_live_session_runs(tmp_path: Path) -> None:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    running_longer = Override(session_id="talk-1", fingerprint="f1", extend_minutes=10)
    moved = Override(session_id="talk-2", fingerprint="f2", shift_minutes=10)
    await box.save_overrides({"talk-1": running_longer, "talk-2": moved}, "olga")
    await box.close()
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    assert await box.overrides() == {"talk-1": running_longer, "talk-2": moved}
    await box.close()


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
    box = await Outbox.open(path, clock=lambda: T0)
    assert await box.overrides() == {
        "talk-2": Override(session_id="talk-2", fingerprint="f2", shift_minutes=15),
        "talk-3": Override(session_id="talk-3", fingerprint="f3", cancelled=True),
    }
    await box.save_overrides({"talk-1": Override(session_id="talk-1", fingerprint="f1", extend_minutes=5)}, "olga")
    assert (await box.overrides())["talk-1"].extend_minutes == 5
    await box.close()
