"""The command-line options that every command reading a schedule spells the same way (``--date``,
``--venue-tz``, ``--tz``), and the notes they share, for :mod:`bot.cli` and :mod:`bot.qa.cli` alike.

A module of its own because :mod:`bot.cli` imports :mod:`bot.qa.cli`: the Q&A commands could not import these from
there without a cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from bot.schedule.loader import DATED_BY_CALLER, Format
from bot.schedule.model import Schedule
from bot.zones import ZoneError, get_zone, zone_name

F = TypeVar("F", bound=Callable[..., Any])

DATE_HELP = "Date of a plain-text or markdown-table schedule (YYYY-MM-DD)."
VENUE_TZ_HELP = (
    "The venue's zone (IANA name) for a schedule that names none: a plain-text schedule, or a pretalx/frab "
    "export without time_zone_name. A zone in the file wins."
)


def zone_option(value: str | None) -> ZoneInfo | None:
    """The zone an option names; a misspelt one is a wrong command line, with a suggestion."""
    if value is None:
        return None
    try:
        return get_zone(value)
    except ZoneError as exc:
        raise click.BadParameter(str(exc)) from None


def date_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD, e.g. 2024-05-11") from None


def tz_one(_ctx: click.Context, _param: click.Parameter, value: str | None) -> ZoneInfo | None:
    return zone_option(value)


def tz_many(_ctx: click.Context, _param: click.Parameter, value: Sequence[str]) -> list[ZoneInfo]:
    return [z for z in (zone_option(v) for v in value) if z is not None]


def date_opt(f: F) -> F:
    """``--date YYYY-MM-DD``, the date of a plain-text schedule."""
    return click.option("--date", "date", callback=date_option, metavar="YYYY-MM-DD", help=DATE_HELP)(f)


def venue_tz_opt(f: F) -> F:
    """``--venue-tz ZONE``, the venue's zone of a schedule that names none."""
    return click.option("--venue-tz", "venue_tz", callback=tz_one, metavar="ZONE", help=VENUE_TZ_HELP)(f)


def note_unused_options(
    path: Path,
    schedule: Schedule,
    fmt: Format,
    *,
    venue_tz: ZoneInfo | None = None,
    plain_text_only: Sequence[tuple[str, object]] = (),
) -> None:
    """Say on standard error which of the options given the schedule at ``path`` made no use of: ``--venue-tz``
    when the file names its own zone, and the ``plain_text_only`` options (flag and value) for another format."""
    if venue_tz is not None and zone_name(schedule.event.timezone) != zone_name(venue_tz):
        click.echo(
            f"chairbot: note: {path} names its own zone, {zone_name(schedule.event.timezone)}; "
            f"--venue-tz {zone_name(venue_tz)} ignored",
            err=True,
        )
    unused = [flag for flag, value in plain_text_only if value is not None]
    if unused and fmt not in DATED_BY_CALLER:
        verb = "applies" if len(unused) == 1 else "apply"
        click.echo(
            f"chairbot: note: {path}: {' and '.join(unused)} {verb} only to plain-text schedules; ignored", err=True
        )
