"""Import the plain-text tentative schedule of a workshop proposal into the native schedule document.

A **schedule line** is a time range followed by a title, e.g. ``- 09:00 - 09:30 Invited Talk 1``:

* an optional bullet (``-``, ``*``, ``+``, ``•``) or number (``3.``, ``3)``);
* two times (``9:00``, ``09:00``, ``9.00``, ``9h00``, ``9:00 am``, ``9 pm``, ``12:30 p.m.``; ``24:00`` as an
  end), separated by a hyphen, en dash, em dash, ``to`` or ``until``, optionally in bold (``**09:00 - 09:30**``);
  a time without am/pm next to one with it shares its half of the day unless that would reverse the range
  (``1:00 - 2:00 pm`` is 13:00-14:00, ``11:00 - 1:00 pm`` is 11:00-13:00);
* the title, kept as written except for a leading ``:``/``|``/dash and markdown emphasis (``*Break*`` ->
  ``Break``).

Every other line (headings such as ``Morning:``, prose, lists of dates or speakers, anything longer than 300
characters) is ignored. The kind comes from the title; the id is the title as a slug (``Invited Talk 1`` ->
``invited-talk-1``; a repeated ``Break`` becomes ``break``, ``break-2``, …). Times are on the venue's clock on
the ``date`` the caller passes, emitted without an offset so ``build_schedule`` localizes them (and reports DST
gaps and folds). A line whose end is before its start (``23:30 - 00:30``) ends on the next day, and the lines
after it are taken to be after midnight too.

The event ``name`` is the ``name`` argument, else the first line (in file order) that is a level-1 markdown
heading (``# …``), starts with ``Proposal:`` (the rest is the name), or is a short line (at most 120 characters,
not a list item, not a sentence) containing ``Workshop on``; else the stem of ``source`` (``iclr.txt`` ->
``iclr``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.kinds import infer_kind

__all__ = ["MissingZone", "looks_like_plaintext", "plaintext_document"]


class MissingZone(UsageError):
    """A plain-text schedule was given without the venue's zone, which only the caller can know."""


_MERIDIEM = r"[ap]\.?\s?m\b\.?"
TIME_OF_DAY = rf"\d{{1,2}}[:.h]\d{{2}}(?:\s*{_MERIDIEM})?|\d{{1,2}}\s*{_MERIDIEM}"
_SCHEDULE_LINE = re.compile(
    rf"""^\s*
    (?:[-*+•‣◦▪]\s+|\d{{1,3}}[.)]\s+)?          # bullet or number
    [*_]{{0,2}}                                 # emphasis around the times
    (?P<start>{TIME_OF_DAY})
    \s*(?:-|–|—|‒|―|\bto\b|\buntil\b)\s*
    (?P<end>{TIME_OF_DAY})
    [*_]{{0,2}}
    (?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
_TIME_PARTS = re.compile(r"(\d{1,2})(?:[:.h](\d{2}))?\s*(?:([ap])\.?\s?m\b\.?)?", re.IGNORECASE)
_EXAMPLE = "'- 09:00 - 09:30 Invited Talk 1'"


#: A schedule line is short; longer lines are prose, and skipping them keeps matching cheap on any input.
_MAX_LINE = 300


def schedule_line(line: str) -> re.Match[str] | None:
    return _SCHEDULE_LINE.match(line) if len(line) <= _MAX_LINE else None


def looks_like_plaintext(text: str) -> bool:
    """Whether ``text`` has at least one schedule line such as ``- 09:00 - 09:30 Invited Talk 1``."""
    return any(schedule_line(line) for line in text.splitlines())


# --- one line ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClockTime:
    hour: int
    minute: int
    meridiem: str | None  # "a", "p" or None for a 24-hour time

    def minutes(self, meridiem: str | None) -> int:
        """Minutes after midnight, reading the hour with ``meridiem`` (``None``: 24-hour clock)."""
        hour = self.hour
        if meridiem is not None:
            hour = hour % 12 + (12 if meridiem == "p" else 0)
        return hour * 60 + self.minute


def clock_time(token: str) -> ClockTime | str:
    """The time a token names, or a message saying why it names none."""
    match = _TIME_PARTS.fullmatch(token.strip())
    if not match:
        return f"{token!r} is not a time"
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = match.group(3).lower() if match.group(3) else None
    if minute > 59:
        return f"{token!r} is not a time (minutes run to 59)"
    if meridiem is not None and not 1 <= hour <= 12:
        return f"{token!r} is not a time (with am/pm, hours run from 1 to 12)"
    if meridiem is None and (hour > 24 or (hour == 24 and minute)):
        return f"{token!r} is not a time (hours run from 00 to 23, or 24:00 for midnight)"
    return ClockTime(hour, minute, meridiem)


def time_span(start: ClockTime, end: ClockTime) -> tuple[int, int]:
    """Start and end in minutes after midnight of the line's day; an end past midnight is 1440 or more.

    A time without am/pm next to one with it shares its half of the day, unless that would put the start
    after the end: ``1:00 - 2:00 pm`` is 13:00-14:00, ``11:00 - 1:00 pm`` is 11:00-13:00.
    """
    flip = {"a": "p", "p": "a"}
    if start.meridiem is None and end.meridiem is not None and 1 <= start.hour <= 12:
        first, last = start.minutes(end.meridiem), end.minutes(end.meridiem)
        if first > last:
            first = start.minutes(flip[end.meridiem])
    elif end.meridiem is None and start.meridiem is not None and 1 <= end.hour <= 12:
        first, last = start.minutes(start.meridiem), end.minutes(start.meridiem)
        if last < first:
            last = end.minutes(flip[start.meridiem])
    else:
        first, last = start.minutes(start.meridiem), end.minutes(end.meridiem)
    if last < first:  # "23:30 - 00:30": ends after midnight
        last += 24 * 60
    return first, last


_STRONG = re.compile(r"(\*\*|__)(.+?)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])")


def _clean_title(rest: str) -> str:
    title = re.sub(r"^\s*(?:[:|,]|[-–—]\s)\s*", "", rest)  # the separator after the times, if any
    title = _STRONG.sub(r"\2", title)
    title = _EMPHASIS.sub(r"\2", title)
    return " ".join(title.strip(" *_|").split())


def unique_id(title: str, used: set[str]) -> str:
    """The id of a session titled ``title``, ``-2``, ``-3``... added when another took it; recorded in ``used``."""
    base = ident = id_from_title(title)
    n = 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    return ident


def id_from_title(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "session"


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    title: str
    start: int  # minutes after midnight of the line's own day
    end: int


# --- the name ------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"#\s+(.+?)[\s#]*")
_PROPOSAL = re.compile(r"proposal\s*:\s*(.+)", re.IGNORECASE)
_LIST_ITEM = re.compile(r"\s*(?:[-*+•‣◦▪]\s|\d{1,3}[.)]\s)")


def name_from(lines: list[str], source: str) -> str:
    for line in lines:
        text = line.strip()
        if len(text) > _MAX_LINE:
            continue
        match = _HEADING.fullmatch(text) or _PROPOSAL.fullmatch(text)
        if (
            match is None
            and len(text) <= 120
            and "workshop on" in text.lower()
            and not _LIST_ITEM.match(line)
            and not text.endswith(".")
        ):
            match = re.fullmatch(r"(.+)", text)
        if match is not None:
            name = _clean_title(match.group(1))
            if name:
                return name
    stem = PurePath(source).stem.strip()
    return stem or "Workshop"


# --- the file ------------------------------------------------------------------------------------------------


def plaintext_document(
    text: str, source: str, *, date: dt.date | None, timezone: str | None, name: str | None = None
) -> dict[str, Any]:
    """The native document for a proposal's plain-text tentative schedule.

    ``date`` and ``timezone`` must come from the caller (the text names neither reliably): without them this
    raises :class:`UsageError` (:class:`MissingZone` for the zone). Raises :class:`ScheduleError` when there is
    no schedule line or a line's times are not times, each problem with its line number.
    """
    if not isinstance(text, str):
        raise ScheduleError(source, [Problem("expected the text of a plain-text schedule")])
    lines = text.lstrip("\ufeff").splitlines()
    found: list[_Line] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        match = schedule_line(line)
        if match is None:
            continue
        start, end = clock_time(match.group("start")), clock_time(match.group("end"))
        bad = [message for message in (start, end) if isinstance(message, str)]
        if bad or not isinstance(start, ClockTime) or not isinstance(end, ClockTime):
            problems.append(Problem("; ".join(bad) + f"; write times as HH:MM, e.g. {_EXAMPLE}", line=number))
            continue
        title = _clean_title(match.group("rest"))
        if not title:
            problems.append(Problem(f"the times have no title after them; write e.g. {_EXAMPLE}", line=number))
            continue
        first, last = time_span(start, end)
        found.append(_Line(number=number, title=title, start=first, end=last))

    if not found and not problems:
        raise ScheduleError(source, [Problem(f"no schedule lines found (expected lines such as {_EXAMPLE})")])
    if problems:
        raise ScheduleError(source, problems)
    if date is None:
        raise UsageError("a plain-text schedule has no date; pass --date YYYY-MM-DD")
    if not 1900 <= date.year <= 2999:
        raise UsageError(f"--date {date.isoformat()} is not a plausible date for a workshop; pass the real date")
    if timezone is None or not timezone.strip():
        raise MissingZone(
            "a plain-text schedule has no time zone; pass the venue's zone with --venue-tz, "
            "e.g. --venue-tz Europe/Vienna"
        )

    midnight = dt.datetime.combine(date, dt.time())
    sessions: list[dict[str, Any]] = []
    used: set[str] = set()
    day = 0  # days after ``date``: grows when a line runs past midnight
    for item in found:
        ident = unique_id(item.title, used)
        begins = midnight + dt.timedelta(days=day, minutes=item.start)
        ends = midnight + dt.timedelta(days=day, minutes=item.end)
        sessions.append(
            {
                "id": ident,
                "title": item.title,
                "kind": infer_kind(item.title).value,
                "start": begins.isoformat(),
                "end": ends.isoformat(),
                "speakers": [],
                "links": {},
            }
        )
        if item.end >= 24 * 60:
            day += 1
    event = {
        "name": name.strip() if name and name.strip() else name_from(lines, source),
        "timezone": timezone.strip(),
        "date": date.isoformat(),
        "display_timezones": [],
    }
    return {"event": event, "sessions": sessions}
