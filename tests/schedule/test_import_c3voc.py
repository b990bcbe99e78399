"""Importing a c3voc ``schedule.json`` version 2 (the CCC hub's export): one list of events, each with its start
and end date-times, room and track by reference; recognised by its content, every problem named."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.schedule.document import build_schedule
from bot.schedule.errors import ScheduleError
from bot.schedule.importers.c3voc import c3voc_document, looks_like_c3voc
from bot.schedule.importers.pretalx import looks_like_pretalx
from bot.schedule.loader import Format, load_with_format, parse_schedule
from bot.schedule.model import Kind, Schedule

FIXTURE = Path(__file__).parent / "fixtures" / "c3voc_schedule2_hub.json"
OPENING = "270fa44c-821a-577f-8ca3-33e8d4a8c2a7"
NFS = "b1740c2f-0c44-5f1b-89ed-456a9eecf0b8"
LOCKPICKING = "c2851d30-1d55-5a2c-9a0e-567b0fd1f1c9"
ORGA = "d39620a1-2e66-5b3d-ab1f-678c10e202da"
BADGE = "e4a731b2-3f77-5c4e-bc20-789d21f313eb"


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def resolve(data: dict[str, Any], **kwargs: Any) -> Schedule:
    return build_schedule(c3voc_document(data, "schedule.json", **kwargs), "schedule.json")


def refused(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScheduleError) as caught:
        c3voc_document(data, "schedule.json")
    return [p.message for p in caught.value.problems]


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, 12, day, hour, minute, tzinfo=dt.UTC)


# --- recognising the format --------------------------------------------------------------------------------


def test_version_2_is_recognised_by_its_event_list() -> None:
    assert looks_like_c3voc(load())
    assert looks_like_pretalx(load())  # the same family: a 'schedule' with a 'conference'


def test_version_1_is_not_version_2() -> None:
    version1 = json.loads((FIXTURE.parent / "pretalx_robustml2024.json").read_text(encoding="utf-8"))
    assert not looks_like_c3voc(version1)


def test_the_loader_reads_version_2_by_content_whatever_the_file_is_called(tmp_path: Path) -> None:
    path = tmp_path / "fahrplan"
    path.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    schedule, fmt = load_with_format(path)
    assert fmt is Format.C3VOC
    assert len(schedule.sessions) == 5


# --- what each event becomes ---------------------------------------------------------------------------------


def test_every_event_starts_and_ends_at_the_instants_its_date_times_name() -> None:
    assert {s.id: (s.start, s.end) for s in resolve(load()).sessions} == {
        OPENING: (utc(27, 9, 30), utc(27, 10, 0)),  # 10:30+01:00 to 11:00+01:00
        NFS: (utc(27, 23, 15), utc(27, 23, 55)),  # 00:15+01:00 on the 28th: after midnight, on the day it says
        LOCKPICKING: (utc(28, 13, 0), utc(28, 15, 0)),
        ORGA: (utc(29, 19, 0), utc(29, 20, 30)),
        BADGE: (utc(30, 10, 0), utc(30, 11, 0)),
    }


def test_the_event_section_comes_from_the_conference() -> None:
    schedule = resolve(load())
    assert (schedule.event.name, schedule.event.timezone, schedule.event.date) == (
        "38C3",
        ZoneInfo("Europe/Berlin"),
        dt.date(2024, 12, 27),
    )


@pytest.mark.parametrize(
    ("session_id", "kind", "qa"),
    [
        (OPENING, Kind.OPENING, False),  # type "other": the title after the event's name says it
        (NFS, Kind.TALK, True),  # "talk"
        (LOCKPICKING, Kind.OTHER, False),  # "workshop"
        (ORGA, Kind.PANEL, True),  # "discussion"
        (BADGE, Kind.OTHER, False),  # "hands-on"
    ],
)
def test_kinds_come_from_the_type(session_id: str, kind: Kind, qa: bool) -> None:
    session = resolve(load()).session(session_id)
    assert (session.kind, session.qa) == (kind, qa)


def test_rooms_come_by_name_by_guid_or_as_text() -> None:
    rooms = {s.id: s.room for s in resolve(load()).sessions}
    assert rooms == {
        OPENING: "Saal 1",
        NFS: "Saal GLITCH",  # only the guid: looked up in conference.rooms
        LOCKPICKING: "Stage HUFF",
        ORGA: "Saal GLITCH",  # a plain name
        BADGE: "Stage HUFF",
    }


def test_tracks_come_by_slug_or_as_text() -> None:
    tracks = {s.id: s.track for s in resolve(load()).sessions}
    assert tracks == {OPENING: "CCC", NFS: "Hardware & Making", LOCKPICKING: "Security", ORGA: "CCC", BADGE: None}


def test_participants_are_the_speakers_and_a_slides_attachment_is_linked() -> None:
    opening = resolve(load()).session(OPENING)
    assert [s.name for s in opening.speakers] == ["Gabriela Bogk", "Senficon"]
    assert opening.links.slides == "https://example.net/foo/bar/1235.pdf"
    assert opening.links.page == "https://events.ccc.de/congress/2024/hub/event/38c3-opening-ceremony/"


def test_abstracts_are_kept_and_an_html_translation_becomes_markdown() -> None:
    schedule = resolve(load())
    assert schedule.session(NFS).abstract == (
        "All challenges and achievements in creating a competitive time-trial AI in NFS:MW."
    )
    assert schedule.session(LOCKPICKING).abstract == "Bring a lock. We bring the **picks**."
    assert schedule.session(BADGE).abstract is None


def test_the_organizers_mapping_reaches_version_2() -> None:
    schedule = resolve(load(), kinds={"workshop": Kind.TALK})
    assert schedule.session(LOCKPICKING).kind is Kind.TALK


def test_older_writers_date_and_duration_are_read_too() -> None:
    data = load()
    event = data["schedule"]["events"][1]
    del event["start"], event["end"]
    event.update(date="2024-12-28T00:15:00+01:00", duration="00:40")
    assert resolve(data).session(NFS).start == utc(27, 23, 15)


def test_events_at_the_top_of_the_file_are_read() -> None:
    data = load()
    data["events"] = data["schedule"].pop("events")
    assert len(resolve(data).sessions) == 5


# --- problems -----------------------------------------------------------------------------------------------


def test_events_that_are_not_a_list_are_reported() -> None:
    data = load()
    data["schedule"]["events"] = {"1": data["schedule"]["events"][0]}
    assert refused(data) == [
        "'schedule.events' must be a list of events, each with 'guid', 'title', 'start' and 'end' (found dict)"
    ]


def test_an_entry_that_is_not_an_event_is_reported_with_its_place() -> None:
    data = load()
    data["schedule"]["events"].insert(1, "Saal 1, 11:00")
    assert refused(data) == [
        "schedule.events[1] is not an event object (found str); each event is an object with 'guid', 'title', "
        "'start' and 'end'"
    ]


def test_a_room_that_names_no_room_is_reported() -> None:
    data = load()
    data["schedule"]["events"][1]["room"] = {"guid": "00000000-0000-0000-0000-000000000000"}
    [message] = refused(data)
    assert message.startswith("event 'A Competitive Time-Trial AI for Need for Speed': 'room'")
    assert "give it a 'name', or the 'guid' of a room in conference.rooms" in message


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ({"end": "2024-12-27T10:00:00+01:00"}, "'end' '2024-12-27T10:00:00+01:00' is not after its start"),
        ({"end": "11:00"}, "'end' '11:00' is not an ISO-8601 date-time written like its 'start'"),
        ({"end": None}, "has no 'duration'"),
        ({"start": "half past ten"}, "'start' 'half past ten' is not an ISO-8601 date-time"),
        ({"start": "2024-13-27T10:30:00+01:00"}, "'start' '2024-13-27T10:30:00+01:00' is not an ISO-8601"),
        ({"start": None}, "has an 'end' but no 'start'"),
        ({"guid": None}, "has no 'code', 'id' or 'guid'"),
        ({"title": None}, "has no 'title'"),
    ],
)
def test_each_garbled_field_is_reported_with_its_event(edit: dict[str, Any], fragment: str) -> None:
    data = load()
    data["schedule"]["events"][0].update(edit)
    [message] = refused(data)
    assert fragment in message
    if edit.get("title", "") is not None:
        assert message.startswith("event '38C3: Opening Ceremony' in room 'Saal 1': ")


def test_a_file_without_a_zone_asks_for_one() -> None:
    data = load()
    del data["schedule"]["conference"]["time_zone_name"]
    [message] = refused(data)
    assert "--venue-tz" in message
    assert resolve(data, timezone="Europe/Berlin").session(NFS).start == utc(27, 23, 15)


def test_an_empty_event_list_is_a_schedule_without_sessions() -> None:
    data = copy.deepcopy(load())
    data["schedule"]["events"] = []
    with pytest.raises(ScheduleError, match="the schedule has no sessions"):
        parse_schedule(json.dumps(data), "schedule.json")
