"""Organizers change the day through Discord: shift, cancel, restore; announcements follow and one
"Schedule update" tells everyone."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.announce.outbox import Status
from bot.announce.reminders import reminder_id
from tests.on_discord.conftest import SCHEDULE, Event, MovableClock, restarted, running_event, settled


def updates(event: Event) -> list[str]:
    return [m.content for m in event.emu.messages_in(event.announcements) if "Schedule update" in m.content]


async def test_shift_moves_the_rest_of_the_day_and_posts_one_update(event: Event) -> None:
    result = await event.emu.slash("schedule shift", {"minutes": 15, "session": "posters-1"}, user=event.organizer)
    assert "Moved 2 sessions" in result.content
    posters = event.chair.schedule.session("posters-1")
    assert posters.start == dt.datetime(2024, 5, 11, 7, 45, tzinfo=dt.UTC)  # 09:45 in Vienna
    assert len(updates(event)) == 1
    assert event.chair.outbox is not None
    item = await event.chair.outbox.get("posters-1:start")
    assert item is not None
    assert item.due_at == posters.start


async def test_cancel_drops_the_announcements_and_restore_brings_them_back(event: Event) -> None:
    assert event.chair.outbox is not None
    cancelled = await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    assert "is cancelled" in cancelled.content
    item = await event.chair.outbox.get("invited-2:start")
    assert item is not None
    assert item.status is Status.SKIPPED
    assert event.chair.schedule.find("invited-2") is None
    choices = await event.emu.autocomplete("schedule restore", {"session": ""}, focused="session", user=event.organizer)
    assert [c["value"] for c in choices.choices] == ["invited-2"]
    restored = await event.emu.slash("schedule restore", {"session": "invited-2"}, user=event.organizer)
    assert "back in the schedule" in restored.content
    item = await event.chair.outbox.get("invited-2:start")
    assert item is not None
    assert item.status is Status.PLANNED
    assert len(updates(event)) == 2


async def test_changes_survive_a_restart(event: Event) -> None:
    await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    await event.emu.slash("schedule shift", {"minutes": 10, "session": "posters-1"}, user=event.organizer)
    async with restarted(event) as bot:
        assert bot.chair.schedule.find("invited-2") is None
        assert bot.chair.schedule.session("posters-1").start == dt.datetime(2024, 5, 11, 7, 40, tzinfo=dt.UTC)


async def test_earlier_shift_into_a_past_session_is_refused(event: Event) -> None:
    result = await event.emu.slash("schedule shift", {"minutes": -20, "session": "posters-1"}, user=event.organizer)
    assert "Not shifted" in result.content
    assert updates(event) == []


async def test_reload_keeps_a_cancellation_the_file_did_not_touch(event: Event) -> None:
    await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    text = event.schedule_path.read_text(encoding="utf-8")
    event.schedule_path.write_text(text.replace("Poster Session 1", "Poster Session One"), encoding="utf-8")
    result = await event.emu.slash("schedule reload", user=event.organizer)
    assert "Changed: `posters-1`" in result.content
    assert "Still cancelled: `invited-2`" in result.content
    assert event.chair.schedule.find("invited-2") is None


# --- shifting the day while a talk is on -----------------------------------------------------------------------------

#: A day two days from now: Discord takes scheduled events only in the future, so the Events tab can be checked.
DAY = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date()
VIENNA = ZoneInfo("Europe/Vienna")
CANCELLED_EVENT = 4  # Discord's status for a cancelled scheduled event


def venue(hh_mm: str) -> dt.datetime:
    """An instant of that day, given at the venue."""
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return dt.datetime.combine(DAY, dt.time(hours, minutes), tzinfo=VIENNA).astimezone(dt.UTC)


def ts(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def now_live_posts(event: Event, title: str) -> list[str]:
    return [
        m.content for m in event.emu.messages_in(event.announcements) if "Now live" in m.content and title in m.content
    ]


@pytest.fixture
async def talk_on(tmp_path: Path) -> AsyncIterator[Event]:
    """09:05 at the venue, Invited Talk 1 (09:00–09:30) on; its event in the Events tab was made before it began."""
    clock = MovableClock(venue("08:55"))
    text = SCHEDULE.replace("date: 2024-05-11", f"date: {DAY.isoformat()}")
    async with running_event(tmp_path, clock, schedule=text) as running:
        # Sessions not yet started at 08:55 get their event: Invited Talk 1, Poster Session 1, Invited Talk 2.
        await running.emu.wait_until(lambda: len(running.emu.scheduled_events()) == 3)
        clock.now = venue("09:05")
        await running.chair.replan()  # the clock jumped: the jobs are timed again by it, and the talk goes live
        await running.emu.wait_until(lambda: now_live_posts(running, "Invited Talk 1"))
        await running.emu.wait_until(lambda: running.chair.announcer is not None and not running.chair.announcer.busy())
        yield running


async def shift(event: Event, minutes: int) -> str:
    result = await settled(await event.emu.slash("schedule shift", {"minutes": minutes}, user=event.organizer))
    return result.followups[0].content if result.followups else result.content


async def test_a_talk_on_when_the_day_is_shifted_stays_under_now_with_its_new_end(talk_on: Event) -> None:
    await shift(talk_on, 10)
    shown = (await talk_on.emu.slash("now", user=talk_on.attendee)).content
    on_now, _, following = shown.partition("**Next**")
    assert "Invited Talk 1" in on_now
    assert f"until <t:{ts(venue('09:40'))}:t>" in on_now
    assert "Invited Talk 1" not in following


async def test_a_talk_on_when_the_day_is_shifted_is_not_announced_again_and_its_qa_closes_later(
    talk_on: Event,
) -> None:
    outbox = talk_on.chair.outbox
    assert outbox is not None
    await shift(talk_on, 10)
    start = await outbox.get("invited-1:start")
    assert start is not None
    assert (start.status, start.due_at) == (Status.SENT, venue("09:00"))
    still_to_come = [i.id for i in await outbox.pending() if i.session_id == "invited-1"]
    assert still_to_come == ["invited-1:qa-close"]
    closing = await outbox.get("invited-1:qa-close")
    assert closing is not None
    assert closing.due_at == venue("09:50")  # the new end, 09:40, and the usual ten minutes
    assert len(now_live_posts(talk_on, "Invited Talk 1")) == 1


async def test_sessions_not_yet_started_are_announced_later_when_a_talk_on_runs_longer(talk_on: Event) -> None:
    outbox = talk_on.chair.outbox
    assert outbox is not None
    await shift(talk_on, 10)
    coming = await outbox.get("posters-1:before-15m")
    live = await outbox.get("posters-1:start")
    assert coming is not None
    assert live is not None
    assert (coming.due_at, live.due_at) == (venue("09:25"), venue("09:40"))


async def test_the_schedule_update_says_until_when_the_talk_on_now_runs(talk_on: Event) -> None:
    reply = await shift(talk_on, 10)
    assert "keeps its start and now runs until" in reply
    assert "Moved 2 later sessions 10 minutes later" in reply
    (update,) = updates(talk_on)
    assert f"**Invited Talk 1** now runs until <t:{ts(venue('09:40'))}:t>" in update
    assert "Vienna: 09:30 → 09:40" in update
    assert f"**Poster Session 1**: <t:{ts(venue('09:30'))}:t> → <t:{ts(venue('09:40'))}:t>" in update


async def test_reminders_follow_the_sessions_that_move_and_none_comes_for_the_talk_on(talk_on: Event) -> None:
    outbox = talk_on.chair.outbox
    assert outbox is not None
    await talk_on.emu.slash("remind", {"session": "posters-1"}, user=talk_on.attendee)
    await shift(talk_on, 10)
    reminder = await outbox.get(reminder_id("posters-1", str(talk_on.attendee.id)))
    assert reminder is not None
    assert (reminder.status, reminder.due_at) == (Status.PLANNED, venue("09:30"))
    refused = await talk_on.emu.slash("remind", {"session": "invited-1"}, user=talk_on.attendee)
    assert "has already started" in refused.content
    assert await outbox.get(reminder_id("invited-1", str(talk_on.attendee.id))) is None


async def test_the_events_tab_keeps_the_talk_on_and_gives_it_its_new_end(talk_on: Event) -> None:
    await shift(talk_on, 10)
    events = {e.name: e for e in talk_on.emu.scheduled_events()}
    talk = events["Invited Talk 1"]
    assert dt.datetime.fromisoformat(talk.data["scheduled_end_time"]) == venue("09:40")
    assert dt.datetime.fromisoformat(talk.data["scheduled_start_time"]) == venue("09:00")
    assert talk.status != CANCELLED_EVENT
    # Under way on Discord: the edit leaves its start and its status alone, so it stays active.
    assert "scheduled_start_time" not in talk.edits[-1]
    assert "status" not in talk.edits[-1]
    posters = events["Poster Session 1"]
    assert dt.datetime.fromisoformat(posters.data["scheduled_start_time"]) == venue("09:40")


async def test_a_talk_on_cannot_be_ended_within_the_next_minute(talk_on: Event) -> None:
    reply = await shift(talk_on, -25)
    assert "Not shifted" in reply
    assert "at most 24 minutes earlier" in reply
    assert talk_on.chair.schedule.session("invited-1").end == venue("09:30")
    assert updates(talk_on) == []


async def test_a_talk_on_can_end_earlier_and_brings_the_rest_forward(talk_on: Event) -> None:
    await shift(talk_on, -10)
    assert talk_on.chair.schedule.session("invited-1").start == venue("09:00")
    assert talk_on.chair.schedule.session("invited-1").end == venue("09:20")
    assert talk_on.chair.schedule.session("posters-1").start == venue("09:20")


async def test_a_session_not_in_force_is_named_in_the_refusal(event: Event) -> None:
    await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    again = await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    assert again.content == "There is no session 'invited-2' in force (already cancelled?)."
    restored = await event.emu.slash("schedule restore", {"session": "posters-1"}, user=event.organizer)
    assert restored.content == "'posters-1' is not cancelled."
