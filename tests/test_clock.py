"""The injected clocks: the rehearsal's clock stands still at each post's instant and never runs backwards."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.clock import SteppedClock

T0 = dt.datetime(2024, 5, 11, 6, 39, tzinfo=dt.UTC)


async def test_the_stepped_clock_stands_at_its_start_until_told_to_run() -> None:
    clock = SteppedClock(T0, speed=100_000)
    await asyncio.sleep(0.01)  # 1,000 simulated seconds of real time, but nobody asked the clock to run
    assert clock() == T0


async def test_advancing_stops_exactly_at_the_instant_and_stays_there() -> None:
    clock = SteppedClock(T0, speed=100_000)
    target = T0 + dt.timedelta(minutes=11)
    await clock.advance_to(target)
    assert clock() == target
    await asyncio.sleep(0.02)  # a slow post: the clock still reads its instant
    assert clock() == target


async def test_time_runs_at_speed_while_advancing() -> None:
    clock = SteppedClock(T0, speed=1_000)
    target = T0 + dt.timedelta(minutes=10)  # 0.6 s of real time
    task = asyncio.create_task(clock.advance_to(target))
    await asyncio.sleep(0.2)
    midway = clock()
    assert T0 + dt.timedelta(seconds=60) < midway < target
    await task
    assert clock() == target


async def test_advancing_to_the_past_never_turns_the_clock_back() -> None:
    clock = SteppedClock(T0, speed=100_000)
    await clock.advance_to(T0 + dt.timedelta(minutes=5))
    await clock.advance_to(T0)
    assert clock() == T0 + dt.timedelta(minutes=5)


async def test_an_interrupted_advance_stands_where_it_got_to() -> None:
    clock = SteppedClock(T0, speed=1_000)
    task = asyncio.create_task(clock.advance_to(T0 + dt.timedelta(hours=1)))
    await asyncio.sleep(0.1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    stood = clock()
    assert T0 < stood < T0 + dt.timedelta(hours=1)
    await asyncio.sleep(0.05)
    assert clock() == stood
