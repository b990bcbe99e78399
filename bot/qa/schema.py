"""The Q&A tables and their history, as sqlite-utils migrations.

The tables share chairbot's single SQLite file with other features, hence the ``qa_`` prefix and a migration
set of its own. Migrations are append-only: a released one is never edited, a change is a new function at the
end, so a newer chairbot opens any older database and keeps every row. A database that has migrations this
chairbot does not know was written by a newer version and is refused rather than misread.

Instants are INTEGER microseconds since the epoch, UTC (see :mod:`bot.qa.clock`).
"""

from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database, Migrations
from sqlite_utils.db import DescIndex

from bot.qa.errors import StoreError
from bot.qa.text import duplicate_key

MIGRATION_SET = "chairbot.qa"


def m001_initial_tables(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE qa_sessions (
            session_id TEXT PRIMARY KEY,
            qa_open INTEGER NOT NULL,
            pre_moderation INTEGER NOT NULL,
            updated_by TEXT,
            updated_at INTEGER
        )
        """
    )
    db.execute(
        """
        CREATE TABLE qa_questions (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            anonymous INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN
                ('pending_review', 'queued', 'on_stage', 'answered', 'dismissed', 'hidden')),
            votes INTEGER NOT NULL DEFAULT 0,
            moderated_by TEXT,
            moderated_at INTEGER
        )
        """
    )
    db.execute("CREATE INDEX qa_questions_session_status ON qa_questions (session_id, status)")
    db.execute(
        """
        CREATE TABLE qa_votes (
            question_id INTEGER NOT NULL REFERENCES qa_questions (id),
            voter_id TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (question_id, voter_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE qa_moderation_log (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            moderator_id TEXT NOT NULL,
            action TEXT NOT NULL,
            session_id TEXT,
            question_id INTEGER,
            user_id TEXT,
            reason TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE qa_bans (
            user_id TEXT PRIMARY KEY,
            banned_by TEXT NOT NULL,
            banned_at INTEGER NOT NULL,
            reason TEXT
        )
        """
    )


def m002_duplicate_key(db: Database) -> None:
    # Duplicate asks are found by an indexed key rather than by normalising every queued question per ask.
    questions = db.table("qa_questions")
    questions.add_column("dedup_key", str)
    rows = db.execute("SELECT id, text FROM qa_questions").fetchall()
    db.conn.executemany(
        "UPDATE qa_questions SET dedup_key = ? WHERE id = ?",
        [(duplicate_key(text), question_id) for question_id, text in rows],
    )
    questions.create_index(["session_id", "dedup_key"], index_name="qa_questions_duplicate")


def m003_queue_indexes(db: Database) -> None:
    # The ranking index serves pull_next, queue listings and ranks without a sort; it covers what the
    # (session_id, status) index did.
    questions = db.table("qa_questions")
    db.execute("DROP INDEX qa_questions_session_status")
    questions.create_index(
        ["session_id", "status", DescIndex("votes"), "created_at", "id"], index_name="qa_questions_rank"
    )
    questions.create_index(["session_id", "author_id", "created_at"], index_name="qa_questions_author")
    db.table("qa_moderation_log").create_index(["session_id", "id"], index_name="qa_moderation_log_session")


def m004_queue_sizes(db: Database) -> None:
    # The place of a new question is the size of its session's queue. Counting the queue per ask walks every
    # queued question of the session, so triggers keep the sizes: they see every write, whoever makes it.
    db.execute("CREATE TABLE qa_queue_sizes (session_id TEXT PRIMARY KEY, queued INTEGER NOT NULL) WITHOUT ROWID")
    db.execute(
        "INSERT INTO qa_queue_sizes (session_id, queued) "
        "SELECT session_id, count(*) FROM qa_questions WHERE status = 'queued' GROUP BY session_id"
    )
    db.execute(
        """
        CREATE TRIGGER qa_queue_sizes_insert AFTER INSERT ON qa_questions WHEN new.status = 'queued'
        BEGIN
            INSERT INTO qa_queue_sizes (session_id, queued) VALUES (new.session_id, 1)
                ON CONFLICT (session_id) DO UPDATE SET queued = queued + 1;
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER qa_queue_sizes_update AFTER UPDATE OF status, session_id ON qa_questions
        WHEN old.status = 'queued' OR new.status = 'queued'
        BEGIN
            UPDATE qa_queue_sizes SET queued = queued - 1
                WHERE old.status = 'queued' AND session_id = old.session_id;
            INSERT INTO qa_queue_sizes (session_id, queued)
                SELECT new.session_id, 1 WHERE new.status = 'queued'
                ON CONFLICT (session_id) DO UPDATE SET queued = queued + 1;
        END
        """
    )
    db.execute(
        """
        CREATE TRIGGER qa_queue_sizes_delete AFTER DELETE ON qa_questions WHEN old.status = 'queued'
        BEGIN
            UPDATE qa_queue_sizes SET queued = queued - 1 WHERE session_id = old.session_id;
        END
        """
    )


#: The history, oldest first. Append only.
HISTORY = (m001_initial_tables, m002_duplicate_key, m003_queue_indexes, m004_queue_sizes)
KNOWN_MIGRATIONS = tuple(step.__name__ for step in HISTORY)

migrations = Migrations(MIGRATION_SET)
for _step in HISTORY:
    migrations()(_step)


def applied_names(db: Database) -> list[str]:
    """Names of the Q&A migrations recorded in the database, oldest first (empty when it has no Q&A)."""
    return [m.name for m in migrations.applied(db)]


def unknown_migrations(db: Database) -> list[str]:
    """Migrations recorded in the database that this chairbot does not know (a newer one wrote it)."""
    return [name for name in applied_names(db) if name not in KNOWN_MIGRATIONS]


def is_current(db: Database) -> bool:
    return not migrations.pending(db)


def upgrade(db: Database, path: Path | str) -> None:
    """Bring the Q&A tables to the newest schema, refusing a database from a newer chairbot."""
    newer = unknown_migrations(db)
    if newer:
        raise StoreError(
            path,
            f"{path} was written by a newer chairbot (unknown Q&A migrations: {', '.join(newer)}); "
            "upgrade chairbot to use it.",
        )
    migrations.apply(db)
