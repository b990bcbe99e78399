"""Each benchmark still runs, on a small load, and prints its one JSON line with its headline figures: a change
that breaks a bench shows here rather than the next time someone measures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(module: str, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_schedule_scale_runs() -> None:
    figures = _run("schedule_scale", "--sessions", "200")
    assert figures


def test_qa_ingest_runs_and_loses_nothing() -> None:
    figures = _run("qa_ingest", "--paced-only", "--rate", "300", "--seconds", "1")
    assert figures["paced_lost"] == 0
    assert isinstance(figures["paced_p99_ack_ms"], float)


def test_announce_timing_runs_and_posts_each_once() -> None:
    figures = _run("announce_timing", "--seconds", "3", "--announcements", "12")
    assert figures["missed"] == 0
    assert figures["duplicated"] == 0


def test_interactions_runs_both_bots() -> None:
    figures = _run(
        "interactions", "--asks", "50", "--clicks", "100", "--users", "50", "--seconds", "1", "--rounds", "1"
    )
    assert isinstance(figures["ratio"], float)


def test_web_fanout_runs_and_drops_no_page() -> None:
    figures = _run("web_fanout", "--pages", "20", "--votes-per-s", "50", "--seconds", "1")
    assert figures["pages"] == 20
    assert figures["dropped_pages"] == 0
    assert isinstance(figures["update_p99_ms"], float)


def test_conference_day_runs_every_room_in_its_channel() -> None:
    figures = _run("conference_day", "--sessions", "120", "--rooms", "6")
    assert figures["sessions"] == 120
    assert figures["rooms"] == 6
    assert isinstance(figures["max_posts_per_channel_per_5s"], int)
