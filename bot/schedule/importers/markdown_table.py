"""Import a schedule published as a markdown table, as workshop pages write it, into the native schedule document.

A **schedule table** is a pipe table whose header row names its columns::

    | Time | Session | Speaker |
    |---|---|---|
    | 8:50 -- 9:00 | Opening remarks | Organizers |
    | 9:00 - 9:30 | [Invited talk: Foo](https://example.org/foo) | Ada Lovelace (Analytical Engines) |

* Columns are known by the words of their header, in any case, a parenthesis left out (``Time (CEST)``):
  time (``Time``, ``Time slot``, ``When``; or ``Start`` and ``End`` columns), title (``Session``, ``Title``,
  ``Talk``, ``Program``, ``Activity``, …), speakers (``Speaker(s)``, ``Presenter``, ``Who``, ``Authors``), room
  (``Room``, ``Location``), ``Track``, kind (``Type``), abstract (``Abstract``, ``Description``) and links
  (``Links``, ``Slides``, ``Video``, ``Stream``, ``Zoom``). Without a time header, the column of time ranges is the
  time column; without a title header, the first column of another name is the title. Other columns are ignored,
  and a table with no time column at all is ignored when another table has one.
* A time is a range spelled as in the plain-text format (``9:00 - 9:30``, ``8:50 AM – 9:00 AM``, ``10:00 to
  10:45``, ``9h00``), ``--`` also separating; a range whose end is before its start ends after midnight, and the
  rows after it are after midnight too.
* Cells may carry markdown: emphasis, code and images are dropped; a link keeps its text and gives the session a
  link (a links column's header, or else the link's own text, says which: ``slides``, ``video``/``stream``,
  ``zoom``; the page otherwise). In-page links (``#abstracts``) are dropped; other links must be web addresses.
* Speakers are names with affiliations in parentheses, several separated by commas, ``;``, ``and``, ``&`` or
  line breaks; a label such as ``Moderator:`` and placeholders such as ``TBD`` are dropped.
* Days: a heading with a date (``## Saturday 11 May``, a line ``**Day 2 — May 12**``) gives the date to the
  tables of its section; a row with a date and no time (``| **Day 2 — May 12** | | |``) changes the day for the
  rows below it in its table, and between tables is a heading. A date without a year takes the year of the date
  before it, else of ``--date``; the rows before any date are on ``--date``. A heading ``Day 2`` or ``Monday``
  without its date is a problem, not a guess.

Like the plain-text format, the file names no zone: the caller passes it (:class:`MissingZone` without). Kinds
come from the type column, else the title, through the same guessing as every importer; ids are the titles as
slugs. Times are emitted without an offset so ``build_schedule`` localizes them (and reports DST gaps and folds),
and the line finder returned with the document places its problems on the session's row.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.schedule.document import LineFinder
from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.importers.plaintext import (
    TIME_OF_DAY,
    ClockTime,
    MissingZone,
    clock_time,
    name_from,
    schedule_line,
    time_span,
    unique_id,
)
from bot.schedule.kinds import infer_kind, read_type
from bot.schedule.model import Kind

__all__ = ["looks_like_markdown_table", "markdown_table_document", "markdown_table_import"]

_FORMAT = "a markdown-table schedule"
_EXAMPLE_ROW = "'| 09:00 - 09:30 | Invited Talk 1 | Ada Lovelace (Analytical Engines) |'"
_EXAMPLE_HEADER = "'| Time | Session | Speaker |' followed by '|---|---|---|'"
_EXAMPLE_DAY = "'| **Day 2 — May 12** | | |'"

#: Longer lines are never a table's delimiter row; checking them would only cost time.
_MAX_LINE = 1000

#: Cells longer than this are prose (an abstract), never a time or a date: matching stays cheap on any input.
_MAX_CELL = 200

_RANGE = re.compile(
    rf"(?P<start>{TIME_OF_DAY})\s*(?:--|-|–|—|‒|―|~|\bto\b|\buntil\b)\s*(?P<end>{TIME_OF_DAY})", re.IGNORECASE
)
_ONE_TIME = re.compile(TIME_OF_DAY, re.IGNORECASE)
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")


# --- cells -----------------------------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    """The cells of a table row: split at every ``|`` that is not escaped, outer pipes left out."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    return [cell.replace("\\|", "|").strip() for cell in re.split(r"(?<!\\)\|", text)]


def _is_delimiter(line: str) -> bool:
    return len(line) <= _MAX_LINE and "|" in line and "-" in line and _DELIMITER.fullmatch(line) is not None


@dataclass(frozen=True, slots=True)
class _Link:
    text: str
    url: str


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Every repeat below is bounded, or stops at the next bracket: a cell of any length is read in linear time.
_HTML_LINK = re.compile(
    r"""<a\s[^<>]{0,300}?href\s*=\s*["']([^"'<>]{0,2000})["'][^<>]{0,300}>((?:[^<]|<(?!/a\s*>)){0,500})</a\s*>""",
    re.IGNORECASE,
)
_AUTOLINK = re.compile(r"<(https?://[^<>\s]{1,2000})>", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\[\]]{0,500}\]\([^()]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\[\]]{0,500})\]\(\s?<?([^()\s<>]{0,2000})>?(?:\s+[\"'][^\"'()]{0,300}[\"'])?\s?\)")
_REF_LINK = re.compile(r"\[([^\[\]]{1,500})\]\[[^\[\]]{0,100}\]")
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,300}>")
_CODE = re.compile(r"`+([^`]*)`+")
_STRIKE = re.compile(r"~~(.{1,300}?)~~")
_STRONG = re.compile(r"(\*\*|__)(.{1,300}?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?!\s)(.{1,300}?)(?<!\s)\1(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!~|<>])")


def _inline(cell: str) -> tuple[str, list[_Link]]:
    """A cell's text with its markdown (and the little HTML pages use) taken out, and the links it held.

    Line breaks (``<br>``) are kept as ``\\n`` for speakers; spaces are collapsed."""
    links: list[_Link] = []

    def link(match: re.Match[str]) -> str:
        text, url = match.group(1).strip(), match.group(2).strip()
        links.append(_Link(text, url))
        return text

    text = _BREAK.sub("\n", cell)
    text = _HTML_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)
    text = _AUTOLINK.sub(lambda m: f"[{m.group(1)}]({m.group(1)})", text)
    text = _IMAGE.sub("", text)
    text = _MD_LINK.sub(link, text)
    text = _REF_LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _CODE.sub(r"\1", text)
    text = _STRIKE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = html.unescape(_ESCAPE.sub(r"\1", text))
    lines = (" ".join(part.split()) for part in text.split("\n"))
    return "\n".join(part for part in lines if part).strip(" *_"), links


def _text(cell: str) -> str:
    """A cell's plain text on one line."""
    return " ".join(_inline(cell)[0].split())


# --- columns ---------------------------------------------------------------------------------------------------


class _Column(StrEnum):
    TIME = "time"
    START = "start"
    END = "end"
    TITLE = "title"
    SPEAKERS = "speakers"
    ROOM = "room"
    TRACK = "track"
    KIND = "kind"
    ABSTRACT = "abstract"
    LINKS = "links"
    IGNORED = "ignored"


_START_WORDS = frozenset({"start", "starts", "begin", "begins", "from"})
_END_WORDS = frozenset({"end", "ends", "until", "finish", "to"})

#: Header words and the column they name, checked in order: the first that matches decides ("Session type" is
#: the kind, "Session chair" is ignored, "Talk title" the title).
_HEADER_WORDS: tuple[tuple[_Column, frozenset[str]], ...] = (
    (_Column.IGNORED, frozenset({"chair", "chairs", "moderator", "moderators", "chaired"})),
    (_Column.START, _START_WORDS),
    (_Column.END, _END_WORDS),
    (_Column.TIME, frozenset({"time", "times", "timeslot", "slot", "slots", "when", "hour", "hours"})),
    (_Column.KIND, frozenset({"type", "kind", "format", "category"})),
    (
        _Column.SPEAKERS,
        frozenset(
            {"speaker", "speakers", "presenter", "presenters", "who", "by", "author", "authors", "host", "hosts"}
            | {"panelist", "panelists", "panellist", "panellists", "lecturer", "instructor", "instructors"}
        ),
    ),
    (_Column.ROOM, frozenset({"room", "rooms", "location", "venue", "where", "hall", "place"})),
    (_Column.TRACK, frozenset({"track", "tracks"})),
    (
        _Column.LINKS,
        frozenset(
            {"link", "links", "url", "urls", "page", "website", "slides", "video", "videos", "stream"}
            | {"livestream", "recording", "recordings", "zoom", "material", "materials", "virtual"}
        ),
    ),
    (_Column.ABSTRACT, frozenset({"abstract", "abstracts", "description", "details", "summary", "notes"})),
    (
        _Column.TITLE,
        frozenset(
            {"session", "sessions", "title", "event", "talk", "talks", "activity", "program", "programme"}
            | {"item", "agenda", "what", "topic", "topics", "presentation", "name"}
        ),
    ),
)

#: The kind of link words name, in a links column's header or a link's text; anything else is the page.
_LINK_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("slides", frozenset({"slides", "slide", "deck", "pdf"})),
    ("stream", frozenset({"video", "videos", "stream", "livestream", "recording", "recordings", "youtube", "watch"})),
    ("virtual_room", frozenset({"zoom", "virtual", "gather", "meet", "room", "webex"})),
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", re.sub(r"\([^()]{0,100}\)|\[[^\[\]]{0,100}\]", " ", text.lower())))


def _header_column(header: str) -> _Column | None:
    words = _words(_text(header))
    if words & _START_WORDS and words & _END_WORDS:  # "Start – End": one column holding the range
        return _Column.TIME
    for column, names in _HEADER_WORDS:
        if words & names:
            return column
    return None


def _link_kind(text: str) -> str | None:
    words = _words(text)
    return next((kind for kind, names in _LINK_WORDS if words & names), None)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which column holds what in one table, and the header's names for messages."""

    headers: tuple[str, ...]
    columns: dict[_Column, int]
    links: tuple[tuple[int, str | None], ...]  # a links column and the kind of link its header names

    def name(self, column: _Column) -> str:
        header = _text(self.headers[self.columns[column]])
        return f"the {header!r} column" if header else f"column {self.columns[column] + 1}"


def _is_range(cell: str) -> bool:
    return len(cell) <= _MAX_CELL and _RANGE.fullmatch(_text(cell)) is not None


def _layout(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> _Layout:
    """The columns of a table from its header, with the time and title columns found by content when no header
    names them."""
    columns: dict[_Column, int] = {}
    links: list[tuple[int, str | None]] = []
    unknown: list[int] = []
    for index, header in enumerate(headers):
        column = _header_column(header)
        if column is None:
            unknown.append(index)
        elif column is _Column.LINKS:
            links.append((index, _link_kind(_text(header))))
        elif column is not _Column.IGNORED:
            columns.setdefault(column, index)
    if _Column.START in columns and _Column.END not in columns:
        columns[_Column.TIME] = columns.pop(_Column.START)  # a lone "Start" column holds ranges too
    if _Column.START not in columns:
        columns.pop(_Column.END, None)
    if _Column.TIME not in columns and _Column.START not in columns:
        for index in range(len(headers)):
            filled = [row[index] for row in rows if index < len(row) and row[index].strip()]
            if filled and 2 * sum(_is_range(cell) for cell in filled) >= len(filled):
                columns[_Column.TIME] = index
                if index in unknown:
                    unknown.remove(index)
                break
    if _Column.TITLE not in columns and unknown:
        taken = set(columns.values())
        free = [index for index in unknown if index not in taken]
        if free:
            columns[_Column.TITLE] = free[0]
    return _Layout(tuple(headers), columns, tuple(links))


def _has_time(layout: _Layout) -> bool:
    return _Column.TIME in layout.columns or _Column.START in layout.columns


# --- the blocks of a file --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Table:
    header_line: int | None  # None: rows without a header row of their own
    headers: tuple[str, ...]
    rows: tuple[tuple[int, list[str]], ...]  # line number and cells


@dataclass(frozen=True, slots=True)
class _Heading:
    line: int
    level: int  # 1-6 for '#' headings, 7 for a line in bold or a line that is only a date
    text: str


_MD_HEADING = re.compile(r"\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*")
_BOLD_LINE = re.compile(r"\s*(\*\*|__)(.+?)\1\s*:?\s*")


def _blocks(lines: Sequence[str]) -> Iterator[_Table | _Heading]:
    """The tables and headings of the file in order; everything else is prose and skipped."""
    index = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if "|" in line and not _is_delimiter(line) and _is_delimiter(following):
            end = index + 2
            while end < len(lines) and lines[end].strip() and "|" in lines[end]:
                end += 1
            rows = tuple((n + 1, _cells(lines[n])) for n in range(index + 2, end))
            yield _Table(number, tuple(_cells(line)), rows)
            index = end
            continue
        if line.lstrip().startswith("|"):
            end = index
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            rows = tuple((n + 1, _cells(lines[n])) for n in range(index, end) if not _is_delimiter(lines[n]))
            if rows:
                yield _Table(None, (), rows)
            index = end
            continue
        heading = (_MD_HEADING.fullmatch(line) or _BOLD_LINE.fullmatch(line)) if len(line) <= _MAX_CELL else None
        if heading is not None:
            level = len(heading.group(1)) if heading.group(1).startswith("#") else 7
            yield _Heading(number, level, _text(heading.group(2)))
        elif len(line) <= _MAX_CELL and _DATE_LINE.fullmatch(_text(line)):
            yield _Heading(number, 7, _text(line))
        index += 1


def _table_lines(lines: Sequence[str]) -> set[int]:
    """The line numbers (1-based) of every line in a table, delimiter rows included."""
    numbers: set[int] = set()
    for block in _blocks(lines):
        if isinstance(block, _Table):
            first = block.header_line or (block.rows[0][0] if block.rows else 0)
            last = block.rows[-1][0] if block.rows else (block.header_line or 0) + 1
            numbers.update(range(first, last + 1))
    return numbers


# --- dates -----------------------------------------------------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH = rf"(?P<month>{_MONTH_NAME})"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_DATES = (
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_MONTH}\s+{_DAY}{_YEAR}(?!\s*[:.h]\d)\b", re.IGNORECASE),
)
_WEEKDAY_WORD = re.compile(rf"\b(?P<weekday>{_WEEKDAY})(?![\w])", re.IGNORECASE)
_DAY_LIKE = re.compile(rf"\W*(?:day\s*\d+|{_WEEKDAY})\b", re.IGNORECASE)
#: A line that is only a date (``Saturday, May 11:``, ``Day 2 – 12 May 2024``) heads the rows below it.
_DATE_LINE = re.compile(
    rf"(?:day\s*\d+\s*[-–—:,]?\s*)?(?:{_WEEKDAY},?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTH_NAME}|{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:,?\s+\d{4})?\s*:?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _DateRef:
    """A date as a heading or day row writes it; the year may be left to the dates before it or ``--date``."""

    line: int
    text: str
    month: int
    day: int
    year: int | None
    weekday: int | None  # 0 = Monday, when the text names one


def _find_date(text: str, line: int) -> _DateRef | None:
    text = text[:_MAX_CELL]
    for pattern in _DATES:
        match = pattern.search(text)
        if match is None:
            continue
        month = match.group("month")
        number = int(month) if month.isdigit() else _MONTHS.index(month[:3].lower()) + 1
        year = int(match.group("year")) if match.group("year") else None
        days = {m.group("weekday")[:3].lower() for m in _WEEKDAY_WORD.finditer(text)}
        weekday = _WEEKDAYS.index(days.pop()) if len(days) == 1 else None
        return _DateRef(line, text, number, int(match.group("day")), year, weekday)
    return None


# --- speakers --------------------------------------------------------------------------------------------------

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_PLACEHOLDERS = frozenset({"", "-", "–", "—", "tbd", "tba", "tbc", "n/a", "na", "none", "…", "...", "?"})
_ROLE_LABEL = re.compile(r"^[A-Za-z][A-Za-z ]{0,24}:\s+")
_AFFILIATION = re.compile(r"(.+?)\s*\(([^()]*)\)")


def _split_people(text: str) -> list[str]:
    """Split at commas, ``;``, ``&``, ``and`` and line breaks outside parentheses (affiliations keep theirs)."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if depth == 0:
            if char in ",;&\n":
                parts.append("".join(current))
                current = []
                index += 1
                continue
            joined = _AND.match(text, index)
            if joined is not None:
                parts.append("".join(current))
                current = []
                index = joined.end()
                continue
        current.append(char)
        index += 1
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _speakers(cell: str) -> list[dict[str, str]]:
    people: list[dict[str, str]] = []
    for part in _split_people(_inline(cell)[0]):
        part = _ROLE_LABEL.sub("", part, count=1).strip()
        if part.lower().strip(" .") in _PLACEHOLDERS:
            continue
        match = _AFFILIATION.fullmatch(part)
        if match is not None and match.group(1).strip():
            affiliation = match.group(2).strip()
            people.append({"name": match.group(1).strip(), **({"affiliation": affiliation} if affiliation else {})})
        else:
            people.append({"name": part})
    return people


# --- rows ------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    title: str
    start: int  # minutes after midnight of the row's day
    end: int
    day: int | None  # index into the dates found, None: before any (the caller's --date)
    after_midnight: int  # days after ``day``: grows when a row before this one ran past midnight
    kind: Kind
    extra: dict[str, Any] = field(default_factory=dict)


def _range_or_problem(text: str, where: str) -> tuple[ClockTime, ClockTime] | str:
    """The two clocks of a time cell, or what is wrong with it."""
    match = _RANGE.fullmatch(text) if len(text) <= _MAX_CELL else None
    if match is None:
        if len(text) <= _MAX_CELL and _ONE_TIME.fullmatch(text):
            return f"{text!r} in {where} is only a start; write the end too, e.g. '09:00 - 09:30'"
        return f"{text!r} in {where} is not a time range; write e.g. '09:00 - 09:30' or '9:00 AM - 9:30 AM'"
    start, end = clock_time(match.group("start")), clock_time(match.group("end"))
    if isinstance(start, str) or isinstance(end, str):
        bad = [message for message in (start, end) if isinstance(message, str)]
        return f"{where}: " + "; ".join(bad) + "; write times as HH:MM, e.g. '09:00 - 09:30'"
    return start, end


def _start_end_or_problem(first: str, last: str, layout: _Layout) -> tuple[ClockTime, ClockTime] | str:
    """The clocks of separate start and end cells, or what is wrong with them."""
    clocks: list[ClockTime] = []
    bad: list[str] = []
    for text, column in ((first, _Column.START), (last, _Column.END)):
        where = layout.name(column)
        if not text:
            bad.append(f"{where} is empty")
            continue
        clock = clock_time(text) if len(text) <= _MAX_CELL and _ONE_TIME.fullmatch(text) else f"{text!r} is not a time"
        if isinstance(clock, str):
            bad.append(f"{where}: {clock}")
        else:
            clocks.append(clock)
    if bad:
        return "; ".join(bad) + "; write times as HH:MM, e.g. '09:00' and '09:30'"
    return clocks[0], clocks[1]


def _link_or_problem(link: _Link, kind: str | None, extra: dict[str, Any]) -> str | None:
    """Put ``link`` in the session's links (the first of each kind wins); a relative address is a problem."""
    if not link.url or link.url.startswith("#"):
        return None  # a link within the page: nothing to open from Discord
    if not re.match(r"https?://[^\s/$.?#]", link.url, re.IGNORECASE):
        return f"the link {link.url!r} ({link.text!r}) is not a full web address; write it starting with https://"
    extra.setdefault("links", {}).setdefault(kind or _link_kind(link.text) or "page", link.url)
    return None


# --- the file --------------------------------------------------------------------------------------------------


def looks_like_markdown_table(text: str) -> bool:
    """Whether ``text`` is mostly a markdown-table schedule: it has a pipe table with a time column, and more of
    its schedule lines are table rows than plain-text schedule lines (``- 09:00 - 09:30 Talk``) outside tables."""
    lines = text.splitlines()
    table_rows = 0
    found = False
    for block in _blocks(lines):
        if not isinstance(block, _Table):
            continue
        rows = [cells for _, cells in block.rows]
        named = block.header_line is not None and _has_time(_layout(block.headers, rows))
        timed = sum(any(_is_range(cell) for cell in cells) for cells in rows)
        if named or timed:
            found = True
            table_rows += 1 + timed
    if not found:
        return False
    in_tables = _table_lines(lines)
    plain = sum(1 for number, line in enumerate(lines, 1) if number not in in_tables and schedule_line(line))
    return table_rows > plain


def markdown_table_document(
    text: str, source: str, *, date: dt.date | None, timezone: str | None, name: str | None = None
) -> dict[str, Any]:
    """The native document for a markdown-table schedule; see :func:`markdown_table_import`."""
    return markdown_table_import(text, source, date=date, timezone=timezone, name=name)[0]


def markdown_table_import(
    text: str,
    source: str,
    *,
    date: dt.date | None,
    timezone: str | None,
    name: str | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> tuple[dict[str, Any], LineFinder]:
    """The native document for a markdown-table schedule, and a line finder that places each session on its row.

    ``timezone`` must come from the caller, and ``date`` too unless every table is under a heading with its date:
    without them this raises :class:`UsageError` (:class:`MissingZone` for the zone). Raises
    :class:`ScheduleError` with every problem and its line: no schedule table, a table without a header, time
    column or rows, a time that is not a range, a row without a title, a day heading without its date. ``kinds``
    maps the words of a Type column to kinds (``chairbot import --kind``), over the types exporters write.
    """
    if not isinstance(text, str):
        raise ScheduleError(source, [Problem(f"expected the text of {_FORMAT}")])
    lines = text.lstrip("\ufeff").splitlines()
    problems: list[Problem] = []
    rows: list[_Row] = []
    dates: list[_DateRef] = []
    blocks = list(_blocks(lines))
    tables = [block for block in blocks if isinstance(block, _Table)]
    layouts = {
        id(table): _layout(table.headers, [cells for _, cells in table.rows])
        for table in tables
        if table.header_line is not None
    }
    if not any(_has_time(layout) for layout in layouts.values()) and not any(
        table.header_line is None and any(_is_range(cell) for _, cells in table.rows for cell in cells)
        for table in tables
    ):
        if tables:
            first = tables[0]
            where = first.header_line or first.rows[0][0]
            problems.append(
                Problem(
                    "the table has no time column: name one 'Time' in its header, with cells such as "
                    f"'09:00 - 09:30', e.g. {_EXAMPLE_HEADER}",
                    line=where,
                )
            )
        else:
            problems.append(Problem(f"no markdown table found (expected a header such as {_EXAMPLE_HEADER})"))
        raise ScheduleError(source, problems)

    headings: list[tuple[int, int | None]] = []  # open sections: level and the index of their date
    day: int | None = None
    after_midnight = 0
    layout: _Layout | None = None

    def section_day() -> int | None:
        return next((index for _, index in reversed(headings) if index is not None), None)

    def change_day(index: int | None) -> None:
        nonlocal day, after_midnight
        if index != day:
            day, after_midnight = index, 0

    def enter_heading(level: int, text: str, line: int) -> None:
        """A heading opens a section; one with a date puts that section's tables on its day."""
        before = section_day()
        while headings and headings[-1][0] >= level:
            headings.pop()
        found = _find_date(text, line)
        if found is not None:
            dates.append(found)
        elif _DAY_LIKE.match(text):
            problems.append(
                Problem(
                    f"the heading {text!r} names no date; write its date, e.g. '## {text} — May 12', so its "
                    "sessions are on their day",
                    line=line,
                )
            )
        headings.append((level, len(dates) - 1 if found is not None else None))
        if section_day() != before:
            change_day(section_day())

    for block in blocks:
        if isinstance(block, _Heading):
            enter_heading(block.level, block.text, block.line)
            continue

        if block.header_line is not None:
            layout = None
            table_layout = layouts[id(block)]
            if not _has_time(table_layout):
                continue  # another table has the times: this one is something else (dates, organizers)
            if not block.rows:
                problems.append(
                    Problem(
                        f"the table has no rows; add one under its header, e.g. {_EXAMPLE_ROW}", line=block.header_line
                    )
                )
                continue
            if _Column.TITLE not in table_layout.columns:
                problems.append(
                    Problem(
                        "the table has no title column: name one 'Session' (or 'Title', 'Talk') in its header, "
                        f"e.g. {_EXAMPLE_HEADER}",
                        line=block.header_line,
                    )
                )
                continue
            layout = table_layout
            change_day(section_day())  # a day row of an earlier table ends with it
        else:
            texts = [(number, " ".join(_text(cell) for cell in cells)) for number, cells in block.rows]
            timed = any(_is_range(cell) for _, cells in block.rows for cell in cells)
            if not timed and all(_find_date(text, number) for number, text in texts if text):
                for number, text in texts:  # rows such as '| **Day 2 — May 12** | |' on their own: headings
                    if text:
                        enter_heading(7, text, number)
                continue
            if layout is None or len(block.rows[0][1]) > len(layout.headers):
                if timed:
                    problems.append(
                        Problem(
                            f"these table rows have no header row; put one above them, e.g. {_EXAMPLE_HEADER}",
                            line=block.rows[0][0],
                        )
                    )
                continue

        assert layout is not None
        for number, cells in block.rows:
            row = _read_row(number, cells, layout, problems, kinds)
            if row is None:
                continue
            if isinstance(row, _DateRef):
                dates.append(row)
                change_day(len(dates) - 1)
                continue
            row.day, row.after_midnight = day, after_midnight
            rows.append(row)
            if row.end >= 24 * 60:
                after_midnight += 1

    if not rows and not problems:
        problems.append(Problem(f"no schedule rows found (expected rows such as {_EXAMPLE_ROW})"))
    days = _resolve_dates(dates, date, problems)
    if problems:
        raise ScheduleError(source, problems)
    yearless = next((ref for ref, day in zip(dates, days, strict=True) if day is None), None)
    if yearless is not None:
        raise UsageError(
            f"{_FORMAT} gives the date {yearless.text!r} (line {yearless.line}) without its year; pass "
            "--date YYYY-MM-DD, or write the year in the heading"
        )
    undated = next((row for row in rows if row.day is None), None)
    if undated is not None and date is None:
        raise UsageError(
            f"{_FORMAT} has no date for the session on line {undated.line}; pass --date YYYY-MM-DD, or put its "
            "day in a heading above its table, e.g. '## Saturday 11 May 2024'"
        )
    if undated is not None and date is not None and not 1900 <= date.year <= 2999:
        raise UsageError(f"--date {date.isoformat()} is not a plausible date for a workshop; pass the real date")
    if timezone is None or not timezone.strip():
        raise MissingZone(
            f"{_FORMAT} has no time zone; pass the venue's zone with --venue-tz, e.g. --venue-tz Europe/Vienna"
        )

    sessions: list[dict[str, Any]] = []
    used: set[str] = set()
    for row in rows:
        ident = unique_id(row.title, used)
        on = days[row.day] if row.day is not None else date
        assert on is not None  # an undated row without --date, or a date without its year, stopped us above
        midnight = dt.datetime.combine(on, dt.time()) + dt.timedelta(days=row.after_midnight)
        sessions.append(
            {
                "id": ident,
                "title": row.title,
                "kind": row.kind.value,
                "start": (midnight + dt.timedelta(minutes=row.start)).isoformat(),
                "end": (midnight + dt.timedelta(minutes=row.end)).isoformat(),
                "speakers": row.extra.get("speakers", []),
                "links": row.extra.get("links", {}),
                **{key: row.extra[key] for key in ("room", "track", "abstract", "qa") if key in row.extra},
            }
        )
    in_tables = _table_lines(lines)
    prose = [line for number, line in enumerate(lines, 1) if number not in in_tables and not _dated(line)]
    event = {
        "name": name.strip() if name and name.strip() else name_from(prose, source),
        "timezone": timezone.strip(),
        "date": min(session["start"] for session in sessions)[:10],
        "display_timezones": [],
    }
    row_lines = [row.line for row in rows]

    def line_of(path: Sequence[int | str]) -> int | None:
        if len(path) >= 2 and path[0] == "sessions" and isinstance(path[1], int) and 0 <= path[1] < len(row_lines):
            return row_lines[path[1]]
        return None

    return {"event": event, "sessions": sessions}, line_of


def _dated(line: str) -> bool:
    """Whether ``line`` is a heading that carries a date (a day, not the event's name)."""
    heading = _MD_HEADING.fullmatch(line) if len(line) <= _MAX_CELL else None
    return heading is not None and _find_date(_text(heading.group(2)), 0) is not None


def _read_row(
    number: int, cells: list[str], layout: _Layout, problems: list[Problem], kinds: Mapping[str, Kind] | None = None
) -> _Row | _DateRef | None:
    """A session row, a day row, or ``None`` (a blank row, or one with a problem, which is recorded)."""
    if not any(cell.strip() for cell in cells):
        return None
    columns = layout.columns
    if len([cell for cell in cells[len(layout.headers) :] if cell.strip()]) > 0:
        problems.append(
            Problem(
                f"the row has {len(cells)} cells but the header has {len(layout.headers)}; write a '|' inside a "
                "cell as '\\|'",
                line=number,
            )
        )
        return None

    def cell(column: _Column) -> str:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else ""

    if _Column.START in columns:
        time_text = _text(cell(_Column.START))
        clocks = _start_end_or_problem(time_text, _text(cell(_Column.END)), layout) if time_text else None
    else:
        time_text = _text(cell(_Column.TIME))
        clocks = _range_or_problem(time_text, layout.name(_Column.TIME)) if time_text else None
    time_column = layout.name(_Column.START if _Column.START in columns else _Column.TIME)

    if clocks is None or (isinstance(clocks, str) and not _ONE_TIME.search(time_text)):
        found = _find_date(" ".join(_text(c) for c in cells), number)
        if found is not None:
            return found
        if clocks is None:
            problems.append(
                Problem(
                    f"the row has no time in {time_column}; give it one, e.g. {_EXAMPLE_ROW}, or make it a day "
                    f"heading with its date, e.g. {_EXAMPLE_DAY}",
                    line=number,
                )
            )
        else:
            problems.append(Problem(f"{clocks}; for a day heading write its date, e.g. {_EXAMPLE_DAY}", line=number))
        return None
    if isinstance(clocks, str):
        problems.append(Problem(clocks, line=number))
        return None

    title, title_links = _inline(cell(_Column.TITLE))
    title = " ".join(title.split())
    if not title:
        problems.append(
            Problem(
                f"the row has a time but no title in {layout.name(_Column.TITLE)}; write the session's name there",
                line=number,
            )
        )
        return None

    extra: dict[str, Any] = {}
    bad_links = [_link_or_problem(link, "page", extra) for link in title_links]
    for index, kind in layout.links:
        if index < len(cells):
            text, links = _inline(cells[index])
            links = links or [_Link("", url) for url in re.findall(r"https?://[^\s<>()|]+", text)]
            bad_links += [_link_or_problem(link, kind, extra) for link in links]
    problems.extend(Problem(message, line=number) for message in bad_links if message is not None)
    speakers = _speakers(cell(_Column.SPEAKERS))
    if speakers:
        extra["speakers"] = speakers
    for column, key in ((_Column.ROOM, "room"), (_Column.TRACK, "track")):
        value = _text(cell(column))
        if value and value.lower() not in _PLACEHOLDERS:
            extra[key] = value
    abstract = _inline(cell(_Column.ABSTRACT))[0]
    if abstract:
        extra["abstract"] = abstract
    reading = read_type(_text(cell(_Column.KIND)), kinds)
    if reading.qa is not None:
        extra["qa"] = reading.qa
    kind = reading.kind or infer_kind(title)
    first, last = time_span(*clocks)
    return _Row(number, title, first, last, None, 0, kind, extra)


def _resolve_dates(dates: list[_DateRef], date: dt.date | None, problems: list[Problem]) -> list[dt.date | None]:
    """The dates the headings and day rows name, in file order: a year left out is the one before it, else
    ``date``'s (``None`` when neither says: the caller asks for ``--date``). An impossible date, a year far off
    and a weekday that is not the date's are problems."""
    resolved: list[dt.date | None] = []
    year: int | None = None
    for ref in dates:
        year = ref.year or year or (date.year if date is not None else None)
        if year is None:
            resolved.append(None)
            continue
        try:
            day = dt.date(year, ref.month, ref.day)
        except ValueError:
            problems.append(Problem(f"{ref.text!r} is not a date; write e.g. 'Saturday 11 May 2024'", line=ref.line))
            resolved.append(None)
            continue
        if not 1900 <= year <= 2999:
            problems.append(
                Problem(
                    f"{ref.text!r}: {year} is not a plausible year for a workshop; write the real one", line=ref.line
                )
            )
        elif ref.weekday is not None and ref.weekday != day.weekday():
            problems.append(
                Problem(
                    f"{ref.text!r}: {day.isoformat()} is a {day:%A}; correct the weekday, the date or the year",
                    line=ref.line,
                )
            )
        resolved.append(day)
    return resolved
