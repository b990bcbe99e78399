"""Opening a database written by an older chairbot upgrades it in place and keeps every row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.qa import QAService, Status
from bot.qa.schema import KNOWN_MIGRATIONS, MIGRATION_SET
from bot.qa.text import duplicate_key

from .conftest import FakeClock, raw_rows

# The first released schema, written out by hand as that version of chairbot left it.
V1_SCHEMA = """
CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT, name TEXT, applied_at TEXT);
CREATE UNIQUE INDEX idx__sqlite_migrations_migration_set_name ON _sqlite_migrations (migration_set, name);
CREATE TABLE qa_sessions (session_id TEXT PRIMARY KEY, qa_open INTEGER NOT NULL, pre_moderation INTEGER NOT NULL,
    updated_by TEXT, updated_at INTEGER);
CREATE TABLE qa_questions (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, author_id TEXT NOT NULL,
    author_name TEXT NOT NULL, anonymous INTEGER NOT NULL DEFAULT 0, text TEXT NOT NULL, created_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN
        ('pending_review', 'queued', 'on_stage', 'answered', 'dismissed', 'hidden')),
    votes INTEGER NOT NULL DEFAULT 0, moderated_by TEXT, moderated_at INTEGER);
CREATE INDEX qa_questions_session_status ON qa_questions (session_id, status);
CREATE TABLE qa_votes (question_id INTEGER NOT NULL REFERENCES qa_questions (id), voter_id TEXT NOT NULL,
    created_at INTEGER NOT NULL, PRIMARY KEY (question_id, voter_id)) WITHOUT ROWID;
CREATE TABLE qa_moderation_log (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, moderator_id TEXT NOT NULL,
    action TEXT NOT NULL, session_id TEXT, question_id INTEGER, user_id TEXT, reason TEXT);
CREATE TABLE qa_bans (user_id TEXT PRIMARY KEY, banned_by TEXT NOT NULL, banned_at INTEGER NOT NULL, reason TEXT);
"""
T0 = 1_777_885_200_000_000  # 2026-05-04T09:00:00Z

QUESTIONS = [
    (1, "talk-1", "u1", "Ada", 0, "How does it scale?", T0, "queued", 2, None, None),
    (2, "talk-1", "u2", "Bo", 1, "Why not Rust?", T0 + 1, "on_stage", 1, "mod", T0 + 5),
    (3, "talk-1", "u3", "Cy", 0, "Old and answered?", T0 + 2, "answered", 0, "mod", T0 + 6),
    (4, "talk-2", "u4", "Di", 0, "Hidden one?", T0 + 3, "hidden", 0, "mod", T0 + 7),
    (5, "talk-2", "u5", "Ed", 0, "Queued elsewhere?", T0 + 4, "queued", 0, None, None),
]
VOTES = [(1, "v1", T0 + 10), (1, "v2", T0 + 11), (2, "v1", T0 + 12)]
LOG = [
    (1, T0 + 5, "mod", "stage", "talk-1", 2, None, None),
    (2, T0 + 9, "mod", "ban", None, None, "troll", "spam"),
]
BANS = [("troll", "mod", T0 + 9, "spam")]
SESSIONS = [("talk-1", 1, 0, "mod", T0), ("talk-2", 0, 1, "mod", T0)]


def write_v1_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(V1_SCHEMA)
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
            (MIGRATION_SET, "m001_initial_tables", "2026-05-01 08:00:00+00:00"),
        )
        conn.executemany("INSERT INTO qa_questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", QUESTIONS)
        conn.executemany("INSERT INTO qa_votes VALUES (?, ?, ?)", VOTES)
        conn.executemany("INSERT INTO qa_moderation_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)", LOG)
        conn.executemany("INSERT INTO qa_bans VALUES (?, ?, ?, ?)", BANS)
        conn.executemany("INSERT INTO qa_sessions VALUES (?, ?, ?, ?, ?)", SESSIONS)
    conn.close()


async def test_opening_a_v1_database_keeps_every_row(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    write_v1_database(path)

    async with QAService(path, clock=clock):
        pass

    columns = (
        "id, session_id, author_id, author_name, anonymous, text, created_at, status, votes, moderated_by, moderated_at"
    )
    assert raw_rows(path, f"SELECT {columns} FROM qa_questions ORDER BY id") == QUESTIONS
    assert raw_rows(path, "SELECT * FROM qa_votes ORDER BY question_id, voter_id") == VOTES
    assert raw_rows(path, "SELECT * FROM qa_moderation_log ORDER BY id") == LOG
    assert raw_rows(path, "SELECT * FROM qa_bans") == BANS
    assert raw_rows(path, "SELECT * FROM qa_sessions ORDER BY session_id") == SESSIONS


async def test_opening_a_v1_database_applies_every_later_migration(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    write_v1_database(path)

    async with QAService(path, clock=clock):
        pass

    applied = raw_rows(
        path, "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY id", (MIGRATION_SET,)
    )
    assert [name for (name,) in applied] == list(KNOWN_MIGRATIONS)


async def test_old_questions_get_their_duplicate_key(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    write_v1_database(path)

    async with QAService(path, clock=clock):
        pass

    keys = dict(raw_rows(path, "SELECT text, dedup_key FROM qa_questions"))
    assert keys == {text: duplicate_key(text) for text in keys}


async def test_an_upgraded_database_works_like_a_new_one(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "old.db"
    write_v1_database(path)

    async with QAService(path, clock=clock) as qa:
        merged = await qa.ask("talk-1", "u9", "how does it scale", author_name="Fi")
        fresh = await qa.ask("talk-1", "u9", "Something new?", author_name="Fi")
        pulled = await qa.pull_next("talk-1", "mod")
        settings = await qa.session_settings("talk-2")

    assert (merged.question.id, merged.question.votes) == (1, 3)
    assert fresh.rank == 2  # behind old question 1, the only one queued in talk-1
    assert pulled.question is not None
    assert pulled.question.id == 1
    assert pulled.previous is not None
    assert pulled.previous.id == 2
    assert (settings.qa_open, settings.pre_moderation) == (False, True)


async def test_reopening_a_current_database_changes_nothing(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "chairbot.db"
    async with QAService(path, clock=clock) as qa:
        await qa.ask("talk-1", "u1", "How does it scale?", author_name="Ada")
    before = raw_rows(path, "SELECT * FROM _sqlite_migrations")

    async with QAService(path, clock=clock) as qa:
        assert (await qa.counts())[Status.QUEUED] == 1

    assert raw_rows(path, "SELECT * FROM _sqlite_migrations") == before
