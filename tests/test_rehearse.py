"""``chairbot rehearse``: the day played fast on the console through the real announcer, with no Discord."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from bot.announce.sessions import planned_posts
from bot.app import rehearse
from bot.console.rehearse import show_markup
from bot.schedule.loader import load_schedule, parse_schedule

DAY = """
event: {name: Rehearsal Day, timezone: Europe/Vienna, date: 2024-05-11, display_timezones: [Asia/Kathmandu]}
sessions:
  - {id: opening, title: Opening, start: "09:00", end: "09:10"}
  - {id: talk, title: The Talk, start: "09:10", end: "09:40", speakers: ["Ada Lovelace (Analytical Engines)"]}
  - {id: posters, title: Poster Session, start: "09:40", end: "10:00", posters: [{id: P1, title: A Poster}]}
  - {id: lunch, title: Lunch, kind: break, start: "10:00", end: "11:00"}
"""
ROOT = Path(__file__).resolve().parent.parent


async def test_every_announcement_is_printed_in_order_with_its_time_and_channel() -> None:
    schedule = parse_schedule(DAY, "day.yaml")
    out = io.StringIO()
    summary = await rehearse(schedule, speed=3000, out=out)
    text = out.getvalue()
    headlines = re.findall(r"^── \w{3} (\d\d:\d\d):\d\d Vienna · (.+?) ──\n(.+)$", text, flags=re.MULTILINE)
    # Never early (the exact second depends on how busy the machine is: at 3000x a minute is 20 ms).
    assert headlines[0][0] >= "08:50"
    assert headlines[1][0] >= "09:00"
    assert [channel for _, channel, _ in headlines][:3] == ["#announcements"] * 3
    firsts = [line for _, _, line in headlines]
    assert "Starting in 10 minutes" in firsts[0]
    assert "Now live" in firsts[1]  # the opening goes live before the talk is announced as coming up
    assert "The Talk" in firsts[2]
    assert any("Q&A: The Talk" in channel for _, channel, _ in headlines)
    assert "Q&A closed" in text
    assert "P1 · A Poster" in text
    assert "Lunch" in firsts[-2] or "Lunch" in firsts[-1]
    # Opening, talk and posters twice each, lunch once, and the talk's Q&A closing.
    assert summary.announcements == 8
    assert summary.skipped == 0
    assert "Rehearsal done: 8 announcements" in text


async def test_the_window_limits_what_is_played() -> None:
    schedule = parse_schedule(DAY, "day.yaml")
    out = io.StringIO()
    start = dt.datetime(2024, 5, 11, 7, 25, tzinfo=dt.UTC)  # 09:25 Vienna
    until = dt.datetime(2024, 5, 11, 7, 45, tzinfo=dt.UTC)  # 09:45
    summary = await rehearse(schedule, speed=3000, out=out, start=start, until=until)
    assert summary.announcements == 2  # posters in 15 minutes, posters open
    assert "Opening" not in out.getvalue().split("\n", 2)[2]


def test_markup_is_shown_as_the_venue_clock() -> None:
    schedule = parse_schedule(DAY, "day.yaml")
    now = dt.datetime(2024, 5, 11, 6, 50, tzinfo=dt.UTC)
    shown = show_markup("<t:1715410800:t> (<t:1715410800:R>) <t:1715410800:F>", schedule, now)
    assert shown == "09:00 Vienna (in 10 minutes) Saturday 11 May 2024 09:00 Vienna"


def test_the_command_line_rehearses_the_bundled_example_without_a_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "rehearse",
            str(ROOT / "schedule" / "iclr2024-rrfm.yaml"),
            "--speed",
            "20000",
            "--until",
            "10:20",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "Now live:** **Invited Talk 1**" in result.stdout
    assert "Poster Session 1" in result.stdout
    assert "Rehearsal done" in result.stdout


def test_until_before_start_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "rehearse",
            str(ROOT / "schedule" / "iclr2024-rrfm.yaml"),
            "--start",
            "12:00",
            "--until",
            "11:00",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "--until must be after --start" in result.stderr


def _rehearse_bundled(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", str(ROOT / "schedule" / "iclr2024-rrfm.yaml"), *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("path", sorted((ROOT / "schedule").glob("*.yaml")), ids=lambda p: p.name)
async def test_a_fast_rehearsal_shows_every_post_at_its_planned_time_as_made_on_time(path: Path) -> None:
    schedule = load_schedule(path)
    zone = schedule.event.timezone
    planned = planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10))
    out = io.StringIO()
    summary = await rehearse(schedule, speed=50_000, out=out)
    text = out.getvalue()
    # Every message stands at the exact second its post is due: nothing drifts with the fast clock.
    stamps = re.findall(r"^── \w{3} (\d\d:\d\d:\d\d) \S.* · ", text, flags=re.MULTILINE)
    assert set(stamps) == {p.due_at.astimezone(zone).strftime("%H:%M:%S") for p in planned}
    assert "posted late" not in text
    assert summary.announcements == len(planned)
    assert summary.max_lateness == dt.timedelta(0)


def test_the_speed_changes_only_the_pace() -> None:
    slow = _rehearse_bundled("--speed", "2000", "--until", "10:20")
    fast = _rehearse_bundled("--speed", "100000", "--until", "10:20")
    assert slow.replace("2000× real time", "N× real time") == fast.replace("100000× real time", "N× real time")


def test_catching_up_posts_what_a_restart_would_late_and_skips_what_is_stale() -> None:
    text = _rehearse_bundled("--speed", "20000", "--start", "09:05", "--until", "09:35", "--catch-up")
    headlines = re.findall(r"^── \w{3} (\d\d:\d\d:\d\d) Vienna · .+ ──\n(.+)$", text, flags=re.MULTILINE)
    # Invited Talk 1 went live at 09:00: a bot coming up at 09:05 still says so, late; the opening's posts are stale.
    assert ("09:05:00", "🔴 **Now live:** **Invited Talk 1** (posted late: started 5 minutes ago)") in headlines
    assert "Introduction and opening remarks" not in text
    assert [stamp for stamp, _ in headlines][-1] == "09:30:00"
    assert "posted late" not in text.split("09:20:00", 1)[1]
    assert re.search(r"Rehearsal done: 3 announcements, \d+ messages, 3 skipped", text)


def test_without_catching_up_posts_before_the_start_are_left_out() -> None:
    text = _rehearse_bundled("--speed", "20000", "--start", "09:05", "--until", "09:35")
    assert "posted late" not in text
    assert "0 skipped" in text


FALL_BACK = """
event: {name: Long Night, timezone: Europe/Berlin, date: 2024-10-27}
sessions:
  - {id: first, title: First Two, kind: break, start: "2024-10-27T02:10:00+02:00", end: "2024-10-27T02:40:00+02:00"}
  - {id: again, title: Second Two, kind: break, start: "2024-10-27T02:10:00+01:00", end: "2024-10-27T02:40:00+01:00"}
"""


async def test_on_the_night_the_clocks_go_back_the_repeated_hour_names_its_offset() -> None:
    out = io.StringIO()
    await rehearse(parse_schedule(FALL_BACK, "night.yaml"), speed=100_000, out=out)
    stamps = re.findall(r"^── (.+?) Berlin · ", out.getvalue(), flags=re.MULTILINE)
    assert stamps == ["Sun 02:10:00 CEST", "Sun 02:10:00 CET"]


# --- the command line's window and header ------------------------------------------------------------------------

ICLR = ROOT / "schedule" / "iclr2024-rrfm.yaml"
ICLR_POSTS = "the posts of iclr2024-rrfm.yaml are due from Sat 11 May 2024 08:40 to Sat 11 May 2024 18:10 Europe/Vienna"

#: One break: one post, one message.
ONE = """
event: {name: One Break, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: lunch, title: Lunch, kind: break, start: "12:00", end: "13:00"}
"""


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        (["--start", "2030-01-01T00:00Z"], "Invalid value for --start: Tue 01 Jan 2030 01:00 is after the last post"),
        (["--until", "08:00"], "Invalid value for --until: Sat 11 May 2024 08:00 is before the first post"),
        (["--until", "08:39"], "Invalid value for --until: Sat 11 May 2024 08:39 is before the first post"),
        (
            ["--start", "12:16", "--until", "12:20"],
            "no post is due from Sat 11 May 2024 12:16 to Sat 11 May 2024 12:20",
        ),
    ],
)
def test_a_window_without_a_post_is_refused_with_when_the_posts_are_due(
    run: Callable[..., Result], args: list[str], refusal: str
) -> None:
    result = run("rehearse", ICLR, "--speed", "100000", *args)
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())
    assert refusal in message
    assert ICLR_POSTS in message
    assert result.stdout == ""


def test_catching_up_in_a_window_without_a_post_plays_what_was_due_before() -> None:
    text = _rehearse_bundled("--speed", "100000", "--start", "12:16", "--until", "12:20", "--catch-up")
    assert "Rehearsal done: 0 announcements" not in text
    assert re.search(r"\d+ skipped", text)


def test_the_header_names_the_years_of_a_window_across_a_new_year(
    run: Callable[..., Result], write: Callable[[str, str], Path]
) -> None:
    midnight = write("new-year.yaml", ONE.replace("2024-05-11", "2025-01-01").replace('"12:00"', '"00:00"'))
    result = run("rehearse", midnight, "--speed", "100000")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "Rehearsal of One Break: 1 announcement from Tue 31 Dec 2024 23:59 to Wed 01 Jan 2025 00:00 Europe/Vienna, "
        "100000× real time"
    )


@pytest.mark.parametrize("speed", ["nan", "NaN", "inf"])
def test_a_speed_that_is_not_a_finite_number_is_a_usage_error(run: Callable[..., Result], speed: str) -> None:
    result = run("rehearse", ICLR, "--speed", speed)
    assert result.exit_code == 2
    assert "Invalid value for '--speed'" in result.stderr
    assert "real time" not in result.stdout


def test_one_post_and_one_message_are_counted_in_the_singular(
    run: Callable[..., Result], write: Callable[[str, str], Path]
) -> None:
    result = run("rehearse", write("one.yaml", ONE), "--speed", "100000")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Rehearsal of One Break: 1 announcement from Sat 11 May 11:59 to Sat 11 May 12:00 ")
    assert lines[-1].startswith("Rehearsal done: 1 announcement, 1 message, 0 skipped;")


ROOMS_DAY = """\
event: {name: Devrooms, timezone: Europe/Brussels, date: 2031-02-01}
sessions:
  - {id: rolin, title: Declarative Networking, start: "10:35", end: "11:00", room: "H.1308 (Rolin)", kind: talk}
  - {id: janson, title: Sandboxing with Syd, start: "10:35", end: "11:00", room: Janson, kind: talk}
"""


def test_with_the_bots_settings_the_rehearsal_posts_in_their_channels(tmp_path: Path) -> None:
    schedule = tmp_path / "day.yaml"
    schedule.write_text(ROOMS_DAY, encoding="utf-8")
    config = tmp_path / "chairbot.toml"
    config.write_text(
        f'guild_id = 1\nannounce_channel = "main"\nschedule = "{schedule}"\n\n'
        '[rooms]\n"H.1308 (Rolin)" = "rolin"\nJanson = "janson"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", str(schedule), "--config", str(config), "--speed", "100000"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},  # no DISCORD_TOKEN: a rehearsal needs none
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"Brussels · #rolin ──\n🔴 \*\*Now live:\*\* \*\*Declarative Networking\*\*", out)
    assert re.search(r"Brussels · #janson ──\n🔴 \*\*Now live:\*\* \*\*Sandboxing with Syd\*\*", out)
    assert re.search(r"Brussels · #main ──\n🔴 \*\*10:35 Brussels — 2 talks now live:\*\*", out), out
    assert "#rolin › Q&A: Declarative Networking" in out


def test_settings_with_a_problem_are_refused_before_the_rehearsal(tmp_path: Path) -> None:
    schedule = tmp_path / "day.yaml"
    schedule.write_text(ROOMS_DAY, encoding="utf-8")
    config = tmp_path / "chairbot.toml"
    config.write_text(f'guild_id = 1\nschedule = "{schedule}"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", str(schedule), "--config", str(config), "--speed", "100000"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "chairbot cannot rehearse with these settings; fix them:" in result.stderr
    assert "announce_channel" in result.stderr
