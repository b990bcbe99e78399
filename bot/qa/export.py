"""Turning stored questions into what organizers read after the event: a terminal table, CSV, Markdown, JSON.

Pure functions over :class:`~bot.qa.model.Question` values. The asker is always rendered through
:attr:`Question.public_author`, and no format carries the author id, so an anonymous asker stays anonymous.
Every text cell of the CSV is kept from being read as a spreadsheet formula (see :func:`spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from bot.qa.clock import micros_to_iso, to_micros
from bot.qa.model import Question, SessionSettings, Status
from bot.schedule.model import Schedule, Session, Speaker
from bot.timefmt import span
from bot.zones import zone_name

EXPORT_FORMATS = ("csv", "md", "json")
CSV_COLUMNS = ("session_id", "position", "question_id", "votes", "status", "asked_at", "asker", "text")

# Shown first in a listing: what is happening now, then what comes next.
_LISTING_ORDER = {
    Status.ON_STAGE: 0,
    Status.QUEUED: 1,
    Status.PENDING_REVIEW: 2,
    Status.ANSWERED: 3,
    Status.DISMISSED: 4,
    Status.HIDDEN: 5,
}
_TEXT_WIDTH = 72


def by_session(questions: Iterable[Question]) -> list[tuple[str, list[Question]]]:
    """Questions grouped per session (sessions in order), keeping each group's order."""
    ordered = sorted(questions, key=lambda q: q.session_id)  # stable: keeps votes order inside a session
    return [(session_id, list(group)) for session_id, group in groupby(ordered, key=lambda q: q.session_id)]


def _record(position: int, question: Question) -> dict[str, Any]:
    return {
        "session_id": question.session_id,
        "position": position,
        "question_id": question.id,
        "votes": question.votes,
        "status": question.status.value,
        "asked_at": micros_to_iso(to_micros(question.created_at)),
        "asker": question.public_author,
        "text": question.text,
    }


# A spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV Injection").
_FORMULA_STARTS = frozenset("=+-@")
# Some spreadsheets also start a formula after a tab or a carriage return that opens the cell.
_FORMULA_OPENERS = frozenset("\t\r")


def _opens_formula(cell: str) -> bool:
    """Whether a spreadsheet could take ``cell`` for a formula: its first visible character, past spaces,
    invisible format characters and quotes, is a formula start or a compatibility form of one (``＝``, ``﹢``)."""
    for char in cell:
        if char in _FORMULA_OPENERS:
            return True
        if char.isspace() or char == '"' or unicodedata.category(char) == "Cf":
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_STARTS
    return False


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows and never runs: a single quote goes before it when it
    could start a formula (OWASP's advice). Spreadsheets set to a ``;`` list separator (Excel in much of
    Europe) start a new cell after every ``;`` of a comma-separated file, so each of those pieces is guarded too.
    """
    pieces = text.split(";")
    return ";".join("'" + piece if _opens_formula(piece) else piece for piece in pieces)


def to_csv(questions: Iterable[Question]) -> str:
    """One row per question. Text cells go through :func:`spreadsheet_text`; numbers stay numbers."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for _session_id, group in by_session(questions):
        for position, q in enumerate(group, start=1):
            record = _record(position, q)
            writer.writerow({k: spreadsheet_text(v) if isinstance(v, str) else v for k, v in record.items()})
    return out.getvalue()


def to_json(questions: Iterable[Question]) -> str:
    sessions = [
        {
            "session_id": session_id,
            "questions": [
                {key: value for key, value in _record(position, q).items() if key != "session_id"}
                for position, q in enumerate(group, start=1)
            ],
        }
        for session_id, group in by_session(questions)
    ]
    return json.dumps({"sessions": sessions}, ensure_ascii=False, indent=2) + "\n"


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+=])")


def escape_markdown(text: str) -> str:
    """Text that renders as itself: no emphasis, links, HTML, nor a list or heading opened by its start."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped, count=1)


def _votes(count: int) -> str:
    return "1 vote" if count == 1 else f"{count} votes"


def _speaker(speaker: Speaker) -> str:
    name = escape_markdown(speaker.name)
    return f"{name} ({escape_markdown(speaker.affiliation)})" if speaker.affiliation else name


def _when(session: Session, schedule: Schedule) -> str:
    """``Saturday 11 May 2024, 09:00–09:30 Europe/Vienna``: the day and time at the venue."""
    zone = schedule.event.timezone
    local = session.start.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y}, {span(session.start, session.end, zone)} {zone_name(zone)}"


def _session_heading(session_id: str, schedule: Schedule | None) -> list[str]:
    """The title and speakers, then the time; the session id alone when the schedule does not know it."""
    by_id = [f"## Session {escape_markdown(session_id)}", ""]
    if schedule is None:
        return by_id
    session = schedule.find(session_id)
    if session is None:
        return [*by_id, "Not in the schedule.", ""]
    heading = escape_markdown(session.title)
    if session.speakers:
        heading += " — " + ", ".join(_speaker(s) for s in session.speakers)
    return [f"## {heading}", "", escape_markdown(_when(session, schedule)), ""]


def _in_schedule_order(
    groups: list[tuple[str, list[Question]]], schedule: Schedule
) -> list[tuple[str, list[Question]]]:
    """Sessions by start time (the schedule's order); sessions it does not know last, by id."""
    rank = {session.id: index for index, session in enumerate(schedule.sessions)}
    return sorted(groups, key=lambda group: (group[0] not in rank, rank.get(group[0], 0), group[0]))


def to_markdown(
    questions: Iterable[Question], title: str = "Questions from the audience", schedule: Schedule | None = None
) -> str:
    """A document to hand to speakers: a heading per session, questions numbered by votes.

    With the ``schedule``, sessions come in their order and are headed by title, speakers and time at the venue;
    without it, by their ids.
    """
    lines = [f"# {title}", ""]
    groups = by_session(questions)
    if schedule is not None:
        groups = _in_schedule_order(groups, schedule)
    if not groups:
        lines += ["No questions.", ""]
    for session_id, group in groups:
        lines += _session_heading(session_id, schedule)
        for position, q in enumerate(group, start=1):
            status = q.status.value.replace("_", " ")
            # Two trailing spaces: a line break inside the list item, so the details sit under the question.
            lines.append(f"{position}. {escape_markdown(q.text)}  ")
            lines.append(f"   *{_votes(q.votes)} · {status} · asked by {escape_markdown(q.public_author)}*")
        lines.append("")
    return "\n".join(lines)


def render_export(questions: Sequence[Question], fmt: str, schedule: Schedule | None = None) -> str:
    """``questions`` in export format ``fmt``; the ``schedule`` gives the Markdown its session headings."""
    if fmt == "csv":
        return to_csv(questions)
    if fmt == "md":
        return to_markdown(questions, schedule=schedule)
    if fmt == "json":
        return to_json(questions)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def _shorten(text: str, width: int = _TEXT_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def listing_table(questions: Iterable[Question], settings: Mapping[str, SessionSettings]) -> str:
    """The queue of each session as an aligned table: on stage, queued by rank, then the rest."""
    blocks: list[str] = []
    for session_id, group in by_session(questions):
        group.sort(key=lambda q: _LISTING_ORDER[q.status])  # stable: votes order kept within a status
        rows = [("rank", "votes", "status", "id", "asker", "question")]
        rank = 0
        for q in group:
            shown_rank = "-"
            if q.status is Status.QUEUED:
                rank += 1
                shown_rank = str(rank)
            rows.append((shown_rank, str(q.votes), q.status.value, str(q.id), q.public_author, _shorten(q.text)))
        widths = [max(len(row[col]) for row in rows) for col in range(len(rows[0]))]
        right = {0, 1, 3}  # numbers
        state = settings.get(session_id)
        header = f"Session {session_id}"
        if state is not None:
            header += f" (Q&A {'open' if state.qa_open else 'closed'}"
            header += ", pre-moderated)" if state.pre_moderation else ")"
        lines = [header]
        for row in rows:
            cells = [
                cell.rjust(widths[col]) if col in right else cell.ljust(widths[col]) for col, cell in enumerate(row)
            ]
            lines.append("  ".join(cells).rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "No questions.\n"
