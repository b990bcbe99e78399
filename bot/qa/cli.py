"""``chairbot qa``: the Q&A queue on the command line, for organizers after (or during) the event.

Read-only: the database is opened with ``mode=ro`` and never created or changed, so it is safe to run next to
the live bot. A missing, unreadable or foreign database exits with code 1 and a message naming the path;
usage errors exit with 2 (click's default). ``export --schedule FILE`` reads the schedule the bot runs with, so
the Markdown heads each session with its title, speakers and time (``--venue-tz`` for an export that names no
zone, as in every command that reads a schedule); an invalid schedule also exits with 1.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.cli_options import note_unused_options, venue_tz_opt
from bot.qa.errors import StoreError
from bot.qa.export import EXPORT_FORMATS, listing_table, render_export
from bot.qa.model import Question, Status
from bot.qa.store import QAStore
from bot.schedule.errors import ScheduleError, UsageError
from bot.schedule.loader import load_with_format
from bot.schedule.model import Schedule
from bot.zones import zone_name

_LISTED_BY_DEFAULT = (Status.ON_STAGE, Status.QUEUED, Status.PENDING_REVIEW)
_EXPORTED_BY_DEFAULT = tuple(status for status in Status if status is not Status.HIDDEN)

_db_option = click.option(
    "--db",
    "db_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=True, file_okay=True),
    help="The chairbot database file.",
)
_session_option = click.option("--session", "session_id", default=None, help="Only this session (its id).")


def _open(db_path: Path) -> QAStore:
    try:
        return QAStore.open_snapshot(db_path)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _load_schedule(path: Path, venue_tz: ZoneInfo | None) -> Schedule:
    try:
        schedule, fmt = load_with_format(path, timezone=zone_name(venue_tz) if venue_tz is not None else None)
    except ScheduleError as exc:
        raise click.ClickException(exc.render()) from None
    except UsageError as exc:
        # The loader's advice names the options of `chairbot import`, which turns such a file into one the bot runs.
        message = f"--schedule {path}: {exc} to `chairbot import`, then give its output to --schedule"
        raise click.UsageError(message) from None
    note_unused_options(path, schedule, fmt, venue_tz=venue_tz)
    return schedule


def _read(db_path: Path, session_id: str | None, statuses: tuple[Status, ...]) -> tuple[QAStore, list[Question]]:
    store = _open(db_path)
    try:
        return store, store.questions(session_id, statuses)
    except Exception:
        store.close()
        raise


@click.group(name="qa")
def qa_group() -> None:
    """The live Q&A queue: list it, export it for speakers and records."""


@qa_group.command(name="list")
@_db_option
@_session_option
@click.option("--all", "show_all", is_flag=True, help="Also answered, dismissed and hidden questions.")
def list_command(db_path: Path, session_id: str | None, show_all: bool) -> None:
    """Print the queue of each session: on stage, then queued by rank (votes, then oldest)."""
    statuses = tuple(Status) if show_all else _LISTED_BY_DEFAULT
    store, questions = _read(db_path, session_id, statuses)
    try:
        settings = {sid: store.session_settings(sid) for sid in {q.session_id for q in questions}}
    finally:
        store.close()
    click.echo(listing_table(questions, settings), nl=False)


@qa_group.command(name="export")
@_db_option
@_session_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to FILE, not stdout.",
)
@click.option("--include-hidden", is_flag=True, help="Also questions a moderator hid (abuse, spam).")
@click.option(
    "--schedule",
    "schedule_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The schedule FILE the bot ran with: Markdown headings with title, speakers and time instead of ids.",
)
@venue_tz_opt
def export_command(
    db_path: Path,
    session_id: str | None,
    fmt: str,
    output: Path | None,
    include_hidden: bool,
    schedule_path: Path | None,
    venue_tz: ZoneInfo | None,
) -> None:
    """Export questions per session, most votes first, with their status. Anonymous askers stay anonymous.

    CSV cells that a spreadsheet could run as a formula start with a single quote.
    """
    schedule = _load_schedule(schedule_path, venue_tz) if schedule_path is not None and fmt == "md" else None
    statuses = tuple(Status) if include_hidden else _EXPORTED_BY_DEFAULT
    store, questions = _read(db_path, session_id, statuses)
    store.close()
    content = render_export(questions, fmt, schedule)
    if output is None:
        click.echo(content, nl=False)
    else:
        try:
            # newline="": the text already has the line endings of its format (CSV uses CRLF).
            output.write_text(content, encoding="utf-8", newline="")
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
        click.echo(f"Wrote {len(questions)} questions to {output}", err=True)
    # After the export, so that the document on stdout starts with its own first line.
    if fmt == "md" and schedule_path is None:
        click.echo(
            "chairbot: note: no --schedule given, so sessions are headed by their ids; "
            "pass the schedule file for titles, speakers and times",
            err=True,
        )
    elif fmt != "md" and schedule_path is not None:
        click.echo(f"chairbot: note: --schedule only applies to --format md; ignored for {fmt}", err=True)
