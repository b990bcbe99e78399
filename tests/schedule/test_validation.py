"""Every way a native schedule can be wrong gives a clear problem naming the file, the session (or line)
and what to fix; every problem in a file is reported, not just the first."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bot.schedule.errors import ScheduleError
from bot.schedule.loader import load_schedule
from bot.schedule.model import Kind

Write = Callable[[str, str], Path]

# Without a final newline: a test appends its sessions starting with one, so they begin on line 3.
HEAD = "event: {name: Test Workshop, timezone: Europe/Vienna, date: 2024-05-11}\nsessions:"


def problems(path: Path) -> list[str]:
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    return info.value.render().splitlines()


def test_a_valid_schedule_resolves_local_times_at_the_venue(write: Write) -> None:
    path = write(
        "ok.yaml",
        HEAD
        + """
      - {id: invited-1, title: Invited Talk 1, start: 09:00, end: 09:30}
      - {id: posters-1, title: Poster Session 1, start: 10:15, end: 11:15}
    """,
    )
    schedule = load_schedule(path)
    talk, posters = schedule.sessions
    assert talk.start == dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC)
    assert posters.start == dt.datetime(2024, 5, 11, 8, 15, tzinfo=dt.UTC)
    assert (talk.kind, posters.kind) == (Kind.TALK, Kind.POSTER)
    assert talk.qa
    assert not posters.qa


def test_unquoted_times_after_ten_are_times_not_base_60_numbers(write: Write) -> None:
    path = write("sexagesimal.yaml", HEAD + "\n  - {id: a, title: Talk, start: 10:15, end: 11:45}\n")
    (session,) = load_schedule(path).sessions
    assert session.end - session.start == dt.timedelta(minutes=90)


def test_offset_times_are_taken_as_written(write: Write) -> None:
    path = write(
        "offset.yaml",
        HEAD
        + """
      - {id: a, title: Talk, start: "2024-05-11T09:00:00-04:00", end: "2024-05-11T09:30-04:00"}
    """,
    )
    (session,) = load_schedule(path).sessions
    assert session.start == dt.datetime(2024, 5, 11, 13, 0, tzinfo=dt.UTC)


def test_session_date_overrides_the_event_date(write: Write) -> None:
    path = write("days.yaml", HEAD + "\n  - {id: a, title: Talk, date: 2024-05-12, start: 09:00, end: '24:00'}\n")
    (session,) = load_schedule(path).sessions
    assert session.start == dt.datetime(2024, 5, 12, 7, 0, tzinfo=dt.UTC)
    assert session.end == dt.datetime(2024, 5, 12, 22, 0, tzinfo=dt.UTC)


def test_unknown_event_zone_names_the_fix(write: Write) -> None:
    path = write(
        "zone.yaml",
        """
      event: {name: X, timezone: Europe/Viena, date: 2024-05-11}
      sessions: [{id: a, title: Talk, start: 09:00, end: 09:30}]
    """,
    )
    assert problems(path) == [
        f"{path}:1: event: timezone: unknown time zone 'Europe/Viena'; did you mean 'Europe/Vienna'?"
    ]


def test_unknown_display_zone_is_reported_with_the_valid_rest(write: Write) -> None:
    path = write(
        "display.yaml",
        """
      event: {name: X, timezone: Europe/Vienna, date: 2024-05-11, display_timezones: [Asia/Tokio, UTC]}
      sessions: [{id: a, title: Talk, start: 09:00, end: 09:30}]
    """,
    )
    assert problems(path) == [
        f"{path}:1: event: display_timezones[0]: unknown time zone 'Asia/Tokio'; did you mean 'Asia/Tokyo'?"
    ]


def test_end_not_after_start_names_the_session_and_its_line(write: Write) -> None:
    path = write(
        "order.yaml",
        HEAD
        + """
      - {id: ok, title: Talk, start: 08:00, end: 08:30}
      - {id: backwards, title: Talk 2, start: 09:30, end: 09:00}
      - {id: empty, title: Talk 3, start: 10:00, end: 10:00}
    """,
    )
    assert problems(path) == [
        f"{path}:4: session 'backwards': end is not after start (09:30–09:00 Europe/Vienna); fix 'end' or 'start'",
        f"{path}:5: session 'empty': end is not after start (10:00–10:00 Europe/Vienna); fix 'end' or 'start'",
    ]


def test_overlap_in_the_same_room_names_both_sessions(write: Write) -> None:
    path = write(
        "overlap.yaml",
        HEAD
        + """
      - {id: a, title: Talk A, start: 09:00, end: 10:00, room: main}
      - {id: b, title: Talk B, start: 09:30, end: 10:30, room: main}
      - {id: c, title: Talk C, start: 09:30, end: 10:30, room: side}
    """,
    )
    assert problems(path) == [
        f"{path}:4: session 'b': overlaps session 'a' (09:00–10:00) in room 'main'; "
        "change a time or put one in another room"
    ]


def test_sessions_without_a_room_share_the_main_room(write: Write) -> None:
    path = write(
        "noroom.yaml",
        HEAD
        + """
      - {id: a, title: Talk A, start: 09:00, end: 10:00}
      - {id: b, title: Talk B, start: 09:59, end: 10:30}
    """,
    )
    (line,) = problems(path)
    assert "session 'b': overlaps session 'a'" in line
    assert "the main room (no room given)" in line


def test_back_to_back_sessions_do_not_overlap(write: Write) -> None:
    path = write(
        "adjacent.yaml",
        HEAD
        + """
      - {id: a, title: Talk A, start: 09:00, end: 10:00}
      - {id: b, title: Talk B, start: 10:00, end: 10:30}
    """,
    )
    assert len(load_schedule(path).sessions) == 2


def test_duplicate_ids_point_at_the_first_use(write: Write) -> None:
    path = write(
        "dup.yaml",
        HEAD
        + """
      - {id: talk, title: Talk A, start: 09:00, end: 10:00}
      - {id: talk, title: Talk B, start: 10:00, end: 10:30}
    """,
    )
    assert problems(path) == [
        f"{path}:4: session 'talk': duplicate id: line 3 already uses 'talk'; give each session its own id"
    ]


def test_missing_required_fields_are_named(write: Write) -> None:
    path = write(
        "missing.yaml",
        HEAD
        + """
      - {id: a, start: 09:00, end: 10:00}
      - {title: No id, start: 10:00, end: 10:30}
    """,
    )
    assert problems(path) == [
        f"{path}:3: session 'a': missing required field 'title'",
        f"{path}:4: session '#2': missing required field 'id'",
    ]


def test_missing_event_section(write: Write) -> None:
    path = write(
        "noevent.yaml", "sessions: [{id: a, title: T, start: '2024-05-11T09:00Z', end: '2024-05-11T10:00Z'}]\n"
    )
    assert problems(path) == [f"{path}: missing the 'event' section (it needs at least 'name' and 'timezone')"]


def test_misspelt_fields_get_a_suggestion(write: Write) -> None:
    path = write(
        "typo.yaml",
        """
      event: {name: X, timezone: Europe/Vienna, date: 2024-05-11, display_timezone: [UTC]}
      sessions:
        - {id: a, tittle: Talk, title: Talk, start: 09:00, end: 09:30, speakers: [{name: A, afiliation: B}]}
    """,
    )
    assert problems(path) == [
        f"{path}:1: event: unknown field 'display_timezone'; did you mean 'display_timezones'?",
        f"{path}:3: session 'a': unknown field 'afiliation'; did you mean 'affiliation'?",
        f"{path}:3: session 'a': unknown field 'tittle'; did you mean 'title'?",
    ]


def test_unknown_kind_lists_the_kinds(write: Write) -> None:
    path = write("kind.yaml", HEAD + "\n  - {id: a, title: Talk, kind: lecturette, start: 09:00, end: 09:30}\n")
    (line,) = problems(path)
    assert "session 'a': kind: unknown kind 'lecturette'; use one of opening, talk, contributed, poster" in line


def test_kind_aliases_are_accepted(write: Write) -> None:
    path = write(
        "alias.yaml",
        HEAD
        + """
      - {id: a, title: Opening keynote, kind: Keynote, start: 09:00, end: 09:30}
      - {id: b, title: Food, kind: lunch, start: 12:00, end: 13:00}
    """,
    )
    assert [s.kind for s in load_schedule(path).sessions] == [Kind.TALK, Kind.BREAK]


def test_a_time_in_the_spring_forward_gap_must_carry_an_offset(write: Write) -> None:
    path = write(
        "gap.yaml",
        """
      event: {name: X, timezone: Europe/Vienna, date: 2024-03-31}
      sessions: [{id: night, title: Night talk, start: "02:30", end: "03:30"}]
    """,
    )
    (line,) = problems(path)
    assert line.startswith(f"{path}:2: session 'night': start: 02:30 on 2024-03-31 does not exist in Europe/Vienna")
    assert "'2024-03-31T03:30+02:00'" in line


def test_a_time_in_the_fall_back_fold_must_carry_an_offset(write: Write) -> None:
    path = write(
        "fold.yaml",
        """
      event: {name: X, timezone: Europe/Vienna, date: 2024-10-27}
      sessions: [{id: night, title: Night talk, start: "01:30", end: "02:30"}]
    """,
    )
    (line,) = problems(path)
    assert "session 'night': end: 02:30 on 2024-10-27 happens twice in Europe/Vienna" in line
    assert "'2024-10-27T02:30+02:00' for the first or '2024-10-27T02:30+01:00' for the second" in line


def test_the_fold_is_fine_when_written_with_its_offset(write: Write) -> None:
    path = write(
        "fold-ok.yaml",
        """
      event: {name: X, timezone: Europe/Vienna, date: 2024-10-27}
      sessions: [{id: night, title: Night talk, start: "01:30", end: "2024-10-27T02:30+01:00"}]
    """,
    )
    (session,) = load_schedule(path).sessions
    assert session.duration == dt.timedelta(hours=2)


def test_local_time_without_any_date_says_where_to_put_one(write: Write) -> None:
    path = write(
        "nodate.yaml",
        """
      event: {name: X, timezone: Europe/Vienna}
      sessions: [{id: a, title: Talk, start: "09:00", end: "2024-05-11T10:00+02:00"}]
    """,
    )
    assert problems(path) == [
        f"{path}:2: session 'a': start '09:00' has no date: give the session a 'date' or the event a default 'date'"
    ]


@pytest.mark.parametrize("value", ["9 am", "25:00", "09:60", "tomorrow", "2024-05-11"])
def test_values_that_are_not_times_say_how_to_write_one(write: Write, value: str) -> None:
    path = write("bad-time.yaml", HEAD + f"\n  - {{id: a, title: Talk, start: '{value}', end: '2024-05-11T10:00Z'}}\n")
    (line,) = problems(path)
    assert f"session 'a': start '{value}' is not a" in line


def test_bad_urls_are_refused(write: Write) -> None:
    path = write(
        "url.yaml",
        HEAD + "\n  - {id: a, title: Talk, start: 09:00, end: 09:30, links: {stream: 'javascript:alert(1)'}}\n",
    )
    (line,) = problems(path)
    assert "session 'a': links.stream: must be a web address starting with http:// or https://" in line


def test_every_problem_in_a_file_is_reported_at_once(write: Write) -> None:
    path = write(
        "many.yaml",
        HEAD
        + """
      - {id: a, title: Talk, start: 09:00, end: 08:00}
      - {id: b, start: 09:00, end: 10:00}
      - {id: a, title: Talk, start: 11:00, end: 12:00}
    """,
    )
    assert len(problems(path)) == 3


def test_an_empty_session_list_is_an_error(write: Write) -> None:
    path = write("empty.yaml", "event: {name: X, timezone: UTC}\nsessions: []\n")
    assert problems(path) == [f"{path}:2: the schedule has no sessions"]


def test_speaker_shorthand_with_affiliation(write: Write) -> None:
    path = write(
        "speakers.yaml",
        HEAD + "\n  - {id: a, title: Talk, start: 09:00, end: 09:30, speakers: ['Been Kim (Google DeepMind)']}\n",
    )
    (session,) = load_schedule(path).sessions
    assert (session.speakers[0].name, session.speakers[0].affiliation) == ("Been Kim", "Google DeepMind")


def test_numeric_ids_become_text(write: Write) -> None:
    path = write("numeric.yaml", HEAD + "\n  - {id: 12, title: Talk, start: 09:00, end: 09:30}\n")
    assert load_schedule(path).sessions[0].id == "12"


# --- through `chairbot check`: only the real problems, each with its line --------------------------------------

Run = Callable[..., Result]

TALK = '\n  - {id: a, title: Talk, start: "09:00", end: "10:00"}\n'


def check_problems(run: Run, path: Path) -> list[str]:
    """The problem lines `chairbot check` prints for ``path``, after its count."""
    result = run("check", path)
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    return result.stderr.splitlines()[1:]


def test_a_typo_in_the_event_does_not_hide_its_unknown_zone_nor_take_the_sessions_date(run: Run, write: Write) -> None:
    path = write("typo.yaml", "event: {name: x, timezone: Europe/Vienn, date: 2024-05-11, nme: y}\nsessions:" + TALK)
    assert check_problems(run, path) == [
        f"{path}:1: event: unknown field 'nme'; did you mean 'name'?",
        f"{path}:1: event: timezone: unknown time zone 'Europe/Vienn'; did you mean 'Europe/Vienna'?",
    ]


def test_an_empty_display_zone_is_named_as_such_with_its_place(run: Run, write: Write) -> None:
    path = write(
        "empty-zone.yaml",
        'event:\n  name: x\n  timezone: Europe/Vienna\n  date: 2024-05-11\n  display_timezones:\n    - UTC\n    - ""\n'
        "sessions:" + TALK,
    )
    assert check_problems(run, path) == [
        f"{path}:7: event: display_timezones[1]: the name of a display zone is empty; "
        "write an IANA name such as 'Europe/Vienna'"
    ]


def test_an_empty_venue_zone_is_named_as_such(run: Run, write: Write) -> None:
    path = write("empty-venue.yaml", 'event: {name: x, timezone: " ", date: 2024-05-11}\nsessions:' + TALK)
    assert check_problems(run, path) == [
        f"{path}:1: event: timezone: the name of the venue's zone is empty; write an IANA name such as 'Europe/Vienna'"
    ]


def test_a_wrong_event_date_is_reported_once_not_for_every_session(run: Run, write: Write) -> None:
    path = write(
        "date.yaml",
        "event:\n  name: x\n  timezone: Europe/Vienna\n  date: 2024-02-30\nsessions:"
        + TALK
        + '  - {id: b, title: Talk, start: "10:00", end: "11:00"}\n',
    )
    (only,) = check_problems(run, path)
    assert only.startswith(f"{path}:4: event: date: input should be a valid date")


def test_a_session_without_any_date_is_still_told_to_get_one(run: Run, write: Write) -> None:
    path = write("no-date.yaml", "event: {name: x, timezone: Europe/Vienna}\nsessions:" + TALK)
    assert check_problems(run, path) == [
        f"{path}:3: session 'a': start '09:00' has no date: give the session a 'date' or the event a default 'date'",
        f"{path}:3: session 'a': end '10:00' has no date: give the session a 'date' or the event a default 'date'",
    ]


# --- dates at the edge of the calendar ---------------------------------------------------------------------------

YEARS = "write the real date (a year from 1900 to 2999)"


@pytest.mark.parametrize(
    ("date", "start", "end"),
    [("9999-12-31", "23:00", "24:00"), ("0001-01-01", "00:00", "01:00")],
)
@pytest.mark.parametrize("command", ["check", "show", "plan", "import", "rehearse"])
def test_an_event_date_at_the_edge_of_the_calendar_is_a_problem_to_fix(
    run: Run, write: Write, command: str, date: str, start: str, end: str
) -> None:
    path = write(
        "edge.yaml",
        f'event: {{name: x, timezone: Europe/Vienna, date: {date}}}\nsessions:\n  - {{id: a, title: Talk, start: "{start}", end: "{end}"}}\n',
    )
    result = run(command, path)
    assert result.exit_code == 1, result.output
    assert f"{path}:1: event: date: {date} is not a plausible date for a schedule; {YEARS}" in result.stderr
    assert "has no date" not in result.stderr


@pytest.mark.parametrize("end", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:30:00+01:00", "0001-01-01 00:30"])
def test_a_date_time_at_the_edge_of_the_calendar_is_a_problem_to_fix(run: Run, write: Write, end: str) -> None:
    path = write("edge.yaml", HEAD + f'\n  - {{id: a, title: Talk, start: "09:00", end: "{end}"}}\n')
    assert check_problems(run, path) == [
        f"{path}:3: session 'a': end {end!r} is not on a plausible date for a schedule; {YEARS}"
    ]


# --- files that are not schedule-sized ---------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_refused_at_the_size_limit() -> None:
    # In a subprocess with a timeout: a reader without a limit would never return.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "check", "/dev/zero"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "/dev/zero: invalid: 1 problem",
        "/dev/zero: is larger than 64 MB, too large for a schedule",
    ]
