"""Session announcements as Discord messages: what the bot posts before and at the start of each session, when a
session's Q&A closes, and when the schedule changes on the day.

Pure: plain schedule and Q&A values in, :class:`Post` values out; no discord.py import. The Discord adapter turns a
:class:`Post` into one message (content plus ``discord.Embed``\\ s, sent with no allowed mentions); the console
rehearsal prints :func:`post_as_text`.

Times are written twice on purpose: Discord's ``<t:UNIX:STYLE>`` markup, which every reader's client shows in their
own zone, and the display-zone line (``09:00 Vienna · 12:45 Kathmandu``) for readers, logs and notifications where
the markup is not rendered. Every piece of organizer or attendee text is escaped before it is put inside formatting;
web addresses from the validated schedule file are not, so they stay clickable.

Every function returns as many posts as Discord's limits need and never drops a poster or a question: what does not
fit into one message goes into the next. A poster session's list of posters goes out once, with the first of its
announcements that is posted; a later one links to it (``posters_at``) instead of repeating thirty lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.messages import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    EmbedSpec,
    Post,
    escape_text,
    pack_fields,
    shorten,
)
from bot.qa.model import Question
from bot.render import counted, kind_label
from bot.schedule.model import Kind, Poster, Schedule, Session, Speaker
from bot.timefmt import clock, discord_timestamp, end_style, relative, zone_label, zones_line

#: How much of an abstract an announcement shows: enough to decide whether to join, short enough to read at a glance.
ABSTRACT_CHARS = 600
#: How much of a session title a headline shows (a title in a notification is read on a phone).
HEADLINE_TITLE_CHARS = 200
#: How much room the speakers take in an announcement; a longer list ends in "…and N more".
SPEAKERS_CHARS = 1000
#: How much of a poster's id, title and author list its line shows.
POSTER_ID_CHARS = 40
POSTER_TITLE_CHARS = 200
POSTER_AUTHORS_CHARS = 600
#: A poster's link longer than this is left out: it would not fit its line (no real poster address is this long).
POSTER_URL_CHARS = 1000
#: How much of a question the closing list shows to the speaker.
QUESTION_CHARS = 500
#: How much of the event name a footer shows.
FOOTER_CHARS = 200

#: Sessions announced with an embed that says who speaks, where to watch and how to ask.
_TALK_KINDS = frozenset({Kind.OPENING, Kind.TALK, Kind.CONTRIBUTED, Kind.PANEL})
#: Sessions announced with one short line: nobody needs an abstract to find the coffee.
_LINE_EMOJI = {Kind.BREAK: "☕", Kind.SOCIAL: "🎉", Kind.OTHER: "📣"}
#: Characters that would end a markdown link ``[label](url)`` early or turn it into something else; a validated
#: address may still contain them (Wikipedia pages do), and percent-encoding them keeps the same address.
_LINK_UNSAFE = str.maketrans({"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", " ": "%20"})


# --- small pieces -------------------------------------------------------------------------------------------------


def _clip(text: str, readable: int, hard: int, *, one_line: bool = True) -> str:
    """``text`` escaped for display inside formatting, at most ``readable`` of its own characters and never more
    than ``hard`` characters in all (escaping can double the length; the hard cut keeps a Discord limit)."""
    return shorten(escape_text(shorten(text, readable), one_line=one_line), hard)


def _bold_title(session: Session, limit: int = HEADLINE_TITLE_CHARS) -> str:
    return f"**{_clip(session.title, limit, 2 * limit)}**"


def _embed_title(session: Session, limit: int = EMBED_TITLE_LIMIT) -> str:
    return _clip(session.title, limit, limit)


def _link(label: str, url: str, *, preview: bool = True) -> str:
    """A clickable markdown link; ``label`` is ours, ``url`` comes from the validated schedule file. Without
    ``preview`` the address is wrapped in angle brackets: in message content a link otherwise unfolds into a card."""
    safe = url.translate(_LINK_UNSAFE)
    return f"[{label}]({safe})" if preview else f"[{label}](<{safe}>)"


def _t(instant: dt.datetime, style: str) -> str:
    return discord_timestamp(instant, style)


def _footer(schedule: Schedule, session: Session) -> str:
    parts = [kind_label(session.kind)]
    if session.track:
        parts.append(session.track)
    parts.append(schedule.event.name)
    # Footers are plain text in Discord (no markdown, no mentions), so they are not escaped: a backslash would show.
    return shorten(" · ".join(parts), FOOTER_CHARS)


@dataclass(frozen=True, slots=True)
class _Timing:
    """Where the session stands when the post goes out, which decides its headline."""

    started: bool  # the session has started when the post is read
    late: bool  # the bot posts this after its planned time (it was down or busy)
    minutes_before: int

    def late_note(self, session: Session) -> str:
        if not self.late:
            return ""
        # Only "started <t:R>" when it has: a late "10 minutes before" post may still come before the start.
        return f" (posted late: started {_t(session.start, 'R')})" if self.started else " (posted late)"

    def until_start(self, session: Session) -> str:
        """``in 10 minutes`` on time; when late the planned figure is wrong, so Discord counts down instead."""
        return _t(session.start, "R") if self.late else relative(dt.timedelta(minutes=self.minutes_before))


def _timing(session: Session, minutes_before: int, late_by: dt.timedelta | None) -> _Timing:
    if minutes_before < 0:
        raise ValueError("minutes_before must be 0 (at the start) or positive (before it)")
    lateness = late_by if late_by is not None and late_by > dt.timedelta(0) else dt.timedelta(0)
    late = bool(lateness)
    posted_at = session.start - dt.timedelta(minutes=minutes_before) + lateness
    return _Timing(started=posted_at >= session.start, late=late, minutes_before=minutes_before)


def _speaker_lines(speakers: Sequence[Speaker], budget: int = SPEAKERS_CHARS) -> list[str]:
    """One line per speaker (name in bold, affiliation after it) until ``budget`` characters are used."""
    lines: list[str] = []
    used = 0
    for index, speaker in enumerate(speakers):
        line = f"🎤 **{_clip(speaker.name, 100, 200)}**"
        if speaker.affiliation:
            line += f" ({_clip(speaker.affiliation, 150, 300)})"
        if used + len(line) + 1 > budget:
            lines.append(f"🎤 …and {len(speakers) - index} more")
            break
        lines.append(line)
        used += len(line) + 1
    return lines


def _when_lines(schedule: Schedule, session: Session) -> list[str]:
    event = schedule.event
    return [
        f"🕘 {_t(session.start, 'F')} ({_t(session.start, 'R')}), "
        f"until {_t(session.end, end_style(session.start, session.end, event.timezone))}",
        f"🌍 {zones_line(session.start, event.timezone, event.display_timezones)}",
    ]


def _virtual_room(url: str) -> str:
    # The host tells a reader which tool opens (app.gather.town, zoom.us) before they click.
    host = urlsplit(url).hostname or "link"
    return f"🧭 {_link(f'Virtual room ({host})', url)}"


def _where_line(session: Session, *, virtual_first: bool = False) -> str:
    links = session.links
    virtual = _virtual_room(links.virtual_room) if links.virtual_room else None
    parts: list[str] = []
    if virtual and virtual_first:
        parts.append(virtual)
    if session.room:
        parts.append(f"📍 {_clip(session.room, 100, 200)}")
    if links.stream:
        parts.append(f"📺 {_link('Watch the stream', links.stream)}")
    if virtual and not virtual_first:
        parts.append(virtual)
    if links.slides:
        parts.append(f"📑 {_link('Slides', links.slides)}")
    if links.page:
        parts.append(f"🔗 {_link('Session page', links.page)}")
    return " · ".join(parts)


def _ask_line(ask_command: str) -> str:
    # A command mention (``</ask:1234>``) is clickable only outside code formatting; a plain name reads as a command.
    command = ask_command if ask_command.startswith("</") else f"`{ask_command}`"
    return f"💬 Ask your questions with {command}; upvote the ones you want answered, the moderators take the top ones."


def _first_link(session: Session) -> str | None:
    links = session.links
    return links.stream or links.virtual_room or links.page


#: Markdown an abstract may carry (pretalx abstracts are markdown; HTML exports become markdown on import), read as
#: plain text: a link shows its address after its text, emphasis and code marks go, a heading's # or a quote's >
#: at the start of a line too.
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\s]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|~~|\*|_|`+)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_MD_LINE_START = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|-#[ \t]+)", re.MULTILINE)


def plain_abstract(text: str) -> str:
    """An abstract's markdown as the plain text it reads as: ``**Guix** on [the site](https://guix.gnu.org)`` is
    ``Guix on the site (https://guix.gnu.org)``. Announcements show abstracts escaped, never as markdown, so an
    abstract cannot hide a link's address behind its text or break the post's layout; without this its marks
    would show as typed."""
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    for _ in range(3):  # nested marks (***both***) come off a layer at a time
        text = _MD_EMPHASIS.sub(r"\2", text)
    return _MD_LINE_START.sub("", text)


def _description(info: Iterable[str], session: Session) -> str:
    """The information lines (empty ones left out), then the abstract after a blank line."""
    text = "\n".join(line for line in info if line)
    if session.abstract and session.abstract.strip():
        shown = plain_abstract(session.abstract.strip())
        abstract = _clip(shown, ABSTRACT_CHARS, 2 * ABSTRACT_CHARS + 50, one_line=False)
        text = f"{text}\n\n{abstract}" if text else abstract
    return shorten(text, EMBED_DESCRIPTION_LIMIT)


# --- session announcements ----------------------------------------------------------------------------------------


def session_posts(
    schedule: Schedule,
    session: Session,
    *,
    minutes_before: int,
    late_by: dt.timedelta | None = None,
    ask_command: str = "/ask",
    posters_at: str | None = None,
) -> list[Post]:
    """The messages announcing ``session`` ``minutes_before`` its start (0: at the start).

    ``late_by`` is how far behind its planned time the post goes out (``None`` or zero: on time); a late post says
    so, and one that comes after the start says it has started. ``ask_command`` is how the Q&A command is shown:
    ``/ask`` or a clickable command mention (``</ask:1234>``). ``posters_at`` is where a poster session's list was
    posted already (a message link, or a readable place such as ``#announcements message 12``): the announcement
    then points there instead of listing the posters again.
    """
    timing = _timing(session, minutes_before, late_by)
    if session.kind in _TALK_KINDS:
        return [_talk_post(schedule, session, timing, ask_command)]
    if session.kind is Kind.POSTER:
        return _poster_posts(schedule, session, timing, posters_at)
    return [Post(content=_line_post(session, timing))]


def _talk_post(schedule: Schedule, session: Session, timing: _Timing, ask_command: str) -> Post:
    if timing.started:
        headline = f"🔴 **Now live:** {_bold_title(session)}"
    else:
        headline = f"⏰ **Starting {timing.until_start(session)}:** {_bold_title(session)}"
    lines = [
        *_speaker_lines(session.speakers),
        *_when_lines(schedule, session),
        _where_line(session),
        _ask_line(ask_command) if session.qa else "",
    ]
    embed = EmbedSpec(
        title=_embed_title(session),
        description=_description(lines, session),
        footer=_footer(schedule, session),
        url=_first_link(session),
    )
    return Post(content=headline + timing.late_note(session), embeds=(embed,))


def _poster_line(poster: Poster) -> str:
    """``P1-01 · [Title](url) — A. Author, B. Author``: what the poster has and nothing more (no authors, no link
    when there are none). At most a few thousand characters, so one always fits an embed's description."""
    title = _clip(poster.title, POSTER_TITLE_CHARS, 2 * POSTER_TITLE_CHARS)
    if poster.url and len(poster.url) <= POSTER_URL_CHARS:
        title = _link(title, poster.url)
    line = f"{_clip(poster.id, POSTER_ID_CHARS, 2 * POSTER_ID_CHARS)} · {title}"
    if poster.authors:
        line += f" — {_clip(', '.join(poster.authors), POSTER_AUTHORS_CHARS, 2 * POSTER_AUTHORS_CHARS)}"
    return line


def _posters_line(count: int, posters_at: str | None) -> str:
    posters = counted(count, "poster", "posters")
    if not count:
        return f"🗂️ {posters}."
    if posters_at is None:
        return f"🗂️ {posters}, listed below."
    if posters_at.startswith(("https://", "http://")):
        return f"🗂️ {posters}, listed in {_link('the announcement before', posters_at)}."
    return f"🗂️ {posters}, listed in {posters_at}."


def _pack_list(announcement: EmbedSpec, lines: Sequence[str], continued: str) -> list[list[EmbedSpec]]:
    """``announcement`` then ``lines`` in embed descriptions, over as few messages as Discord allows (4,096
    characters a description, 6,000 across the embeds of a message, 10 embeds). The list's first embed, under the
    announcement, is titled "Posters"; every later one ``continued``, so a message read alone says what it lists."""
    messages: list[list[EmbedSpec]] = [[announcement]]
    used = announcement.size()  # the closed embeds of the last message
    embed: EmbedSpec | None = None
    for line in lines:
        grow = len(line) + (1 if embed is not None and embed.description else 0)
        if embed is not None and (
            len(embed.description) + grow > EMBED_DESCRIPTION_LIMIT or used + embed.size() + grow > EMBED_TOTAL_LIMIT
        ):
            messages[-1].append(embed)
            used += embed.size()
            embed = None
        if embed is None:
            fresh = len(messages) == 1 and len(messages[-1]) == 1
            embed = EmbedSpec(title="Posters" if fresh else continued)
            if len(messages[-1]) == EMBEDS_PER_MESSAGE or used + embed.size() + len(line) > EMBED_TOTAL_LIMIT:
                messages.append([])
                used = 0
                embed.title = continued
            embed.description = line
        else:
            embed.description += "\n" + line
    if embed is not None:
        messages[-1].append(embed)
    return messages


def _poster_posts(schedule: Schedule, session: Session, timing: _Timing, posters_at: str | None) -> list[Post]:
    if timing.started:
        headline = f"📌 **Now open:** {_bold_title(session)}"
    else:
        headline = f"📌 {_bold_title(session)} starts {timing.until_start(session)}"
    count = len(session.posters)
    lines = [
        *_when_lines(schedule, session),
        # The virtual room comes first: most readers of the announcement are remote.
        _where_line(session, virtual_first=True),
        *_speaker_lines(session.speakers),
        _posters_line(count, posters_at),
    ]
    announcement = EmbedSpec(
        title=_embed_title(session),
        description=_description(lines, session),
        footer=_footer(schedule, session),
        url=_first_link(session),
    )
    listed = [_poster_line(p) for p in session.posters] if posters_at is None else []
    continued = _embed_title(session, EMBED_TITLE_LIMIT - len(" (continued)")) + " (continued)"
    messages = _pack_list(announcement, listed, continued)
    return [
        Post(content=headline + timing.late_note(session) if index == 0 else "", embeds=tuple(embeds))
        for index, embeds in enumerate(messages)
    ]


def _line_post(session: Session, timing: _Timing) -> str:
    emoji = _LINE_EMOJI.get(session.kind, "📣")
    title = _bold_title(session)
    if timing.started:
        text = f"{emoji} {title} now, until {_t(session.end, 't')} ({_t(session.end, 'R')})"
    else:
        text = f"{emoji} {title} {timing.until_start(session)}, {_t(session.start, 't')}–{_t(session.end, 't')}"
    where: list[str] = []
    if session.room:
        where.append(f"📍 {_clip(session.room, 100, 200)}")
    link = session.links.virtual_room or session.links.stream
    if link:
        where.append(_link("join online", link, preview=False))
    if where:
        text += " · " + " · ".join(where)
    return shorten(text + timing.late_note(session), MESSAGE_LIMIT)


# --- Q&A closed ---------------------------------------------------------------------------------------------------


def qa_closed_posts(schedule: Schedule, session: Session, unanswered: Sequence[Question]) -> list[Post]:
    """The note that Q&A has closed for ``session``, with every question in ``unanswered`` listed for the speaker,
    most votes first (the queue's own order: votes, then who asked first).

    The caller chooses which questions to pass (all unanswered ones, or the top N); none of those is dropped.
    Askers who chose to be anonymous are shown as "anonymous", never by name.
    """
    title = _bold_title(session)
    if not unanswered:
        return [Post(content=f"🔒 **Q&A closed:** {title}. No questions left unanswered. Thank you for asking!")]
    ranked = sorted(unanswered, key=lambda q: (-q.votes, q.created_at, q.id))
    fields = [
        (
            f"{rank}. ▲ {question.votes} · {_clip(question.public_author, 64, 128)}",
            _clip(question.text.strip(), QUESTION_CHARS, FIELD_VALUE_LIMIT),
        )
        for rank, question in enumerate(ranked, 1)
    ]
    count = counted(len(ranked), "unanswered question", "unanswered questions")
    content = f"🔒 **Q&A closed:** {title}. {count} for the speaker, most votes first:"
    heading = shorten(f"Unanswered questions · {_embed_title(session)}", EMBED_TITLE_LIMIT - len(" (continued)"))
    messages = pack_fields(heading, fields, footer=_footer(schedule, session))
    return [Post(content=content if index == 0 else "", embeds=tuple(embeds)) for index, embeds in enumerate(messages)]


# --- schedule updates ---------------------------------------------------------------------------------------------


def _venue_clock(schedule: Schedule, instant: dt.datetime, reference: dt.date | None = None) -> str:
    return clock(instant, schedule.event.timezone, reference)


def _moved_line(schedule: Schedule, old: Session, new: Session) -> str:
    zone = schedule.event.timezone
    old_day = old.start.astimezone(zone).date()
    if new.start == old.start and new.end != old.end:
        # A session on when the day was shifted keeps its start and runs longer (or shorter): only its end moved.
        end_day = old.end.astimezone(zone).date()
        line = (
            f"• {_bold_title(new, 150)} now runs until {_t(new.end, 't')} (was {_t(old.end, 't')}) · "
            f"{zone_label(zone)}: {_venue_clock(schedule, old.end)} → {_venue_clock(schedule, new.end, end_day)}"
        )
    else:
        # A bare time hides a move to another day: the date comes with the new time (the venue time names its day).
        style = "t" if new.start.astimezone(zone).date() == old_day else "f"
        line = (
            f"• {_bold_title(new, 150)}: {_t(old.start, 't')} → {_t(new.start, style)} ({_t(new.start, 'R')}), "
            f"until {_t(new.end, 't')} · {zone_label(zone)}: "
            f"{_venue_clock(schedule, old.start)} → {_venue_clock(schedule, new.start, old_day)}"
        )
    if new.room and new.room != old.room:
        line += f" · now in 📍 {_clip(new.room, 100, 200)}"
    return line


def _cancelled_line(schedule: Schedule, session: Session) -> str:
    zone = schedule.event.timezone
    return (
        f"• ~~{_bold_title(session, 150)}~~ (was {_t(session.start, 'f')}, "
        f"{zone_label(zone)} {_venue_clock(schedule, session.start)})"
    )


def _restored_line(schedule: Schedule, session: Session) -> str:
    zone = schedule.event.timezone
    return (
        f"• {_bold_title(session, 150)}: {_t(session.start, 'f')}–{_t(session.end, 't')} ({_t(session.start, 'R')}) · "
        f"{zone_label(zone)} {_venue_clock(schedule, session.start)}"
    )


def _pack_sections(header: str, sections: Sequence[tuple[str, Sequence[str]]]) -> list[Post]:
    """Lines under their section headings, over as few messages as 2,000 characters allow. A message that
    continues a section repeats its heading, so no line is read out of its context."""
    texts: list[str] = []
    current = header
    for heading, lines in sections:
        heading_shown = False
        for raw in lines:
            # Each line is bounded by construction; the cut is a guard so one line can never overflow a message.
            line = shorten(raw, MESSAGE_LIMIT // 2)
            block = line if heading_shown else f"{heading}\n{line}"
            if len(current) + 1 + len(block) > MESSAGE_LIMIT:
                texts.append(current)
                current = f"{header} (continued)"
                block = f"{heading} (continued)\n{line}"
            current += "\n" + block
            heading_shown = True
    texts.append(current)
    return [Post(content=text) for text in texts]


def schedule_update_posts(
    schedule: Schedule,
    moved: Sequence[tuple[Session, Session]],
    cancelled: Sequence[Session],
    restored: Sequence[Session],
) -> list[Post]:
    """One "Schedule update" message (more if it is long): the new times of ``moved`` sessions (each an ``(old,
    new)`` pair; one that kept its start says until when it now runs), then ``cancelled`` and ``restored`` ones,
    each list in order of time. Empty when nothing changed.
    """
    if not (moved or cancelled or restored):
        return []
    sections: list[tuple[str, Sequence[str]]] = []
    if moved:
        pairs = sorted(moved, key=lambda pair: (pair[1].start, pair[0].start))
        sections.append(("**New times**", [_moved_line(schedule, old, new) for old, new in pairs]))
    if cancelled:
        ordered = sorted(cancelled, key=lambda s: s.start)
        sections.append(("**Cancelled**", [_cancelled_line(schedule, s) for s in ordered]))
    if restored:
        ordered = sorted(restored, key=lambda s: s.start)
        sections.append(("**Back on the schedule**", [_restored_line(schedule, s) for s in ordered]))
    return _pack_sections("🗓️ **Schedule update**", sections)


# --- console rendering --------------------------------------------------------------------------------------------


def post_as_text(post: Post) -> str:
    """``post`` as plain lines for the console rehearsal: the content, then each embed behind a bar (as Discord
    draws it), with its title, link, description, fields and footer. Discord markup is kept as it is."""
    lines: list[str] = []
    if post.content:
        lines.extend(post.content.splitlines())
    for embed in post.embeds:
        bar = "┃ "
        if lines:
            lines.append("")
        if embed.title:
            lines.append(bar + embed.title)
        if embed.url:
            lines.append(f"{bar}<{embed.url}>")
        if embed.description:
            lines.extend(bar + line for line in embed.description.splitlines())
        for name, value in embed.fields:
            lines.append(f"{bar}▸ {name}")
            lines.extend(f"{bar}    {line}" for line in value.splitlines())
        if embed.footer:
            lines.append(f"{bar}— {embed.footer}")
    return "\n".join(lines)
