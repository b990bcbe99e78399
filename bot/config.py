"""The bot's settings: from the environment and one config file (TOML or YAML), validated with pydantic.

Secrets come from the environment (``DISCORD_TOKEN``); everything else may sit in the file given with
``--config`` or ``CHAIRBOT_CONFIG``, and any ``CHAIRBOT_<NAME>`` variable overrides the file. Every problem is
collected into one :class:`ConfigError` whose message lists them all, each saying where to set the value.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

from bot.qa.model import QAConfig
from bot.zones import get_zone, zone_name

CONFIG_ENV = "CHAIRBOT_CONFIG"

#: Discord's client takes at most this many characters in a slash-command string option (``/ask question``).
DISCORD_OPTION_MAX_LENGTH = 6000


class ConfigError(Exception):
    """Settings that stop the bot from starting; the message lists every problem and where to fix it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _split_names(value: Any) -> Any:
    """``"Moderator, Session chair"`` from an environment variable is a list of two roles."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, list):
        return [str(item) if isinstance(item, int) else item for item in value]
    return value


RoleList = Annotated[list[str], NoDecode]


def room_channel(rooms: Mapping[str, str], room: str | None, track: str | None = None) -> str | None:
    """The channel ``rooms`` gives ``room`` (else ``track``), names matched without regard to case."""
    if not rooms:
        return None
    folded = {name.strip().casefold(): channel for name, channel in rooms.items()}
    for key in (room, track):
        if key and key.strip().casefold() in folded:
            return folded[key.strip().casefold()]
    return None


def url_host(host: str) -> str:
    """``host`` as it goes in a URL people open: ``localhost`` for every address, brackets around IPv6."""
    if host in ("0.0.0.0", "::", ""):
        return "localhost"
    return f"[{host}]" if ":" in host else host


class Settings(BaseSettings):
    """What the bot needs to run on a server. Channels and roles are given by id or by name."""

    model_config = SettingsConfigDict(env_prefix="CHAIRBOT_", extra="forbid", populate_by_name=True)

    #: Where each setting may be written, for error messages.
    HINTS: ClassVar[dict[str, str]] = {
        "discord_token": "set the environment variable DISCORD_TOKEN to the bot token from the Discord "
        "developer portal (Applications > your app > Bot > Reset Token)",
        "guild_id": "set guild_id in the config file or CHAIRBOT_GUILD_ID (the server's id: right-click the "
        "server with Developer Mode on > Copy Server ID)",
        "announce_channel": "set announce_channel (a channel name or id) in the config file or "
        "CHAIRBOT_ANNOUNCE_CHANNEL",
        "schedule": "set schedule (a file path or an https:// URL) in the config file or CHAIRBOT_SCHEDULE",
    }

    discord_token: SecretStr = Field(validation_alias=AliasChoices("DISCORD_TOKEN", "discord_token"))
    guild_id: int = Field(gt=0)
    announce_channel: str = Field(min_length=1)
    #: Where questions go on stage: a channel (name or id), or empty for one thread per talk.
    qa_channel: str | None = None
    #: Where the bot tells organizers about schedule changes it picked up or refused (optional).
    organizer_channel: str | None = None
    #: A channel for each room (or track) of a multi-room event: ``{"H.1308 (Rolin)": "rolin"}``. A session's
    #: announcements, Q&A thread and closing note go to its room's channel (its track's, when its room has none);
    #: the rest to ``announce_channel``, which also gets one digest when sessions start together.
    rooms: dict[str, str] = Field(default_factory=dict)
    #: Personal reminders sent per second at most (direct messages in a burst look like spam to Discord; its
    #: "too fast" answer slows them down further by itself).
    reminders_per_second: float = Field(default=5.0, gt=0, le=50)
    #: Scheduled events the bot keeps in the server's Events tab at most, for the next sessions (Discord holds 100
    #: at most per server, counting the organizers' own; 0: none are made).
    events_tab_max: int = Field(default=90, ge=0, le=100)
    moderator_roles: RoleList = Field(default_factory=lambda: ["Moderator"])
    organizer_roles: RoleList = Field(default_factory=lambda: ["Organizer"])
    data_dir: Path = Path("data")
    #: Q&A of a session closes this many minutes after its end, with the unanswered questions for the speaker.
    qa_close_after_minutes: int = Field(default=10, ge=0, le=24 * 60)
    #: Fewest and most characters in a question; ``/ask`` tells Discord, whose client enforces them as you type.
    question_min_length: int = Field(default=QAConfig.model_fields["min_length"].default, ge=1)
    question_max_length: int = Field(default=QAConfig.model_fields["max_length"].default, ge=1)
    #: Questions one attendee may ask in one session within a minute.
    questions_per_minute: int = Field(default=QAConfig.model_fields["rate_limit"].default, ge=1)
    schedule: str = Field(min_length=1)
    #: The venue's zone for a schedule that names none (a pretalx or frab export without ``time_zone_name``);
    #: a zone in the schedule wins.
    venue_timezone: str | None = None
    #: Where the web side listens (``127.0.0.1:8080``; port 0: any free one); off when not set.
    web_listen: str | None = None
    #: The web side's address as people reach it (``https://chair.example.org``, behind a reverse proxy with
    #: TLS), for the links the bot hands out; without it, ``http://`` and ``web_listen``.
    public_url: str | None = None
    #: Whether anyone may ask and vote on the web page ``/ask/{session}`` (its questions wait for a moderator
    #: unless ``web_ask_review`` is off).
    web_ask: bool = False
    web_ask_review: bool = True
    #: The web side is reached through one reverse proxy (nginx, Caddy) that sets ``X-Forwarded-For`` and
    #: ``X-Forwarded-Proto``: the limits per address then count the visitor's address, not the proxy's. Only with
    #: ``web_listen`` on an address nobody reaches but the proxy, since anyone else could write those headers.
    web_behind_proxy: bool = False
    #: The key that signs the web side's sign-in links and cookies (16 characters or more); without it, a random
    #: key kept in the data directory's database.
    web_secret: SecretStr | None = None

    _config_file: ClassVar[Path | None] = None

    @field_validator("moderator_roles", "organizer_roles", mode="before")
    @classmethod
    def _roles(cls, value: Any) -> Any:
        return _split_names(value)

    @field_validator("announce_channel", "qa_channel", "organizer_channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        if isinstance(value, int):
            return str(value)
        if isinstance(value, str):
            return value.strip().lstrip("#") or None
        return value

    @field_validator("rooms", mode="before")
    @classmethod
    def _room_channels(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        cleaned: dict[str, Any] = {}
        for room, channel in value.items():
            name = str(room).strip()
            target = str(channel).strip().lstrip("#") if isinstance(channel, str | int) else channel
            if not name or target == "":
                raise ValueError(f"rooms: {room!r} = {channel!r} needs both a room name and a channel")
            cleaned[name] = target
        return cleaned

    def room_channel(self, room: str | None, track: str | None = None) -> str | None:
        """The channel of ``room`` (else of ``track``), matched without regard to case; None: the announcement
        channel."""
        return room_channel(self.rooms, room, track)

    @field_validator("venue_timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return zone_name(get_zone(value.strip()))  # ZoneError (a ValueError) names the closest known zones

    @field_validator("web_listen")
    @classmethod
    def _host_and_port(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        host_and_port(value)
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or "://" not in url or not url.split("://", 1)[1]:
            raise ValueError(f"{value!r} is not a web address; write it like https://chair.example.org")
        return url

    @field_validator("web_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("web_secret must be at least 16 characters (or leave it out: one is made and kept)")
        return value

    @property
    def web_address(self) -> tuple[str, int] | None:
        """``web_listen`` as (host, port), or None when the web side is off."""
        return None if self.web_listen is None else host_and_port(self.web_listen)

    @field_validator("question_min_length", "question_max_length")
    @classmethod
    def _fits_discord(cls, value: int) -> int:
        if value > DISCORD_OPTION_MAX_LENGTH:
            raise ValueError(
                f"{value} is more than Discord allows: a slash-command option (the question of /ask) takes at most "
                f"{DISCORD_OPTION_MAX_LENGTH} characters; set {DISCORD_OPTION_MAX_LENGTH} or less"
            )
        return value

    @model_validator(mode="after")
    def _question_lengths_ordered(self) -> Self:
        if self.question_min_length > self.question_max_length:
            raise ValueError(
                f"question_min_length ({self.question_min_length}) is more than question_max_length "
                f"({self.question_max_length}); no question could be asked"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = cls._config_file
        if path is not None:
            if path.suffix.lower() == ".toml":
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
            else:
                sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

    def schedule_is_url(self) -> bool:
        return self.schedule.lower().startswith(("http://", "https://"))

    def qa_config(self) -> QAConfig:
        """The Q&A service's limits as these settings give them (storage settings keep their defaults)."""
        return QAConfig(
            min_length=self.question_min_length,
            max_length=self.question_max_length,
            rate_limit=self.questions_per_minute,
            rate_window=dt.timedelta(minutes=1),
        )

    @classmethod
    def for_rehearsal(
        cls,
        data_dir: Path,
        *,
        qa_close_after_minutes: int = 10,
        web_ask: bool = False,
        rooms: dict[str, str] | None = None,
        announce_channel: str = "announcements",
        qa_channel: str | None = None,
    ) -> Settings:
        """Settings for a rehearsal on the console: no server and no token; every rule as by default, and the web
        side's ask page as asked."""
        return cls.model_construct(
            discord_token=SecretStr("rehearsal"),
            guild_id=0,
            announce_channel=announce_channel,
            qa_channel=qa_channel,
            schedule="rehearsal",
            data_dir=data_dir,
            qa_close_after_minutes=qa_close_after_minutes,
            web_ask=web_ask,
            rooms=cls._room_channels(rooms or {}),
        )

    @property
    def database_path(self) -> Path:
        return self.data_dir / "chairbot.db"


def host_and_port(value: str) -> tuple[str, int]:
    """``127.0.0.1:8080`` -> ("127.0.0.1", 8080) (port 0: any free one); ValueError saying how to write it."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{value!r} is not HOST:PORT; write e.g. 127.0.0.1:8080")
    return host.strip("[]"), int(port)


def _describe(error: ErrorDetails) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "config"
    if field == "DISCORD_TOKEN":
        field = "discord_token"
    hint = Settings.HINTS.get(field)
    if error["type"] == "missing":
        message = f"{field}: missing"
        return f"{message}; {hint}" if hint else message
    if error["type"] == "extra_forbidden":
        return f"{field}: unknown setting; known settings: {', '.join(Settings.model_fields)}"
    text = str(error["msg"]).removeprefix("Value error, ")
    return f"{field}: {text[:1].lower()}{text[1:]}"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Settings from the environment and ``config_file`` (or ``$CHAIRBOT_CONFIG``); :class:`ConfigError`
    listing every problem otherwise."""
    chosen = config_file if config_file is not None else os.environ.get(CONFIG_ENV) or None
    path = Path(chosen) if chosen else None
    if path is not None:
        if not path.is_file():
            raise ConfigError([f"{path}: config file not found (given with --config or {CONFIG_ENV})"])
        try:
            path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError([f"{path}: cannot read the config file: {exc}"]) from None
    # The file is a class-level setting of the sources hook; set it only for this call.
    Settings._config_file = path
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(error) for error in exc.errors(include_url=False)]) from None
    except ValueError as exc:  # a config file that is not valid TOML/YAML
        raise ConfigError([f"{path}: {exc}"]) from None
    finally:
        Settings._config_file = None
