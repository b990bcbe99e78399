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
        assert re.search(rf"^Web side on http://127\.0\.0\.1:{port}/$", text, flags=re.MULTILINE)
        assert re.search(rf"^  schedule +http://127\.0\.0\.1:{port}/ ", text, flags=re.MULTILINE)
        assert re.search(rf"^  stage +http://127\.0\.0\.1:{port}/stage/invited-1 ", text, flags=re.MULTILINE)
        assert re.search(rf"^  ask +http://127\.0\.0\.1:{port}/ask/invited-1$", text, flags=re.MULTILINE)
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


async def test_the_crowd_asks_and_votes_through_the_core_while_the_day_plays() -> None:
    out = io.StringIO()
    port = free_port()
    schedule = load_schedule(BUNDLED)
    # Slow enough that sessions with Q&A stay open for a few real seconds.
    task = asyncio.create_task(
        rehearse(schedule, speed=600, out=out, web=("127.0.0.1", port), crowd=50, start=schedule.sessions[1].start)
    )
    try:
        asked: dict[str, int] = {}
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            for _ in range(200):
                await asyncio.sleep(0.1)
                try:
                    async with http.get("/healthz") as health:
                        asked = (await health.json()).get("questions", {})
                except aiohttp.ClientConnectionError:
                    continue
                if asked.get("queued", 0) >= 3:
                    break
        assert asked.get("queued", 0) >= 3, out.getvalue()[:2000]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def test_crowd_needs_the_web_side() -> None:
    alone = _cli("--crowd", "10")
    assert alone.returncode == 2
    assert "give --web HOST:PORT too" in alone.stderr
