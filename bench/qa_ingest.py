"""Benchmark of the durable Q&A queue: a burst of asks, raw sqlite3 for comparison, and pull_next at scale.

1. ``--asks`` questions from ``--users`` users across ``--sessions`` sessions, all offered at once from
   concurrent asyncio tasks through :class:`bot.qa.QAService` (rate limit raised, texts distinct so none
   merge).
   Reports asks/s and the 99th percentile of the time from calling ``ask`` to its return (acknowledged =
   committed at the chosen ``synchronous`` level).
2. Plain sqlite3 inserting the same rows with one commit each, same ``synchronous``, WAL, in a separate file.
3. The queue topped up to ``--stored`` questions, then ``--pulls`` sequential ``pull_next`` calls, each timed.

Prints one JSON line: asks_per_s, p99_ack_ms, raw_sqlite_single_commit_per_s, ratio (asks_per_s divided by the
raw rate) and pull_next_p99_ms. Everything happens in a temporary directory.

On stderr, figures that put the burst in context: a smaller burst (a large audience at once), asks paced at a
steady rate, the users asking their questions one after another (``--users`` tasks in flight rather than
``--asks``), and the floor: the same burst of requests that do nothing, through the same group-commit writer, which
no store can beat.

    python bench/qa_ingest.py [--synchronous FULL|NORMAL] [--asks 20000] [--users 2000] [--sessions 8]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bot.qa import QAConfig, QAService
from bot.qa.clock import system_clock, to_micros
from bot.qa.store import QAStore
from bot.qa.text import duplicate_key
from bot.qa.writer import GroupCommitWriter


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def question_text(number: int, session: int) -> str:
    return f"Question {number} for session {session}: how would approach {number * 7919 % 100_003} scale up?"


class Burst:
    """Figures of one burst of asks."""

    def __init__(self, asks: int, seconds: float, latencies: list[float]) -> None:
        self.per_s = asks / seconds
        self.seconds = seconds
        self.p50_ms = percentile(latencies, 0.50) * 1000
        self.p99_ms = percentile(latencies, 0.99) * 1000


async def burst_of_asks(path: Path, config: QAConfig, asks: int, users: int, sessions: int, first: int = 0) -> Burst:
    latencies: list[float] = []

    async with QAService(path, config=config) as qa:

        async def ask(number: int) -> None:
            user = number % users
            session = number % sessions
            started = time.perf_counter()
            text = question_text(number, session)
            await qa.ask(f"session-{session}", f"user-{user}", text, author_name=f"User {user}")
            latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(ask(number) for number in range(first, first + asks)))
        elapsed = time.perf_counter() - began
    return Burst(asks, elapsed, latencies)


def _nothing(store: QAStore) -> None:
    return None


async def floor_burst(path: Path, config: QAConfig, requests: int) -> Burst:
    """The same load through the same group-commit writer, with requests that do nothing.

    What is left is the cost of the tasks, the batching, empty savepoints and the commits: the
    least any durable ask could take here, whatever the store does.
    """
    latencies: list[float] = []
    writer = GroupCommitWriter(path, config, system_clock, asyncio.get_running_loop())
    await writer.start()

    async def nothing() -> None:
        started = time.perf_counter()
        await writer.submit(_nothing, (), {})
        latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(nothing() for _ in range(requests)))
    elapsed = time.perf_counter() - began
    await writer.close()
    return Burst(requests, elapsed, latencies)


async def asks_in_turn(path: Path, config: QAConfig, asks: int, users: int, sessions: int, first: int) -> Burst:
    """``users`` concurrent tasks, each asking its share of ``asks`` one after the other."""
    latencies: list[float] = []
    async with QAService(path, config=config) as qa:

        async def user(number: int) -> None:
            for offset in range(number, asks, users):
                question = first + offset
                session = question % sessions
                started = time.perf_counter()
                await qa.ask(
                    f"session-{session}", f"user-{number}", question_text(question, session), author_name="In turn"
                )
                latencies.append(time.perf_counter() - started)

        began = time.perf_counter()
        await asyncio.gather(*(user(number) for number in range(users)))
        elapsed = time.perf_counter() - began
    return Burst(asks, elapsed, latencies)


async def paced_asks(
    path: Path, config: QAConfig, asks: int, rate: float, users: int, sessions: int, first: int
) -> float:
    """p99 acknowledgement in ms when asks arrive steadily at ``rate`` per second instead of all at once."""
    latencies: list[float] = []
    async with QAService(path, config=config) as qa:

        async def ask(number: int) -> None:
            started = time.perf_counter()
            session = number % sessions
            text = question_text(number, session)
            await qa.ask(f"session-{session}", f"user-{number % users}", text, author_name="Paced")
            latencies.append(time.perf_counter() - started)

        loop = asyncio.get_running_loop()
        began = loop.time()
        tasks = []
        for offset in range(asks):
            delay = began + offset / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(ask(first + offset)))
        await asyncio.gather(*tasks)
    return percentile(latencies, 0.99) * 1000


def raw_single_commits(path: Path, synchronous: str, rows: int, users: int, sessions: int) -> tuple[float, float]:
    """Rows per second, and the 99th percentile of one commit in milliseconds."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY, session_id TEXT, author_id TEXT, author_name TEXT, "
        "anonymous INTEGER, text TEXT, created_at INTEGER, status TEXT, votes INTEGER)"
    )
    commits: list[float] = []
    began = time.perf_counter()
    for number in range(rows):
        session = number % sessions
        user = number % users
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO questions (session_id, author_id, author_name, anonymous, text, created_at, status, "
            "votes) "
            "VALUES (?, ?, ?, 0, ?, ?, 'queued', 0)",
            (
                f"session-{session}",
                f"user-{user}",
                f"User {user}",
                question_text(number, session),
                to_micros(system_clock()),
            ),
        )
        conn.execute("COMMIT")
        commits.append(time.perf_counter() - started)
    elapsed = time.perf_counter() - began
    conn.close()
    return rows / elapsed, percentile(commits, 0.99) * 1000


def top_up(path: Path, target: int, sessions: int, users: int) -> None:
    """Bulk-load questions (random votes) so the database holds ``target`` of them, as after a long day."""
    conn = sqlite3.connect(path)
    (present,) = conn.execute("SELECT count(*) FROM qa_questions").fetchone()
    rng = random.Random(7)
    start = to_micros(system_clock() - dt.timedelta(hours=8))
    rows = []
    for number in range(present, target):
        session = number % sessions
        text = question_text(number, session)
        rows.append(
            (
                f"session-{session}",
                f"user-{number % users}",
                f"User {number % users}",
                text,
                start + number * 1000,
                rng.randint(0, 60),
                duplicate_key(text),
            )
        )
    with conn:
        conn.executemany(
            "INSERT INTO qa_questions (session_id, author_id, author_name, anonymous, text, created_at, "
            "status, "
            "votes, dedup_key) VALUES (?, ?, ?, 0, ?, ?, 'queued', ?, ?)",
            rows,
        )
    conn.execute("ANALYZE")
    conn.close()


async def pulls(path: Path, config: QAConfig, count: int, sessions: int) -> float:
    latencies: list[float] = []
    async with QAService(path, config=config) as qa:
        for number in range(count):
            started = time.perf_counter()
            result = await qa.pull_next(f"session-{number % sessions}", "moderator-1")
            latencies.append(time.perf_counter() - started)
            if result.question is None:
                raise RuntimeError("the queue ran dry; raise --stored")
    return percentile(latencies, 0.99) * 1000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    parser.add_argument("--asks", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--raw-rows", type=int, default=None, help="rows for the raw sqlite3 run (default: --asks)")
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--pulls", type=int, default=1_000)
    parser.add_argument("--max-batch", type=int, default=256)
    parser.add_argument("--group-wait-ms", type=float, default=2.0)
    parser.add_argument("--audience", type=int, default=1_000, help="size of the second, smaller burst")
    parser.add_argument("--paced-asks", type=int, default=6_000, help="asks offered steadily, not at once")
    parser.add_argument("--paced-rate", type=float, default=3_000.0, help="asks per second when paced")
    args = parser.parse_args(argv)

    config = QAConfig(
        synchronous=args.synchronous,
        rate_limit=args.asks,  # the benchmark measures the store, not the rate limit
        max_batch=args.max_batch,
        group_wait=dt.timedelta(milliseconds=args.group_wait_ms),
    )
    with tempfile.TemporaryDirectory(prefix="chairbot-qa-bench-") as tmp:
        queue_db = Path(tmp) / "qa.db"
        burst = asyncio.run(burst_of_asks(queue_db, config, args.asks, args.users, args.sessions))
        # Context for the figures, not a target: a burst the size of a large audience, on the same database.
        audience = asyncio.run(
            burst_of_asks(queue_db, config, args.audience, args.users, args.sessions, first=args.asks)
        )
        paced_p99_ms = asyncio.run(
            paced_asks(
                queue_db,
                config,
                args.paced_asks,
                args.paced_rate,
                args.users,
                args.sessions,
                first=args.asks + args.audience,
            )
        )
        floor = asyncio.run(floor_burst(Path(tmp) / "floor.db", config, args.asks))
        in_turn = asyncio.run(
            asks_in_turn(
                queue_db,
                config,
                args.asks,
                args.users,
                args.sessions,
                first=args.asks + args.audience + args.paced_asks,
            )
        )
        raw_per_s, raw_commit_p99_ms = raw_single_commits(
            Path(tmp) / "raw.db", args.synchronous, args.raw_rows or args.asks, args.users, args.sessions
        )
        top_up(queue_db, args.stored, args.sessions, args.users)
        pull_p99_ms = asyncio.run(pulls(queue_db, config, args.pulls, args.sessions))

    json.dump(
        {
            "asks_per_s": round(burst.per_s, 1),
            "p99_ack_ms": round(burst.p99_ms, 2),
            "raw_sqlite_single_commit_per_s": round(raw_per_s, 1),
            "ratio": round(burst.per_s / raw_per_s, 2),
            "pull_next_p99_ms": round(pull_p99_ms, 3),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    sys.stdout.flush()
    print(
        f"burst of {args.asks}: {burst.seconds:.2f} s, median ack {burst.p50_ms:.1f} ms; "
        f"the same burst of requests that do nothing: p99 {floor.p99_ms:.1f} ms; "
        f"{args.users} users asking {args.asks} in turn: p99 ack {in_turn.p99_ms:.1f} ms, "
        f"{in_turn.per_s:.0f} asks/s; "
        f"burst of {args.audience}: p99 ack {audience.p99_ms:.1f} ms; "
        f"{args.paced_asks} asks paced at {args.paced_rate:g}/s: p99 ack {paced_p99_ms:.1f} ms; "
        f"raw sqlite3 single commit p99 {raw_commit_p99_ms:.2f} ms (synchronous={args.synchronous})",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
