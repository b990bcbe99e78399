"""Zone lookup with suggestions, and wall-clock times at the venue turned into instants (DST gap and fold)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from bot.zones import LocalTimeError, ZoneError, get_zone, is_unambiguous, localize

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_known_zone_is_returned() -> None:
    assert get_zone("Asia/Kathmandu").key == "Asia/Kathmandu"


@pytest.mark.parametrize(
    ("wrong", "meant"),
    [
        ("Europe/Viena", "Europe/Vienna"),
        ("europe/vienna", "Europe/Vienna"),
        ("America/New York", "America/New_York"),
        ("Vienna", "Europe/Vienna"),
        ("Kolkata", "Asia/Kolkata"),
    ],
)
def test_unknown_zone_suggests_the_likely_one(wrong: str, meant: str) -> None:
    with pytest.raises(ZoneError, match=f"unknown time zone '{wrong}'; did you mean '{meant}'"):
        get_zone(wrong)


@pytest.mark.parametrize("wrong", ["Mars/Olympus_Mons", "../../etc/passwd", "", "   "])
def test_hopeless_zone_names_say_what_a_zone_looks_like(wrong: str) -> None:
    with pytest.raises(ZoneError, match="Europe/Vienna"):
        get_zone(wrong)


def test_an_ordinary_time_is_one_instant() -> None:
    assert localize(dt.datetime(2024, 5, 11, 9, 0), VIENNA) == dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC)


def test_a_time_in_the_spring_forward_gap_is_refused_with_the_fix() -> None:
    with pytest.raises(LocalTimeError) as info:
        localize(dt.datetime(2024, 3, 31, 2, 30), VIENNA)
    message = str(info.value)
    assert "02:30 on 2024-03-31 does not exist in Europe/Vienna" in message
    assert "jump forward by 1 hour" in message
    assert "'2024-03-31T03:30+02:00'" in message


def test_a_time_in_the_fall_back_fold_is_refused_with_both_offsets() -> None:
    with pytest.raises(LocalTimeError) as info:
        localize(dt.datetime(2024, 11, 3, 1, 30), NEW_YORK)
    message = str(info.value)
    assert "01:30 on 2024-11-03 happens twice in America/New_York" in message
    assert "'2024-11-03T01:30-04:00' for the first" in message
    assert "'2024-11-03T01:30-05:00' for the second" in message


def test_lord_howe_half_hour_gap_is_named() -> None:
    with pytest.raises(LocalTimeError, match="30 minutes"):
        localize(dt.datetime(2024, 10, 6, 2, 15), zoneinfo.ZoneInfo("Australia/Lord_Howe"))


def test_times_just_around_the_gap_and_fold_are_fine() -> None:
    assert is_unambiguous(dt.datetime(2024, 3, 31, 1, 59), VIENNA)
    assert is_unambiguous(dt.datetime(2024, 3, 31, 3, 0), VIENNA)
    assert not is_unambiguous(dt.datetime(2024, 10, 27, 2, 0), VIENNA)
    assert is_unambiguous(dt.datetime(2024, 10, 27, 3, 0), VIENNA)


def test_localize_takes_only_naive_times() -> None:
    with pytest.raises(TypeError):
        localize(dt.datetime(2024, 5, 11, 9, tzinfo=dt.UTC), VIENNA)
