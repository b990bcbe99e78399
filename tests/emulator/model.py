"""The emulated Discord world's objects: users, guilds, roles, members, channels, messages, scheduled events.

Each object keeps the few fields the emulator reasons about (ids, names, role lists, permission bits) and renders
itself as the JSON object Discord's API v10 would return (``payload()``), with every field discord.py 2.7 reads.
Permission arithmetic (role union, administrator, channel overwrites) follows Discord's documented algorithm so a
test can take a permission away from the bot and watch the request fail with 403, as it would in production.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum, IntFlag
from typing import Any

JSON = dict[str, Any]


class ChannelType(IntEnum):
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    ANNOUNCEMENT = 5
    ANNOUNCEMENT_THREAD = 10
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    STAGE = 13
    FORUM = 15


THREAD_TYPES = frozenset({ChannelType.ANNOUNCEMENT_THREAD, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD})
MESSAGEABLE_TYPES = frozenset(
    {ChannelType.TEXT, ChannelType.DM, ChannelType.VOICE, ChannelType.ANNOUNCEMENT, ChannelType.STAGE} | THREAD_TYPES
)


class Permission(IntFlag):
    """The permission bits the emulator checks or hands out (Discord's values)."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    MODERATE_MEMBERS = 1 << 40
    CREATE_EVENTS = 1 << 44
    PIN_MESSAGES = 1 << 51


class Intent(IntFlag):
    """Gateway intents that decide which events a session receives."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


PRIVILEGED_INTENTS = int(Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT)


#: Every permission bit Discord defines today (up to Bypass Slowmode); what administrators and guild owners get.
ALL_PERMISSIONS = (1 << 53) - 1

#: What @everyone may do in a freshly made community server.
DEFAULT_EVERYONE_PERMISSIONS = int(
    Permission.CREATE_INSTANT_INVITE
    | Permission.ADD_REACTIONS
    | Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.USE_EXTERNAL_EMOJIS
    | Permission.CONNECT
    | Permission.SPEAK
    | Permission.CHANGE_NICKNAME
    | Permission.USE_APPLICATION_COMMANDS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
)

#: What the bot's own managed role grants by default: what a session-chair bot is invited with.
DEFAULT_BOT_PERMISSIONS = int(
    Permission.VIEW_CHANNEL
    | Permission.SEND_MESSAGES
    | Permission.EMBED_LINKS
    | Permission.ATTACH_FILES
    | Permission.READ_MESSAGE_HISTORY
    | Permission.ADD_REACTIONS
    | Permission.MANAGE_MESSAGES
    | Permission.MANAGE_THREADS
    | Permission.CREATE_PUBLIC_THREADS
    | Permission.SEND_MESSAGES_IN_THREADS
    | Permission.MANAGE_EVENTS
    | Permission.CREATE_EVENTS
    | Permission.PIN_MESSAGES
    | Permission.USE_APPLICATION_COMMANDS
)


def as_permission_bits(value: Any) -> int:
    """Accept an ``int``, a numeric string, or anything with ``.value`` (``discord.Permissions``)."""
    if hasattr(value, "value"):
        value = value.value
    return int(value)


@dataclasses.dataclass(eq=False)
class User:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    #: False models a member who turned off DMs from server members: DMs to them fail with 50007.
    accepts_dms: bool = True

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
        }

    @property
    def display_name(self) -> str:
        return self.global_name or self.username


@dataclasses.dataclass(eq=False)
class Role:
    id: int
    guild_id: int
    name: str
    permissions: int
    position: int = 0
    color: int = 0
    hoist: bool = False
    mentionable: bool = False
    #: Set for the bot's own integration role, which Discord manages and tags with the bot id.
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.bot_id is not None,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclasses.dataclass(eq=False)
class Member:
    """A user's membership of one guild. Tests pass these as the actor of interactions (``user=alice``)."""

    user: User
    guild_id: int
    role_ids: list[int]
    joined_at: str
    nick: str | None = None

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def display_name(self) -> str:
        return self.nick or self.user.display_name

    def payload(self, *, permissions: int | None = None) -> JSON:
        data: JSON = {
            "user": self.user.payload(),
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in self.role_ids],
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclasses.dataclass(eq=False)
class Overwrite:
    """A channel permission overwrite for a role (``kind=0``) or a member (``kind=1``)."""

    target_id: int
    kind: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {"id": str(self.target_id), "type": self.kind, "allow": str(self.allow), "deny": str(self.deny)}


@dataclasses.dataclass(eq=False)
class Channel:
    """A guild channel, thread or DM channel; ``type`` decides which fields ``payload()`` renders."""

    id: int
    type: ChannelType
    name: str
    guild_id: int | None
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    overwrites: list[Overwrite] = dataclasses.field(default_factory=list)
    last_message_id: int | None = None
    # Threads only.
    owner_id: int | None = None
    auto_archive_duration: int = 1440
    archived: bool = False
    locked: bool = False
    created_at: str | None = None
    message_count: int = 0
    # DM channels only.
    recipients: list[User] = dataclasses.field(default_factory=list)

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def payload(self) -> JSON:
        if self.type == ChannelType.DM:
            return {
                "id": str(self.id),
                "type": int(self.type),
                "last_message_id": _opt_id(self.last_message_id),
                "recipients": [u.payload() for u in self.recipients],
                "flags": 0,
            }
        if self.is_thread:
            return {
                "id": str(self.id),
                "type": int(self.type),
                "guild_id": str(self.guild_id),
                "parent_id": str(self.parent_id),
                "owner_id": str(self.owner_id),
                "name": self.name,
                "last_message_id": _opt_id(self.last_message_id),
                "message_count": self.message_count,
                "member_count": 1,
                "total_message_sent": self.message_count,
                "rate_limit_per_user": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": self.created_at,
                    "locked": self.locked,
                    "invitable": self.type == ChannelType.PRIVATE_THREAD,
                    "create_timestamp": self.created_at,
                },
            }
        data: JSON = {
            "id": str(self.id),
            "type": int(self.type),
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": _opt_id(self.parent_id),
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "nsfw": False,
            "flags": 0,
        }
        if self.type in (ChannelType.TEXT, ChannelType.ANNOUNCEMENT, ChannelType.FORUM):
            data.update(
                topic=self.topic,
                last_message_id=_opt_id(self.last_message_id),
                rate_limit_per_user=0,
                default_auto_archive_duration=1440,
            )
        elif self.type in (ChannelType.VOICE, ChannelType.STAGE):
            data.update(
                bitrate=64000,
                user_limit=0,
                rtc_region=None,
                video_quality_mode=1,
                last_message_id=_opt_id(self.last_message_id),
                rate_limit_per_user=0,
            )
            if self.type == ChannelType.STAGE:
                data["topic"] = self.topic
        return data


@dataclasses.dataclass(eq=False)
class Message:
    """A message as stored by the emulator.

    ``sent`` is the body exactly as the bot posted it (so a test can assert ``allowed_mentions`` or ``flags``),
    ``edits`` the bodies of later edits in order, and ``data`` the current message object Discord would return.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: User
    data: JSON
    sent: JSON
    edits: list[JSON] = dataclasses.field(default_factory=list)
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)
    deleted: bool = False
    #: Ephemeral interaction responses exist only for the interaction's user; they never show in channel listings.
    ephemeral: bool = False
    #: The interaction this message answers, for interaction responses and followups.
    interaction_id: int | None = None
    #: Who reacted with what: emoji (unicode, or ``name:id``) to user ids, in reaction order.
    reactions: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    pinned_at: str | None = None

    @property
    def content(self) -> str:
        return str(self.data.get("content", ""))

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds", []))

    @property
    def components(self) -> list[JSON]:
        return list(self.data.get("components", []))

    @property
    def flags(self) -> int:
        return int(self.data.get("flags", 0))

    @property
    def allowed_mentions(self) -> JSON | None:
        """``allowed_mentions`` of the latest body that set it (the original post, or an edit)."""
        for body in [*reversed(self.edits), self.sent]:
            if "allowed_mentions" in body:
                value = body["allowed_mentions"]
                return dict(value) if value is not None else None
        return None

    @property
    def pinged_user_ids(self) -> list[int]:
        """Users Discord would notify: mentions that ``allowed_mentions`` let through."""
        return [int(u["id"]) for u in self.data.get("mentions", [])]

    @property
    def pinged_role_ids(self) -> list[int]:
        return [int(r) for r in self.data.get("mention_roles", [])]

    @property
    def custom_ids(self) -> list[str]:
        """Every component ``custom_id`` on the message, in display order."""
        return [c["custom_id"] for c in iter_components(self.components) if "custom_id" in c]


@dataclasses.dataclass(eq=False)
class ScheduledEvent:
    """A guild scheduled event; ``data`` is the current API object, ``sent``/``edits`` what the bot posted."""

    id: int
    guild_id: int
    data: JSON
    sent: JSON
    edits: list[JSON] = dataclasses.field(default_factory=list)
    deleted: bool = False

    @property
    def name(self) -> str:
        return str(self.data["name"])

    @property
    def status(self) -> int:
        return int(self.data["status"])


@dataclasses.dataclass(eq=False)
class Guild:
    id: int
    name: str
    owner_id: int
    bot_role_id: int
    roles: dict[int, Role] = dataclasses.field(default_factory=dict)
    channels: dict[int, Channel] = dataclasses.field(default_factory=dict)
    members: dict[int, Member] = dataclasses.field(default_factory=dict)
    scheduled_events: dict[int, ScheduledEvent] = dataclasses.field(default_factory=dict)
    created_at: str = ""
    #: The most scheduled events the server held uncompleted (scheduled or active) at once.
    most_uncompleted_events: int = 0

    @property
    def everyone_role(self) -> Role:
        # Discord gives @everyone the guild's own id.
        return self.roles[self.id]

    @property
    def bot_role(self) -> Role:
        return self.roles[self.bot_role_id]

    @property
    def threads(self) -> list[Channel]:
        return [c for c in self.channels.values() if c.is_thread]

    def channel_named(self, name: str) -> Channel:
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def role_named(self, name: str) -> Role:
        for role in self.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r} in guild {self.name!r}")

    def base_permissions(self, member: Member) -> int:
        """Guild-wide permissions of ``member``: @everyone plus their roles; owners and admins get everything."""
        if member.id == self.owner_id:
            return ALL_PERMISSIONS
        bits = self.everyone_role.permissions
        for role_id in member.role_ids:
            role = self.roles.get(role_id)
            if role is not None:
                bits |= role.permissions
        if bits & Permission.ADMINISTRATOR:
            return ALL_PERMISSIONS
        return bits

    def permissions_in(self, member: Member, channel: Channel) -> int:
        """Permissions of ``member`` in ``channel``, applying overwrites in Discord's order.

        Order: @everyone overwrite, then all role overwrites together (denies before allows), then the member's own
        overwrite. Threads use their parent channel's overwrites. Without View Channel a member has nothing there.
        """
        bits = self.base_permissions(member)
        if bits == ALL_PERMISSIONS:
            return bits
        source = self.channels.get(channel.parent_id) if channel.is_thread and channel.parent_id else channel
        overwrites = source.overwrites if source is not None else []
        by_target = {(o.kind, o.target_id): o for o in overwrites}
        everyone = by_target.get((0, self.id))
        if everyone is not None:
            bits = (bits & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            ow = by_target.get((0, role_id))
            if ow is not None:
                allow |= ow.allow
                deny |= ow.deny
        bits = (bits & ~deny) | allow
        own = by_target.get((1, member.id))
        if own is not None:
            bits = (bits & ~own.deny) | own.allow
        if not bits & Permission.VIEW_CHANNEL:
            return 0
        return bits


def iter_components(components: list[JSON]) -> list[JSON]:
    """Flatten a component tree (action rows, sections, containers, labels) into its interactive leaves and rows."""
    found: list[JSON] = []
    stack = list(reversed(components))
    while stack:
        component = stack.pop()
        found.append(component)
        children: list[JSON] = list(component.get("components", []))
        if "accessory" in component:
            children.append(component["accessory"])
        if "component" in component:
            children.append(component["component"])
        stack.extend(reversed(children))
    return found


def _opt_id(value: int | None) -> str | None:
    return None if value is None else str(value)
