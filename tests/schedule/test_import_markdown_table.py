"""Importing a schedule published as a markdown table, as workshop pages write it."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule.document import build_schedule
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.export import schedule_json
from bot.schedule.importers.markdown_table import looks_like_markdown_table, markdown_table_document
from bot.schedule.importers.plaintext import MissingZone
from bot.schedule.loader import Format, load_schedule, parse_schedule, read_document, read_text
from bot.schedule.model import Kind, Schedule

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
VIENNA = ZoneInfo("Europe/Vienna")
VIENNA_DAY = dt.date(2024, 5, 11)


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def table(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def document(
    text: str,
    source: str = "schedule.md",
    *,
    date: dt.date | None = VIENNA_DAY,
    timezone: str | None = "Europe/Vienna",
    **kwargs: Any,
) -> dict[str, Any]:
    return markdown_table_document(text, source, date=date, timezone=timezone, **kwargs)


def resolve(text: str, source: str = "schedule.md", **kwargs: Any) -> Schedule:
    return build_schedule(document(text, source, **kwargs), source)


def local(zone: ZoneInfo, day: dt.date, clock: str) -> dt.datetime:
    """The UTC instant of ``clock`` (HH:MM) on ``day`` in ``zone``, as zoneinfo computes it."""
    hour, minute = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(dt.UTC)


def spans(schedule: Schedule) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {s.id: (s.start, s.end) for s in schedule.sessions}


def problems(text: str, **kwargs: Any) -> list[tuple[int | None, str]]:
    with pytest.raises(ScheduleError) as caught:
        document(text, **kwargs)
    return [(p.line, p.message) for p in caught.value.problems]


def one_row(time_cell: str, **kwargs: Any) -> tuple[str, str]:
    """Start and end (naive ISO) of a one-row table whose time cell is ``time_cell``."""
    session = document(f"| Time | Session |\n|---|---|\n| {time_cell} | Talk |\n", **kwargs)["sessions"][0]
    return session["start"], session["end"]


# --- recognising the format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "markdown_table_workshop.md",
        "markdown_table_two_days.md",
        "markdown_table_day_rows.md",
        "markdown_table_malformed.md",
        "markdown_table_empty.md",
    ],
)
def test_a_page_whose_schedule_is_a_table_with_a_time_column_looks_like_a_markdown_table(name: str) -> None:
    assert looks_like_markdown_table(read(name))


#: What every other file is read as, as before this format existed: its format, or the start of its problem.
DETECTED_BEFORE: dict[str, Format | str] = {
    "tests/schedule/fixtures/c3voc_dst_berlin.json": Format.PRETALX,
    "tests/schedule/fixtures/c3voc_offsets_win.json": Format.PRETALX,
    "tests/schedule/fixtures/frab_billion_laughs.xml": "refusing XML that declares the entity",
    "tests/schedule/fixtures/frab_dst_newyork.xml": Format.FRAB,
    "tests/schedule/fixtures/frab_external_entity.xml": "refusing XML that declares the external entity",
    "tests/schedule/fixtures/frab_garbled.xml": "event 'A talk with a prose duration'",
    "tests/schedule/fixtures/frab_json_newyork_no_dates.json": Format.PRETALX,
    "tests/schedule/fixtures/frab_malformed.xml": "not well-formed XML",
    "tests/schedule/fixtures/frab_offsets_win.xml": Format.FRAB,
    "tests/schedule/fixtures/frab_pentabarf_berlin_no_dates.xml": Format.FRAB,
    "tests/schedule/fixtures/frab_pretalx_export.xml": Format.FRAB,
    "tests/schedule/fixtures/iclr2024_proposal.txt": Format.PLAINTEXT,
    "tests/schedule/fixtures/plaintext_no_schedule.txt": "unrecognised format",
    "tests/schedule/fixtures/plaintext_workshop.md": Format.PLAINTEXT,
    "tests/schedule/fixtures/pretalx_garbled.json": "event 'Talk without a time'",
    "tests/schedule/fixtures/pretalx_robustml2024.json": Format.PRETALX,
    "schedule/iclr2024-rrfm.yaml": Format.YAML,
    "schedule/iclr2025-post-training.yaml": Format.YAML,
    "schedule/neurips2023-instruction.yaml": Format.YAML,
    "schedule/README.md": "unrecognised format",  # tables of keys, none with times
    "README.md": Format.PLAINTEXT,  # its examples hold a plain-text schedule line
    "bench/README.md": "unrecognised format",
}


OTHER_FILES = sorted(
    {
        str(path.relative_to(ROOT))
        for path in [*FIXTURES.iterdir(), *(ROOT / "schedule").iterdir(), *ROOT.glob("*.md")]
        if path.is_file() and not path.name.startswith("markdown_table_")
    }
    | set(DETECTED_BEFORE)
)


@pytest.mark.parametrize("name", OTHER_FILES)
def test_no_file_of_another_format_is_taken_for_a_markdown_table(name: str) -> None:
    path = ROOT / name
    text = read_text(path)
    assert not looks_like_markdown_table(text)
    with contextlib.suppress(ScheduleError, UsageError):
        found = read_document(text, str(path), date=VIENNA_DAY, timezone="Europe/Vienna").format
        assert found is not Format.MARKDOWN_TABLE


@pytest.mark.parametrize(("name", "expected"), DETECTED_BEFORE.items(), ids=list(DETECTED_BEFORE))
def test_every_file_of_another_format_is_detected_as_before(name: str, expected: Format | str) -> None:
    path = ROOT / name
    text = read_text(path)
    assert not looks_like_markdown_table(text)
    try:
        found: Format | str = read_document(text, str(path), date=VIENNA_DAY, timezone="Europe/Vienna").format
    except ScheduleError as exc:
        found = exc.problems[0].message
    if isinstance(expected, Format):
        assert found is expected
    else:
        assert not isinstance(found, Format)
        assert found.startswith(expected)


def test_a_proposal_listing_its_schedule_as_lines_stays_plain_text_beside_a_small_table() -> None:
    text = read("iclr2024_proposal.txt") + "\n| Time | Reading group |\n|---|---|\n| 18:00 - 19:00 | Papers |\n"
    assert not looks_like_markdown_table(text)
    assert read_document(text, "p.txt", date=VIENNA_DAY, timezone="Europe/Vienna").format is Format.PLAINTEXT


def test_a_proposal_with_a_table_of_dates_and_schedule_lines_stays_plain_text() -> None:
    text = "| Deadline | Date |\n|---|---|\n| Submission | May 3 |\n\n- 09:00 - 09:30 Invited Talk 1\n"
    assert not looks_like_markdown_table(text)


def test_a_time_then_a_bar_without_a_delimiter_row_stays_plain_text() -> None:
    assert not looks_like_markdown_table("09:00-09:30 | Talk\n09:30-10:00 | Break\n")


def test_a_table_without_outer_pipes_is_a_markdown_table_not_plain_text() -> None:
    text = "Time | Session\n--- | ---\n09:00 - 09:30 | Talk\n"
    assert looks_like_markdown_table(text)
    assert read_document(text, "t.md", date=VIENNA_DAY, timezone="Europe/Vienna").format is Format.MARKDOWN_TABLE


def test_a_page_with_long_prose_and_one_schedule_table_is_a_markdown_table() -> None:
    prose = "\n".join(f"Paragraph {n} of the proposal, about the workshop's aims." for n in range(100))
    text = prose + "\n\n| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Invited talk |\n"
    assert looks_like_markdown_table(text)


@pytest.mark.parametrize(
    "text",
    [
        read("markdown_table_no_time_column.md"),
        "| who | commands |\n| --- | --- |\n| attendees | `/ask` |\n",
        "just words | and a bar\n",
        '{"schedule": {"conference": {"start": "09:00"}}}',
        "",
    ],
)
def test_tables_without_times_and_other_text_do_not_look_like_a_markdown_table(text: str) -> None:
    assert not looks_like_markdown_table(text)


# --- a workshop page ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workshop() -> Schedule:
    return resolve(read("markdown_table_workshop.md"), "markdown_table_workshop.md")


def test_every_separator_spelling_resolves_on_the_vienna_clock(workshop: Schedule) -> None:
    expected = {
        "opening-remarks": ("08:50", "09:00"),
        "invited-talk-learning-on-the-edge": ("09:00", "09:30"),
        "coffee-break": ("09:30", "10:00"),
        "poster-session-1": ("10:00", "10:45"),
        "invited-talk-federated-everything": ("10:45", "11:15"),
        "panel-what-runs-where": ("11:15", "12:00"),
        "lunch": ("12:00", "13:30"),
        "contributed-talk-1-split-merge-inference": ("13:30", "14:00"),
        "closing-remarks": ("14:00", "14:15"),
    }
    assert spans(workshop) == {
        ident: (local(VIENNA, VIENNA_DAY, start), local(VIENNA, VIENNA_DAY, end))
        for ident, (start, end) in expected.items()
    }


@pytest.mark.parametrize(
    ("session_id", "title", "kind"),
    [
        ("opening-remarks", "Opening remarks", Kind.OPENING),
        ("invited-talk-learning-on-the-edge", "Invited talk: Learning on the edge", Kind.TALK),
        ("coffee-break", "Coffee break", Kind.BREAK),
        ("poster-session-1", "Poster session 1", Kind.POSTER),
        ("invited-talk-federated-everything", "Invited talk: Federated everything", Kind.TALK),
        ("panel-what-runs-where", "Panel: what runs where?", Kind.PANEL),
        ("contributed-talk-1-split-merge-inference", "Contributed talk 1: Split | merge inference", Kind.CONTRIBUTED),
    ],
)
def test_titles_lose_their_markdown_and_kinds_come_from_them(
    workshop: Schedule, session_id: str, title: str, kind: Kind
) -> None:
    session = workshop.session(session_id)
    assert (session.title, session.kind) == (title, kind)


@pytest.mark.parametrize(
    ("session_id", "speakers"),
    [
        ("opening-remarks", [("Organizers", None)]),
        ("invited-talk-learning-on-the-edge", [("Ada Lovelace", "Analytical Engines")]),
        (
            "invited-talk-federated-everything",
            [("Grace Hopper", "Navy Labs"), ("Alan Turing", "University of Manchester")],
        ),
        ("panel-what-runs-where", [("Barbara Liskov", "MIT"), ("Edsger Dijkstra", None), ("Tony Hoare", "Oxford, UK")]),
        ("contributed-talk-1-split-merge-inference", [("Katherine Johnson", None), ("Dorothy Vaughan", "NASA")]),
        ("lunch", []),  # TBD
        ("closing-remarks", []),  # a dash
    ],
)
def test_speakers_are_split_with_their_affiliations(
    workshop: Schedule, session_id: str, speakers: list[tuple[str, str | None]]
) -> None:
    assert [(s.name, s.affiliation) for s in workshop.session(session_id).speakers] == speakers


def test_a_title_link_is_the_page_and_a_slides_column_the_slides(workshop: Schedule) -> None:
    links = workshop.session("invited-talk-learning-on-the-edge").links
    assert links.page == "https://hls-workshop.example.org/talks/edge"
    assert links.slides == "https://hls-workshop.example.org/slides/edge.pdf"
    assert workshop.session("coffee-break").links.is_empty()


def test_the_room_column_gives_the_room(workshop: Schedule) -> None:
    assert workshop.session("poster-session-1").room == "Hall B"
    assert workshop.session("coffee-break").room is None


def test_the_level_one_heading_names_the_event(workshop: Schedule) -> None:
    assert workshop.event.name == "Workshop on Hybrid Learning Systems (HLS 2024)"


def test_the_name_argument_wins() -> None:
    assert document(read("markdown_table_workshop.md"), name="HLS")["event"]["name"] == "HLS"


def test_without_a_heading_the_file_stem_names_the_event() -> None:
    text = "| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Talk |\n"
    assert document(text, "pages/hls-day1.md")["event"]["name"] == "hls-day1"


# --- spellings ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "| Time | Session | Speaker |",
        "| TIME (CEST) | Title | Speaker(s) |",
        "| Time slot | Talk | Presenter |",
        "| When | What | Who |",
        "| time | Programme | Speakers |",
        "| **Time** | _Activity_ | Presenters |",
        "| | | Speaker |",  # no names: the times and the title found by content
    ],
)
def test_header_spellings_name_the_same_columns(header: str) -> None:
    text = f"{header}\n|:---|:---:|---:|\n| 9:00 - 9:30 | Invited talk | Ada Lovelace (Analytical Engines) |\n"
    (session,) = document(text)["sessions"]
    assert (session["title"], session["start"], session["end"], session["speakers"]) == (
        "Invited talk",
        "2024-05-11T09:00:00",
        "2024-05-11T09:30:00",
        [{"name": "Ada Lovelace", "affiliation": "Analytical Engines"}],
    )


@pytest.mark.parametrize(
    "text",
    [
        "| Start | End | Session |\n|---|---|---|\n| 9:00 | 9:30 | Talk |\n",
        "| Start – End | Session |\n|---|---|\n| 9:00 - 9:30 | Talk |\n",
        "| Start | Session |\n|---|---|\n| 9:00 - 9:30 | Talk |\n",
        "Time | Session\n--- | ---\n9:00 - 9:30 | Talk\n",
    ],
)
def test_start_and_end_columns_or_one_range_column(text: str) -> None:
    session = document(text)["sessions"][0]
    assert (session["start"], session["end"]) == ("2024-05-11T09:00:00", "2024-05-11T09:30:00")


@pytest.mark.parametrize(
    "cell",
    [
        "8:50 -- 9:00",
        "8:50 - 9:00",
        "8:50 – 9:00",
        "8:50 — 9:00",
        "8:50 to 9:00",
        "8:50 until 9:00",
        "08:50-09:00",
        "**8:50 - 9:00**",
        "8.50 - 9.00",
        "8h50 - 9h00",
        "8:50 AM - 9:00 AM",
        "8:50am–9:00am",
        "8:50 - 9:00 a.m.",
    ],
)
def test_time_spellings(cell: str) -> None:
    assert one_row(cell) == ("2024-05-11T08:50:00", "2024-05-11T09:00:00")


@pytest.mark.parametrize(
    ("cell", "start", "end"),
    [
        ("12:30 PM - 1:15 PM", "12:30", "13:15"),
        ("11:00 AM - 1:00 PM", "11:00", "13:00"),
        ("11:30 - 1:00 PM", "11:30", "13:00"),  # the start takes am: pm would put it after the end
        ("1:00 - 2:30 PM", "13:00", "14:30"),
        ("12:00 AM - 12:30 AM", "00:00", "00:30"),
        ("9 PM - 10 PM", "21:00", "22:00"),
    ],
)
def test_twelve_hour_times(cell: str, start: str, end: str) -> None:
    assert one_row(cell) == (f"2024-05-11T{start}:00", f"2024-05-11T{end}:00")


def test_links_take_their_kind_from_a_links_column_or_their_text() -> None:
    text = table(
        """
        | Time | Session | Links | Video |
        |---|---|---|---|
        | 09:00 - 09:30 | Talk | [slides](https://x.example/s.pdf) · [Zoom](https://zoom.example/j/1) [#](#talk) | <https://tube.example/v> |
        """
    )
    assert document(text)["sessions"][0]["links"] == {
        "slides": "https://x.example/s.pdf",
        "virtual_room": "https://zoom.example/j/1",
        "stream": "https://tube.example/v",
    }


def test_html_in_cells_is_read_as_pages_write_it() -> None:
    text = table(
        """
        | Time | Session | Speaker |
        |---|---|---|
        | 09:00 - 09:30 | <a href="https://x.example/t">Talk &amp; demo</a> | A. Author<br/>B. Author (Lab) |
        """
    )
    (session,) = document(text)["sessions"]
    assert session["title"] == "Talk & demo"
    assert session["links"] == {"page": "https://x.example/t"}
    assert session["speakers"] == [{"name": "A. Author"}, {"name": "B. Author", "affiliation": "Lab"}]


def test_a_moderator_label_is_not_part_of_a_name() -> None:
    text = (
        "| Time | Session | Speakers |\n|---|---|---|\n| 9:00 - 10:00 | Panel | Moderator: Ada; Panelists: Bo, Cy |\n"
    )
    assert [s["name"] for s in document(text)["sessions"][0]["speakers"]] == ["Ada", "Bo", "Cy"]


def test_a_type_column_gives_the_kind_before_the_title() -> None:
    text = table(
        """
        | Time | Type | Session | Session chair |
        |---|---|---|---|
        | 09:00 - 09:45 | Keynote | Agents that read the manual | Ada |
        | 09:45 - 10:00 | | Coffee break | |
        """
    )
    sessions = document(text)["sessions"]
    assert [s["kind"] for s in sessions] == ["talk", "break"]
    assert [s["speakers"] for s in sessions] == [[], []]  # a session chair is not a speaker


def test_a_repeated_title_gets_a_numbered_id() -> None:
    text = "| Time | Session |\n|---|---|\n| 10:00 - 10:15 | Break |\n| 12:00 - 13:00 | **Break** |\n"
    assert [s["id"] for s in document(text)["sessions"]] == ["break", "break-2"]


# --- days ---------------------------------------------------------------------------------------------------------

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SATURDAY, SUNDAY = dt.date(2024, 7, 20), dt.date(2024, 7, 21)


@pytest.fixture(scope="module")
def two_days() -> Schedule:
    text = read("markdown_table_two_days.md")
    return resolve(text, "markdown_table_two_days.md", date=dt.date(2024, 1, 1), timezone="America/Los_Angeles")


def test_day_headings_put_each_table_on_its_day_and_past_midnight_on_the_next(two_days: Schedule) -> None:
    expected = {
        "registration-and-coffee": (SATURDAY, "08:30", SATURDAY, "09:00"),
        "welcome": (SATURDAY, "09:00", SATURDAY, "09:15"),
        "keynote-agents-that-read-the-manual": (SATURDAY, "09:15", SATURDAY, "10:15"),
        "lunch": (SATURDAY, "11:30", SATURDAY, "13:00"),
        "poster-session": (SATURDAY, "13:00", SATURDAY, "14:30"),
        "summer-school-dinner": (SATURDAY, "19:00", SATURDAY, "23:00"),
        "karaoke": (SATURDAY, "23:00", SUNDAY, "01:00"),
        "last-shuttle-to-the-hotels": (SUNDAY, "01:00", SUNDAY, "01:30"),
        "tutorial-evaluation-at-scale": (SUNDAY, "09:00", SUNDAY, "10:00"),
        "closing-remarks": (SUNDAY, "10:00", SUNDAY, "10:30"),
    }
    assert spans(two_days) == {
        ident: (local(LOS_ANGELES, d1, start), local(LOS_ANGELES, d2, end))
        for ident, (d1, start, d2, end) in expected.items()
    }


def test_a_heading_date_without_a_year_takes_the_year_of_date_and_is_needed_without_one() -> None:
    with pytest.raises(UsageError, match=r"'Saturday 20 July' \(line 5\) without its year; pass --date"):
        document(read("markdown_table_two_days.md"), date=None)


CHICAGO = ZoneInfo("America/Chicago")


def test_day_rows_with_full_dates_need_no_date_and_win_over_one() -> None:
    for date in (None, dt.date(2020, 1, 1)):
        schedule = resolve(read("markdown_table_day_rows.md"), date=date, timezone="America/Chicago")
        assert spans(schedule) == {
            "invited-talk-1": (
                local(CHICAGO, dt.date(2023, 12, 14), "09:00"),
                local(CHICAGO, dt.date(2023, 12, 14), "09:30"),
            ),
            "coffee-break": (
                local(CHICAGO, dt.date(2023, 12, 14), "09:30"),
                local(CHICAGO, dt.date(2023, 12, 14), "10:00"),
            ),
            "invited-talk-2": (
                local(CHICAGO, dt.date(2023, 12, 15), "09:00"),
                local(CHICAGO, dt.date(2023, 12, 15), "09:30"),
            ),
            "poster-session": (
                local(CHICAGO, dt.date(2023, 12, 15), "09:30"),
                local(CHICAGO, dt.date(2023, 12, 15), "10:30"),
            ),
        }
        assert schedule.event.name == "NeurIPS 2023 Workshop on Instruction Tuning and Instruction Following"
        assert schedule.event.date == dt.date(2023, 12, 14)


def test_a_speaker_link_keeps_the_name() -> None:
    speakers = document(read("markdown_table_day_rows.md"), date=None)["sessions"][2]["speakers"]
    assert speakers == [{"name": "John Roe", "affiliation": "Allen Institute"}]


@pytest.mark.parametrize(
    "heading",
    ["## Sunday 12 May", "## Day 2 — May 12", "**Sunday, May 12th:**", "Sunday, May 12", "### 2024-05-12", "## 12 May"],
)
def test_spellings_of_a_day_heading(heading: str) -> None:
    text = f"| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Day one |\n\n{heading}\n\n"
    text += "| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Day two |\n"
    assert [s["start"] for s in document(text)["sessions"]] == ["2024-05-11T09:00:00", "2024-05-12T09:00:00"]


def test_a_dated_section_ends_at_the_next_heading_of_its_level() -> None:
    text = table(
        """
        ## Call for papers (deadline 3 February 2024)

        ## Schedule

        | Time | Session |
        |---|---|
        | 09:00 - 09:30 | Opening |
        """
    )
    assert document(text)["sessions"][0]["start"] == "2024-05-11T09:00:00"


def test_a_day_heading_gives_its_date_to_the_tables_of_its_subsections() -> None:
    text = "## Day 2 — Sunday 12 May\n\n### Morning\n\n| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Talk |\n"
    assert document(text)["sessions"][0]["start"] == "2024-05-12T09:00:00"


def test_a_day_row_changes_the_day_until_the_end_of_its_table() -> None:
    text = table(
        """
        | Time (AoE) | Deadline |
        |---|---|
        | Feb 3 | Submission |

        | Time | Session |
        |---|---|
        | 09:00 - 09:30 | Opening |
        """
    )
    assert [s["start"] for s in document(text)["sessions"]] == ["2024-05-11T09:00:00"]


def test_a_day_row_between_tables_is_a_heading() -> None:
    text = table(
        """
        | Time | Session |
        |---|---|
        | 09:00 - 09:30 | Day one |

        | **Day 2 — May 12** | |

        | Time | Session |
        |---|---|
        | 09:00 - 09:30 | Day two |
        """
    )
    assert [s["start"] for s in document(text)["sessions"]] == ["2024-05-11T09:00:00", "2024-05-12T09:00:00"]


def test_rows_after_a_range_across_midnight_are_after_midnight_too() -> None:
    text = "| Time | Session |\n|---|---|\n| 22:00 - 23:30 | Dinner |\n| 23:30 - 00:30 | Party |\n| 00:30 - 01:00 | Bus |\n"
    assert [(s["start"], s["end"]) for s in document(text)["sessions"]] == [
        ("2024-05-11T22:00:00", "2024-05-11T23:30:00"),
        ("2024-05-11T23:30:00", "2024-05-12T00:30:00"),
        ("2024-05-12T00:30:00", "2024-05-12T01:00:00"),
    ]


def test_a_session_across_spring_forward_lasts_its_real_length() -> None:
    text = "| Time | Session |\n|---|---|\n| 01:30 - 03:30 | Night session |\n"
    schedule = resolve(text, date=dt.date(2024, 3, 31), timezone="Europe/Vienna")
    assert spans(schedule) == {
        "night-session": (local(VIENNA, dt.date(2024, 3, 31), "01:30"), local(VIENNA, dt.date(2024, 3, 31), "03:30"))
    }
    assert schedule.sessions[0].end - schedule.sessions[0].start == dt.timedelta(hours=1)


def test_a_problem_found_after_import_names_the_row() -> None:
    text = "# Night\n\n| Time | Session |\n|---|---|\n| 01:00 - 01:30 | Fine |\n| 02:30 - 03:30 | In the gap |\n"
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, "night.md", date=dt.date(2024, 3, 31), timezone="Europe/Vienna")
    (problem,) = caught.value.problems
    assert problem.line == 6
    assert "02:30 on 2024-03-31 does not exist in Europe/Vienna" in problem.message


def test_overlapping_rows_are_reported_at_their_lines() -> None:
    text = "| Time | Session |\n|---|---|\n| 09:00 - 10:00 | A |\n| 09:30 - 10:30 | B |\n"
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, "overlap.md", date=VIENNA_DAY, timezone="Europe/Vienna")
    assert [p.line for p in caught.value.problems] == [4]


# --- problems ----------------------------------------------------------------------------------------------


def test_every_malformed_row_is_reported_with_its_line_and_fix() -> None:
    assert problems(read("markdown_table_malformed.md")) == [
        (
            6,
            "the 'Time' column: '09:70' is not a time (minutes run to 59); write times as HH:MM, e.g. '09:00 - 09:30'",
        ),
        (7, "'10:00' in the 'Time' column is only a start; write the end too, e.g. '09:00 - 09:30'"),
        (8, "the row has a time but no title in the 'Session' column; write the session's name there"),
        (
            9,
            "the row has no time in the 'Time' column; give it one, e.g. '| 09:00 - 09:30 | Invited Talk 1 | "
            "Ada Lovelace (Analytical Engines) |', or make it a day heading with its date, e.g. "
            "'| **Day 2 — May 12** | | |'",
        ),
        (10, "the row has 4 cells but the header has 3; write a '|' inside a cell as '\\|'"),
        (11, "the link 'closing.html' ('Closing') is not a full web address; write it starting with https://"),
    ]


def test_an_empty_table_is_reported_at_its_header() -> None:
    assert problems(read("markdown_table_empty.md")) == [
        (
            3,
            "the table has no rows; add one under its header, e.g. "
            "'| 09:00 - 09:30 | Invited Talk 1 | Ada Lovelace (Analytical Engines) |'",
        )
    ]


def test_a_table_without_a_time_column_is_reported_at_its_header() -> None:
    ((line, message),) = problems(read("markdown_table_no_time_column.md"))
    assert line == 3
    assert message.startswith("the table has no time column: name one 'Time' in its header")


def test_a_table_with_times_but_no_title_column_is_reported() -> None:
    ((line, message),) = problems("| Time | Speaker |\n|---|---|\n| 09:00 - 09:30 | Ada |\n")
    assert line == 1
    assert message.startswith("the table has no title column: name one 'Session'")


def test_text_without_a_table_is_refused() -> None:
    assert problems("Just a paragraph.\n") == [
        (
            None,
            "no markdown table found (expected a header such as '| Time | Session | Speaker |' followed by '|---|---|---|')",
        )
    ]


def test_rows_with_times_but_no_header_row_are_reported() -> None:
    ((line, message),) = problems("Intro\n\n| 09:00 - 09:30 | Talk |\n| 09:30 - 10:00 | Break |\n")
    assert line == 3
    assert message.startswith("these table rows have no header row; put one above them")


def test_a_day_row_without_a_date_is_a_problem_not_a_guess() -> None:
    ((line, message),) = problems("| Time | Session |\n|---|---|\n| **Day 2** | |\n| 09:00 - 09:30 | Talk |\n")
    assert line == 3
    assert message == (
        "'Day 2' in the 'Time' column is not a time range; write e.g. '09:00 - 09:30' or '9:00 AM - 9:30 AM'; "
        "for a day heading write its date, e.g. '| **Day 2 — May 12** | | |'"
    )


def test_a_day_heading_without_a_date_is_a_problem_not_a_guess() -> None:
    text = "## Day 2\n\n| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Talk |\n"
    assert problems(text) == [
        (
            1,
            "the heading 'Day 2' names no date; write its date, e.g. '## Day 2 — May 12', so its sessions are on their day",
        )
    ]


def test_a_weekday_that_is_not_the_dates_is_reported() -> None:
    text = "## Saturday 12 May 2024\n\n| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Talk |\n"
    assert problems(text) == [
        (1, "'Saturday 12 May 2024': 2024-05-12 is a Sunday; correct the weekday, the date or the year")
    ]


def test_a_date_that_does_not_exist_is_reported() -> None:
    text = "## 30 February\n\n| Time | Session |\n|---|---|\n| 09:00 - 09:30 | Talk |\n"
    assert problems(text) == [(1, "'30 February' is not a date; write e.g. 'Saturday 11 May 2024'")]


def test_without_a_date_the_caller_must_pass_one() -> None:
    with pytest.raises(UsageError, match=r"has no date for the session on line 11; pass --date YYYY-MM-DD"):
        document(read("markdown_table_workshop.md"), date=None)


def test_an_implausible_date_is_refused() -> None:
    with pytest.raises(UsageError, match="is not a plausible date"):
        document(read("markdown_table_workshop.md"), date=dt.date(1, 1, 1))


def test_without_a_zone_the_caller_must_pass_one() -> None:
    with pytest.raises(MissingZone, match="has no time zone; pass the venue's zone with --venue-tz"):
        document(read("markdown_table_workshop.md"), timezone=None)


def test_problems_in_the_file_come_before_the_missing_options() -> None:
    with pytest.raises(ScheduleError):
        document(read("markdown_table_malformed.md"), date=None, timezone=None)


# --- the command line -----------------------------------------------------------------------------------------


def chairbot(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )


WORKSHOP = FIXTURES / "markdown_table_workshop.md"


def test_check_reads_a_markdown_table_with_date_and_venue_zone() -> None:
    result = chairbot("check", WORKSHOP, "--date", "2024-05-11", "--venue-tz", "Europe/Vienna")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(
        f"{WORKSHOP}: ok: 'Workshop on Hybrid Learning Systems (HLS 2024)' (imported from markdown-table): 9 sessions"
    )
    assert "on 2024-05-11, 08:50–14:15 Europe/Vienna" in result.stdout


@pytest.mark.parametrize(
    ("args", "needs"),
    [(["--venue-tz", "Europe/Vienna"], "--date YYYY-MM-DD"), (["--date", "2024-05-11"], "--venue-tz")],
)
def test_check_without_date_or_venue_zone_is_a_usage_error(args: list[str], needs: str) -> None:
    result = chairbot("check", WORKSHOP, *args)
    assert result.returncode == 2
    assert f"{WORKSHOP}: cannot check: " in result.stderr
    assert needs in result.stderr


def test_check_reports_every_malformed_row_with_its_line() -> None:
    path = FIXTURES / "markdown_table_malformed.md"
    result = chairbot("check", path, "--date", "2024-05-11", "--venue-tz", "Europe/Vienna")
    assert result.returncode == 1
    assert f"{path}: invalid: 6 problems" in result.stderr
    assert [line.split(": ")[0] for line in result.stderr.splitlines()[1:]] == [
        f"{path}:{n}" for n in (6, 7, 8, 9, 10, 11)
    ]
    assert "Traceback" not in result.stderr


def test_import_writes_yaml_that_loads_to_the_same_instants(tmp_path: Path) -> None:
    out = tmp_path / "hls.yaml"
    args = ["--date", "2024-05-11", "--venue-tz", "Europe/Vienna", "--tz", "Asia/Kolkata", "-o", out]
    result = chairbot("import", FIXTURES / "markdown_table_two_days.md", *args)
    assert result.returncode == 0, result.stderr
    assert (
        result.stderr == f"{out}: wrote 10 sessions from {FIXTURES / 'markdown_table_two_days.md'} (markdown-table)\n"
    )
    written = load_schedule(out)
    expected = resolve(read("markdown_table_two_days.md"), date=dt.date(2024, 5, 11), timezone="Europe/Vienna")
    assert spans(written) == spans(expected)
    assert schedule_json(written)["sessions"] == schedule_json(expected)["sessions"]
    assert [z.key for z in written.event.display_timezones] == ["Asia/Kolkata"]


def test_a_table_with_dated_rows_checks_with_the_venue_zone_alone() -> None:
    result = chairbot("check", FIXTURES / "markdown_table_day_rows.md", "--venue-tz", "America/Chicago")
    assert result.returncode == 0, result.stderr
    assert "4 sessions" in result.stdout
    assert "on 2023-12-14 to 2023-12-15" in result.stdout


# --- fuzz --------------------------------------------------------------------------------------------------

cell_bits = st.sampled_from(
    [
        "|",
        " | ",
        "|---|---|",
        "| Time | Session | Speaker |",
        "\n",
        "09:00 - 09:30",
        "9 pm",
        "23:30 -- 00:30",
        "25:00",
        "**",
        "_",
        "[x](",
        "](https://a.example)",
        "<br>",
        "Ada (MIT)",
        " and ",
        "## ",
        "Saturday 11 May",
        "Day 2",
        "30 February",
        "\\|",
        "\x00",
        "\u2028",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(cell_bits | st.text(max_size=6), max_size=30),
    date=st.none() | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    timezone=st.none() | st.sampled_from(["Europe/Vienna", "America/St_Johns", "Nowhere/Atlantis", " "]),
)
def test_arbitrary_text_raises_only_schedule_or_usage_errors(
    pieces: list[str], date: dt.date | None, timezone: str | None
) -> None:
    text = "".join(pieces)
    looks_like_markdown_table(text)
    with contextlib.suppress(ScheduleError, UsageError):
        build_schedule(markdown_table_document(text, "fuzz.md", date=date, timezone=timezone), "fuzz.md")
