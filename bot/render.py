"""What the bot answers people, as plain text: pure formatters from schedule, Q&A and core results (``/now``,
``/schedule show``, the queue, replies to a shift, a reminder, "next question"). Announcements are formatted in
:mod:`bot.announce.messages`; the helpers both use are in :mod:`bot.messages` and :mod:`bot.timefmt`.

Times use Discord's ``<t:UNIX:STYLE>`` markup (each reader sees their own zone) followed by the display-zone
line; user text is always escaped. No discord.py import: the adapters post what these return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from gettext import ngettext

from bot.messages import escape_text, shorten
from bot.qa.model import AskResult, Question, RankedQuestion
from bot.results import ReminderToggle, ShiftResult, StageResult
from bot.schedule.model import Kind, Schedule, Session
from bot.timefmt import discord_timestamp, duration, end_style, zones_line

#: How much of a question a listing shows before cutting it.
LISTED_QUESTION_CHARS = 300

_KIND_LABEL = {
    Kind.OPENING: "Opening",
    Kind.TALK: "Talk",
    Kind.CONTRIBUTED: "Contributed talk",
    Kind.POSTER: "Poster session",
    Kind.PANEL: "Panel",
    Kind.BREAK: "Break",
    Kind.SOCIAL: "Social",
    Kind.OTHER: "Session",
}


def kind_label(kind: Kind) -> str:
    return _KIND_LABEL[kind]


def counted(number: int, singular: str, plural: str) -> str:
    """``1 poster``, ``30 posters``: the noun's form chosen by gettext, so a translation brings its own rules."""
    return f"{number} {ngettext(singular, plural, number)}"


def session_title(session: Session) -> str:
    """The title in bold (organizer text, still escaped: it reaches every attendee)."""
    return f"**{escape_text(session.title, one_line=True)}**"


def speakers_line(session: Session) -> str:
    parts = [
        escape_text(s.name, one_line=True)
        + (f" ({escape_text(s.affiliation, one_line=True)})" if s.affiliation else "")
        for s in session.speakers
    ]
    return ", ".join(parts)


def _end(schedule: Schedule, session: Session) -> str:
    """The end as Discord markup: the time, or the date and time when it is not later the same day."""
    return discord_timestamp(session.end, end_style(session.start, session.end, schedule.event.timezone))


def when_line(schedule: Schedule, session: Session) -> str:
    """``<t:…:t>–<t:…:t> (<t:…:R>)`` then the display-zone line on the next line."""
    zones = zones_line(session.start, schedule.event.timezone, schedule.event.display_timezones)
    return (
        f"{discord_timestamp(session.start, 't')}–{_end(schedule, session)} "
        f"({discord_timestamp(session.start, 'R')})\n{zones}"
    )


def session_choice_label(schedule: Schedule, session: Session) -> str:
    """One line for an autocomplete list: venue time, title (100 characters at most, Discord's limit)."""
    start = session.start.astimezone(schedule.event.timezone).strftime("%a %H:%M")
    return shorten(f"{start} · {session.title}", 100)


def question_line(item: RankedQuestion | Question, *, rank: int | None = None) -> str:
    question = item.question if isinstance(item, RankedQuestion) else item
    votes = question.votes
    text = escape_text(shorten(question.text, LISTED_QUESTION_CHARS), one_line=True)
    who = escape_text(question.public_author, one_line=True)
    place = f"{rank}." if rank is not None else "•"
    return f"{place} ▲ {votes} — {text} — *{who}*"


def ask_reply(result: AskResult, session: Session) -> str:
    return f"{result.message}\nSession: {session_title(session)}"


def queue_text(session: Session, items: Sequence[RankedQuestion], *, total: int | None = None) -> str:
    """The top of a session's queue; the question on stage first."""
    if not items:
        return f"No questions yet for {session_title(session)}. Ask one with `/ask`."
    lines = [f"Questions for {session_title(session)}:"]
    for item in items:
        if item.rank is None:
            lines.append(f"🎤 On stage: {question_line(item)}")
        else:
            lines.append(question_line(item, rank=item.rank))
    if total is not None and total > len(items):
        lines.append(f"…and {total - len(items)} more.")
    return "\n".join(lines)


def on_stage_text(session: Session, question: Question) -> str:
    text = escape_text(question.text)
    who = escape_text(question.public_author, one_line=True)
    return f"🎤 **On stage** in {session_title(session)} (▲ {question.votes}):\n> {text}\n— *{who}*"


def now_text(schedule: Schedule, now: dt.datetime, upcoming: int = 3) -> str:
    """What is on now and what comes next."""
    lines: list[str] = []
    live = schedule.live_at(now)
    if live:
        lines.append("**On now**")
        for session in live:
            lines.append(f"• {session_title(session)} — {kind_label(session.kind)}, until {_end(schedule, session)}")
    following = schedule.upcoming(now, upcoming)
    if following:
        lines.append("**Next**")
        for session in following:
            lines.append(f"• {session_title(session)} — {kind_label(session.kind)}\n  {when_line(schedule, session)}")
    if not lines:
        lines.append(f"{escape_text(schedule.event.name)} is over. Thank you for joining!")
    return "\n".join(lines)


def day_text(schedule: Schedule, day: dt.date) -> str:
    """Every session of ``day`` (at the venue) with times each reader sees in their own zone."""
    venue = schedule.event.timezone
    sessions = [s for s in schedule.sessions if s.start.astimezone(venue).date() == day]
    head = f"**{escape_text(schedule.event.name)}** — {day.strftime('%A %d %B %Y')} ({venue.key})"
    if not sessions:
        return f"{head}\nNo sessions that day."
    lines = [head]
    for session in sessions:
        extra = f" — {speakers_line(session)}" if session.speakers else ""
        lines.append(
            f"{discord_timestamp(session.start, 't')}–{_end(schedule, session)} "
            f"{session_title(session)} · {kind_label(session.kind)}{extra}"
        )
    return "\n".join(lines)


def stage_reply(result: StageResult) -> str:
    """What the moderator who pulled the next question reads."""
    if result.question is None:
        return f"The queue of {session_title(result.session)} is empty."
    question = result.question
    summary = (
        f"On stage now: #{question.id} ▲ {question.votes} — {escape_text(shorten(question.text, 300), one_line=True)}"
    )
    if not result.posted:
        summary += "\n⚠️ Discord refused the post to the Q&A channel; read the question out from here."
    return summary


def reminder_reply(result: ReminderToggle) -> str:
    title = session_title(result.session)
    if not result.is_set or result.due_at is None:
        return f"Reminder for {title} removed."
    return (
        f"I will send you a direct message {discord_timestamp(result.due_at, 'R')} "
        f"({discord_timestamp(result.due_at, 't')}), before {title} starts. Click again to remove it."
    )


def shift_reply(result: ShiftResult) -> str:
    """What the organizer who shifted the day reads: which live sessions now end later, how many moved."""
    direction = "later" if result.minutes > 0 else "earlier"
    by = duration(dt.timedelta(minutes=result.minutes))
    parts = [
        f"{session_title(running)} keeps its start and now runs until {discord_timestamp(running.end, 't')}."
        for running in result.running
    ]
    if result.running:
        parts.append(
            f"Moved {counted(result.moved, 'later session', 'later sessions')} {by} {direction}; "
            "announcements and Q&A follow."
        )
    else:
        parts.append(
            f"Moved {counted(result.moved, 'session', 'sessions')} from {session_title(result.first)} on "
            f"{by} {direction}; announcements and Q&A follow."
        )
    if result.update_posted:
        parts.append("A schedule update was posted.")
    return " ".join(parts)
