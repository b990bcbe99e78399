"""Personal reminders: "Remind me" on an announcement (or /remind, or the menu under /schedule show) sends a
direct message before the session; clicking again removes it. The clock runs 600 times fast from 09:10."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.outbox import Status
from bot.announce.reminders import reminder_id
from bot.clock import ShiftedClock
from tests.on_discord.conftest import TALK_1_LIVE, Event, running_event


@pytest.fixture
async def fast_day(tmp_path: Path) -> AsyncIterator[Event]:
    async with running_event(tmp_path, ShiftedClock(TALK_1_LIVE, speed=600)) as running:
        yield running


def remind_button(message: object) -> str:
    return next(
        c["custom_id"]
        for row in message.components
        for c in row["components"]  # type: ignore[attr-defined]
        if c.get("label") == "Remind me"
    )


async def test_remind_me_on_an_announcement_sends_a_direct_message_before_the_start(fast_day: Event) -> None:
    coming = await fast_day.emu.wait_for_message(
        fast_day.announcements, lambda m: "Poster Session 1" in m.content and "15 minutes" in m.content
    )
    clicked = await fast_day.emu.click(coming, remind_button(coming), user=fast_day.attendee)
    assert clicked.ephemeral
    assert "direct message" in clicked.content
    await fast_day.emu.wait_until(lambda: fast_day.emu.dms_to(fast_day.attendee), timeout=10)
    (dm,) = fast_day.emu.dms_to(fast_day.attendee)
    assert "Poster Session 1" in dm.content
    assert "New York" in dm.content


async def test_a_second_click_removes_the_reminder(fast_day: Event) -> None:
    first = await fast_day.emu.slash("remind", {"session": "invited-2"}, user=fast_day.attendee)
    assert "direct message" in first.content
    second = await fast_day.emu.slash("remind", {"session": "invited-2"}, user=fast_day.attendee)
    assert "removed" in second.content
    assert fast_day.chair.outbox is not None
    item = await fast_day.chair.outbox.get(reminder_id("invited-2", str(fast_day.attendee.id)))
    assert item is not None
    assert item.status is Status.CANCELLED


async def test_a_reminder_follows_its_session_when_the_day_shifts(fast_day: Event) -> None:
    await fast_day.emu.slash("remind", {"session": "invited-2"}, user=fast_day.attendee)
    assert fast_day.chair.outbox is not None
    key = reminder_id("invited-2", str(fast_day.attendee.id))
    before = await fast_day.chair.outbox.get(key)
    await fast_day.emu.slash("schedule shift", {"minutes": 30, "session": "invited-2"}, user=fast_day.organizer)
    after = await fast_day.chair.outbox.get(key)
    assert before is not None
    assert after is not None
    assert (after.due_at - before.due_at).total_seconds() == 30 * 60


async def test_the_menu_under_the_schedule_sets_a_reminder(fast_day: Event) -> None:
    shown = await fast_day.emu.slash("schedule show", user=fast_day.attendee)
    followups = await shown.wait_followups(1)
    (menu_message,) = [m for m in followups if m.components]
    picked = await fast_day.emu.select(menu_message, "remind:menu", ["invited-2"], user=fast_day.attendee)
    assert "direct message" in picked.content


async def test_no_reminder_for_a_session_that_has_started(fast_day: Event) -> None:
    result = await fast_day.emu.slash("remind", {"session": "invited-1"}, user=fast_day.attendee)
    assert "already started" in result.content
