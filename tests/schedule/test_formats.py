"""Reading schedule files: format detected from the content, syntax errors with their line, unreadable
files with a clear message, and the same schedule in YAML, TOML and JSON giving the same instants."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.schedule.errors import ScheduleError
from bot.schedule.export import schedule_json
from bot.schedule.loader import Format, load_schedule, load_with_format

Write = Callable[[str, str], Path]

YAML = """
event: {name: Formats, timezone: Asia/Kolkata, date: 2024-05-11, display_timezones: [UTC]}
sessions:
  - {id: a, title: Invited Talk, start: "09:00", end: "09:30", speakers: [{name: A, affiliation: B}]}
  - {id: b, title: Poster Session, start: "10:00", end: "11:00", posters: [{id: P1, title: Paper, authors: [X]}]}
"""

TOML = """
[event]
name = "Formats"
timezone = "Asia/Kolkata"
date = 2024-05-11
display_timezones = ["UTC"]

[[sessions]]
id = "a"
title = "Invited Talk"
start = 09:00:00
end = "09:30"
speakers = [{name = "A", affiliation = "B"}]

[[sessions]]
id = "b"
title = "Poster Session"
start = "10:00"
end = 2024-05-11T11:00:00+05:30
posters = [{id = "P1", title = "Paper", authors = ["X"]}]
"""

JSON = json.dumps(
    {
        "event": {"name": "Formats", "timezone": "Asia/Kolkata", "date": "2024-05-11", "display_timezones": ["UTC"]},
        "sessions": [
            {
                "id": "a",
                "title": "Invited Talk",
                "start": "09:00",
                "end": "09:30",
                "speakers": [{"name": "A", "affiliation": "B"}],
            },
            {
                "id": "b",
                "title": "Poster Session",
                "start": "10:00",
                "end": "11:00",
                "posters": [{"id": "P1", "title": "Paper", "authors": ["X"]}],
            },
        ],
    }
)


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("s.yaml", YAML, Format.YAML),
        ("s.toml", TOML, Format.TOML),
        ("s.json", JSON, Format.JSON),
        ("no-suffix-yaml", YAML, Format.YAML),
        ("no-suffix-toml", TOML, Format.TOML),
        ("no-suffix-json", JSON, Format.JSON),
    ],
)
def test_yaml_toml_and_json_with_the_same_keys_load_the_same(write: Write, name: str, text: str, fmt: Format) -> None:
    schedule, found = load_with_format(write(name, text))
    assert found is fmt
    reference = load_schedule(write("ref.yaml", YAML))
    assert schedule_json(schedule) == schedule_json(reference)


def test_yaml_syntax_error_names_the_line(write: Write) -> None:
    path = write("broken.yaml", "event: {name: X, timezone: UTC\nsessions:\n  - id: a\n")
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    (line,) = info.value.render().splitlines()
    assert line.startswith(f"{path}:2: YAML syntax error: did not find expected ',' or '}}'")
    assert "(in the flow mapping that starts on line 1)" in line


def test_json_syntax_error_names_the_line(write: Write) -> None:
    path = write("broken.json", '{\n  "event": {"name": "X",}\n}\n')
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    assert info.value.render().startswith(f"{path}:2: JSON syntax error:")


def test_toml_syntax_error_names_the_line(write: Write) -> None:
    path = write("broken.toml", '[event]\nname = "X"\ntimezone = \n')
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    assert info.value.render().startswith(f"{path}:3: TOML syntax error:")


@pytest.mark.parametrize(
    "text",
    [
        "just some words\nwith no schedule in them\n",
        "<html><body>hi</body></html>",
        '{"hello": "world"}',
        "- a\n- b\n",
        "",
    ],
)
def test_unrecognised_content_lists_the_formats_we_read(write: Write, text: str) -> None:
    path = write("mystery.txt", text)
    with pytest.raises(ScheduleError) as info:
        load_schedule(path)
    message = info.value.render()
    assert message.startswith(f"{path}: unrecognised format")
    assert "pretalx schedule.json" in message
    assert "frab schedule.xml" in message


def test_yaml_that_is_not_a_mapping(write: Write) -> None:
    path = write("list.yaml", "- a\n- b\n")
    with pytest.raises(ScheduleError, match="expected a mapping with an 'event' section"):
        load_schedule(path)


def test_binary_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"event:\n\xff\xfe\x00garbage")
    with pytest.raises(ScheduleError, match="not UTF-8 text"):
        load_schedule(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError, match="no such file"):
        load_schedule(tmp_path / "nope.yaml")
    with pytest.raises(ScheduleError, match="is a directory"):
        load_schedule(tmp_path)


def test_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + YAML.encode())
    assert len(load_schedule(path).sessions) == 2
