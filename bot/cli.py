"""The ``chairbot`` command line: thin wrappers over the schedule, plan and Q&A services.

Exit codes: 0 success, 1 an invalid input (a schedule with problems, an unreadable file), 2 a usage error.
No traceback reaches the user; set ``CHAIRBOT_DEBUG=1`` to see one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from bot.announce.outbox import Planned
from bot.announce.sessions import QA_CLOSE, planned_json, planned_posts
from bot.cli_options import F, date_opt, note_unused_options, tz_many, venue_tz_opt
from bot.config import ConfigError, Settings, host_and_port, load_settings
from bot.qa.cli import qa_group
from bot.render import counted
from bot.schedule import export
from bot.schedule.document import resolve_instant
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.importers.plaintext import MissingZone
from bot.schedule.kinds import kind_map
from bot.schedule.loader import NATIVE, Format, load_with_format
from bot.schedule.model import Kind, Schedule
from bot.timefmt import clock, span, zone_label
from bot.zones import zone_name


class InvalidInput(click.ClickException):
    """Exit code 1: the input (not the way the command was called) is wrong; the message says why."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


_SCHEDULE_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@contextmanager
def _reporting() -> Iterator[None]:
    """Turn schedule problems into exit code 1 and usage problems into exit code 2, with their messages."""
    try:
        yield
    except ScheduleError as exc:
        raise InvalidInput(exc.render()) from None
    except UsageError as exc:
        raise click.UsageError(str(exc)) from None


def _no_display_zones(f: F) -> F:
    """``--tz`` names display zones in every command; one that shows none says where the venue's zone goes."""

    def refuse(ctx: click.Context, _param: click.Parameter, value: Sequence[str]) -> None:
        if value:
            raise click.UsageError(
                f"--tz names display zones, and 'chairbot {ctx.info_name}' shows none; the venue's zone of a "
                f"schedule that names none is --venue-tz, e.g. --venue-tz {value[0]}",
                ctx,
            )

    return click.option("--tz", multiple=True, hidden=True, expose_value=False, callback=refuse)(f)


def _load(
    path: Path,
    date: dt.date | None,
    venue_tz: ZoneInfo | None,
    zones: Sequence[ZoneInfo] = (),
    name: str | None = None,
    kinds: Mapping[str, Kind] | None = None,
) -> tuple[Schedule, Format]:
    """Load ``path``; ``venue_tz`` is the zone of a file that names none. ``zones`` (display zones) never
    stand in for it: a plain-text schedule given only ``--tz`` is told to use ``--venue-tz``. ``kinds`` maps an
    export's session types to kinds. A note says which options the file made no use of."""
    try:
        schedule, fmt = load_with_format(
            path, date=date, timezone=zone_name(venue_tz) if venue_tz else None, name=name, kinds=kinds
        )
    except MissingZone as exc:
        if zones:
            raise MissingZone(
                f"{exc}; --tz only adds display zones: for the venue write --venue-tz {zone_name(zones[0])}"
            ) from None
        raise
    note_unused_options(path, schedule, fmt, venue_tz=venue_tz, plain_text_only=[("--date", date), ("--name", name)])
    if kinds and fmt not in TYPED_FORMATS:
        native = (
            " (a chairbot file says what its words for a kind mean in its 'kinds' section)" if fmt in NATIVE else ""
        )
        click.echo(
            f"chairbot: note: {path}: --kind applies only to the session types of pretalx, c3voc and frab exports "
            f"and markdown tables; ignored{native}",
            err=True,
        )
    return schedule, fmt


def _with_display_zones(schedule: Schedule, zones: Sequence[ZoneInfo]) -> Schedule:
    """``schedule`` with ``zones`` appended to its display zones (each zone once)."""
    shown = list(schedule.event.display_timezones)
    for zone in zones:
        if zone_name(zone) not in {zone_name(z) for z in shown}:
            shown.append(zone)
    if len(shown) == len(schedule.event.display_timezones):
        return schedule
    return replace(schedule, event=replace(schedule.event, display_timezones=tuple(shown)))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="chairbot", prog_name="chairbot")
def cli() -> None:
    """chairbot: the virtual session chair for hybrid workshops on Discord.

    Schedules may be chairbot YAML/TOML/JSON, a pretalx schedule.json, a frab schedule.xml, or the plain-text
    tentative schedule of a workshop proposal (give --date and --venue-tz); the format is detected from the
    content. --tz always names display zones, --venue-tz the venue's zone of a file that names none.
    """


# --- check -------------------------------------------------------------------------------------------------


def _summary(schedule: Schedule, fmt: Format) -> str:
    zone = schedule.event.timezone
    days = schedule.days()
    first = schedule.sessions[0]
    last_end = max(s.end for s in schedule.sessions)
    when = days[0].isoformat() if len(days) == 1 else f"{days[0].isoformat()} to {days[-1].isoformat()}"
    kinds: dict[str, int] = {}
    for session in schedule.sessions:
        kinds[session.kind.value] = kinds.get(session.kind.value, 0) + 1
    # Kinds by their names, as a schedule's 'kind' field spells them.
    counts = ", ".join(f"{n} {k}" for k, n in kinds.items())
    source = "" if fmt in NATIVE else f" (imported from {fmt.value})"
    sessions = counted(len(schedule.sessions), "session", "sessions")
    announcements = counted(len(_planned(schedule)), "announcement", "announcements")
    return (
        f"ok: {schedule.event.name!r}{source}: {sessions} ({counts}) on {when}, "
        f"{span(first.start, last_end, zone)} {zone_name(zone)}; {announcements} planned"
    )


@cli.command()
@click.argument("files", nargs=-1, required=True, type=_SCHEDULE_FILE)
@date_opt
@venue_tz_opt
@_no_display_zones
def check(files: tuple[Path, ...], date: dt.date | None, venue_tz: ZoneInfo | None) -> None:
    """Validate schedule FILES: one summary line per file, every problem with its place and fix."""
    invalid = unusable = 0
    for path in files:
        try:
            schedule, fmt = _load(path, date, venue_tz)
        except ScheduleError as exc:
            invalid += 1
            click.echo(f"{path}: invalid: {counted(len(exc.problems), 'problem', 'problems')}", err=True)
            click.echo(exc.render(), err=True)
        except UsageError as exc:
            unusable += 1
            click.echo(f"{path}: cannot check: {exc}", err=True)
        else:
            click.echo(f"{path}: {_summary(schedule, fmt)}")
    if unusable:
        sys.exit(2)
    if invalid:
        sys.exit(1)


# --- show ---------------------------------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1] for row in rows]


def render_table(schedule: Schedule, zones: Sequence[ZoneInfo]) -> str:
    """The schedule as a text table: one time column per zone (venue first). Where a session starts on another
    day than at the venue, its column names the weekday of every start, so no time in it reads as the venue's
    day; an end on another day than its start names its own (``23:30–Sat 01:00``)."""
    venue = schedule.event.timezone
    columns = [venue, *[z for z in zones if zone_name(z) != zone_name(venue)]]
    out = [
        schedule.event.name,
        f"Times: {', '.join(zone_name(z) for z in columns)}; a column with a start on another day than at the venue "
        "shows the weekday of every start, and an end on another day than its start shows its own",
    ]
    for day in schedule.days():
        out.append("")
        out.append(day.strftime("%A %d %B %Y") + f" ({zone_label(venue)})")
        rows = [[*(zone_label(z) for z in columns), "kind", "id", "session"]]
        sessions = [s for s in schedule.sessions if s.start.astimezone(venue).date() == day]
        other_day = [any(s.start.astimezone(z).date() != day for s in sessions) for z in columns]
        for s in sessions:
            title = s.title
            if s.speakers:
                title += " — " + ", ".join(
                    sp.name + (f" ({sp.affiliation})" if sp.affiliation else "") for sp in s.speakers
                )
            if s.room:
                title += f"  [{s.room}]"
            if s.posters:
                title += f"  ({counted(len(s.posters), 'poster', 'posters')})"
            times = [span(s.start, s.end, z, day, weekday=mark) for z, mark in zip(columns, other_day, strict=True)]
            rows.append([*times, s.kind.value, s.id, title])
        out.extend(_table(rows))
    return "\n".join(out)


@cli.command()
@click.argument("file", type=_SCHEDULE_FILE)
@click.option(
    "--tz",
    "zones",
    multiple=True,
    callback=tz_many,
    metavar="ZONE",
    help="Show times in ZONE (repeatable) next to the venue's, instead of the event's display zones. "
    "Never the venue's zone: that comes from the file, or --venue-tz. The table only: --json ignores it.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: instants as UTC ISO-8601 ending in Z.")
@date_opt
@venue_tz_opt
def show(file: Path, zones: list[ZoneInfo], as_json: bool, date: dt.date | None, venue_tz: ZoneInfo | None) -> None:
    """Show the schedule in FILE as a table in the venue's zone and other zones."""
    with _reporting():
        schedule, _ = _load(file, date, venue_tz, zones)
    if as_json:
        if zones:
            # The JSON is the schedule as the file has it; its display zones are the event's.
            click.echo("chairbot: note: --tz chooses the columns of the table; ignored with --json", err=True)
        click.echo(json.dumps(export.schedule_json(schedule), ensure_ascii=False, indent=2))
        return
    click.echo(render_table(schedule, zones or list(schedule.event.display_timezones)))


# --- import --------------------------------------------------------------------------------------------------

#: Formats whose sessions carry a type that ``--kind`` can map.
TYPED_FORMATS = frozenset({Format.PRETALX, Format.C3VOC, Format.FRAB, Format.MARKDOWN_TABLE})


def _kind_options(_ctx: click.Context, _param: click.Parameter, values: Sequence[str]) -> dict[str, Kind]:
    """``--kind TYPE=KIND`` options as the organizer's mapping; a malformed one or an unknown kind is a wrong
    command line, with what to write."""
    pairs: dict[str, str] = {}
    for value in values:
        type_name, equals, target = value.rpartition("=")
        if not equals or not type_name.strip() or not target.strip():
            raise click.BadParameter(
                f"{value!r} is not TYPE=KIND; write the type as the export spells it and the kind it means, "
                'e.g. --kind devroom=talk or --kind "Talk 30 min + 10min Q&A=talk"'
            )
        pairs[type_name] = target
    try:
        return kind_map(pairs)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command(name="import")
@click.argument("file", type=_SCHEDULE_FILE)
@date_opt
@venue_tz_opt
@click.option(
    "--tz",
    "zones",
    multiple=True,
    callback=tz_many,
    metavar="ZONE",
    help="Add ZONE to the display zones written to the file (repeatable).",
)
@click.option("--name", help="Event name for a plain-text schedule.")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    callback=_kind_options,
    metavar="TYPE=KIND",
    help="Read the export's session type TYPE as KIND (repeatable), e.g. --kind devroom=talk; wins over the "
    "types chairbot knows. Kinds: opening, talk, contributed, poster, panel, break, social, other.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the YAML to this file instead of standard output.",
)
def import_(
    file: Path,
    date: dt.date | None,
    venue_tz: ZoneInfo | None,
    zones: list[ZoneInfo],
    name: str | None,
    kinds: dict[str, Kind],
    output: Path | None,
) -> None:
    """Convert FILE (any supported format) into chairbot's native YAML."""
    with _reporting():
        schedule, fmt = _load(file, date, venue_tz, zones, name=name, kinds=kinds)
    schedule = _with_display_zones(schedule, zones)
    header = (
        f"Imported by chairbot from {file.name} ({fmt.value}).\n"
        f"Times written HH:MM are local to {zone_name(schedule.event.timezone)} on the session's date "
        f"(or event.date);\nothers carry their UTC offset."
    )
    text = export.to_yaml(schedule, header=header)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{output}: cannot write: {exc.strerror or exc}") from None
    sessions = counted(len(schedule.sessions), "session", "sessions")
    click.echo(f"{output}: wrote {sessions} from {file} ({fmt.value})", err=True)


# --- plan ------------------------------------------------------------------------------------------------------

#: What the bot uses when the settings do not say: the plan and the rehearsal show the same posts.
QA_CLOSE_AFTER_DEFAULT: int = Settings.model_fields["qa_close_after_minutes"].default


def _qa_close_after_opt(f: F) -> F:
    return click.option(
        "--qa-close-after",
        "qa_close_after",
        type=click.IntRange(0, 24 * 60),
        default=QA_CLOSE_AFTER_DEFAULT,
        show_default=True,
        metavar="MINUTES",
        help="Minutes after a session's end at which its Q&A closes (the bot's qa_close_after_minutes).",
    )(f)


def _planned(schedule: Schedule, qa_close_after: int = QA_CLOSE_AFTER_DEFAULT) -> list[Planned]:
    """Every post the bot makes for ``schedule``, as the bot plans them, in the order they are due; at one
    instant, sessions in programme order and each session's posts in the order they would be read."""
    order = {session.id: index for index, session in enumerate(schedule.sessions)}
    posts = planned_posts(schedule, qa_close_after=dt.timedelta(minutes=qa_close_after))

    def rank(post: Planned) -> tuple[dt.datetime, int, int]:
        action = post.action or ""
        within = -int(action.removeprefix("before:")) if action.startswith("before:") else 0 if action == "start" else 1
        return (post.due_at, order.get(post.session_id or "", len(order)), within)

    return sorted(posts, key=rank)


def _what(action: str) -> str:
    if action == "start":
        return "now live"
    if action.startswith("before:"):
        return f"in {action.removeprefix('before:')} min"
    return "Q&A closes" if action == QA_CLOSE else action


@cli.command()
@click.argument("file", type=_SCHEDULE_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print JSON: 'at' as UTC ISO-8601 ending in Z.")
@_qa_close_after_opt
@date_opt
@venue_tz_opt
@_no_display_zones
def plan(file: Path, as_json: bool, qa_close_after: int, date: dt.date | None, venue_tz: ZoneInfo | None) -> None:
    """List the announcements the bot will post for FILE, in the order they are due: "starting in N minutes",
    "now live", and the note that closes a session's Q&A."""
    with _reporting():
        schedule, _ = _load(file, date, venue_tz)
    posts = _planned(schedule, qa_close_after)
    if as_json:
        click.echo(json.dumps(planned_json(schedule, posts), ensure_ascii=False, indent=2))
        return
    venue = schedule.event.timezone
    click.echo(
        f"{schedule.event.name}: {counted(len(posts), 'announcement', 'announcements')} (times in {zone_name(venue)})"
    )
    rows = [["at", "what", "id", "session"]]
    for post in posts:
        session = schedule.session(post.session_id or "")
        day = post.due_at.astimezone(venue).strftime("%a %d %b")
        rows.append(
            [
                f"{day} {clock(post.due_at, venue)}",
                _what(post.action or ""),
                post.id,
                f"{session.title} ({session.kind.value})",
            ]
        )
    click.echo("\n".join(_table(rows)))


cli.add_command(qa_group)


# --- logging ---------------------------------------------------------------------------------------------------

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_LEVEL_ENV = "CHAIRBOT_LOG_LEVEL"
#: Libraries whose INFO lines are routine (one per scheduler job, gateway and HTTP chatter, the access log):
#: below DEBUG they show their warnings and errors only.
QUIET_LOGGERS = ("apscheduler", "discord", "aiohttp.access")
_HANDLER_NAME = "chairbot"


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to the standard error of the moment, not the one there was when logging was set up."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)
        self.set_name(_HANDLER_NAME)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S"))

    @property
    def stream(self) -> Any:
        return sys.stderr


def configure_logging(level: str = "INFO") -> None:
    """Log to standard error: chairbot's own lines from ``level`` up (INFO: start-up, each post made or skipped
    and why, schedule changes, refusals), other libraries' from WARNING, or everything at DEBUG. Calling it
    again only sets the new level."""
    threshold = logging.getLevelNamesMapping()[level.upper()]
    root = logging.getLogger()
    if not any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        root.addHandler(_StderrHandler())
    root.setLevel(threshold)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(threshold if threshold <= logging.DEBUG else max(threshold, logging.WARNING))


def _log_level_opt(default: str) -> Callable[[F], F]:
    return click.option(
        "--log-level",
        "log_level",
        type=click.Choice(LOG_LEVELS, case_sensitive=False),
        default=default,
        envvar=LOG_LEVEL_ENV,
        show_default=True,
        show_envvar=True,
        help="What to log on standard error; DEBUG adds the libraries' own lines (the scheduler's, Discord's).",
    )


# --- rehearsal -------------------------------------------------------------------------------------------------


def _instant_option(value: str | None, schedule: Schedule, name: str) -> dt.datetime | None:
    """``--start``/``--until``: an ISO-8601 date-time (with an offset, or at the venue), or ``HH:MM`` at the
    venue on the first day of the schedule."""
    if value is None:
        return None
    try:
        return resolve_instant(value, schedule.days()[0], schedule.event.timezone, name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{name}") from None


def _require_posts_between(
    path: Path,
    schedule: Schedule,
    posts: Sequence[Planned],
    start: dt.datetime | None,
    until: dt.datetime | None,
    *,
    catch_up: bool,
) -> None:
    """Refuse a ``--start``/``--until`` that leaves the rehearsal no post to play: a start after the last post,
    an end before the first, or (without ``--catch-up``, which also plays what is due before the start) a
    window between two posts. The message says when the posts are due."""
    if not posts:
        return
    zone = schedule.event.timezone
    first, last = posts[0].due_at, posts[-1].due_at

    def when(instant: dt.datetime) -> str:
        return f"{instant.astimezone(zone):%a %d %b %Y %H:%M}"

    due = f"the posts of {path.name} are due from {when(first)} to {when(last)} {zone_name(zone)}"
    if start is not None and start > last:
        raise click.BadParameter(f"{when(start)} is after the last post; {due}", param_hint="--start")
    if until is not None and until < first:
        raise click.BadParameter(f"{when(until)} is before the first post; {due}", param_hint="--until")
    if not catch_up and not any(
        (start is None or start <= p.due_at) and (until is None or p.due_at <= until) for p in posts
    ):
        raise click.BadParameter(
            f"no post is due from {when(start or first)} to {when(until or last)}; {due}", param_hint="--start/--until"
        )


def _a_number(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    """A range lets ``nan`` through (it compares false with every bound); it is no speed."""
    if math.isnan(value):
        raise click.BadParameter(f"{value!r} is not a number; give one from 1 to 100000")
    return value


@cli.command()
@click.argument("file", type=_SCHEDULE_FILE)
@click.option(
    "--speed",
    type=click.FloatRange(min=1, max=100_000),
    callback=_a_number,
    default=600,
    show_default=True,
    help="Simulated seconds per real second (600: an hour in six seconds).",
)
@click.option(
    "--start",
    "start_text",
    metavar="DATETIME",
    help="Where to begin: 2024-05-11T08:30+02:00, or 08:30 at the venue. Default: just before the first announcement.",
)
@click.option("--until", "until_text", metavar="DATETIME", help="Where to stop. Default: after the last announcement.")
@click.option(
    "--catch-up",
    is_flag=True,
    help="Start as the bot would after a restart at --start: posts still useful go out late, stale ones are skipped.",
)
@click.option(
    "--web",
    "web_text",
    metavar="HOST:PORT",
    help="Serve the web side of the rehearsal there (e.g. 127.0.0.1:8080; port 0: any free one).",
)
@click.option("--stay", is_flag=True, help="With --web: keep serving after the last announcement, until Ctrl-C.")
@click.option(
    "--crowd",
    type=click.IntRange(0, 100_000),
    default=0,
    metavar="N",
    help="With --web: N simulated attendees ask and vote in each session taking questions, so the pages have life.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The bot's settings file: rehearse with its channels (rooms, announcements, Q&A); no token needed.",
)
@_qa_close_after_opt
@date_opt
@venue_tz_opt
@_no_display_zones
@_log_level_opt("WARNING")
def rehearse(
    file: Path,
    speed: float,
    start_text: str | None,
    until_text: str | None,
    catch_up: bool,
    web_text: str | None,
    stay: bool,
    crowd: int,
    config_file: Path | None,
    qa_close_after: int,
    date: dt.date | None,
    venue_tz: ZoneInfo | None,
    log_level: str,
) -> None:
    """Play the day of FILE fast and print every message the bot would post, with its time and channel."""
    import asyncio

    from bot.app import rehearse as play

    if stay and web_text is None:
        raise click.BadParameter("--stay keeps the web side up: give --web HOST:PORT too", param_hint="--stay")
    settings = None
    channels: tuple[str, str | None] = ("announcements", None)
    if config_file is not None:
        try:
            settings = load_settings(config_file, discord_token="rehearsal")  # the checks of `run`, but the token
        except ConfigError as exc:
            raise InvalidInput(
                "chairbot cannot rehearse with these settings; fix them:\n"
                + "\n".join(f"  - {p}" for p in exc.problems)
            ) from None
        channels = (settings.announce_channel, settings.qa_channel)
    if crowd and web_text is None:
        raise click.BadParameter(
            "the crowd asks on the web side's pages: give --web HOST:PORT too", param_hint="--crowd"
        )
    try:
        web = host_and_port(web_text) if web_text is not None else None
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--web") from None
    configure_logging(log_level)
    with _reporting():
        schedule, _ = _load(file, date, venue_tz)
    start = _instant_option(start_text, schedule, "start")
    until = _instant_option(until_text, schedule, "until")
    if start is not None and until is not None and until <= start:
        raise click.BadParameter("--until must be after --start", param_hint="--until")
    _require_posts_between(file, schedule, _planned(schedule, qa_close_after), start, until, catch_up=catch_up)
    from bot.errors import StartupError

    try:
        asyncio.run(
            play(
                schedule,
                speed=speed,
                start=start,
                until=until,
                catch_up=catch_up,
                qa_close_after=dt.timedelta(minutes=qa_close_after),
                out=sys.stdout,
                web=web,
                stay=stay,
                crowd=crowd,
                rooms=dict(settings.rooms) if settings is not None else None,
                channels=channels,
            )
        )
    except StartupError as exc:
        raise InvalidInput(f"chairbot cannot rehearse: {exc}") from None
    except KeyboardInterrupt:
        if not stay:
            raise
        click.echo("Rehearsal stopped; the web side is closed.")


# --- the bot ---------------------------------------------------------------------------------------------------

_CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file (TOML or YAML); default: $CHAIRBOT_CONFIG. DISCORD_TOKEN comes from the environment.",
)


def _settings(config_file: Path | None) -> Settings:
    try:
        return load_settings(config_file)
    except ConfigError as exc:
        raise InvalidInput(
            "chairbot cannot start; fix these settings:\n" + "\n".join(f"  - {p}" for p in exc.problems)
        ) from None


@cli.command()
@_CONFIG_OPTION
@_log_level_opt("INFO")
def run(config_file: Path | None, log_level: str) -> None:
    """Run the bot on the configured Discord server."""
    import asyncio

    from bot.app import run_bot
    from bot.errors import StartupError

    settings = _settings(config_file)
    configure_logging(log_level)
    try:
        asyncio.run(run_bot(settings))
    except StartupError as exc:
        raise InvalidInput(f"chairbot cannot start: {exc}") from None


@cli.command()
@_CONFIG_OPTION
@_log_level_opt("WARNING")
def preflight(config_file: Path | None, log_level: str) -> None:
    """Check the server, channels, roles and the bot's permissions before the event."""
    import asyncio

    from bot.app import preflight as run_checks

    settings = _settings(config_file)
    configure_logging(log_level)
    checks = asyncio.run(run_checks(settings))
    for check in checks:
        click.echo(check.line())
    missing = [c for c in checks if not c.ok]
    if missing:
        raise InvalidInput(f"preflight: {counted(len(missing), 'problem', 'problems')} to fix before the event")
    click.echo("preflight: everything is in place")


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``chairbot`` script and ``python -m bot``."""
    try:
        return cli.main(args=argv, prog_name="chairbot", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("chairbot: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (``chairbot show ... | head``): not an error worth a message.
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("CHAIRBOT_DEBUG"):
            raise
        click.echo(f"chairbot: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("chairbot: this is a bug; run again with CHAIRBOT_DEBUG=1 and report the traceback", err=True)
        sys.exit(70)
