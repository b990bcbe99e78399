"""Reading the time an organizer gives for a scheduled announcement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.announce.when import parse_when

VIENNA = ZoneInfo("Europe/Vienna")
NOW = dt.datetime(2024, 5, 11, 7, 10, tzinfo=dt.UTC)  # 09:10 in Vienna


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15:30", dt.datetime(2024, 5, 11, 13, 30, tzinfo=dt.UTC)),
        ("2024-05-12 09:00", dt.datetime(2024, 5, 12, 7, 0, tzinfo=dt.UTC)),
        ("15:30 America/New_York", dt.datetime(2024, 5, 11, 19, 30, tzinfo=dt.UTC)),
        ("2024-05-11T15:30+05:45", dt.datetime(2024, 5, 11, 9, 45, tzinfo=dt.UTC)),
        ("2024-05-11T15:30:00", dt.datetime(2024, 5, 11, 13, 30, tzinfo=dt.UTC)),
        ("in 20 min", NOW + dt.timedelta(minutes=20)),
        ("in 2 h", NOW + dt.timedelta(hours=2)),
    ],
)
def test_accepted_forms(text: str, expected: dt.datetime) -> None:
    assert parse_when(text, VIENNA, NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("09:00", "already passed"),
        ("teatime", "is not a time"),
        ("15:30 Mars/Olympus", "unknown time zone"),
        ("25:00", "not a time of day"),
        ("2024-10-27 02:30", "happens twice"),
    ],
)
def test_refusals_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_when(text, VIENNA, NOW)
