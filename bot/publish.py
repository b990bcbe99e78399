"""Posting announcements on Discord: the :class:`~bot.announce.dispatch.Publisher` of the real bot.

Turns plain ``Post``/``EmbedSpec`` values into messages with ``discord.Embed``, opens a public thread per talk
for its Q&A when no Q&A channel is configured, and remembers the thread so a restart finds it again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

import discord

from bot.announce.messages import Post
from bot.cogs.reminders import RemindButton
from bot.messages import EmbedSpec, shorten
from bot.schedule.model import Session

if TYPE_CHECKING:
    from bot.chair import ChairBot

log = logging.getLogger(__name__)

#: Discord archives an idle thread after this many minutes (one day keeps a talk's Q&A open for late questions).
THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(title=spec.title or None, description=spec.description or None, url=spec.url)
    for name, value in spec.fields:
        embed.add_field(name=name, value=value, inline=False)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


class DiscordPublisher:
    def __init__(self, bot: ChairBot) -> None:
        self.bot = bot
        #: Session id -> the thread (or channel) id where its Q&A happens.
        self.places: dict[str, int] = {}

    async def load(self) -> None:
        if self.bot.outbox is not None:
            self.places = await self.bot.outbox.places()

    def _target(self, channel: str | None) -> discord.abc.Messageable:
        found = self.bot.find_channel(channel) if channel else None
        if isinstance(found, discord.TextChannel | discord.Thread):
            return found
        return self.bot.announce_channel()

    async def _send(
        self, target: discord.abc.Messageable, posts: list[Post], view: discord.ui.View | None = None
    ) -> int | None:
        first: int | None = None
        for number, post in enumerate(posts, 1):
            extra: dict[str, Any] = {"view": view} if view is not None and number == len(posts) else {}
            message = await self.bot.post(target, post.content, embeds=[to_embed(e) for e in post.embeds], **extra)
            if message is None:
                return first  # the rest would read out of order; the failure is logged
            first = first or message.id
        return first

    async def announce(self, posts: list[Post], channel: str | None, session: Session | None = None) -> int | None:
        view = None
        if session is not None:
            view = discord.ui.View(timeout=None)
            view.add_item(RemindButton.for_session(session))
        return await self._send(self._target(channel), posts, view)

    async def direct(self, user_id: str, posts: list[Post]) -> int | None:
        try:
            user = self.bot.get_user(int(user_id)) or await self.bot.fetch_user(int(user_id))
            first: int | None = None
            for post in posts:
                message = await user.send(
                    post.content,
                    embeds=[to_embed(e) for e in post.embeds],
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                first = first or message.id
            return first
        except discord.HTTPException as exc:  # e.g. the member does not accept direct messages
            log.info("could not send a reminder to %s: %s", user_id, exc)
            return None

    async def open_qa(self, session: Session) -> None:
        if self.bot.settings.qa_channel or session.id in self.places:
            return
        channel = self.bot.announce_channel()
        try:
            thread = await channel.create_thread(
                name=shorten(f"Q&A: {session.title}", 100),
                type=discord.ChannelType.public_thread,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            log.error("could not open a Q&A thread for %s: %s", session.id, exc)
            return
        self.places[session.id] = thread.id
        if self.bot.outbox is not None:
            await self.bot.outbox.set_place(session.id, thread.id)

    def qa_place(self, session: Session) -> discord.abc.Messageable | None:
        place = self.places.get(session.id)
        found = self.bot.get_channel(place) if place is not None else None
        return found if isinstance(found, discord.Thread | discord.TextChannel) else None

    async def qa_note(self, session: Session, posts: list[Post]) -> int | None:
        return await self._send(self.bot.qa_channel(session), posts)

    def link(self, message_id: int, channel: str | None) -> str | None:
        """The jump link (``https://discord.com/channels/<guild>/<channel>/<message>``) to a message posted in
        ``channel`` by :meth:`announce`; None when that channel cannot be found any more."""
        try:
            target = self._target(channel)
        except LookupError:
            return None
        if isinstance(target, discord.TextChannel | discord.Thread):
            return target.get_partial_message(message_id).jump_url
        return None
