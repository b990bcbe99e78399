"""Every planned post carries its session's room, kept by the outbox, and the room decides the channel a post
goes to in one place (the dispatcher's route)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from bot.announce.announcer import Announcer
from bot.announce.dispatch import Dispatcher
from bot.announce.outbox import Outbox
from bot.announce.reminders import planned_reminder
from bot.announce.sessions import planned_posts
from bot.console.rehearse import ConsolePublisher
from bot.schedule.loader import parse_schedule
from tests.clocks import HandClock as StandingClock

TWO_ROOMS = """
event: {name: Two Rooms, timezone: Europe/Vienna, date: 2024-05-11}
sessions:
  - {id: a, title: Talk A, start: "09:00", end: "09:30", room: "H.1308 (Rolin)"}
  - {id: b, title: Talk B, start: "09:00", end: "09:30", room: Janson}
  - {id: c, title: Talk C, start: "10:00", end: "10:30"}
"""


def test_every_planned_post_carries_the_room_of_its_session() -> None:
    schedule = parse_schedule(TWO_ROOMS, "rooms.yaml")
    rooms = {p.id: p.room for p in planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10))}
    assert rooms["a:before-10m"] == rooms["a:start"] == rooms["a:qa-close"] == "H.1308 (Rolin)"
    assert rooms["b:start"] == "Janson"
    assert rooms["c:start"] is None  # no room: the main room
    remind = planned_reminder(schedule.session("b"), "42", dt.datetime(2024, 5, 11, 6, tzinfo=dt.UTC))
    assert remind.room == "Janson"


async def test_the_outbox_keeps_the_room(tmp_path: Path) -> None:
    schedule = parse_schedule(TWO_ROOMS, "rooms.yaml")
    box = await Outbox.open(tmp_path / "rooms.db", clock=lambda: dt.datetime(2024, 5, 11, 6, tzinfo=dt.UTC))
    try:
        await box.plan(planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10)))
        item = await box.get("a:start")
        assert item is not None
        assert item.room == "H.1308 (Rolin)"
    finally:
        await box.close()


async def test_the_route_of_a_room_decides_where_its_announcements_go(tmp_path: Path) -> None:
    schedule = parse_schedule(TWO_ROOMS, "rooms.yaml")
    clock = StandingClock(dt.datetime(2024, 5, 11, 7, 0, tzinfo=dt.UTC))
    out = io.StringIO()
    publisher = ConsolePublisher(schedule, clock, out)
    box = await Outbox.open(tmp_path / "rooms.db", clock=clock)
    routes = {"H.1308 (Rolin)": "rolin"}
    dispatcher = Dispatcher(
        lambda: schedule, None, publisher, clock=clock, outbox=box, route=lambda session: routes.get(session.room or "")
    )
    announcer = Announcer(box, dispatcher, clock=clock)
    try:
        await box.plan(planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10)))
        await announcer.run_item("a:start")
        await announcer.run_item("b:start")
    finally:
        await box.close()
    text = out.getvalue()
    assert "Vienna · #rolin ──\n🔴 **Now live:** **Talk A**" in text
    assert "Vienna · #announcements ──\n🔴 **Now live:** **Talk B**" in text
