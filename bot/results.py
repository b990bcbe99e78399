"""What the application core's actions return: plain values that each adapter renders in its own way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.qa.model import Question
from bot.schedule.model import Session


@dataclass(frozen=True, slots=True)
class ShiftResult:
    """A shift put in force: the sessions that were on and now end at their new time, how many moved whole."""

    first: Session
    minutes: int
    running: tuple[Session, ...]
    moved: int
    update_posted: bool


@dataclass(frozen=True, slots=True)
class ReminderToggle:
    """A member's reminder for ``session`` after a click: set (due at ``due_at``), or taken back."""

    session: Session
    is_set: bool
    due_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StageResult:
    """What "next question" did: the question now on stage (None: the queue was empty), and whether the post
    that shows it went out."""

    session: Session
    question: Question | None
    posted: bool
