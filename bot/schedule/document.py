"""The native schedule document (what an organizer writes in YAML, TOML or JSON) and its resolution into a
validated :class:`~bot.schedule.model.Schedule`.

Every importer produces this same document shape (a plain ``dict``), so one set of rules checks them all.
A session's ``start``/``end`` is either ``"HH:MM"`` local to ``event.timezone`` on the session's ``date`` (or
``event.date``), or an ISO-8601 date-time; with an offset the offset is the truth, without one it is local to the
venue. Resolution collects every problem it finds, each naming its session and saying what to fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

from bot.schedule.errors import Problem, ScheduleError
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


#: Words organizers use for a kind, beyond the kind names themselves.
KIND_ALIASES: dict[str, Kind] = {
    "keynote": Kind.TALK,
    "invited": Kind.TALK,
    "invited talk": Kind.TALK,
    "lecture": Kind.TALK,
    "oral": Kind.CONTRIBUTED,
    "spotlight": Kind.CONTRIBUTED,
    "lightning": Kind.CONTRIBUTED,
    "lightning talk": Kind.CONTRIBUTED,
    "contributed talk": Kind.CONTRIBUTED,
    "posters": Kind.POSTER,
    "poster session": Kind.POSTER,
    "discussion": Kind.PANEL,
    "panel discussion": Kind.PANEL,
    "lunch": Kind.BREAK,
    "coffee": Kind.BREAK,
    "coffee break": Kind.BREAK,
    "pause": Kind.BREAK,
    "welcome": Kind.OPENING,
    "introduction": Kind.OPENING,
    "reception": Kind.SOCIAL,
}


def _to_kind(value: Any) -> Any:
    if isinstance(value, str):
        word = " ".join(value.strip().lower().replace("-", " ").replace("_", " ").split())
        if word in Kind._value2member_map_:
            return Kind(word)
        if word in KIND_ALIASES:
            return KIND_ALIASES[word]
        raise ValueError(f"unknown kind {value!r}; use one of {', '.join(k.value for k in Kind)}")
    return value


KindField = Annotated[Kind, BeforeValidator(_to_kind)]

# Title keywords, checked in order: the first that matches decides. Word boundaries keep "talk" out of
# "stalking" and "panel" out of "panelist".
_TITLE_RULES: tuple[tuple[re.Pattern[str], Kind], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        (r"\bposters?\b", Kind.POSTER),
        (r"\bpanel\b", Kind.PANEL),
        (r"\b(contributed|oral|spotlight|lightning)\b", Kind.CONTRIBUTED),
        (r"\b(opening|welcome|introduction|intro)\b", Kind.OPENING),
        (r"\b(break|lunch|coffee|recess)\b", Kind.BREAK),
        (r"\b(social|reception|dinner|happy hour|networking|mixer)\b", Kind.SOCIAL),
        (r"\b(invited|keynote|talk|lecture|tutorial)\b", Kind.TALK),
    )
)


def infer_kind(title: str) -> Kind:
    """The kind a title suggests (``Invited Talk 1`` -> talk, ``*Break*`` -> break), ``other`` if none."""
    for pattern, kind in _TITLE_RULES:
        if pattern.search(title):
            return kind
    return Kind.OTHER


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


class EventDoc(_Doc):
    name: Text
    timezone: Text
    date: dt.date | None = None
    display_timezones: Annotated[list[Text], BeforeValidator(one_or_many)] = []
    announce: dict[KindField, Offsets] = {}


class SessionDoc(_Doc):
    id: Text
    title: Text
    kind: KindField | None = None
    start: TimeValue
    end: TimeValue
    date: dt.date | None = None
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

_FIELDS: dict[str, tuple[str, ...]] = {
    "event": tuple(EventDoc.model_fields),
    "session": tuple(SessionDoc.model_fields),
    "speakers": tuple(Speaker.model_fields),
    "posters": tuple(Poster.model_fields),
    "links": tuple(Links.model_fields),
}


_TYPE_STEPS = frozenset({"str", "int", "float", "bool", "date", "time", "datetime", "list", "dict", "none"})


def _path(loc: Sequence[int | str]) -> str:
    """``speakers[0].name`` from pydantic's location, leaving out the steps that name validators and types."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in _TYPE_STEPS and not any(c in part for c in "[(-"):
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
) -> list[Problem]:
    problems = []
    for item in error.errors(include_url=False):
        loc: list[int | str] = [*prefix, *item["loc"]]
        session: str | None = None
        line: int | None = None
        if section == "session" and loc and isinstance(loc[0], int):
            if where is not None:
                session, line = where(loc[0])
            loc = loc[1:]
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


# --- instants ------------------------------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2})[:h.](\d{2})(?::(\d{2}))?$")


def _format_hint(zone: ZoneInfo | None) -> str:
    where = f"local to {zone.key}" if zone is not None else "local to the event's zone"
    return f"write 'HH:MM' ({where}) or an ISO-8601 date-time with offset such as '2024-05-11T09:00:00+02:00'"


def _no_date(name: str, text: str) -> ValueError:
    return ValueError(f"{name} {text!r} has no date: give the session a 'date' or the event a default 'date'")


class _ZoneUnknown(ValueError):
    """A local time that cannot be placed because the event's zone is itself invalid (already reported)."""


def resolve_instant(value: TimeValue, day: dt.date | None, zone: ZoneInfo | None, name: str) -> dt.datetime:
    """The aware UTC instant that ``value`` names; ``ValueError`` with what to write instead otherwise."""
    wall: dt.datetime
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC)
        wall = value
    elif isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError(f"{name} {value.isoformat()!r} has an offset but no date; write a full date-time")
        if day is None:
            raise _no_date(name, value.strftime("%H:%M"))
        wall = dt.datetime.combine(day, value)
    else:
        text = value.strip()
        clock = _CLOCK.match(text)
        if clock:
            hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
            if day is None:
                raise _no_date(name, text)
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
            if parsed.tzinfo is not None:
                return parsed.astimezone(dt.UTC)
            wall = parsed
    if zone is None:
        raise _ZoneUnknown(name)
    try:
        return localize(wall, zone)
    except LocalTimeError as exc:
        raise ValueError(f"{name}: {exc}") from None


# --- the whole schedule --------------------------------------------------------------------------------------

#: Finds the line of the n-th session in the source text, when the format can say.
LineFinder = Callable[[int], int | None]


def build_schedule(data: Any, source: str, line_of: LineFinder | None = None) -> Schedule:
    """Validate a native document and resolve it into a :class:`Schedule`.

    Raises :class:`ScheduleError` listing every problem found: missing or unknown fields, unknown zones, times
    that are not times or fall in a DST gap or fold, an end not after its start, duplicate ids, and sessions
    that overlap in the same room.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ScheduleError(source, [Problem("expected a mapping with an 'event' section and a 'sessions' list")])
    unknown = sorted(str(k) for k in data if k not in ("event", "sessions"))
    for key in unknown:
        close = difflib.get_close_matches(key, ["event", "sessions"], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "; a schedule has only 'event' and 'sessions'"
        problems.append(Problem(f"unknown top-level section {key!r}{hint}"))

    raw_event = data.get("event")
    raw_sessions = data.get("sessions")
    event_doc: EventDoc | None = None
    if raw_event is None:
        problems.append(Problem("missing the 'event' section (it needs at least 'name' and 'timezone')"))
    else:
        try:
            event_doc = EventDoc.model_validate(raw_event)
        except ValidationError as exc:
            problems.extend(_problems_from(exc, "event", None))

    if raw_sessions is None:
        raw_sessions = []
        problems.append(Problem("missing the 'sessions' list"))
    elif not isinstance(raw_sessions, list):
        raw_sessions = []
        problems.append(Problem("'sessions' must be a list of sessions"))
    elif not raw_sessions:
        problems.append(Problem("the schedule has no sessions"))

    def where(index: int) -> tuple[str | None, int | None]:
        raw = raw_sessions[index] if index < len(raw_sessions) else None
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        label = str(ident) if isinstance(ident, str | int) and str(ident).strip() else f"#{index + 1}"
        return label, (line_of(index) if line_of is not None else None)

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
    if event_doc is not None:
        try:
            zone = get_zone(event_doc.timezone)
        except ZoneError as exc:
            problems.append(Problem(f"event: timezone: {exc}"))
        for name in event_doc.display_timezones:
            try:
                display.append(get_zone(name))
            except ZoneError as exc:
                problems.append(Problem(f"event: display_timezones: {exc}"))

    default_day = event_doc.date if event_doc is not None else None
    sessions: list[tuple[int, Session]] = []
    for index, doc in docs:
        day = doc.date or default_day
        start = _instant_or_problem(doc.start, day, zone, "start", problems, where(index))
        end = _instant_or_problem(doc.end, day, zone, "end", problems, where(index))
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


def _instant_or_problem(
    value: TimeValue,
    day: dt.date | None,
    zone: ZoneInfo | None,
    name: str,
    problems: list[Problem],
    place: tuple[str | None, int | None],
) -> dt.datetime | None:
    """:func:`resolve_instant`, recording what is wrong with ``value`` instead of raising."""
    try:
        return resolve_instant(value, day, zone, name)
    except _ZoneUnknown:
        return None  # the event's zone is wrong, and that problem is reported once, for the event
    except ValueError as exc:
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
