"""``chairbot import --kind TYPE=KIND``: an organizer says what an export's session types mean, on the command
line; a malformed option or an unknown kind is a usage error that says what to write."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

Run = Callable[..., Result]
Write = Callable[[str, str], Path]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "schedule" / "fixtures"
FOSDEM = FIXTURES / "fosdem_pentabarf_devrooms.xml"
RC3 = FIXTURES / "rc3_pretalx_types.json"
KINDS = "opening, talk, contributed, poster, panel, break, social, other"


def kinds_in(path: Path) -> dict[str, str]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(s["id"]): s["kind"] for s in document["sessions"]}


def test_without_kind_options_the_types_decide(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "fosdem.yaml"
    result = run("import", FOSDEM, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert kinds_in(out) == {"6712": "talk", "5937": "talk", "6091": "talk", "6450": "contributed", "6800": "talk"}


def test_a_kind_option_maps_a_type_for_the_written_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "fosdem.yaml"
    result = run("import", FOSDEM, "--kind", "devroom=contributed", "--kind", "Keynote=opening", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert kinds_in(out) == {
        "6712": "opening",
        "5937": "contributed",
        "6091": "contributed",
        "6450": "contributed",
        "6800": "talk",
    }
    assert f"{out}: wrote 5 sessions from {FOSDEM} (frab)" in result.stderr


def test_a_type_with_spaces_and_q_and_a_can_be_mapped_as_written(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "rc3.yaml"
    result = run("import", RC3, "--kind", "Talk 30 min + 10min Q&A=panel", "-o", out)
    assert result.exit_code == 0, result.stderr
    kinds = kinds_in(out)
    assert (kinds["XDLU3M"], kinds["J3LQ8N"], kinds["PRW7HF"]) == ("panel", "panel", "talk")


@pytest.mark.parametrize(
    ("option", "fragments"),
    [
        ("devroom=tlak", ["Invalid value for '--kind'", "'devroom': unknown kind 'tlak'", KINDS]),
        ("devroom", ["'devroom' is not TYPE=KIND", "--kind devroom=talk"]),
        ("=talk", ["'=talk' is not TYPE=KIND"]),
        ("devroom=", ["'devroom=' is not TYPE=KIND"]),
    ],
)
def test_a_wrong_kind_option_is_a_usage_error_saying_what_to_write(run: Run, option: str, fragments: list[str]) -> None:
    result = run("import", FOSDEM, "--kind", option)
    assert result.exit_code == 2
    for fragment in fragments:
        assert fragment in result.stderr
    assert "Traceback" not in result.output


def test_a_kind_option_on_a_chairbot_file_is_noted_as_ignored(run: Run, write: Write) -> None:
    path = write(
        "s.yaml",
        """
        event: {name: Small, timezone: Europe/Vienna, date: 2024-05-11}
        sessions:
          - {id: a, title: Invited Talk 1, start: "09:00", end: "09:30"}
        """,
    )
    result = run("import", path, "--kind", "devroom=talk")
    assert result.exit_code == 0, result.stderr
    assert (
        f"chairbot: note: {path}: --kind applies only to the session types of pretalx, c3voc and frab exports "
        "and markdown tables; ignored (a chairbot file says what its words for a kind mean in its 'kinds' section)"
    ) in result.stderr


def test_the_installed_command_takes_kind_options(tmp_path: Path) -> None:
    out = tmp_path / "fosdem.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "import", str(FOSDEM), "--kind", "devroom=panel", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert kinds_in(out)["5937"] == "panel"
    assert (
        "--kind TYPE=KIND"
        in subprocess.run(
            [sys.executable, "-m", "bot", "import", "--help"], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout
    )


def test_kind_maps_the_type_column_of_a_markdown_table(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "day.md"
    path.write_text(
        "| Time | Session | Type |\n|---|---|---|\n| 9:00 - 9:30 | Declarative Networking | devroom |\n"
        "| 9:30 - 10:00 | Sandboxing with Syd | devroom |\n",
        encoding="utf-8",
    )
    out = tmp_path / "day.yaml"
    options = ("--date", "2025-02-01", "--venue-tz", "Europe/Brussels", "--kind", "devroom=panel", "-o", str(out))
    result = run("import", str(path), *options)
    assert result.exit_code == 0, result.stderr
    assert "--kind applies only" not in result.stderr
    assert set(kinds_in(out).values()) == {"panel"}
    assert len(kinds_in(out)) == 2
