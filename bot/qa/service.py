"""The Q&A queue as one async service: what the Discord cog, the web dashboard and the console all call.

Text is cleaned and checked here before a request reaches the group-commit writer; every rule that needs the
database (bans, closed sessions, rate limits, duplicates, status transitions) runs in the writer's batch,
inside the request's own transaction savepoint. Each coroutine returns only after its change has committed,
and raises a :class:`~bot.qa.errors.QARefusal` (message fit for the user) when a rule says no.
Cancelling a waiting coroutine does not withdraw its request: once handed to the writer, it may still commit.

Usage::

    async with QAService(default_database_path(data_dir)) as qa:
        result = await qa.ask("talk-3", "1234", "How does it scale?", author_name="Ada")
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Concatenate, ParamSpec, TypeVar

from bot.qa.clock import Clock, system_clock
from bot.qa.errors import InvalidRequest, StoreClosed
from bot.qa.model import (
    Action,
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
from bot.qa.store import QAStore
from bot.qa.text import clean_display_name, clean_text, duplicate_key, prepare_question
from bot.qa.writer import CommitListener, GroupCommitWriter, WriterStats

P = ParamSpec("P")
T = TypeVar("T")

#: The file name of chairbot's database inside its data directory.
DEFAULT_DATABASE_NAME = "chairbot.db"
REASON_MAX = 500


def default_database_path(data_dir: Path | str) -> Path:
    """Where the embedded store lives in a data directory."""
    return Path(data_dir) / DEFAULT_DATABASE_NAME


def _reason(raw: str | None) -> str | None:
    if raw is None:
        return None
    return clean_text(raw)[:REASON_MAX] or None


def _status(value: Status | str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidRequest(f"{value!r} is not a question status.") from None


class QAService:
    """The durable Q&A queue. Start with ``await service.start()`` or ``async with``; close to drain it."""

    def __init__(self, path: Path | str, *, config: QAConfig | None = None, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.config = config or QAConfig()
        self._clock = clock
        self._writer: GroupCommitWriter | None = None
        self._listeners: list[CommitListener] = []

    @classmethod
    async def open(cls, path: Path | str, *, config: QAConfig | None = None, clock: Clock = system_clock) -> QAService:
        service = cls(path, config=config, clock=clock)
        await service.start()
        return service

    async def start(self) -> None:
        """Open (create, migrate) the database; raises :class:`~bot.qa.errors.StoreError` naming the file."""
        if self._writer is not None:
            return
        writer = GroupCommitWriter(self.path, self.config, self._clock, asyncio.get_running_loop())
        writer.listeners.extend(self._listeners)
        await writer.start()
        self._writer = writer

    async def close(self) -> None:
        """Commit everything already asked for, then close the database. Safe to call twice."""
        if self._writer is not None:
            await self._writer.close()

    async def __aenter__(self) -> QAService:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def on_commit(self, listener: CommitListener) -> None:
        """Call ``listener`` with the topics (:mod:`bot.live`) each committed batch changed. Call before or after
        :meth:`start`."""
        self._listeners.append(listener)
        if self._writer is not None and listener not in self._writer.listeners:
            self._writer.listeners.append(listener)

    @property
    def stats(self) -> WriterStats:
        """Requests committed so far and the commits that carried them (many requests share one commit)."""
        return self._writer.stats if self._writer is not None else WriterStats(0, 0)

    def _started(self) -> GroupCommitWriter:
        if self._writer is None:
            raise StoreClosed(self.path, f"the Q&A store {self.path} has not been started.")
        return self._writer

    def _submit(
        self, call: Callable[Concatenate[QAStore, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        return self._started().submit(call, args, kwargs)

    def _submit_long_read(
        self, call: Callable[Concatenate[QAStore, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """A read that may take long: run off the event loop (see :meth:`GroupCommitWriter.submit`)."""
        return self._started().submit(call, args, kwargs, long_read=True)

    # -- attendees -----------------------------------------------------------------------------------

    async def ask(
        self,
        session_id: str,
        author_id: str,
        text: str,
        *,
        author_name: str,
        anonymous: bool = False,
        review: bool = False,
    ) -> AskResult:
        """Add a question to the session's queue (or its review list), or merge it into the same queued one.
        With ``review`` a new question waits for a moderator whatever the session's pre-moderation setting (the
        web's ask page asks so).

        Refused when the text is empty, too short or too long, Q&A is closed, the user is banned, or they
        asked too many questions too quickly.
        """
        cleaned = prepare_question(text, min_length=self.config.min_length, max_length=self.config.max_length)
        name = clean_display_name(author_name, fallback=f"user {author_id}")
        key = duplicate_key(cleaned)
        return await self._submit(QAStore.ask, session_id, author_id, name, anonymous, cleaned, key, review)

    async def vote(self, question_id: int, voter_id: str) -> VoteResult:
        """One vote per user; voting again changes nothing and is not an error."""
        return await self._submit(QAStore.vote, question_id, voter_id)

    async def unvote(self, question_id: int, voter_id: str) -> VoteResult:
        return await self._submit(QAStore.unvote, question_id, voter_id)

    async def toggle_vote(self, question_id: int, voter_id: str) -> VoteResult:
        """Vote, or take back the vote already there (``result.voted`` says which), in one transaction."""
        return await self._submit(QAStore.toggle_vote, question_id, voter_id)

    # -- moderators ----------------------------------------------------------------------------------

    async def approve(self, question_id: int, moderator_id: str) -> Question:
        """pending_review → queued."""
        return await self._submit(QAStore.moderate, question_id, Action.APPROVE, moderator_id)

    async def dismiss(self, question_id: int, moderator_id: str, reason: str) -> Question:
        """pending_review, queued or on_stage → dismissed; the reason is required and logged."""
        return await self._submit(QAStore.moderate, question_id, Action.DISMISS, moderator_id, _reason(reason))

    async def hide(self, question_id: int, moderator_id: str, reason: str | None = None) -> Question:
        """Any status but hidden → hidden (gone from every public view)."""
        return await self._submit(QAStore.moderate, question_id, Action.HIDE, moderator_id, _reason(reason))

    async def restore(self, question_id: int, moderator_id: str) -> Question:
        """hidden, dismissed or answered → queued."""
        return await self._submit(QAStore.moderate, question_id, Action.RESTORE, moderator_id)

    async def mark_answered(self, question_id: int, moderator_id: str) -> Question:
        """queued or on_stage → answered."""
        return await self._submit(QAStore.moderate, question_id, Action.ANSWER, moderator_id)

    async def move(self, question_id: int, moderator_id: str, to_session_id: str) -> Question:
        """Move a pending or queued question, with its votes, to another session."""
        return await self._submit(QAStore.move, question_id, moderator_id, to_session_id)

    async def pull_next(
        self,
        session_id: str,
        moderator_id: str,
        previous: Status | str = Status.ANSWERED,
        reason: str | None = None,
        expected_on_stage: int | None = None,
    ) -> PullResult:
        """Put the top queued question (most votes, then oldest) on stage.

        The question on stage until now becomes ``previous`` (answered unless the moderator says queued,
        dismissed or hidden). Pulls are serialised by the writer, so two moderators pulling at once get
        different questions. ``result.question`` is ``None`` when the queue was empty. With ``expected_on_stage``
        (the question id the moderator sees on stage, 0 for none) a pull is refused with
        :class:`~bot.qa.errors.StageMoved` when someone else moved the stage on meanwhile, so two moderators
        pressing "next" at once move it on once.
        """
        return await self._submit(
            QAStore.pull_next, session_id, moderator_id, _status(previous), _reason(reason), expected_on_stage
        )

    async def put_on_stage(
        self,
        question_id: int,
        moderator_id: str,
        previous: Status | str = Status.ANSWERED,
        reason: str | None = None,
    ) -> PullResult:
        """Like :meth:`pull_next` for a question the moderator picked."""
        return await self._submit(QAStore.put_on_stage, question_id, moderator_id, _status(previous), _reason(reason))

    async def ban(self, user_id: str, moderator_id: str, reason: str | None = None) -> bool:
        """Stop a user asking and voting; False when already banned."""
        return await self._submit(QAStore.ban, user_id, moderator_id, _reason(reason))

    async def unban(self, user_id: str, moderator_id: str, reason: str | None = None) -> bool:
        return await self._submit(QAStore.unban, user_id, moderator_id, _reason(reason))

    async def open_session(self, session_id: str, moderator_id: str) -> SessionSettings:
        return await self._submit(QAStore.configure_session, session_id, moderator_id, qa_open=True)

    async def close_session(self, session_id: str, moderator_id: str) -> SessionSettings:
        return await self._submit(QAStore.configure_session, session_id, moderator_id, qa_open=False)

    async def set_pre_moderation(self, session_id: str, moderator_id: str, enabled: bool) -> SessionSettings:
        return await self._submit(QAStore.configure_session, session_id, moderator_id, pre_moderation=enabled)

    # -- reads (run by the writer too, so they see every acknowledged change) -------------------------

    async def get(self, question_id: int) -> Question:
        return await self._submit(QAStore.get, question_id)

    async def session_settings(self, session_id: str) -> SessionSettings:
        return await self._submit(QAStore.session_settings, session_id)

    async def queue(self, session_id: str, limit: int = 20) -> list[RankedQuestion]:
        """The question on stage (rank ``None``), then the top ``limit`` queued questions ranked from 1."""
        return await self._submit(QAStore.queue, session_id, limit)

    async def questions(
        self, session_id: str | None = None, statuses: tuple[Status, ...] | None = None
    ) -> list[Question]:
        """Every question (of one session, of some statuses), for exports: by session, then votes."""
        return await self._submit_long_read(QAStore.questions, session_id, statuses)

    async def pending_review(self, session_id: str, limit: int = 50) -> list[Question]:
        return await self._submit(QAStore.pending_review, session_id, limit)

    async def counts(self, session_id: str | None = None) -> dict[Status, int]:
        return await self._submit(QAStore.counts, session_id)

    async def moderation_log(self, session_id: str | None = None, limit: int = 100) -> list[ModerationEntry]:
        return await self._submit(QAStore.moderation_log, session_id, limit)

    async def bans(self) -> list[Ban]:
        return await self._submit(QAStore.bans)
