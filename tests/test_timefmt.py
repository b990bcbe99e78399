"""Rendering instants for readers in many zones: Discord markup and the display-zone line."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.timefmt import (
    clock,
    day_offset,
    discord_timestamp,
    duration,
    relative,
    span,
    utc_iso,
    zone_label,
    zones_line,
)

UTC = dt.UTC
VIENNA_9AM = dt.datetime(2024, 5, 11, 7, 0, tzinfo=UTC)  # 09:00 in Vienna (CEST, +02:00)

ODD_ZONES = ["Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham"]


def test_discord_timestamp_is_unix_seconds_with_style() -> None:
    assert discord_timestamp(VIENNA_9AM) == "<t:1715410800:F>"
    assert discord_timestamp(VIENNA_9AM, "R") == "<t:1715410800:R>"


def test_discord_timestamp_is_the_same_instant_whatever_the_zone_of_the_datetime() -> None:
    local = VIENNA_9AM.astimezone(zoneinfo.ZoneInfo("Asia/Kathmandu"))
    assert discord_timestamp(local, "t") == discord_timestamp(VIENNA_9AM, "t")


def test_discord_timestamp_refuses_naive_datetimes_and_unknown_styles() -> None:
    with pytest.raises(ValueError, match="naive"):
        discord_timestamp(dt.datetime(2024, 5, 11, 9, 0))
    with pytest.raises(ValueError, match="style"):
        discord_timestamp(VIENNA_9AM, "x")


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Vienna", "09:00"),
        ("America/New_York", "03:00"),
        ("Asia/Shanghai", "15:00"),
        ("Asia/Kolkata", "12:30"),
        ("Asia/Kathmandu", "12:45"),
        ("America/St_Johns", "04:30"),
        ("Pacific/Chatham", "19:45"),
        ("America/Los_Angeles", "00:00"),
        ("Pacific/Honolulu", "Fri 21:00"),
        ("Pacific/Kiritimati", "21:00"),
    ],
)
def test_clock_in_many_zones_marks_other_days(zone: str, expected: str) -> None:
    assert clock(VIENNA_9AM, zone, dt.date(2024, 5, 11)) == expected


def test_zones_line_reads_venue_first_then_display_zones() -> None:
    line = zones_line(VIENNA_9AM, "Europe/Vienna", ["America/New_York", "Asia/Shanghai"])
    assert line == "09:00 Vienna · 03:00 New York · 15:00 Shanghai"


def test_zones_line_marks_next_and_previous_day_against_the_venue() -> None:
    late = dt.datetime(2024, 5, 11, 21, 30, tzinfo=UTC)  # 23:30 in Vienna
    line = zones_line(late, "Europe/Vienna", ["America/St_Johns", "Asia/Kathmandu", "Pacific/Chatham"])
    assert line == "23:30 Vienna · 19:00 St Johns · Sun 03:15 Kathmandu · Sun 10:15 Chatham"
    early = dt.datetime(2024, 5, 11, 0, 30, tzinfo=UTC)  # 02:30 in Vienna
    assert zones_line(early, "Europe/Vienna", ["America/Los_Angeles"]) == "02:30 Vienna · Fri 17:30 Los Angeles"


def test_zones_line_skips_the_venue_and_repeated_zones() -> None:
    line = zones_line(VIENNA_9AM, "Europe/Vienna", ["Europe/Vienna", "Asia/Kolkata", "Asia/Kolkata"])
    assert line == "09:00 Vienna · 12:30 Kolkata"


def test_zone_labels_are_city_names() -> None:
    assert zone_label("America/New_York") == "New York"
    assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert zone_label("Etc/UTC") == "UTC"
    assert zone_label(zoneinfo.ZoneInfo("Asia/Kathmandu")) == "Kathmandu"


def test_span_marks_an_end_past_midnight() -> None:
    start = dt.datetime(2024, 5, 11, 21, 30, tzinfo=UTC)
    assert span(start, start + dt.timedelta(hours=1, minutes=30), "Europe/Vienna") == "23:30–Sun 01:00"


def test_span_on_another_day_than_the_venue_names_the_day_of_each_end() -> None:
    # 08:50–09:00 at the venue on Saturday is 23:50 on Friday to midnight in Los Angeles.
    start, end = dt.datetime(2024, 5, 11, 6, 50, tzinfo=UTC), dt.datetime(2024, 5, 11, 7, 0, tzinfo=UTC)
    assert span(start, end, "America/Los_Angeles", dt.date(2024, 5, 11)) == "Fri 23:50–Sat 00:00"
    assert span(start, end, "America/New_York", dt.date(2024, 5, 11)) == "02:50–03:00"
    assert span(start, end, "America/New_York", dt.date(2024, 5, 11), weekday=True) == "Sat 02:50–03:00"


def test_clock_names_no_day_without_a_reference_or_on_the_same_day() -> None:
    assert clock(VIENNA_9AM, "Europe/Vienna") == "09:00"
    assert clock(VIENNA_9AM, "Europe/Vienna", dt.date(2024, 5, 11)) == "09:00"
    assert clock(VIENNA_9AM, "Asia/Tokyo", dt.date(2024, 5, 10)) == "Sat 16:00"


# --- durations in words ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (dt.timedelta(0), "now"),
        (dt.timedelta(milliseconds=400), "now"),
        (dt.timedelta(seconds=1), "in 1 second"),
        (dt.timedelta(seconds=-1), "1 second ago"),
        (dt.timedelta(seconds=45), "in 45 seconds"),
        (dt.timedelta(seconds=-59), "59 seconds ago"),
        (dt.timedelta(minutes=1), "in 1 minute"),
        (dt.timedelta(minutes=9), "in 9 minutes"),
        (dt.timedelta(minutes=9, seconds=40), "in 10 minutes"),
        (dt.timedelta(minutes=-5), "5 minutes ago"),
        (dt.timedelta(hours=1), "in 1 hour"),
        (dt.timedelta(minutes=75), "in 1 hour 15 minutes"),
        (dt.timedelta(hours=-2, minutes=-1), "2 hours 1 minute ago"),
        (dt.timedelta(hours=1, minutes=15, seconds=10), "in 1 hour 15 minutes"),
        (dt.timedelta(days=1, hours=2), "in 1 day 2 hours"),
    ],
)
def test_relative_reads_as_a_person_writes_it(delta: dt.timedelta, expected: str) -> None:
    assert relative(delta) == expected


@given(milliseconds=st.integers(min_value=-10 * 86_400_000, max_value=10 * 86_400_000))
@example(milliseconds=500)
@example(milliseconds=-500)
def test_relative_never_writes_zero_seconds(milliseconds: int) -> None:
    delta = dt.timedelta(milliseconds=milliseconds)
    assert not re.search(r"\b0 seconds", relative(delta))
    assert (relative(delta) == "now") == (duration(delta) == "0 seconds")


@pytest.mark.parametrize("milliseconds", [500, -500, 499, -499])
def test_half_a_second_either_way_is_now(milliseconds: int) -> None:
    assert relative(dt.timedelta(milliseconds=milliseconds)) == "now"


def test_duration_has_no_direction_and_no_seconds_past_a_minute() -> None:
    assert duration(dt.timedelta(minutes=-15)) == "15 minutes"
    assert duration(dt.timedelta(seconds=59.6)) == "1 minute"
    assert duration(dt.timedelta(hours=3, seconds=20)) == "3 hours"


@given(seconds=st.integers(min_value=-10 * 86400, max_value=10 * 86400))
def test_relative_never_writes_a_one_in_the_plural(seconds: int) -> None:
    text = relative(dt.timedelta(seconds=seconds))
    assert not re.search(r"\b1 (second|minute|hour|day)s\b", text)
    assert not re.search(r"\b([02-9]|\d\d+) (second|minute|hour|day)\b", text)
    assert "and" not in text


def test_chatham_changes_offset_with_its_own_dst() -> None:
    # Chatham is +13:45 in (southern) summer and +12:45 in winter.
    january = dt.datetime(2024, 1, 15, 0, 0, tzinfo=UTC)
    assert clock(january, "Pacific/Chatham") == "13:45"
    assert clock(VIENNA_9AM, "Pacific/Chatham") == "19:45"


def test_utc_iso_ends_in_z() -> None:
    local = dt.datetime(2024, 5, 11, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Vienna"))
    assert utc_iso(local) == "2024-05-11T07:00:00Z"


# --- properties --------------------------------------------------------------------------------------------

ZONES = sorted(
    [
        "Europe/Vienna",
        "America/New_York",
        "Asia/Shanghai",
        "UTC",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "Pacific/Pago_Pago",
        *ODD_ZONES,
    ]
)
instants = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 1, 1), timezones=st.just(UTC))


@given(instant=instants, venue=st.sampled_from(ZONES), others=st.lists(st.sampled_from(ZONES), max_size=6))
def test_every_part_of_the_zones_line_is_the_local_time_and_day_shift(
    instant: dt.datetime, venue: str, others: list[str]
) -> None:
    line = zones_line(instant, venue, others)
    parts = line.split(" · ")
    expected_zones = list(dict.fromkeys([venue, *others]))
    assert len(parts) == len(expected_zones)
    venue_day = instant.astimezone(zoneinfo.ZoneInfo(venue)).date()
    for part, zone in zip(parts, expected_zones, strict=True):
        match = re.fullmatch(r"(?:(\w{3}) )?(\d\d):(\d\d) (.+)", part)
        assert match is not None, part
        local = instant.astimezone(zoneinfo.ZoneInfo(zone))
        assert (int(match.group(2)), int(match.group(3))) == (local.hour, local.minute)
        # The weekday is there exactly when the local day is not the venue's, and it is the local one.
        assert match.group(1) == (local.strftime("%a") if local.date() != venue_day else None)
        assert match.group(4) == zone_label(zone)


@given(instant=instants, zone=st.sampled_from(ZONES), venue=st.sampled_from(ZONES))
def test_day_offset_is_at_most_one_day_unless_the_zones_are_a_day_apart(
    instant: dt.datetime, zone: str, venue: str
) -> None:
    # Kiritimati (UTC+14) and Pago Pago (UTC-11) are 25 hours apart: only such pairs can be two days apart.
    here, there = instant.astimezone(zoneinfo.ZoneInfo(zone)), instant.astimezone(zoneinfo.ZoneInfo(venue))
    apart = abs((here.utcoffset() or dt.timedelta()) - (there.utcoffset() or dt.timedelta()))
    shift = day_offset(instant, zone, there.date())
    assert shift == (here.date() - there.date()).days
    assert abs(shift) <= (1 if apart < dt.timedelta(hours=24) else 2)


@given(instant=instants)
def test_discord_timestamp_round_trips_to_the_instant_to_the_second(instant: dt.datetime) -> None:
    stamp = discord_timestamp(instant, "F")
    seconds = int(stamp[3:-3])
    assert dt.datetime.fromtimestamp(seconds, UTC) == instant.replace(microsecond=0)
