"""Rendering instants for readers in many time zones: the one module every message formatter uses.

Two renderings, used together in announcements:

* Discord's ``<t:UNIX:STYLE>`` markup, which each reader's client shows in their own zone and locale;
* a plain line for the event's display zones (``09:00 Vienna · 03:00 New York · 15:00 Shanghai``), for the
  console, logs, e-mails and readers whose client does not render the markup. A time on a different calendar
  day from the venue is marked ``+1`` or ``-1`` (``01:00+1 Tokyo``).

Pure: no discord.py import, so it is tested on plain data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.zones import get_zone, zone_name

#: The styles Discord accepts in ``<t:UNIX:STYLE>``.
DISCORD_STYLES = frozenset("tTdDfFR")


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


def clock(instant: dt.datetime, zone: str | ZoneInfo, reference: dt.date | None = None) -> str:
    """``HH:MM`` in ``zone``, with ``+N``/``-N`` when that is another calendar day than ``reference``."""
    _require_aware(instant)
    text = instant.astimezone(_zone(zone)).strftime("%H:%M")
    if reference is not None:
        shift = day_offset(instant, zone, reference)
        if shift:
            text += f"{shift:+d}"
    return text


def zones_line(instant: dt.datetime, venue: str | ZoneInfo, others: Iterable[str | ZoneInfo] = ()) -> str:
    """The time of ``instant`` at the venue and in each display zone, one line; a time on another calendar
    day than at the venue is marked ``+1``/``-1``.

    >>> import datetime as dt
    >>> zones_line(dt.datetime(2024, 5, 11, 7, tzinfo=dt.UTC), "Europe/Vienna", ["America/New_York"])
    '09:00 Vienna · 03:00 New York'
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


def span(start: dt.datetime, end: dt.datetime, zone: str | ZoneInfo, reference: dt.date | None = None) -> str:
    """``09:00–09:30`` in ``zone``. Each end is marked with its day change against ``reference``, which
    defaults to the start's own local day (so a session past midnight reads ``23:30–01:00+1``)."""
    _require_aware(start)
    if reference is None:
        reference = start.astimezone(_zone(zone)).date()
    return f"{clock(start, zone, reference)}–{clock(end, zone, reference)}"


def utc_iso(instant: dt.datetime) -> str:
    """``2024-05-11T07:00:00Z``: the UTC ISO-8601 form used in every machine-readable output."""
    _require_aware(instant)
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
