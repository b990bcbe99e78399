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


def test_refusals_write_their_durations_as_a_person_would() -> None:
    source = parse_schedule(DAY, "day.yaml")
    with pytest.raises(ValueError, match="moving 'b' 1 minute earlier would overlap 'a'"):
        shift_from(source, source, {}, source.session("b"), -1)
    with pytest.raises(ValueError, match=r"moving '[bc]' 1 hour 15 minutes earlier"):
        shift_from(source, source, {}, source.session("b"), -75)
    # One minute into a talk that must run a minute more, it cannot end any earlier at all.
    with pytest.raises(ValueError, match=r"'a' is on now until 09:30 .* it cannot end earlier"):
        shift_from(source, source, {}, source.session("a"), -30, now=at("09:29"))


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


# --- shifting while sessions are on ---------------------------------------------------------------------------------


def at(hh_mm: str) -> dt.datetime:
    """An instant of the test day, given at the venue (Vienna, UTC+2 in May)."""
    hours, mins = (int(part) for part in hh_mm.split(":"))
    return dt.datetime(2024, 5, 11, hours - 2, mins, tzinfo=dt.UTC)


def span_of(schedule: object, session_id: str) -> str:
    session = schedule.find(session_id)  # type: ignore[attr-defined]
    zone = schedule.event.timezone  # type: ignore[attr-defined]
    return f"{session.start.astimezone(zone):%H:%M}-{session.end.astimezone(zone):%H:%M}"


def test_a_live_session_keeps_its_start_and_runs_longer() -> None:
    source = parse_schedule(DAY, "day.yaml")
    overrides = shift_from(source, source, {}, source.session("a"), 10, now=at("09:10"))
    assert span_of(apply(source, overrides).schedule, "a") == "09:00-09:40"
    assert (overrides["a"].shift_minutes, overrides["a"].extend_minutes) == (0, 10)


def test_sessions_not_yet_started_move_whole_when_a_live_session_runs_longer() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("a"), 10, now=at("09:10"))).schedule
    assert [span_of(schedule, i) for i in ("b", "c")] == ["09:40-10:10", "10:10-10:40"]


def test_every_session_live_in_a_parallel_room_runs_longer_too() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("a"), 10, now=at("09:10"))).schedule
    assert span_of(schedule, "side") == "09:00-12:10"


def test_sessions_already_over_stay_where_they_were() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("b"), 10, now=at("09:40"))).schedule
    assert [span_of(schedule, i) for i in ("a", "b", "c")] == ["09:00-09:30", "09:30-10:10", "10:10-10:40"]


def test_naming_a_session_not_yet_started_moves_it_whole_while_another_is_live() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("c"), 10, now=at("09:10"))).schedule
    assert [span_of(schedule, i) for i in ("a", "b", "c", "side")] == [
        "09:00-09:30",
        "09:30-10:00",
        "10:10-10:40",
        "09:00-12:00",
    ]


def test_a_live_session_can_end_earlier_and_the_rest_comes_forward() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("a"), -10, now=at("09:10"))).schedule
    assert [span_of(schedule, i) for i in ("a", "b", "c", "side")] == [
        "09:00-09:20",
        "09:20-09:50",
        "09:50-10:20",
        "09:00-11:50",
    ]


def test_a_live_session_may_end_a_minute_from_now_at_the_earliest() -> None:
    source = parse_schedule(DAY, "day.yaml")
    schedule = apply(source, shift_from(source, source, {}, source.session("a"), -19, now=at("09:10"))).schedule
    assert span_of(schedule, "a") == "09:00-09:11"
    with pytest.raises(ValueError, match=r"'a' is on now until 09:30 .* at most 19 minutes earlier"):
        shift_from(source, source, {}, source.session("a"), -20, now=at("09:10"))


def test_a_live_session_never_ends_before_it_started() -> None:
    source = parse_schedule(DAY, "day.yaml")
    # Talk B has just begun: ending it 30 minutes earlier would end it as it starts.
    with pytest.raises(ValueError, match=r"'b' is on now until 10:00 .* at most 29 minutes earlier"):
        shift_from(source, source, {}, source.session("b"), -30, now=at("09:30"))


def test_a_live_session_running_longer_twice_adds_up_and_survives_cancel_and_restore() -> None:
    source = parse_schedule(DAY, "day.yaml")
    once = shift_from(source, source, {}, source.session("a"), 10, now=at("09:10"))
    current = apply(source, once).schedule
    twice = shift_from(source, current, once, current.session("a"), 5, now=at("09:20"))
    assert (twice["a"].shift_minutes, twice["a"].extend_minutes) == (0, 15)
    assert (twice["b"].shift_minutes, twice["b"].extend_minutes) == (15, 0)
    restored = set_cancelled(source, set_cancelled(source, twice, "a", True), "a", False)
    assert span_of(apply(source, restored).schedule, "a") == "09:00-09:45"


def test_the_files_new_end_wins_over_an_older_extension() -> None:
    source = parse_schedule(DAY, "day.yaml")
    overrides = shift_from(source, source, {}, source.session("a"), 10, now=at("09:10"))
    reloaded = parse_schedule(DAY.replace('start: "09:00", end: "09:30"', 'start: "09:00", end: "09:25"'), "day.yaml")
    applied = apply(reloaded, overrides)
    assert span_of(applied.schedule, "a") == "09:00-09:25"
    assert [o.session_id for o in applied.dropped] == ["a"]
