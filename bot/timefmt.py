"""Rendering instants for readers in many time zones: the one module every message formatter uses.

Two renderings, used together in announcements:

* Discord's ``<t:UNIX:STYLE>`` markup, which each reader's client shows in their own zone and locale;
* a plain line for the event's display zones (``09:00 Vienna · 03:00 New York · 15:00 Shanghai``), for the
  console, logs, e-mails and readers whose client does not render the markup. A time on another calendar day
  than at the venue carries that day (``08:50 Vienna · Fri 23:50 Los Angeles``).

Durations and relative times are written in words by :func:`duration` and :func:`relative` (``in 1 hour 15
minutes``, ``1 second ago``): the unit words and the way they are joined come from the Unicode CLDR through Babel,
for :data:`LOCALE`.

Pure: no discord.py import, so it is tested on plain data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from babel.lists import format_list
from babel.units import format_unit

from bot.zones import get_zone, zone_name

#: The styles Discord accepts in ``<t:UNIX:STYLE>``.
DISCORD_STYLES = frozenset("tTdDfFR")

#: The language durations are written in (a CLDR locale name).
LOCALE = "en"
#: How a duration reads ahead of now and behind it.
_FUTURE = "in {}"
_PAST = "{} ago"
_UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def _require_aware(instant: dt.datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("a naive datetime has no instant; attach its zone first")


def discord_timestamp(instant: dt.datetime, style: str = "F") -> str:
    """Discord markup for ``instant`` (``<t:1715410800:F>``), rendered by each reader's client in their zone."""
    _require_aware(instant)
    if style not in DISCORD_STYLES:
        raise ValueError(f"unknown Discord timestamp style {style!r}; use one of {''.join(sorted(DISCORD_STYLES))}")
    # Floor, not round: a time shown to the minute must never read a minute late.
    return f"<t:{int(instant.timestamp() // 1)}:{style}>"


def zone_label(zone: str | dt.tzinfo) -> str:
    """A short human name for a zone: its city (``America/New_York`` -> ``New York``), or the key itself."""
    key = zone if isinstance(zone, str) else zone_name(zone)
    if key in ("UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT"):
        return "UTC"
    return key.rsplit("/", 1)[-1].replace("_", " ")


def _zone(zone: str | ZoneInfo) -> ZoneInfo:
    return get_zone(zone) if isinstance(zone, str) else zone


def day_offset(instant: dt.datetime, zone: str | ZoneInfo, reference: dt.date) -> int:
    """How many calendar days the local date of ``instant`` in ``zone`` is after (negative: before) ``reference``."""
    _require_aware(instant)
    return (instant.astimezone(_zone(zone)).date() - reference).days


def _weekday(local: dt.datetime) -> str:
    return local.strftime("%a")


def clock(instant: dt.datetime, zone: str | ZoneInfo, reference: dt.date | None = None) -> str:
    """``HH:MM`` in ``zone``, after the weekday (``Fri 23:50``) when that is another calendar day than
    ``reference``."""
    _require_aware(instant)
    local = instant.astimezone(_zone(zone))
    text = local.strftime("%H:%M")
    if reference is not None and local.date() != reference:
        text = f"{_weekday(local)} {text}"
    return text


def zones_line(instant: dt.datetime, venue: str | ZoneInfo, others: Iterable[str | ZoneInfo] = ()) -> str:
    """The time of ``instant`` at the venue and in each display zone, one line; a time on another calendar
    day than at the venue carries its weekday.

    >>> import datetime as dt
    >>> zones_line(dt.datetime(2024, 5, 11, 6, 50, tzinfo=dt.UTC), "Europe/Vienna", ["America/Los_Angeles"])
    '08:50 Vienna · Fri 23:50 Los Angeles'
    """
    _require_aware(instant)
    venue_zone = _zone(venue)
    venue_day = instant.astimezone(venue_zone).date()
    seen = {zone_name(venue_zone)}
    parts = [f"{clock(instant, venue_zone)} {zone_label(venue_zone)}"]
    for other in others:
        zone = _zone(other)
        key = zone_name(zone)
        if key in seen:
            continue
        seen.add(key)
        parts.append(f"{clock(instant, zone, venue_day)} {zone_label(zone)}")
    return " · ".join(parts)


def span(
    start: dt.datetime,
    end: dt.datetime,
    zone: str | ZoneInfo,
    reference: dt.date | None = None,
    *,
    weekday: bool = False,
) -> str:
    """``09:00–09:30`` in ``zone``. The start carries its weekday when it falls on another day than ``reference``
    (or always, with ``weekday``); the end carries its own when it falls on another day than the start, so a
    session past midnight reads ``23:30–Sat 01:00``."""
    _require_aware(start)
    _require_aware(end)
    local_start = start.astimezone(_zone(zone))
    other_day = reference is not None and local_start.date() != reference
    first = local_start.strftime("%a %H:%M" if weekday or other_day else "%H:%M")
    return f"{first}–{clock(end, zone, local_start.date())}"


# --- durations in words -------------------------------------------------------------------------------------


def duration(length: dt.timedelta) -> str:
    """``length`` as a person writes it: whole seconds under a minute (``45 seconds``), then to the nearest minute
    in days, hours and minutes, no seconds (``9 minutes``, ``1 hour 15 minutes``, ``1 day 2 hours``).
    The sign is ignored; :func:`relative` says which way."""
    seconds = round(abs(length.total_seconds()))
    if seconds < 60:
        return format_unit(seconds, "duration-second", length="long", locale=LOCALE)
    rest = (seconds + 30) // 60 * 60
    parts = []
    for unit, size in _UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(format_unit(count, f"duration-{unit}", length="long", locale=LOCALE))
    return format_list(parts, style="unit-narrow", locale=LOCALE)


def relative(delta: dt.timedelta) -> str:
    """How far away an instant ``delta`` from now is: ``in 9 minutes``, ``1 second ago``, ``in 1 hour 15 minutes``
    (precision as in :func:`duration`), or ``now`` for anything :func:`duration` would write as 0 seconds.

    >>> relative(dt.timedelta(minutes=75))
    'in 1 hour 15 minutes'
    """
    seconds = delta.total_seconds()
    if round(abs(seconds)) == 0:  # the rounding duration() does: "in 0 seconds" would read as a mistake
        return "now"
    return (_FUTURE if seconds > 0 else _PAST).format(duration(delta))


def utc_iso(instant: dt.datetime) -> str:
    """``2024-05-11T07:00:00Z``: the UTC ISO-8601 form used in every machine-readable output."""
    _require_aware(instant)
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def end_style(start: dt.datetime, end: dt.datetime, venue: str | ZoneInfo) -> str:
    """The Discord timestamp style for the end of a span that starts at ``start``: the time alone (``t``) when it
    ends on the day it starts at the venue, and within 12 hours; else the date too (``f``), so that "until 01:00"
    never hides that it is the next day."""
    _require_aware(start)
    zone = _zone(venue)
    same_day = start.astimezone(zone).date() == end.astimezone(zone).date()
    return "t" if same_day and end - start < dt.timedelta(hours=12) else "f"
