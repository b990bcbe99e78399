"""Bot settings from the environment and one config file; every problem listed at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("CHAIRBOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)


def test_nothing_set_lists_every_missing_setting_with_where_to_set_it() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings()
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == ["discord_token", "guild_id", "announce_channel", "schedule"]
    assert "DISCORD_TOKEN" in problems[0]
    assert "CHAIRBOT_GUILD_ID" in problems[1]


def test_toml_file_with_token_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "chairbot.toml"
    path.write_text(
        'guild_id = 123\nannounce_channel = "#announcements"\nschedule = "day.yaml"\n'
        'moderator_roles = ["Session chair", 99]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    settings = load_settings(path)
    assert settings.guild_id == 123
    assert settings.announce_channel == "announcements"
    assert settings.moderator_roles == ["Session chair", "99"]
    assert settings.organizer_roles == ["Organizer"]
    assert settings.discord_token.get_secret_value() == "secret-token"
    assert "secret-token" not in repr(settings)


def test_environment_overrides_the_yaml_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "chairbot.yaml"
    path.write_text(
        "guild_id: 123\nannounce_channel: general\nschedule: https://example.org/s.json\n", encoding="utf-8"
    )
    monkeypatch.setenv("CHAIRBOT_CONFIG", str(path))
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CHAIRBOT_MODERATOR_ROLES", "Mods, Chairs")
    monkeypatch.setenv("CHAIRBOT_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    assert settings.moderator_roles == ["Mods", "Chairs"]
    assert settings.schedule_is_url()
    assert settings.database_path == tmp_path / "data" / "chairbot.db"


def test_unknown_and_wrong_settings_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "chairbot.toml"
    path.write_text(
        'guild_id = "not a number"\nannounce_channel = "a"\nschedule = "s.yaml"\nmoderator_role = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    text = str(info.value)
    assert "guild_id: input should be a valid integer" in text
    assert "moderator_role: unknown setting" in text


def test_missing_or_broken_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("guild_id = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=str(broken)):
        load_settings(broken)
