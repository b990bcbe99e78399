"""The announcer posts each outbox item at its time with APScheduler, late but marked when it is still useful,
skipped when stale, and never twice across a restart. Time runs 600 times fast (a minute is 0.1 s)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.announce.announcer import Announcer
from bot.announce.outbox import Item, Outbox, Planned, Status
from bot.clock import ShiftedClock

T0 = dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC)
SPEED = 600.0


class Recorder:
    def __init__(self, clock: ShiftedClock) -> None:
        self.clock = clock
        self.posts: list[tuple[str, bool, dt.datetime]] = []
        self.refuse: set[str] = set()

    async def __call__(self, item: Item, late: bool) -> int | None:
        if item.id in self.refuse:
            return None
        self.posts.append((item.id, late, self.clock()))
        return len(self.posts)


def planned(item_id: str, due: dt.datetime, stale_minutes: int = 10) -> Planned:
    return Planned(id=item_id, kind="session", due_at=due, stale_at=due + dt.timedelta(minutes=stale_minutes))


async def wait_for(predicate: object, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_items_are_posted_at_their_time_in_order(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    recorder = Recorder(clock)
    announcer = Announcer(outbox, recorder, clock=clock)
    await outbox.plan([planned("b", T0 + dt.timedelta(minutes=2)), planned("a", T0 + dt.timedelta(minutes=1))])
    await announcer.start()
    await wait_for(lambda: len(recorder.posts) == 2)
    await announcer.stop()
    assert [p[0] for p in recorder.posts] == ["a", "b"]
    for item_id, _late, posted_at in recorder.posts:
        due = T0 + dt.timedelta(minutes=1 if item_id == "a" else 2)
        assert posted_at >= due  # never early (how punctual is measured by bench/announce_timing.py)
    counts = await outbox.counts()
    assert counts[Status.SENT] == 2
    await outbox.close()


async def test_after_downtime_a_useful_item_is_posted_late_and_a_stale_one_skipped(tmp_path: Path) -> None:
    # The bot comes back at T0: "soon" was due 5 minutes ago and is useful for 10; "old" went stale.
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    await outbox.plan(
        [
            planned("soon", T0 - dt.timedelta(minutes=5), stale_minutes=10),
            planned("old", T0 - dt.timedelta(minutes=30), stale_minutes=10),
        ]
    )
    recorder = Recorder(clock)
    announcer = Announcer(outbox, recorder, clock=clock)
    await announcer.start()
    await wait_for(lambda: len(recorder.posts) == 1)
    await wait_for(lambda: announcer.scheduled_ids() == set())
    await announcer.stop()
    assert [(p[0], p[1]) for p in recorder.posts] == [("soon", True)]
    old = await outbox.get("old")
    assert old is not None
    assert old.status is Status.SKIPPED
    assert old.detail is not None
    assert old.detail.startswith("stale")
    await outbox.close()


async def test_a_restart_never_posts_an_item_twice(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    await outbox.plan([planned("a", T0 + dt.timedelta(seconds=30)), planned("b", T0 + dt.timedelta(hours=5))])
    first = Recorder(clock)
    announcer = Announcer(outbox, first, clock=clock)
    await announcer.start()
    await wait_for(lambda: len(first.posts) == 1)
    await announcer.stop()
    await outbox.close()

    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    second = Recorder(clock)
    restarted = Announcer(outbox, second, clock=clock)
    await restarted.start()
    await asyncio.sleep(0.2)
    await restarted.stop()
    assert second.posts == []
    assert [i.id for i in await outbox.pending()] == ["b"]
    await outbox.close()


async def test_replanning_moves_jobs_and_drops_removed_items(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    recorder = Recorder(clock)
    announcer = Announcer(outbox, recorder, clock=clock)
    await announcer.start()
    await announcer.replan(
        [planned("a", T0 + dt.timedelta(hours=1)), planned("b", T0 + dt.timedelta(hours=2))], kind="session"
    )
    await announcer.replan([planned("a", T0 + dt.timedelta(minutes=1))], kind="session")
    assert announcer.scheduled_ids() == {"a"}
    await wait_for(lambda: len(recorder.posts) == 1)
    await announcer.stop()
    assert recorder.posts[0][0] == "a"
    b = await outbox.get("b")
    assert b is not None
    assert b.status is Status.SKIPPED
    await outbox.close()


async def test_a_refused_post_is_recorded_as_failed(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    recorder = Recorder(clock)
    recorder.refuse.add("a")
    announcer = Announcer(outbox, recorder, clock=clock)
    await outbox.plan([planned("a", T0)])
    await announcer.start()
    await wait_for(lambda: announcer.last is not None)
    await announcer.stop()
    a = await outbox.get("a")
    assert a is not None
    assert a.status is Status.FAILED
    await outbox.close()


async def test_cancelled_items_are_not_posted(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    recorder = Recorder(clock)
    announcer = Announcer(outbox, recorder, clock=clock)
    await announcer.start()
    await announcer.add(planned("a", T0 + dt.timedelta(minutes=1)))
    assert await announcer.cancel("a", "olga")
    await asyncio.sleep(0.2)
    await announcer.stop()
    assert recorder.posts == []
    await outbox.close()


async def test_stopping_lets_a_post_under_way_finish(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=SPEED)
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    posting = asyncio.Event()
    release = asyncio.Event()

    async def slow_post(item: Item, late: bool) -> int | None:
        posting.set()
        await release.wait()
        return 1

    announcer = Announcer(outbox, slow_post, clock=clock)
    await outbox.plan([planned("a", T0)])
    await announcer.start()
    await asyncio.wait_for(posting.wait(), 5)
    stopping = asyncio.create_task(announcer.stop())
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.wait_for(stopping, 5)
    a = await outbox.get("a")
    assert a is not None
    assert a.status is Status.SENT  # not left "sending", which a restart would give up as interrupted
    await outbox.close()


async def test_items_due_moments_apart_are_never_posted_early(tmp_path: Path) -> None:
    clock = ShiftedClock(T0, speed=1.0)  # real speed: items 0.3 s apart
    outbox = await Outbox.open(tmp_path / "db", clock=clock)
    recorder = Recorder(clock)
    announcer = Announcer(outbox, recorder, clock=clock)
    dues = {f"i{n}": T0 + dt.timedelta(seconds=0.5 + 0.3 * n) for n in range(5)}
    await outbox.plan([planned(item_id, due) for item_id, due in dues.items()])
    await announcer.start()
    await wait_for(lambda: len(recorder.posts) == 5)
    await announcer.stop()
    for item_id, _late, posted_at in recorder.posts:
        assert posted_at >= dues[item_id] - dt.timedelta(milliseconds=20), item_id
    await outbox.close()
