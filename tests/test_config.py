"""Bot settings from the environment and one config file; every problem listed at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import open_services
from bot.cli import cli
from bot.config import ConfigError, load_settings
from bot.qa.errors import InvalidQuestionText, RateLimited
from bot.qa.model import QAConfig


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


# --- the Q&A limits ----------------------------------------------------------------------------------------------


def required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The settings every start needs, from the environment; the schedule is a small real file."""
    schedule = tmp_path / "day.yaml"
    schedule.write_text(
        "event: {name: Day, timezone: Europe/Vienna, date: 2024-05-11}\n"
        "sessions:\n"
        '  - {id: talk, title: A talk, start: "09:00", end: "09:30"}\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("CHAIRBOT_GUILD_ID", "123")
    monkeypatch.setenv("CHAIRBOT_ANNOUNCE_CHANNEL", "announcements")
    monkeypatch.setenv("CHAIRBOT_SCHEDULE", str(schedule))
    monkeypatch.setenv("CHAIRBOT_DATA_DIR", str(tmp_path / "data"))


def test_question_limits_default_to_the_qa_service_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    required(monkeypatch, tmp_path)
    assert load_settings().qa_config() == QAConfig()


def test_question_limits_come_from_the_file_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    path = tmp_path / "chairbot.toml"
    path.write_text("question_min_length = 10\nquestion_max_length = 200\nquestions_per_minute = 5\n", encoding="utf-8")
    monkeypatch.setenv("CHAIRBOT_QUESTIONS_PER_MINUTE", "2")
    config = load_settings(path).qa_config()
    assert (config.min_length, config.max_length, config.rate_limit) == (10, 200, 2)
    assert config.rate_window == dt.timedelta(minutes=1)


def test_a_question_longer_than_discord_allows_is_refused_at_start_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_QUESTION_MAX_LENGTH", "6001")
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "chairbot cannot start; fix these settings:" in result.stderr
    assert "question_max_length: 6001 is more than Discord allows" in result.stderr
    assert "at most 6000 characters; set 6000 or less" in result.stderr
    monkeypatch.setenv("CHAIRBOT_QUESTION_MAX_LENGTH", "6000")
    assert load_settings().question_max_length == 6000


def test_a_minimum_above_the_maximum_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_QUESTION_MIN_LENGTH", "50")
    monkeypatch.setenv("CHAIRBOT_QUESTION_MAX_LENGTH", "40")
    with pytest.raises(ConfigError, match=r"question_min_length \(50\) is more than question_max_length \(40\)"):
        load_settings()


async def test_the_bot_s_qa_service_keeps_the_configured_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_QUESTION_MIN_LENGTH", "5")
    monkeypatch.setenv("CHAIRBOT_QUESTION_MAX_LENGTH", "20")
    monkeypatch.setenv("CHAIRBOT_QUESTIONS_PER_MINUTE", "1")
    _, qa, source = await open_services(load_settings())
    try:
        with pytest.raises(InvalidQuestionText):
            await qa.ask("talk", "u1", "Why?", author_name="Ann")
        with pytest.raises(InvalidQuestionText):
            await qa.ask("talk", "u1", "Twenty-one characters", author_name="Ann")
        await qa.ask("talk", "u1", "Is it open source?", author_name="Ann")
        with pytest.raises(RateLimited, match="at most 1 question a minute"):
            await qa.ask("talk", "u1", "And the data?", author_name="Ann")
    finally:
        await qa.close()
        await source.close()


PENTABARF_WITHOUT_ZONE = Path(__file__).parent / "schedule" / "fixtures" / "frab_pentabarf_berlin_no_dates.xml"


async def test_venue_timezone_gives_a_zone_to_an_export_that_names_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_SCHEDULE", str(PENTABARF_WITHOUT_ZONE))
    monkeypatch.setenv("CHAIRBOT_VENUE_TIMEZONE", "Europe/Berlin")
    schedule, qa, source = await open_services(load_settings())
    try:
        assert schedule.event.timezone.key == "Europe/Berlin"
        # The file's first talk, "22:00" on 26 October 2024, is 22:00 in Berlin (20:00 UTC, summer time).
        assert schedule.sessions[0].start == dt.datetime(2024, 10, 26, 20, 0, tzinfo=dt.UTC)
    finally:
        await qa.close()
        await source.close()


def test_without_venue_timezone_such_an_export_stops_start_up_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_SCHEDULE", str(PENTABARF_WITHOUT_ZONE))
    result = CliRunner().invoke(cli, ["run"])
    assert result.exit_code == 1
    assert "has no 'time_zone_name'" in result.stderr
    assert 'venue_timezone = "Europe/Vienna"' in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_venue_timezone_is_named_with_a_suggestion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    required(monkeypatch, tmp_path)
    monkeypatch.setenv("CHAIRBOT_VENUE_TIMEZONE", "Europe/Berln")
    with pytest.raises(ConfigError) as info:
        load_settings()
    (problem,) = info.value.problems
    assert problem.startswith("venue_timezone:")
    assert "Europe/Berlin" in problem


def test_the_events_tab_shows_90_events_unless_set_and_never_more_than_discord_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    required(monkeypatch, tmp_path)
    assert load_settings().events_tab_max == 90
    monkeypatch.setenv("CHAIRBOT_EVENTS_TAB_MAX", "101")
    with pytest.raises(ConfigError, match=r"events_tab_max.*100"):
        load_settings()
