"""The schedule as RFC 5545 calendars (``/schedule.ics`` and ``/sessions/{id}.ics``), built with ``icalendar``.

One VEVENT per session except breaks, cancelled sessions included (``STATUS:CANCELLED``) so that subscribed
calendars drop them. Instants are UTC. UIDs are ``{session id}@{event slug}.chairbot``, stable across restarts
and reloads.

``SEQUENCE`` follows the organizers' change to the session (:func:`sequence`): 0 with none, else a number that
is a one-to-one function of the change's values (shift, extension, cancelled), so it differs whenever the change
does and is the same after a restart. It is not monotonic when a change is undone (a restored session goes back
to the number it had before it was cancelled); a stored per-session revision in the core would make it so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from icalendar import Calendar, Event

from bot.schedule.model import Kind, Schedule, Session
from bot.schedule.overrides import Override


def event_slug(name: str) -> str:
    """``Hybrid Workshop 2024`` -> ``hybrid-workshop-2024``: the domain part of every UID."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug or "event"


def session_uid(session_id: str, slug: str) -> str:
    return f"{session_id}@{slug}.chairbot"


def _zigzag(n: int) -> int:
    """Integers onto naturals, one to one: 0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ..."""
    return 2 * n if n >= 0 else -2 * n - 1


def sequence(override: Override | None) -> int:
    """The ``SEQUENCE`` of a session with ``override``: 0 without one; else ``1 + cancelled + 2 * pair``, where
    ``pair`` is the Cantor pairing of the zigzagged shift and extension minutes. Distinct changes give distinct
    numbers, and any change gives more than 0."""
    if override is None or override.is_empty:
        return 0
    a, b = _zigzag(override.shift_minutes), _zigzag(override.extend_minutes)
    pair = (a + b) * (a + b + 1) // 2 + b
    return 1 + int(override.cancelled) + 2 * pair


def _description(session: Session) -> str:
    parts = []
    if session.speakers:
        parts.append(
            "Speakers: "
            + ", ".join(f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in session.speakers)
        )
    if session.abstract:
        parts.append(session.abstract)
    links = session.links
    for label, url in (("Virtual room", links.virtual_room), ("Slides", links.slides), ("Page", links.page)):
        if url:
            parts.append(f"{label}: {url}")
    return "\n\n".join(parts)


def _vevent(session: Session, *, slug: str, cancelled: bool, override: Override | None, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session.id, slug))
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", session.start.astimezone(dt.UTC))
    event.add("dtend", session.end.astimezone(dt.UTC))
    event.add("summary", session.title)
    description = _description(session)
    if description:
        event.add("description", description)
    location = session.links.stream or session.room
    if location:
        event.add("location", location)
    if session.links.stream:
        event.add("url", session.links.stream)
    event.add("sequence", sequence(override))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_sessions(schedule: Schedule, cancelled: Mapping[str, Session]) -> list[tuple[Session, bool]]:
    """Every session a calendar lists, with whether it is cancelled, in start order (breaks left out)."""
    rows = [(s, False) for s in schedule.sessions] + [(s, True) for s in cancelled.values()]
    rows = [(s, gone) for s, gone in rows if s.kind is not Kind.BREAK]
    return sorted(rows, key=lambda row: (row[0].start, row[0].room or "", row[0].id))


def to_ical(
    schedule: Schedule,
    sessions: Iterable[tuple[Session, bool]],
    overrides: Mapping[str, Override],
    *,
    stamp: dt.datetime,
) -> bytes:
    """A VCALENDAR holding ``sessions`` (each with whether it is cancelled) of ``schedule``'s event."""
    slug = event_slug(schedule.event.name)
    calendar = Calendar()
    calendar.add("prodid", "-//chairbot//schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", schedule.event.name)
    for session, gone in sessions:
        override = overrides.get(session.id)
        calendar.add_component(_vevent(session, slug=slug, cancelled=gone, override=override, stamp=stamp))
    return bytes(calendar.to_ical())
