"""Writing a schedule back out: as the native YAML document (``chairbot import``) and as the JSON that
``chairbot show --json`` prints. Loading what this writes gives back every instant exactly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.schedule.model import DEFAULT_ANNOUNCE, QA_KINDS, Event, Schedule, Session
from bot.timefmt import utc_iso
from bot.zones import is_unambiguous, zone_name

# --- native document ---------------------------------------------------------------------------------------


def _wall(instant: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _clock_text(wall: dt.datetime) -> str:
    return wall.strftime("%H:%M:%S" if wall.second else "%H:%M")


def _time_value(instant: dt.datetime, day: dt.date, zone: ZoneInfo, is_end: bool) -> str:
    """``"HH:MM"`` when that names ``instant`` unambiguously on ``day`` at the venue, else ISO with offset."""
    wall = _wall(instant, zone)
    if instant.microsecond == 0 and is_unambiguous(wall, zone):
        if wall.date() == day:
            return _clock_text(wall)
        if is_end and wall.date() == day + dt.timedelta(days=1) and wall.time() == dt.time():
            return "24:00"
    return instant.astimezone(zone).isoformat()


def _session_document(session: Session, default_day: dt.date | None, zone: ZoneInfo) -> dict[str, Any]:
    day = _wall(session.start, zone).date()
    out: dict[str, Any] = {"id": session.id, "title": session.title, "kind": session.kind.value}
    if day != default_day:
        out["date"] = day
    out["start"] = _time_value(session.start, day, zone, is_end=False)
    out["end"] = _time_value(session.end, day, zone, is_end=True)
    for key in ("room", "track"):
        if getattr(session, key) is not None:
            out[key] = getattr(session, key)
    if session.speakers:
        out["speakers"] = [s.model_dump(exclude_none=True) for s in session.speakers]
    if not session.links.is_empty():
        out["links"] = session.links.model_dump(exclude_none=True)
    if session.qa != (session.kind in QA_KINDS):
        out["qa"] = session.qa
    if session.posters:
        out["posters"] = [_poster(p.model_dump(exclude_none=True)) for p in session.posters]
    if session.abstract:
        out["abstract"] = session.abstract
    if session.announce is not None:
        out["announce"] = list(session.announce)
    return out


def _poster(data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("authors"):
        data.pop("authors", None)
    else:
        data["authors"] = list(data["authors"])
    return data


def _event_document(event: Event, day: dt.date | None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": event.name, "timezone": zone_name(event.timezone)}
    if day is not None:
        out["date"] = day
    out["display_timezones"] = [zone_name(z) for z in event.display_timezones]
    changed = {k.value: list(v) for k, v in event.announce.items() if v != DEFAULT_ANNOUNCE[k]}
    if changed:
        out["announce"] = changed
    return out


def to_document(schedule: Schedule) -> dict[str, Any]:
    """The native document for ``schedule``: times as ``"HH:MM"`` at the venue where that is exact."""
    zone = schedule.event.timezone
    day = schedule.event.date
    if schedule.sessions:
        day = _wall(schedule.sessions[0].start, zone).date()
    return {
        "event": _event_document(schedule.event, day),
        "sessions": [_session_document(s, day, zone) for s in schedule.sessions],
    }


class _Dumper(yaml.SafeDumper):
    """Quotes clock times so that no YAML reader takes ``10:15`` for a number."""


_QUOTE = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$|^\d{4}-\d{2}-\d{2}T")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if _QUOTE.match(value) else None
    if "\n" in value:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    # Short lists of plain values (zones, authors, offsets) read best on one line.
    flow = all(isinstance(item, str | int) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def to_yaml(schedule: Schedule, header: str | None = None) -> str:
    """The native YAML text for ``schedule``, optionally after a comment ``header``."""
    body = yaml.dump(to_document(schedule), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)
    if header:
        lines = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
        return lines + body
    return body


# --- machine-readable output -----------------------------------------------------------------------------


def session_json(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "kind": session.kind.value,
        "start": utc_iso(session.start),
        "end": utc_iso(session.end),
        "room": session.room,
        "track": session.track,
        "speakers": [s.model_dump() for s in session.speakers],
        "links": session.links.model_dump(exclude_none=True),
        "qa": session.qa,
        "posters": [{**p.model_dump(), "authors": list(p.authors)} for p in session.posters],
        "abstract": session.abstract,
    }


def schedule_json(schedule: Schedule) -> dict[str, Any]:
    """``{"event": {...}, "sessions": [...]}`` with instants as UTC ``...Z``, sessions sorted by start."""
    event = schedule.event
    return {
        "event": {
            "name": event.name,
            "timezone": zone_name(event.timezone),
            "date": event.date.isoformat() if event.date else None,
            "display_timezones": [zone_name(z) for z in event.display_timezones],
            "announce": {k.value: list(event.offsets_for(k)) for k in DEFAULT_ANNOUNCE},
        },
        "sessions": [session_json(s) for s in schedule.sessions],
    }
