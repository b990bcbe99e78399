"""From the schedule to planned posts: offsets, staleness, Q&A closing, and the DST days."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.announce.sessions import minutes_before, planned_posts
from bot.schedule.loader import parse_schedule

TEN = dt.timedelta(minutes=10)


def test_each_kind_gets_its_default_offsets_and_talks_a_q_and_a_close() -> None:
    schedule = parse_schedule(
        """
event: {name: D, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: talk, title: Invited Talk, start: "09:00", end: "09:30"}
  - {id: posters, title: Poster Session, start: "09:30", end: "10:30"}
  - {id: lunch, title: Lunch, kind: break, start: "10:30", end: "11:30"}
""",
        "d.yaml",
    )
    posts = {p.id: p for p in planned_posts(schedule, qa_close_after=TEN)}
    assert set(posts) == {
        "talk:before-10m",
        "talk:start",
        "talk:qa-close",
        "posters:before-15m",
        "posters:start",
        "lunch:start",
    }
    talk = schedule.session("talk")
    assert posts["talk:before-10m"].stale_at == talk.start  # "in 10 minutes" is useless once it started
    assert posts["talk:start"].stale_at == talk.end
    assert posts["talk:qa-close"].due_at == talk.end + TEN


def test_on_the_spring_forward_night_offsets_are_real_minutes() -> None:
    # Vienna jumps from 02:00 to 03:00 on 2024-03-31: ten minutes before 03:05 is 01:55 by the clock.
    schedule = parse_schedule(
        """
event: {name: D, timezone: Europe/Vienna, date: 2024-03-31}
sessions:
  - {id: night, title: Night Talk, start: "03:05", end: "03:35"}
""",
        "d.yaml",
    )
    (before,) = [p for p in planned_posts(schedule, qa_close_after=TEN) if p.action == "before:10"]
    assert before.due_at == dt.datetime(2024, 3, 31, 0, 55, tzinfo=dt.UTC)
    assert before.due_at.astimezone(schedule.event.timezone).strftime("%H:%M") == "01:55"


def test_on_the_fall_back_night_each_announcement_keeps_its_own_instant() -> None:
    schedule = parse_schedule(
        """
event: {name: D, timezone: Europe/Vienna, date: 2024-10-27}
sessions:
  - {id: first, title: First Talk, start: "2024-10-27T02:30+02:00", end: "2024-10-27T02:50+02:00"}
  - {id: second, title: Second Talk, start: "2024-10-27T02:30+01:00", end: "2024-10-27T02:50+01:00"}
""",
        "d.yaml",
    )
    starts = {p.session_id: p.due_at for p in planned_posts(schedule, qa_close_after=TEN) if p.action == "start"}
    assert starts["second"] - starts["first"] == dt.timedelta(hours=1)


def test_cancelled_sessions_are_not_planned() -> None:
    schedule = parse_schedule(
        """
event: {name: D, timezone: UTC, date: 2024-05-11}
sessions:
  - {id: a, title: Talk A, start: "09:00", end: "09:30"}
""",
        "d.yaml",
    )
    assert planned_posts(schedule, qa_close_after=TEN, cancelled={"a"}) == []


@pytest.mark.parametrize(("action", "minutes"), [("start", 0), ("before:10", 10), ("before:15", 15)])
def test_actions_read_back(action: str, minutes: int) -> None:
    assert minutes_before(action) == minutes


def test_an_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="not an announcement action"):
        minutes_before("later")
