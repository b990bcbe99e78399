"""Durability and concurrency: acknowledged means committed, group commit, busy files, shutdown, a hard kill."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.qa import (
    InvalidRequest,
    QAConfig,
    QAService,
    Status,
    StoreBusy,
    StoreClosed,
)
from bot.qa.store import QAStore
from bot.qa.writer import GroupCommitWriter

from .conftest import FakeClock, ask, raw_rows

REPO_ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("ask_until_killed.py")


async def test_an_acknowledged_question_is_visible_to_another_connection(qa: QAService, db_path: Path) -> None:
    question = await ask(qa)

    assert raw_rows(db_path, "SELECT id FROM qa_questions") == [(question.id,)]


async def test_the_database_is_in_wal_mode(qa: QAService, db_path: Path) -> None:
    assert raw_rows(db_path, "PRAGMA journal_mode") == [("wal",)]


@pytest.mark.parametrize(("synchronous", "level"), [("FULL", 2), ("NORMAL", 1)])
def test_the_synchronous_level_follows_the_configuration(
    db_path: Path, clock: FakeClock, synchronous: str, level: int
) -> None:
    store = QAStore.open(db_path, QAConfig(synchronous=synchronous), clock)
    try:
        assert store.conn.execute("PRAGMA synchronous").fetchone() == (level,)
    finally:
        store.close()


def test_full_durability_is_the_default() -> None:
    assert QAConfig().synchronous == "FULL"


async def test_asks_arriving_together_share_commits(db_path: Path, clock: FakeClock) -> None:
    async with QAService(db_path, config=QAConfig(rate_limit=1000), clock=clock) as qa:
        await asyncio.gather(*(ask(qa, f"Question number {n}?", user=f"u{n}") for n in range(200)))

        assert qa.stats.requests == 200
        assert qa.stats.commits <= 50
    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(200,)]


async def test_a_refusal_in_a_batch_rolls_back_only_its_own_changes(db_path: Path, clock: FakeClock) -> None:
    def half_done_then_refused(store: QAStore) -> None:
        store.ban("written-then-undone", "mod")
        raise InvalidRequest("refused after writing")

    writer = GroupCommitWriter(db_path, QAConfig(), clock, asyncio.get_running_loop())
    await writer.start()
    try:
        before = writer.submit(QAStore.ban, ("kept-1", "mod"), {})
        refused = writer.submit(half_done_then_refused, (), {})
        after = writer.submit(QAStore.ban, ("kept-2", "mod"), {})
        results = await asyncio.gather(before, refused, after, return_exceptions=True)
    finally:
        await writer.close()

    assert results[0] is True
    assert results[2] is True
    assert isinstance(results[1], InvalidRequest)
    assert raw_rows(db_path, "SELECT user_id FROM qa_bans ORDER BY user_id") == [("kept-1",), ("kept-2",)]


async def test_a_refused_ask_among_concurrent_ones_does_not_affect_the_others(qa: QAService) -> None:
    await qa.ban("banned", "mod")

    results = await asyncio.gather(
        ask(qa, "First?", user="u1"),
        ask(qa, "Refused?", user="banned"),
        ask(qa, "Third?", user="u3"),
        return_exceptions=True,
    )

    assert [type(result).__name__ for result in results] == ["Question", "UserBanned", "Question"]
    assert (await qa.counts())[Status.QUEUED] == 2


async def test_close_commits_everything_already_asked(db_path: Path, clock: FakeClock) -> None:
    qa = await QAService.open(db_path, config=QAConfig(rate_limit=1000), clock=clock)
    pending = [asyncio.ensure_future(ask(qa, f"Question number {n}?", user=f"u{n}")) for n in range(100)]
    await asyncio.sleep(0)  # every ask has reached the writer's inbox

    await qa.close()

    assert all(task.done() and task.exception() is None for task in pending)
    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(100,)]


async def test_a_request_after_close_is_refused_with_store_closed(db_path: Path, clock: FakeClock) -> None:
    qa = await QAService.open(db_path, clock=clock)
    await qa.close()

    with pytest.raises(StoreClosed):
        await ask(qa)


async def test_closing_twice_is_harmless(db_path: Path, clock: FakeClock) -> None:
    qa = await QAService.open(db_path, clock=clock)
    await qa.close()

    await qa.close()

    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(0,)]


async def test_a_service_that_was_never_started_refuses_requests(db_path: Path) -> None:
    with pytest.raises(StoreClosed, match="not been started"):
        await QAService(db_path).get(1)


async def test_a_write_lock_held_briefly_by_another_connection_is_waited_for(qa: QAService, db_path: Path) -> None:
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(0.3, blocker.execute, "COMMIT")
    started = time.monotonic()

    question = await ask(qa)

    assert time.monotonic() - started >= 0.25
    assert raw_rows(db_path, "SELECT id FROM qa_questions") == [(question.id,)]
    blocker.close()


async def test_waiting_for_a_lock_does_not_hold_up_the_event_loop(qa: QAService, db_path: Path) -> None:
    # The Discord gateway shares the loop: it must keep running while the store waits for another connection.
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    loop = asyncio.get_running_loop()
    loop.call_later(0.4, blocker.execute, "COMMIT")
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        await asyncio.gather(*(ask(qa, f"Question number {n}?", user=f"u{n}") for n in range(20)))
    finally:
        ticker.cancel()
        blocker.close()

    assert len(gaps) >= 20  # the loop ticked all along the 0.4 s wait
    assert max(gaps) < 0.2
    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(20,)]


async def test_requests_arriving_during_a_commit_wait_for_it_and_commit_together(
    db_path: Path, clock: FakeClock
) -> None:
    async with QAService(db_path, config=QAConfig(rate_limit=1000), clock=clock) as qa:
        first = asyncio.ensure_future(ask(qa, "The first question?", user="u0"))
        await asyncio.sleep(0)  # the first request is on its way: its batch begins and commits
        rest = [asyncio.ensure_future(ask(qa, f"Question number {n}?", user=f"u{n}")) for n in range(1, 50)]
        await asyncio.gather(first, *rest)

        assert qa.stats.requests == 50
        assert qa.stats.commits <= 3


async def test_a_lock_held_past_every_retry_fails_with_store_busy_then_recovers(
    db_path: Path, clock: FakeClock
) -> None:
    config = QAConfig(busy_timeout=dt.timedelta(milliseconds=50), busy_retries=1)
    async with QAService(db_path, config=config, clock=clock) as qa:
        blocker = sqlite3.connect(db_path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusy, match=str(db_path)):
                await ask(qa, "Blocked?")
        finally:
            blocker.execute("COMMIT")
            blocker.close()

        assert (await ask(qa, "After the lock?")).status is Status.QUEUED


@pytest.mark.slow
def test_every_acknowledged_question_survives_a_sigkill_mid_burst(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    acknowledged: list[int] = []
    enough = threading.Event()

    def read_acknowledgements() -> None:
        assert child.stdout is not None
        for line in child.stdout:  # ends at EOF, after the kill; ids still in the pipe are read too
            acknowledged.append(int(line))
            if len(acknowledged) >= 400:
                enough.set()
        enough.set()

    reader = threading.Thread(target=read_acknowledgements)
    reader.start()
    try:
        enough.wait(timeout=20)
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        reader.join(timeout=10)
    stderr = child.stderr.read() if child.stderr else ""

    assert child.returncode == -signal.SIGKILL, stderr
    assert len(acknowledged) >= 400, stderr
    stored = {row[0] for row in raw_rows(path, "SELECT id FROM qa_questions")}
    assert set(acknowledged) <= stored
    assert raw_rows(path, "PRAGMA integrity_check") == [("ok",)]


async def test_a_long_read_runs_off_the_event_loop_and_sees_everything_submitted_before_it(
    db_path: Path, clock: FakeClock
) -> None:
    def where(store: QAStore) -> tuple[str, int]:
        (count,) = store.conn.execute("SELECT count(*) FROM qa_bans").fetchone()
        return threading.current_thread().name, count

    writer = GroupCommitWriter(db_path, QAConfig(), clock, asyncio.get_running_loop())
    await writer.start()
    try:
        before = writer.submit(QAStore.ban, ("before", "mod"), {})
        export = writer.submit(where, (), {}, long_read=True)
        after = writer.submit(QAStore.ban, ("after", "mod"), {})
        in_batch = writer.submit(where, (), {})
        results = await asyncio.gather(before, export, after, in_batch)
    finally:
        await writer.close()

    assert results[1] == (results[1][0], 1)  # the ban submitted before it, not the one after
    assert results[1][0].startswith("chairbot-qa-commit")
    assert results[3] == (threading.current_thread().name, 2)


async def test_an_export_of_many_questions_returns_them_all(db_path: Path, clock: FakeClock) -> None:
    async with QAService(db_path, config=QAConfig(rate_limit=10_000), clock=clock) as qa:
        await asyncio.gather(*(ask(qa, f"Question number {n}?", user=f"u{n % 50}") for n in range(600)))

        exported = await qa.questions()

    assert len(exported) == 600
    assert {question.text for question in exported} == {f"Question number {n}?" for n in range(600)}
