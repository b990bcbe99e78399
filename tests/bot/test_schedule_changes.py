"""Organizers change the day through Discord: shift, cancel, restore; announcements follow and one
"Schedule update" tells everyone."""

from __future__ import annotations

import datetime as dt

from bot.announce.outbox import Status
from bot.chair import ChairBot
from bot.schedule.loader import load_schedule
from tests.bot.conftest import Event


def updates(event: Event) -> list[str]:
    return [m.content for m in event.emu.messages_in(event.announcements) if "Schedule update" in m.content]


async def test_shift_moves_the_rest_of_the_day_and_posts_one_update(event: Event) -> None:
    result = await event.emu.slash("schedule shift", {"minutes": 15, "session": "posters-1"}, user=event.organizer)
    assert "Moved 2 sessions" in result.content
    posters = event.bot.schedule.session("posters-1")
    assert posters.start == dt.datetime(2024, 5, 11, 7, 45, tzinfo=dt.UTC)  # 09:45 in Vienna
    assert len(updates(event)) == 1
    assert event.bot.outbox is not None
    item = await event.bot.outbox.get("posters-1:start")
    assert item is not None
    assert item.due_at == posters.start


async def test_cancel_drops_the_announcements_and_restore_brings_them_back(event: Event) -> None:
    assert event.bot.outbox is not None
    cancelled = await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    assert "is cancelled" in cancelled.content
    item = await event.bot.outbox.get("invited-2:start")
    assert item is not None
    assert item.status is Status.SKIPPED
    assert event.bot.schedule.find("invited-2") is None
    choices = await event.emu.autocomplete("schedule restore", {"session": ""}, focused="session", user=event.organizer)
    assert [c["value"] for c in choices.choices] == ["invited-2"]
    restored = await event.emu.slash("schedule restore", {"session": "invited-2"}, user=event.organizer)
    assert "back in the schedule" in restored.content
    item = await event.bot.outbox.get("invited-2:start")
    assert item is not None
    assert item.status is Status.PLANNED
    assert len(updates(event)) == 2


async def test_changes_survive_a_restart(event: Event) -> None:
    await event.emu.slash("schedule cancel", {"session": "invited-2"}, user=event.organizer)
    await event.emu.slash("schedule shift", {"minutes": 10, "session": "posters-1"}, user=event.organizer)
    settings, qa, clock = event.bot.settings, event.bot.qa, event.clock
    await event.bot.close()
    restarted = ChairBot(settings, load_schedule(event.schedule_path), qa, clock=clock)
    async with event.emu.run_client(restarted):
        assert restarted.schedule.find("invited-2") is None
        assert restarted.schedule.session("posters-1").start == dt.datetime(2024, 5, 11, 7, 40, tzinfo=dt.UTC)


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
    assert event.bot.schedule.find("invited-2") is None
