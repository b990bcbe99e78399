"""The "Schedule update" post when a session on at the time keeps its start and runs longer (or shorter)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.announce.messages import schedule_update_posts
from bot.schedule.loader import parse_schedule

DAY = """
event: {name: Day, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: invited-1, title: Invited Talk 1, start: "09:00", end: "09:30"}
  - {id: posters-1, title: Poster Session 1, start: "09:30", end: "10:30"}
"""
SCHEDULE = parse_schedule(DAY, "day.yaml")
LATER = dt.timedelta(minutes=15)


def ts(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def test_a_session_that_kept_its_start_says_until_when_it_now_runs() -> None:
    old = SCHEDULE.session("invited-1")
    new = dataclasses.replace(old, end=old.end + LATER)
    (post,) = schedule_update_posts(SCHEDULE, [(old, new)], [], [])
    assert f"• **Invited Talk 1** now runs until <t:{ts(new.end)}:t> (was <t:{ts(old.end)}:t>)" in post.content
    assert "Vienna: 09:30 → 09:45" in post.content
    assert "moved" not in post.content.casefold()


def test_a_session_on_and_the_sessions_moved_after_it_share_one_update() -> None:
    talk = SCHEDULE.session("invited-1")
    posters = SCHEDULE.session("posters-1")
    longer = dataclasses.replace(talk, end=talk.end + LATER)
    moved = dataclasses.replace(posters, start=posters.start + LATER, end=posters.end + LATER)
    (post,) = schedule_update_posts(SCHEDULE, [(posters, moved), (talk, longer)], [], [])
    lines = post.content.splitlines()
    assert lines[2].startswith("• **Invited Talk 1** now runs until")
    assert lines[3].startswith(f"• **Poster Session 1**: <t:{ts(posters.start)}:t> → <t:{ts(moved.start)}:t>")
