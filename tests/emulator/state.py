"""The emulated Discord server's state and its rules: what a request may do, and which gateway events it causes.

``World`` owns every guild, user, channel, message, scheduled event and application command. It knows nothing of
HTTP or websockets: the REST adapter turns requests into calls here, and ``World.emit`` hands the resulting events
(``MESSAGE_CREATE``, ``THREAD_CREATE``, ...) to whoever listens (the gateway). Rule violations raise ``ApiError`` with
the status and code Discord would answer with.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from . import errors
from .model import (
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    JSON,
    MESSAGEABLE_TYPES,
    Channel,
    ChannelType,
    Guild,
    Intent,
    Member,
    Message,
    Overwrite,
    Permission,
    Role,
    ScheduledEvent,
    User,
)
from .snowflake import SnowflakeFactory, iso_now, snowflake_time
from .validation import OPTION_LENGTH_MAX, check_message_body


@dataclasses.dataclass(slots=True)
class Event:
    """A gateway dispatch waiting to be delivered to the sessions whose intents include ``intent``."""

    name: str
    data: JSON
    #: ``None`` for events every session receives (interactions, guild lifecycle sent on connect).
    intent: int | None
    #: True for messages by others that Discord strips of content for sessions without the Message Content intent.
    content_gated: bool = False


@dataclasses.dataclass(slots=True)
class Upload:
    """One file part of a multipart request (``files[n]``)."""

    field: str
    filename: str
    content_type: str
    data: bytes


class MessageType:
    DEFAULT = 0
    CHANNEL_PINNED_MESSAGE = 6
    REPLY = 19
    CHAT_INPUT_COMMAND = 20
    THREAD_STARTER = 21


MESSAGE_FLAG_HAS_THREAD = 1 << 5
MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")
_THREAD_ARCHIVE_DURATIONS = frozenset({60, 1440, 4320, 10080})
_EVENT_STATUS_TRANSITIONS = {1: {1, 2, 4}, 2: {2, 3}, 3: {3}, 4: {4}}
_EVENT_ENTITY_CHANNEL_TYPE = {1: ChannelType.STAGE, 2: ChannelType.VOICE}
# Discord refuses to schedule into the past, but lets a client's clock run a little behind.
_PAST_EVENT_TOLERANCE = dt.timedelta(seconds=30)
#: Scheduled event statuses, and Discord's cap on the uncompleted (scheduled or active) ones per server.
EVENT_SCHEDULED, EVENT_ACTIVE, EVENT_COMPLETED, EVENT_CANCELED = 1, 2, 3, 4
SCHEDULED_EVENTS_MAX = 100
_EXTERNAL = 3


class World:
    """Everything the emulated Discord knows, for one bot application.

    Request bodies handed in become the world's own (kept as ``sent``/``edits`` and shared with the stored object):
    callers pass freshly parsed JSON and must not change it afterwards. Copying every body cost more than anything
    else when a benchmark pushed thousands of interactions through.
    """

    def __init__(
        self, ids: SnowflakeFactory, *, bot_name: str = "chairbot", clock: Callable[[], dt.datetime] | None = None
    ) -> None:
        self.ids = ids
        #: Discord's time for scheduled events (past starts refused, external events begun and ended): the real
        #: time, or the test's clock when the bot runs on one.
        self.clock: Callable[[], dt.datetime] = clock or (lambda: dt.datetime.now(dt.UTC))
        #: How many uncompleted scheduled events one server may hold.
        self.scheduled_events_max = SCHEDULED_EVENTS_MAX
        self.bot = User(ids.next(), bot_name, bot=True)
        #: Applications made since 2020 share their id with their bot user.
        self.application_id = self.bot.id
        self.owner = User(ids.next(), "organizer", "Organizer")
        self.users: dict[int, User] = {self.bot.id: self.bot, self.owner.id: self.owner}
        self.guilds: dict[int, Guild] = {}
        self.messages: dict[int, Message] = {}
        self.commands: dict[int | None, dict[int, JSON]] = {}
        #: Where attachment URLs point (set by the server once it knows its port).
        self.cdn_base = "http://127.0.0.1"
        self.emit: Callable[[Event], None] = lambda event: None
        self._channels: dict[int, Channel] = {}
        self._channel_messages: dict[int, list[Message]] = defaultdict(list)
        self._dm_by_user: dict[int, int] = {}

    # ----------------------------------------------------------------- building the world (test side)

    def add_guild(self, name: str) -> Guild:
        guild_id = self.ids.next()
        bot_role_id = self.ids.next()
        guild = Guild(guild_id, name, owner_id=self.owner.id, bot_role_id=bot_role_id, created_at=iso_now())
        guild.roles[guild_id] = Role(guild_id, guild_id, "@everyone", DEFAULT_EVERYONE_PERMISSIONS, position=0)
        guild.roles[bot_role_id] = Role(
            bot_role_id, guild_id, self.bot.username, DEFAULT_BOT_PERMISSIONS, position=1, bot_id=self.bot.id
        )
        self.guilds[guild_id] = guild
        self._join(guild, self.owner, roles=[])
        self._join(guild, self.bot, roles=[bot_role_id])
        self.emit(Event("GUILD_CREATE", self.guild_create_payload(guild, members=True), Intent.GUILDS))
        return guild

    def add_role(
        self,
        guild: Guild,
        name: str,
        permissions: int = 0,
        *,
        mentionable: bool = False,
        hoist: bool = False,
        color: int = 0,
    ) -> Role:
        # New roles go just below the bot's role, as when an admin creates one: the bot can still manage them.
        position = guild.bot_role.position
        for role in guild.roles.values():
            if role.position >= position and role.id != guild.id:
                role.position += 1
        role = Role(self.ids.next(), guild.id, name, permissions, position, color, hoist, mentionable)
        guild.roles[role.id] = role
        self.emit(Event("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, Intent.GUILDS))
        return role

    def update_role(self, role: Role, **changes: Any) -> Role:
        for key, value in changes.items():
            setattr(role, key, value)
        self.emit(Event("GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role.payload()}, Intent.GUILDS))
        return role

    def add_channel(
        self,
        guild: Guild,
        name: str,
        kind: ChannelType,
        *,
        parent: Channel | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
    ) -> Channel:
        position = sum(1 for c in guild.channels.values() if not c.is_thread and c.type == kind)
        channel = Channel(
            self.ids.next(),
            kind,
            name,
            guild.id,
            position=position,
            parent_id=parent.id if parent else None,
            topic=topic,
            overwrites=list(overwrites),
        )
        self._register_channel(guild, channel)
        self.emit(Event("CHANNEL_CREATE", channel.payload(), Intent.GUILDS))
        return channel

    def update_channel(self, channel: Channel) -> None:
        self.emit(Event("CHANNEL_UPDATE", channel.payload(), Intent.GUILDS))

    def add_member(
        self,
        guild: Guild,
        username: str,
        *,
        global_name: str | None = None,
        nick: str | None = None,
        roles: Iterable[Role] = (),
        bot: bool = False,
        accepts_dms: bool = True,
        announce: bool = True,
    ) -> Member:
        user = User(self.ids.next(), username, global_name, bot=bot, accepts_dms=accepts_dms)
        self.users[user.id] = user
        member = self._join(guild, user, roles=[r.id for r in roles], nick=nick)
        if announce:
            self.emit(Event("GUILD_MEMBER_ADD", {**member.payload(), "guild_id": str(guild.id)}, Intent.GUILD_MEMBERS))
        return member

    def set_member_roles(self, member: Member, roles: Iterable[Role]) -> None:
        member.role_ids = [r.id for r in roles]
        self._member_updated(member)

    def _join(self, guild: Guild, user: User, *, roles: list[int], nick: str | None = None) -> Member:
        member = Member(user, guild.id, roles, joined_at=iso_now(), nick=nick)
        guild.members[user.id] = member
        return member

    def _member_updated(self, member: Member) -> None:
        data = {**member.payload(), "guild_id": str(member.guild_id)}
        self.emit(Event("GUILD_MEMBER_UPDATE", data, Intent.GUILD_MEMBERS))

    def _register_channel(self, guild: Guild | None, channel: Channel) -> None:
        self._channels[channel.id] = channel
        if guild is not None:
            guild.channels[channel.id] = channel

    # ----------------------------------------------------------------- lookups

    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise errors.unknown_guild() from None

    def channel(self, channel_id: int) -> Channel:
        try:
            return self._channels[channel_id]
        except KeyError:
            raise errors.unknown_channel() from None

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds[channel.guild_id]

    def user(self, user_id: int) -> User:
        try:
            return self.users[user_id]
        except KeyError:
            raise errors.unknown_user() from None

    def member(self, guild: Guild, user_id: int) -> Member:
        try:
            return guild.members[user_id]
        except KeyError:
            raise errors.unknown_member() from None

    def bot_member(self, guild: Guild) -> Member:
        return guild.members[self.bot.id]

    def bot_permissions(self, channel: Channel) -> int:
        guild = self.guild_of(channel)
        if guild is None:
            return int(Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | Permission.READ_MESSAGE_HISTORY)
        return guild.permissions_in(self.bot_member(guild), channel)

    def messages_in(self, channel_id: int) -> list[Message]:
        """Every message ever stored for the channel, oldest first (including deleted and ephemeral ones)."""
        return list(self._channel_messages.get(channel_id, []))

    def message_in(self, channel_id: int, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.channel_id != channel_id or message.deleted or message.ephemeral:
            raise errors.unknown_message()
        return message

    def dm_channel_with(self, user_id: int) -> Channel | None:
        channel_id = self._dm_by_user.get(user_id)
        return None if channel_id is None else self._channels[channel_id]

    # ----------------------------------------------------------------- gateway payloads

    def ready_payload(self, session_id: str, resume_gateway_url: str, shard: list[int] | None) -> JSON:
        data: JSON = {
            "v": 10,
            "user": {**self.bot.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds.values()],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["chairbot-emulator"],
        }
        if shard is not None:
            data["shard"] = shard
        return data

    def guild_create_payload(self, guild: Guild, *, members: bool, large_threshold: int = 250) -> JSON:
        """The full guild object sent on connect; members only when the session may see them and it is small."""
        large = len(guild.members) > large_threshold
        if members and not large:
            member_payloads = [m.payload() for m in guild.members.values()]
        else:
            # Without the members intent (or in a large guild) Discord sends only the bot's own member.
            member_payloads = [self.bot_member(guild).payload()]
        data = self.guild_payload(guild)
        data.update(
            joined_at=self.bot_member(guild).joined_at,
            large=large,
            unavailable=False,
            member_count=len(guild.members),
            members=member_payloads,
            channels=[c.payload() for c in guild.channels.values() if not c.is_thread],
            threads=[c.payload() for c in guild.threads if not c.archived],
            voice_states=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[e.data for e in self.scheduled_events_of(guild)],
            soundboard_sounds=[],
        )
        return data

    def guild_payload(self, guild: Guild) -> JSON:
        """The REST guild object (``GET /guilds/{id}``): no channels or members, as Discord sends it."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 1,
            "default_message_notifications": 1,
            "explicit_content_filter": 2,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "premium_progress_bar_enabled": False,
            "preferred_locale": "en-US",
            "features": ["COMMUNITY"],
            "roles": [r.payload() for r in guild.roles.values()],
            "emojis": [],
            "stickers": [],
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "max_members": 500000,
            "max_video_channel_users": 25,
            "application_id": None,
            "incidents_data": None,
        }

    # ----------------------------------------------------------------- messages

    def create_message(
        self, channel_id: int, body: JSON, uploads: list[Upload] | None = None, *, author: User | None = None
    ) -> Message:
        """Post a message as the bot (or ``author``), enforcing permissions and Discord's limits."""
        channel = self.channel(channel_id)
        author = author or self.bot
        uploads = uploads or []
        if channel.type not in MESSAGEABLE_TYPES:
            raise errors.ApiError(400, 50008, "Cannot send messages in a non-text channel")
        check_message_body(body, has_files=bool(uploads))
        guild = self.guild_of(channel)
        if guild is not None:
            member = guild.members.get(author.id)
            if member is None:
                raise errors.missing_access()
            perms = guild.permissions_in(member, channel)
            if not perms & Permission.VIEW_CHANNEL:
                raise errors.missing_access()
            needed = Permission.SEND_MESSAGES_IN_THREADS if channel.is_thread else Permission.SEND_MESSAGES
            if not perms & needed or (uploads and not perms & Permission.ATTACH_FILES):
                raise errors.missing_permissions()
            if channel.is_thread and channel.archived:
                if channel.locked and not perms & Permission.MANAGE_THREADS:
                    raise errors.ApiError(400, 50083, "Thread is archived")
                # Posting in an archived (unlocked) thread brings it back, as on Discord.
                channel.archived = False
                self.emit(Event("THREAD_UPDATE", channel.payload(), Intent.GUILDS))
        elif author.id == self.bot.id:
            recipient = channel.recipients[0]
            if recipient.bot or not recipient.accepts_dms:
                raise errors.cannot_dm_user()
        return self.store_message(channel, author, body, uploads)

    def store_message(
        self,
        channel: Channel,
        author: User,
        body: JSON,
        uploads: list[Upload],
        *,
        message_type: int = MessageType.DEFAULT,
        extra_flags: int = 0,
        interaction: JSON | None = None,
        webhook: bool = False,
    ) -> Message:
        """Store a message without permission checks (interaction responses need none) and announce it."""
        message_id = self.ids.next()
        guild = self.guild_of(channel)
        flags = int(body.get("flags") or 0) | extra_flags
        data: JSON = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": body.get("content") or "",
            "timestamp": snowflake_time(message_id).isoformat(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(channel.id, body, uploads, existing=[]),
            "embeds": [_normalise_embed(e) for e in body.get("embeds") or []],
            "components": body.get("components") or [],
            "pinned": False,
            "type": message_type,
            "flags": flags,
        }
        if guild is not None:
            data["guild_id"] = str(guild.id)
        if "nonce" in body:
            data["nonce"] = body["nonce"]
        if webhook:
            data["webhook_id"] = str(self.application_id)
            data["application_id"] = str(self.application_id)
        if interaction is not None:
            data["interaction_metadata"] = interaction
            data["interaction"] = {
                "id": interaction["id"],
                "type": interaction["type"],
                "name": interaction.get("name", ""),
                "user": interaction["user"],
            }
        replied_to = self._apply_reference(channel, body, data)
        if replied_to is not None and message_type == MessageType.DEFAULT:
            data["type"] = MessageType.REPLY
        # Only a reply pings the author it refers to; a pin notice does not.
        pinged_reply = replied_to if data["type"] == MessageType.REPLY else None
        self._apply_mentions(guild, channel, author, data, body.get("allowed_mentions"), pinged_reply)
        message = Message(
            message_id,
            channel.id,
            channel.guild_id,
            author,
            data,
            body,
            files={u.filename: u.data for u in uploads},
            ephemeral=bool(flags & MESSAGE_FLAG_EPHEMERAL),
            interaction_id=int(interaction["id"]) if interaction else None,
        )
        self.messages[message_id] = message
        self._channel_messages[channel.id].append(message)
        if not message.ephemeral:
            channel.last_message_id = message_id
            if channel.is_thread:
                channel.message_count += 1
            self._emit_message("MESSAGE_CREATE", message, guild)
        return message

    def edit_message(
        self, channel_id: int, message_id: int, body: JSON, uploads: list[Upload] | None = None
    ) -> Message:
        message = self.message_in(channel_id, message_id)
        if message.author.id != self.bot.id:
            raise errors.cannot_edit_others_message()
        return self.apply_edit(message, body, uploads or [])

    def apply_edit(self, message: Message, body: JSON, uploads: list[Upload], *, clear_flags: int = 0) -> Message:
        """Apply an edit body to a stored message (used by channel edits and interaction webhook edits alike)."""
        check_message_body(body, has_files=bool(uploads), is_edit=True)
        data = message.data
        if "content" in body:
            data["content"] = body["content"] or ""
        if "embeds" in body:
            data["embeds"] = [_normalise_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            data["components"] = body["components"] or []
        if "flags" in body and body["flags"] is not None:
            # Only SUPPRESS_EMBEDS may change on edit; ephemeral/loading state belongs to the message.
            keep = data["flags"] & ~4
            data["flags"] = keep | (int(body["flags"]) & 4)
        data["flags"] &= ~clear_flags
        if "attachments" in body or uploads:
            data["attachments"] = self._attachments(message.channel_id, body, uploads, existing=data["attachments"])
            message.files.update({u.filename: u.data for u in uploads})
        data["edited_timestamp"] = iso_now()
        message.edits.append(body)
        channel = self._channels[message.channel_id]
        guild = self.guild_of(channel)
        replied_to = None
        if data["type"] == MessageType.REPLY:
            replied_to = self.messages.get(int(data["message_reference"]["message_id"]))
        self._apply_mentions(guild, channel, message.author, data, message.allowed_mentions, replied_to)
        if not message.ephemeral:
            self._emit_message("MESSAGE_UPDATE", message, guild)
        return message

    def delete_message(self, channel_id: int, message_id: int, *, by: User | None = None) -> Message:
        message = self.message_in(channel_id, message_id)
        channel = self._channels[channel_id]
        guild = self.guild_of(channel)
        actor = by or self.bot
        may_manage = guild is not None and bool(
            guild.permissions_in(self.member(guild, actor.id), channel) & Permission.MANAGE_MESSAGES
        )
        if message.author.id != actor.id and not may_manage:
            raise errors.missing_permissions()
        self.mark_deleted(message)
        return message

    def mark_deleted(self, message: Message) -> None:
        message.deleted = True
        if message.ephemeral:
            return
        data: JSON = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        intent = Intent.GUILD_MESSAGES if message.guild_id is not None else Intent.DIRECT_MESSAGES
        self.emit(Event("MESSAGE_DELETE", data, intent))

    def bulk_delete(self, channel_id: int, message_ids: list[int]) -> None:
        channel = self.channel(channel_id)
        guild = self.guild_of(channel)
        if guild is None or not self.bot_permissions(channel) & Permission.MANAGE_MESSAGES:
            raise errors.missing_permissions()
        if not 2 <= len(message_ids) <= 100:
            form = errors.FormErrors()
            form.add(("messages",), "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")
            form.raise_if_any()
        for message_id in message_ids:
            self.mark_deleted(self.message_in(channel_id, message_id))

    def list_messages(
        self,
        channel_id: int,
        *,
        limit: int = 50,
        before: int | None = None,
        after: int | None = None,
        around: int | None = None,
    ) -> list[Message]:
        """Messages newest first, as ``GET /channels/{id}/messages`` pages them."""
        channel = self.channel(channel_id)
        if not self.bot_permissions(channel) & Permission.VIEW_CHANNEL:
            raise errors.missing_access()
        if not self.bot_permissions(channel) & Permission.READ_MESSAGE_HISTORY:
            return []
        limit = max(1, min(limit, 100))
        visible = [m for m in self._channel_messages.get(channel_id, []) if not m.deleted and not m.ephemeral]
        if around is not None:
            older = [m for m in visible if m.id <= around][-((limit + 1) // 2) :]
            newer = [m for m in visible if m.id > around][: limit // 2]
            return list(reversed(older + newer))
        if after is not None:
            return list(reversed([m for m in visible if m.id > after][:limit]))
        if before is not None:
            visible = [m for m in visible if m.id < before]
        return list(reversed(visible[-limit:]))

    def add_reaction(self, channel_id: int, message_id: int, emoji: str, user: User) -> None:
        message = self.message_in(channel_id, message_id)
        channel = self._channels[channel_id]
        if user.id == self.bot.id and not self.bot_permissions(channel) & Permission.ADD_REACTIONS:
            raise errors.missing_permissions()
        emoji_data = _parse_emoji(emoji)
        users = message.reactions.setdefault(emoji, [])
        if user.id in users:
            return
        users.append(user.id)
        message.data["reactions"] = [
            {
                "emoji": _parse_emoji(key),
                "count": len(ids),
                "count_details": {"burst": 0, "normal": len(ids)},
                "me": self.bot.id in ids,
                "me_burst": False,
                "burst_colors": [],
            }
            for key, ids in message.reactions.items()
        ]
        data: JSON = {
            "user_id": str(user.id),
            "channel_id": str(channel_id),
            "message_id": str(message_id),
            "emoji": emoji_data,
            "burst": False,
            "type": 0,
        }
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        self.emit(Event("MESSAGE_REACTION_ADD", data, Intent.GUILD_MESSAGE_REACTIONS))

    def _emit_message(self, name: str, message: Message, guild: Guild | None) -> None:
        data = message.data
        if guild is not None:
            member = guild.members.get(message.author.id)
            if member is not None:
                data = {**data, "member": {k: v for k, v in member.payload().items() if k != "user"}}
        bot_mentioned = self.bot.id in message.pinged_user_ids
        gated = guild is not None and message.author.id != self.bot.id and not bot_mentioned
        intent = Intent.GUILD_MESSAGES if guild is not None else Intent.DIRECT_MESSAGES
        self.emit(Event(name, data, intent, content_gated=gated))

    def _attachments(self, channel_id: int, body: JSON, uploads: list[Upload], *, existing: list[JSON]) -> list[JSON]:
        declared = {str(a.get("id")): a for a in body.get("attachments") or []}
        kept = [a for a in existing if str(a["id"]) in declared] if "attachments" in body else list(existing)
        for index, upload in enumerate(uploads):
            # discord.py names parts files[0], files[1], ... and declares {"id": index, ...} in payload_json.
            key = upload.field.removeprefix("files[").removesuffix("]") if upload.field.startswith("files[") else ""
            meta = declared.get(key or str(index), {})
            attachment_id = self.ids.next()
            url = f"{self.cdn_base}/attachments/{channel_id}/{attachment_id}/{upload.filename}"
            kept.append(
                {
                    "id": str(attachment_id),
                    "filename": meta.get("filename") or upload.filename,
                    "description": meta.get("description"),
                    "content_type": upload.content_type,
                    "size": len(upload.data),
                    "url": url,
                    "proxy_url": url,
                    "ephemeral": False,
                }
            )
        return kept

    def attachment_bytes(self, channel_id: int, attachment_id: int) -> tuple[str, bytes] | None:
        for message in self._channel_messages.get(channel_id, []):
            for attachment in message.data["attachments"]:
                if int(attachment["id"]) == attachment_id:
                    name = attachment["filename"]
                    return name, message.files.get(name, b"")
        return None

    def _apply_reference(self, channel: Channel, body: JSON, data: JSON) -> Message | None:
        reference = body.get("message_reference")
        if not reference:
            return None
        target_id = int(reference["message_id"])
        target = self.messages.get(target_id)
        if target is None or target.deleted:
            if reference.get("fail_if_not_exists", True):
                form = errors.FormErrors()
                form.add(("message_reference",), "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")
                form.raise_if_any()
            return None
        data["message_reference"] = {
            "type": 0,
            "message_id": str(target.id),
            "channel_id": str(target.channel_id),
            **({"guild_id": str(target.guild_id)} if target.guild_id else {}),
        }
        data["referenced_message"] = copy.deepcopy(target.data)
        return target

    def _apply_mentions(
        self,
        guild: Guild | None,
        channel: Channel,
        author: User,
        data: JSON,
        allowed: JSON | None,
        replied_to: Message | None,
    ) -> None:
        """Fill ``mentions``/``mention_roles``/``mention_everyone`` with who Discord would actually notify."""
        content = data.get("content") or ""
        if allowed is None:
            parse, user_ids, role_ids, replied_user = {"users", "roles", "everyone"}, set(), set(), True
        else:
            parse = set(allowed.get("parse") or [])
            user_ids = {int(u) for u in allowed.get("users") or []}
            role_ids = {int(r) for r in allowed.get("roles") or []}
            replied_user = bool(allowed.get("replied_user", False))
            form = errors.FormErrors()
            if "users" in parse and user_ids:
                form.add(("allowed_mentions",), "MUTUALLY_EXCLUSIVE", "parse:users and users are mutually exclusive")
            if "roles" in parse and role_ids:
                form.add(("allowed_mentions",), "MUTUALLY_EXCLUSIVE", "parse:roles and roles are mutually exclusive")
            form.raise_if_any()
        perms = 0
        if guild is not None and author.id in guild.members:
            perms = guild.permissions_in(guild.members[author.id], channel)
        pinged: dict[int, User] = {}
        for match in _USER_MENTION.finditer(content):
            uid = int(match.group(1))
            if uid in self.users and ("users" in parse or uid in user_ids):
                pinged[uid] = self.users[uid]
        if replied_to is not None and replied_user:
            pinged[replied_to.author.id] = replied_to.author
        roles: list[str] = []
        if guild is not None:
            for match in _ROLE_MENTION.finditer(content):
                rid = int(match.group(1))
                role = guild.roles.get(rid)
                if role is None or not ("roles" in parse or rid in role_ids):
                    continue
                if role.mentionable or perms & Permission.MENTION_EVERYONE:
                    roles.append(str(rid))
        data["mentions"] = [u.payload() for u in pinged.values()]
        data["mention_roles"] = roles
        data["mention_everyone"] = bool(
            _EVERYONE_MENTION.search(content) and "everyone" in parse and perms & Permission.MENTION_EVERYONE
        )

    # ----------------------------------------------------------------- pins

    def pin(self, channel_id: int, message_id: int, *, pinned: bool) -> None:
        message = self.message_in(channel_id, message_id)
        channel = self._channels[channel_id]
        if channel.guild_id is not None and not self.bot_permissions(channel) & (
            Permission.PIN_MESSAGES | Permission.MANAGE_MESSAGES
        ):
            raise errors.missing_permissions()
        if pinned == (message.pinned_at is not None):
            return
        if pinned and sum(1 for m in self._channel_messages[channel_id] if m.pinned_at and not m.deleted) >= 250:
            raise errors.ApiError(400, 30003, "Maximum number of pins reached (250)")
        message.pinned_at = iso_now() if pinned else None
        message.data["pinned"] = pinned
        guild = self.guild_of(channel)
        self._emit_message("MESSAGE_UPDATE", message, guild)
        data: JSON = {"channel_id": str(channel_id), "last_pin_timestamp": self._last_pin(channel_id)}
        if guild is not None:
            data["guild_id"] = str(guild.id)
        self.emit(Event("CHANNEL_PINS_UPDATE", data, Intent.GUILDS))
        if pinned:
            # Discord announces a pin with a system message that points at the pinned one.
            self.store_message(
                channel,
                self.bot,
                {"content": "", "message_reference": {"message_id": message.id, "fail_if_not_exists": False}},
                [],
                message_type=MessageType.CHANNEL_PINNED_MESSAGE,
            )

    def pinned(self, channel_id: int, *, limit: int = 50, before: str | None = None) -> tuple[list[Message], bool]:
        """Pinned messages, most recently pinned first, and whether more remain."""
        self.channel(channel_id)
        pins = sorted(
            (m for m in self._channel_messages.get(channel_id, []) if m.pinned_at and not m.deleted),
            key=lambda m: m.pinned_at or "",
            reverse=True,
        )
        if before is not None:
            cutoff = dt.datetime.fromisoformat(before)
            pins = [m for m in pins if dt.datetime.fromisoformat(m.pinned_at or "") < cutoff]
        limit = max(1, min(limit, 50))
        return pins[:limit], len(pins) > limit

    def _last_pin(self, channel_id: int) -> str | None:
        times = [m.pinned_at for m in self._channel_messages.get(channel_id, []) if m.pinned_at and not m.deleted]
        return max(times) if times else None

    # ----------------------------------------------------------------- editing channels and threads

    def edit_channel(self, channel_id: int, body: JSON) -> Channel:
        """``PATCH /channels/{id}``: rename, set a topic, archive or lock a thread, change overwrites."""
        channel = self.channel(channel_id)
        guild = self.guild_of(channel)
        if guild is None:
            raise errors.ApiError(400, 50024, "Cannot execute action on a DM channel")
        perms = self.bot_permissions(channel)
        form = errors.FormErrors()
        if "name" in body and not 1 <= len(str(body["name"] or "")) <= 100:
            form.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if channel.is_thread:
            owner = channel.owner_id == self.bot.id
            if ("locked" in body or not owner) and not perms & Permission.MANAGE_THREADS:
                raise errors.missing_permissions()
            if "auto_archive_duration" in body and body["auto_archive_duration"] not in _THREAD_ARCHIVE_DURATIONS:
                form.add(
                    ("auto_archive_duration",), "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}."
                )
            form.raise_if_any()
            for key in ("name", "archived", "locked", "auto_archive_duration"):
                if key in body:
                    setattr(channel, key, body[key])
            self.emit(Event("THREAD_UPDATE", channel.payload(), Intent.GUILDS))
            return channel
        if not perms & Permission.MANAGE_CHANNELS or (
            "permission_overwrites" in body and not perms & Permission.MANAGE_ROLES
        ):
            raise errors.missing_permissions()
        if "topic" in body and body["topic"] and len(body["topic"]) > 1024:
            form.add(("topic",), "BASE_TYPE_MAX_LENGTH", "Must be 1024 or fewer in length.")
        form.raise_if_any()
        for key in ("name", "topic", "position"):
            if key in body:
                setattr(channel, key, body[key])
        if "parent_id" in body:
            channel.parent_id = None if body["parent_id"] is None else int(body["parent_id"])
        if "permission_overwrites" in body:
            channel.overwrites = [
                Overwrite(int(o["id"]), int(o["type"]), int(o.get("allow") or 0), int(o.get("deny") or 0))
                for o in body["permission_overwrites"] or []
            ]
        self.emit(Event("CHANNEL_UPDATE", channel.payload(), Intent.GUILDS))
        return channel

    # ----------------------------------------------------------------- threads

    def create_thread_from_message(self, channel_id: int, message_id: int, body: JSON) -> Channel:
        parent = self.channel(channel_id)
        message = self.message_in(channel_id, message_id)
        if parent.type not in (ChannelType.TEXT, ChannelType.ANNOUNCEMENT):
            raise errors.ApiError(400, 50024, "Cannot execute action on this channel type")
        if not self.bot_permissions(parent) & Permission.CREATE_PUBLIC_THREADS:
            raise errors.missing_permissions()
        if message.id in self._channels:
            raise errors.ApiError(400, 160004, "A thread has already been created for this message")
        kind = ChannelType.ANNOUNCEMENT_THREAD if parent.type == ChannelType.ANNOUNCEMENT else ChannelType.PUBLIC_THREAD
        # A thread started from a message takes the message's id, as on Discord.
        thread = self._new_thread(parent, body, kind, thread_id=message.id)
        message.data["flags"] = message.flags | MESSAGE_FLAG_HAS_THREAD
        message.data["thread"] = thread.payload()
        return thread

    def create_thread(self, channel_id: int, body: JSON) -> Channel:
        parent = self.channel(channel_id)
        if parent.type not in (ChannelType.TEXT, ChannelType.ANNOUNCEMENT):
            raise errors.ApiError(400, 50024, "Cannot execute action on this channel type")
        # Discord still defaults to a private thread when the type is omitted (the original thread API's behaviour).
        kind = ChannelType(int(body.get("type") or ChannelType.PRIVATE_THREAD))
        if kind not in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD, ChannelType.ANNOUNCEMENT_THREAD):
            raise errors.ApiError(
                400, 50035, "Invalid Form Body", {"type": {"_errors": [{"code": "BASE_TYPE_CHOICES"}]}}
            )
        needed = (
            Permission.CREATE_PRIVATE_THREADS
            if kind == ChannelType.PRIVATE_THREAD
            else Permission.CREATE_PUBLIC_THREADS
        )
        if not self.bot_permissions(parent) & needed:
            raise errors.missing_permissions()
        return self._new_thread(parent, body, kind, thread_id=self.ids.next())

    def _new_thread(self, parent: Channel, body: JSON, kind: ChannelType, *, thread_id: int) -> Channel:
        name = str(body.get("name") or "")
        duration = int(body.get("auto_archive_duration") or 1440)
        form = errors.FormErrors()
        if not 1 <= len(name) <= 100:
            form.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if duration not in _THREAD_ARCHIVE_DURATIONS:
            form.add(("auto_archive_duration",), "BASE_TYPE_CHOICES", "Value must be one of {60, 1440, 4320, 10080}.")
        form.raise_if_any()
        thread = Channel(
            thread_id,
            kind,
            name,
            parent.guild_id,
            parent_id=parent.id,
            owner_id=self.bot.id,
            auto_archive_duration=duration,
            created_at=iso_now(),
        )
        guild = self.guild_of(parent)
        self._register_channel(guild, thread)
        self.emit(Event("THREAD_CREATE", {**thread.payload(), "newly_created": True}, Intent.GUILDS))
        return thread

    def active_threads(self, guild: Guild) -> list[Channel]:
        return [t for t in guild.threads if not t.archived]

    # ----------------------------------------------------------------- DMs

    def open_dm(self, recipient_id: int) -> Channel:
        recipient = self.user(recipient_id)
        existing = self.dm_channel_with(recipient_id)
        if existing is not None:
            return existing
        channel = Channel(self.ids.next(), ChannelType.DM, "", None, recipients=[recipient])
        self._register_channel(None, channel)
        self._dm_by_user[recipient_id] = channel.id
        return channel

    # ----------------------------------------------------------------- scheduled events

    def scheduled_events_of(self, guild: Guild) -> list[ScheduledEvent]:
        """The server's scheduled events (not deleted) as they stand on the clock now."""
        self._run_event_clock(guild)
        return [e for e in guild.scheduled_events.values() if not e.deleted]

    def uncompleted_events(self, guild: Guild) -> int:
        """How many of the server's events count against Discord's cap: those scheduled or active."""
        return sum(1 for e in self.scheduled_events_of(guild) if e.status in (EVENT_SCHEDULED, EVENT_ACTIVE))

    def _run_event_clock(self, guild: Guild) -> None:
        """What Discord does by itself as time passes: an external event begins at its scheduled start and ends at
        its scheduled end, each change sent as ``GUILD_SCHEDULED_EVENT_UPDATE``. Applied whenever events are looked
        at, on :attr:`clock`."""
        now = self.clock()
        for event in guild.scheduled_events.values():
            if event.deleted or event.data.get("entity_type") != _EXTERNAL:
                continue
            for before, after, key in (
                (EVENT_SCHEDULED, EVENT_ACTIVE, "scheduled_start_time"),
                (EVENT_ACTIVE, EVENT_COMPLETED, "scheduled_end_time"),
            ):
                at = event.data.get(key)
                if event.status == before and at and dt.datetime.fromisoformat(at) <= now:
                    event.data = {**event.data, "status": after}
                    self.emit(Event("GUILD_SCHEDULED_EVENT_UPDATE", event.data, Intent.GUILD_SCHEDULED_EVENTS))

    def create_scheduled_event(self, guild_id: int, body: JSON) -> ScheduledEvent:
        guild = self.guild(guild_id)
        perms = guild.base_permissions(self.bot_member(guild))
        if not perms & (Permission.MANAGE_EVENTS | Permission.CREATE_EVENTS):
            raise errors.missing_permissions()
        form = errors.FormErrors()
        for key in ("name", "scheduled_start_time", "entity_type"):
            if body.get(key) in (None, ""):
                form.add((key,), "BASE_TYPE_REQUIRED", "This field is required")
        form.raise_if_any()
        uncompleted = self.uncompleted_events(guild)
        if uncompleted >= self.scheduled_events_max:
            raise errors.too_many_scheduled_events(self.scheduled_events_max)
        event_id = self.ids.next()
        data: JSON = {
            "id": str(event_id),
            "guild_id": str(guild.id),
            "channel_id": None,
            "creator_id": str(self.bot.id),
            "creator": self.bot.payload(),
            "name": "",
            "description": None,
            "scheduled_start_time": None,
            "scheduled_end_time": None,
            "privacy_level": 2,
            "status": 1,
            "entity_type": None,
            "entity_id": None,
            "entity_metadata": None,
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
        }
        self._apply_event_fields(guild, data, body, creating=True)
        event = ScheduledEvent(event_id, guild.id, data, copy.deepcopy(body))
        guild.scheduled_events[event_id] = event
        guild.most_uncompleted_events = max(guild.most_uncompleted_events, uncompleted + 1)
        self.emit(Event("GUILD_SCHEDULED_EVENT_CREATE", data, Intent.GUILD_SCHEDULED_EVENTS))
        return event

    def scheduled_event(self, guild_id: int, event_id: int) -> ScheduledEvent:
        guild = self.guild(guild_id)
        self._run_event_clock(guild)
        event = guild.scheduled_events.get(event_id)
        if event is None or event.deleted:
            raise errors.unknown_scheduled_event()
        return event

    def edit_scheduled_event(self, guild_id: int, event_id: int, body: JSON) -> ScheduledEvent:
        guild = self.guild(guild_id)
        event = self.scheduled_event(guild_id, event_id)
        if not guild.base_permissions(self.bot_member(guild)) & Permission.MANAGE_EVENTS:
            raise errors.missing_permissions()
        data = copy.deepcopy(event.data)
        self._apply_event_fields(guild, data, body, creating=False)
        event.data = data
        event.edits.append(copy.deepcopy(body))
        self.emit(Event("GUILD_SCHEDULED_EVENT_UPDATE", data, Intent.GUILD_SCHEDULED_EVENTS))
        return event

    def delete_scheduled_event(self, guild_id: int, event_id: int) -> ScheduledEvent:
        guild = self.guild(guild_id)
        event = self.scheduled_event(guild_id, event_id)
        if not guild.base_permissions(self.bot_member(guild)) & Permission.MANAGE_EVENTS:
            raise errors.missing_permissions()
        event.deleted = True
        self.emit(Event("GUILD_SCHEDULED_EVENT_DELETE", event.data, Intent.GUILD_SCHEDULED_EVENTS))
        return event

    def _apply_event_fields(self, guild: Guild, data: JSON, body: JSON, *, creating: bool) -> None:
        """Validate and merge a create/modify body into ``data``, with the checks Discord makes."""
        form = errors.FormErrors()
        status_before = int(data["status"])
        if not creating and status_before in (3, 4):
            raise errors.ApiError(400, 180000, "Cannot modify a finished event")
        if "name" in body:
            name = str(body["name"] or "")
            if not 1 <= len(name) <= 100:
                form.add(("name",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
            data["name"] = name
        if "description" in body:
            if body["description"] and len(body["description"]) > 1000:
                form.add(("description",), "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length.")
            data["description"] = body["description"]
        if "privacy_level" in body and body["privacy_level"] != 2:
            form.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
        for key in ("scheduled_start_time", "scheduled_end_time"):
            if key in body:
                data[key] = _normalise_time(form, key, body[key])
        if "entity_type" in body:
            data["entity_type"] = int(body["entity_type"])
        if "channel_id" in body:
            data["channel_id"] = None if body["channel_id"] is None else str(body["channel_id"])
        if "entity_metadata" in body:
            data["entity_metadata"] = body["entity_metadata"]
        if "image" in body:
            data["image"] = "emulated-cover" if body["image"] else None
        if "status" in body:
            status = int(body["status"])
            if status not in _EVENT_STATUS_TRANSITIONS.get(status_before, set()):
                form.add(("status",), "GUILD_SCHEDULED_EVENT_INVALID_STATUS_TRANSITION", "Invalid status transition")
            data["status"] = status
        entity_type = data["entity_type"]
        if entity_type == 3:
            location = (data.get("entity_metadata") or {}).get("location")
            if not location:
                form.add(("entity_metadata", "location"), "BASE_TYPE_REQUIRED", "This field is required")
            elif len(location) > 100:
                form.add(("entity_metadata", "location"), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
            if not data.get("scheduled_end_time"):
                form.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
            if data.get("channel_id") is not None:
                form.add(("channel_id",), "GUILD_SCHEDULED_EVENT_CHANNEL_NOT_ALLOWED", "Must be null for external")
        elif entity_type in _EVENT_ENTITY_CHANNEL_TYPE:
            channel = guild.channels.get(int(data["channel_id"])) if data.get("channel_id") else None
            if channel is None or channel.type != _EVENT_ENTITY_CHANNEL_TYPE[entity_type]:
                form.add(("channel_id",), "BASE_TYPE_REQUIRED", "A stage or voice channel of the guild is required")
        else:
            form.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
        start, end = data.get("scheduled_start_time"), data.get("scheduled_end_time")
        if start and end and dt.datetime.fromisoformat(end) <= dt.datetime.fromisoformat(start):
            form.add(("scheduled_end_time",), "GUILD_SCHEDULED_EVENT_END_BEFORE_START", "End must be after start")
        moved_start = bool(start) and "scheduled_start_time" in body and int(data["status"]) == EVENT_SCHEDULED
        if moved_start and dt.datetime.fromisoformat(str(start)) < self.clock() - _PAST_EVENT_TOLERANCE:
            form.add(
                ("scheduled_start_time",), "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST", "Cannot schedule event in the past."
            )
        form.raise_if_any()

    # ----------------------------------------------------------------- application commands

    def put_commands(self, guild_id: int | None, body: list[JSON]) -> list[JSON]:
        """Bulk-overwrite the commands of one scope; unchanged names keep their ids (as on Discord)."""
        if guild_id is not None:
            self.guild(guild_id)
        form = errors.FormErrors()
        for index, command in enumerate(body):
            _check_command(form, (index,), command)
        per_type: dict[int, int] = defaultdict(int)
        for command in body:
            per_type[int(command.get("type") or 1)] += 1
        if per_type[1] > 100 or per_type[2] > 15 or per_type[3] > 15:
            raise errors.ApiError(400, 30032, "Maximum number of application commands reached (100)")
        form.raise_if_any()
        old_by_key = {(c["name"], c["type"]): c for c in self.commands.get(guild_id, {}).values()}
        new: dict[int, JSON] = {}
        for command in body:
            rendered = self._render_command(
                guild_id, command, old_by_key.get((command["name"], command.get("type", 1)))
            )
            new[int(rendered["id"])] = rendered
        self.commands[guild_id] = new
        return list(new.values())

    def upsert_command(self, guild_id: int | None, command: JSON) -> JSON:
        form = errors.FormErrors()
        _check_command(form, (), command)
        form.raise_if_any()
        scope = self.commands.setdefault(guild_id, {})
        old = next(
            (c for c in scope.values() if (c["name"], c["type"]) == (command["name"], command.get("type", 1))), None
        )
        rendered = self._render_command(guild_id, command, old)
        scope[int(rendered["id"])] = rendered
        return rendered

    def command(self, guild_id: int | None, command_id: int) -> JSON:
        try:
            return self.commands.get(guild_id, {})[command_id]
        except KeyError:
            raise errors.unknown_command() from None

    def edit_command(self, guild_id: int | None, command_id: int, changes: JSON) -> JSON:
        current = self.command(guild_id, command_id)
        merged = {**current, **changes}
        form = errors.FormErrors()
        _check_command(form, (), merged)
        form.raise_if_any()
        rendered = self._render_command(guild_id, merged, current)
        self.commands[guild_id][command_id] = rendered
        return rendered

    def delete_command(self, guild_id: int | None, command_id: int) -> None:
        self.command(guild_id, command_id)
        del self.commands[guild_id][command_id]

    def find_command(self, name: str, guild_id: int | None, kind: int = 1) -> JSON | None:
        """The command a user would see by ``name``: the guild's own first, then the global one."""
        for scope in (guild_id, None) if guild_id is not None else (None,):
            for command in self.commands.get(scope, {}).values():
                if command["name"] == name and command["type"] == kind:
                    return command
        return None

    def _render_command(self, guild_id: int | None, command: JSON, old: JSON | None) -> JSON:
        rendered: JSON = {
            "id": old["id"] if old else str(self.ids.next()),
            "application_id": str(self.application_id),
            "version": "",
            "type": int(command.get("type") or 1),
            "name": command["name"],
            "name_localizations": command.get("name_localizations"),
            "description": command.get("description", ""),
            "description_localizations": command.get("description_localizations"),
            "options": copy.deepcopy(command.get("options") or []),
            "default_member_permissions": command.get("default_member_permissions"),
            "contexts": command.get("contexts"),
            "integration_types": command.get("integration_types") or [0],
            "nsfw": bool(command.get("nsfw", False)),
        }
        if guild_id is not None:
            rendered["guild_id"] = str(guild_id)
        else:
            rendered["dm_permission"] = command.get("dm_permission", True)
        comparable = {k: v for k, v in rendered.items() if k not in ("id", "version")}
        if old is not None and comparable == {k: v for k, v in old.items() if k not in ("id", "version")}:
            rendered["version"] = old["version"]
        else:
            rendered["version"] = str(self.ids.next())
        return rendered

    # ----------------------------------------------------------------- members and roles (REST side)

    def list_members(self, guild: Guild, *, limit: int, after: int) -> list[Member]:
        limit = max(1, min(limit, 1000))
        return sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]

    def change_member_role(self, guild_id: int, user_id: int, role_id: int, *, add: bool) -> None:
        guild = self.guild(guild_id)
        member = self.member(guild, user_id)
        role = guild.roles.get(role_id)
        if role is None:
            raise errors.unknown_role()
        bot = self.bot_member(guild)
        top = max((guild.roles[r].position for r in bot.role_ids if r in guild.roles), default=0)
        if not guild.base_permissions(bot) & Permission.MANAGE_ROLES or role.position >= top:
            raise errors.missing_permissions()
        if add and role_id not in member.role_ids:
            member.role_ids.append(role_id)
        elif not add and role_id in member.role_ids:
            member.role_ids.remove(role_id)
        else:
            return
        self._member_updated(member)


def _check_command(form: errors.FormErrors, path: tuple[str | int, ...], command: Mapping[str, Any]) -> None:
    kind = int(command.get("type") or 1)
    name = str(command.get("name") or "")
    if not _COMMAND_NAME.match(name) or (kind == 1 and name != name.lower()):
        form.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    description = str(command.get("description") or "")
    if kind == 1 and not 1 <= len(description) <= 100:
        form.add((*path, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
    _check_options(form, (*path, "options"), command.get("options") or [])


def _check_options(form: errors.FormErrors, path: tuple[str | int, ...], options: list[JSON]) -> None:
    if len(options) > 25:
        form.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    for index, option in enumerate(options):
        name = str(option.get("name") or "")
        if not _COMMAND_NAME.match(name) or name != name.lower():
            form.add((*path, index, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Option name is invalid")
        if not 1 <= len(str(option.get("description") or "")) <= 100:
            form.add((*path, index, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if len(option.get("choices") or []) > 25:
            form.add((*path, index, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        if option.get("choices") and option.get("autocomplete"):
            form.add((*path, index, "autocomplete"), "AUTOCOMPLETE_AND_CHOICES", "Cannot have both")
        if option.get("type") in (1, 2):
            _check_options(form, (*path, index, "options"), option.get("options") or [])
            continue
        for key, low in (("min_length", 0), ("max_length", 1)):
            length = option.get(key)
            if length is not None and not low <= length <= OPTION_LENGTH_MAX:
                form.add(
                    (*path, index, key),
                    "NUMBER_TYPE_MAX" if length > OPTION_LENGTH_MAX else "NUMBER_TYPE_MIN",
                    f"int value should be between {low} and {OPTION_LENGTH_MAX}.",
                )
        if option.get("required"):
            if seen_optional:
                form.add((*path, index, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required first")
        else:
            seen_optional = True


def _normalise_embed(embed: JSON) -> JSON:
    return {"type": "rich", **embed}


def _normalise_time(form: errors.FormErrors, key: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        form.add((key,), "DATE_TIME_TYPE_PARSE", "Could not parse the date and time.")
        return None
    if parsed.tzinfo is None:
        # Discord reads a bare timestamp as UTC; discord.py never sends one (it insists on aware datetimes).
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()


def _parse_emoji(text: str) -> JSON:
    # Custom emoji arrive as name:id; unicode emoji as themselves.
    if ":" in text:
        name, _, emoji_id = text.partition(":")
        return {"id": emoji_id, "name": name}
    return {"id": None, "name": text}
