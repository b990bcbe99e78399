"""The emulator in its own process: driven over its control API, and stopping by itself."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.emulator import EmulatorProcess, patch_discord, run_client
from tests.emulator.standalone import PROJECT_ROOT

from .conftest import TinyBot

pytestmark = pytest.mark.slow  # each test starts a Python process


def asks_by_alice(ids: dict[str, Any], texts: list[str]) -> list[dict[str, Any]]:
    """Control API specs: ``/ask`` with each text, by the member ``alice`` in the channel ``qa``."""
    return [
        {
            "kind": "slash",
            "command": "ask",
            "options": {"question": text},
            "user_id": ids["members"]["alice"],
            "channel_id": ids["channels"]["qa"],
        }
        for text in texts
    ]


@contextlib.asynccontextmanager
async def tiny_bot_with_alice(proc: EmulatorProcess) -> AsyncIterator[tuple[dict[str, Any], TinyBot]]:
    """In the emulator process: a guild with ``#qa`` and the member ``alice``, and a connected ``TinyBot`` whose
    ``/ask`` is synced; yields the setup's ids and the bot."""
    assert proc.control is not None
    ids = await proc.control.setup({"channels": [{"name": "qa"}], "members": [{"username": "alice"}]})
    bot = TinyBot(int(ids["guild_id"]))
    with patch_discord(proc.api_url, proc.gateway_url):
        async with run_client(bot, proc.token):
            assert await proc.control.wait("commands", command="ask")
            yield ids, bot


async def test_bot_in_this_process_is_driven_through_the_control_api() -> None:
    async with EmulatorProcess() as proc:
        assert proc.control is not None
        async with tiny_bot_with_alice(proc) as (ids, bot):
            questions = asks_by_alice(ids, [f"Question {n}?" for n in range(40)])
            fired = await proc.control.fire(questions, wait=True, timeout=10)
            stats = await proc.control.stats()
        code = await proc.stop()

    assert [r["status"] for r in fired["results"]] == ["answered"] * 40
    assert all(r["latency_ms"] > 0 and r["ephemeral"] for r in fired["results"])
    assert stats["answered"] == 40
    assert stats["latency_ms"]["p50"] <= stats["latency_ms"]["p99"]
    assert sorted(str(q) for kind, _, q, _ in bot.seen if kind == "ask") == sorted(f"Question {n}?" for n in range(40))
    assert code == 0


async def test_a_bulk_send_with_in_flight_keeps_that_many_waiting_at_most() -> None:
    async with EmulatorProcess() as proc:
        assert proc.control is not None
        async with tiny_bot_with_alice(proc) as (ids, _bot):
            slow = asks_by_alice(ids, [f"slow: question {n}?" for n in range(24)])
            fired = await proc.control.fire(slow, in_flight=4, wait=True, timeout=20)
        await proc.stop()

    results = fired["results"]
    assert [r["status"] for r in results] == ["answered"] * 24
    # Each was sent only while fewer than 4 others were waiting for their answer.
    for r in results:
        waiting = [o for o in results if o["sent_at_ms"] <= r["sent_at_ms"] < o["callback_at_ms"]]
        assert len(waiting) <= 4
    # 24 answers of 50 ms each, 4 at a time, take at least 6 rounds.
    span = max(r["callback_at_ms"] for r in results) - min(r["sent_at_ms"] for r in results)
    assert span >= 6 * 50


async def test_control_api_reports_bad_interaction_specs() -> None:
    async with EmulatorProcess() as proc:
        assert proc.control is not None
        with pytest.raises(RuntimeError, match="400"):
            await proc.control.fire([{"kind": "slash", "command": "ask"}])  # no bot has synced /ask


async def test_process_exits_after_the_idle_timeout() -> None:
    async with EmulatorProcess(idle_timeout=0.3) as proc:
        assert proc.process is not None
        code = await asyncio.wait_for(proc.process.wait(), 10)
    assert code == 0


async def test_process_exits_cleanly_on_sigterm() -> None:
    async with EmulatorProcess() as proc:
        assert proc.process is not None
        proc.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.process.wait(), 10)
    assert code == 0


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="checks the orphan through /proc")
def test_process_exits_when_its_parent_dies(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    # An intermediate parent starts the emulator, waits until it listens, prints its pid and dies.
    launcher = textwrap.dedent(
        f"""
        import subprocess, sys, time, pathlib
        command = [sys.executable, "-m", "tests.emulator", "--ready-file", {str(ready)!r}]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        while not pathlib.Path({str(ready)!r}).exists():
            time.sleep(0.02)
        print(child.pid, flush=True)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", launcher], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=20, check=True
    )
    orphan = int(out.stdout.strip())
    try:
        deadline = time.monotonic() + 5
        while _running(orphan) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _running(orphan)
    finally:
        _kill_if_running(orphan)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # an exited orphan may linger as a zombie until its new parent reaps it


def _kill_if_running(pid: int) -> None:
    if _running(pid):
        os.kill(pid, signal.SIGKILL)
