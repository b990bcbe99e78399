"""Reading a schedule from a file or text: detecting its format by content, parsing it with line-accurate
syntax errors, handing it to the right importer, and validating the result.

Formats: the native document in YAML, TOML or JSON; pretalx / c3voc ``schedule.json``; frab / Pentabarf
``schedule.xml``; and the plain-text tentative schedule of a workshop proposal or a workshop page's markdown table
(which need a date and a zone).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from bot.schedule.document import LineFinder, build_schedule
from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.importers.c3voc import c3voc_document, looks_like_c3voc
from bot.schedule.importers.frab import frab_document, looks_like_frab
from bot.schedule.importers.markdown_table import looks_like_markdown_table, markdown_table_import
from bot.schedule.importers.plaintext import looks_like_plaintext, plaintext_document
from bot.schedule.importers.pretalx import looks_like_pretalx, pretalx_document
from bot.schedule.model import Kind, Schedule


class Format(StrEnum):
    YAML = "yaml"
    TOML = "toml"
    JSON = "json"
    PRETALX = "pretalx"
    #: The c3voc schedule of version 2 (the hub's export, with a top-level list of events).
    C3VOC = "c3voc"
    FRAB = "frab"
    PLAINTEXT = "plaintext"
    MARKDOWN_TABLE = "markdown-table"


NATIVE = frozenset({Format.YAML, Format.TOML, Format.JSON})
#: Formats that name no date: ``--date`` (or a dated heading, in a markdown table) says the day.
DATED_BY_CALLER = frozenset({Format.PLAINTEXT, Format.MARKDOWN_TABLE})

UNRECOGNISED = (
    "unrecognised format: expected a chairbot schedule (YAML, TOML or JSON with 'event' and 'sessions'), "
    "a pretalx schedule.json, a frab schedule.xml, a plain-text schedule with lines such as "
    "'- 09:00 - 09:30 Invited Talk 1', or a markdown table with a 'Time' column"
)

#: Files larger than this are refused before parsing: a schedule is text, not a data dump.
MAX_BYTES = 64 * 1024 * 1024


# --- YAML without YAML 1.1's surprises ----------------------------------------------------------------------
# YAML 1.1 reads an unquoted 10:15 as the base-60 integer 615 and turns timestamps into datetimes of its own.
# Organizers write times unquoted; this loader keeps them as text so the schedule rules see what was written.


class _YamlLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    pass


_YamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, rx)
        for tag, rx in resolvers
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _yaml_lines(text: str) -> LineFinder:
    """Finds the line of a place in YAML text (a session, an event field); composes the text only when a problem
    needs a line."""
    cache: list[yaml.Node | None] = []

    def line_of(path: Sequence[int | str]) -> int | None:
        if not cache:
            try:
                cache.append(yaml.compose(text, Loader=_YamlLoader))
            except yaml.YAMLError:
                cache.append(None)
        node = cache[0]
        line: int | None = None
        for step in path:
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = next(
                    ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step), None
                )
                if found is None:
                    break
                line, node = int(found[0].start_mark.line) + 1, found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                line = int(node.start_mark.line) + 1
            else:
                break
        return line

    return line_of


def _yaml_error(exc: yaml.YAMLError) -> Problem:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    text = str(getattr(exc, "problem", None) or exc)
    context = getattr(exc, "context", None)
    if context and context_mark is not None and (problem_mark is None or context_mark.line != problem_mark.line):
        # "while parsing a flow mapping" -> "in the flow mapping that starts on line 1"
        what = str(context).removeprefix("while parsing ").removeprefix("while scanning ")
        what = what.removeprefix("a ").removeprefix("an ")
        text += f" (in the {what} that starts on line {context_mark.line + 1})"
    elif context:
        text = f"{context}: {text}"
    mark = problem_mark or context_mark
    line = int(mark.line) + 1 if mark is not None else None
    return Problem(f"YAML syntax error: {text}; check indentation, colons, brackets and quotes", line=line)


# --- detection ------------------------------------------------------------------------------------------------

_TOML_HEADER = re.compile(r"^\s*\[\[?\s*(event|sessions)\s*\]\]?\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Document:
    """A schedule file read into the native document shape, not yet validated."""

    data: Any
    format: Format
    line_of: LineFinder | None = None


def read_document(
    text: str,
    source: str,
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
    name: str | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> Document:
    """Detect the format of ``text`` and turn it into a native document; ``kinds`` maps an export's session types
    to kinds (``chairbot import --kind``). Raises :class:`ScheduleError` for a syntax error or an unrecognised
    format, :class:`UsageError` when a plain-text schedule lacks date or zone."""
    suffix = Path(source).suffix.lower()
    # Parse the text as it is (less a byte-order mark) so that reported line numbers match the file.
    body = text.lstrip("\ufeff")
    stripped = body.lstrip()
    first = stripped[:1]

    if suffix == ".toml" or (first == "[" and _TOML_HEADER.search(stripped)):
        try:
            return Document(tomllib.loads(body), Format.TOML)
        except tomllib.TOMLDecodeError as exc:
            raise ScheduleError(source, [_toml_problem(exc)]) from None

    if first in "{[" or suffix == ".json":
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            if suffix == ".json" or first == "{":
                raise ScheduleError(
                    source, [Problem(f"JSON syntax error: {exc.msg} (column {exc.colno})", line=exc.lineno)]
                ) from None
        else:
            if looks_like_pretalx(data):
                if looks_like_c3voc(data):  # version 2: one list of events instead of days and rooms
                    return Document(c3voc_document(data, source, timezone=timezone, kinds=kinds), Format.C3VOC)
                return Document(pretalx_document(data, source, timezone=timezone, kinds=kinds), Format.PRETALX)
            if isinstance(data, dict) and ("event" in data or "sessions" in data):
                return Document(data, Format.JSON)
            if isinstance(data, dict) and "schedule" in data:
                raise ScheduleError(
                    source,
                    [
                        Problem(
                            "this looks like a pretalx schedule.json but has no 'schedule.conference' section; "
                            "export it again from pretalx (Schedule > Export > JSON)"
                        )
                    ],
                )
            if suffix == ".json" or isinstance(data, dict):
                raise ScheduleError(source, [Problem(UNRECOGNISED)])

    if first == "<" or suffix == ".xml":
        if looks_like_frab(stripped) or suffix == ".xml":
            return Document(frab_document(body, source, timezone=timezone, kinds=kinds), Format.FRAB)
        raise ScheduleError(source, [Problem(UNRECOGNISED)])

    yaml_problem: Problem | None = None
    try:
        data = yaml.load(body, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        yaml_problem = _yaml_error(exc)
    else:
        if isinstance(data, dict) and ("event" in data or "sessions" in data or suffix in (".yaml", ".yml")):
            return Document(data, Format.YAML, _yaml_lines(body))

    if suffix not in (".yaml", ".yml") and looks_like_markdown_table(stripped):
        data, table_lines = markdown_table_import(
            body, source, date=date, timezone=timezone, name=name, kinds=kinds
        )
        return Document(data, Format.MARKDOWN_TABLE, table_lines)
    if looks_like_plaintext(stripped):
        return Document(plaintext_document(body, source, date=date, timezone=timezone, name=name), Format.PLAINTEXT)
    if yaml_problem is not None and suffix in (".yaml", ".yml"):
        raise ScheduleError(source, [yaml_problem])
    if suffix in (".yaml", ".yml"):
        raise ScheduleError(source, [Problem("expected a mapping with an 'event' section and a 'sessions' list")])
    raise ScheduleError(source, [Problem(UNRECOGNISED)])


def _toml_problem(exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    match = re.search(r"\(at line (\d+), column \d+\)", message)
    line = int(match.group(1)) if match else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    return Problem(f"TOML syntax error: {message}", line=line)


# --- entry points ---------------------------------------------------------------------------------------------


def read_text(path: str | Path) -> str:
    """The text of a schedule file, or a :class:`ScheduleError` saying why it cannot be read. No more than
    :data:`MAX_BYTES` are read, so a device or pipe that never ends (``/dev/zero``) is refused, not read forever."""
    source = str(path)
    target = Path(path)
    too_large = ScheduleError(
        source, [Problem(f"is larger than {MAX_BYTES // (1024 * 1024)} MB, too large for a schedule")]
    )
    try:
        if target.is_dir():
            raise ScheduleError(source, [Problem("is a directory, not a schedule file")])
        if target.stat().st_size > MAX_BYTES:
            raise too_large
        with target.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScheduleError(source, [Problem("no such file")]) from None
    except PermissionError:
        raise ScheduleError(source, [Problem("permission denied: make the file readable")]) from None
    except OSError as exc:
        raise ScheduleError(source, [Problem(f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise too_large
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScheduleError(source, [Problem("not UTF-8 text: save the file as UTF-8", line=line)]) from None


def parse_schedule(
    text: str,
    source: str = "<schedule>",
    *,
    date: dt.date | None = None,
    timezone: str | None = None,
    name: str | None = None,
) -> Schedule:
    """Validate schedule ``text`` in any supported format into a :class:`Schedule`."""
    document = read_document(text, source, date=date, timezone=timezone, name=name)
    return build_schedule(document.data, source, document.line_of)


def load_schedule(
    path: str | Path, *, date: dt.date | None = None, timezone: str | None = None, name: str | None = None
) -> Schedule:
    """Read and validate the schedule file at ``path`` (any supported format)."""
    return parse_schedule(read_text(path), str(path), date=date, timezone=timezone, name=name)


def load_with_format(path: str | Path, **options: Any) -> tuple[Schedule, Format]:
    """Like :func:`load_schedule`, also saying which format the file was in."""
    source = str(path)
    document = read_document(read_text(path), source, **options)
    return build_schedule(document.data, source, document.line_of), document.format


__all__ = [
    "NATIVE",
    "Format",
    "ScheduleError",
    "UsageError",
    "load_schedule",
    "load_with_format",
    "parse_schedule",
    "read_document",
    "read_text",
]
