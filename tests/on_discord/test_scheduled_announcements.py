"""Scheduled announcements through Discord: stored, posted at their time, listed, withdrawn, and kept across a
restart. The bot's clock runs 600 times fast from 09:10 at the venue, so a minute passes in 0.1 s."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.outbox import Status
from bot.clock import ShiftedClock, real_time_of
from tests.emulator.snowflake import snowflake_time
from tests.on_discord.conftest import TALK_1_LIVE, Event, restarted, running_event


@pytest.fixture
async def fast_event(tmp_path: Path) -> AsyncIterator[Event]:
    async with running_event(tmp_path, ShiftedClock(TALK_1_LIVE, speed=600)) as running:
        yield running


def _post_button(result: object) -> str:
    message = result.response  # type: ignore[attr-defined]
    return next(c["custom_id"] for row in message.components for c in row["components"] if c["label"] == "Post")


async def schedule(event: Event, text: str, at: str) -> None:
    preview = await event.emu.slash("announce", {"text": text, "at": at}, user=event.organizer)
    assert "Preview" in preview.content
    confirmed = await event.emu.click(preview.response, _post_button(preview), user=event.organizer)  # type: ignore[arg-type]
    assert "Scheduled as `note-" in confirmed.content


async def test_a_scheduled_announcement_is_posted_at_its_time(fast_event: Event) -> None:
    # 10 minutes at 600 times the speed: one real second. Not "nothing posted yet" right after scheduling, which a
    # loaded machine can turn into a race, but the time Discord stamped on the post against the time it was due.
    await schedule(fast_event, "Coffee is ready @here", "in 10 min")
    message = await fast_event.emu.wait_for_message(fast_event.announcements, lambda m: "Coffee" in m.content)
    assert message.sent["allowed_mentions"] == {"parse": []}
    assert fast_event.chair.outbox is not None
    item = await fast_event.chair.outbox.get("note-1")
    assert item is not None
    assert (item.status, item.message_id) == (Status.SENT, message.id)
    due = real_time_of(fast_event.chair.clock, item.due_at)
    # Snowflakes count milliseconds: allow the one the due instant falls in.
    assert snowflake_time(message.id) >= due - dt.timedelta(milliseconds=1)


async def test_the_preview_shows_the_time_in_every_zone(fast_event: Event) -> None:
    preview = await fast_event.emu.slash("announce", {"text": "Panel soon", "at": "15:30"}, user=fast_event.organizer)
    assert "<t:1715434200:F>" in preview.content  # 15:30 in Vienna
    assert "15:30 Vienna · 09:30 New York" in preview.content


async def test_a_time_in_the_past_is_refused(fast_event: Event) -> None:
    result = await fast_event.emu.slash("announce", {"text": "Too late", "at": "08:00"}, user=fast_event.organizer)
    assert "Not scheduled" in result.content
    assert "already passed" in result.content


async def test_list_and_cancel(fast_event: Event) -> None:
    await schedule(fast_event, "Lunch at noon", "in 200 min")
    listed = await fast_event.emu.slash("announcements list", user=fast_event.organizer)
    assert "note-1" in listed.content
    assert "Lunch at noon" in listed.content
    choices = await fast_event.emu.autocomplete(
        "announcements cancel", {"announcement": ""}, focused="announcement", user=fast_event.organizer
    )
    assert [c["value"] for c in choices.choices] == ["note-1"]
    cancelled = await fast_event.emu.slash(
        "announcements cancel", {"announcement": "note-1"}, user=fast_event.organizer
    )
    assert "withdrawn" in cancelled.content
    assert "No scheduled" in (await fast_event.emu.slash("announcements list", user=fast_event.organizer)).content


async def test_a_scheduled_announcement_survives_a_restart_and_is_posted_once(fast_event: Event) -> None:
    await schedule(fast_event, "After the restart", "in 15 min")
    async with restarted(fast_event):
        await fast_event.emu.wait_for_message(fast_event.announcements, lambda m: "After the restart" in m.content)
    posted = [m for m in fast_event.emu.messages_in(fast_event.announcements) if "After the restart" in m.content]
    assert len(posted) == 1
