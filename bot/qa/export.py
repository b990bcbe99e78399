"""Turning stored questions into what organizers read after the event: a terminal table, CSV, Markdown, JSON.

Pure functions over :class:`~bot.qa.model.Question` values. The asker is always rendered through
:attr:`Question.public_author`, and no format carries the author id, so an anonymous asker stays anonymous.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby
from typing import Any

from bot.qa.clock import micros_to_iso, to_micros
from bot.qa.model import Question, SessionSettings, Status

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


def to_csv(questions: Iterable[Question]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for _session_id, group in by_session(questions):
        writer.writerows(_record(position, q) for position, q in enumerate(group, start=1))
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


def to_markdown(questions: Iterable[Question], title: str = "Questions from the audience") -> str:
    """A document to hand to speakers: a heading per session, questions numbered by votes."""
    lines = [f"# {title}", ""]
    groups = by_session(questions)
    if not groups:
        lines += ["No questions.", ""]
    for session_id, group in groups:
        lines += [f"## Session {escape_markdown(session_id)}", ""]
        for position, q in enumerate(group, start=1):
            status = q.status.value.replace("_", " ")
            # Two trailing spaces: a line break inside the list item, so the details sit under the question.
            lines.append(f"{position}. {escape_markdown(q.text)}  ")
            lines.append(f"   *{_votes(q.votes)} · {status} · asked by {escape_markdown(q.public_author)}*")
        lines.append("")
    return "\n".join(lines)


def render_export(questions: Sequence[Question], fmt: str) -> str:
    if fmt == "csv":
        return to_csv(questions)
    if fmt == "md":
        return to_markdown(questions)
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
