"""What can go wrong in the Q&A queue, split by who must act on it.

* :class:`QARefusal` and its subclasses: the request was understood and refused by a rule (Q&A closed, rate
  limit, an illegal status change). Nothing was changed. ``str(refusal)`` is a sentence fit to show the person
  who asked, so an adapter shows it as is.
* :class:`StoreError`: the database itself failed (unwritable, corrupt, busy for too long, closed). The
  message names the file and what to do; an adapter logs it and shows the user a generic apology.

Both derive from :class:`QAError`, so an adapter can catch the family with one clause.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from bot.errors import Refusal


class QAError(Exception):
    """Base of every error the Q&A service raises on purpose."""


class QARefusal(QAError, Refusal):
    """A request refused by a rule; nothing was changed. The message is meant for the requester."""


class QAClosed(QARefusal):
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        super().__init__("Questions are closed for this session.")


class UserBanned(QARefusal):
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        super().__init__("You can no longer ask or vote on questions at this event.")


def _describe_window(window: dt.timedelta) -> str:
    seconds = window.total_seconds()
    if seconds == 60:
        return "a minute"
    if seconds % 60 == 0:
        return f"every {int(seconds // 60)} minutes"
    return f"every {seconds:g} seconds"


class RateLimited(QARefusal):
    def __init__(self, limit: int, window: dt.timedelta, retry_after: dt.timedelta) -> None:
        self.limit = limit
        self.window = window
        self.retry_after = retry_after
        wait_s = max(1, math.ceil(retry_after.total_seconds()))
        noun = "question" if limit == 1 else "questions"
        super().__init__(
            f"You can ask at most {limit} {noun} {_describe_window(window)} in this session; try again in {wait_s} s."
        )


class InvalidQuestionText(QARefusal):
    """The text of a question cannot be accepted as it is."""


class EmptyQuestion(InvalidQuestionText):
    def __init__(self) -> None:
        super().__init__("Your question is empty.")


class QuestionTooShort(InvalidQuestionText):
    def __init__(self, length: int, minimum: int) -> None:
        self.length = length
        self.minimum = minimum
        super().__init__(f"Your question is too short: please write at least {minimum} characters.")


class QuestionTooLong(InvalidQuestionText):
    def __init__(self, length: int, maximum: int) -> None:
        self.length = length
        self.maximum = maximum
        super().__init__(f"Your question is too long ({length} characters): please keep it under {maximum + 1}.")


class QuestionNotFound(QARefusal):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__(f"There is no question {question_id}.")


class NotVotable(QARefusal):
    # The status is kept for moderators and logs; the message does not reveal it (hidden stays hidden).
    def __init__(self, question_id: int, status: str) -> None:
        self.question_id = question_id
        self.status = status
        super().__init__("This question is no longer open for votes.")


class OwnQuestionVote(QARefusal):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__("You cannot vote for your own question.")


class IllegalTransition(QARefusal):
    """A moderation action that does not apply to the question's current status."""

    def __init__(self, question_id: int, status: str, action: str) -> None:
        self.question_id = question_id
        self.status = status
        self.action = action
        super().__init__(f"Question {question_id} is {status.replace('_', ' ')}, so it cannot be {action}.")


class StageMoved(QARefusal):
    """"Next" from a moderator who had not yet seen the stage change: another moderator moved it on first."""

    def __init__(self, on_stage: int | None) -> None:
        self.on_stage = on_stage
        now = f"question #{on_stage} is on stage now" if on_stage else "the stage is empty now"
        super().__init__(f"The stage changed a moment ago (another moderator?): {now}. Nothing was changed.")


class InvalidRequest(QARefusal):
    """A request that cannot be carried out as asked (a missing reason, a move to the same session)."""


class StoreError(QAError):
    """The database cannot be used; the message names the file and what to do about it."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(message)


class StoreBusy(StoreError):
    """Another connection held the write lock for longer than the busy timeout, every retry."""


class StoreClosed(StoreError):
    """The service was closed (or never started) before the request."""
