"""What the log shows: chairbot's own lines by default, the libraries' routine lines (a line per scheduler job)
only at DEBUG; the level comes from --log-level or CHAIRBOT_LOG_LEVEL."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.announce.announcer import Announcer
from bot.announce.outbox import Item, Outbox, Planned, Status
from bot.cli import QUIET_LOGGERS, cli, configure_logging
from bot.clock import system_clock

SMALL = """\
event: {name: Small, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: opening, title: Opening, start: "08:50", end: "09:00"}
  - {id: talk, title: A talk, start: "09:00", end: "09:30"}
"""


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """The process's logging as it was: configure_logging changes process-wide state."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    quiet = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


async def post_one_announcement(tmp_path: Path) -> None:
    """The real announcer on APScheduler posts one announcement that is due now."""
    posted: list[str] = []

    async def post(item: Item, late: bool) -> int:
        posted.append(item.id)
        return 1

    outbox = await Outbox.open(tmp_path / "outbox.db", clock=system_clock)
    now = system_clock()
    await outbox.plan(
        [Planned(id="talk:start", kind="session", due_at=now, stale_at=now + dt.timedelta(hours=1), action="start")]
    )
    announcer = Announcer(outbox, post, clock=system_clock)
    try:
        await announcer.start()
        for _ in range(500):
            item = await outbox.get("talk:start")
            if item is not None and item.status is Status.SENT and not announcer.busy():
                break
            await asyncio.sleep(0.01)
    finally:
        await announcer.stop()
        await outbox.close()
    assert posted == ["talk:start"]


@pytest.mark.usefixtures("logging_restored")
async def test_by_default_a_post_is_logged_and_scheduler_jobs_are_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging()
    await post_one_announcement(tmp_path)
    err = capsys.readouterr().err
    assert "INFO bot.announce.announcer: posted announcement talk:start: due " in err
    assert "apscheduler" not in err
    assert "Running job" not in err


@pytest.mark.usefixtures("logging_restored")
async def test_at_debug_the_scheduler_jobs_are_logged_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("DEBUG")
    await post_one_announcement(tmp_path)
    err = capsys.readouterr().err
    assert "posted announcement talk:start" in err
    assert 'INFO apscheduler.executors.default: Running job "Announcer._fire' in err


def rehearse(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHAIRBOT_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", str(path), "--speed", "100000", *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_a_rehearsal_logs_only_problems_by_default(tmp_path: Path) -> None:
    result = rehearse(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_log_level_selects_more(tmp_path: Path) -> None:
    result = rehearse(tmp_path, "--log-level", "info")
    assert result.returncode == 0, result.stderr
    assert "INFO bot.announce.announcer: posted announcement talk:start" in result.stderr
    assert " DEBUG " not in result.stderr


def test_chairbot_log_level_in_the_environment_selects_debug(tmp_path: Path) -> None:
    result = rehearse(tmp_path, env={"CHAIRBOT_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr
    assert " DEBUG " in result.stderr
    assert "posted announcement talk:start" in result.stderr


def test_an_unknown_log_level_is_a_usage_error(tmp_path: Path) -> None:
    result = rehearse(tmp_path, "--log-level", "LOUD")
    assert result.returncode == 2
    assert "Invalid value for '--log-level' (env var: 'CHAIRBOT_LOG_LEVEL'): 'LOUD' is not one of" in result.stderr


@pytest.mark.parametrize("command", ["run", "preflight", "rehearse"])
def test_every_long_running_command_takes_log_level(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "--log-level" in result.stdout
    assert "CHAIRBOT_LOG_LEVEL" in result.stdout
