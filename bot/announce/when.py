"""Reading the time an organizer gives for a scheduled announcement.

Accepted: ``15:30`` (today, at the venue), ``2024-05-11 15:30``, either followed by a zone (``15:30
America/New_York``), an ISO-8601 date-time with offset (``2024-05-11T15:30+02:00``), or ``in 20 min`` /
``in 2 h``. A time that has passed, or that a DST change skips or repeats, is refused with what to write.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from bot.zones import LocalTimeError, ZoneError, get_zone, localize

_RELATIVE = re.compile(r"^in\s+(\d{1,4})\s*(m|min|mins|minutes?|h|hrs?|hours?)$", re.IGNORECASE)
_LOCAL = re.compile(r"^(?:(\d{4}-\d{2}-\d{2})[ T])?(\d{1,2}):(\d{2})(?:\s+(\S+))?$")

HINT = "write 15:30 (today at the venue), 2024-05-11 15:30, 15:30 America/New_York, or in 20 min"


def parse_when(text: str, venue: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The aware UTC instant ``text`` names; ``ValueError`` with what to write instead."""
    cleaned = " ".join(text.split())
    relative = _RELATIVE.match(cleaned)
    if relative:
        amount = int(relative.group(1))
        minutes = amount * 60 if relative.group(2).lower().startswith("h") else amount
        return now + dt.timedelta(minutes=minutes)
    local = _LOCAL.match(cleaned)
    if local:
        day_text, hour, minute, zone_text = local.groups()
        try:
            zone = get_zone(zone_text) if zone_text else venue
        except ZoneError as exc:
            raise ValueError(str(exc)) from None
        if int(hour) > 23 or int(minute) > 59:
            raise ValueError(f"{cleaned!r} is not a time of day; {HINT}")
        day = dt.date.fromisoformat(day_text) if day_text else now.astimezone(zone).date()
        try:
            instant = localize(dt.datetime.combine(day, dt.time(int(hour), int(minute))), zone)
        except LocalTimeError as exc:
            raise ValueError(str(exc)) from None
    else:
        try:
            parsed = dt.datetime.fromisoformat(cleaned)
        except ValueError:
            raise ValueError(f"{text!r} is not a time; {HINT}") from None
        if parsed.tzinfo is None:
            try:
                instant = localize(parsed, venue)
            except LocalTimeError as exc:
                raise ValueError(str(exc)) from None
        else:
            instant = parsed.astimezone(dt.UTC)
    if instant <= now:
        raise ValueError(f"{cleaned} has already passed; give a later time (or a date: 2024-05-11 15:30)")
    return instant
