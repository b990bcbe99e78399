"""The live Q&A queue: attendees ask and vote, moderators pull questions on stage; durable in SQLite.

Pure of Discord and aiohttp: the Discord cog, the web dashboard and the command line all call
:class:`QAService`. Modules: ``model`` (values and config), ``text`` (cleaning what people type), ``schema``
(tables and migrations), ``store`` (the queries, on one thread), ``writer`` (the thread and group commit),
``service`` (the async API), ``export`` and ``cli`` (organizer output).
"""

from bot.qa.clock import Clock, system_clock
from bot.qa.errors import (
    EmptyQuestion,
    IllegalTransition,
    InvalidQuestionText,
    InvalidRequest,
    NotVotable,
    OwnQuestionVote,
    QAClosed,
    QAError,
    QARefusal,
    QuestionNotFound,
    QuestionTooLong,
    QuestionTooShort,
    RateLimited,
    StageMoved,
    StoreBusy,
    StoreClosed,
    StoreError,
    UserBanned,
)
from bot.qa.model import (
    ANONYMOUS,
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
from bot.qa.service import DEFAULT_DATABASE_NAME, QAService, default_database_path
from bot.qa.writer import WriterStats

__all__ = [
    "ANONYMOUS",
    "DEFAULT_DATABASE_NAME",
    "Action",
    "AskOutcome",
    "AskResult",
    "Ban",
    "Clock",
    "EmptyQuestion",
    "IllegalTransition",
    "InvalidQuestionText",
    "InvalidRequest",
    "ModerationEntry",
    "NotVotable",
    "OwnQuestionVote",
    "PullResult",
    "QAClosed",
    "QAConfig",
    "QAError",
    "QARefusal",
    "QAService",
    "Question",
    "QuestionNotFound",
    "QuestionTooLong",
    "QuestionTooShort",
    "RankedQuestion",
    "RateLimited",
    "SessionSettings",
    "StageMoved",
    "Status",
    "StoreBusy",
    "StoreClosed",
    "StoreError",
    "UserBanned",
    "VoteResult",
    "WriterStats",
    "default_database_path",
    "system_clock",
]
