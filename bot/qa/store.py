"""Opening the Q&A database and every query on it: the synchronous half of the queue.

A :class:`QAStore` is used by one caller at a time; its connection may be handed between threads
(``check_same_thread=False``) but is never used by two at once. Its operations neither begin nor commit: the
caller (the group-commit writer, or a test) wraps them in a transaction, and a refusal raised half-way is undone
by rolling back to the caller's savepoint. The hot path (ask, vote) uses plain ``conn.execute`` with constant
SQL, which sqlite3 keeps prepared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.db import connect, connect_memory, connect_read_only
from bot.live import MODERATION
from bot.qa import schema
from bot.qa.clock import Clock, from_micros, system_clock, to_micros
from bot.qa.errors import (
    IllegalTransition,
    InvalidRequest,
    NotVotable,
    OwnQuestionVote,
    QAClosed,
    QuestionNotFound,
    RateLimited,
    StageMoved,
    StoreError,
    UserBanned,
)
from bot.qa.model import (
    VOTABLE,
    Action,
    AskOutcome,
    AskResult,
    Ban,
    ModerationEntry,
    PullResult,
    QAConfig,
    Question,
    RankedQuestion,
    SessionSettings,
    Status,
    VoteResult,
)

log = logging.getLogger(__name__)

_COLUMNS = (
    "id, session_id, author_id, author_name, anonymous, text, created_at, status, votes, moderated_by, moderated_at"
)
_CACHE_KIB = 64 * 1024
_STATUS_BY_TEXT = {status.value: status for status in Status}
_ACTION_BY_TEXT = {action.value: action for action in Action}

_SQL_SETTINGS = "SELECT qa_open, pre_moderation FROM qa_sessions WHERE session_id = ?"
# Everything an ask checks before writing, in one statement: banned, session settings (NULL when the session
# was never configured), a queued or on-stage duplicate, and the asker's questions within the rate window.
_SQL_ASK_CHECKS = (
    "SELECT EXISTS (SELECT 1 FROM qa_bans WHERE user_id = ?3),"
    " (SELECT qa_open FROM qa_sessions WHERE session_id = ?1),"
    " (SELECT pre_moderation FROM qa_sessions WHERE session_id = ?1),"
    " (SELECT id FROM qa_questions WHERE session_id = ?1 AND dedup_key = ?2"
    " AND status IN ('queued', 'on_stage') ORDER BY votes DESC, id LIMIT 1),"
    " (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND author_id = ?3 AND created_at > ?4),"
    " (SELECT min(created_at) FROM qa_questions WHERE session_id = ?1 AND author_id = ?3 AND created_at > ?4)"
)
_SQL_INSERT_QUESTION = (
    "INSERT INTO qa_questions (session_id, author_id, author_name, anonymous, text, created_at, status,"
    " votes, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)"
)
# Rank = 1 + queued questions of the session ordered before this one: more votes, or as many and older.
# Three range counts on the ranking index; one count with the same condition OR-ed together cannot use the
# range and evaluates it on every queued question of the session, several times slower.
_SQL_RANK = (
    "SELECT (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND status = 'queued' AND votes > ?2)"
    " + (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND status = 'queued' AND votes = ?2"
    " AND created_at < ?3)"
    " + (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND status = 'queued' AND votes = ?2"
    " AND created_at = ?3 AND id < ?4)"
)
# A new question is usually last; counting the few queued questions behind it is cheaper than counting
# the many ahead. Questions behind a new one exist only when the clock stepped back.
_SQL_RANK_OF_NEW = (
    "SELECT (SELECT queued FROM qa_queue_sizes WHERE session_id = ?1)"
    " - (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND status = 'queued' AND votes = 0"
    " AND created_at > ?2)"
    " - (SELECT count(*) FROM qa_questions WHERE session_id = ?1 AND status = 'queued' AND votes = 0"
    " AND created_at = ?2 AND id > ?3)"
)
_SQL_GET = f"SELECT {_COLUMNS} FROM qa_questions WHERE id = ?"
_SQL_VOTE_TARGET = "SELECT status, author_id, votes, session_id FROM qa_questions WHERE id = ?"
# What a vote checks, in one statement: the voter's ban, then the question (NULLs when there is none).
_SQL_VOTE_CHECKS = (
    "SELECT EXISTS (SELECT 1 FROM qa_bans WHERE user_id = ?2), q.status, q.author_id, q.votes, q.session_id"
    " FROM (SELECT 1) LEFT JOIN qa_questions AS q ON q.id = ?1"
)
_SQL_ADD_VOTE = "INSERT OR IGNORE INTO qa_votes (question_id, voter_id, created_at) VALUES (?, ?, ?)"
_SQL_REMOVE_VOTE = "DELETE FROM qa_votes WHERE question_id = ? AND voter_id = ?"
_SQL_VOTES_UP = "UPDATE qa_questions SET votes = votes + 1 WHERE id = ?"
_SQL_VOTES_DOWN = "UPDATE qa_questions SET votes = votes - 1 WHERE id = ?"
_SQL_TOP_QUEUED = (
    f"SELECT {_COLUMNS} FROM qa_questions WHERE session_id = ? AND status = 'queued' "
    "ORDER BY votes DESC, created_at, id LIMIT ?"
)
# No ORDER BY: there is at most one, and ordering by id invites the planner to scan the table in rowid order
# once ANALYZE has seen how few statuses there are.
_SQL_ON_STAGE = f"SELECT {_COLUMNS} FROM qa_questions WHERE session_id = ? AND status = 'on_stage'"
_SQL_SET_STATUS = "UPDATE qa_questions SET status = ?, moderated_by = ?, moderated_at = ? WHERE id = ?"
_SQL_LOG = (
    "INSERT INTO qa_moderation_log (at, moderator_id, action, session_id, question_id, user_id, reason) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)

# Which statuses each moderation action applies to, and the status it leads to.
_TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.APPROVE: (frozenset({Status.PENDING_REVIEW}), Status.QUEUED),
    Action.DISMISS: (frozenset({Status.PENDING_REVIEW, Status.QUEUED, Status.ON_STAGE}), Status.DISMISSED),
    Action.HIDE: (
        frozenset({Status.PENDING_REVIEW, Status.QUEUED, Status.ON_STAGE, Status.ANSWERED, Status.DISMISSED}),
        Status.HIDDEN,
    ),
    Action.RESTORE: (frozenset({Status.HIDDEN, Status.DISMISSED, Status.ANSWERED}), Status.QUEUED),
    Action.ANSWER: (frozenset({Status.QUEUED, Status.ON_STAGE}), Status.ANSWERED),
    Action.STAGE: (frozenset({Status.QUEUED}), Status.ON_STAGE),
    Action.REQUEUE: (frozenset({Status.ON_STAGE}), Status.QUEUED),
}
_MOVABLE = frozenset({Status.PENDING_REVIEW, Status.QUEUED})
_PAST_TENSE = {
    Action.APPROVE: "approved",
    Action.DISMISS: "dismissed",
    Action.HIDE: "hidden",
    Action.RESTORE: "restored",
    Action.ANSWER: "marked answered",
    Action.STAGE: "put on stage",
    Action.REQUEUE: "put back in the queue",
    Action.MOVE: "moved to another session",
}
#: What ``pull_next`` may do with the question it takes off the stage.
_LEAVING_STAGE = {
    Status.ANSWERED: Action.ANSWER,
    Status.QUEUED: Action.REQUEUE,
    Status.DISMISSED: Action.DISMISS,
    Status.HIDDEN: Action.HIDE,
}


def _question(row: Sequence[Any]) -> Question:
    moderated_at = row[10]
    return Question(
        id=row[0],
        session_id=row[1],
        author_id=row[2],
        author_name=row[3],
        anonymous=bool(row[4]),
        text=row[5],
        created_at=from_micros(row[6]),
        status=_STATUS_BY_TEXT[row[7]],
        votes=row[8],
        moderated_by=row[9],
        moderated_at=None if moderated_at is None else from_micros(moderated_at),
    )


def primary_error_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code (SQLITE_BUSY, …) of an error, whose extended code may add detail bits."""
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def _explain_open_error(path: Path, exc: sqlite3.Error, *, reading: bool = False) -> str:
    code = primary_error_code(exc)
    if reading and code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return f"cannot read {path} ({exc}); check that you may read the file and its directory."
    if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
        return (
            f"{path} is not a SQLite database or is damaged ({exc}); restore it from a backup, "
            "or move it aside to start with an empty Q&A queue."
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
        return (
            f"{path} is read-only ({exc}); chairbot needs to write to the file and to its directory "
            "(the -wal and -shm files live next to it)."
        )
    if code == sqlite3.SQLITE_BUSY:
        return f"{path} stayed locked by another process ({exc}); stop the other process or try again."
    if code == sqlite3.SQLITE_CANTOPEN:
        return (
            f"cannot open {path} ({exc}); check that its directory exists and that chairbot may create "
            "and write files there, or choose another data directory."
        )
    return f"cannot use the Q&A database {path} ({exc})."


class QAStore:
    """The Q&A queries on one open database, for one caller at a time."""

    def __init__(self, db: Database, path: Path, config: QAConfig, clock: Clock = system_clock) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.path = path
        self.config = config
        self._clock = clock
        self._window_us = config.rate_window // dt.timedelta(microseconds=1)
        #: Topics of :mod:`bot.live` that the requests since the last :meth:`take_touched` changed: session ids,
        #: and MODERATION for a ban. A request rolled back may leave its topic here: one needless update.
        self.touched: set[str] = set()

    # -- opening -------------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, config: QAConfig, clock: Clock = system_clock) -> QAStore:
        """Open (creating if needed) for reading and writing, in WAL mode, migrated to the newest schema.

        Raises :class:`StoreError` naming the file when it cannot be created, written or read as a database.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                path,
                f"cannot create the data directory {path.parent} for {path} ({exc}); choose another one.",
            ) from exc
        if path.exists() and not path.is_file():
            raise StoreError(path, f"{path} is not a file; point chairbot at a database file.")
        conn: sqlite3.Connection | None = None
        try:
            # The writer uses the connection from the event loop and from its commit thread, never both at once.
            conn = connect(
                path,
                synchronous=config.synchronous,
                busy_timeout_s=config.busy_timeout.total_seconds(),
                check_same_thread=False,
            )
            db = Database(conn)
            if db.journal_mode != "wal":
                log.warning("%s: WAL is not available here, using journal mode %s", path, db.journal_mode)
            # The default 2 MiB page cache is outgrown by a day of questions and their indexes; misses cost
            # more than the memory.
            db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            schema.upgrade(db, path)
            # SQLite quietly opens a write-protected file read-only; a write statement (that changes nothing)
            # fails now, with a clear message, rather than at the first question.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM qa_sessions WHERE 0")
            finally:
                conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreError(path, _explain_open_error(path, exc)) from exc
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        return cls(db, path, config, clock)

    @classmethod
    def open_snapshot(cls, path: Path | str, config: QAConfig | None = None) -> QAStore:
        """Open an existing database for reading only (the command line), never creating or changing the file.

        A database from an older chairbot is copied into memory and migrated there, so it reads like a new
        one.
        """
        path = Path(path)
        config = config or QAConfig()
        if not path.exists():
            raise StoreError(path, f"there is no Q&A database at {path}; check the path.")
        if not path.is_file():
            raise StoreError(path, f"{path} is not a file; give the path of the chairbot database file.")
        conn: sqlite3.Connection | None = None
        try:
            conn = connect_read_only(path, busy_timeout_s=config.busy_timeout.total_seconds())
            db = Database(conn)
            applied = schema.applied_names(db)
            if not applied:
                raise StoreError(path, f"{path} holds no chairbot Q&A data (no Q&A tables in it).")
            newer = schema.unknown_migrations(db)
            if newer:
                raise StoreError(
                    path, f"{path} was written by a newer chairbot ({', '.join(newer)}); upgrade chairbot."
                )
            if not schema.is_current(db):
                memory = connect_memory()
                conn.backup(memory)
                conn.close()
                conn = memory
                db = Database(conn)
                schema.upgrade(db, path)
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            raise StoreError(path, _explain_open_error(path, exc, reading=True)) from exc
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        return cls(db, path, config)

    def close(self) -> None:
        self.conn.close()

    def take_touched(self) -> set[str]:
        """What changed since the last call (see :attr:`touched`), and start collecting anew."""
        touched, self.touched = self.touched, set()
        return touched

    # -- helpers -------------------------------------------------------------------------------------

    def _now(self) -> int:
        return to_micros(self._clock())

    def _get(self, question_id: int) -> Question:
        row = self.conn.execute(_SQL_GET, (question_id,)).fetchone()
        if row is None:
            raise QuestionNotFound(question_id)
        return _question(row)

    def _rank(self, question: Question) -> int:
        created = to_micros(question.created_at)
        (ahead,) = self.conn.execute(
            _SQL_RANK,
            (question.session_id, question.votes, created, question.id),
        ).fetchone()
        return int(ahead) + 1

    def _rank_of_new(self, question: Question) -> int:
        (rank,) = self.conn.execute(
            _SQL_RANK_OF_NEW, (question.session_id, to_micros(question.created_at), question.id)
        ).fetchone()
        return int(rank)

    def _place(self, question: Question) -> int | None:
        return self._rank(question) if question.status is Status.QUEUED else None

    def _add_vote(self, question_id: int, voter_id: str, now: int) -> bool:
        if self.conn.execute(_SQL_ADD_VOTE, (question_id, voter_id, now)).rowcount != 1:
            return False
        self.conn.execute(_SQL_VOTES_UP, (question_id,))
        return True

    def _log(
        self,
        now: int,
        moderator_id: str,
        action: Action,
        *,
        session_id: str | None = None,
        question_id: int | None = None,
        user_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.conn.execute(_SQL_LOG, (now, moderator_id, action.value, session_id, question_id, user_id, reason))
        self.touched.add(session_id if session_id is not None else MODERATION)

    def _settings(self, session_id: str) -> tuple[bool, bool]:
        row = self.conn.execute(_SQL_SETTINGS, (session_id,)).fetchone()
        if row is None:
            return self.config.default_qa_open, self.config.default_pre_moderation
        return bool(row[0]), bool(row[1])

    # -- attendees -----------------------------------------------------------------------------------

    def ask(
        self,
        session_id: str,
        author_id: str,
        author_name: str,
        anonymous: bool,
        text: str,
        key: str,
        review: bool = False,
    ) -> AskResult:
        """Store a question whose text is already cleaned (``text``) and keyed (``key``), or merge it. With
        ``review`` a new question waits for a moderator even where the session has no pre-moderation."""
        conn = self.conn
        now = self._now()
        banned, qa_open, pre_moderation, duplicate_id, recent, oldest = conn.execute(
            _SQL_ASK_CHECKS, (session_id, key, author_id, now - self._window_us)
        ).fetchone()
        if banned:
            raise UserBanned(author_id)
        if qa_open is None:
            qa_open, pre_moderation = self.config.default_qa_open, self.config.default_pre_moderation
        if not qa_open:
            raise QAClosed(session_id)

        if duplicate_id is not None:
            existing = self._get(duplicate_id)
            if existing.author_id == author_id:
                return AskResult(AskOutcome.ALREADY_ASKED, existing, self._place(existing))
            added = self._add_vote(existing.id, author_id, now)
            if added:
                self.touched.add(session_id)
                existing = dataclasses.replace(existing, votes=existing.votes + 1)
            return AskResult(AskOutcome.MERGED, existing, self._place(existing), vote_added=added)

        # Checked after duplicates: merging only adds a vote, so it does not count against the limit.
        if recent >= self.config.rate_limit:
            retry_after = dt.timedelta(microseconds=oldest + self._window_us - now)
            raise RateLimited(self.config.rate_limit, self.config.rate_window, retry_after)

        status = Status.PENDING_REVIEW if pre_moderation or review else Status.QUEUED
        self.touched.add(session_id)
        cursor = conn.execute(
            _SQL_INSERT_QUESTION,
            (session_id, author_id, author_name, int(anonymous), text, now, status.value, key),
        )
        question = Question(
            id=cursor.lastrowid or 0,
            session_id=session_id,
            author_id=author_id,
            author_name=author_name,
            anonymous=anonymous,
            text=text,
            created_at=from_micros(now),
            status=status,
            votes=0,
            moderated_by=None,
            moderated_at=None,
        )
        if status is Status.PENDING_REVIEW:
            return AskResult(AskOutcome.AWAITING_REVIEW, question, None)
        return AskResult(AskOutcome.QUEUED, question, self._rank_of_new(question))

    def _vote_target(self, question_id: int, voter_id: str) -> int:
        """The question's votes, once the voter may vote on it (not banned, not their own, still live)."""
        banned, status, author_id, votes, session_id = self.conn.execute(
            _SQL_VOTE_CHECKS, (question_id, voter_id)
        ).fetchone()
        if banned:
            raise UserBanned(voter_id)
        if status is None:
            raise QuestionNotFound(question_id)
        if status not in VOTABLE:
            raise NotVotable(question_id, status)
        if author_id == voter_id:
            raise OwnQuestionVote(question_id)
        self.touched.add(session_id)
        return int(votes)

    def _remove_vote(self, question_id: int, voter_id: str) -> bool:
        if self.conn.execute(_SQL_REMOVE_VOTE, (question_id, voter_id)).rowcount != 1:
            return False
        self.conn.execute(_SQL_VOTES_DOWN, (question_id,))
        return True

    def vote(self, question_id: int, voter_id: str) -> VoteResult:
        votes = self._vote_target(question_id, voter_id)
        added = self._add_vote(question_id, voter_id, self._now())
        return VoteResult(question_id, votes + 1 if added else votes, added)

    def unvote(self, question_id: int, voter_id: str) -> VoteResult:
        row = self.conn.execute(_SQL_VOTE_TARGET, (question_id,)).fetchone()
        if row is None:
            raise QuestionNotFound(question_id)
        status, _author_id, votes, session_id = row
        if status not in VOTABLE:
            raise NotVotable(question_id, status)
        self.touched.add(session_id)
        removed = self._remove_vote(question_id, voter_id)
        return VoteResult(question_id, votes - 1 if removed else votes, removed, voted=False)

    def toggle_vote(self, question_id: int, voter_id: str) -> VoteResult:
        """Vote, or take the vote back if it was there: what clicking an upvote button does."""
        votes = self._vote_target(question_id, voter_id)
        if self._add_vote(question_id, voter_id, self._now()):
            return VoteResult(question_id, votes + 1, True)
        self._remove_vote(question_id, voter_id)
        return VoteResult(question_id, votes - 1, True, voted=False)

    # -- moderators ----------------------------------------------------------------------------------

    def _apply(
        self, question: Question, action: Action, moderator_id: str, now: int, reason: str | None = None
    ) -> Question:
        allowed, target = _TRANSITIONS[action]
        if question.status not in allowed:
            raise IllegalTransition(question.id, question.status.value, _PAST_TENSE[action])
        self.conn.execute(_SQL_SET_STATUS, (target.value, moderator_id, now, question.id))
        self._log(now, moderator_id, action, session_id=question.session_id, question_id=question.id, reason=reason)
        return dataclasses.replace(question, status=target, moderated_by=moderator_id, moderated_at=from_micros(now))

    def moderate(self, question_id: int, action: Action, moderator_id: str, reason: str | None = None) -> Question:
        """Approve, dismiss, hide, restore or mark answered; refused (nothing changed) if not applicable."""
        if action not in (Action.APPROVE, Action.DISMISS, Action.HIDE, Action.RESTORE, Action.ANSWER):
            raise InvalidRequest(f"{action.value!r} is not a moderation action on one question.")
        if action is Action.DISMISS and not reason:
            raise InvalidRequest("Give a reason for dismissing the question.")
        return self._apply(self._get(question_id), action, moderator_id, self._now(), reason)

    def move(self, question_id: int, moderator_id: str, to_session_id: str) -> Question:
        question = self._get(question_id)
        if question.status not in _MOVABLE:
            raise IllegalTransition(question.id, question.status.value, _PAST_TENSE[Action.MOVE])
        if question.session_id == to_session_id:
            raise InvalidRequest(f"Question {question.id} is already in session {to_session_id}.")
        now = self._now()
        self.conn.execute(
            "UPDATE qa_questions SET session_id = ?, moderated_by = ?, moderated_at = ? WHERE id = ?",
            (to_session_id, moderator_id, now, question.id),
        )
        self._log(
            now,
            moderator_id,
            Action.MOVE,
            session_id=question.session_id,
            question_id=question.id,
            reason=f"to session {to_session_id}",
        )
        self.touched.add(to_session_id)
        return dataclasses.replace(
            question, session_id=to_session_id, moderated_by=moderator_id, moderated_at=from_micros(now)
        )

    def _stage(
        self,
        question: Question | None,
        session_id: str,
        moderator_id: str,
        previous: Status,
        reason: str | None,
    ) -> PullResult:
        leaving_action = _LEAVING_STAGE.get(previous)
        if leaving_action is None:
            choices = ", ".join(status.value for status in _LEAVING_STAGE)
            raise InvalidRequest(f"The question leaving the stage can become {choices}; not {previous.value}.")
        now = self._now()
        left: Question | None = None
        for row in self.conn.execute(_SQL_ON_STAGE, (session_id,)).fetchall():
            left = self._apply(_question(row), leaving_action, moderator_id, now, reason)
        if question is not None:
            question = self._apply(question, Action.STAGE, moderator_id, now)
        return PullResult(question=question, previous=left)

    def pull_next(
        self,
        session_id: str,
        moderator_id: str,
        previous: Status = Status.ANSWERED,
        reason: str | None = None,
        expected_on_stage: int | None = None,
    ) -> PullResult:
        """Put the top queued question on stage. With ``expected_on_stage`` (the question the moderator sees on
        stage; 0 for none) the pull is refused when the stage holds another by now (:class:`StageMoved`)."""
        if expected_on_stage is not None:
            staged = [int(row[0]) for row in self.conn.execute(_SQL_ON_STAGE, (session_id,)).fetchall()]
            if staged != ([expected_on_stage] if expected_on_stage else []):
                raise StageMoved(staged[0] if staged else None)
        # The next question is chosen before the current one leaves the stage, so a question put back in the
        # queue is not pulled straight back.
        row = self.conn.execute(_SQL_TOP_QUEUED, (session_id, 1)).fetchone()
        top = None if row is None else _question(row)
        return self._stage(top, session_id, moderator_id, previous, reason)

    def put_on_stage(
        self,
        question_id: int,
        moderator_id: str,
        previous: Status = Status.ANSWERED,
        reason: str | None = None,
    ) -> PullResult:
        question = self._get(question_id)
        if question.status is not Status.QUEUED:
            raise IllegalTransition(question.id, question.status.value, _PAST_TENSE[Action.STAGE])
        return self._stage(question, question.session_id, moderator_id, previous, reason)

    def ban(self, user_id: str, moderator_id: str, reason: str | None = None) -> bool:
        """Ban a user from asking and voting; False when they were already banned."""
        now = self._now()
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO qa_bans (user_id, banned_by, banned_at, reason) VALUES (?, ?, ?, ?)",
            (user_id, moderator_id, now, reason),
        )
        if cursor.rowcount != 1:
            return False
        self._log(now, moderator_id, Action.BAN, user_id=user_id, reason=reason)
        return True

    def unban(self, user_id: str, moderator_id: str, reason: str | None = None) -> bool:
        """Lift a ban; False when the user was not banned."""
        if self.conn.execute("DELETE FROM qa_bans WHERE user_id = ?", (user_id,)).rowcount != 1:
            return False
        self._log(self._now(), moderator_id, Action.UNBAN, user_id=user_id, reason=reason)
        return True

    def configure_session(
        self,
        session_id: str,
        moderator_id: str,
        *,
        qa_open: bool | None = None,
        pre_moderation: bool | None = None,
    ) -> SessionSettings:
        """Open or close Q&A, switch pre-moderation; each change is logged, an unchanged value is not."""
        current_open, current_pre = self._settings(session_id)
        new_open = current_open if qa_open is None else qa_open
        new_pre = current_pre if pre_moderation is None else pre_moderation
        now = self._now()
        self.conn.execute(
            "INSERT INTO qa_sessions (session_id, qa_open, pre_moderation, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET qa_open = excluded.qa_open, "
            "pre_moderation = excluded.pre_moderation, updated_by = excluded.updated_by, "
            "updated_at = excluded.updated_at",
            (session_id, int(new_open), int(new_pre), moderator_id, now),
        )
        if new_open != current_open:
            self._log(now, moderator_id, Action.OPEN if new_open else Action.CLOSE, session_id=session_id)
        if new_pre != current_pre:
            action = Action.PRE_MODERATION_ON if new_pre else Action.PRE_MODERATION_OFF
            self._log(now, moderator_id, action, session_id=session_id)
        return SessionSettings(session_id, new_open, new_pre)

    # -- reads ---------------------------------------------------------------------------------------

    def get(self, question_id: int) -> Question:
        return self._get(question_id)

    def session_settings(self, session_id: str) -> SessionSettings:
        qa_open, pre_moderation = self._settings(session_id)
        return SessionSettings(session_id, qa_open, pre_moderation)

    def queue(self, session_id: str, limit: int = 20) -> list[RankedQuestion]:
        """The question on stage (rank ``None``) followed by the top ``limit`` queued ones, ranked from 1."""
        listing = [RankedQuestion(None, _question(row)) for row in self.conn.execute(_SQL_ON_STAGE, (session_id,))]
        queued = self.conn.execute(_SQL_TOP_QUEUED, (session_id, limit)).fetchall()
        listing.extend(RankedQuestion(rank, _question(row)) for rank, row in enumerate(queued, start=1))
        return listing

    def pending_review(self, session_id: str, limit: int = 50) -> list[Question]:
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM qa_questions WHERE session_id = ? AND status = 'pending_review' "
            "ORDER BY created_at, id LIMIT ?",
            (session_id, limit),
        )
        return [_question(row) for row in rows]

    def questions(self, session_id: str | None = None, statuses: Iterable[Status] | None = None) -> list[Question]:
        """Questions by session, then most votes, then oldest (the order of exports)."""
        clauses: list[str] = []
        params: list[Any] = []
        if session_id is not None:
            clauses.append("session_id = ?")
            params.append(session_id)
        if statuses is not None:
            wanted = [status.value for status in statuses]
            clauses.append(f"status IN ({', '.join('?' for _ in wanted)})")
            params.extend(wanted)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.conn.execute(
            f"SELECT {_COLUMNS} FROM qa_questions {where} ORDER BY session_id, votes DESC, created_at, id",
            params,
        )
        return [_question(row) for row in rows]

    def counts(self, session_id: str | None = None) -> dict[Status, int]:
        """Questions per status (every status present, zero included), for health checks and metrics."""
        if session_id is None:
            rows = self.conn.execute("SELECT status, count(*) FROM qa_questions GROUP BY status")
        else:
            rows = self.conn.execute(
                "SELECT status, count(*) FROM qa_questions WHERE session_id = ? GROUP BY status",
                (session_id,),
            )
        counts = dict.fromkeys(Status, 0)
        for status, count in rows:
            counts[_STATUS_BY_TEXT[status]] = count
        return counts

    def moderation_log(self, session_id: str | None = None, limit: int = 100) -> list[ModerationEntry]:
        """Newest first."""
        columns = "id, at, moderator_id, action, session_id, question_id, user_id, reason"
        if session_id is None:
            rows = self.conn.execute(f"SELECT {columns} FROM qa_moderation_log ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(
                f"SELECT {columns} FROM qa_moderation_log WHERE session_id = ? ORDER BY id DESC LIMIT ?",
                (session_id, limit),
            )
        return [
            ModerationEntry(
                id=row[0],
                at=from_micros(row[1]),
                moderator_id=row[2],
                action=_ACTION_BY_TEXT[row[3]],
                session_id=row[4],
                question_id=row[5],
                user_id=row[6],
                reason=row[7],
            )
            for row in rows
        ]

    def bans(self) -> list[Ban]:
        rows = self.conn.execute("SELECT user_id, banned_by, banned_at, reason FROM qa_bans ORDER BY banned_at")
        return [Ban(row[0], row[1], from_micros(row[2]), row[3]) for row in rows]
