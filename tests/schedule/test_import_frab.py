"""Importing a frab / Pentabarf ``schedule.xml``: instants, the shared time rules, and refusing bad or hostile XML."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule.document import build_schedule
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.importers.frab import frab_document, looks_like_frab
from bot.schedule.model import Kind, Schedule

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def resolve(text: str, source: str = "schedule.xml", **kwargs: Any) -> Schedule:
    return build_schedule(frab_document(text, source, **kwargs), source)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def spans(schedule: Schedule) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {s.id: (s.start, s.end) for s in schedule.sessions}


def refused(text: str, source: str = "schedule.xml") -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        frab_document(text, source)
    return caught.value


# --- recognising the format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "frab_pretalx_export.xml",
        "frab_offsets_win.xml",
        "frab_dst_newyork.xml",
        "frab_pentabarf_berlin_no_dates.xml",
        "frab_billion_laughs.xml",
    ],
)
def test_xml_with_a_schedule_root_looks_like_frab(name: str) -> None:
    assert looks_like_frab(read(name))


def test_a_byte_order_mark_and_a_namespace_prefix_do_not_hide_the_root() -> None:
    assert looks_like_frab("\ufeff<?xml version='1.0'?>\n<!-- export -->\n<s:schedule xmlns:s='urn:x'/>")


@pytest.mark.parametrize(
    "text",
    [
        '{"schedule": {"conference": {}}}',
        "- 09:00 - 09:30 Invited Talk 1",
        "<?xml version='1.0'?><rss version='2.0'><channel/></rss>",
        "<schedules/>",
        "",
    ],
)
def test_other_text_does_not_look_like_frab(text: str) -> None:
    assert not looks_like_frab(text)


# --- a pretalx XML export ----------------------------------------------------------------------------------


def test_every_session_starts_at_the_instant_its_date_names() -> None:
    assert spans(resolve(read("frab_pretalx_export.xml"))) == {
        "2201": (utc(2024, 12, 6, 4, 0), utc(2024, 12, 6, 4, 15)),
        "2202": (utc(2024, 12, 6, 4, 15), utc(2024, 12, 6, 5, 15)),
        "2203": (utc(2024, 12, 6, 5, 30), utc(2024, 12, 6, 6, 15)),
        "2205": (utc(2024, 12, 6, 8, 30), utc(2024, 12, 6, 10, 30)),
        "2204": (utc(2024, 12, 6, 18, 45), utc(2024, 12, 6, 19, 30)),
        "2206": (utc(2024, 12, 7, 4, 30), utc(2024, 12, 7, 6, 0)),
    }


def test_the_event_section_comes_from_the_conference() -> None:
    assert frab_document(read("frab_pretalx_export.xml"), "schedule.xml")["event"] == {
        "name": "MSpeech 2024: Workshop on Multilingual Speech Technologies",
        "timezone": "Asia/Kolkata",
        "date": "2024-12-06",
        "display_timezones": [],
    }


def test_an_event_after_midnight_is_on_the_day_its_date_says() -> None:
    late = resolve(read("frab_pretalx_export.xml")).session("2204")
    kolkata = ZoneInfo("Asia/Kolkata")
    assert late.start.astimezone(kolkata) == dt.datetime(2024, 12, 7, 0, 15, tzinfo=kolkata)


@pytest.mark.parametrize(
    ("session_id", "kind"),
    [
        ("2201", Kind.OPENING),
        ("2202", Kind.TALK),
        ("2203", Kind.CONTRIBUTED),
        ("2204", Kind.PANEL),
        ("2205", Kind.OTHER),
        ("2206", Kind.POSTER),
    ],
)
def test_the_kind_comes_from_the_type(session_id: str, kind: Kind) -> None:
    assert resolve(read("frab_pretalx_export.xml")).session(session_id).kind is kind


def test_persons_track_and_room_are_kept() -> None:
    keynote = resolve(read("frab_pretalx_export.xml")).session("2202")
    assert [s.name for s in keynote.speakers] == ["Kwame Mensah", "Deepa Krishnan"]
    assert (keynote.room, keynote.track) == ("Auditorium", "Keynotes")
    assert keynote.title == "Speech recognition for the next billion speakers"  # the subtitle is not appended


def test_the_description_stands_in_for_an_empty_abstract_with_entities_decoded() -> None:
    keynote = resolve(read("frab_pretalx_export.xml")).session("2202")
    assert keynote.abstract is not None
    assert keynote.abstract.endswith("self-supervised methods that cope & the evaluation traps they fall into.")


def test_a_cdata_abstract_is_read_as_text() -> None:
    assert resolve(read("frab_pretalx_export.xml")).session("2203").abstract == "Six accepted papers, <7 minutes each."


def test_a_slides_attachment_is_resolved_against_base_url_and_other_links_are_ignored() -> None:
    links = resolve(read("frab_pretalx_export.xml")).session("2202").links
    assert links.page == "https://pretalx.example.org/mspeech24/talk/7HNW3C/"
    assert (
        links.slides
        == "https://pretalx.example.org/media/mspeech24/submissions/7HNW3C/resources/keynote_slides_Qm3d.pdf"
    )
    assert links.stream is None


def test_a_relative_url_becomes_a_page_under_base_url_and_a_slides_link_is_kept() -> None:
    links = resolve(read("frab_pretalx_export.xml")).session("2205").links
    assert links.page == "https://pretalx.example.org/mspeech24/talk/TUT9RW/"
    assert links.slides == "https://slides.example.org/mspeech24/corpus-tutorial"


def test_namespaced_elements_are_read_like_plain_ones() -> None:
    text = read("frab_offsets_win.xml").replace("<schedule>", '<schedule xmlns="urn:example:frab">', 1)
    assert spans(resolve(text)) == spans(resolve(read("frab_offsets_win.xml")))


# --- the offset is the truth -------------------------------------------------------------------------------


def test_offsets_in_date_win_over_time_zone_name_and_start() -> None:
    # The conference is in London; the Tokyo hub's <date> carries +09:00 and its <start> the Tokyo clock.
    schedule = resolve(read("frab_offsets_win.xml"))
    assert spans(schedule) == {
        "118": (utc(2024, 7, 19, 8, 0), utc(2024, 7, 19, 8, 45)),
        "119": (utc(2024, 7, 19, 8, 45), utc(2024, 7, 19, 9, 15)),
        "120": (utc(2024, 7, 19, 9, 0), utc(2024, 7, 19, 9, 30)),
    }
    assert schedule.event.timezone == ZoneInfo("Europe/London")


def test_the_file_zone_wins_over_the_timezone_argument() -> None:
    doc = frab_document(read("frab_offsets_win.xml"), "s.xml", timezone="Asia/Tokyo")
    assert doc["event"]["timezone"] == "Europe/London"


# --- clock changes -----------------------------------------------------------------------------------------

NEW_YORK_NIGHT = {
    "41": (utc(2024, 3, 10, 3, 0), utc(2024, 3, 10, 5, 0)),
    "42": (utc(2024, 3, 10, 6, 0), utc(2024, 3, 10, 8, 0)),  # 01:00 EST + 2 h = 04:00 EDT
    "43": (utc(2024, 3, 10, 8, 0), utc(2024, 3, 10, 8, 30)),
    "44": (utc(2024, 3, 10, 13, 0), utc(2024, 3, 10, 14, 0)),
}


def without_dates(text: str) -> str:
    return re.sub(r"\s*<date>[^<]*</date>", "", text)


def test_offsets_place_the_new_york_spring_forward_night() -> None:
    assert spans(resolve(read("frab_dst_newyork.xml"))) == NEW_YORK_NIGHT


def test_without_dates_the_day_and_start_give_the_same_new_york_night() -> None:
    # 01:00 and 04:00 are listed under the 9th but before the day begins (06:00): they are on the 10th.
    assert spans(resolve(without_dates(read("frab_dst_newyork.xml")))) == NEW_YORK_NIGHT


def test_without_dates_a_start_in_the_spring_forward_gap_is_reported() -> None:
    text = without_dates(read("frab_dst_newyork.xml")).replace("<start>01:00</start>", "<start>02:30</start>")
    with pytest.raises(ScheduleError, match="02:30 on 2024-03-10 does not exist in America/New_York"):
        resolve(text)


def test_a_pentabarf_file_without_zone_is_refused_until_the_venue_zone_is_given() -> None:
    with pytest.raises(ScheduleError) as caught:
        frab_document(read("frab_pentabarf_berlin_no_dates.xml"), "s.xml")
    [problem] = caught.value.problems
    assert problem.line == 3  # <conference>
    assert "has no 'time_zone_name'" in problem.message
    assert "--venue-tz " in problem.message


def test_without_dates_the_berlin_fall_back_night_is_on_the_venue_clock() -> None:
    schedule = resolve(read("frab_pentabarf_berlin_no_dates.xml"), timezone="Europe/Berlin")
    assert spans(schedule) == {
        "5101": (utc(2024, 10, 26, 20, 0), utc(2024, 10, 26, 21, 0)),
        "5102": (utc(2024, 10, 26, 21, 15), utc(2024, 10, 26, 22, 45)),
        # 00:45 is before <day_change> 06:00: the 27th, 00:45 CEST; 1 h 45 later is the first 02:30.
        "5103": (utc(2024, 10, 26, 22, 45), utc(2024, 10, 27, 0, 30)),
        "5201": (utc(2024, 10, 27, 9, 0), utc(2024, 10, 27, 9, 45)),
    }


def test_an_end_in_the_repeated_hour_is_written_with_its_offset() -> None:
    doc = frab_document(read("frab_pentabarf_berlin_no_dates.xml"), "s.xml", timezone="Europe/Berlin")
    hacking = next(s for s in doc["sessions"] if s["id"] == "5103")
    assert (hacking["start"], hacking["end"]) == ("2024-10-27T00:45:00", "2024-10-27T02:30:00+02:00")


def test_without_dates_a_start_in_the_repeated_hour_is_reported_as_ambiguous() -> None:
    text = read("frab_pentabarf_berlin_no_dates.xml").replace("<start>00:45</start>", "<start>02:15</start>")
    with pytest.raises(ScheduleError, match="02:15 on 2024-10-27 happens twice in Europe/Berlin"):
        resolve(text, timezone="Europe/Berlin")


def test_slides_are_found_by_a_german_link_title() -> None:
    schedule = resolve(read("frab_pentabarf_berlin_no_dates.xml"), timezone="Europe/Berlin")
    assert schedule.session("5102").links.slides == "https://example.org/ndi24/5102/folien.pdf"


# --- problems ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def garbled() -> ScheduleError:
    with pytest.raises(ScheduleError) as caught:
        frab_document(read("frab_garbled.xml"), "frab_garbled.xml")
    return caught.value


@pytest.mark.parametrize(
    ("session_id", "line", "fragments"),
    [
        ("2", 22, ["'A talk with a prose duration'", "'duration' '90 min' is not a duration"]),
        ("3", 26, ["'A talk with no time at all'", "neither 'date' nor 'start'"]),
        ("4", 31, ["event #4", "has no 'title'"]),
        ("5", 38, ["'A talk with a prose start'", "'start' 'quarter past three' is not a time of day"]),
    ],
)
def test_each_garbled_event_is_reported_with_its_line_and_field(
    garbled: ScheduleError, session_id: str, line: int, fragments: list[str]
) -> None:
    problem = next(p for p in garbled.problems if p.session == session_id)
    assert problem.line == line
    for fragment in fragments:
        assert fragment in problem.message


def test_the_rendered_error_points_at_file_and_line(garbled: ScheduleError) -> None:
    assert "frab_garbled.xml:22: session '2': event 'A talk with a prose duration'" in str(garbled)


def test_blank_lines_before_the_declaration_are_accepted_and_lines_still_count() -> None:
    with pytest.raises(ScheduleError) as caught:
        frab_document("\n\n" + read("frab_garbled.xml"), "frab_garbled.xml")
    assert [p.line for p in caught.value.problems] == [24, 28, 33, 40]


def test_malformed_xml_is_reported_with_its_line() -> None:
    error = refused(read("frab_malformed.xml"), "frab_malformed.xml")
    assert error.problems[0].line == 14
    assert "not well-formed XML: mismatched tag" in error.problems[0].message


def test_entity_expansion_is_refused_before_it_happens() -> None:
    error = refused(read("frab_billion_laughs.xml"))
    assert "billion laughs" in error.problems[0].message
    assert error.problems[0].line == 3


def test_an_external_entity_is_refused_without_reading_it() -> None:
    error = refused(read("frab_external_entity.xml"))
    message = error.problems[0].message
    assert "external entity 'secret'" in message
    assert "must not make the reader open other files" in message


def test_a_document_of_another_kind_is_refused() -> None:
    assert "root element is <rss>" in str(refused("<?xml version='1.0'?><rss><channel/></rss>"))


def test_a_schedule_without_conference_is_refused() -> None:
    assert "has no <conference>" in str(refused("<schedule><day index='1' date='2024-05-11'/></schedule>"))


def test_an_empty_file_is_refused() -> None:
    assert "not well-formed XML: no element found" in str(refused(""))


# --- fuzz --------------------------------------------------------------------------------------------------


def only_schedule_or_usage_errors(text: str, timezone: str | None) -> None:
    with contextlib.suppress(ScheduleError, UsageError):
        build_schedule(frab_document(text, "fuzz.xml", timezone=timezone), "fuzz.xml")


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), timezone=st.none() | st.just("Europe/Vienna"))
def test_arbitrary_text_raises_only_schedule_or_usage_errors(text: str, timezone: str | None) -> None:
    only_schedule_or_usage_errors(text, timezone)


FUZZ_BASES = [read("frab_pretalx_export.xml"), read("frab_pentabarf_berlin_no_dates.xml"), read("frab_dst_newyork.xml")]
xml_bits = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "</event>",
        "<date>",
        "x",
        "99:99",
        "-",
        "\x00",
        "é",
        "<![CDATA[",
        "<!ENTITY a 'b'>",
        "2024-13-45T25:00:00+99:00",
        "</room>",
        "<persons>",
        "'",
        '"',
        "",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    base=st.sampled_from(FUZZ_BASES),
    timezone=st.none() | st.just("Europe/Berlin"),
    edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), xml_bits | st.text(max_size=5)), max_size=5),
)
def test_a_damaged_export_raises_only_schedule_or_usage_errors(
    base: str, timezone: str | None, edits: list[tuple[float, int, str]]
) -> None:
    text = base
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    only_schedule_or_usage_errors(text, timezone)
