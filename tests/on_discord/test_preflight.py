"""``chairbot preflight`` against the emulator: what exists, what is missing, and the exit code."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.on_discord.preflight import run_checks
from tests.emulator import DEFAULT_BOT_PERMISSIONS, DiscordEmulator, Permission


def _settings(emu: DiscordEmulator, tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "discord_token": emu.token,
        "guild_id": emu.guild.id,
        "announce_channel": "announcements",
        "qa_channel": "questions",
        "schedule": "day.yaml",
        "data_dir": tmp_path,
        "moderator_roles": ["Moderator"],
        "organizer_roles": ["Organizer"],
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


async def test_everything_in_place(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        emu.add_text_channel("announcements")
        emu.add_text_channel("questions")
        emu.add_role("Moderator")
        emu.add_role("Organizer")
        checks = await run_checks(_settings(emu, tmp_path))
    assert all(check.ok for check in checks), [c.line() for c in checks if not c.ok]
    assert any("server permission manage_events" in c.what for c in checks)


async def test_missing_channel_role_and_permissions_are_each_named(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        announcements = emu.add_text_channel("announcements")
        emu.add_role("Moderator")
        emu.set_bot_permissions(DEFAULT_BOT_PERMISSIONS & ~int(Permission.MANAGE_EVENTS))
        emu.set_channel_overwrite(announcements, emu.guild.bot_role, deny=Permission.EMBED_LINKS)
        checks = await run_checks(_settings(emu, tmp_path))
    missing = [c.what for c in checks if not c.ok]
    assert any("manage_events" in m for m in missing)
    assert any(m.startswith("#announcements: embed_links") for m in missing)
    assert any(m.startswith("qa_channel 'questions'") for m in missing)
    assert any("organizer_roles: role 'Organizer' does not exist" in m for m in missing)


async def test_a_wrong_token_is_reported_not_raised(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        checks = await run_checks(_settings(emu, tmp_path, discord_token="wrong"))
    assert [c.line() for c in checks] == ["MISSING DISCORD_TOKEN: Discord refused the token"]


async def test_an_unknown_server_is_reported(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        checks = await run_checks(_settings(emu, tmp_path, guild_id=12345))
    assert not checks[-1].ok
    assert "server 12345: not found" in checks[-1].what


async def test_every_room_channel_is_checked(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        emu.add_text_channel("announcements")
        emu.add_text_channel("questions")
        emu.add_text_channel("rolin")
        emu.add_role("Moderator")
        emu.add_role("Organizer")
        rooms = {"H.1308 (Rolin)": "rolin", "Janson": "janson"}
        checks = await run_checks(_settings(emu, tmp_path, rooms=rooms))
    assert "rooms 'H.1308 (Rolin)' #rolin" in [c.what for c in checks if c.ok]
    assert any(c.what.startswith("#rolin: send_messages") and c.ok for c in checks)
    assert [c.what for c in checks if not c.ok] == ["rooms 'Janson' 'janson': no text channel by that name or id"]
