"""What the dispatcher posts for a due outbox item, seen through the console publisher with a real outbox and Q&A
store: a poster session's list goes out once and later announcements link to it, and a talk goes live before its
Q&A thread opens."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.announcer import Announcer
from bot.announce.dispatch import Dispatcher
from bot.announce.outbox import Outbox, Status
from bot.announce.sessions import planned_posts
from bot.app import rehearse
from bot.console.rehearse import ConsolePublisher
from bot.qa.service import QAService
from bot.schedule.loader import parse_schedule
from tests.clocks import HandClock as StandingClock

DAY = """
event: {name: Dispatch Day, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: talk, title: The Talk, start: "09:00", end: "09:30", speakers: ["Ada Lovelace"]}
  - id: posters
    title: Poster Session
    start: "10:00"
    end: "11:00"
    posters:
      - {id: P1, title: First Poster, authors: [A. Author], url: "https://posters.example.org/1"}
      - {id: P2, title: Second Poster}
      - {id: P3, title: Third Poster}
  - id: early-posters
    title: Early Poster Session
    start: "12:00"
    end: "13:00"
    announce: [30, 15, 0]
    posters: [{id: E1, title: An Early Poster}]
"""


@dataclasses.dataclass
class Day:
    outbox: Outbox
    announcer: Announcer
    clock: StandingClock
    out: io.StringIO
    qa: QAService

    async def post_at_due_time(self, item_id: str) -> None:
        item = await self.outbox.get(item_id)
        assert item is not None
        self.clock.now = item.due_at
        await self.announcer.run_item(item_id)

    def messages(self) -> list[tuple[str, str]]:
        """(channel, text) of each printed message, in order."""
        blocks = re.split(r"^── \w{3} \d\d:\d\d:\d\d Vienna · (.+?) ──\n", self.out.getvalue(), flags=re.MULTILINE)
        return list(zip(blocks[1::2], blocks[2::2], strict=True))


@pytest.fixture
async def day(tmp_path: Path) -> AsyncIterator[Day]:
    schedule = parse_schedule(DAY, "day.yaml")
    clock = StandingClock(dt.datetime(2024, 5, 11, 6, 0, tzinfo=dt.UTC))
    qa = QAService(tmp_path / "day.db", clock=clock)
    await qa.start()
    outbox = await Outbox.open(tmp_path / "day.db", clock=clock)
    out = io.StringIO()
    publisher = ConsolePublisher(schedule, clock, out)
    dispatcher = Dispatcher(lambda: schedule, qa, publisher, clock=clock, outbox=outbox)
    announcer = Announcer(outbox, dispatcher, clock=clock)
    await outbox.plan(planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10)))
    try:
        yield Day(outbox, announcer, clock, out, qa)
    finally:
        await outbox.close()
        await qa.close()


async def test_the_poster_list_goes_out_once_and_the_start_links_to_it(day: Day) -> None:
    await day.post_at_due_time("posters:before-15m")
    await day.post_at_due_time("posters:start")
    (_, before), (_, start) = day.messages()
    assert "🗂️ 3 posters, listed below." in before
    assert "┃ P1 · [First Poster](https://posters.example.org/1) — A. Author\n┃ P2 · Second Poster\n" in before
    assert "📌 **Now open:** **Poster Session**" in start
    # On the console a link names where and when the earlier post was printed.
    assert "🗂️ 3 posters, listed in the post in #announcements at Sat 09:45." in start
    assert not any(f"P{n} · " in start for n in (1, 2, 3))


async def test_when_the_announcement_before_was_never_made_the_start_lists_the_posters(day: Day) -> None:
    # The bot comes up at the start: the "in 15 minutes" post is stale and skipped.
    start = await day.outbox.get("posters:start")
    assert start is not None
    day.clock.now = start.due_at
    await day.announcer.run_item("posters:before-15m")
    await day.announcer.run_item("posters:start")
    skipped = await day.outbox.get("posters:before-15m")
    assert skipped is not None
    assert skipped.status is Status.SKIPPED
    [(_, text)] = day.messages()
    assert "📌 **Now open:** **Poster Session**" in text
    assert "🗂️ 3 posters, listed below." in text
    assert "P3 · Third Poster" in text


async def test_every_later_announcement_links_to_the_first_that_listed_the_posters(day: Day) -> None:
    for item_id in ("early-posters:before-30m", "early-posters:before-15m", "early-posters:start"):
        await day.post_at_due_time(item_id)
    texts = [text for _, text in day.messages()]
    assert sum("E1 · An Early Poster" in text for text in texts) == 1
    assert "E1 · An Early Poster" in texts[0]
    assert all("🗂️ 1 poster, listed in the post in #announcements at Sat 11:30." in text for text in texts[1:])


async def test_a_talk_goes_live_before_its_q_and_a_thread_opens(day: Day) -> None:
    await day.post_at_due_time("talk:start")
    (live_channel, live), (thread_channel, opened) = day.messages()
    assert live_channel == "#announcements"
    assert live.startswith("🔴 **Now live:** **The Talk**")
    assert thread_channel == "#announcements › Q&A: The Talk"
    assert opened.startswith("🧵 Q&A thread for **The Talk** is open")


async def test_the_rehearsal_shows_now_live_before_the_q_and_a_thread() -> None:
    out = io.StringIO()
    schedule = parse_schedule(DAY, "day.yaml")
    await rehearse(schedule, speed=50_000, out=out, until=dt.datetime(2024, 5, 11, 7, 5, tzinfo=dt.UTC))
    text = out.getvalue()
    assert text.index("🔴 **Now live:** **The Talk**") < text.index("🧵 Q&A thread for **The Talk** is open")
