"""A multi-room event: each room's posts, Q&A thread and closing note go to its channel, and the announcement
channel gets one digest for sessions that start together instead of one post per room."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.emulator.model import Channel
from tests.on_discord.conftest import Event, MovableClock, running_event

VIENNA = ZoneInfo("Europe/Vienna")
ROOMS_DAY = """\
event: {name: Devrooms, timezone: Europe/Vienna, date: 2031-02-01}
sessions:
  - {id: rolin, title: Declarative Networking, start: "10:35", end: "11:00", room: "H.1308 (Rolin)", kind: talk}
  - {id: janson, title: Sandboxing with Syd, start: "10:35", end: "11:00", room: Janson, kind: talk}
  - {id: k1, title: Unmapped Room Talk, start: "10:35", end: "11:00", room: K.1.105, kind: talk}
  - {id: alone, title: A Talk on Its Own, start: "11:30", end: "12:00", room: Janson, kind: talk}
"""
ROOMS = {"h.1308 (rolin)": "#rolin", "Janson": "janson"}


def named(day: Event, name: str) -> Channel:
    return next(c for c in day.emu.guild.channels.values() if c.name == name)


def venue(hh_mm: str) -> dt.datetime:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return dt.datetime(2031, 2, 1, hours, minutes, tzinfo=VIENNA).astimezone(dt.UTC)


async def test_each_room_posts_in_its_channel_and_the_main_channel_gets_one_digest(tmp_path: Path) -> None:
    clock = MovableClock(venue("10:34"))
    async with running_event(tmp_path, clock, schedule=ROOMS_DAY, qa_channel=None, rooms=ROOMS) as day:
        emu = day.emu
        rolin = named(day, "rolin")
        janson = named(day, "janson")
        clock.now = venue("10:35")
        await day.chair.replan()  # the clock jumped: the jobs due now run
        await emu.wait_for_message(rolin, lambda m: "Now live" in m.content and "Declarative Networking" in m.content)
        await emu.wait_for_message(janson, lambda m: "Now live" in m.content and "Sandboxing with Syd" in m.content)
        digest = await emu.wait_for_message(day.announcements, lambda m: "3 talks now live" in m.content)
        await emu.wait_until(lambda: day.chair.announcer is not None and not day.chair.announcer.busy())

        main = [m.content for m in emu.messages_in(day.announcements)]
        # The unmapped room's talk is announced in the main channel; the mapped ones only in their rooms'.
        assert sum("Now live" in text and "Unmapped Room Talk" in text for text in main) == 1
        assert not any("Now live" in text and "Declarative Networking" in text for text in main)
        assert not any("Now live" in text and "Sandboxing with Syd" in text for text in main)
        assert f"**Declarative Networking** (H.1308 (Rolin)) in <#{rolin.id}>" in digest.content
        assert f"**Sandboxing with Syd** (Janson) in <#{janson.id}>" in digest.content
        assert f"**Unmapped Room Talk** (K.1.105) in <#{day.announcements.id}>" in digest.content
        assert sum("now live:" in text for text in main) == 1  # one digest, not one per room

        # Each Q&A thread opens under its room's channel.
        assert [t.name for t in emu.threads_in(rolin)] == ["Q&A: Declarative Networking"]
        assert [t.name for t in emu.threads_in(janson)] == ["Q&A: Sandboxing with Syd"]
        assert [t.name for t in emu.threads_in(day.announcements)] == ["Q&A: Unmapped Room Talk"]

        # The closing note goes to the room's thread.
        clock.now = venue("11:10")
        await day.chair.replan()
        (thread,) = emu.threads_in(rolin)
        await emu.wait_for_message(thread, lambda m: "Q&A" in m.content and "closed" in m.content.lower())


async def test_a_session_starting_alone_gets_no_digest(tmp_path: Path) -> None:
    clock = MovableClock(venue("11:29"))
    async with running_event(tmp_path, clock, schedule=ROOMS_DAY, rooms=ROOMS) as day:
        outbox = day.chair.outbox
        assert outbox is not None
        digests = sorted(item.id for item in await outbox.items() if item.kind == "digest")
        assert digests == ["digest:before:10@2031-02-01T09:25:00Z", "digest:start@2031-02-01T09:35:00Z"]
        janson = named(day, "janson")
        clock.now = venue("11:30")
        await day.chair.replan()
        await day.emu.wait_for_message(janson, lambda m: "Now live" in m.content and "A Talk on Its Own" in m.content)
        await day.emu.wait_until(lambda: day.chair.announcer is not None and not day.chair.announcer.busy())
        assert not any("now live:" in m.content for m in day.emu.messages_in(day.announcements))


async def test_without_rooms_nothing_changes(tmp_path: Path) -> None:
    clock = MovableClock(venue("10:20"))
    async with running_event(tmp_path, clock, schedule=ROOMS_DAY) as day:
        outbox = day.chair.outbox
        assert outbox is not None
        assert [item.id for item in await outbox.items() if item.kind == "digest"] == []
