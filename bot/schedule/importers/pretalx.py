"""Import a pretalx / c3voc ``schedule.json`` (frab's JSON export has the same shape) into the native document.

This module also owns the rules both frab-family formats share, which :mod:`~bot.schedule.importers.frab`
reuses for the same schedule written as XML:

* **Time.** An event's ``date`` with a UTC offset is the truth: ``start`` is emitted as that ISO date-time with
  its offset and ``end`` as start + ``duration`` with the same offset; the event's ``start`` field and the day it
  is listed under are then ignored (an event at 00:30 listed under the evening before is on the day its ``date``
  says). Without a ``date``, the event starts at its day's ``date`` + ``start`` on the venue's clock, on the next
  calendar day when ``start`` is earlier than the time the day begins (``day_start``, else the conference's
  ``day_change``): that is how these formats list talks after midnight. Such a start is emitted without an
  offset so that ``build_schedule`` localizes it and reports a DST gap or fold; its end is the instant
  ``duration`` later, so a talk across a clock change keeps its real length. The c3voc schedule version 2
  (:mod:`~bot.schedule.importers.c3voc`) writes ``start`` itself as a date-time with its offset, and ``end``
  beside it instead of ``duration``: read the same way.
* **Durations** are ``HH:MM`` or ``H:MM`` (hours may pass 24), ``HH:MM:SS`` (schedules never use seconds, so a
  three-part value ending in ``:00`` is read as hours:minutes:seconds), ``D:HH:MM`` (any other three-part
  value) or Python's ``"1 day, 2:00:00"``.
* **Identity and content.** The session id is pretalx's ``code``, else the event ``id``, else its ``guid``
  (stable across re-exports); a repeated id gets ``-2``, ``-3`` in file order (pretalx lists a talk once per
  slot). The kind comes from ``type`` as the organizer's mapping or the table of real exporters' types reads
  it, which may also say whether the slot has Q&A; the title decides only when the type names no kind
  (:mod:`bot.schedule.kinds`). ``url`` becomes ``links.page``, a link or attachment whose title mentions slides
  (or whose ``type`` is ``slides``) becomes ``links.slides``; relative addresses are resolved against the file's
  ``base_url``, and other links are ignored. The ``abstract`` (else the ``description``) becomes Discord
  markdown when it is HTML, trimmed at a sentence (:mod:`~bot.schedule.importers.abstract`); the speakers are
  ``persons`` (else version 2's ``participants``).
* **Event.** ``name`` is the conference ``title`` (else ``acronym``); ``timezone`` is ``time_zone_name``, else
  the caller's ``timezone`` (when both are given the file wins); ``date`` is the conference ``start`` date.

Problems are collected, not raised one by one: every event with a missing or garbled field is reported, naming
the event (its id, title and room; for XML its line) and the field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from bot.schedule.errors import Problem, ScheduleError
from bot.schedule.importers.abstract import discord_abstract
from bot.schedule.kinds import infer_kind, read_type
from bot.schedule.model import Kind
from bot.zones import LocalTimeError, ZoneError, get_zone, localize

__all__ = [
    "MISSING_ZONE",
    "Day",
    "Header",
    "SessionCollector",
    "event_section",
    "kind_for",
    "looks_like_pretalx",
    "parse_clock",
    "parse_day_date",
    "parse_duration",
    "pretalx_document",
    "text_of",
]


def looks_like_pretalx(data: object) -> bool:
    """Whether parsed JSON is a pretalx / c3voc / frab schedule: ``{"schedule": {"conference": …}}``."""
    if not isinstance(data, Mapping):
        return False
    schedule = data.get("schedule")
    return isinstance(schedule, Mapping) and "conference" in schedule


# --- small readers -------------------------------------------------------------------------------------------


def text_of(value: object) -> str | None:
    """A non-empty, stripped text from a scalar field; ``None`` for null, empty, or anything not a scalar."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def parse_clock(value: object) -> dt.time | None:
    """``"09:00"``, ``"9:00"`` or ``"09:00:00"`` as a time of day; ``None`` if it is not one."""
    if not isinstance(value, str):
        return None
    match = _CLOCK.fullmatch(value.strip())
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return dt.time(hour, minute, second)


_DATE_PREFIX = re.compile(r"\s*(\d{4}-\d{2}-\d{2})")


def parse_day_date(value: object) -> dt.date | None:
    """The calendar date a ``"2024-05-11"`` or ``"2024-05-11T00:00:00+02:00"`` field names, if any."""
    if not isinstance(value, str):
        return None
    match = _DATE_PREFIX.match(value)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def _day_begins(value: object) -> dt.time | None:
    """The wall-clock time a programme day begins, from ``"04:00"`` or ``"2024-05-11T04:00:00+02:00"``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    clock = parse_clock(text)
    if clock is not None:
        return clock
    try:
        return dt.datetime.fromisoformat(text).time()
    except ValueError:
        return None


_DURATION_TWO = re.compile(r"(\d{1,3}):(\d{2})")
_DURATION_THREE = re.compile(r"(\d{1,3}):(\d{2}):(\d{2})")
_DURATION_PY = re.compile(r"(\d{1,3}) days?, (\d{1,2}):(\d{2}):00")


def parse_duration(value: object) -> dt.timedelta | None:
    """A duration in one of the forms exporters write (see the module docstring); ``None`` if it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    days, hours, minutes = 0, 0, 0
    if match := _DURATION_TWO.fullmatch(text):
        hours, minutes = int(match.group(1)), int(match.group(2))
    elif match := _DURATION_THREE.fullmatch(text):
        first, second, third = (int(part) for part in match.groups())
        if third == 0:  # HH:MM:SS: schedule slots never have seconds
            hours, minutes = first, second
        else:  # D:HH:MM
            days, hours, minutes = first, second, third
            if hours > 23:
                return None
    elif match := _DURATION_PY.fullmatch(text):
        days, hours, minutes = (int(part) for part in match.groups())
    else:
        return None
    if minutes > 59:
        return None
    return dt.timedelta(days=days, hours=hours, minutes=minutes)


# --- kinds ---------------------------------------------------------------------------------------------------


def kind_for(type_name: object, title: str, kinds: Mapping[str, Kind] | None = None) -> Kind:
    """The kind ``type`` names (``"Talk (30 min)"`` -> talk, FOSDEM's ``devroom`` -> talk), as the organizer's
    ``kinds`` maps it or as :data:`~bot.schedule.kinds.TYPE_KINDS` reads it; else, for ``other``, ``meeting`` or
    a type nobody knows, the kind the title names (see :mod:`bot.schedule.kinds`)."""
    return read_type(type_name, kinds).kind or infer_kind(title)


# --- the conference ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Header:
    """The conference fields both formats share, exactly as found in the file (not yet checked)."""

    title: object = None
    acronym: object = None
    start: object = None
    time_zone_name: object = None
    day_change: object = None
    base_url: object = None


#: The problem of a conference without a zone: times in the file would mean nothing.
MISSING_ZONE = (
    "conference: has no 'time_zone_name', so its times name no instant; add the venue's zone to the file "
    "(an IANA name such as Europe/Vienna), or name it outside the file: --venue-tz Europe/Vienna on the command "
    'line, venue_timezone = "Europe/Vienna" in the bot\'s settings'
)


def event_section(
    header: Header, first_day: dt.date | None, timezone: str | None, line: int | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """The native ``event`` section for a conference header, and the problems with it (among them a zone that
    neither the file nor the caller names: the file is incomplete, and the problem says both ways to fix it).
    """
    problems: list[Problem] = []
    zone = text_of(header.time_zone_name)
    if zone is None and header.time_zone_name not in (None, ""):
        problems.append(
            Problem(
                f"conference: 'time_zone_name' {header.time_zone_name!r} is not a zone name; "
                "write an IANA name such as 'Europe/Vienna'",
                line=line,
            )
        )
    zone = zone or (timezone.strip() if isinstance(timezone, str) and timezone.strip() else None)
    if zone is None and not problems:
        problems.append(Problem(MISSING_ZONE, line=line))
    name = text_of(header.title) or text_of(header.acronym)
    if name is None:
        problems.append(
            Problem("conference: has neither 'title' nor 'acronym'; give the conference a title", line=line)
        )
    event: dict[str, Any] = {"name": name or "", "timezone": zone or "", "display_timezones": []}
    day = parse_day_date(header.start) or first_day
    if day is not None:
        event["date"] = day.isoformat()
    return event, problems


# --- events --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Day:
    """A programme day as listed: its number, calendar date and the wall-clock time it begins."""

    index: int
    date: dt.date | None
    begins: dt.time | None
    raw_date: object = None

    @classmethod
    def read(cls, index: int, raw_date: object, raw_begins: object, day_change: object) -> Day:
        begins = _day_begins(raw_begins)
        if begins is None:
            begins = _day_begins(day_change)
        return cls(index=index, date=parse_day_date(raw_date), begins=begins, raw_date=raw_date)


class _Bad(Exception):
    """One field of one event that cannot be used; ``field`` names it, the message says what to write."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


_ISO_EXAMPLE = "'2024-05-11T09:00:00+02:00'"
# Far outside these years a date is a typo, and near year 1 or 9999 adding a duration or converting to UTC
# would overflow.
_PLAUSIBLE_YEARS = (1900, 2999)
_SLIDES = re.compile(r"\b(slides?|folien|deck)\b", re.IGNORECASE)


class SessionCollector:
    """Turns a file's events, one by one, into native sessions, collecting every problem on the way."""

    def __init__(self, zone_name: str, base_url: object = None, kinds: Mapping[str, Kind] | None = None) -> None:
        self.sessions: list[dict[str, Any]] = []
        self.problems: list[Problem] = []
        self._zone_name = zone_name
        base = text_of(base_url)
        self._base_url = base if base is not None and re.match(r"https?://", base, re.IGNORECASE) else None
        self._kinds = kinds
        self._ids: set[str] = set()
        self._count = 0

    def problem(self, message: str, line: int | None = None) -> None:
        """A problem outside any one event (a day or room that is not shaped right)."""
        self.problems.append(Problem(message, line=line))

    def add(
        self,
        raw: object,
        day: Day,
        room: str | None,
        line: int | None = None,
        field_lines: Mapping[str, int] | None = None,
    ) -> None:
        """Convert one event listed under ``day`` and ``room``; ``line``/``field_lines`` locate it in XML."""
        self._count += 1
        if not isinstance(raw, Mapping):
            where = f"room {room!r}" if room else "a room"
            self.problems.append(
                Problem(
                    f"event #{self._count} on day {day.index} in {where} is not an event "
                    f"object (found {type(raw).__name__})",
                    line=line,
                )
            )
            return
        title = raw.get("title")
        title_text = text_of(title)
        room_name = text_of(raw.get("room")) or room
        ident = text_of(raw.get("code")) or text_of(raw.get("id")) or text_of(raw.get("guid"))
        who = f"event {title_text!r}" if title_text else f"event #{self._count}"
        if room_name:
            who += f" in room {room_name!r}"
        try:
            session = self._session(raw, day, room_name, title_text, ident)
        except _Bad as bad:
            at = (field_lines or {}).get(bad.field, line)
            self.problems.append(Problem(f"{who}: {bad.message}", session=ident, line=at))
            return
        self.sessions.append(session)

    def _session(
        self, raw: Mapping[str, Any], day: Day, room: str | None, title: str | None, ident: str | None
    ) -> dict[str, Any]:
        if title is None:
            raise _Bad("title", "has no 'title'; give every event a title")
        if ident is None:
            raise _Bad("id", "has no 'code', 'id' or 'guid' to identify it; give it an 'id'")
        try:
            start, end = self._instants(raw, day)
        except OverflowError:  # a date-time near year 1 or 9999 plus a duration
            raise _Bad(
                "date",
                f"'date' {raw.get('date')!r} with 'duration' {raw.get('duration')!r} is out of "
                "range; write the event's real date",
            ) from None
        reading = read_type(raw.get("type"), self._kinds)
        session: dict[str, Any] = {
            "id": self._unique(ident),
            "title": title,
            "kind": (reading.kind or infer_kind(title)).value,
            "start": start,
            "end": end,
        }
        if reading.qa is not None:  # "Talk 30 min + 10min Q&A", "Talk (no Q&A)"
            session["qa"] = reading.qa
        if room:
            session["room"] = room
        track = raw.get("track")
        if isinstance(track, Mapping):  # some exporters write the track as {"name": …, "color": …}
            track = track.get("name")
        if track_text := text_of(track):
            session["track"] = track_text
        people = raw.get("persons")
        session["speakers"] = self._speakers(raw.get("participants") if people in (None, "") else people)
        session["links"] = self._links(raw)
        abstract = discord_abstract(raw.get("abstract"), self._base_url) or discord_abstract(
            raw.get("description"), self._base_url
        )
        if abstract:
            session["abstract"] = abstract
        return session

    def _unique(self, ident: str) -> str:
        candidate, n = ident, 1
        while candidate in self._ids:
            n += 1
            candidate = f"{ident}-{n}"
        self._ids.add(candidate)
        return candidate

    def _instants(self, raw: Mapping[str, Any], day: Day) -> tuple[str, str]:
        raw_date = raw.get("date")
        raw_start = raw.get("start")
        field = "date"
        if raw_date in (None, "") and isinstance(raw_start, str) and _iso_datetime(raw_start.strip()) is not None:
            # The c3voc schedule version 2 writes the start as a date-time, and the end beside it.
            field, raw_date = "start", raw_start
        until_end = raw.get("duration") in (None, "") and raw.get("end") not in (None, "")
        duration = None if until_end else self._duration(raw)

        on_day = day.date
        if raw_date not in (None, ""):
            text = raw_date.strip() if isinstance(raw_date, str) else None
            if text is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                on_day = parse_day_date(text)  # a date without a time: the time is in 'start'
                if on_day is None:
                    raise _Bad("date", f"'date' {raw_date!r} is not a calendar date; write {_ISO_EXAMPLE}")
            else:
                when = _iso_datetime(text)
                if when is None:
                    raise _Bad(
                        field,
                        f"'{field}' {raw_date!r} is not an ISO-8601 date-time; write one with its "
                        f"UTC offset, e.g. {_ISO_EXAMPLE}",
                    )
                if not _PLAUSIBLE_YEARS[0] <= when.year <= _PLAUSIBLE_YEARS[1]:
                    raise _Bad(
                        field,
                        f"'{field}' {raw_date!r} is not a plausible year for a schedule; "
                        f"write the event's real date, e.g. {_ISO_EXAMPLE}",
                    )
                if duration is None:
                    duration = self._until_end(raw.get("end"), when, field)
                if when.tzinfo is not None:
                    return when.isoformat(), (when + duration).isoformat()
                return self._local(when, duration)
        if duration is None:  # an 'end' (version 2) needs its start as a date-time
            if raw_start in (None, ""):
                raise _Bad("start", f"has an 'end' but no 'start'; give 'start' as a date-time, e.g. {_ISO_EXAMPLE}")
            raise _Bad(
                "start",
                f"'start' {raw_start!r} is not an ISO-8601 date-time; write one with its UTC offset, "
                f"e.g. {_ISO_EXAMPLE}, or give 'duration' as HH:MM instead of 'end'",
            )

        raw_start = raw.get("start")
        if raw_start in (None, ""):
            missing = (
                "neither 'date' nor 'start'" if raw_date in (None, "") else "a 'date' without a time and no 'start'"
            )
            raise _Bad("start", f"has {missing}; give 'date' with its offset, e.g. {_ISO_EXAMPLE}")
        clock = parse_clock(raw_start)
        if clock is None:
            raise _Bad("start", f"'start' {raw_start!r} is not a time of day; write HH:MM, e.g. '09:00'")
        if on_day is None:
            listed = (
                f"its day's 'date' {day.raw_date!r} is not a date"
                if day.raw_date not in (None, "")
                else "its day has no 'date'"
            )
            raise _Bad("date", f"has no 'date' and {listed}; give 'date' with its offset, e.g. {_ISO_EXAMPLE}")
        if not _PLAUSIBLE_YEARS[0] <= on_day.year <= _PLAUSIBLE_YEARS[1]:
            raise _Bad(
                "date",
                f"the date {on_day.isoformat()!r} is not a plausible year for a schedule; write the event's real date",
            )
        wall = dt.datetime.combine(on_day, clock)
        if day.begins is not None and clock < day.begins and on_day == day.date:
            wall += dt.timedelta(days=1)  # listed under the evening before: after midnight
        return self._local(wall, duration)

    @staticmethod
    def _duration(raw: Mapping[str, Any]) -> dt.timedelta:
        raw_duration = raw.get("duration")
        if raw_duration in (None, ""):
            raise _Bad("duration", "has no 'duration'; write it as HH:MM, e.g. '00:30'")
        duration = parse_duration(raw_duration)
        if duration is None:
            raise _Bad("duration", f"'duration' {raw_duration!r} is not a duration; write HH:MM, e.g. '00:30'")
        if duration <= dt.timedelta(0):
            raise _Bad("duration", f"'duration' {raw_duration!r} is zero; give the event its length, e.g. '00:30'")
        return duration

    @staticmethod
    def _until_end(raw_end: object, start: dt.datetime, field: str) -> dt.timedelta:
        """The length from ``start`` to the event's ``end`` date-time (the c3voc schedule version 2)."""
        end = _iso_datetime(raw_end.strip() if isinstance(raw_end, str) else None)
        if end is None or (end.tzinfo is None) != (start.tzinfo is None):
            raise _Bad(
                "end",
                f"'end' {raw_end!r} is not an ISO-8601 date-time written like its {field!r}; write one with its "
                "UTC offset, e.g. '2024-05-11T09:30:00+02:00'",
            )
        if end <= start:
            raise _Bad("end", f"'end' {raw_end!r} is not after its {field} {start.isoformat()!r}; fix one of them")
        return end - start

    def _local(self, wall: dt.datetime, duration: dt.timedelta) -> tuple[str, str]:
        """A venue wall-clock start (left for build_schedule to localize) and the end ``duration`` later."""
        try:
            zone = get_zone(self._zone_name)
            start = localize(wall, zone)
        except (ZoneError, LocalTimeError):
            # build_schedule reports the unknown zone or the gap/fold at the start with its own advice.
            return wall.isoformat(), (wall + duration).isoformat()
        return wall.isoformat(), (start + duration).astimezone(zone).isoformat()

    def _speakers(self, persons: object) -> list[dict[str, Any]]:
        if persons in (None, ""):
            return []
        if not isinstance(persons, list):
            raise _Bad("persons", f"'persons' must be a list of people (found {type(persons).__name__})")
        speakers = []
        for index, person in enumerate(persons):
            name = text_of(person)
            if isinstance(person, Mapping):
                name = (
                    text_of(person.get("public_name"))
                    or text_of(person.get("full_public_name"))
                    or text_of(person.get("name"))
                )
            if name is None:
                raise _Bad("persons", f"persons[{index}] has no 'public_name' or 'name'; give every speaker a name")
            speakers.append({"name": name})
        return speakers

    def _links(self, raw: Mapping[str, Any]) -> dict[str, str]:
        links: dict[str, str] = {}
        if page := self._url(raw.get("url")):
            links["page"] = page
        for entry in _entries(raw.get("links")) + _entries(raw.get("attachments")):
            title = text_of(entry.get("title")) or ""
            url = self._url(entry.get("url") or entry.get("href"))
            slides = entry.get("type") == "slides" or _SLIDES.search(title)  # version 2 types its links
            if url and "slides" not in links and slides:
                links["slides"] = url
        return links

    def _url(self, value: object) -> str | None:
        text = text_of(value)
        if text is None or any(ch.isspace() for ch in text):
            return None
        if re.match(r"https?://[^\s/$.?#]", text, re.IGNORECASE):
            return text
        if self._base_url is not None and not re.match(r"[a-z][a-z0-9+.-]*:", text, re.IGNORECASE):
            return urljoin(self._base_url, text)
        return None  # mailto:, a bare path with no base: nothing a reader could open

    def document(self, source: str, event: dict[str, Any], problems: Iterable[Problem] = ()) -> dict[str, Any]:
        """The native document, or :class:`ScheduleError` with every problem found."""
        found = [*problems, *self.problems]
        if found:
            raise ScheduleError(source, found)
        return {"event": event, "sessions": self.sessions}


def _entries(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def _iso_datetime(text: str | None) -> dt.datetime | None:
    if text is None or not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


# --- the file ------------------------------------------------------------------------------------------------


def pretalx_document(
    data: Mapping[str, Any],
    source: str,
    *,
    timezone: str | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> dict[str, Any]:
    """The native document for a parsed pretalx / c3voc / frab ``schedule.json``.

    ``timezone`` is used only when the file has no ``time_zone_name``; ``kinds`` is the organizer's mapping of
    types to kinds (normalized keys, :func:`bot.schedule.kinds.kind_map`). Raises :class:`ScheduleError` listing
    every problem of the format, a zone that nobody names among them.
    """
    if not isinstance(data, Mapping):
        raise ScheduleError(
            source,
            [Problem('expected a JSON object such as {"schedule": {"conference": …}} (a pretalx/c3voc schedule.json)')],
        )
    schedule = data.get("schedule")
    if not isinstance(schedule, Mapping):
        raise ScheduleError(
            source,
            [
                Problem(
                    "there is no 'schedule' object; a pretalx/c3voc export looks like "
                    '{"schedule": {"conference": {…, "days": […]}}}'
                )
            ],
        )
    conference = schedule.get("conference")
    if not isinstance(conference, Mapping):
        raise ScheduleError(
            source,
            [
                Problem(
                    "'schedule' has no 'conference' object (with title, time_zone_name "
                    "and days); export the schedule again or add it"
                )
            ],
        )

    raw_days = conference.get("days")
    days: list[Any] = raw_days if isinstance(raw_days, list) else []
    first_day = next(
        (d for d in (parse_day_date(day.get("date")) for day in days if isinstance(day, Mapping)) if d is not None),
        None,
    )
    header = Header(
        title=conference.get("title"),
        acronym=conference.get("acronym"),
        start=conference.get("start"),
        time_zone_name=conference.get("time_zone_name"),
        day_change=conference.get("day_change"),
        base_url=schedule.get("base_url") or conference.get("base_url"),
    )
    event, header_problems = event_section(header, first_day, timezone)
    collector = SessionCollector(event["timezone"], header.base_url, kinds)
    if not isinstance(raw_days, list):
        found = "nothing" if raw_days is None else type(raw_days).__name__
        collector.problem(f"conference: 'days' must be a list of days, each with 'date' and 'rooms' (found {found})")

    for position, raw_day in enumerate(days, start=1):
        if not isinstance(raw_day, Mapping):
            collector.problem(f"day #{position} is not a day object (found {type(raw_day).__name__})")
            continue
        index = raw_day.get("index")
        day = Day.read(
            index if isinstance(index, int) and not isinstance(index, bool) else position,
            raw_day.get("date"),
            raw_day.get("day_start"),
            header.day_change,
        )
        rooms = raw_day.get("rooms")
        if rooms is None:
            continue  # a day with nothing scheduled yet
        if not isinstance(rooms, Mapping):
            collector.problem(
                f"day {day.index}: 'rooms' must map each room name to its list of events (found {type(rooms).__name__})"
            )
            continue
        for room_name, events in rooms.items():
            room = text_of(room_name)
            if not isinstance(events, list):
                collector.problem(
                    f"day {day.index}, room {room_name!r}: expected a list of events (found {type(events).__name__})"
                )
                continue
            for raw_event in events:
                collector.add(raw_event, day, room)
    return collector.document(source, event, header_problems)
