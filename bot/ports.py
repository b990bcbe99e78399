"""The ports of the application core: what it needs from the outside world, as protocols that adapters implement.

- :class:`Publisher`: put messages where people read them (Discord channels and threads, direct messages; the
  console in a rehearsal).
- :class:`EventsTab`: the server's list of scheduled events (Discord's Events tab).
- :class:`ScheduleFetcher`: download a schedule from a URL, with a conditional request.
- :class:`Roster`: who holds which role now (Discord's member list; a fixed list in a rehearsal).

The core (``bot.chair``, ``bot.announce``, ``bot.qa``, ``bot.schedule``) calls these and nothing else outside the
process; ``bot.app`` plugs in the implementations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.schedule.fetch import Download, ScheduleFetcher, TooLarge, Unreachable

if TYPE_CHECKING:
    from bot.messages import Post
    from bot.qa.model import Question
    from bot.schedule.model import Session
    from bot.signin import Member

__all__ = [
    "DirectClosed",
    "DirectRefused",
    "DirectTooFast",
    "Download",
    "EventGone",
    "EventSpec",
    "EventsTab",
    "EventsTabClosed",
    "EventsTabError",
    "Publisher",
    "Roster",
    "ScheduleFetcher",
    "TooLarge",
    "Unreachable",
]


class DirectRefused(Exception):
    """Discord would not deliver a direct message."""


class DirectClosed(DirectRefused):
    """The member does not accept direct messages from this server (Discord error 50007)."""


class DirectTooFast(DirectRefused):
    """Discord says the bot opens direct messages too fast (error 40003); try again after ``retry_after``."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("opening direct messages too fast")
        self.retry_after = retry_after


class Roster(Protocol):
    async def member(self, member_id: str) -> Member | None:
        """The member with ``member_id`` and the highest role they hold now (organizer over moderator); None
        when they are not on the server or hold neither role."""


class Publisher(Protocol):
    async def announce(self, posts: list[Post], channel: str | None, session: Session | None = None) -> int | None:
        """Post ``posts`` in ``channel`` (None: the announcement channel); the first message's id, or None.
        ``session``: the session announced as coming up, for a "Remind me" button."""

    async def direct(self, user_id: str, posts: list[Post]) -> int | None:
        """Send ``posts`` to one member privately (a personal reminder); the first message's id, None when it
        failed. Raises :class:`DirectClosed` when the member accepts no direct messages, :class:`DirectTooFast`
        when Discord says the bot opens them too fast."""

    async def notify(self, user_id: str, text: str, channel: str | None) -> int | None:
        """Post ``text`` in ``channel`` (None: the announcement channel) addressed to one member, who alone is
        pinged."""

    async def open_qa(self, session: Session, channel: str | None = None) -> None:
        """Prepare the place where the session's questions go on stage (a thread in ``channel``, the session's
        room's channel, None: the announcement channel; or nothing)."""

    async def qa_note(self, session: Session, posts: list[Post], channel: str | None = None) -> int | None:
        """Post ``posts`` where the session's Q&A happens (``channel``: the session's room's channel)."""

    async def on_stage(self, session: Session, question: Question, channel: str | None = None) -> int | None:
        """Show ``question`` as the one on stage where the session's Q&A happens; the message id, or None."""

    def mention(self, channel: str | None) -> str:
        """How a post names ``channel`` (None: the announcement channel) so readers can go there."""

    async def to_organizers(self, text: str) -> None:
        """Tell the organizers ``text`` where they read it (nowhere, when no place is set)."""

    def link(self, message_id: int, channel: str | None) -> str | None:
        """How a reader gets to a message posted by :meth:`announce` in ``channel`` (None: the announcement
        channel): a web address where there is one, else a readable place; None when it cannot be reached."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What one scheduled event shows: Discord's limits are applied by whoever builds it."""

    name: str
    description: str
    location: str
    start: dt.datetime
    end: dt.datetime


class EventGone(Exception):
    """The scheduled event no longer exists (deleted by hand)."""


class EventsTabError(Exception):
    """The Events tab refused a change; the message says what it answered."""


class EventsTabClosed(EventsTabError):
    """The Events tab takes no new event now, whichever it is: the server holds as many as Discord allows (30038),
    or the bot may not make events there. Creating the next one in the same sync would be refused too."""


class EventsTab(Protocol):
    def available(self) -> bool:
        """Whether the Events tab can be reached now (the server is known)."""

    async def create(self, spec: EventSpec) -> int:
        """Create an event; its id. :class:`EventsTabClosed` when no event can be created now,
        :class:`EventsTabError` when this one was refused."""

    async def edit(self, event_id: int, spec: EventSpec, *, started: bool) -> None:
        """Change an event; a ``started`` one keeps its start and status. :class:`EventGone` when it no longer
        exists or is over already, :class:`EventsTabError`."""

    async def cancel(self, event_id: int) -> None:
        """Take an event back: cancelled before it begins, ended once under way. :class:`EventGone` when it no
        longer exists or is over already, :class:`EventsTabError`."""
