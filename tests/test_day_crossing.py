"""A span that ends on another day than it starts never reads as if it ended the same day: its end is posted
with its date (Discord's ``f`` style), in announcements, ``/now`` and ``/schedule show``."""

from __future__ import annotations

import datetime as dt

from bot.announce.messages import post_as_text, session_posts
from bot.render import day_text, now_text
from bot.schedule.loader import parse_schedule
from bot.timefmt import end_style

NIGHT = """
event: {name: Night, timezone: Europe/Berlin, date: 2024-05-11}
sessions:
  - {id: late, title: Late Talk, start: "23:30", end: "2024-05-12T01:00:00+02:00"}
  - {id: day, title: Day Talk, start: "10:00", end: "10:30"}
  - {id: long, title: Hackathon, kind: other, start: "11:00", end: "2024-05-12T12:01:00+02:00", room: lab}
"""


def _t(instant: dt.datetime, style: str) -> str:
    return f"<t:{int(instant.timestamp())}:{style}>"


def test_the_end_carries_its_date_only_when_it_is_another_day_or_far_away() -> None:
    start = dt.datetime(2024, 5, 11, 21, 30, tzinfo=dt.UTC)  # 23:30 in Berlin
    assert end_style(start, start + dt.timedelta(minutes=20), "Europe/Berlin") == "t"
    assert end_style(start, start + dt.timedelta(minutes=90), "Europe/Berlin") == "f"  # 01:00 the next day
    morning = dt.datetime(2024, 5, 11, 6, tzinfo=dt.UTC)
    assert end_style(morning, morning + dt.timedelta(hours=12), "Europe/Berlin") == "f"


def test_an_announcement_of_a_talk_past_midnight_gives_the_date_of_its_end() -> None:
    schedule = parse_schedule(NIGHT, "night.yaml")
    late = schedule.session("late")
    text = post_as_text(session_posts(schedule, late, minutes_before=10)[0])
    assert f"until {_t(late.end, 'f')}" in text
    day = schedule.session("day")
    assert f"until {_t(day.end, 't')}" in post_as_text(session_posts(schedule, day, minutes_before=10)[0])


def test_now_and_the_day_list_give_the_date_of_an_end_on_another_day() -> None:
    schedule = parse_schedule(NIGHT, "night.yaml")
    long = schedule.session("long")
    assert f"until {_t(long.end, 'f')}" in now_text(schedule, long.start + dt.timedelta(minutes=5))
    listing = day_text(schedule, dt.date(2024, 5, 11))
    assert f"–{_t(schedule.session('late').end, 'f')}" in listing
    assert f"–{_t(schedule.session('day').end, 't')}" in listing
