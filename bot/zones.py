"""Time zones: looking up IANA zone names with helpful errors, and turning a venue's wall-clock time into an
instant, refusing the local times that do not exist (spring-forward gap) or happen twice (fall-back fold).

Pure: no I/O beyond the tz database that ``zoneinfo`` reads (the ``tzdata`` package where the OS has none).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import zoneinfo

UTC = dt.UTC


class ZoneError(ValueError):
    """A zone name that is not in the tz database; the message says what to write instead."""


class LocalTimeError(ValueError):
    """A wall-clock time that names no instant, or two, in its zone; the message says how to disambiguate."""


@functools.cache
def _all_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def suggest_zone(name: str) -> str | None:
    """The zone name most likely meant by a misspelt or wrongly cased ``name``, if any is close."""
    names = _all_zone_names()
    by_lower = {n.lower(): n for n in names}
    cleaned = name.strip().replace(" ", "_")
    if cleaned.lower() in by_lower:
        return by_lower[cleaned.lower()]
    # A bare city ("Vienna", "new york") names the zone whose last part it is.
    city = cleaned.lower()
    for n in sorted(names):
        if n.rsplit("/", 1)[-1].lower() == city:
            return n
    close = difflib.get_close_matches(cleaned, sorted(names), n=1, cutoff=0.75)
    return close[0] if close else None


@functools.cache
def get_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone called ``name`` (e.g. ``Europe/Vienna``); :class:`ZoneError` with a suggestion otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise ZoneError("a time zone must be an IANA name such as 'Europe/Vienna'")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        pass
    hint = suggest_zone(name)
    message = f"unknown time zone {name!r}"
    if hint is not None:
        message += f"; did you mean {hint!r}?"
    else:
        message += "; use an IANA name such as 'Europe/Vienna' or 'America/New_York'"
    raise ZoneError(message)


def zone_name(zone: dt.tzinfo) -> str:
    """The IANA key of ``zone`` (``UTC`` for the fixed UTC zone)."""
    key = getattr(zone, "key", None)
    return key if isinstance(key, str) else str(zone)


def localize(wall: dt.datetime, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The one instant at which clocks in ``zone`` show the naive ``wall`` time, as an aware UTC datetime.

    Raises :class:`LocalTimeError` when the wall time falls in a spring-forward gap (no such instant) or a
    fall-back fold (two instants): the caller must then give the time with an explicit UTC offset.
    """
    if wall.tzinfo is not None:
        raise TypeError("localize() takes a naive wall-clock time")
    early = wall.replace(tzinfo=zone, fold=0)
    late = wall.replace(tzinfo=zone, fold=1)
    early_utc = early.astimezone(UTC)
    if early.utcoffset() == late.utcoffset():
        return early_utc
    stamp = wall.strftime("%H:%M") + (wall.strftime(":%S") if wall.second else "")
    day = wall.date().isoformat()
    roundtrip = early_utc.astimezone(zone).replace(tzinfo=None)
    if roundtrip != wall:
        # In a gap: fold=0 uses the offset from before the jump. Name the jump so the organizer can see it.
        before = early.utcoffset() or dt.timedelta()
        after = late.utcoffset() or dt.timedelta()
        jump = abs(before - after)
        suggestion = (wall + jump).replace(tzinfo=zone).isoformat(timespec="minutes")
        raise LocalTimeError(
            f"{stamp} on {day} does not exist in {zone.key}: clocks jump forward by "
            f"{_span(jump)} that night; move the time or write it with its UTC offset, e.g. {suggestion!r}"
        )
    first = early.isoformat(timespec="minutes")
    second = late.isoformat(timespec="minutes")
    raise LocalTimeError(
        f"{stamp} on {day} happens twice in {zone.key} (clocks fall back that night); "
        f"write it with its UTC offset: {first!r} for the first or {second!r} for the second"
    )


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} hour" + ("s" if hours != 1 else "") if hours else f"{rest} minutes"


def is_unambiguous(wall: dt.datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """Whether the naive ``wall`` time names exactly one instant in ``zone``."""
    try:
        localize(wall, zone)
    except LocalTimeError:
        return False
    return True
