"""The schedule as the rest of chairbot sees it: an event and its sessions, every instant aware and in UTC.

These are the resolved, validated types. How a file spells them (``"09:00"`` local to the venue, ISO with an
offset, pretalx JSON, frab XML, plain text) is the business of :mod:`bot.schedule.document` and the importers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Kind(StrEnum):
    """What a session is; decides how it is announced and whether it has live Q&A."""

    OPENING = "opening"
    TALK = "talk"
    CONTRIBUTED = "contributed"
    POSTER = "poster"
    PANEL = "panel"
    BREAK = "break"
    SOCIAL = "social"
    OTHER = "other"


#: Kinds with live Q&A unless the session says otherwise.
QA_KINDS = frozenset({Kind.TALK, Kind.CONTRIBUTED, Kind.PANEL})

#: Minutes before the start at which each kind is announced (0 is "at the start"); a file may override.
DEFAULT_ANNOUNCE: dict[Kind, tuple[int, ...]] = {
    Kind.OPENING: (10, 0),
    Kind.TALK: (10, 0),
    Kind.CONTRIBUTED: (10, 0),
    Kind.PANEL: (10, 0),
    Kind.POSTER: (15, 0),
    Kind.BREAK: (0,),
    Kind.SOCIAL: (0,),
    Kind.OTHER: (0,),
}


def _scalar_to_str(value: Any) -> Any:
    """Numbers become text (``id: 12``); everything else is left for the type check to judge."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


def _check_url(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE):
            raise ValueError("must be a web address starting with http:// or https://")
    return value


def one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str | dict) else value


#: Non-empty text; a number written where text belongs (``id: 12``) is taken as its text.
Text = Annotated[str, BeforeValidator(_scalar_to_str), Field(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_scalar_to_str)]
Url = Annotated[str, BeforeValidator(_check_url)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Speaker(_Frozen):
    name: Text
    affiliation: OptionalText = None


class Poster(_Frozen):
    id: Text
    title: Text
    authors: Annotated[tuple[Text, ...], BeforeValidator(one_or_many)] = ()
    url: Url | None = None


class Links(_Frozen):
    """Where to watch and what to open: all optional, all web addresses."""

    stream: Url | None = None
    virtual_room: Url | None = None
    slides: Url | None = None
    page: Url | None = None

    def is_empty(self) -> bool:
        return not any((self.stream, self.virtual_room, self.slides, self.page))


@dataclass(frozen=True, slots=True)
class Session:
    """One slot of the programme. ``start`` and ``end`` are aware UTC datetimes."""

    id: str
    title: str
    kind: Kind
    start: dt.datetime
    end: dt.datetime
    room: str | None = None
    track: str | None = None
    speakers: tuple[Speaker, ...] = ()
    links: Links = field(default_factory=Links)
    qa: bool = False
    posters: tuple[Poster, ...] = ()
    abstract: str | None = None
    #: Minutes before the start to announce this session, overriding the event's setting for its kind.
    announce: tuple[int, ...] | None = None

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    timezone: ZoneInfo
    date: dt.date | None = None
    display_timezones: tuple[ZoneInfo, ...] = ()
    announce: dict[Kind, tuple[int, ...]] = field(default_factory=dict)

    def offsets_for(self, kind: Kind) -> tuple[int, ...]:
        """Minutes before the start at which sessions of ``kind`` are announced."""
        return self.announce.get(kind, DEFAULT_ANNOUNCE[kind])


@dataclass(frozen=True, slots=True)
class Schedule:
    """A validated programme: sessions sorted by start (then room, then id)."""

    event: Event
    sessions: tuple[Session, ...]
    source: str = "<schedule>"

    def session(self, session_id: str) -> Session:
        """The session with ``session_id``; ``KeyError`` if there is none."""
        found = self.find(session_id)
        if found is None:
            raise KeyError(session_id)
        return found

    def live_at(self, instant: dt.datetime) -> list[Session]:
        """Sessions running at ``instant`` (started, not yet ended), in start order."""
        return [s for s in self.sessions if s.start <= instant < s.end]

    def upcoming(self, instant: dt.datetime, limit: int | None = None) -> list[Session]:
        """Sessions starting after ``instant``, soonest first."""
        later = [s for s in self.sessions if s.start > instant]
        return later if limit is None else later[:limit]

    def qa_session_at(self, instant: dt.datetime) -> Session | None:
        """The session whose Q&A a question asked at ``instant`` is for: the most recently started live
        session with Q&A, else the next one with Q&A."""
        live = [s for s in self.live_at(instant) if s.qa]
        if live:
            return live[-1]
        return next((s for s in self.upcoming(instant) if s.qa), None)

    def find(self, session_id: str) -> Session | None:
        return next((s for s in self.sessions if s.id == session_id), None)

    def days(self) -> list[dt.date]:
        """The local calendar days at the venue that have sessions, in order."""
        zone = self.event.timezone
        return sorted({s.start.astimezone(zone).date() for s in self.sessions})
