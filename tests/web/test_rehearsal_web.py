"""``chairbot rehearse FILE --web HOST:PORT [--stay]``: the web side serves the rehearsal's own core while the day
plays (and after it, with ``--stay``), so organizers see the pages as attendees will."""

from __future__ import annotations

import asyncio
import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from bot.app import rehearse
from bot.schedule.loader import load_schedule

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "schedule" / "iclr2024-rrfm.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_with_stay_the_pages_of_the_rehearsed_day_are_served_until_it_is_stopped() -> None:
    out = io.StringIO()
    port = free_port()
    task = asyncio.create_task(
        rehearse(load_schedule(BUNDLED), speed=100_000, out=out, web=("127.0.0.1", port), stay=True)
    )
    try:
        for _ in range(500):
            if "the web side stays up" in out.getvalue():
                break
            await asyncio.sleep(0.02)
        text = out.getvalue()
        assert re.search(rf"^Web side: http://127\.0\.0\.1:{port}/ \(the schedule\)", text, flags=re.MULTILINE)
        assert "Rehearsal done: 43 announcements" in text
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.get("/") as page:
                assert page.status == 200
                assert "Invited Talk 1" in await page.text()
            async with http.get("/metrics") as metrics:
                assert 'chairbot_announcements{status="sent"} 43.0' in await metrics.text()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    with socket.socket() as probe:  # stopped: the port is free again
        probe.bind(("127.0.0.1", port))


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", str(BUNDLED), "--speed", "100000", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_stay_without_web_and_a_bad_address_are_usage_errors() -> None:
    alone = _cli("--stay")
    assert alone.returncode == 2
    assert "give --web HOST:PORT too" in alone.stderr
    bad = _cli("--web", "localhost")
    assert bad.returncode == 2
    assert "'localhost' is not HOST:PORT" in bad.stderr


def test_a_port_in_use_is_said_plainly() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _cli("--web", f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert f"the web side cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
