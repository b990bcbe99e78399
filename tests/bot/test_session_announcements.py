"""Session announcements on Discord, on a clock running 600 times fast from just before Invited Talk 1: the
announcement at the start, a Q&A thread per talk where questions go on stage, and the closing note."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ShiftedClock
from tests.bot.conftest import Event, running_event, settled

BEFORE_TALK_1 = dt.datetime(2024, 5, 11, 6, 59, 30, tzinfo=dt.UTC)  # 08:59:30 in Vienna


@pytest.fixture
async def talk_day(tmp_path: Path) -> AsyncIterator[Event]:
    async with running_event(tmp_path, ShiftedClock(BEFORE_TALK_1, speed=600), qa_channel=None) as running:
        yield running


async def test_a_talk_goes_live_with_an_embed_and_a_q_and_a_thread(talk_day: Event) -> None:
    live = await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    assert "Invited Talk 1" in live.content
    (embed,) = live.embeds
    assert "Andrew Wilson" in embed["description"]
    assert "<t:1715410800:F>" in embed["description"]
    assert "New York" in embed["description"]
    assert live.sent["allowed_mentions"] == {"parse": []}
    (thread,) = [t for t in talk_day.emu.threads_in(talk_day.announcements) if "Invited Talk 1" in t.name]
    assert thread.name == "Q&A: Invited Talk 1"


async def test_questions_go_on_stage_in_the_talks_thread(talk_day: Event) -> None:
    await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    await talk_day.emu.slash("ask", {"question": "Where is the code?"}, user=talk_day.attendee)
    await settled(await talk_day.emu.slash("qa next", user=talk_day.moderator))
    (thread,) = [t for t in talk_day.emu.threads_in(talk_day.announcements) if "Invited Talk 1" in t.name]
    on_stage = await talk_day.emu.wait_for_message(thread, lambda m: "On stage" in m.content)
    assert "Where is the code?" in on_stage.content


async def test_q_and_a_closes_after_the_talk_with_the_unanswered_questions(talk_day: Event) -> None:
    await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    await talk_day.emu.slash("ask", {"question": "Left for the speaker?"}, user=talk_day.attendee)
    (thread,) = [t for t in talk_day.emu.threads_in(talk_day.announcements) if "Invited Talk 1" in t.name]
    # 09:40 (10 minutes after the end) is 4 s of real time away.
    closed = await talk_day.emu.wait_for_message(thread, lambda m: "Q&A closed" in m.content, timeout=10)
    assert "Left for the speaker?" in str(closed.embeds)
    refused = await talk_day.emu.slash(
        "ask", {"question": "Too late now", "session": "invited-1"}, user=talk_day.attendee
    )
    assert "in the queue" not in refused.content


@pytest.mark.parametrize("status", [429, 500])
async def test_an_announcement_hit_by_a_discord_error_is_retried_and_posted_once(tmp_path: Path, status: int) -> None:
    async with running_event(tmp_path, ShiftedClock(BEFORE_TALK_1, speed=600), qa_channel=None) as day:
        day.emu.fail_next("POST", rf"/channels/{day.announcements.id}/messages", status, retry_after=0.1)
        await day.emu.wait_for_message(day.announcements, lambda m: "Now live" in m.content, timeout=10)
        live = [
            m
            for m in day.emu.messages_in(day.announcements)
            if "Now live" in m.content and "Invited Talk 1" in m.content
        ]
        assert len(live) == 1
        assert day.bot.outbox is not None
        item = await day.bot.outbox.get("invited-1:start")
        assert item is not None
        assert item.message_id == live[0].id
