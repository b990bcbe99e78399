"""The Q&A queue's vocabulary: statuses, questions, results of each operation, and the configuration.

Plain frozen values with no behaviour beyond presentation helpers, so adapters (Discord, web, console) can
render them without knowing about the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ANONYMOUS = "anonymous"


class Status(StrEnum):
    """Where a question is in its life; stored as this text."""

    PENDING_REVIEW = "pending_review"  # waiting for a moderator (only in sessions with pre-moderation)
    QUEUED = "queued"  # visible, votable, waiting to be pulled
    ON_STAGE = "on_stage"  # being answered now; at most one per session
    ANSWERED = "answered"
    DISMISSED = "dismissed"  # declined by a moderator, with a reason
    HIDDEN = "hidden"  # removed from every public view (abuse, spam)


#: Statuses on which attendees may vote, and into which a duplicate ask is merged.
VOTABLE = frozenset({Status.QUEUED, Status.ON_STAGE})


class Action(StrEnum):
    """What a moderator did, as written to the moderation log."""

    APPROVE = "approve"
    DISMISS = "dismiss"
    HIDE = "hide"
    RESTORE = "restore"
    ANSWER = "answer"
    MOVE = "move"
    STAGE = "stage"
    REQUEUE = "requeue"
    BAN = "ban"
    UNBAN = "unban"
    OPEN = "open"
    CLOSE = "close"
    PRE_MODERATION_ON = "pre_moderation_on"
    PRE_MODERATION_OFF = "pre_moderation_off"


@dataclass(frozen=True, slots=True)
class Question:
    """One stored question.

    ``author_name`` and ``author_id`` are for moderators (to ban an abusive asker) even when the asker chose
    to be anonymous; anything shown to attendees, speakers or exports uses :attr:`public_author`.
    """

    id: int
    session_id: str
    author_id: str
    author_name: str
    anonymous: bool
    text: str
    created_at: dt.datetime
    status: Status
    votes: int
    moderated_by: str | None
    moderated_at: dt.datetime | None

    @property
    def public_author(self) -> str:
        return ANONYMOUS if self.anonymous else self.author_name


@dataclass(frozen=True, slots=True)
class RankedQuestion:
    """A queued (rank 1, 2, …) or on-stage (rank ``None``) question in a queue listing."""

    rank: int | None
    question: Question


class AskOutcome(StrEnum):
    QUEUED = "queued"  # a new question, now in the queue
    AWAITING_REVIEW = "awaiting_review"  # a new question, waiting for a moderator
    MERGED = "merged"  # the same question was already queued; the asker's vote went to it
    ALREADY_ASKED = "already_asked"  # the asker had already asked this very question


@dataclass(frozen=True, slots=True)
class AskResult:
    """What became of an ask. ``rank``: the 1-based place among queued questions, ``None`` if not queued."""

    outcome: AskOutcome
    question: Question
    rank: int | None
    vote_added: bool = False

    @property
    def created(self) -> bool:
        return self.outcome in (AskOutcome.QUEUED, AskOutcome.AWAITING_REVIEW)

    @property
    def message(self) -> str:
        """A sentence for the asker."""
        place = f"#{self.rank} in the queue" if self.rank is not None else "on stage now"
        if self.outcome is AskOutcome.QUEUED:
            return f"Thanks! Your question is {place}."
        if self.outcome is AskOutcome.AWAITING_REVIEW:
            return "Thanks! A moderator will review your question before it joins the queue."
        if self.outcome is AskOutcome.ALREADY_ASKED:
            return f"You already asked this question; it is {place}."
        if self.vote_added:
            return f"Someone already asked this question, so your vote went to it; it is {place}."
        return f"Someone already asked this question and you have voted for it; it is {place}."


@dataclass(frozen=True, slots=True)
class VoteResult:
    question_id: int
    votes: int
    changed: bool  # False when the vote was already there (vote) or not there (unvote)
    voted: bool = True  # whether the voter's vote counts now


@dataclass(frozen=True, slots=True)
class PullResult:
    """The question now on stage (``None`` when nothing was queued) and the one it replaced, if any."""

    question: Question | None
    previous: Question | None


@dataclass(frozen=True, slots=True)
class SessionSettings:
    session_id: str
    qa_open: bool
    pre_moderation: bool


@dataclass(frozen=True, slots=True)
class ModerationEntry:
    id: int
    at: dt.datetime
    moderator_id: str
    action: Action
    session_id: str | None
    question_id: int | None
    user_id: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Ban:
    user_id: str
    banned_by: str
    banned_at: dt.datetime
    reason: str | None


Synchronous = Literal["FULL", "NORMAL"]


class QAConfig(BaseModel):
    """Limits and storage settings of the Q&A service (one section of chairbot's TOML configuration)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_length: int = Field(3, ge=1)
    max_length: int = Field(500, ge=1)
    #: Questions one user may ask per session within ``rate_window``.
    rate_limit: int = Field(3, ge=1)
    rate_window: dt.timedelta = dt.timedelta(minutes=1)
    #: FULL: an acknowledged question survives a power cut. NORMAL: it survives a crash of chairbot only.
    synchronous: Synchronous = "FULL"
    busy_timeout: dt.timedelta = dt.timedelta(seconds=5)
    #: Further attempts, each waiting up to ``busy_timeout``, before a request fails with StoreBusy.
    busy_retries: int = Field(3, ge=0)
    #: Most requests committed together.
    max_batch: int = Field(256, ge=1)
    #: While a burst is under way, how long the writer waits for more requests before committing.
    group_wait: dt.timedelta = dt.timedelta(milliseconds=2)
    #: Settings of a session nobody has configured yet.
    default_qa_open: bool = True
    default_pre_moderation: bool = False

    @model_validator(mode="after")
    def _lengths_ordered(self) -> QAConfig:
        if self.min_length > self.max_length:
            raise ValueError("min_length must not exceed max_length")
        if self.rate_window <= dt.timedelta(0):
            raise ValueError("rate_window must be positive")
        return self
