"""``chairbot rehearse``: the event day played fast on the console, without Discord.

The real announcer, outbox, Q&A store and message formatting run on a clock that goes ``speed`` times as fast as
real time and stands still at each post's planned instant while the post is made, so every message reads
exactly as the bot would post it on time, at any speed. A console publisher prints each message as it would be
posted, with its simulated time and channel.
Discord's ``<t:…>`` markup is shown as the venue's time, as a reader at the venue would see it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.announce.digest import planned_digests, slots
from bot.announce.messages import post_as_text
from bot.announce.outbox import Planned, Status
from bot.announce.sessions import planned_posts
from bot.chair import Chair
from bot.clock import Clock, SteppedClock
from bot.messages import Post
from bot.qa.model import Question
from bot.render import counted, on_stage_text
from bot.schedule.model import Schedule, Session
from bot.signin import Member, Role
from bot.timefmt import relative, zone_label
from bot.zones import is_unambiguous

#: The rehearsal starts this long before the first announcement when no start is given.
LEAD_IN = dt.timedelta(minutes=1)
_MARKUP = re.compile(r"<t:(-?\d+):([tTdDfFR])>")
_ESCAPED = re.compile(r"\\([\\*_~`|>#\-\[\]<])")


def _relative(delta: dt.timedelta) -> str:
    return relative(delta)


def show_markup(text: str, schedule: Schedule, now: dt.datetime) -> str:
    """``<t:UNIX:STYLE>`` as the venue's clock (relative styles against ``now``)."""
    zone = schedule.event.timezone

    def one(match: re.Match[str]) -> str:
        instant = dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC)
        local = instant.astimezone(zone)
        style = match.group(2)
        if style == "R":
            return _relative(instant - now)
        formats = {
            "t": "%H:%M",
            "T": "%H:%M:%S",
            "d": "%d/%m/%Y",
            "D": "%d %B %Y",
            "f": "%d %B %Y %H:%M",
            "F": "%A %d %B %Y %H:%M",
        }
        return local.strftime(formats[style]) + ("" if style in "dD" else f" {zone_label(zone)}")

    return _MARKUP.sub(one, text)


@dataclass
class ConsolePublisher:
    """Prints what the bot would post, each message under a line with its simulated time and channel."""

    schedule: Schedule
    clock: Clock
    out: TextIO
    announce_channel: str = "announcements"
    qa_channel: str | None = None
    messages: int = 0
    threads: dict[str, str] = field(default_factory=dict)
    #: Where and when each printed message appeared, by its number, for links to it.
    printed: dict[int, str] = field(default_factory=dict)

    def _print(self, channel: str, post: Post) -> int:
        now = self.clock()
        venue = self.schedule.event.timezone
        local = now.astimezone(venue)
        stamp = local.strftime("%a %H:%M:%S")
        if not is_unambiguous(local.replace(tzinfo=None), venue):
            stamp += f" {local.tzname()}"  # the night the clocks go back, this hour comes twice
        # The console shows markdown as typed, so the escapes that keep Discord from formatting user text go.
        body = _ESCAPED.sub(r"\1", show_markup(post_as_text(post), self.schedule, now))
        self.out.write(f"── {stamp} {zone_label(venue)} · {channel} ──\n{body}\n\n")
        self.out.flush()
        self.messages += 1
        self.printed[self.messages] = f"the post in {channel} at {local:%a %H:%M}"
        return self.messages

    async def announce(self, posts: list[Post], channel: str | None, session: Session | None = None) -> int | None:
        ids = [self._print(f"#{channel or self.announce_channel}", post) for post in posts]
        return ids[0] if ids else None

    async def direct(self, user_id: str, posts: list[Post]) -> int | None:
        ids = [self._print(f"DM to {user_id}", post) for post in posts]
        return ids[0] if ids else None

    async def notify(self, user_id: str, text: str, channel: str | None) -> int | None:
        return self._print(f"#{channel or self.announce_channel}", Post(content=f"@{user_id} {text}"))

    async def open_qa(self, session: Session, channel: str | None = None) -> None:
        if self.qa_channel is None and session.id not in self.threads:
            self.threads[session.id] = f"#{channel or self.announce_channel} › Q&A: {session.title}"
            self._print(
                self.threads[session.id],
                Post(content=f"🧵 Q&A thread for **{session.title}** is open: ask with /ask, vote with ▲."),
            )

    async def on_stage(self, session: Session, question: Question, channel: str | None = None) -> int | None:
        where = self.threads.get(session.id) or f"#{self.qa_channel or channel or self.announce_channel}"
        return self._print(where, Post(content=on_stage_text(session, question)))

    async def to_organizers(self, text: str) -> None:
        self._print("to the organizers", Post(content=text))

    async def qa_note(self, session: Session, posts: list[Post], channel: str | None = None) -> int | None:
        where = self.threads.get(session.id) or f"#{self.qa_channel or channel or self.announce_channel}"
        ids = [self._print(where, post) for post in posts]
        return ids[0] if ids else None

    def mention(self, channel: str | None) -> str:
        return f"#{channel or self.announce_channel}"

    def link(self, message_id: int, channel: str | None) -> str | None:
        # On the console a reader finds a message by where and when it was printed.
        return self.printed.get(message_id)


#: Who runs a rehearsal's dashboard: the one person at the console, as an organizer.
REHEARSAL_ORGANIZER = Member("rehearsal", "Rehearsal organizer", Role.ORGANIZER)


class RehearsalRoster:
    """The roles in a rehearsal: the organizer at the console, and nobody else."""

    async def member(self, member_id: str) -> Member | None:
        return REHEARSAL_ORGANIZER if member_id == REHEARSAL_ORGANIZER.id else None


@dataclass(frozen=True, slots=True)
class RehearsalSummary:
    messages: int
    announcements: int
    skipped: int
    max_lateness: dt.timedelta


def window(
    schedule: Schedule,
    *,
    start: dt.datetime | None,
    until: dt.datetime | None,
    qa_close_after: dt.timedelta,
    catch_up: bool,
    routed: Callable[[Session], bool] | None = None,
) -> tuple[dt.datetime, dt.datetime, list[Planned]]:
    """Where the rehearsal begins and ends, and the posts it plays: those due in between, and with ``catch_up``
    also those due before ``start`` (which a bot started then finds in its outbox: late or stale). ``routed``:
    which sessions are announced in a room channel of their own (the digests of shared starts are played too)."""
    posts = planned_posts(schedule, qa_close_after=qa_close_after)
    if routed is not None:
        posts = sorted(posts + planned_digests(slots(schedule, routed)), key=lambda p: (p.due_at, p.id))
    begin = start or (posts[0].due_at - LEAD_IN if posts else schedule.sessions[0].start)
    end = until or (posts[-1].due_at if posts else begin)
    return begin, end, [p for p in posts if (catch_up or begin <= p.due_at) and p.due_at <= end]


def header(schedule: Schedule, begin: dt.datetime, end: dt.datetime, posts: int, speed: float) -> str:
    """The first line of a rehearsal: what it plays, from when to when at the venue (with the year when the two
    are in different years), and how fast."""
    zone = schedule.event.timezone
    first, last = begin.astimezone(zone), end.astimezone(zone)
    stamp = "%a %d %b %H:%M" if first.year == last.year else "%a %d %b %Y %H:%M"
    return (
        f"Rehearsal of {schedule.event.name}: {counted(posts, 'announcement', 'announcements')} from "
        f"{first:{stamp}} to {last:{stamp}} {zone.key}, {speed:g}× real time\n\n"
    )


async def play(
    chair: Chair, posts: list[Planned], clock: SteppedClock, publisher: ConsolePublisher
) -> RehearsalSummary:
    """Plan ``posts`` in the chair's outbox, then step from one post's time to the next and make the posts due
    there through the real announcer; the summary line is printed at the end.

    The pending items are read again at every step, so an item added while the day plays (an organizer's
    announcement, a reminder) takes its turn like the planned ones."""
    outbox, announcer = chair.outbox, chair.announcer
    if outbox is None or announcer is None:
        raise RuntimeError("open the chair first")
    await outbox.plan(posts)
    try:
        while pending := await outbox.pending():
            await clock.advance_to(min(item.due_at for item in pending))
            await announcer.post_due(clock())
    finally:
        items = await outbox.items()
    sent = [i for i in items if i.status is Status.SENT]
    lateness = [i.posted_at - i.due_at for i in sent if i.posted_at is not None]
    summary = RehearsalSummary(
        messages=publisher.messages,
        announcements=len(sent),
        skipped=sum(1 for i in items if i.status is Status.SKIPPED),
        max_lateness=max(lateness, default=dt.timedelta()),
    )
    publisher.out.write(
        f"Rehearsal done: {counted(summary.announcements, 'announcement', 'announcements')}, "
        f"{counted(summary.messages, 'message', 'messages')}, "
        f"{summary.skipped} skipped; at most {summary.max_lateness.total_seconds():.1f} simulated seconds late.\n"
    )
    return summary
