"""Interactions: building the ``INTERACTION_CREATE`` payloads a user's click would cause, and taking the bot's answers.

``InteractionDesk`` makes slash command, autocomplete, button/select, modal submit and context menu payloads for a
given member and channel, the way Discord's client would: only for commands the bot has synced, with options typed
from the synced schema, and ``resolved`` data for user/channel/role options. It then handles the bot's side:
``POST /interactions/{id}/{token}/callback`` (once, within the 3-second deadline), ``@original`` fetches and edits,
and followups through the interaction webhook. Each interaction's story is kept in an ``InteractionResult``.
"""

from __future__ import annotations

import copy
import dataclasses
import marshal
import secrets
import time
from collections.abc import Mapping
from typing import Any

from . import errors
from .model import JSON, Channel, Guild, Member, Message, Permission, Role, User, iter_components
from .snowflake import SnowflakeFactory
from .state import (
    MESSAGE_FLAG_EPHEMERAL,
    MESSAGE_FLAG_LOADING,
    MessageType,
    Upload,
    World,
)
from .validation import OPTION_LENGTH_MAX, check_autocomplete_choices, check_message_body, check_modal
from .waiting import Notifier


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class CallbackType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


_ALLOWED_CALLBACKS = {
    InteractionType.APPLICATION_COMMAND: {4, 5, 9},
    InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
    InteractionType.AUTOCOMPLETE: {8},
    InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
}

_OPTION_TYPE_NAMES = {3: "string", 4: "integer", 5: "boolean", 6: "user", 7: "channel", 8: "role", 9: "mentionable"}
#: What Discord tells bots they may upload in a response (25 MiB for an unboosted guild).
ATTACHMENT_SIZE_LIMIT = 25 * 1024 * 1024
#: Discord's client gives up on an unanswered interaction ("This interaction failed") after this many seconds.
CLIENT_GIVES_UP_AFTER = 3.0
#: Interaction tokens stay valid for followups this long.
FOLLOWUP_WINDOW = 15 * 60.0

Actor = Member | User


@dataclasses.dataclass(eq=False)
class InteractionResult:
    """One interaction the emulator sent, and everything the bot did in answer.

    ``latency`` is the time from writing the ``INTERACTION_CREATE`` frame to receiving its callback request.
    """

    id: int
    token: str
    type: int
    #: The ``INTERACTION_CREATE`` payload exactly as sent.
    payload: JSON
    label: str
    channel_id: int
    user_id: int
    guild_id: int | None
    _notifier: Notifier = dataclasses.field(repr=False)
    #: Source message of component interactions (and of modals opened from one).
    source_message: Message | None = None
    #: ``perf_counter`` time the interaction was built (its snowflake's moment).
    created_at: float = dataclasses.field(default_factory=time.perf_counter)
    sent_at: float | None = None
    callback_at: float | None = None
    #: The callback body (``{"type": ..., "data": ...}``) as the bot posted it.
    callback: JSON | None = None
    #: The message that ``@original`` refers to, if any.
    response: Message | None = None
    followups: list[Message] = dataclasses.field(default_factory=list)
    #: Bodies of ``PATCH @original`` edits, in order.
    original_edits: list[JSON] = dataclasses.field(default_factory=list)
    #: Callbacks refused (late, or after the first), as ``(status, code)``.
    rejected_callbacks: list[tuple[int, int]] = dataclasses.field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.callback is not None

    @property
    def callback_type(self) -> int | None:
        return None if self.callback is None else int(self.callback["type"])

    @property
    def data(self) -> JSON:
        """The callback's ``data`` object ({} before the callback, or for deferrals without data)."""
        return dict((self.callback or {}).get("data") or {})

    @property
    def latency(self) -> float | None:
        """Seconds from sending the interaction to its callback; ``None`` until both happened."""
        if self.sent_at is None or self.callback_at is None:
            return None
        return self.callback_at - self.sent_at

    @property
    def ephemeral(self) -> bool:
        if self.response is not None and self.callback_type in (4, 5):
            return self.response.ephemeral
        return bool(int(self.data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL)

    @property
    def content(self) -> str:
        """Text of the response message (after edits), else of the callback data."""
        if self.response is not None:
            return self.response.content
        return str(self.data.get("content") or "")

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete choices the bot offered (callback type 8)."""
        return list(self.data.get("choices") or []) if self.callback_type == CallbackType.AUTOCOMPLETE_RESULT else []

    @property
    def modal(self) -> JSON | None:
        """The modal the bot opened (callback type 9): ``custom_id``, ``title``, ``components``."""
        return self.data if self.callback_type == CallbackType.MODAL else None

    async def wait_answered(self, timeout: float = 5.0) -> InteractionResult:
        await self._notifier.wait_until(lambda: self.answered, timeout=timeout, what=f"the bot to answer {self.label}")
        return self

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> list[Message]:
        await self._notifier.wait_until(
            lambda: len(self.followups) >= count, timeout=timeout, what=f"{count} followup(s) to {self.label}"
        )
        return list(self.followups)

    async def wait_original_edits(self, count: int = 1, timeout: float = 5.0) -> list[JSON]:
        await self._notifier.wait_until(
            lambda: len(self.original_edits) >= count,
            timeout=timeout,
            what=f"{count} edit(s) of the original response to {self.label}",
        )
        return list(self.original_edits)


class InteractionDesk:
    """Builds interactions for tests and processes the bot's callbacks, followups and edits."""

    def __init__(
        self,
        world: World,
        ids: SnowflakeFactory,
        notifier: Notifier,
        *,
        deadline: float | None = 3.0,
    ) -> None:
        self.world = world
        self.ids = ids
        self.notifier = notifier
        #: Seconds the bot has to answer; ``None`` disables the check (e.g. when stepping through in a debugger).
        self.deadline = deadline
        self.records: dict[int, InteractionResult] = {}
        self._by_token: dict[str, InteractionResult] = {}
        #: Interactions answered or refused so far: lets a benchmark wait for thousands without rescanning them.
        self.settled = 0
        #: Interactions neither answered nor refused yet, oldest first (see :meth:`waiting`).
        self._unsettled: dict[int, InteractionResult] = {}

    def clear(self) -> int:
        """Forget all interactions (between benchmark runs); return how many there were."""
        count = len(self.records)
        self.records.clear()
        self._by_token.clear()
        self.settled = 0
        self._unsettled.clear()
        return count

    def waiting(self, now: float | None = None) -> int:
        """How many interactions users are still waiting on: not answered, not refused, and built less than
        :data:`CLIENT_GIVES_UP_AFTER` seconds ago (after that Discord's client shows the interaction as failed)."""
        now = time.perf_counter() if now is None else now
        unsettled = self._unsettled
        while unsettled:
            oldest = next(iter(unsettled.values()))
            if now - oldest.created_at <= CLIENT_GIVES_UP_AFTER:
                break
            del unsettled[oldest.id]
        return len(unsettled)

    # ----------------------------------------------------------------- building

    def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None,
        *,
        user: Actor,
        channel: Channel,
        focused: str | None = None,
        bypass_default_permissions: bool = False,
        locale: str = "en-US",
        stale_limits: bool = False,
    ) -> InteractionResult:
        """A chat-input command (``"qa next"`` names a subcommand) or, with ``focused``, its autocomplete.

        Option values outside the synced ``min_length``/``max_length``/``min_value``/``max_value`` are refused
        (``ValueError``) when the command is sent, as Discord's client refuses to send them; ``stale_limits``
        sends them anyway, as a client still holding an older copy of the command would."""
        name, *path = command.split()
        guild = self.world.guild_of(channel)
        schema = self.world.find_command(name, guild.id if guild else None)
        if schema is None:
            known = sorted({c["name"] for scope in self.world.commands.values() for c in scope.values()})
            raise LookupError(f"no application command /{name} has been synced (synced: {known})")
        if guild is not None and not bypass_default_permissions:
            self._check_can_use(schema, guild, self._member(guild, user), channel)
        resolved: JSON = {}
        data: JSON = {"id": schema["id"], "name": schema["name"], "type": 1}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        limits = focused is None and not stale_limits  # while typing, the other options may be unfinished
        data["options"] = self._options(schema, path, dict(options or {}), focused, guild, resolved, limits)
        if resolved:
            data["resolved"] = resolved
        kind = InteractionType.AUTOCOMPLETE if focused is not None else InteractionType.APPLICATION_COMMAND
        label = f"/{command}" + (f" (autocomplete {focused})" if focused else "")
        return self._make(kind, data, user=user, channel=channel, label=label, locale=locale)

    def context_menu(
        self, name: str, target: Member | User | Message, *, user: Actor, channel: Channel
    ) -> InteractionResult:
        """A user (right-click on a member) or message context menu command."""
        kind = 3 if isinstance(target, Message) else 2
        guild = self.world.guild_of(channel)
        schema = self.world.find_command(name, guild.id if guild else None, kind)
        if schema is None:
            raise LookupError(f"no {'message' if kind == 3 else 'user'} command {name!r} has been synced")
        resolved: JSON = {}
        if isinstance(target, Message):
            resolved["messages"] = {str(target.id): copy.deepcopy(target.data)}
        else:
            self._resolve_user(target, guild, resolved)
        data: JSON = {"id": schema["id"], "name": name, "type": kind, "target_id": str(target.id), "resolved": resolved}
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        return self._make(InteractionType.APPLICATION_COMMAND, data, user=user, channel=channel, label=name)

    def component(
        self, message: Message, custom_id: str, *, user: Actor, values: list[str] | None = None
    ) -> InteractionResult:
        """A click on a button, or a choice in a select menu, of a message the bot posted."""
        if message.deleted:
            raise LookupError(f"message {message.id} was deleted; nobody can click it")
        component = next((c for c in iter_components(message.components) if c.get("custom_id") == custom_id), None)
        if component is None:
            raise LookupError(f"message {message.id} has no component {custom_id!r} (it has {message.custom_ids})")
        if component.get("disabled"):
            raise LookupError(f"component {custom_id!r} is disabled; Discord's client would not send the click")
        data: JSON = {"custom_id": custom_id, "component_type": int(component["type"])}
        if component["type"] != 2:
            data["values"] = list(values or [])
        channel = self.world.channel(message.channel_id)
        return self._make(
            InteractionType.MESSAGE_COMPONENT,
            data,
            user=user,
            channel=channel,
            label=f"component {custom_id!r}",
            message=message,
        )

    def modal_submit(
        self, source: InteractionResult, values: Mapping[str, str | list[str]], *, user: Actor | None = None
    ) -> InteractionResult:
        """Submit the modal that ``source``'s callback opened: text inputs get a string, selects a list of values."""
        modal = source.modal
        if modal is None:
            raise LookupError(f"{source.label} was not answered with a modal (callback type {source.callback_type})")
        remaining: dict[str, Any] = dict(values)
        components = [_submitted(c, remaining) for c in modal.get("components", [])]
        if remaining:
            raise LookupError(f"the modal has no inputs {sorted(remaining)}")
        data = {"custom_id": modal["custom_id"], "components": components}
        actor = user or self._actor_of(source)
        channel = self.world.channel(source.channel_id)
        return self._make(
            InteractionType.MODAL_SUBMIT,
            data,
            user=actor,
            channel=channel,
            label=f"modal {modal['custom_id']!r}",
            message=source.source_message,
        )

    def _make(
        self,
        kind: int,
        data: JSON,
        *,
        user: Actor,
        channel: Channel,
        label: str,
        message: Message | None = None,
        locale: str = "en-US",
    ) -> InteractionResult:
        interaction_id = self.ids.next()
        token = secrets.token_urlsafe(48)
        guild = self.world.guild_of(channel)
        channel_data = channel.payload()
        payload: JSON = {
            "id": str(interaction_id),
            "application_id": str(self.world.application_id),
            "type": kind,
            "data": data,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "locale": locale,
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "app_permissions": str(self.world.bot_permissions(channel)),
        }
        if guild is not None:
            member = self._member(guild, user)
            perms = guild.permissions_in(member, channel)
            channel_data["permissions"] = str(perms)
            payload.update(
                guild_id=str(guild.id),
                guild_locale="en-US",
                guild={"id": str(guild.id), "locale": "en-US", "features": ["COMMUNITY"]},
                member=member.payload(permissions=perms),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
            actor_user = member.user
        else:
            actor_user = user.user if isinstance(user, Member) else user
            payload.update(user=actor_user.payload(), authorizing_integration_owners={"0": "0"}, context=1)
        payload["channel"] = channel_data
        if message is not None:
            # A snapshot of the message as clicked; marshal copies plain JSON data several times faster than deepcopy.
            payload["message"] = marshal.loads(marshal.dumps(message.data))
        record = InteractionResult(
            interaction_id,
            token,
            kind,
            payload,
            label,
            channel.id,
            actor_user.id,
            guild.id if guild else None,
            self.notifier,
            source_message=message,
        )
        self.records[interaction_id] = record
        self._unsettled[interaction_id] = record
        self._by_token[token] = record
        return record

    def _member(self, guild: Guild, user: Actor) -> Member:
        user_id = user.id
        member = guild.members.get(user_id)
        if member is None:
            raise LookupError(f"user {user_id} is not a member of guild {guild.name!r}")
        return member

    def _actor_of(self, record: InteractionResult) -> Actor:
        if record.guild_id is not None:
            return self.world.guilds[record.guild_id].members[record.user_id]
        return self.world.users[record.user_id]

    def _check_can_use(self, command: JSON, guild: Guild, member: Member, channel: Channel) -> None:
        perms = guild.permissions_in(member, channel)
        if not perms & Permission.USE_APPLICATION_COMMANDS:
            raise PermissionError(f"{member.display_name} may not use application commands in #{channel.name}")
        required = command.get("default_member_permissions")
        if required is not None and int(required) & ~perms:
            raise PermissionError(
                f"{member.display_name} cannot see /{command['name']}: it needs permissions {required} "
                "(default_member_permissions); pass bypass_default_permissions=True to model an admin override"
            )

    def _options(
        self,
        schema: JSON,
        path: list[str],
        values: dict[str, Any],
        focused: str | None,
        guild: Guild | None,
        resolved: JSON,
        limits: bool = True,
    ) -> list[JSON]:
        specs: list[JSON] = schema.get("options") or []
        chain: list[JSON] = []
        for part in path:
            sub = next((o for o in specs if o["name"] == part and o["type"] in (1, 2)), None)
            if sub is None:
                names = [o["name"] for o in specs if o["type"] in (1, 2)]
                raise LookupError(f"/{schema['name']} has no subcommand {part!r} here (has {names})")
            chain.append(sub)
            specs = sub.get("options") or []
        subcommands = [o["name"] for o in specs if o["type"] in (1, 2)]
        if subcommands:
            raise LookupError(f"/{' '.join([schema['name'], *path])} needs a subcommand: {subcommands}")
        by_name = {o["name"]: o for o in specs}
        unknown = sorted(set(values) - set(by_name))
        if unknown:
            raise LookupError(f"/{schema['name']} has no option(s) {unknown} (has {sorted(by_name)})")
        if focused is not None and focused not in by_name:
            raise LookupError(f"/{schema['name']} has no option {focused!r} to autocomplete")
        if focused is not None and not by_name[focused].get("autocomplete"):
            raise LookupError(f"option {focused!r} of /{schema['name']} does not have autocomplete enabled")
        if focused is None:
            missing = [o["name"] for o in specs if o.get("required") and o["name"] not in values]
            if missing:
                raise LookupError(f"/{schema['name']} requires option(s) {missing}")
        options = [
            self._option(by_name[name], value, name == focused, guild, resolved, limits)
            for name, value in values.items()
        ]
        if focused is not None and focused not in values:
            options.append({"name": focused, "type": by_name[focused]["type"], "value": "", "focused": True})
        for sub in reversed(chain):
            options = [{"name": sub["name"], "type": sub["type"], "options": options}]
        return options

    def _option(
        self, spec: JSON, value: Any, focused: bool, guild: Guild | None, resolved: JSON, limits: bool = True
    ) -> JSON:
        kind = int(spec["type"])
        entry: JSON = {"name": spec["name"], "type": kind}
        if focused:
            # While typing, Discord sends the raw text of the focused option whatever its type.
            entry.update(value=str(value), focused=True)
            return entry
        if kind == 3:
            if not isinstance(value, str):
                raise TypeError(f"option {spec['name']!r} is a string option, got {value!r}")
            low, high = spec.get("min_length", 0), spec.get("max_length", OPTION_LENGTH_MAX)
            if not low <= len(value) <= high and (limits or len(value) > OPTION_LENGTH_MAX):
                raise ValueError(
                    f"option {spec['name']!r}: length {len(value)} is outside the allowed range {low} to {high}"
                )
        elif kind == 4:
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"option {spec['name']!r} is an integer option, got {value!r}")
        elif kind == 10:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"option {spec['name']!r} is a number option, got {value!r}")
        elif kind == 5:
            if not isinstance(value, bool):
                raise TypeError(f"option {spec['name']!r} is a boolean option, got {value!r}")
        elif kind in (6, 7, 8, 9):
            entry["value"] = self._resolve_target(spec, value, guild, resolved)
            return entry
        else:
            raise NotImplementedError(f"option type {kind} ({spec['name']!r}) is not emulated")
        if limits and kind in (4, 10) and not spec.get("min_value", value) <= value <= spec.get("max_value", value):
            raise ValueError(f"option {spec['name']!r}: {value} is outside the allowed range")
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise ValueError(f"option {spec['name']!r} only allows {[c['value'] for c in choices]}, got {value!r}")
        entry["value"] = value
        return entry

    def _resolve_target(self, spec: JSON, value: Any, guild: Guild | None, resolved: JSON) -> str:
        kind = int(spec["type"])
        if isinstance(value, Member | User) and kind in (6, 9):
            self._resolve_user(value, guild, resolved)
        elif isinstance(value, Channel) and kind == 7:
            types = spec.get("channel_types")
            if types and int(value.type) not in types:
                raise ValueError(f"option {spec['name']!r} only accepts channel types {types}")
            data = value.payload()
            data["permissions"] = str(self.world.bot_permissions(value))
            resolved.setdefault("channels", {})[str(value.id)] = data
        elif isinstance(value, Role) and kind in (8, 9):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
        else:
            raise TypeError(f"option {spec['name']!r} is a {_OPTION_TYPE_NAMES[kind]} option, got {value!r}")
        return str(value.id)

    def _resolve_user(self, target: Member | User, guild: Guild | None, resolved: JSON) -> None:
        user = target.user if isinstance(target, Member) else target
        resolved.setdefault("users", {})[str(user.id)] = user.payload()
        member = guild.members.get(user.id) if guild is not None else None
        if member is not None:
            data = member.payload(permissions=guild.base_permissions(member) if guild else None)
            del data["user"]
            resolved.setdefault("members", {})[str(user.id)] = data

    # ----------------------------------------------------------------- the bot's answers

    def callback(
        self, interaction_id: int, token: str, body: JSON, uploads: list[Upload], *, arrived: float | None = None
    ) -> JSON:
        """Take ``POST /interactions/{id}/{token}/callback``; return Discord's interaction callback response.

        ``arrived`` is when the request reached the server: latency and the deadline count to it, so an injected
        slow answer does not make a punctual bot look late.
        """
        now = time.perf_counter() if arrived is None else arrived
        record = self.records.get(interaction_id)
        if record is None or record.token != token:
            raise errors.unknown_interaction()
        if record.callback is not None:
            record.rejected_callbacks.append((400, 40060))
            raise errors.already_acknowledged()
        if self.deadline is not None and record.sent_at is not None and now - record.sent_at > self.deadline:
            self._reject(record, 404, 10062)
            raise errors.unknown_interaction()
        try:
            self._apply_callback(record, body, uploads)
        except errors.ApiError as exc:
            # A refused callback settles the wait too: the test sees why instead of a timeout.
            self._reject(record, exc.status, exc.code)
            raise
        if not record.rejected_callbacks:
            self.settled += 1
            self._unsettled.pop(record.id, None)
        record.callback = body
        record.callback_at = now
        self.notifier.notify()
        kind = int(body["type"])
        response = record.response
        result: JSON = {
            "interaction": {
                "id": str(record.id),
                "type": record.type,
                "response_message_id": str(response.id) if response is not None else None,
                "response_message_loading": kind == CallbackType.DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(response is not None and response.ephemeral),
            },
        }
        if kind in (4, 5, 7) and response is not None:
            result["resource"] = {"type": kind, "message": response.data}
        elif kind != 6:
            result["resource"] = {"type": kind}
        return result

    def _apply_callback(self, record: InteractionResult, body: JSON, uploads: list[Upload]) -> None:
        """Check the callback fits the interaction and do what it asks (post, defer, update, autocomplete, modal)."""
        kind = int(body.get("type") or 0)
        data: JSON = body.get("data") or {}
        if kind not in _ALLOWED_CALLBACKS[record.type] or (kind in (6, 7) and record.source_message is None):
            form = errors.FormErrors()
            form.add(("type",), "INTERACTION_CALLBACK_TYPE_INVALID", f"Callback type {kind} is invalid here")
            form.raise_if_any()
        channel = self.world.channel(record.channel_id)
        if kind == CallbackType.CHANNEL_MESSAGE:
            record.response = self._respond(record, channel, data, uploads)
        elif kind == CallbackType.DEFERRED_CHANNEL_MESSAGE:
            ephemeral = int(data.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL
            record.response = self._respond(record, channel, {"content": "", "flags": ephemeral}, [], loading=True)
        elif kind == CallbackType.DEFERRED_UPDATE_MESSAGE:
            record.response = record.source_message
        elif kind == CallbackType.UPDATE_MESSAGE:
            assert record.source_message is not None
            self.world.apply_edit(record.source_message, data, uploads)
            record.response = record.source_message
        elif kind == CallbackType.AUTOCOMPLETE_RESULT:
            check_autocomplete_choices(data)
        elif kind == CallbackType.MODAL:
            check_modal(data)

    def _reject(self, record: InteractionResult, status: int, code: int) -> None:
        if not record.rejected_callbacks:
            self.settled += 1
            self._unsettled.pop(record.id, None)
        record.rejected_callbacks.append((status, code))
        self.notifier.notify()

    def _respond(
        self, record: InteractionResult, channel: Channel, body: JSON, uploads: list[Upload], *, loading: bool = False
    ) -> Message:
        metadata: JSON = {
            "id": str(record.id),
            "type": record.type,
            "user": record.payload.get("member", {}).get("user") or record.payload.get("user"),
            "authorizing_integration_owners": record.payload["authorizing_integration_owners"],
        }
        if record.type == InteractionType.APPLICATION_COMMAND:
            metadata["name"] = record.payload["data"]["name"]
        message_type = (
            MessageType.CHAT_INPUT_COMMAND
            if record.type == InteractionType.APPLICATION_COMMAND
            else MessageType.DEFAULT
        )
        if not loading:
            check_message_body(body, has_files=bool(uploads))
        return self.world.store_message(
            channel,
            self.world.bot,
            body,
            uploads,
            message_type=message_type,
            extra_flags=MESSAGE_FLAG_LOADING if loading else 0,
            interaction=metadata,
            webhook=True,
        )

    def _record_for_webhook(self, application_id: int, token: str) -> InteractionResult:
        record = self._by_token.get(token)
        if record is None or application_id != self.world.application_id:
            raise errors.unknown_webhook()
        if record.callback is None or record.callback_at is None:
            # Until the interaction is acknowledged its webhook does not exist yet.
            raise errors.unknown_webhook()
        if time.perf_counter() - record.callback_at > FOLLOWUP_WINDOW:
            raise errors.ApiError(401, 50027, "Invalid Webhook Token")
        return record

    def original(self, application_id: int, token: str) -> Message:
        record = self._record_for_webhook(application_id, token)
        if record.response is None or record.response.deleted:
            raise errors.unknown_message()
        return record.response

    def edit_original(self, application_id: int, token: str, body: JSON, uploads: list[Upload]) -> Message:
        message = self.original(application_id, token)
        record = self._by_token[token]
        self.world.apply_edit(message, body, uploads, clear_flags=MESSAGE_FLAG_LOADING)
        record.original_edits.append(body)
        self.notifier.notify()
        return message

    def delete_original(self, application_id: int, token: str) -> None:
        message = self.original(application_id, token)
        self.world.mark_deleted(message)
        self.notifier.notify()

    def followup(self, application_id: int, token: str, body: JSON, uploads: list[Upload]) -> Message:
        record = self._record_for_webhook(application_id, token)
        original = record.response
        if (
            record.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original.flags & MESSAGE_FLAG_LOADING
        ):
            # The first followup after a "thinking" deferral fills in the loading message instead of adding one.
            self.world.apply_edit(original, body, uploads, clear_flags=MESSAGE_FLAG_LOADING)
            record.followups.append(original)
            self.notifier.notify()
            return original
        channel = self.world.channel(record.channel_id)
        message = self._respond(record, channel, body, uploads)
        record.followups.append(message)
        self.notifier.notify()
        return message

    def followup_message(self, application_id: int, token: str, message_id: int) -> Message:
        record = self._record_for_webhook(application_id, token)
        for message in [*record.followups, *([record.response] if record.response else [])]:
            if message.id == message_id and not message.deleted:
                return message
        raise errors.unknown_message()

    def edit_followup(
        self, application_id: int, token: str, message_id: int, body: JSON, uploads: list[Upload]
    ) -> Message:
        message = self.followup_message(application_id, token, message_id)
        self.world.apply_edit(message, body, uploads, clear_flags=MESSAGE_FLAG_LOADING)
        self.notifier.notify()
        return message

    def delete_followup(self, application_id: int, token: str, message_id: int) -> None:
        self.world.mark_deleted(self.followup_message(application_id, token, message_id))
        self.notifier.notify()


def _submitted(component: JSON, values: dict[str, Any]) -> JSON:
    """What Discord sends back for one modal component: rows and labels keep their shape, inputs carry values."""
    kind = component.get("type")
    if kind == 1:
        return {"type": 1, "components": [_submitted(c, values) for c in component.get("components", [])]}
    if kind == 18:
        return {"type": 18, "component": _submitted(component["component"], values)}
    custom_id = str(component.get("custom_id") or "")
    if kind == 4:
        value = values.pop(custom_id, component.get("value") or "")
        if component.get("required", True) and not value:
            raise LookupError(f"modal input {custom_id!r} is required; give it a value")
        return {"type": 4, "custom_id": custom_id, "value": value}
    if kind in (3, 5, 6, 7, 8):
        chosen: list[str] = values.pop(custom_id, [])
        return {"type": kind, "custom_id": custom_id, "values": list(chosen)}
    return {"type": kind, **({"custom_id": custom_id} if custom_id else {})}
