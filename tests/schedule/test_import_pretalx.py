"""Importing a pretalx / c3voc / frab ``schedule.json``: what each session resolves to, and what is refused."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.schedule.document import build_schedule
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.importers.pretalx import (
    MISSING_ZONE,
    kind_for,
    looks_like_pretalx,
    parse_duration,
    pretalx_document,
)
from bot.schedule.model import Kind, Schedule
from bot.zones import is_unambiguous, localize

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def resolve(data: dict[str, Any], source: str = "schedule.json", **kwargs: Any) -> Schedule:
    return build_schedule(pretalx_document(data, source, **kwargs), source)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def spans(schedule: Schedule) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {s.id: (s.start, s.end) for s in schedule.sessions}


def events(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of a parsed file, in file order (the dicts themselves, for editing)."""
    return [event for day in data["schedule"]["conference"]["days"] for room in day["rooms"].values() for event in room]


def without_dates(data: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    for event in events(changed):
        event.pop("date", None)
    return changed


# --- recognising the format --------------------------------------------------------------------------------


def test_a_schedule_with_a_conference_looks_like_pretalx() -> None:
    assert looks_like_pretalx(load("pretalx_robustml2024.json"))


@pytest.mark.parametrize("data", [{}, {"schedule": {}}, {"schedule": []}, {"event": {}, "sessions": []}, [], "x", None])
def test_anything_else_does_not_look_like_pretalx(data: object) -> None:
    assert not looks_like_pretalx(data)


# --- a pretalx export --------------------------------------------------------------------------------------


def test_every_session_starts_at_the_instant_its_date_names() -> None:
    schedule = resolve(load("pretalx_robustml2024.json"))
    assert spans(schedule) == {
        "LJ8KQW": (utc(2024, 5, 11, 7, 0), utc(2024, 5, 11, 7, 15)),
        "Q7MZBP": (utc(2024, 5, 11, 7, 15), utc(2024, 5, 11, 8, 15)),
        "ZP4WXD": (utc(2024, 5, 11, 8, 15), utc(2024, 5, 11, 8, 35)),
        "C9VBNE": (utc(2024, 5, 11, 9, 0), utc(2024, 5, 11, 10, 0)),
        "WK5RTY": (utc(2024, 5, 11, 11, 0), utc(2024, 5, 11, 13, 30)),
        "PX6QAH": (utc(2024, 5, 11, 13, 45), utc(2024, 5, 11, 14, 15)),
        "MNLT7Q": (utc(2024, 5, 11, 22, 30), utc(2024, 5, 11, 23, 30)),
        "R8TGEB": (utc(2024, 5, 12, 7, 30), utc(2024, 5, 12, 8, 15)),
        "Y3PLMC": (utc(2024, 5, 12, 8, 15), utc(2024, 5, 12, 9, 15)),
        "WK5RTY-2": (utc(2024, 5, 12, 11, 0), utc(2024, 5, 12, 13, 30)),
    }


def test_start_and_end_are_written_with_the_offset_of_date() -> None:
    doc = pretalx_document(load("pretalx_robustml2024.json"), "schedule.json")
    keynote = next(s for s in doc["sessions"] if s["id"] == "Q7MZBP")
    assert (keynote["start"], keynote["end"]) == ("2024-05-11T09:15:00+02:00", "2024-05-11T10:15:00+02:00")


def test_the_event_section_comes_from_the_conference() -> None:
    doc = pretalx_document(load("pretalx_robustml2024.json"), "schedule.json")
    assert doc["event"] == {
        "name": "ROBUST-ML 2024: Workshop on Robust Learning Systems",
        "timezone": "Europe/Vienna",
        "date": "2024-05-11",
        "display_timezones": [],
    }


def test_the_acronym_names_the_event_when_there_is_no_title() -> None:
    data = load("pretalx_robustml2024.json")
    del data["schedule"]["conference"]["title"]
    assert pretalx_document(data, "schedule.json")["event"]["name"] == "robustml24"


def test_an_event_after_midnight_is_on_the_day_its_date_says() -> None:
    late = resolve(load("pretalx_robustml2024.json")).session("MNLT7Q")
    assert late.start.astimezone(ZoneInfo("Europe/Vienna")) == dt.datetime(
        2024, 5, 12, 0, 30, tzinfo=ZoneInfo("Europe/Vienna")
    )


@pytest.mark.parametrize(
    ("session_id", "kind"),
    [
        ("LJ8KQW", Kind.OPENING),  # type "Opening"
        ("Q7MZBP", Kind.TALK),  # "Keynote"
        ("ZP4WXD", Kind.CONTRIBUTED),  # "Lightning Talk"
        ("C9VBNE", Kind.PANEL),  # "Panel"
        ("WK5RTY", Kind.OTHER),  # "Workshop"
        ("PX6QAH", Kind.TALK),  # "Talk (30 min)"
        ("Y3PLMC", Kind.POSTER),  # "Poster"
        ("MNLT7Q", Kind.OTHER),  # "Meetup" names no kind; neither does the title
    ],
)
def test_the_kind_comes_from_the_type(session_id: str, kind: Kind) -> None:
    assert resolve(load("pretalx_robustml2024.json")).session(session_id).kind is kind


@pytest.mark.parametrize(
    ("type_name", "kind"),
    [
        ("Talk", Kind.TALK),
        ("Keynote", Kind.TALK),
        ("lecture", Kind.TALK),
        ("Lightning Talk", Kind.CONTRIBUTED),
        ("lightning_talk", Kind.CONTRIBUTED),
        ("Spotlight", Kind.CONTRIBUTED),
        ("Workshop", Kind.OTHER),
        ("Panel", Kind.PANEL),
        ("Podium", Kind.PANEL),
        ("Poster", Kind.POSTER),
        ("Break", Kind.BREAK),
        ("Pause", Kind.BREAK),
        ("Opening", Kind.OPENING),
        ("Talk (30 min)", Kind.TALK),
    ],
)
def test_session_types_map_to_kinds(type_name: str, kind: Kind) -> None:
    assert kind_for(type_name, "Session") is kind


@pytest.mark.parametrize("type_name", ["other", "Meetup", "", None])
def test_a_type_naming_no_kind_defers_to_the_title(type_name: str | None) -> None:
    assert kind_for(type_name, "Poster session") is Kind.POSTER


def test_a_type_that_names_no_kind_leaves_it_to_the_title() -> None:
    data = load("pretalx_robustml2024.json")
    events(data)[0].update(type="other", title="Coffee break")
    assert resolve(data).session("LJ8KQW").kind is Kind.BREAK


def test_room_track_speakers_and_abstract_are_kept() -> None:
    keynote = resolve(load("pretalx_robustml2024.json")).session("Q7MZBP")
    assert keynote.title == "Calibrated uncertainty under distribution shift"
    assert (keynote.room, keynote.track) == ("Stolz 1", "Keynotes")
    assert [s.name for s in keynote.speakers] == ["Ana Ferreira"]
    assert (
        keynote.abstract
        == "Why calibration that holds on the test set fails in deployment, and what to measure instead."
    )


def test_the_description_stands_in_for_an_empty_abstract() -> None:
    lightning = resolve(load("pretalx_robustml2024.json")).session("ZP4WXD")
    assert lightning.abstract == "A tour of leakage we found in eleven public benchmarks, and a checklist."


def test_url_is_the_page_and_a_relative_slides_attachment_is_resolved_against_base_url() -> None:
    links = resolve(load("pretalx_robustml2024.json")).session("Q7MZBP").links
    assert links.page == "https://pretalx.example.org/robustml24/talk/Q7MZBP/"
    assert links.slides == (
        "https://pretalx.example.org/media/robustml24/submissions/Q7MZBP/resources/ferreira_slides_Xk2p.pdf"
    )


def test_only_a_link_titled_as_slides_is_kept() -> None:
    links = resolve(load("pretalx_robustml2024.json")).session("PX6QAH").links
    assert links.slides == "https://speakerdeck.com/liwei/adversarial-prompts"
    assert links.stream is None  # the "Recording" link is not a stream


def test_a_talk_scheduled_twice_keeps_its_code_and_the_repeat_gets_a_suffix() -> None:
    schedule = resolve(load("pretalx_robustml2024.json"))
    assert [s.id for s in schedule.sessions if s.title.startswith("Hands-on")] == ["WK5RTY", "WK5RTY-2"]


def test_without_code_the_id_is_the_event_id_and_then_the_guid() -> None:
    data = load("c3voc_offsets_win.json")
    first = events(data)[0]
    assert pretalx_document(data, "s.json")["sessions"][0]["id"] == str(first["id"])
    del first["id"]
    assert pretalx_document(data, "s.json")["sessions"][0]["id"] == first["guid"]


# --- the offset is the truth -------------------------------------------------------------------------------


def test_offsets_in_date_win_over_time_zone_name_and_start() -> None:
    # The file says Europe/Berlin, but the remote stage's dates carry New York offsets and its 'start'
    # fields show the New York clock: the offsets decide.
    schedule = resolve(load("c3voc_offsets_win.json"))
    assert spans(schedule) == {
        "7010": (utc(2024, 6, 14, 7, 0), utc(2024, 6, 14, 7, 30)),
        "7001": (utc(2024, 6, 14, 13, 30), utc(2024, 6, 14, 14, 15)),  # 0:45
        "7002": (utc(2024, 6, 14, 14, 15), utc(2024, 6, 14, 15, 45)),  # 01:30:00
        "7003": (utc(2024, 6, 14, 15, 45), utc(2024, 6, 14, 17, 0)),  # 0:01:15, D:HH:MM
        "7004": (utc(2024, 6, 15, 4, 15), utc(2024, 6, 15, 4, 45)),  # 00:15 the next night in New York
    }
    assert schedule.event.timezone == ZoneInfo("Europe/Berlin")


def test_the_file_zone_wins_over_the_timezone_argument() -> None:
    doc = pretalx_document(load("c3voc_offsets_win.json"), "s.json", timezone="America/New_York")
    assert doc["event"]["timezone"] == "Europe/Berlin"


def test_the_timezone_argument_serves_a_file_without_time_zone_name() -> None:
    data = load("c3voc_offsets_win.json")
    del data["schedule"]["conference"]["time_zone_name"]
    assert resolve(data, timezone="America/New_York").event.timezone == ZoneInfo("America/New_York")


def test_a_file_without_any_zone_is_refused_until_the_venue_zone_is_given() -> None:
    data = load("c3voc_offsets_win.json")
    del data["schedule"]["conference"]["time_zone_name"]
    with pytest.raises(ScheduleError) as caught:
        pretalx_document(data, "s.json")
    assert [p.message for p in caught.value.problems] == [MISSING_ZONE]
    assert "--venue-tz " in MISSING_ZONE


# --- clock changes -----------------------------------------------------------------------------------------


def test_offsets_place_both_0230s_of_the_berlin_fall_back_night() -> None:
    assert spans(resolve(load("c3voc_dst_berlin.json"))) == {
        "301": (utc(2024, 10, 26, 20, 0), utc(2024, 10, 26, 21, 0)),
        "302": (utc(2024, 10, 26, 23, 30), utc(2024, 10, 27, 0, 30)),
        "305": (utc(2024, 10, 27, 0, 30), utc(2024, 10, 27, 1, 0)),  # the first 02:30 (+02:00)
        "303": (utc(2024, 10, 27, 1, 30), utc(2024, 10, 27, 2, 0)),  # the second 02:30 (+01:00)
        "304": (utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 2, 45)),
    }


def test_without_offsets_a_start_in_the_repeated_hour_is_reported_as_ambiguous() -> None:
    with pytest.raises(ScheduleError) as caught:
        resolve(without_dates(load("c3voc_dst_berlin.json")))
    by_session = {p.session: p.message for p in caught.value.problems}
    assert set(by_session) == {"303", "305"}
    assert "02:30 on 2024-10-27 happens twice in Europe/Berlin" in by_session["303"]


def test_without_offsets_an_end_in_the_repeated_hour_is_start_plus_duration() -> None:
    data = without_dates(load("c3voc_dst_berlin.json"))
    day = data["schedule"]["conference"]["days"][0]["rooms"]
    day["Hörsaal 1"] = [e for e in day["Hörsaal 1"] if e["id"] in (301, 302, 304)]
    del day["Foyer"]
    doc = pretalx_document(data, "s.json")
    lightning = next(s for s in doc["sessions"] if s["id"] == "302")
    # 01:30 is listed under the 26th but is before the day begins (10:00): it is the night of the 27th.
    assert (lightning["start"], lightning["end"]) == ("2024-10-27T01:30:00", "2024-10-27T02:30:00+02:00")
    assert spans(build_schedule(doc, "s.json")) == {
        "301": (utc(2024, 10, 26, 20, 0), utc(2024, 10, 26, 21, 0)),
        "302": (utc(2024, 10, 26, 23, 30), utc(2024, 10, 27, 0, 30)),
        "304": (utc(2024, 10, 27, 2, 0), utc(2024, 10, 27, 2, 45)),
    }


def test_without_dates_the_day_and_start_are_on_the_venue_clock_across_spring_forward() -> None:
    assert spans(resolve(load("frab_json_newyork_no_dates.json"))) == {
        "901": (utc(2024, 3, 10, 0, 0), utc(2024, 3, 10, 2, 0)),
        "902": (utc(2024, 3, 10, 4, 30), utc(2024, 3, 10, 5, 30)),
        # 01:30 is before the day begins (08:00), so it is 01:30 EST on the 10th; one hour later is 03:30 EDT.
        "903": (utc(2024, 3, 10, 6, 30), utc(2024, 3, 10, 7, 30)),
        "904": (utc(2024, 3, 10, 13, 0), utc(2024, 3, 10, 13, 45)),
    }


def test_with_offsets_the_new_york_night_resolves_the_same() -> None:
    data = load("frab_json_newyork_no_dates.json")
    dates = [
        "2024-03-09T19:00:00-05:00",
        "2024-03-09T23:30:00-05:00",
        "2024-03-10T01:30:00-05:00",
        "2024-03-10T09:00:00-04:00",
    ]
    for event, date in zip(events(data), dates, strict=True):
        event["date"] = date
    assert spans(resolve(data)) == spans(resolve(load("frab_json_newyork_no_dates.json")))


def test_without_dates_a_start_in_the_spring_forward_gap_is_reported() -> None:
    data = load("frab_json_newyork_no_dates.json")
    events(data)[2]["start"] = "02:30"
    with pytest.raises(ScheduleError, match="02:30 on 2024-03-10 does not exist in America/New_York"):
        resolve(data)


def test_without_day_start_the_conference_day_change_decides_what_is_after_midnight() -> None:
    data = load("frab_json_newyork_no_dates.json")
    data["schedule"]["conference"]["day_change"] = "06:00"
    for day in data["schedule"]["conference"]["days"]:
        del day["day_start"]
    assert resolve(data).session("903").start == utc(2024, 3, 10, 6, 30)


# --- durations ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("00:30", 30),
        ("0:45", 45),
        ("25:00", 25 * 60),
        ("01:30:00", 90),  # HH:MM:SS
        ("0:30:00", 30),  # Python's str(timedelta)
        ("0:01:15", 75),  # D:HH:MM
        ("1:02:30", 26 * 60 + 30),  # D:HH:MM
        ("1 day, 2:00:00", 26 * 60),
    ],
)
def test_duration_forms_exporters_write(text: str, minutes: int) -> None:
    assert parse_duration(text) == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["1h30", "90", "00:75", "0:25:15", "", "abc", None, 30])
def test_what_is_not_a_duration(text: object) -> None:
    assert parse_duration(text) is None


# --- problems ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def garbled() -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        pretalx_document(load("pretalx_garbled.json"), "pretalx_garbled.json")
    return caught.value


@pytest.mark.parametrize(
    ("session_id", "fragments"),
    [
        ("2", ["'Talk without a time'", "neither 'date' nor 'start'"]),
        ("3", ["'Talk with a prose duration'", "'duration' '1h30' is not a duration", "HH:MM"]),
        ("4", ["'Talk with a garbled date'", "'date' 'next Tuesday at ten' is not an ISO-8601 date-time"]),
        ("5", ["'Talk with a nameless speaker'", "persons[0] has no 'public_name' or 'name'"]),
    ],
)
def test_each_garbled_event_is_reported_by_name_and_field(
    garbled: ScheduleError, session_id: str, fragments: list[str]
) -> None:
    problem = next(p for p in garbled.problems if p.session == session_id)
    for fragment in fragments:
        assert fragment in problem.message


def test_a_day_whose_rooms_are_not_a_mapping_is_reported(garbled: ScheduleError) -> None:
    assert any("day 2: 'rooms' must map each room name" in p.message for p in garbled.problems)


def test_the_good_event_of_a_garbled_file_is_not_blamed(garbled: ScheduleError) -> None:
    assert "1" not in {p.session for p in garbled.problems}
    assert len(garbled.problems) == 5


def test_a_zero_duration_is_reported() -> None:
    data = load("pretalx_robustml2024.json")
    events(data)[0]["duration"] = "00:00"
    with pytest.raises(ScheduleError, match=r"'Welcome and opening remarks'.*'duration' '00:00' is zero"):
        pretalx_document(data, "s.json")


def test_an_event_without_title_or_any_id_is_reported() -> None:
    data = load("c3voc_offsets_win.json")
    by_title = {e["title"]: e for e in events(data)}
    del by_title["Opening"]["title"]
    for key in ("id", "guid"):
        del by_title["Oral session 1"][key]
    with pytest.raises(ScheduleError) as caught:
        pretalx_document(data, "s.json")
    messages = [p.message for p in caught.value.problems]
    assert any("has no 'title'" in m for m in messages)
    assert any("'Oral session 1'" in m and "has no 'code', 'id' or 'guid'" in m for m in messages)


def test_a_schedule_without_conference_is_reported() -> None:
    with pytest.raises(ScheduleError, match="'schedule' has no 'conference'"):
        pretalx_document({"schedule": {"version": "1.0"}}, "s.json")


def test_a_file_without_schedule_is_reported() -> None:
    with pytest.raises(ScheduleError, match="no 'schedule' object"):
        pretalx_document({"conference": {}}, "s.json")


def test_days_that_are_not_a_list_are_reported() -> None:
    data = load("pretalx_robustml2024.json")
    data["schedule"]["conference"]["days"] = {"1": []}
    with pytest.raises(ScheduleError, match="'days' must be a list"):
        pretalx_document(data, "s.json")


def test_an_implausible_year_is_reported_not_overflowed() -> None:
    data = load("pretalx_robustml2024.json")
    events(data)[0]["date"] = "9999-12-31T23:30:00+00:00"
    with pytest.raises(ScheduleError, match="not a plausible year"):
        pretalx_document(data, "s.json")


# --- properties --------------------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "Europe/Vienna",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
    "Pacific/Kiritimati",
]
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)
walls = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: dt.timedelta(minutes=15 * q))
durations = st.integers(min_value=1, max_value=3 * 24 * 60).map(lambda m: dt.timedelta(minutes=m))


def duration_text(duration: dt.timedelta, form: int) -> str:
    total = int(duration.total_seconds() // 60)
    hours, minutes = divmod(total, 60)
    days, day_hours = divmod(hours, 24)
    if form == 0 or (form == 3 and minutes == 0):  # D:HH:MM ending in :00 reads as HH:MM:SS; write HH:MM
        return f"{hours:02d}:{minutes:02d}"
    if form == 1:
        return f"{hours}:{minutes:02d}"
    if form == 2:
        return f"{hours:02d}:{minutes:02d}:00"
    return f"{days}:{day_hours:02d}:{minutes:02d}"


def pretalx_file(zone: str, day: dt.date, events_by_room: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "schedule": {
            "version": "1",
            "conference": {
                "acronym": "prop",
                "title": "Property Con",
                "start": day.isoformat(),
                "end": day.isoformat(),
                "time_zone_name": zone,
                "days": [
                    {
                        "index": 1,
                        "date": day.isoformat(),
                        "day_start": f"{day.isoformat()}T06:00:00",
                        "rooms": events_by_room,
                    }
                ],
            },
        }
    }


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    slots=st.lists(st.tuples(walls, offsets, durations, st.integers(0, 3), minutes_of_day), min_size=1, max_size=6),
)
def test_every_start_is_the_instant_of_its_date_and_ends_duration_later(
    zone: str, slots: list[tuple[dt.datetime, dt.timedelta, dt.timedelta, int, int]]
) -> None:
    rooms: dict[str, list[dict[str, Any]]] = {}
    expected: dict[str, tuple[dt.datetime, dt.datetime]] = {}
    for index, (wall, offset, duration, form, listed_minutes) in enumerate(slots):
        when = wall.replace(tzinfo=dt.timezone(offset))
        code = f"E{index}"
        rooms[f"Room {index}"] = [
            {
                "code": code,
                "title": f"Talk {index}",
                "type": "Talk",
                "date": when.isoformat(),
                # 'start' as an exporter with a misconfigured zone might write it: the date must win anyway.
                "start": f"{listed_minutes // 60:02d}:{listed_minutes % 60:02d}",
                "duration": duration_text(duration, form),
            }
        ]
        expected[code] = (when.astimezone(dt.UTC), when.astimezone(dt.UTC) + duration)
    first_day = slots[0][0].date()
    assert spans(resolve(pretalx_file(zone, first_day, rooms))) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
    begins=minutes_of_day,
    start=minutes_of_day,
    duration=durations,
)
def test_without_date_an_event_is_at_day_plus_start_on_the_venue_clock(
    zone: str, day: dt.date, begins: int, start: int, duration: dt.timedelta
) -> None:
    wall = dt.datetime.combine(day, dt.time(start // 60, start % 60))
    if start < begins:
        wall += dt.timedelta(days=1)
    assume(is_unambiguous(wall, ZoneInfo(zone)))
    data = pretalx_file(
        zone,
        day,
        {
            "Main": [
                {
                    "id": 1,
                    "title": "Talk",
                    "start": f"{start // 60:02d}:{start % 60:02d}",
                    "duration": duration_text(duration, 0),
                }
            ]
        },
    )
    data["schedule"]["conference"]["days"][0]["day_start"] = (
        f"{day.isoformat()}T{begins // 60:02d}:{begins % 60:02d}:00"
    )
    expected_start = localize(wall, ZoneInfo(zone))
    assert spans(resolve(data)) == {"1": (expected_start, expected_start + duration)}


# --- fuzz --------------------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "09:00",
            "00:30",
            "1:00:00",
            "2024-05-11",
            "2024-05-11T09:00:00+02:00",
            "Europe/Vienna",
            "https://example.org/x",
            "/relative",
            "",
            "24:00",
            "0001-01-01T00:00:00+14:00",
        ]
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = value
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return value


def only_schedule_or_usage_errors(data: Any, timezone: str | None) -> None:
    with contextlib.suppress(ScheduleError, UsageError):
        build_schedule(pretalx_document(data, "fuzz.json", timezone=timezone), "fuzz.json")


@settings(max_examples=200, deadline=None)
@given(data=json_values, timezone=st.none() | st.sampled_from(ZONES))
def test_arbitrary_json_raises_only_schedule_or_usage_errors(data: Any, timezone: str | None) -> None:
    only_schedule_or_usage_errors(data, timezone)
    only_schedule_or_usage_errors({"schedule": {"conference": data}}, timezone)


FUZZ_BASE = load("pretalx_robustml2024.json")
FUZZ_PATHS = paths(FUZZ_BASE)


@settings(max_examples=300, deadline=None)
@given(
    edits=st.lists(st.tuples(st.sampled_from(FUZZ_PATHS), json_values), min_size=1, max_size=4),
    timezone=st.none() | st.sampled_from(ZONES),
)
def test_a_damaged_export_raises_only_schedule_or_usage_errors(
    edits: list[tuple[tuple[Any, ...], Any]], timezone: str | None
) -> None:
    data: Any = copy.deepcopy(FUZZ_BASE)
    for path, value in edits:
        try:
            data = replace(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    only_schedule_or_usage_errors(data, timezone)
