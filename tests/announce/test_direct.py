"""Personal reminders at a pace Discord accepts: the queue, its slowing down on "too fast", members whose direct
messages are closed, and nothing lost when the bot stops half-way."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.announce.announcer import Announcer
from bot.announce.direct import SLOWEST, ClosedDirectMessages, Pace
from bot.announce.dispatch import Dispatcher
from bot.announce.outbox import Outbox, Status
from bot.announce.reminders import REMINDER_KIND, planned_reminder
from bot.console.rehearse import ConsolePublisher
from bot.db import SqliteFile
from bot.messages import Post
from bot.ports import DirectClosed, DirectTooFast
from bot.schedule.loader import parse_schedule
from tests.clocks import HandClock

DAY = """
event: {name: Popular, timezone: Europe/Vienna, date: 2031-05-12}
sessions:
  - {id: keynote, title: The Keynote, start: "10:00", end: "11:00", room: Janson, kind: talk}
"""
#: 09:50 at the venue: the reminders are due.
DUE = dt.datetime(2031, 5, 12, 7, 50, tzinfo=dt.UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_pace_spaces_messages_and_slows_down_on_too_fast() -> None:
    time = FakeMonotonic()
    pace = Pace(4.0, monotonic=time)
    assert [pace.delay() for _ in range(3)] == [0.0, 0.25, 0.5]
    assert pace.too_fast(retry_after=3.0) == 3.0
    assert pace.rate == 2.0
    assert pace.delay() == pytest.approx(3.0)  # nothing before the pause is over
    assert pace.too_fast(retry_after=None) == 10.0  # Discord did not say: a default pause
    for _ in range(10):
        pace.too_fast(1.0)
    assert pace.rate == SLOWEST
    time.now += 31  # a quiet interval: a step back up
    pace.delay()
    assert pace.rate == pytest.approx(SLOWEST * 1.5)
    with pytest.raises(ValueError, match="positive"):
        Pace(0)


class Recipients(ConsolePublisher):
    """The console publisher, with members who refuse direct messages as Discord would answer."""

    closed: set[str]
    too_fast: int
    delivered: list[str]

    async def direct(self, user_id: str, posts: list[Post]) -> int | None:
        if user_id in self.closed:
            raise DirectClosed("50007")
        if self.too_fast > 0:
            self.too_fast -= 1
            raise DirectTooFast(retry_after=0.05)
        self.delivered.append(user_id)
        return await super().direct(user_id, posts)


async def _setup(tmp_path: Path, rate: float) -> tuple[Announcer, Outbox, Recipients, SqliteFile, ClosedDirectMessages]:
    schedule = parse_schedule(DAY, "day.yaml")
    clock = HandClock(DUE)
    file = await SqliteFile.open(tmp_path / "chairbot.db")
    outbox = await Outbox.on(file, clock=clock)
    closed = await ClosedDirectMessages.on(file, clock)
    publisher = Recipients(schedule, clock, io.StringIO())
    publisher.closed, publisher.too_fast, publisher.delivered = set(), 0, []
    dispatcher = Dispatcher(
        lambda: schedule, None, publisher, clock=clock, outbox=outbox, route=lambda s: "janson", closed=closed
    )
    announcer = Announcer(outbox, dispatcher, clock=clock, paced=frozenset({REMINDER_KIND}), rate=rate)
    session = schedule.session("keynote")
    await outbox.plan([planned_reminder(session, str(n), DUE - dt.timedelta(hours=1)) for n in range(1, 21)])
    return announcer, outbox, publisher, file, closed


async def test_a_burst_of_reminders_goes_out_at_the_pace_and_each_once(tmp_path: Path) -> None:
    announcer, outbox, publisher, file, _ = await _setup(tmp_path, rate=100.0)
    try:
        started = asyncio.get_running_loop().time()
        await announcer.start()
        await announcer.post_due(DUE)
        await asyncio.wait_for(_until(lambda: len(publisher.delivered) == 20), 5)
        took = asyncio.get_running_loop().time() - started
        assert sorted(publisher.delivered, key=int) == [str(n) for n in range(1, 21)]
        assert took >= 19 / 100  # 20 messages at 100 a second: the queue spaced them
        assert {i.status for i in await outbox.items()} == {Status.SENT}
    finally:
        await announcer.stop()
        await file.close()


async def test_too_fast_puts_the_reminder_back_slows_down_and_loses_nothing(tmp_path: Path) -> None:
    announcer, outbox, publisher, file, _ = await _setup(tmp_path, rate=200.0)
    publisher.too_fast = 2
    try:
        await announcer.start()
        await announcer.post_due(DUE)
        await asyncio.wait_for(_until(lambda: len(publisher.delivered) == 20), 5)
        assert announcer.direct is not None
        assert announcer.direct.pace.slowdowns == 2
        assert announcer.direct.pace.rate == 50.0
        assert {i.status for i in await outbox.items()} == {Status.SENT}
    finally:
        await announcer.stop()
        await file.close()


async def test_closed_messages_fail_the_reminder_and_the_member_is_told_once(tmp_path: Path) -> None:
    announcer, outbox, publisher, file, closed = await _setup(tmp_path, rate=200.0)
    publisher.closed = {"7"}
    try:
        await announcer.start()
        await announcer.post_due(DUE)
        await asyncio.wait_for(_until(lambda: len(publisher.delivered) == 19), 5)
        await asyncio.wait_for(_until(lambda: not announcer.busy()), 5)
        failed = [i for i in await outbox.items() if i.status is Status.FAILED]
        assert [(i.created_by, i.detail) for i in failed] == [("7", "the member does not accept direct messages")]
        told = publisher.out.getvalue()
        assert told.count("@7 I could not send you the reminder for **The Keynote**") == 1
        assert "#janson ──\n@7 I could not send you" in told  # in the session's room channel
        assert await closed.first_time("7") is False  # already told: not again
    finally:
        await announcer.stop()
        await file.close()


async def test_a_stop_half_way_leaves_the_rest_planned_for_the_next_start(tmp_path: Path) -> None:
    announcer, outbox, publisher, file, _ = await _setup(tmp_path, rate=20.0)
    try:
        await announcer.start()
        await announcer.post_due(DUE)
        await asyncio.wait_for(_until(lambda: len(publisher.delivered) >= 3), 5)
        await announcer.stop()
        statuses = [i.status for i in await outbox.items()]
        assert statuses.count(Status.SENT) == len(publisher.delivered)
        assert statuses.count(Status.PLANNED) == 20 - len(publisher.delivered)  # none lost, none half-sent
        again = Announcer(outbox, announcer._post, clock=announcer.clock, paced=announcer.paced, rate=200.0)
        await again.start()
        await again.post_due(DUE)
        await asyncio.wait_for(_until(lambda: len(publisher.delivered) == 20), 5)
        assert sorted(publisher.delivered, key=int) == [str(n) for n in range(1, 21)]
        await again.stop()
    finally:
        await file.close()


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)
