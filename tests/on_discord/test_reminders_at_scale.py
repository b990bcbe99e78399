"""A popular talk's reminders through the real bot and the emulator: paced, slowed down by Discord's "too fast",
members with closed direct messages told once in the channel, and none lost or sent twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.announce import direct
from bot.announce.outbox import Status
from tests.on_discord.conftest import MovableClock, running_event

VIENNA = ZoneInfo("Europe/Vienna")
DAY = """\
event: {name: Popular Day, timezone: Europe/Vienna, date: 2031-05-12}
sessions:
  - {id: keynote, title: The Keynote Everyone Wants, start: "10:00", end: "11:00", room: Janson, kind: talk}
"""
MEMBERS = 300
CLOSED = 5


def venue(hh_mm: str) -> dt.datetime:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return dt.datetime(2031, 5, 12, hours, minutes, tzinfo=VIENNA).astimezone(dt.UTC)


@pytest.mark.slow
async def test_three_hundred_reminders_go_out_paced_and_none_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(direct, "DEFAULT_BACKOFF_S", 0.5)  # Discord says nothing of how long; a test cannot wait 10 s
    clock = MovableClock(venue("09:40"))
    async with running_event(
        tmp_path, clock, schedule=DAY, rooms={"Janson": "janson"}, reminders_per_second=50.0, discord_clock=clock
    ) as day:
        emu, chair = day.emu, day.chair
        emu.set_message_limit(None)  # the members are told in one channel; pacing of channel posts is not the point
        members = emu.add_members(MEMBERS)
        closed = members[:CLOSED]
        for member in closed:
            emu.set_accepts_dms(member, False)
        keynote = chair.schedule.session("keynote")
        for member in members:
            await chair.toggle_reminder(keynote, str(member.id))
        too_fast = emu.limit_dm_opens(40, window=1.0)  # an anti-spam stricter than the pace asked for
        assert too_fast is not None

        clock.now = venue("09:50")
        await chair.replan()  # the clock jumped: the reminders are due
        open_members = members[CLOSED:]
        await emu.wait_until(lambda: all(emu.dms_to(m) for m in open_members), timeout=30)
        await emu.wait_until(lambda: chair.announcer is not None and not chair.announcer.busy(), timeout=10)

        assert all(len(emu.dms_to(m)) == 1 for m in open_members)  # each once
        assert all("The Keynote Everyone Wants" in emu.dms_to(m)[0].content for m in open_members)
        assert too_fast.refused >= 1  # the burst met Discord's limit ...
        assert chair.announcer is not None
        assert chair.announcer.direct is not None
        assert chair.announcer.direct.pace.slowdowns >= 1  # ... and the queue slowed down instead of losing any
        outbox = chair.outbox
        assert outbox is not None
        reminders = [i for i in await outbox.items() if i.kind == "reminder"]
        assert sorted(i.status.value for i in reminders).count(Status.SENT.value) == MEMBERS - CLOSED
        failed = {i.created_by for i in reminders if i.status is Status.FAILED}
        assert failed == {str(m.id) for m in closed}
        janson = next(c for c in emu.guild.channels.values() if c.name == "janson")
        notices = [m.content for m in emu.messages_in(janson) if "could not send you the reminder" in m.content]
        assert sorted(notices) == sorted(
            f"<@{m.id}> I could not send you the reminder for **The Keynote Everyone Wants**: your direct messages "
            "are closed. To get reminders, allow direct messages from this server's members (Privacy Settings) and "
            "set the reminder again."
            for m in closed
        )
