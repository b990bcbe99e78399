"""``GET /schedule.ics`` and ``GET /sessions/{id}.ics``: RFC 5545 feeds of the schedule in force."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from bot.schedule.export import schedule_json
from tests.web.conftest import Site


async def _calendar(site: Site, path: str = "/schedule.ics") -> dict[str, dict[str, object]]:
    response, text = await site.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(text).walk("VEVENT")
    return {str(e["UID"]).split("@")[0]: e for e in events}


def _utc(value: object) -> str:
    instant = value.dt  # type: ignore[attr-defined]
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_the_feed_matches_the_schedule_instant_for_instant(site: Site) -> None:
    events = await _calendar(site)
    shown = {s["id"]: s for s in schedule_json(site.chair.schedule)["sessions"] if s["kind"] != "break"}
    assert set(events) == set(shown)
    for session_id, event in events.items():
        assert _utc(event["DTSTART"]) == shown[session_id]["start"]
        assert _utc(event["DTEND"]) == shown[session_id]["end"]
        assert event["DTSTART"].dt.tzinfo is not None
        assert event["DTSTART"].dt.utcoffset() == dt.timedelta(0)
        assert str(event["UID"]) == f"{session_id}@web-day.chairbot"
        assert int(event["SEQUENCE"]) == 0


async def test_a_session_carries_its_stream_speakers_and_abstract(site: Site) -> None:
    talk = (await _calendar(site))["talk"]
    assert str(talk["SUMMARY"]) == "<img src=x onerror=alert(1)>"
    assert str(talk["URL"]) == str(talk["LOCATION"]) == "https://stream.example/a"
    assert "Ada Lovelace (Analytical Engines)" in str(talk["DESCRIPTION"])
    assert "About engines." in str(talk["DESCRIPTION"])
    assert str((await _calendar(site))["panel"]["LOCATION"]) == "Hall B"


async def test_a_shift_moves_the_feed_at_once_and_raises_the_sequence(site: Site) -> None:
    await _calendar(site)  # a calendar subscribed before the day
    await site.chair.shift(15, "talk", "olga")
    events = await _calendar(site)
    assert _utc(events["talk"]["DTSTART"]) == "2031-05-12T07:25:00Z"
    assert _utc(events["panel"]["DTSTART"]) == "2031-05-12T07:55:00Z"
    assert int(events["talk"]["SEQUENCE"]) > 0
    assert int(events["opening"]["SEQUENCE"]) == 0


async def test_a_cancelled_session_stays_in_the_feed_as_cancelled(site: Site) -> None:
    await _calendar(site)  # a calendar subscribed before the day
    await site.chair.cancel_session("panel", "olga")
    events = await _calendar(site)
    assert str(events["panel"]["STATUS"]) == "CANCELLED"
    assert str(events["talk"]["STATUS"]) == "CONFIRMED"
    assert int(events["panel"]["SEQUENCE"]) > 0
    single = await _calendar(site, "/sessions/panel.ics")
    assert list(single) == ["panel"]
    assert str(single["panel"]["STATUS"]) == "CANCELLED"


async def test_one_session_has_its_own_calendar(site: Site) -> None:
    assert list(await _calendar(site, "/sessions/talk.ics")) == ["talk"]


async def test_an_unknown_session_is_a_clear_404(site: Site) -> None:
    async with site.http.get(site.base + "/sessions/nope.ics") as response:
        assert response.status == 404
        body = await response.json()
    assert "nope" in body["detail"]


async def test_the_sequence_only_ever_rises_also_when_a_change_is_undone(site: Site) -> None:
    assert int((await _calendar(site))["panel"]["SEQUENCE"]) == 0
    await site.chair.cancel_session("panel", "olga")
    assert int((await _calendar(site))["panel"]["SEQUENCE"]) == 1
    await site.chair.restore_session("panel", "olga")
    restored = (await _calendar(site))["panel"]
    assert str(restored["STATUS"]) == "CONFIRMED"
    assert int(restored["SEQUENCE"]) == 2  # back as it was, yet newer than the cancellation
    assert int((await _calendar(site))["panel"]["SEQUENCE"]) == 2  # nothing changed: the same
