"""Flow control on the gateway: a bounded backlog of unanswered interactions, and stale ones dropped unread."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import discord
import pytest

from bot.on_discord.gate import DEADLINE_S, STALE_AFTER_S, InteractionGate, snowflake_time
from tests.on_discord.conftest import Event


def snowflake_at(posix: float) -> int:
    return int(posix * 1000 - discord.utils.DISCORD_EPOCH) << 22


class Response:
    def __init__(self) -> None:
        self.done = False

    def is_done(self) -> bool:
        return self.done


class FakeInteraction:
    """What the gate reads of an interaction: when Discord made it, and whether it has been answered."""

    def __init__(self, created: float) -> None:
        self.created_at = dt.datetime.fromtimestamp(created, dt.UTC)
        self.response = Response()


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def gate_with(clock: Clock, limit: int = 2, **kwargs: Any) -> InteractionGate:
    return InteractionGate(limit, clock=clock, poll=0.001, **kwargs)


def received(gate: InteractionGate, clock: Clock, age: float = 0.0) -> FakeInteraction:
    interaction = FakeInteraction(clock.now - age)
    gate.received(interaction)  # type: ignore[arg-type]
    return interaction


def test_snowflakes_carry_their_time() -> None:
    assert snowflake_time(snowflake_at(1_700_000_000.25)) == pytest.approx(1_700_000_000.25, abs=0.001)


async def test_below_the_limit_reading_goes_on_at_once() -> None:
    clock = Clock()
    gate = gate_with(clock)
    received(gate, clock)
    await asyncio.wait_for(gate.wait_for_room(), 0.05)
    assert gate.pauses == 0
    assert gate.in_flight() == 1


async def test_at_the_limit_reading_waits_until_one_is_answered() -> None:
    clock = Clock()
    gate = gate_with(clock, max_pause=5.0)
    first = received(gate, clock)
    received(gate, clock)
    waiting = asyncio.create_task(gate.wait_for_room())
    await asyncio.sleep(0.02)
    assert not waiting.done()
    first.response.done = True
    await asyncio.wait_for(waiting, 1.0)
    assert gate.pauses == 1
    assert gate.in_flight() == 1


async def test_an_interaction_past_its_deadline_frees_its_place() -> None:
    clock = Clock()
    gate = gate_with(clock, max_pause=5.0)
    received(gate, clock)
    received(gate, clock, age=1.0)
    waiting = asyncio.create_task(gate.wait_for_room())
    await asyncio.sleep(0.02)
    assert not waiting.done()
    clock.now += DEADLINE_S - 1.0 + 0.01  # the older one is now past Discord's deadline, never answered
    await asyncio.wait_for(waiting, 1.0)
    assert gate.in_flight() == 1


async def test_no_pause_lasts_longer_than_max_pause() -> None:
    clock = Clock()
    gate = gate_with(clock, limit=1, max_pause=0.05)
    received(gate, clock)
    await asyncio.wait_for(gate.wait_for_room(), 1.0)  # wall time passes, the fake clock does not: not answered
    assert gate.pauses == 1
    assert gate.in_flight() == 1


async def test_one_too_old_to_answer_is_not_counted() -> None:
    clock = Clock()
    gate = gate_with(clock, limit=1)
    received(gate, clock, age=STALE_AFTER_S + 0.1)
    assert gate.in_flight() == 0
    await asyncio.wait_for(gate.wait_for_room(), 0.05)


def test_shed_drops_payloads_too_old_to_answer_and_keeps_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    gate = gate_with(clock)
    parsed: list[dict[str, Any]] = []
    parse = gate.shedding(parsed.append)
    fresh = {"id": str(snowflake_at(clock.now - 0.5)), "type": 2}
    old = {"id": str(snowflake_at(clock.now - STALE_AFTER_S - 0.5)), "type": 2}
    odd = {"type": 2}  # no id: not ours to judge; discord.py decides what to do with it
    with caplog.at_level(logging.WARNING, logger="bot.flow"):
        for payload in (fresh, old, odd):
            parse(payload)
    assert parsed == [fresh, odd]
    assert gate.dropped.total == 1
    assert "too old to answer" in caplog.text


async def test_hold_waits_for_room_before_each_read() -> None:
    clock = Clock()
    gate = gate_with(clock, limit=1, max_pause=5.0)
    reads = 0

    async def poll_event() -> None:
        nonlocal reads
        reads += 1

    gated = gate.hold(poll_event)
    await gated()
    assert reads == 1
    pending = received(gate, clock)
    second = asyncio.create_task(gated())
    await asyncio.sleep(0.02)
    assert reads == 1
    pending.response.done = True
    await asyncio.wait_for(second, 1.0)
    assert reads == 2


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        InteractionGate(0)


# -- through Discord -------------------------------------------------------------------------------


async def test_a_crowd_beyond_the_limit_is_answered_in_full(event: Event) -> None:
    """With room for two at a time, twelve questions sent at once are all read, answered and stored."""
    event.bot.gate.limit = 2
    crowd = [event.emu.add_member(f"attendee{n}", display_name=f"Attendee {n}") for n in range(12)]
    records = [
        event.emu.send_slash("ask", {"question": f"Question number {n} about scaling?"}, user=member)
        for n, member in enumerate(crowd)
    ]
    await event.emu.wait_until(lambda: all(r.answered for r in records), timeout=10.0)
    assert all("in the queue" in r.content for r in records)
    assert len(await event.chair.qa.queue("invited-1", 50)) == 12
    assert event.bot.gate.pauses > 0  # reading did wait for room
    assert event.bot.gate.in_flight() == 0


async def test_an_interaction_already_too_old_is_dropped_unread(event: Event) -> None:
    """Discord would refuse any answer to it: nothing is done, nothing stored, and the next one is answered."""
    record = event.emu.desk.slash("ask", {"question": "Asked long ago?"}, user=event.attendee, channel=event.qa_channel)
    record.payload["id"] = str(snowflake_at(discord.utils.utcnow().timestamp() - STALE_AFTER_S - 1.0))
    event.emu.send_interaction(record)
    fresh = await event.emu.slash("ask", {"question": "Asked just now?"}, user=event.attendee)
    assert "#1 in the queue" in fresh.content
    await asyncio.sleep(0.2)
    assert not record.answered
    assert [item.question.text for item in await event.chair.qa.queue("invited-1")] == ["Asked just now?"]
    assert event.bot.gate.dropped.total == 1
    status = await event.emu.slash("status", user=event.organizer)
    assert "Behind: 1 interaction(s) arrived too late" in status.content
