"""Helpers for the Q&A tests: a clock the test moves, a service on a real SQLite file, raw reads of that file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.qa import QAConfig, QAService, Question, Status

START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    """Aware UTC time that only moves when the test says so."""

    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "chairbot.db"


@pytest.fixture
def config() -> QAConfig:
    return QAConfig()


@pytest.fixture
async def qa(db_path: Path, config: QAConfig, clock: FakeClock) -> AsyncIterator[QAService]:
    async with QAService(db_path, config=config, clock=clock) as service:
        yield service


def raw_rows(db_path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows read through a separate connection: what is committed, not what the service holds in memory."""
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def question_row(db_path: Path, question_id: int) -> tuple[Any, ...]:
    rows = raw_rows(db_path, "SELECT * FROM qa_questions WHERE id = ?", (question_id,))
    assert len(rows) == 1
    return rows[0]


def log_size(db_path: Path) -> int:
    return int(raw_rows(db_path, "SELECT count(*) FROM qa_moderation_log")[0][0])


async def ask(
    qa: QAService,
    text: str = "How does it scale?",
    *,
    session: str = "talk-1",
    user: str = "u1",
    name: str = "Ada",
    anonymous: bool = False,
) -> Question:
    return (await qa.ask(session, user, text, author_name=name, anonymous=anonymous)).question


async def question_in(qa: QAService, status: Status, *, session: str = "talk-1") -> Question:
    """A fresh question of ``session`` brought to ``status`` the way a moderator would."""
    if status is Status.PENDING_REVIEW:
        await qa.set_pre_moderation(session, "mod", True)
        question = await ask(qa, "Waiting for review?", session=session, user="asker-pending")
        await qa.set_pre_moderation(session, "mod", False)
        return question
    question = await ask(qa, f"A question that ends {status.value}?", session=session, user=f"asker-{status.value}")
    steps: dict[Status, Callable[[], Any]] = {
        Status.QUEUED: lambda: qa.get(question.id),
        Status.ON_STAGE: lambda: qa.put_on_stage(question.id, "mod"),
        Status.ANSWERED: lambda: qa.mark_answered(question.id, "mod"),
        Status.DISMISSED: lambda: qa.dismiss(question.id, "mod", "off topic"),
        Status.HIDDEN: lambda: qa.hide(question.id, "mod"),
    }
    await steps[status]()
    current = await qa.get(question.id)
    assert current.status is status
    return current
