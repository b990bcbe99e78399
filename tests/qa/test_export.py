"""Export formats on plain data: per session, by votes, readable for speakers, anonymous askers kept anonymous."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from bot.qa import Question, SessionSettings, Status
from bot.qa.export import escape_markdown, listing_table, to_csv, to_json, to_markdown

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
