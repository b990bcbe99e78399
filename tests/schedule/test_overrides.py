"""The organizers' changes on the day, on top of the schedule file: shifts and cancellations, and what becomes
of them when the file changes."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.schedule.loader import parse_schedule
from bot.schedule.overrides import apply, set_cancelled, shift_from

DAY = """
event: {name: Day, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: a, title: Talk A, start: "09:00", end: "09:30"}
  - {id: b, title: Talk B, start: "09:30", end: "10:00"}
  - {id: c, title: Talk C, start: "10:00", end: "10:30"}
  - {id: side, title: Side, start: "09:00", end: "12:00", room: side}
"""


def minutes(schedule: object, session_id: str) -> str:
    return schedule.find(session_id).start.astimezone(schedule.event.timezone).strftime("%H:%M")  # type: ignore[attr-defined]


def test_shift_moves_a_session_and_everything_after_it() -> None:
    source = parse_schedule(DAY, "day.yaml")
    overrides = shift_from(source, source, {}, source.session("b"), 15)
    applied = apply(source, overrides)
    assert [minutes(applied.schedule, i) for i in ("a", "b", "c", "side")] == ["09:00", "09:45", "10:15", "09:00"]


def test_shifts_add_up() -> None:
    source = parse_schedule(DAY, "day.yaml")
    once = shift_from(source, source, {}, source.session("b"), 15)
    current = apply(source, once).schedule
    twice = shift_from(source, current, once, current.session("c"), 5)
    assert twice["c"].shift_minutes == 20
    assert minutes(apply(source, twice).schedule, "c") == "10:20"


def test_moving_earlier_into_a_session_that_stays_is_refused() -> None:
    source = parse_schedule(DAY, "day.yaml")
    with pytest.raises(ValueError, match="would overlap 'a'"):
        shift_from(source, source, {}, source.session("b"), -10)


def test_cancelled_sessions_leave_the_schedule_and_restore_brings_them_back() -> None:
    source = parse_schedule(DAY, "day.yaml")
    cancelled = set_cancelled(source, {}, "b", True)
    applied = apply(source, cancelled)
    assert applied.schedule.find("b") is None
    assert [s.id for s in applied.cancelled] == ["b"]
    restored = apply(source, set_cancelled(source, cancelled, "b", False))
    assert restored.schedule.find("b") is not None


def test_a_change_survives_a_reload_that_leaves_the_session_alone() -> None:
    source = parse_schedule(DAY, "day.yaml")
    overrides = set_cancelled(source, {}, "b", True)
    reloaded = parse_schedule(DAY.replace("Talk C", "Talk C (updated)"), "day.yaml")
    applied = apply(reloaded, overrides)
    assert applied.schedule.find("b") is None
    assert applied.dropped == ()


def test_the_files_new_word_wins_over_an_older_shift() -> None:
    source = parse_schedule(DAY, "day.yaml")
    overrides = shift_from(source, source, {}, source.session("c"), 15)
    # The organizers put the new time in the file: the shift must not be applied on top of it.
    reloaded = parse_schedule(DAY.replace('start: "10:00", end: "10:30"', 'start: "10:15", end: "10:45"'), "day.yaml")
    applied = apply(reloaded, overrides)
    assert minutes(applied.schedule, "c") == "10:15"
    assert [o.session_id for o in applied.dropped] == ["c"]


def test_a_shift_of_zero_is_refused() -> None:
    source = parse_schedule(DAY, "day.yaml")
    with pytest.raises(ValueError, match="0 minutes"):
        shift_from(source, source, {}, source.session("a"), 0)


def test_times_stay_aware_and_in_utc() -> None:
    source = parse_schedule(DAY, "day.yaml")
    applied = apply(source, shift_from(source, source, {}, source.session("a"), 30))
    assert applied.schedule.session("a").start == dt.datetime(2024, 5, 11, 7, 30, tzinfo=dt.UTC)
