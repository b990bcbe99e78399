"""Importing the plain-text tentative schedule of a workshop proposal."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule.document import build_schedule
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.importers.plaintext import MissingZone, looks_like_plaintext, plaintext_document
from bot.schedule.model import Kind, Schedule

FIXTURES = Path(__file__).parent / "fixtures"
VIENNA_DAY = dt.date(2024, 5, 11)


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def document(
    text: str,
    source: str = "proposal.txt",
    *,
    date: dt.date | None = VIENNA_DAY,
    timezone: str | None = "Europe/Vienna",
    **kwargs: Any,
) -> dict[str, Any]:
    return plaintext_document(text, source, date=date, timezone=timezone, **kwargs)


def resolve(text: str, source: str = "proposal.txt", **kwargs: Any) -> Schedule:
    return build_schedule(document(text, source, **kwargs), source)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def spans(schedule: Schedule) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    return {s.id: (s.start, s.end) for s in schedule.sessions}


def one_line(line: str, **kwargs: Any) -> tuple[str, str, str]:
    """Title, start and end (naive ISO) of a single schedule line."""
    session = document(line, **kwargs)["sessions"][0]
    return session["title"], session["start"], session["end"]


# --- recognising the format --------------------------------------------------------------------------------


def test_a_proposal_with_a_tentative_schedule_looks_like_plaintext() -> None:
    assert looks_like_plaintext(read("iclr2024_proposal.txt"))


@pytest.mark.parametrize(
    "text",
    [
        read("plaintext_no_schedule.txt"),
        '{"schedule": {"conference": {"start": "09:00"}}}',
        "<schedule><event><start>09:00</start></event></schedule>",
        "",
    ],
)
def test_text_without_schedule_lines_does_not_look_like_plaintext(text: str) -> None:
    assert not looks_like_plaintext(text)


# --- the ICLR 2024 proposal --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def iclr() -> Schedule:
    return resolve(read("iclr2024_proposal.txt"), "iclr2024_proposal.txt")


def test_the_iclr_proposal_has_sixteen_sessions_of_the_right_kinds(iclr: Schedule) -> None:
    assert len(iclr.sessions) == 16
    assert Counter(s.kind for s in iclr.sessions) == {
        Kind.OPENING: 1,
        Kind.TALK: 8,
        Kind.CONTRIBUTED: 3,
        Kind.POSTER: 2,
        Kind.BREAK: 1,
        Kind.PANEL: 1,
    }


def test_the_iclr_sessions_are_at_their_vienna_instants(iclr: Schedule) -> None:
    assert spans(iclr) == {
        "introduction-and-opening-remarks": (utc(2024, 5, 11, 6, 50), utc(2024, 5, 11, 7, 0)),
        "invited-talk-1": (utc(2024, 5, 11, 7, 0), utc(2024, 5, 11, 7, 30)),
        "invited-talk-2": (utc(2024, 5, 11, 7, 30), utc(2024, 5, 11, 8, 0)),
        "contributed-talk-1": (utc(2024, 5, 11, 8, 0), utc(2024, 5, 11, 8, 15)),
        "poster-session-1": (utc(2024, 5, 11, 8, 15), utc(2024, 5, 11, 9, 15)),
        "invited-talk-3": (utc(2024, 5, 11, 9, 15), utc(2024, 5, 11, 9, 45)),
        "invited-talk-4": (utc(2024, 5, 11, 9, 45), utc(2024, 5, 11, 10, 15)),
        "break": (utc(2024, 5, 11, 10, 15), utc(2024, 5, 11, 11, 30)),
        "invited-talk-5": (utc(2024, 5, 11, 11, 30), utc(2024, 5, 11, 12, 0)),
        "invited-talk-6": (utc(2024, 5, 11, 12, 0), utc(2024, 5, 11, 12, 30)),
        "contributed-talk-2": (utc(2024, 5, 11, 12, 30), utc(2024, 5, 11, 12, 45)),
        "poster-session-2": (utc(2024, 5, 11, 12, 45), utc(2024, 5, 11, 13, 45)),
        "invited-talk-7": (utc(2024, 5, 11, 13, 45), utc(2024, 5, 11, 14, 15)),
        "contributed-talk-3": (utc(2024, 5, 11, 14, 15), utc(2024, 5, 11, 14, 30)),
        "invited-talk-8": (utc(2024, 5, 11, 14, 30), utc(2024, 5, 11, 15, 0)),
        "panel-discussion": (utc(2024, 5, 11, 15, 0), utc(2024, 5, 11, 16, 0)),
    }


def test_emphasis_is_stripped_from_a_title(iclr: Schedule) -> None:
    assert iclr.session("break").title == "Break"


def test_the_proposal_line_names_the_event() -> None:
    event = document(read("iclr2024_proposal.txt"))["event"]
    assert event == {
        "name": "ICLR 2024 Workshop on Reliable and Responsible Foundation Models",
        "timezone": "Europe/Vienna",
        "date": "2024-05-11",
        "display_timezones": [],
    }


def test_the_name_argument_wins() -> None:
    assert document(read("iclr2024_proposal.txt"), name="RRFM 2024")["event"]["name"] == "RRFM 2024"


def test_without_a_title_line_the_file_stem_names_the_event() -> None:
    assert document("- 09:00 - 09:30 Invited Talk 1", "talks/rrfm-day1.txt")["event"]["name"] == "rrfm-day1"


# --- a markdown proposal with every spelling -----------------------------------------------------------------


@pytest.fixture(scope="module")
def markdown() -> Schedule:
    text = read("plaintext_workshop.md")
    return resolve(text, "plaintext_workshop.md", date=dt.date(2024, 7, 20), timezone="America/St_Johns")


def test_the_markdown_heading_names_the_event(markdown: Schedule) -> None:
    assert markdown.event.name == "Workshop on Efficient Multimodal Agents (EMMA 2024)"


def test_every_spelling_of_a_time_range_resolves_on_the_st_johns_clock(markdown: Schedule) -> None:
    # Newfoundland in July is UTC-02:30.
    assert spans(markdown) == {
        "registration-and-coffee": (utc(2024, 7, 20, 11, 0), utc(2024, 7, 20, 11, 30)),
        "opening-remarks": (utc(2024, 7, 20, 11, 30), utc(2024, 7, 20, 11, 45)),
        "keynote-agents-that-read-the-manual": (utc(2024, 7, 20, 11, 45), utc(2024, 7, 20, 12, 30)),
        "coffee-break": (utc(2024, 7, 20, 12, 30), utc(2024, 7, 20, 13, 0)),
        "spotlight-presentations-6-10-min": (utc(2024, 7, 20, 13, 0), utc(2024, 7, 20, 14, 0)),
        "lunch": (utc(2024, 7, 20, 14, 0), utc(2024, 7, 20, 15, 30)),
        "poster-session-hall-and-gather-town": (utc(2024, 7, 20, 15, 30), utc(2024, 7, 20, 17, 0)),
        "coffee-break-2": (utc(2024, 7, 20, 17, 0), utc(2024, 7, 20, 17, 30)),
        "panel-open-problems-in-agent-evaluation": (utc(2024, 7, 20, 17, 30), utc(2024, 7, 20, 18, 30)),
        "closing-remarks": (utc(2024, 7, 20, 18, 30), utc(2024, 7, 20, 18, 45)),
        "workshop-dinner": (utc(2024, 7, 20, 21, 30), utc(2024, 7, 21, 1, 30)),
        "karaoke-optional": (utc(2024, 7, 21, 1, 30), utc(2024, 7, 21, 3, 30)),
        "last-shuttle-to-the-hotels": (utc(2024, 7, 21, 3, 30), utc(2024, 7, 21, 4, 0)),
    }


@pytest.mark.parametrize(
    ("session_id", "title", "kind"),
    [
        ("registration-and-coffee", "Registration and coffee", Kind.BREAK),
        ("keynote-agents-that-read-the-manual", "Keynote: Agents that read the manual", Kind.TALK),
        ("coffee-break", "Coffee break", Kind.BREAK),
        ("spotlight-presentations-6-10-min", "Spotlight presentations (6 × 10 min)", Kind.CONTRIBUTED),
        ("panel-open-problems-in-agent-evaluation", "Panel: open problems in agent evaluation", Kind.PANEL),
        ("workshop-dinner", "Workshop dinner", Kind.SOCIAL),
        ("closing-remarks", "Closing remarks", Kind.OTHER),
    ],
)
def test_titles_are_cleaned_and_kinds_inferred(markdown: Schedule, session_id: str, title: str, kind: Kind) -> None:
    session = markdown.session(session_id)
    assert (session.title, session.kind) == (title, kind)


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("- 09:00 - 09:30 Talk", "09:00", "09:30"),
        ("- 08:50 – 09:00 Talk", "08:50", "09:00"),
        ("* 9:00 — 9:30 Talk", "09:00", "09:30"),
        ("• 9.00 to 9.30 Talk", "09:00", "09:30"),
        ("3. 9h00 - 9h30 Talk", "09:00", "09:30"),
        ("4) 09:00 until 09:30: Talk", "09:00", "09:30"),
        ("09:00-09:30 | Talk", "09:00", "09:30"),
        ("**09:00 - 09:30** Talk", "09:00", "09:30"),
        ("- 9:00 am - 9:30 am Talk", "09:00", "09:30"),
        ("- 9am - 10am Talk", "09:00", "10:00"),
        ("- 12:30 p.m. - 1:15 p.m. Talk", "12:30", "13:15"),
        ("- 11:00 - 1:00 pm Talk", "11:00", "13:00"),  # the start takes am: pm would put it after the end
        ("- 1:00 - 2:30 pm Talk", "13:00", "14:30"),
        ("- 11:30 am - 1:00 Talk", "11:30", "13:00"),  # the end takes pm: am would put it before the start
        ("- 12:00 am - 12:30 am Talk", "00:00", "00:30"),
    ],
)
def test_spellings_of_a_time_range(line: str, start: str, end: str) -> None:
    assert one_line(line) == ("Talk", f"2024-05-11T{start}:00", f"2024-05-11T{end}:00")


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("- 12:15 - 13:30 *Break*", "Break"),
        ("- 12:15 - 13:30 **Lunch** (on site)", "Lunch (on site)"),
        ("- 12:15 - 13:30 _Poster session_", "Poster session"),
        ("- 12:15 - 13:30 Talk on snake_case and *emphasis*", "Talk on snake_case and emphasis"),
        ("- 12:15 - 13:30 – Invited Talk 1", "Invited Talk 1"),
    ],
)
def test_markdown_emphasis_and_separators_are_stripped_from_titles(line: str, title: str) -> None:
    assert one_line(line)[0] == title


def test_a_repeated_title_gets_a_numbered_id() -> None:
    text = "- 10:00 - 10:15 Break\n- 12:00 - 13:00 Break\n- 15:00 - 15:15 *Break*\n"
    assert [s["id"] for s in document(text)["sessions"]] == ["break", "break-2", "break-3"]


def test_an_id_is_ascii_even_for_accented_titles() -> None:
    assert document("- 10:00 - 10:30 Présentation d'ouverture")["sessions"][0]["id"] == "presentation-d-ouverture"


# --- midnight and clock changes --------------------------------------------------------------------------------


def test_a_range_ending_before_it_starts_ends_the_next_day() -> None:
    assert one_line("- 23:30 - 00:30 Late session") == ("Late session", "2024-05-11T23:30:00", "2024-05-12T00:30:00")


def test_lines_after_a_range_across_midnight_are_after_midnight_too() -> None:
    sessions = document("- 22:00 - 23:30 Dinner\n- 23:30 - 00:30 Party\n- 00:30 - 01:00 Closing\n")["sessions"]
    assert [s["start"] for s in sessions] == ["2024-05-11T22:00:00", "2024-05-11T23:30:00", "2024-05-12T00:30:00"]


def test_24_00_ends_a_session_at_midnight() -> None:
    assert one_line("- 23:00 - 24:00 Social")[2] == "2024-05-12T00:00:00"


def test_a_session_across_spring_forward_lasts_its_real_length() -> None:
    schedule = resolve("- 01:30 - 03:30 Night session", date=dt.date(2024, 3, 10), timezone="America/New_York")
    assert spans(schedule) == {"night-session": (utc(2024, 3, 10, 6, 30), utc(2024, 3, 10, 7, 30))}


def test_a_start_in_the_spring_forward_gap_is_reported() -> None:
    with pytest.raises(ScheduleError, match="02:30 on 2024-03-10 does not exist in America/New_York"):
        resolve("- 02:30 - 03:30 Night session", date=dt.date(2024, 3, 10), timezone="America/New_York")


def test_a_start_in_the_repeated_hour_is_reported() -> None:
    with pytest.raises(ScheduleError, match="02:30 on 2024-10-27 happens twice in Europe/Berlin"):
        resolve("- 02:30 - 04:00 Night session", date=dt.date(2024, 10, 27), timezone="Europe/Berlin")


# --- problems ----------------------------------------------------------------------------------------------


def test_text_without_schedule_lines_is_refused() -> None:
    with pytest.raises(ScheduleError) as caught:
        document(read("plaintext_no_schedule.txt"))
    assert [p.message for p in caught.value.problems] == [
        "no schedule lines found (expected lines such as '- 09:00 - 09:30 Invited Talk 1')"
    ]


def test_without_a_date_the_caller_must_pass_one() -> None:
    with pytest.raises(UsageError, match=r"a plain-text schedule has no date; pass --date YYYY-MM-DD"):
        document(read("iclr2024_proposal.txt"), date=None)


def test_without_a_zone_the_caller_must_pass_one() -> None:
    with pytest.raises(MissingZone, match="--venue-tz "):
        document(read("iclr2024_proposal.txt"), timezone=None)


def test_a_time_that_is_not_a_time_is_reported_with_its_line() -> None:
    with pytest.raises(ScheduleError) as caught:
        document("Morning:\n\n- 09:00 - 09:30 Opening\n- 09:30 - 25:00 Marathon\n- 13:00 pm - 14:00 Lunch\n")
    assert [(p.line, p.message.split(";")[0]) for p in caught.value.problems] == [
        (4, "'25:00' is not a time (hours run from 00 to 23, or 24:00 for midnight)"),
        (5, "'13:00 pm' is not a time (with am/pm, hours run from 1 to 12)"),
    ]


def test_times_without_a_title_are_reported_with_their_line() -> None:
    with pytest.raises(ScheduleError) as caught:
        document("- 09:00 - 09:30 Opening\n- 09:30 - 10:00 **\n")
    assert caught.value.problems[0].line == 2
    assert "no title" in caught.value.problems[0].message


# --- fuzz --------------------------------------------------------------------------------------------------

line_bits = st.sampled_from(
    [
        "- ",
        "* ",
        "1. ",
        "09:00",
        "9:00 am",
        "12 pm",
        "23:30",
        "24:00",
        "00:00",
        " - ",
        " – ",
        " to ",
        "*Break*",
        "**",
        "_",
        "Invited Talk",
        "\n",
        " ",
        "#",
        "Proposal: ",
        "99:99",
        "9h",
        "\u2028",
        "\x00",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(line_bits | st.text(max_size=8), max_size=30),
    date=st.none() | st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    timezone=st.none() | st.sampled_from(["Europe/Vienna", "America/St_Johns", "Nowhere/Atlantis", " "]),
)
def test_arbitrary_text_raises_only_schedule_or_usage_errors(
    pieces: list[str], date: dt.date | None, timezone: str | None
) -> None:
    text = "".join(pieces)
    with contextlib.suppress(ScheduleError, UsageError):
        build_schedule(plaintext_document(text, "fuzz.txt", date=date, timezone=timezone), "fuzz.txt")
