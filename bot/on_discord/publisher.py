"""Posting on Discord: the :class:`~bot.ports.Publisher` of the real bot.

Turns plain ``Post``/``EmbedSpec`` values into messages with ``discord.Embed`` (never pinging anyone), opens a
public thread per talk for its Q&A when no Q&A channel is configured, and remembers each thread in the
``announce_places`` table (which this module owns) so a restart finds it again.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from sqlite_utils import Database, Migrations

from bot.config import Settings
from bot.db import SqliteFile
from bot.messages import EmbedSpec, Post, shorten, split_message
from bot.on_discord.access import find_channel
from bot.on_discord.reminders import RemindButton
from bot.ports import DirectClosed, DirectTooFast
from bot.qa.model import Question
from bot.render import on_stage_text
from bot.schedule.model import Session

log = logging.getLogger(__name__)

#: Discord archives an idle thread after this many minutes (one day keeps a talk's Q&A open for late questions).
THREAD_ARCHIVE_MINUTES: Literal[60, 1440, 4320, 10080] = 1440

MIGRATIONS = Migrations("chairbot.discord")


@MIGRATIONS()
def _m001_places(db: Database) -> None:
    # IF NOT EXISTS: files written before this module owned the table already have it.
    db.execute("CREATE TABLE IF NOT EXISTS announce_places (session_id TEXT PRIMARY KEY, channel_id INTEGER NOT NULL)")


#: Discord's error codes for a direct message that cannot be delivered, and for DMs opened too fast (anti-spam).
CANNOT_MESSAGE_USER = 50007
OPENING_DMS_TOO_FAST = 40003


def _retry_after(exc: discord.HTTPException) -> float | None:
    """How long Discord asks to wait, when its answer says."""
    response = getattr(exc, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(header) if header is not None else None
    except ValueError:
        return None


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(title=spec.title or None, description=spec.description or None, url=spec.url)
    for name, value in spec.fields:
        embed.add_field(name=name, value=value, inline=False)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


class DiscordPublisher:
    def __init__(self, client: discord.Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        #: Session id -> the thread (or channel) id where its Q&A happens.
        self.places: dict[str, int] = {}
        self._file: SqliteFile | None = None

    async def load(self, file: SqliteFile) -> None:
        """Find the Q&A threads opened before a restart."""
        await file.migrate(MIGRATIONS)
        self._file = file
        rows = await file.run(file.rows, "SELECT session_id, channel_id FROM announce_places")
        self.places = {session_id: int(channel_id) for session_id, channel_id in rows}

    # -- where things go --------------------------------------------------------------------------------

    def _guild(self) -> discord.Guild | None:
        return self.client.get_guild(self.settings.guild_id)

    def channel(self, wanted: str) -> discord.abc.GuildChannel | None:
        guild = self._guild()
        if guild is None:
            return None
        if wanted.isdigit() and (found := guild.get_channel_or_thread(int(wanted))) is not None:
            return found  # type: ignore[return-value]
        found_channel: discord.abc.GuildChannel | None = find_channel(guild.channels, wanted)
        return found_channel

    def announce_channel(self) -> discord.TextChannel:
        channel = self.channel(self.settings.announce_channel)
        if not isinstance(channel, discord.TextChannel):
            raise LookupError(f"announcement channel {self.settings.announce_channel!r} is not a text channel here")
        return channel

    def _target(self, channel: str | None) -> discord.abc.Messageable:
        found = self.channel(channel) if channel else None
        if isinstance(found, discord.TextChannel | discord.Thread):
            return found
        return self.announce_channel()

    def qa_place(self, session: Session, channel: str | None = None) -> discord.abc.Messageable:
        """Where a session's questions go on stage: the configured Q&A channel, else the session's Q&A thread,
        else its room's ``channel``, else the announcement channel."""
        if self.settings.qa_channel:
            configured = self.channel(self.settings.qa_channel)
            if isinstance(configured, discord.TextChannel | discord.Thread):
                return configured
        place = self.places.get(session.id)
        found = self.client.get_channel(place) if place is not None else None
        if isinstance(found, discord.Thread | discord.TextChannel):
            return found
        return self._target(channel)

    # -- posting ----------------------------------------------------------------------------------------

    async def post(self, channel: discord.abc.Messageable, content: str, **kwargs: Any) -> discord.Message | None:
        """Post without pinging anyone; Discord errors are logged and give ``None`` (discord.py has already
        waited out rate limits and retried server errors)."""
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        try:
            return await channel.send(content, **kwargs)
        except discord.HTTPException as exc:
            log.error("could not post in %s: %s", getattr(channel, "id", channel), exc)
            return None

    async def _send(
        self, target: discord.abc.Messageable, posts: list[Post], view: discord.ui.View | None = None
    ) -> int | None:
        first: int | None = None
        for number, post in enumerate(posts, 1):
            extra: dict[str, Any] = {"view": view} if view is not None and number == len(posts) else {}
            message = await self.post(target, post.content, embeds=[to_embed(e) for e in post.embeds], **extra)
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
            user = self.client.get_user(int(user_id)) or await self.client.fetch_user(int(user_id))
            first: int | None = None
            for post in posts:
                message = await user.send(
                    post.content,
                    embeds=[to_embed(e) for e in post.embeds],
                    allowed_mentions=discord.AllowedMentions.none(),
                )
                first = first or message.id
            return first
        except discord.HTTPException as exc:
            if exc.code == CANNOT_MESSAGE_USER:
                raise DirectClosed(str(exc)) from None
            if exc.code == OPENING_DMS_TOO_FAST:
                raise DirectTooFast(_retry_after(exc)) from None
            log.info("could not send a reminder to %s: %s", user_id, exc)
            return None

    async def notify(self, user_id: str, text: str, channel: str | None) -> int | None:
        mention = discord.AllowedMentions(users=[discord.Object(int(user_id))]) if user_id.isdigit() else None
        message = await self.post(self._target(channel), f"<@{user_id}> {text}", allowed_mentions=mention)
        return message.id if message is not None else None

    async def open_qa(self, session: Session, channel: str | None = None) -> None:
        if self.settings.qa_channel or session.id in self.places:
            return
        target = self._target(channel)
        if not isinstance(target, discord.TextChannel):  # a thread cannot hold threads: the announcement channel
            target = self.announce_channel()
        try:
            thread = await target.create_thread(
                name=shorten(f"Q&A: {session.title}", 100),
                type=discord.ChannelType.public_thread,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
        except discord.HTTPException as exc:
            log.error("could not open a Q&A thread for %s: %s", session.id, exc)
            return
        self.places[session.id] = thread.id
        if self._file is not None:
            await self._file.run(
                self._file.write,
                "INSERT INTO announce_places (session_id, channel_id) VALUES (?, ?) "
                "ON CONFLICT (session_id) DO UPDATE SET channel_id = excluded.channel_id",
                (session.id, thread.id),
            )

    async def qa_note(self, session: Session, posts: list[Post], channel: str | None = None) -> int | None:
        return await self._send(self.qa_place(session, channel), posts)

    async def on_stage(self, session: Session, question: Question, channel: str | None = None) -> int | None:
        message = await self.post(self.qa_place(session, channel), on_stage_text(session, question))
        return message.id if message is not None else None

    def mention(self, channel: str | None) -> str:
        """``<#id>``, which Discord shows as a link to the channel; ``#name`` when it cannot be found."""
        try:
            target = self._target(channel)
        except LookupError:
            return f"#{channel or self.settings.announce_channel}"
        if isinstance(target, discord.TextChannel | discord.Thread):
            return target.mention
        return f"#{channel or self.settings.announce_channel}"

    async def to_organizers(self, text: str) -> None:
        if not self.settings.organizer_channel:
            return
        channel = self.channel(self.settings.organizer_channel)
        if isinstance(channel, discord.TextChannel | discord.Thread):
            for piece in split_message(text):
                await self.post(channel, piece)

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
