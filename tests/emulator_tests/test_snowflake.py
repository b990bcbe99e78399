"""Emulator ids behave like Discord's snowflakes."""

from __future__ import annotations

import datetime as dt

import discord

from tests.emulator import SnowflakeFactory, snowflake_time


def test_snowflakes_strictly_increase_even_within_one_millisecond() -> None:
    factory = SnowflakeFactory()
    ids = [factory.next() for _ in range(10_000)]
    assert ids == sorted(set(ids))


def test_snowflake_encodes_its_creation_time_as_discord_py_reads_it() -> None:
    before = dt.datetime.now(dt.UTC)
    snowflake = SnowflakeFactory().next()
    after = dt.datetime.now(dt.UTC)
    created = discord.utils.snowflake_time(snowflake)
    assert created == snowflake_time(snowflake)
    assert before - dt.timedelta(milliseconds=1) <= created <= after + dt.timedelta(milliseconds=1)
