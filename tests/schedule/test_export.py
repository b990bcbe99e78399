"""Writing a schedule back out as native YAML keeps every instant: importing then loading changes nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule.document import build_schedule
from bot.schedule.export import schedule_json, to_document, to_yaml
from bot.schedule.loader import parse_schedule
from bot.schedule.model import Event, Kind, Poster, Schedule, Session, Speaker

ZONES = [
    "Europe/Vienna",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "UTC",
]


def _schedule(zone: str, starts: list[tuple[dt.datetime, int]]) -> Schedule:
    sessions = tuple(
        Session(
            id=f"s{i}",
            title=f"Talk {i}",
            kind=Kind.TALK,
            start=start,
            end=start + dt.timedelta(minutes=minutes),
            room=f"room-{i}",
            speakers=(Speaker(name="Ada", affiliation="Lab"),),
            posters=(Poster(id="P1", title="A poster"),) if i == 0 else (),
        )
        for i, (start, minutes) in enumerate(starts)
    )
    ordered = tuple(sorted(sessions, key=lambda s: (s.start, s.room or "", s.id)))
    return Schedule(Event(name="Round trip", timezone=zoneinfo.ZoneInfo(zone)), ordered, "generated")


# Instants around DST changes are the interesting ones: draw them near 2024's transitions as well as anywhere.
around_changes = st.sampled_from(
    [
        dt.datetime(2024, 3, 10, 7, tzinfo=dt.UTC),
        dt.datetime(2024, 3, 31, 1, tzinfo=dt.UTC),
        dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 11, 3, 5, tzinfo=dt.UTC),
        dt.datetime(2024, 4, 6, 14, tzinfo=dt.UTC),
        dt.datetime(2024, 10, 5, 15, tzinfo=dt.UTC),
    ]
)
instants = st.one_of(
    st.builds(lambda base, minutes: base + dt.timedelta(minutes=minutes), around_changes, st.integers(-180, 180)),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC)),
)


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES), starts=st.lists(st.tuples(instants, st.integers(1, 36 * 60)), min_size=1, max_size=6)
)
def test_yaml_round_trip_keeps_every_instant(zone: str, starts: list[tuple[dt.datetime, int]]) -> None:
    schedule = _schedule(zone, starts)
    reloaded = parse_schedule(to_yaml(schedule), "round-trip.yaml")
    assert [(s.id, s.start, s.end) for s in reloaded.sessions] == [(s.id, s.start, s.end) for s in schedule.sessions]
    assert schedule_json(reloaded)["sessions"] == schedule_json(schedule)["sessions"]


def test_times_are_written_as_local_clock_times_where_exact() -> None:
    vienna = zoneinfo.ZoneInfo("Europe/Vienna")
    start = dt.datetime(2024, 5, 11, 9, 0, tzinfo=vienna).astimezone(dt.UTC)
    document = to_document(_schedule("Europe/Vienna", [(start, 30)]))
    assert document["event"]["date"] == dt.date(2024, 5, 11)
    assert (document["sessions"][0]["start"], document["sessions"][0]["end"]) == ("09:00", "09:30")


def test_a_time_in_the_fold_is_written_with_its_offset() -> None:
    second_0230 = dt.datetime(2024, 10, 27, 1, 30, tzinfo=dt.UTC)  # 02:30 CET, the second one
    document = to_document(_schedule("Europe/Vienna", [(second_0230, 60)]))
    assert document["sessions"][0]["start"] == "2024-10-27T02:30:00+01:00"
    assert document["sessions"][0]["end"] == "03:30"


def test_sessions_on_other_days_carry_their_date() -> None:
    vienna = zoneinfo.ZoneInfo("Europe/Vienna")
    day1 = dt.datetime(2024, 5, 11, 9, 0, tzinfo=vienna).astimezone(dt.UTC)
    day2 = dt.datetime(2024, 5, 12, 9, 0, tzinfo=vienna).astimezone(dt.UTC)
    sessions = to_document(_schedule("Europe/Vienna", [(day1, 30), (day2, 30)]))["sessions"]
    assert "date" not in sessions[0]
    assert sessions[1]["date"] == dt.date(2024, 5, 12)


def test_the_yaml_quotes_clock_times() -> None:
    start = dt.datetime(2024, 5, 11, 8, 15, tzinfo=dt.UTC)
    text = to_yaml(_schedule("UTC", [(start, 60)]), header="Imported from test")
    assert text.startswith("# Imported from test\n")
    assert 'start: "08:15"' in text
    assert 'end: "09:15"' in text


def test_document_is_accepted_by_the_validator_as_is() -> None:
    start = dt.datetime(2024, 5, 11, 8, 15, tzinfo=dt.UTC)
    schedule = _schedule("Asia/Kathmandu", [(start, 60)])
    assert build_schedule(to_document(schedule), "doc").sessions == schedule.sessions
