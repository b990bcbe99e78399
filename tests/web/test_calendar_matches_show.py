"""Each bundled schedule, two ways: what ``chairbot show FILE --json`` prints and what the web side's
``/schedule.ics`` serves of the same file agree instant for instant, and the feed follows a shift and a
cancellation (with a higher ``SEQUENCE``) where the file's JSON stays as it was."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from bot.schedule.source import ScheduleSource
from tests.web.conftest import Site, serving

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "schedule").glob("*.yaml"))
#: How far the test shifts the day from its middle session.
SHIFT = dt.timedelta(minutes=15)


def show_json(file: Path) -> dict[str, Any]:
    """What the real command line prints for ``chairbot show FILE --json``."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "show", str(file), "--json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    shown: dict[str, Any] = json.loads(result.stdout)
    return shown


def instant(text: str) -> dt.datetime:
    """``2024-05-11T07:00:00Z`` as an aware instant (the JSON's instants are UTC, ending in Z)."""
    assert text.endswith("Z"), text
    return dt.datetime.fromisoformat(text.removesuffix("Z") + "+00:00")


@asynccontextmanager
async def served(file: Path, data_dir: Path, now: dt.datetime) -> AsyncIterator[Site]:
    """The file loaded as the bot loads it (its schedule source), served as the ``site`` fixture serves its day;
    the event's clock stands at ``now``."""
    source = ScheduleSource(str(file), cache_dir=data_dir)
    schedule = (await source.load()).schedule
    async with serving(schedule, data_dir, now, source=source) as site:
        yield site


async def feed(site: Site) -> dict[str, Any]:
    """``/schedule.ics`` parsed, each VEVENT by the session id its UID names (each UID once)."""
    response, text = await site.get("/schedule.ics")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(text).walk("VEVENT")
    by_id: dict[str, Any] = {}
    domains = set()
    for event in events:
        session_id, at, domain = str(event["UID"]).rpartition("@")
        assert at == "@", f"a UID names its session: {event['UID']}"
        assert session_id, f"a UID names its session: {event['UID']}"
        assert session_id not in by_id, f"two VEVENTs for {session_id}"
        by_id[session_id] = event
        domains.add(domain)
    assert len(domains) <= 1, f"one event, one UID domain: {domains}"
    assert all(domain.endswith(".chairbot") for domain in domains)
    return by_id


def when(event: Any, name: str) -> dt.datetime:
    """DTSTART or DTEND as an instant, checked to be written in UTC (not a date, not a local time)."""
    value = event[name].dt
    assert isinstance(value, dt.datetime), f"{name} of {event['UID']} is a date, not an instant: {value!r}"
    assert value.utcoffset() == dt.timedelta(0), f"{name} of {event['UID']} is not in UTC: {value!r}"
    return value


@pytest.mark.parametrize("file", BUNDLED, ids=[f.name for f in BUNDLED])
async def test_the_calendar_feed_is_what_show_json_prints(file: Path, tmp_path: Path) -> None:
    shown = show_json(file)
    sessions = shown["sessions"]
    talks = [s for s in sessions if s["kind"] != "break"]
    breaks = [s for s in sessions if s["kind"] == "break"]
    assert talks, f"{file.name} has sessions"
    first_start = min(instant(s["start"]) for s in sessions)
    # The day before the event: no session is on, so a shift moves sessions as they are.
    async with served(file, tmp_path, first_start - dt.timedelta(days=1)) as site:
        events = await feed(site)

        # One VEVENT per session but breaks, at the JSON's instants, with its title, not yet changed.
        assert sorted(events) == sorted(s["id"] for s in talks)
        assert not {b["id"] for b in breaks} & set(events), "breaks are not in the calendar"
        assert len(events) == len(talks)
        for session in talks:
            event = events[session["id"]]
            assert when(event, "DTSTART") == instant(session["start"]), session["id"]
            assert when(event, "DTEND") == instant(session["end"]), session["id"]
            assert str(event["SUMMARY"]) == session["title"]
            assert str(event["STATUS"]) == "CONFIRMED"
            assert int(event["SEQUENCE"]) == 0

        # Shifted from the middle session: it and every session starting at or after it move, the rest stay.
        middle = talks[len(talks) // 2]
        await site.chair.shift(int(SHIFT.total_seconds() // 60), middle["id"], "olga")
        shifted = await feed(site)
        assert sorted(shifted) == sorted(events)
        moved = {s["id"] for s in talks if instant(s["start"]) >= instant(middle["start"])}
        assert middle["id"] in moved
        assert len(moved) < len(talks), "some sessions stay where they were"
        for session in talks:
            event = shifted[session["id"]]
            delta = SHIFT if session["id"] in moved else dt.timedelta(0)
            assert when(event, "DTSTART") == instant(session["start"]) + delta, session["id"]
            assert when(event, "DTEND") == instant(session["end"]) + delta, session["id"]
            assert str(event["SUMMARY"]) == session["title"]
            before = int(events[session["id"]]["SEQUENCE"])
            if session["id"] in moved:
                assert int(event["SEQUENCE"]) > before, f"{session['id']} moved: its SEQUENCE rises"
            else:
                assert int(event["SEQUENCE"]) == before, f"{session['id']} did not change"

        # Cancelled: still in the feed, at its time, as CANCELLED and newer; the others as they were.
        gone = talks[0]
        assert gone["id"] not in moved
        await site.chair.cancel_session(gone["id"], "olga")
        cancelled = await feed(site)
        assert sorted(cancelled) == sorted(events)
        for session in talks:
            event = cancelled[session["id"]]
            delta = SHIFT if session["id"] in moved else dt.timedelta(0)
            assert when(event, "DTSTART") == instant(session["start"]) + delta, session["id"]
            assert when(event, "DTEND") == instant(session["end"]) + delta, session["id"]
            if session["id"] == gone["id"]:
                assert str(event["STATUS"]) == "CANCELLED"
                assert int(event["SEQUENCE"]) > int(shifted[session["id"]]["SEQUENCE"])
            else:
                assert str(event["STATUS"]) == "CONFIRMED", session["id"]
                assert int(event["SEQUENCE"]) == int(shifted[session["id"]]["SEQUENCE"]), session["id"]

    # The file itself is unchanged: the command line still shows what the feed showed first.
    assert show_json(file) == shown
