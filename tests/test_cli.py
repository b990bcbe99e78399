"""The command line as an organizer uses it: summaries, tables, JSON, conversion, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bot.schedule.loader import load_schedule

Run = Callable[..., Result]
Write = Callable[[str, str], Path]

ROOT = Path(__file__).resolve().parent.parent
ICLR = ROOT / "schedule" / "iclr2024-rrfm.yaml"
EXAMPLES = sorted((ROOT / "schedule").glob("*.yaml"))

SMALL = """
event: {name: Small, timezone: Europe/Vienna, date: 2024-05-11, display_timezones: [America/New_York, Pacific/Auckland]}
sessions:
  - {id: opening, title: Opening, start: "08:50", end: "09:00"}
  - {id: invited-1, title: Invited Talk 1, start: "09:00", end: "09:30", speakers: ["Andrew Wilson (New York University)"]}
  - {id: posters-1, title: Poster Session 1, start: "10:15", end: "11:15", posters: [{id: P1, title: Paper}]}
  - {id: lunch, title: Lunch, kind: break, start: "12:15", end: "13:30"}
"""


# --- check -----------------------------------------------------------------------------------------------------


def test_check_prints_one_summary_line_per_valid_file(run: Run) -> None:
    result = run("check", *EXAMPLES)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXAMPLES) >= 3
    assert all(": ok: " in line for line in lines)
    iclr = next(line for line in lines if "iclr2024" in line)
    assert "16 sessions (1 opening, 8 talk, 3 contributed, 2 poster, 1 break, 1 panel) on 2024-05-11" in iclr
    assert "08:50–18:00 Europe/Vienna" in iclr


def test_check_reports_problems_and_exits_1(run: Run, write: Write) -> None:
    good = write("good.yaml", SMALL)
    bad = write("bad.yaml", SMALL.replace('end: "09:30"', 'end: "08:30"'))
    result = run("check", good, bad)
    assert result.exit_code == 1
    assert f"{good}: ok: " in result.stdout
    assert f"{bad}: invalid: 1 problem" in result.stderr
    assert f"{bad}:4: session 'invited-1': end is not after start" in result.stderr
    assert "Traceback" not in result.output


#: One break: one session, one post.
ONE = """
event: {name: One, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: lunch, title: Lunch, kind: break, start: "12:00", end: "13:00"}
"""


def test_one_session_and_one_announcement_are_counted_in_the_singular(run: Run, write: Write) -> None:
    path = write("one.yaml", ONE)
    result = run("check", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"{path}: ok: 'One': 1 session (1 break) on 2024-05-11, 12:00–13:00 Europe/Vienna; 1 announcement planned\n"
    )


def test_missing_file_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run("check", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_unknown_command_and_option_are_usage_errors(run: Run) -> None:
    assert run("chair").exit_code == 2
    assert run("show", ICLR, "--colour").exit_code == 2


def test_unknown_zone_option_suggests_the_right_one(run: Run) -> None:
    result = run("show", ICLR, "--tz", "Asia/Kathmndu")
    assert result.exit_code == 2
    assert "unknown time zone 'Asia/Kathmndu'; did you mean 'Asia/Kathmandu'?" in result.stderr


# --- show ------------------------------------------------------------------------------------------------------


def test_show_table_has_a_column_per_zone_and_marks_other_days(run: Run, write: Write) -> None:
    result = run("show", write("s.yaml", SMALL))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Vienna"))
    assert header.split()[:4] == ["Vienna", "New", "York", "Auckland"]
    talk = next(line for line in lines if "invited-1" in line)
    assert talk.split()[:3] == ["09:00–09:30", "03:00–03:30", "19:00–19:30"]
    assert "Invited Talk 1 — Andrew Wilson (New York University)" in talk
    assert "Saturday 11 May 2024 (Vienna)" in result.stdout


def test_show_with_asked_zones_replaces_the_display_zones(run: Run, write: Write) -> None:
    result = run("show", write("s.yaml", SMALL), "--tz", "America/Los_Angeles", "--tz", "Asia/Kathmandu")
    opening = next(line for line in result.stdout.splitlines() if "opening" in line)
    # Los Angeles is still on Friday when the day starts at the venue: the weekday says so.
    assert opening.split()[:5] == ["08:50–09:00", "Fri", "23:50–Sat", "00:00", "12:35–12:45"]


def test_show_legend_says_which_columns_carry_weekdays(run: Run, write: Write) -> None:
    result = run("show", write("s.yaml", SMALL), "--tz", "America/Los_Angeles")
    lines = result.stdout.splitlines()
    assert lines[1] == (
        "Times: Europe/Vienna, America/Los_Angeles; a column with a start on another day than at the venue shows "
        "the weekday of every start, and an end on another day than its start shows its own"
    )
    # Only the opening starts on Friday in Los Angeles; every start in the column has its weekday all the same.
    lunch = next(line for line in lines if "lunch" in line)
    assert lunch.split()[:2] == ["12:15–13:30", "Sat"]


def test_show_json_notes_that_tz_chooses_only_the_tables_columns(run: Run, write: Write) -> None:
    plain = run("show", write("s.yaml", SMALL), "--json")
    result = run("show", write("s.yaml", SMALL), "--json", "--tz", "Asia/Tokyo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == plain.stdout
    assert result.stderr == "chairbot: note: --tz chooses the columns of the table; ignored with --json\n"


def test_show_json_lists_sessions_by_start_in_utc(run: Run, write: Write) -> None:
    result = run("show", write("s.yaml", SMALL), "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["event"]["timezone"] == "Europe/Vienna"
    assert data["event"]["display_timezones"] == ["America/New_York", "Pacific/Auckland"]
    sessions = data["sessions"]
    assert [s["id"] for s in sessions] == ["opening", "invited-1", "posters-1", "lunch"]
    assert sessions[1]["start"] == "2024-05-11T07:00:00Z"
    assert sessions[1]["end"] == "2024-05-11T07:30:00Z"
    assert sessions[1]["kind"] == "talk"
    assert sessions[1]["speakers"] == [{"name": "Andrew Wilson", "affiliation": "New York University"}]
    assert sessions[2]["posters"][0]["id"] == "P1"
    assert sessions == sorted(sessions, key=lambda s: s["start"])


def test_show_invalid_schedule_exits_1_with_the_problem(run: Run, write: Write) -> None:
    result = run("show", write("bad.yaml", SMALL.replace("Europe/Vienna", "Europe/Wien")))
    assert result.exit_code == 1
    assert "unknown time zone 'Europe/Wien'" in result.stderr
    assert result.stdout == ""


# --- plan ------------------------------------------------------------------------------------------------------


def test_plan_uses_the_default_offsets_per_kind(run: Run, write: Write) -> None:
    result = run("plan", write("s.yaml", SMALL), "--json")
    assert result.exit_code == 0
    plan = [(a["id"], a["session"], a["kind"], a["at"]) for a in json.loads(result.stdout)["announcements"]]
    assert plan == [
        ("opening:before-10m", "opening", "before", "2024-05-11T06:40:00Z"),
        ("opening:start", "opening", "start", "2024-05-11T06:50:00Z"),
        ("invited-1:before-10m", "invited-1", "before", "2024-05-11T06:50:00Z"),
        ("invited-1:start", "invited-1", "start", "2024-05-11T07:00:00Z"),
        ("invited-1:qa-close", "invited-1", "qa-close", "2024-05-11T07:40:00Z"),
        ("posters-1:before-15m", "posters-1", "before", "2024-05-11T08:00:00Z"),
        ("posters-1:start", "posters-1", "start", "2024-05-11T08:15:00Z"),
        ("lunch:start", "lunch", "start", "2024-05-11T10:15:00Z"),
    ]


def test_plan_offsets_are_configurable_per_kind_and_per_session(run: Run, write: Write) -> None:
    text = SMALL.replace("display_timezones:", "announce: {talk: [30, 5, 0], break: []}, display_timezones:")
    text = text.replace("title: Opening,", "title: Opening, announce: [0],")
    result = run("plan", write("s.yaml", text), "--json")
    ids = [a["id"] for a in json.loads(result.stdout)["announcements"]]
    assert ids == [
        "invited-1:before-30m",
        "opening:start",
        "invited-1:before-5m",
        "invited-1:start",
        "invited-1:qa-close",
        "posters-1:before-15m",
        "posters-1:start",
    ]


def test_plan_ids_are_stable_from_run_to_run(run: Run) -> None:
    first = run("plan", ICLR, "--json").stdout
    second = run("plan", ICLR, "--json").stdout
    assert first == second
    ids = [a["id"] for a in json.loads(first)["announcements"]]
    assert len(ids) == len(set(ids))


def test_plan_of_one_announcement_says_so_in_the_singular(run: Run, write: Write) -> None:
    result = run("plan", write("one.yaml", ONE))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "One: 1 announcement (times in Europe/Vienna)"


def test_plan_table_is_readable(run: Run, write: Write) -> None:
    result = run("plan", write("s.yaml", SMALL))
    assert result.exit_code == 0
    assert "Small: 8 announcements (times in Europe/Vienna)" in result.stdout
    assert any(
        "Sat 11 May 08:50" in line and "in 10 min" in line and "invited-1:before-10m" in line
        for line in result.stdout.splitlines()
    )


def test_plan_lists_the_qa_closing_notes_the_bot_posts(run: Run, write: Write) -> None:
    result = run("plan", write("s.yaml", SMALL), "--json")
    closing = [a for a in json.loads(result.stdout)["announcements"] if a["kind"] == "qa-close"]
    # Only the talk has Q&A; its note is due 10 minutes (qa_close_after_minutes) after its 09:30 end.
    assert closing == [
        {
            "id": "invited-1:qa-close",
            "session": "invited-1",
            "kind": "qa-close",
            "at": "2024-05-11T07:40:00Z",
            "minutes_before": None,
            "session_kind": "talk",
            "title": "Invited Talk 1",
        }
    ]
    table = run("plan", write("s.yaml", SMALL)).stdout
    assert any("09:40" in line and "Q&A closes" in line and "invited-1:qa-close" in line for line in table.splitlines())


def test_plan_and_rehearse_take_the_qa_closing_delay(run: Run, write: Write) -> None:
    path = write("s.yaml", SMALL)
    plan = json.loads(run("plan", path, "--json", "--qa-close-after", "25").stdout)["announcements"]
    assert next(a["at"] for a in plan if a["id"] == "invited-1:qa-close") == "2024-05-11T07:55:00Z"
    rehearsal = run("rehearse", path, "--speed", "100000", "--qa-close-after", "25")
    assert rehearsal.exit_code == 0, rehearsal.stderr
    assert "── Sat 09:55:00 Vienna · #announcements › Q&A: Invited Talk 1 ──" in rehearsal.stdout
    assert run("plan", path, "--qa-close-after", "-1").exit_code == 2


def test_check_plan_and_rehearse_count_the_same_announcements(run: Run) -> None:
    summary = run("check", ICLR).stdout
    checked = int(summary.split("; ")[-1].split()[0])
    planned = len(json.loads(run("plan", ICLR, "--json").stdout)["announcements"])
    table = run("plan", ICLR).stdout.splitlines()[0]
    rehearsed = run("rehearse", ICLR, "--speed", "100000").stdout.splitlines()[0]
    assert checked == planned == 43
    assert f": {planned} announcements (times in Europe/Vienna)" in table
    assert f": {planned} announcements from " in rehearsed


# --- import ----------------------------------------------------------------------------------------------------


def test_import_writes_yaml_that_loads_to_the_same_instants(run: Run, write: Write, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    result = run("import", ICLR, "-o", out)
    assert result.exit_code == 0, result.stderr
    before = run("show", ICLR, "--json").stdout
    after = run("show", out, "--json").stdout
    assert json.loads(after)["sessions"] == json.loads(before)["sessions"]


def test_import_of_one_session_says_so_in_the_singular(run: Run, write: Write, tmp_path: Path) -> None:
    path = write("one.yaml", ONE)
    result = run("import", path, "-o", tmp_path / "out.yaml")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"{tmp_path / 'out.yaml'}: wrote 1 session from {path} (yaml)\n"


def test_import_to_standard_output(run: Run, write: Write) -> None:
    result = run("import", write("s.yaml", SMALL))
    assert result.exit_code == 0
    assert result.stdout.startswith("# Imported by chairbot from s.yaml (yaml).")
    assert 'start: "09:00"' in result.stdout


@pytest.mark.parametrize("command", ["check", "show", "plan", "rehearse", "import"])
def test_date_on_a_file_that_is_not_plain_text_is_noted_once_as_ignored(run: Run, write: Write, command: str) -> None:
    path = write("s.yaml", SMALL)
    extra = ["--speed", "100000"] if command == "rehearse" else []
    result = run(command, path, "--date", "2024-05-12", *extra)
    assert result.exit_code == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "note:" in line]
    assert notes == [f"chairbot: note: {path}: --date applies only to plain-text schedules; ignored"]


def test_import_notes_date_and_name_together_as_ignored(run: Run, write: Write) -> None:
    path = write("s.yaml", SMALL)
    result = run("import", path, "--date", "2024-05-12", "--name", "Other")
    assert result.exit_code == 0, result.stderr
    assert f"chairbot: note: {path}: --date and --name apply only to plain-text schedules; ignored" in result.stderr


PLAIN = """
Tentative Workshop Schedule.

Morning:

- 08:50 – 09:00 Introduction and opening remarks
- 09:00 - 09:30 Invited Talk 1
- 10:15 - 11:15 Poster Session 1
- 12:15 - 13:30 *Break*
"""


def test_import_plain_text_needs_date_and_zone(run: Run, write: Write) -> None:
    path = write("proposal.txt", PLAIN)
    result = run("import", path)
    assert result.exit_code == 2
    assert "--date" in result.stderr
    result = run("import", path, "--date", "2024-05-11")
    assert result.exit_code == 2
    assert "--venue-tz" in result.stderr


def test_import_plain_text_with_date_and_zone(run: Run, write: Write, tmp_path: Path) -> None:
    out = tmp_path / "day.yaml"
    result = run(
        "import", write("proposal.txt", PLAIN), "--date", "2024-05-11", "--venue-tz", "Europe/Vienna", "-o", out
    )
    assert result.exit_code == 0, result.stderr
    schedule = load_schedule(out)
    assert [s.kind.value for s in schedule.sessions] == ["opening", "talk", "poster", "break"]
    assert schedule.sessions[0].start.isoformat() == "2024-05-11T06:50:00+00:00"


def test_bad_date_option_is_a_usage_error(run: Run, write: Write) -> None:
    result = run("import", write("proposal.txt", PLAIN), "--date", "11/05/2024", "--venue-tz", "Europe/Vienna")
    assert result.exit_code == 2
    assert "write YYYY-MM-DD" in result.stderr


def test_show_reads_plain_text_with_the_venue_zone_and_display_zones(run: Run, write: Write) -> None:
    result = run(
        "show",
        write("proposal.txt", PLAIN),
        "--date",
        "2024-05-11",
        "--venue-tz",
        "Europe/Vienna",
        "--tz",
        "Asia/Kolkata",
        "--json",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["sessions"][1]["start"] == "2024-05-11T07:00:00Z"


# --- the venue's zone and display zones -------------------------------------------------------------------------

#: A Pentabarf export without <time_zone_name>: its times are on a clock nobody named.
NO_ZONE = ROOT / "tests" / "schedule" / "fixtures" / "frab_pentabarf_berlin_no_dates.xml"


def test_check_of_a_file_without_a_zone_is_an_input_problem_naming_venue_tz(run: Run) -> None:
    result = run("check", NO_ZONE)
    assert result.exit_code == 1
    assert f"{NO_ZONE}: invalid: 1 problem" in result.stderr
    assert f"{NO_ZONE}:3: conference: has no 'time_zone_name'" in result.stderr
    assert "--venue-tz Europe/Vienna" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["check", "show", "import", "plan", "rehearse"])
def test_every_command_that_loads_a_schedule_takes_venue_tz(run: Run, command: str) -> None:
    extra = ["--speed", "100000"] if command == "rehearse" else []
    result = run(command, NO_ZONE, "--venue-tz", "Europe/Berlin", *extra)
    assert result.exit_code == 0, result.stderr
    assert "Europe/Berlin" in result.stdout


def test_show_tz_is_never_taken_for_the_venue_zone(run: Run) -> None:
    result = run("show", NO_ZONE, "--tz", "America/New_York")
    assert result.exit_code == 1
    assert "--venue-tz" in result.stderr
    assert "New York" not in result.stdout


def test_show_tz_adds_columns_after_the_venue_zone(run: Run) -> None:
    result = run("show", NO_ZONE, "--venue-tz", "Europe/Berlin", "--tz", "America/New_York")
    assert result.exit_code == 0, result.stderr
    assert "Times: Europe/Berlin, America/New_York;" in result.stdout
    assert "Saturday 26 October 2024 (Berlin)" in result.stdout
    opening = next(line for line in result.stdout.splitlines() if "5101" in line)
    assert opening.split()[:2] == ["22:00–23:00", "16:00–17:00"]


def test_show_tz_keeps_the_zone_a_file_names(run: Run, write: Write) -> None:
    path = write("s.yaml", SMALL)
    table = run("show", path, "--tz", "America/Los_Angeles")
    assert "Saturday 11 May 2024 (Vienna)" in table.stdout
    assert table.stdout.splitlines()[1].startswith("Times: Europe/Vienna, America/Los_Angeles;")
    data = json.loads(run("show", path, "--tz", "America/Los_Angeles", "--json").stdout)
    assert data["event"]["timezone"] == "Europe/Vienna"


def test_a_file_zone_wins_over_venue_tz_with_a_note(run: Run, write: Write) -> None:
    result = run("show", write("s.yaml", SMALL), "--venue-tz", "Asia/Tokyo", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["event"]["timezone"] == "Europe/Vienna"
    assert "names its own zone, Europe/Vienna; --venue-tz Asia/Tokyo ignored" in result.stderr


def test_an_unknown_venue_tz_is_a_usage_error_with_a_suggestion(run: Run) -> None:
    result = run("check", NO_ZONE, "--venue-tz", "Europe/Berln")
    assert result.exit_code == 2
    assert "unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?" in result.stderr


@pytest.mark.parametrize("command", ["show", "import"])
def test_plain_text_with_only_tz_is_told_to_use_venue_tz(run: Run, write: Write, command: str) -> None:
    result = run(command, write("proposal.txt", PLAIN), "--date", "2024-05-11", "--tz", "Europe/Vienna")
    assert result.exit_code == 2
    assert "a plain-text schedule has no time zone" in result.stderr
    assert "--tz only adds display zones: for the venue write --venue-tz Europe/Vienna" in result.stderr


@pytest.mark.parametrize("command", ["check", "plan", "rehearse"])
def test_commands_without_display_zones_point_tz_to_venue_tz(run: Run, write: Write, command: str) -> None:
    result = run(command, write("proposal.txt", PLAIN), "--date", "2024-05-11", "--tz", "Europe/Vienna")
    assert result.exit_code == 2
    assert "--venue-tz Europe/Vienna" in result.stderr


def test_import_tz_appends_display_zones_to_the_written_file(run: Run, write: Write, tmp_path: Path) -> None:
    out = tmp_path / "out.yaml"
    result = run("import", write("s.yaml", SMALL), "--tz", "Asia/Kolkata", "--tz", "America/New_York", "-o", out)
    assert result.exit_code == 0, result.stderr
    schedule = load_schedule(out)
    assert [z.key for z in schedule.event.display_timezones] == ["America/New_York", "Pacific/Auckland", "Asia/Kolkata"]
    assert schedule.event.timezone.key == "Europe/Vienna"


def test_import_plain_text_with_venue_and_display_zones(run: Run, write: Write, tmp_path: Path) -> None:
    out = tmp_path / "day.yaml"
    args = ["--date", "2024-05-11", "--venue-tz", "Europe/Vienna", "--tz", "Asia/Kolkata", "-o", out]
    result = run("import", write("proposal.txt", PLAIN), *args)
    assert result.exit_code == 0, result.stderr
    schedule = load_schedule(out)
    assert schedule.event.timezone.key == "Europe/Vienna"
    assert [z.key for z in schedule.event.display_timezones] == ["Asia/Kolkata"]


# --- the installed entry points ------------------------------------------------------------------------------


def test_python_dash_m_bot_runs_the_same_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", str(ICLR)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert ": ok: " in result.stdout


def test_an_internal_error_shows_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.cli

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.delenv("CHAIRBOT_DEBUG", raising=False)
    monkeypatch.setattr(bot.cli, "load_with_format", explode)
    with pytest.raises(SystemExit) as info:
        bot.cli.main(["check", str(ICLR)])
    assert info.value.code == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err
    assert "Traceback" not in err


def test_check_goes_on_after_a_file_that_needs_an_option(run: Run, write: Write) -> None:
    plain = write("proposal.txt", PLAIN)
    result = run("check", plain, ICLR)
    assert result.exit_code == 2
    assert f"{plain}: cannot check: " in result.stderr
    assert "--date" in result.stderr
    assert f"{ICLR}: ok: " in result.stdout


def test_run_without_a_token_names_discord_token_and_shows_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CHAIRBOT_") and k != "DISCORD_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode == 1
    assert "DISCORD_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
