"""What the schedule page shows, as plain data for its template: days, sessions, times in every zone, posters,
and which sessions are on now, next, past or cancelled at a given instant. Pure: tested on plain data.

The page's script (``static/schedule.js``) redoes two things in the browser from the UTC instants this data
carries: each time in the reader's own zone, and the now/next/past marks on the browser's clock. Without
JavaScript the page shows what is computed here: the venue's times and the marks at ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.announce.messages import plain_abstract
from bot.schedule.model import Kind, Poster, Schedule, Session
from bot.timefmt import span, utc_iso, zone_label
from bot.zones import zone_name

#: The badge of each state; the script uses the same words when it moves the marks.
BADGES = {"now": "Now", "next": "Next", "cancelled": "Cancelled"}
#: A poster session with more posters than this shows them folded, under a line that counts them.
POSTERS_SHOWN_OPEN = 6


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class ZoneTime:
    """A session's time in one zone: ``09:00–09:30`` and the zone's short name."""

    text: str
    zone: str
    zone_key: str


@dataclass(frozen=True, slots=True)
class PosterItem:
    """One poster of a poster session, as listed under it."""

    id: str
    title: str
    authors: str
    url: str | None


@dataclass(frozen=True, slots=True)
class Row:
    session: Session
    #: ``now``, ``next``, ``past``, ``cancelled`` or empty (later today).
    state: str
    #: The word on the session's badge for ``state`` (empty: no badge).
    badge: str
    start_utc: str
    end_utc: str
    venue: ZoneTime
    others: tuple[ZoneTime, ...]
    speakers: str
    links: tuple[Link, ...]
    has_calendar: bool
    posters: tuple[PosterItem, ...]
    #: ``3 posters``; empty when the session has none.
    posters_label: str
    #: Whether the poster list starts unfolded (a short list) or folded (a long one).
    posters_open: bool
    #: What the organizers changed of its time on the day (``Moved: was 09:10–09:40``); empty when nothing.
    changed: str = ""
    #: The abstract as plain text (its markdown read as text), in paragraphs; empty when there is none.
    abstract: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RoomGroup:
    """The sessions of one day in one room (``name`` is :data:`NO_ROOM` for those that name none)."""

    name: str
    anchor: str
    rows: tuple[Row, ...]


#: Where sessions that name no room are listed when the day is grouped by room (plenaries, breaks).
NO_ROOM = "All rooms"


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    label: str
    rows: tuple[Row, ...]
    #: The venue's zone: its short name (``Vienna``) and IANA key (``Europe/Vienna``).
    zone: str
    zone_key: str
    #: The day's sessions by room, when it has sessions in more than one room; empty otherwise.
    groups: tuple[RoomGroup, ...] = ()


def _groups(day: dt.date, rows: list[Row]) -> tuple[RoomGroup, ...]:
    """``rows`` by room (the sessions without one first, then the rooms by name), each in start order; empty when
    the day has fewer than two rooms."""
    by_room: dict[str, list[Row]] = {}
    for row in rows:
        by_room.setdefault(row.session.room or "", []).append(row)
    named = sorted((room for room in by_room if room), key=str.casefold)
    if len(named) < 2:
        return ()
    order = ([""] if "" in by_room else []) + named
    return tuple(
        RoomGroup(room or NO_ROOM, f"room-{day.isoformat()}-{number}", tuple(by_room[room]))
        for number, room in enumerate(order, 1)
    )


def _state(session: Session, cancelled: bool, now: dt.datetime, next_start: dt.datetime | None) -> str:
    if cancelled:
        return "cancelled"
    if session.start <= now < session.end:
        return "now"
    if session.end <= now:
        return "past"
    return "next" if session.start == next_start else ""


def _links(session: Session) -> tuple[Link, ...]:
    links = session.links
    pairs = (("Stream", links.stream), ("Virtual room", links.virtual_room), ("Slides", links.slides))
    return tuple(Link(label, url) for label, url in pairs if url)


def _speakers(session: Session) -> str:
    return ", ".join(f"{s.name} ({s.affiliation})" if s.affiliation else s.name for s in session.speakers)


def _poster(poster: Poster) -> PosterItem:
    return PosterItem(poster.id, poster.title, ", ".join(poster.authors), poster.url)


def _posters_label(count: int) -> str:
    if not count:
        return ""
    return "1 poster" if count == 1 else f"{count} posters"


def _paragraphs(abstract: str | None) -> tuple[str, ...]:
    if not abstract or not abstract.strip():
        return ()
    return tuple(p.strip() for p in plain_abstract(abstract.strip()).split("\n\n") if p.strip())


def _changed(session: Session, original: Session | None, venue: ZoneInfo) -> str:
    """How the session's time differs from the schedule file's, in the venue's time."""
    if original is None or (original.start, original.end) == (session.start, session.end):
        return ""
    day = original.start.astimezone(venue).date()
    if original.start == session.start:
        end = original.end.astimezone(venue)
        shown = f"{end:%H:%M}" if end.date() == day else f"{end:%a %H:%M}"
        return f"Runs {'longer' if session.end > original.end else 'shorter'}: was until {shown}"
    return f"Moved: was {span(original.start, original.end, venue, session.start.astimezone(venue).date())}"


def schedule_days(
    schedule: Schedule,
    cancelled: Mapping[str, Session],
    now: dt.datetime,
    original: Mapping[str, Session] | None = None,
) -> list[Day]:
    """The sessions in force and the cancelled ones, by local day at the venue, in start order; ``original``: the
    sessions as the schedule file has them, so that the ones moved on the day say so."""
    original = original or {}
    venue = schedule.event.timezone
    later = [s.start for s in schedule.sessions if s.start > now]
    next_start = min(later) if later else None
    everything = [(s, False) for s in schedule.sessions] + [(s, True) for s in cancelled.values()]
    everything.sort(key=lambda row: (row[0].start, row[0].room or "", row[0].id))
    by_day: dict[dt.date, list[Row]] = {}
    for session, gone in everything:
        day = session.start.astimezone(venue).date()
        others = tuple(
            ZoneTime(span(session.start, session.end, zone, day), zone_label(zone), zone_name(zone))
            for zone in schedule.event.display_timezones
            if zone_name(zone) != zone_name(venue)
        )
        state = _state(session, gone, now, next_start)
        by_day.setdefault(day, []).append(
            Row(
                session=session,
                state=state,
                badge=BADGES.get(state, ""),
                start_utc=utc_iso(session.start),
                end_utc=utc_iso(session.end),
                venue=ZoneTime(span(session.start, session.end, venue), zone_label(venue), zone_name(venue)),
                others=others,
                speakers=_speakers(session),
                links=_links(session),
                has_calendar=session.kind is not Kind.BREAK,
                posters=tuple(_poster(p) for p in session.posters),
                posters_label=_posters_label(len(session.posters)),
                changed="" if gone else _changed(session, original.get(session.id), venue),
                abstract=_paragraphs(session.abstract),
                posters_open=len(session.posters) <= POSTERS_SHOWN_OPEN,
            )
        )
    return [
        Day(
            day, f"{day:%A} {day.day} {day:%B %Y}", tuple(rows), zone_label(venue), zone_name(venue), _groups(day, rows)
        )
        for day, rows in sorted(by_day.items())
    ]


def clock_speed(clock: object) -> str:
    """How fast the event's clock runs (a rehearsal's runs fast; any other clock at real speed), for the scripts
    of the pages that follow the event's time."""
    return f"{float(getattr(clock, 'speed', 1.0)):g}"
