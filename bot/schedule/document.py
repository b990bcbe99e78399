"""The native schedule document (what an organizer writes in YAML, TOML or JSON) and its resolution into a
validated :class:`~bot.schedule.model.Schedule`.

Every importer produces this same document shape (a plain ``dict``), so one set of rules checks them all.
A session's ``start``/``end`` is either ``"HH:MM"`` local to ``event.timezone`` on the session's ``date`` (or
``event.date``), or an ISO-8601 date-time; with an offset the offset is the truth, without one it is local to the
venue. Resolution collects every problem it finds, each naming its session and saying what to fix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from bot.schedule.errors import Problem, ScheduleError
from bot.schedule.kinds import infer_kind, kind_map, normalize, parse_kind, type_key
from bot.schedule.model import (
    QA_KINDS,
    Event,
    Kind,
    Links,
    OptionalText,
    Poster,
    Schedule,
    Session,
    Speaker,
    Text,
    one_or_many,
)
from bot.timefmt import span
from bot.zones import LocalTimeError, ZoneError, get_zone, localize

# --- field types -------------------------------------------------------------------------------------------


def _to_kind(value: Any) -> Any:
    if isinstance(value, str):
        return parse_kind(value)
    return value


def _to_session_kind(value: Any) -> Any:
    try:
        return _to_kind(value)
    except ValueError as exc:
        word = normalize(value) if isinstance(value, str) else "devroom"
        raise ValueError(
            f"{exc}, or say what it means in the file's 'kinds' section (kinds: {{{word}: talk}})"
        ) from None


KindField = Annotated[Kind, BeforeValidator(_to_kind)]
#: A session's kind: a kind's name, a common word for one, or a word the file's ``kinds`` section maps to one.
SessionKindField = Annotated[Kind, BeforeValidator(_to_session_kind)]


def _speaker_from_text(value: Any) -> Any:
    """``"Andrew Wilson (New York University)"`` is shorthand for a speaker with an affiliation."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", value)
        if match:
            return {"name": match.group(1), "affiliation": match.group(2)}
        return {"name": value}
    return value


# --- the document ------------------------------------------------------------------------------------------


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Offsets = list[Annotated[int, Field(ge=0, le=7 * 24 * 60)]]
TimeValue = str | dt.datetime | dt.time

#: The years a schedule's dates may fall in, as the importers check them: a typo such as 9999 or 0001 is caught
#: here, with what to write, before an instant near the end of the calendar has no day after it to plan with.
PLAUSIBLE_YEARS = (1900, 2999)
_REAL_DATE = f"write the real date (a year from {PLAUSIBLE_YEARS[0]} to {PLAUSIBLE_YEARS[1]})"


def _plausible(day: dt.date) -> dt.date:
    if not PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]:
        raise ValueError(f"{day.isoformat()} is not a plausible date for a schedule; {_REAL_DATE}")
    return day


ScheduleDate = Annotated[dt.date, AfterValidator(_plausible)]

#: A zone's name; whether the tz database knows it (and an empty name) is checked once the document is read,
#: with a suggestion for a misspelt one.
ZoneName = str


class EventDoc(_Doc):
    name: Text
    timezone: ZoneName
    date: ScheduleDate | None = None
    display_timezones: Annotated[list[ZoneName], BeforeValidator(one_or_many)] = []
    announce: dict[KindField, Offsets] = {}


class SessionDoc(_Doc):
    id: Text
    title: Text
    kind: SessionKindField | None = None
    start: TimeValue
    end: TimeValue
    date: ScheduleDate | None = None
    room: OptionalText = None
    track: OptionalText = None
    speakers: Annotated[
        list[Annotated[Speaker, BeforeValidator(_speaker_from_text)]], BeforeValidator(one_or_many)
    ] = []
    links: Links = Field(default_factory=Links)
    qa: bool | None = None
    posters: list[Poster] = []
    abstract: str | None = None
    announce: Offsets | None = None


_SESSIONS = TypeAdapter(list[SessionDoc])


# --- turning validation errors into problems ----------------------------------------------------------------

#: Finds the line of a place in the source text, given its path in the document (``("sessions", 2)``,
#: ``("event", "timezone")``): the line of the deepest step the text has, or ``None`` when the format cannot say.
LineFinder = Callable[[Sequence[int | str]], int | None]

_FIELDS: dict[str, tuple[str, ...]] = {
    "event": tuple(EventDoc.model_fields),
    "session": tuple(SessionDoc.model_fields),
    "speakers": tuple(Speaker.model_fields),
    "posters": tuple(Poster.model_fields),
    "links": tuple(Links.model_fields),
}


_TYPE_STEPS = frozenset({"str", "int", "float", "bool", "date", "time", "datetime", "list", "dict", "none"})


def _steps(loc: Sequence[int | str]) -> tuple[int | str, ...]:
    """The steps of pydantic's location that name fields and items, leaving out those that name validators and
    the members of a union (``("start", "str")``). A type's name that comes first is a field (``date``)."""
    kept: list[int | str] = []
    for index, part in enumerate(loc):
        if isinstance(part, int):
            kept.append(part)
        elif any(c in part for c in "[(-"):
            continue
        elif part not in _TYPE_STEPS or index == 0 or isinstance(loc[index - 1], int):
            kept.append(part)
    return tuple(kept)


def _path(loc: Sequence[int | str]) -> str:
    """``speakers[0].name`` from pydantic's location."""
    out = ""
    for part in _steps(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _unknown_field_hint(loc: Sequence[int | str], section: str) -> str:
    name = str(loc[-1])
    parent = next((str(p) for p in reversed(loc[:-1]) if isinstance(p, str)), section)
    known = _FIELDS.get(parent, _FIELDS[section])
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(known)}"
    return f"unknown field {name!r}{hint}"


def _problems_from(
    error: ValidationError,
    section: str,
    where: Callable[[int], tuple[str | None, int | None]] | None,
    prefix: Sequence[int | str] = (),
    line_of: LineFinder | None = None,
) -> list[Problem]:
    """One problem per validation error; a session's carry its label and line (``where``), the event's the line
    of the field (``line_of``)."""
    problems = []
    for item in error.errors(include_url=False):
        loc: list[int | str] = [*prefix, *item["loc"]]
        session: str | None = None
        line: int | None = None
        if section == "session" and loc and isinstance(loc[0], int):
            if where is not None:
                session, line = where(loc[0])
            loc = loc[1:]
        elif section == "event" and line_of is not None:
            line = line_of(("event", *_steps(loc)))
        field = _path(loc)
        kind = item["type"]
        if kind == "missing":
            message = f"missing required field {field!r}"
        elif kind == "extra_forbidden":
            message = _unknown_field_hint(loc, section)
        else:
            text = item["msg"]
            if text.startswith("Value error, "):
                text = text[len("Value error, ") :]
            text = text[:1].lower() + text[1:]
            message = f"{field}: {text}" if field else text
        if section == "event":
            message = f"event: {message}"
        problems.append(Problem(message, session=session, line=line))
    return problems


def _field_adapter(info: FieldInfo) -> TypeAdapter[Any]:
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated[(annotation, *info.metadata)]
    return TypeAdapter(annotation, config=ConfigDict(str_strip_whitespace=True))


_EVENT_FIELDS: dict[str, TypeAdapter[Any]] = {
    name: _field_adapter(info) for name, info in EventDoc.model_fields.items()
}


def _event_parts(raw: Any) -> dict[str, Any]:
    """The fields of an invalid event section that are valid on their own. A typo in one field (already
    reported) must neither hide what is wrong with the zone nor make every session lack the event's date."""
    if not isinstance(raw, Mapping):
        return {}
    parts: dict[str, Any] = {}
    for name, adapter in _EVENT_FIELDS.items():
        if name in raw:
            with contextlib.suppress(ValidationError):  # reported with the whole section
                parts[name] = adapter.validate_python(raw[name])
    return parts


# --- instants ------------------------------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2})[:h.](\d{2})(?::(\d{2}))?$")


def _format_hint(zone: ZoneInfo | None) -> str:
    where = f"local to {zone.key}" if zone is not None else "local to the event's zone"
    return f"write 'HH:MM' ({where}) or an ISO-8601 date-time with offset such as '2024-05-11T09:00:00+02:00'"


class _NoDate(ValueError):
    """A local time with no day to put it on."""


def _no_date(name: str, text: str) -> _NoDate:
    return _NoDate(f"{name} {text!r} has no date: give the session a 'date' or the event a default 'date'")


class _ZoneUnknown(ValueError):
    """A local time that cannot be placed because the event's zone is itself invalid (already reported)."""


def _require_plausible(day: dt.date, name: str, written: str) -> None:
    if not PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1]:
        raise ValueError(f"{name} {written!r} is not on a plausible date for a schedule; {_REAL_DATE}")


def resolve_instant(value: TimeValue, day: dt.date | None, zone: ZoneInfo | None, name: str) -> dt.datetime:
    """The aware UTC instant that ``value`` names; ``ValueError`` with what to write instead otherwise. The date
    it is on must be in :data:`PLAUSIBLE_YEARS`: checked before any arithmetic, so that no date at the edge of the
    calendar is ever stepped over."""
    wall: dt.datetime
    if isinstance(value, dt.datetime):
        _require_plausible(value.date(), name, value.isoformat())
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        wall = value
    elif isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError(f"{name} {value.isoformat()!r} has an offset but no date; write a full date-time")
        if day is None:
            raise _no_date(name, value.strftime("%H:%M"))
        _require_plausible(day, name, f"{day.isoformat()} {value.strftime('%H:%M')}")
        wall = dt.datetime.combine(day, value)
    else:
        text = value.strip()
        clock = _CLOCK.match(text)
        if clock:
            hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
            if day is None:
                raise _no_date(name, text)
            _require_plausible(day, name, f"{day.isoformat()} {text}")
            if (hour, minute, second) == (24, 0, 0):  # "24:00" ends a session at midnight
                wall = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
            elif hour > 23 or minute > 59 or second > 59:
                raise ValueError(f"{name} {text!r} is not a time of day (00:00 to 23:59)")
            else:
                wall = dt.datetime.combine(day, dt.time(hour, minute, second))
        else:
            try:
                parsed = dt.datetime.fromisoformat(text) if ("T" in text or " " in text) else None
            except ValueError:
                parsed = None
            if parsed is None:
                raise ValueError(f"{name} {text!r} is not a time: {_format_hint(zone)}")
            _require_plausible(parsed.date(), name, text)
            if parsed.tzinfo is not None:
                return parsed.astimezone(dt.UTC)
            wall = parsed
    if zone is None:
        raise _ZoneUnknown(name)
    try:
        return localize(wall, zone)
    except LocalTimeError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _zone(name: str, whose: str) -> ZoneInfo:
    """The zone called ``name``; :class:`ZoneError` also for an empty name, which the tz database would take as UTC."""
    if not name:
        raise ZoneError(f"the name of {whose} zone is empty; write an IANA name such as 'Europe/Vienna'")
    return get_zone(name)


# --- the whole schedule --------------------------------------------------------------------------------------

#: The top-level sections of a native file; ``kinds`` says what the words its sessions use for a kind mean.
SECTIONS = ("event", "sessions", "kinds")


def build_schedule(data: Any, source: str, line_of: LineFinder | None = None) -> Schedule:
    """Validate a native document and resolve it into a :class:`Schedule`.

    Raises :class:`ScheduleError` listing every problem found: missing or unknown fields, unknown zones, times
    that are not times or fall in a DST gap or fold, dates outside :data:`PLAUSIBLE_YEARS`, an end not after its
    start, duplicate ids, and sessions that overlap in the same room. Each problem is reported once, at its line
    when ``line_of`` can say: a wrong event field does not also make the sessions' times wrong.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ScheduleError(source, [Problem("expected a mapping with an 'event' section and a 'sessions' list")])

    def line(*path: int | str) -> int | None:
        return line_of(path) if line_of is not None else None

    unknown = sorted(str(k) for k in data if k not in SECTIONS)
    for key in unknown:
        close = difflib.get_close_matches(key, SECTIONS, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; a schedule has only 'event', 'sessions' and 'kinds'"
        problems.append(Problem(f"unknown top-level section {key!r}{hint}", line=line(key)))

    raw_event = data.get("event")
    raw_sessions = data.get("sessions")
    event_doc: EventDoc | None = None
    # The event's fields that could be read: all of them, or those valid on their own when the section is not.
    event_fields: dict[str, Any] = {}
    if raw_event is None:
        problems.append(Problem("missing the 'event' section (it needs at least 'name' and 'timezone')"))
    else:
        try:
            event_doc = EventDoc.model_validate(raw_event)
            event_fields = dict(event_doc)
        except ValidationError as exc:
            problems.extend(_problems_from(exc, "event", None, line_of=line_of))
            event_fields = _event_parts(raw_event)
    # An event date that is there but wrong is reported once, not again as the missing date of every session.
    event_date_unread = (
        raw_event is not None
        and "date" not in event_fields
        and (not isinstance(raw_event, Mapping) or "date" in raw_event)
    )

    if raw_sessions is None:
        raw_sessions = []
        problems.append(Problem("missing the 'sessions' list"))
    elif not isinstance(raw_sessions, list):
        raw_sessions = []
        problems.append(Problem("'sessions' must be a list of sessions", line=line("sessions")))
    elif not raw_sessions:
        problems.append(Problem("the schedule has no sessions", line=line("sessions")))
    kinds, kind_problems = _kinds_section(data.get("kinds"), line)
    problems.extend(kind_problems)
    if kinds:
        raw_sessions = [_with_mapped_kind(raw, kinds) for raw in raw_sessions]

    def where(index: int) -> tuple[str | None, int | None]:
        raw = raw_sessions[index] if index < len(raw_sessions) else None
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        label = str(ident) if isinstance(ident, str | int) and str(ident).strip() else f"#{index + 1}"
        return label, line("sessions", index)

    docs: list[tuple[int, SessionDoc]] = []
    try:
        docs = list(enumerate(_SESSIONS.validate_python(raw_sessions)))
    except ValidationError:
        # Check one by one so a bad session does not hide the problems of the others.
        for index, raw in enumerate(raw_sessions):
            try:
                docs.append((index, SessionDoc.model_validate(raw)))
            except ValidationError as exc:
                problems.extend(_problems_from(exc, "session", where, prefix=[index]))

    zone: ZoneInfo | None = None
    display: list[ZoneInfo] = []
    if "timezone" in event_fields:
        try:
            zone = _zone(event_fields["timezone"], "the venue's")
        except ZoneError as exc:
            problems.append(Problem(f"event: timezone: {exc}", line=line("event", "timezone")))
    for index, name in enumerate(event_fields.get("display_timezones", [])):
        try:
            display.append(_zone(name, "a display"))
        except ZoneError as exc:
            field = f"display_timezones[{index}]"
            problems.append(Problem(f"event: {field}: {exc}", line=line("event", "display_timezones", index)))

    default_day: dt.date | None = event_fields.get("date")
    sessions: list[tuple[int, Session]] = []
    for index, doc in docs:
        day = doc.date or default_day
        no_day_reported = doc.date is None and event_date_unread
        start = _instant_or_problem(doc.start, day, zone, "start", problems, where(index), no_day_reported)
        end = _instant_or_problem(doc.end, day, zone, "end", problems, where(index), no_day_reported)
        if start is None or end is None:
            continue
        if end <= start:
            shown = f"{span(start, end, zone)} {zone.key}" if zone is not None else f"{start} to {end}"
            problems.append(Problem(f"end is not after start ({shown}); fix 'end' or 'start'", *where(index)))
            continue
        kind = doc.kind or infer_kind(doc.title)
        sessions.append(
            (
                index,
                Session(
                    id=doc.id,
                    title=doc.title,
                    kind=kind,
                    start=start,
                    end=end,
                    room=doc.room,
                    track=doc.track,
                    speakers=tuple(doc.speakers),
                    links=doc.links,
                    qa=kind in QA_KINDS if doc.qa is None else doc.qa,
                    posters=tuple(doc.posters),
                    abstract=doc.abstract or None,
                    announce=tuple(doc.announce) if doc.announce is not None else None,
                ),
            )
        )

    problems.extend(_duplicate_ids(docs, where))
    problems.extend(_overlaps(sessions, zone, where))
    if problems:
        raise ScheduleError(source, problems)
    # Both are set: had either failed, a problem would have been recorded above.
    assert event_doc is not None
    assert zone is not None

    event = Event(
        name=event_doc.name,
        timezone=zone,
        date=event_doc.date,
        display_timezones=tuple(display),
        announce={kind: tuple(offsets) for kind, offsets in event_doc.announce.items()},
    )
    ordered = sorted((s for _, s in sessions), key=lambda s: (s.start, s.room or "", s.id))
    return Schedule(event=event, sessions=tuple(ordered), source=source)


def _kinds_section(raw: Any, line: Callable[..., int | None]) -> tuple[dict[str, Kind], list[Problem]]:
    """The file's ``kinds`` section (what the words its sessions use for a kind mean, ``{devroom: talk}``) with
    normalized keys, and the problems with it: each entry is checked on its own, so one typo hides no other."""
    if raw is None:
        return {}, []
    example = "kinds: {devroom: talk, maintrack: talk}"
    if not isinstance(raw, Mapping):
        found = type(raw).__name__
        return {}, [
            Problem(
                f"'kinds' must map the words your sessions' 'kind' uses to kinds, e.g. {example} (found {found})",
                line=line("kinds"),
            )
        ]
    mapping: dict[str, Kind] = {}
    problems: list[Problem] = []
    for key, target in raw.items():
        where = line("kinds", key) if isinstance(key, str) else line("kinds")
        if not isinstance(key, str) or not isinstance(target, str):
            problems.append(
                Problem(f"kinds: {key!r}: {target!r} is not a word and its kind; write it as in {example}", line=where)
            )
            continue
        try:
            mapping.update(kind_map({key: target}))
        except ValueError as exc:
            problems.append(Problem(f"kinds: {exc}", line=where))
    return mapping, problems


def _with_mapped_kind(raw: Any, kinds: Mapping[str, Kind]) -> Any:
    """A session whose ``kind`` the file's ``kinds`` section maps, with the kind it maps to."""
    if isinstance(raw, Mapping) and isinstance(raw.get("kind"), str):
        word = type_key(raw["kind"])
        if word in kinds:
            return {**raw, "kind": kinds[word].value}
    return raw


def _instant_or_problem(
    value: TimeValue,
    day: dt.date | None,
    zone: ZoneInfo | None,
    name: str,
    problems: list[Problem],
    place: tuple[str | None, int | None],
    no_day_reported: bool = False,
) -> dt.datetime | None:
    """:func:`resolve_instant`, recording what is wrong with ``value`` instead of raising. A problem already
    reported for the event (its zone, or its date when ``no_day_reported``) is not reported again here."""
    try:
        return resolve_instant(value, day, zone, name)
    except _ZoneUnknown:
        return None
    except ValueError as exc:
        if not (no_day_reported and isinstance(exc, _NoDate)):
            problems.append(Problem(str(exc), *place))
        return None


def _duplicate_ids(
    docs: list[tuple[int, SessionDoc]], where: Callable[[int], tuple[str | None, int | None]]
) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for index, doc in docs:
        if doc.id in first:
            _, other_line = where(first[doc.id])
            at = f"line {other_line}" if other_line is not None else f"session #{first[doc.id] + 1}"
            problems.append(
                Problem(f"duplicate id: {at} already uses {doc.id!r}; give each session its own id", *where(index))
            )
        else:
            first[doc.id] = index
    return problems


def _overlaps(
    sessions: list[tuple[int, Session]], zone: ZoneInfo | None, where: Callable[[int], tuple[str | None, int | None]]
) -> list[Problem]:
    """Sessions in the same room (no room means the main stage) whose times intersect."""
    by_room: dict[str | None, list[tuple[int, Session]]] = {}
    for item in sessions:
        by_room.setdefault(item[1].room, []).append(item)
    problems = []
    for room, items in by_room.items():
        items.sort(key=lambda item: (item[1].start, item[1].end))
        latest: tuple[int, Session] | None = None  # the session reaching furthest so far
        for index, session in items:
            if latest is not None and session.start < latest[1].end:
                other = latest[1]
                place = f"room {room!r}" if room is not None else "the main room (no room given)"
                when = span(other.start, other.end, zone) if zone is not None else ""
                problems.append(
                    Problem(
                        f"overlaps session {other.id!r} ({when}) in {place}; change a time or put one in another room",
                        *where(index),
                    )
                )
            if latest is None or session.end > latest[1].end:
                latest = (index, session)
    return problems
