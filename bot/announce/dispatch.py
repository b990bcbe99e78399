"""What happens when an outbox item comes due: the session rules, shared by Discord and the console rehearsal.

- "starting in N minutes": the session's announcement;
- "now live": Q&A opens for sessions that have it, then the announcement, then the session's Q&A thread where the
  publisher makes one (so readers see "now live" before "the Q&A thread is open", and a question asked as soon as
  "now live" appears is taken);
- "Q&A closed": Q&A closes, and a note lists the top unanswered questions for the speaker;
- an organizer's note: its text.

A poster session's list goes out with the first of its announcements that is posted; a later one finds that post
in the outbox (by the plan's ids) and links to it.

The :class:`~bot.ports.Publisher` (Discord, or the console) only puts messages somewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.announce.digest import DIGEST, digest_posts, slot_at
from bot.announce.direct import ClosedDirectMessages
from bot.announce.messages import qa_closed_posts, session_posts
from bot.announce.notes import NOTE_KIND
from bot.announce.outbox import Item, Outbox, Status
from bot.announce.reminders import REMINDER_KIND, reminder_posts
from bot.announce.sessions import QA_CLOSE, SESSION_KIND, minutes_before
from bot.clock import Clock
from bot.messages import Post, escape_text
from bot.ports import DirectClosed, Publisher
from bot.qa.service import QAService
from bot.schedule.model import Kind, Schedule, Session
from bot.schedule.plan import announcement_id, offsets_for

log = logging.getLogger(__name__)

#: Moderator id written to the Q&A log for what the announcer does by itself.
ANNOUNCER = "chairbot"
#: How many unanswered questions the closing note hands to the speaker.
UNANSWERED_FOR_SPEAKER = 10


class Dispatcher:
    """The announcer's poster: turns a due outbox item into messages through a :class:`Publisher`.

    ``outbox`` is where the announcer records what it posted; without it a poster session's list goes out with
    every announcement of the session."""

    def __init__(
        self,
        schedule: Callable[[], Schedule],
        qa: QAService | None,
        publisher: Publisher,
        *,
        clock: Clock,
        outbox: Outbox | None = None,
        route: Callable[[Session], str | None] = lambda session: None,
        closed: ClosedDirectMessages | None = None,
    ) -> None:
        self._closed = closed
        self._schedule = schedule
        self._route = route
        self.qa = qa
        self.publisher = publisher
        self.clock = clock
        self.outbox = outbox

    async def __call__(self, item: Item, late: bool) -> int | None:
        if item.kind == REMINDER_KIND:
            return await self._remind(item)
        if item.kind == DIGEST:
            return await self._digest(item)
        if item.kind == NOTE_KIND:
            return await self.publisher.announce([Post(content=item.text or "")], item.channel)
        if item.kind != SESSION_KIND:
            log.warning("announcement %s: unknown kind %r, not posted", item.id, item.kind)
            return None
        schedule = self._schedule()
        session = schedule.find(item.session_id or "")
        if session is None:
            log.info("announcement %s: session %s is no longer in the schedule", item.id, item.session_id)
            return None
        action = item.action or ""
        channel = item.channel or self._route(session)
        if action == QA_CLOSE:
            return await self._close_qa(schedule, session, channel)
        minutes = minutes_before(action)
        opens_qa = minutes == 0 and session.qa
        if opens_qa and self.qa is not None:
            await self.qa.open_session(session.id, ANNOUNCER)
        late_by = self.clock() - item.due_at if late else None
        posters_at = await self._posters_at(schedule, session, minutes, channel)
        posts = session_posts(schedule, session, minutes_before=minutes, late_by=late_by, posters_at=posters_at)
        message_id = await self.publisher.announce(posts, channel, session if minutes > 0 else None)
        if opens_qa:
            await self.publisher.open_qa(session, channel)
        return message_id

    async def _digest(self, item: Item) -> int | None:
        """The announcement channel's one post for sessions announced together in their rooms' channels."""
        schedule = self._schedule()
        slot = slot_at(schedule, lambda s: self._route(s) is not None, item.due_at, item.action or "")
        if slot is None:
            log.info("digest %s: the sessions no longer start together", item.id)
            return None
        return await self.publisher.announce(digest_posts(slot, lambda s: self.publisher.mention(self._route(s))), None)

    async def _posters_at(
        self, schedule: Schedule, session: Session, minutes: int, channel: str | None
    ) -> str | None:
        """Where the poster list of ``session`` went out already: the first of its announcements before this one
        (``minutes`` before the start) that was posted, as a link; None when none was (skipped, or the bot was
        down), and this announcement lists the posters itself."""
        if self.outbox is None or session.kind is not Kind.POSTER or not session.posters:
            return None
        for earlier in offsets_for(schedule, session):  # largest first: the first one posted carries the list
            if earlier <= minutes:
                break
            item = await self.outbox.get(announcement_id(session.id, earlier))
            if item is not None and item.status is Status.SENT and item.message_id is not None:
                return self.publisher.link(item.message_id, item.channel or channel)
        return None

    async def _remind(self, item: Item) -> int | None:
        schedule = self._schedule()
        session = schedule.find(item.session_id or "")
        if session is None or item.created_by is None:
            return None
        try:
            return await self.publisher.direct(item.created_by, reminder_posts(schedule, session))
        except DirectClosed:
            if self._closed is None or await self._closed.first_time(item.created_by):
                text = (
                    f"I could not send you the reminder for **{escape_text(session.title, one_line=True)}**: your "
                    "direct messages are closed. To get reminders, allow direct messages from this server's "
                    "members (Privacy Settings) and set the reminder again."
                )
                await self.publisher.notify(item.created_by, text, self._route(session))
            raise

    async def _close_qa(self, schedule: Schedule, session: Session, channel: str | None) -> int | None:
        unanswered = []
        if self.qa is not None:
            await self.qa.close_session(session.id, ANNOUNCER)
            unanswered = [
                ranked.question
                for ranked in await self.qa.queue(session.id, UNANSWERED_FOR_SPEAKER)
                if ranked.rank is not None
            ]
        return await self.publisher.qa_note(session, qa_closed_posts(schedule, session, unanswered), channel)
