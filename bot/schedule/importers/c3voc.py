"""Import the c3voc ``schedule.json`` version 2 (the CCC hub's export, https://c3voc.de/schema/schedule2) into
the native document.

Version 2 keeps the conference of version 1 but lists the events in one ``schedule.events`` list instead of
under ``days[].rooms``: each event has its ``guid``, ``title``, ``start`` and ``end`` as ISO date-times with
their offsets (older writers give ``date`` and ``duration`` instead, as version 1 does), ``room`` as
``{"name", "guid"}`` (or a name), ``track`` as ``{"name"}`` or ``{"slug"}``, ``type``, ``participants`` (or
``persons``), ``abstract``, ``description``, ``url``, ``links`` and ``attachments``. A room or track given only by
its guid or slug is looked up in ``conference.rooms`` / ``conference.tracks``.

Every event then goes through :class:`~bot.schedule.importers.pretalx.SessionCollector`, so the rules of
version 1 hold (the offset is the truth, ids, kinds from ``type``, links, abstracts), and every problem is
collected and reported with the event it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.schedule.errors import Problem, ScheduleError
from bot.schedule.importers.pretalx import Day, Header, SessionCollector, event_section, parse_day_date, text_of
from bot.schedule.model import Kind

__all__ = ["c3voc_document", "looks_like_c3voc"]


def _events_of(data: Mapping[str, Any]) -> object:
    schedule = data.get("schedule")
    if isinstance(schedule, Mapping) and "events" in schedule:
        return schedule.get("events")
    return data.get("events")


def looks_like_c3voc(data: object) -> bool:
    """Whether parsed JSON is a c3voc schedule version 2: a ``schedule`` with a ``conference`` and an
    ``events`` list beside it (in ``schedule``, or at the top of the file)."""
    if not isinstance(data, Mapping):
        return False
    schedule = data.get("schedule")
    return (
        isinstance(schedule, Mapping)
        and isinstance(schedule.get("conference"), Mapping)
        and ("events" in schedule or "events" in data)
    )


def _by_key(entries: object, key: str) -> dict[str, str]:
    """``{guid or slug: name}`` for the ``conference.rooms`` or ``conference.tracks`` list."""
    found: dict[str, str] = {}
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping):
                ref, name = text_of(entry.get(key)), text_of(entry.get("name"))
                if ref is not None and name is not None:
                    found[ref] = name
    return found


class _Names:
    """Resolves an event's ``room`` and ``track``, which version 2 writes as references."""

    def __init__(self, conference: Mapping[str, Any]) -> None:
        self._rooms = _by_key(conference.get("rooms"), "guid")
        self._tracks = _by_key(conference.get("tracks"), "slug")

    def room(self, value: object) -> tuple[str | None, str | None]:
        """The room's name, or the problem that it has none."""
        if value in (None, ""):
            return None, None
        if not isinstance(value, Mapping):
            name = text_of(value)
            if name is None:
                return None, f"'room' must be an object with a 'name' (found {type(value).__name__})"
            return name, None
        name = text_of(value.get("name"))
        guid = text_of(value.get("guid"))
        if name is None and guid is not None:
            name = self._rooms.get(guid)
        if name is None:
            return None, (
                f"'room' {dict(value)!r} names no room: give it a 'name', or the 'guid' of a room in conference.rooms"
            )
        return name, None

    def track(self, value: object) -> str | None:
        if isinstance(value, Mapping):
            slug = text_of(value.get("slug"))
            return text_of(value.get("name")) or (self._tracks.get(slug, slug) if slug else None)
        return text_of(value)


def c3voc_document(
    data: Mapping[str, Any],
    source: str,
    *,
    timezone: str | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> dict[str, Any]:
    """The native document for a parsed c3voc ``schedule.json`` version 2.

    ``timezone`` is used only when the file has no ``time_zone_name``; ``kinds`` is the organizer's mapping of
    types to kinds. Raises :class:`ScheduleError` listing every problem: a file not shaped like version 2, a zone
    that nobody names, and every event with a missing or garbled field.
    """
    schedule = data.get("schedule")
    conference = schedule.get("conference") if isinstance(schedule, Mapping) else None
    if not isinstance(schedule, Mapping) or not isinstance(conference, Mapping):
        raise ScheduleError(
            source,
            [
                Problem(
                    "a c3voc schedule.json version 2 looks like "
                    '{"schedule": {"version": …, "conference": {…}, "events": […]}}; this file has no '
                    "'schedule.conference' object"
                )
            ],
        )
    raw_days = conference.get("days")
    first_day = (
        next(
            (
                d
                for d in (parse_day_date(day.get("date")) for day in raw_days or [] if isinstance(day, Mapping))
                if d is not None
            ),
            None,
        )
        if isinstance(raw_days, list)
        else None
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

    raw_events = _events_of(data)
    if not isinstance(raw_events, list):
        found = "nothing" if raw_events is None else type(raw_events).__name__
        collector.problem(
            f"'schedule.events' must be a list of events, each with 'guid', 'title', 'start' and 'end' (found {found})"
        )
        raw_events = []
    names = _Names(conference)
    # Events carry their own date-times; a day is needed only by one written as 'date' plus 'start' "HH:MM".
    undated = Day(index=0, date=None, begins=None)
    for position, raw in enumerate(raw_events, start=1):
        if not isinstance(raw, Mapping):
            collector.problem(
                f"schedule.events[{position - 1}] is not an event object (found {type(raw).__name__}); "
                "each event is an object with 'guid', 'title', 'start' and 'end'"
            )
            continue
        room, room_problem = names.room(raw.get("room"))
        if room_problem is not None:
            title = text_of(raw.get("title"))
            who = f"event {title!r}" if title else f"schedule.events[{position - 1}]"
            ident = text_of(raw.get("code")) or text_of(raw.get("id")) or text_of(raw.get("guid"))
            collector.problems.append(Problem(f"{who}: {room_problem}", session=ident))
            continue
        collector.add({**raw, "room": room, "track": names.track(raw.get("track"))}, undated, room)
    return collector.document(source, event, header_problems)
