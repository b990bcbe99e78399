"""The outbox remembers every planned post in SQLite and never lets one be posted twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.outbox import Outbox, OutboxError, Planned, Status

T0 = dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC)


def planned(item_id: str, minutes: int, kind: str = "session") -> Planned:
    due = T0 + dt.timedelta(minutes=minutes)
    return Planned(id=item_id, kind=kind, due_at=due, stale_at=due + dt.timedelta(minutes=30), text=item_id)


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    yield box
    await box.close()


async def test_planned_items_come_back_soonest_first(outbox: Outbox) -> None:
    await outbox.plan([planned("b", 20), planned("a", 10)])
    assert [i.id for i in await outbox.pending()] == ["a", "b"]


async def test_an_item_is_claimed_once(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10)])
    first = await outbox.claim("a")
    assert first is not None
    assert first.status is Status.SENDING
    assert await outbox.claim("a") is None


async def test_sent_items_keep_their_message_id_and_lateness(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10)])
    await outbox.claim("a")
    await outbox.sent("a", 1234, late=True)
    item = await outbox.get("a")
    assert item is not None
    assert (item.status, item.message_id, item.late) == (Status.SENT, 1234, True)


async def test_replanning_moves_planned_items_but_never_sent_ones(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20)])
    await outbox.claim("a")
    await outbox.sent("a", 1, late=False)
    await outbox.plan([planned("a", 40), planned("b", 50)])
    a, b = await outbox.get("a"), await outbox.get("b")
    assert a is not None
    assert b is not None
    assert a.due_at == T0 + dt.timedelta(minutes=10)
    assert a.status is Status.SENT
    assert b.due_at == T0 + dt.timedelta(minutes=50)


async def test_items_dropped_from_the_plan_are_skipped_and_come_back_if_replanned(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20), planned("note-1", 5, kind="note")])
    await outbox.plan([planned("a", 10)], replace_kind="session")
    b = await outbox.get("b")
    assert b is not None
    assert (b.status, b.detail) == (Status.SKIPPED, "no longer planned")
    assert [i.id for i in await outbox.pending()] == ["note-1", "a"]  # other kinds untouched
    await outbox.plan([planned("a", 10), planned("b", 25)], replace_kind="session")
    b = await outbox.get("b")
    assert b is not None
    assert b.status is Status.PLANNED


async def test_cancel_only_withdraws_planned_items(outbox: Outbox) -> None:
    await outbox.plan([planned("a", 10), planned("b", 20)])
    assert await outbox.cancel("a", "olga")
    await outbox.claim("b")
    assert not await outbox.cancel("b", "olga")
    a = await outbox.get("a")
    assert a is not None
    assert a.status is Status.CANCELLED


async def test_items_interrupted_while_posting_are_not_posted_again(tmp_path: Path) -> None:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    await box.plan([planned("a", 10)])
    await box.claim("a")
    await box.close()  # the process dies between claiming and posting
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    (recovered,) = await box.recover()
    assert recovered.id == "a"
    item = await box.get("a")
    assert item is not None
    assert item.status is Status.FAILED
    assert await box.claim("a") is None
    await box.close()


async def test_counters_never_repeat_across_reopening(tmp_path: Path) -> None:
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    assert [await box.next_number("note") for _ in range(3)] == [1, 2, 3]
    await box.close()
    box = await Outbox.open(tmp_path / "chairbot.db", clock=lambda: T0)
    assert await box.next_number("note") == 4
    await box.close()


async def test_adding_an_existing_id_is_refused(outbox: Outbox) -> None:
    await outbox.add(planned("note-1", 5, kind="note"))
    with pytest.raises(OutboxError, match="already exists"):
        await outbox.add(planned("note-1", 6, kind="note"))


async def test_an_unusable_database_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "chairbot.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutboxError, match=str(bad)):
        await Outbox.open(bad, clock=lambda: T0)
