"""Session announcements on Discord, on a clock running 600 times fast from just before Invited Talk 1: the
announcement at the start, a Q&A thread per talk where questions go on stage, and the closing note."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.announce.outbox import Item, Status
from bot.clock import ShiftedClock
from tests.emulator.model import Channel
from tests.on_discord.conftest import SCHEDULE, Event, running_event, settled

BEFORE_TALK_1 = dt.datetime(2024, 5, 11, 6, 59, 30, tzinfo=dt.UTC)  # 08:59:30 in Vienna


@pytest.fixture
async def talk_day(tmp_path: Path) -> AsyncIterator[Event]:
    async with running_event(tmp_path, ShiftedClock(BEFORE_TALK_1, speed=600), qa_channel=None) as running:
        yield running


async def sent_item(day: Event, item_id: str, timeout: float = 5.0) -> Item:
    """The outbox item ``item_id`` once it is recorded as sent."""
    assert day.chair.outbox is not None
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        item = await day.chair.outbox.get(item_id)
        if item is not None and item.status is Status.SENT:
            return item
        assert asyncio.get_running_loop().time() < deadline, f"{item_id} was not recorded as sent: {item}"
        await asyncio.sleep(0.02)


async def qa_thread(day: Event, title: str) -> Channel:
    """The talk's Q&A thread, once the bot has opened it (just after the talk's "Now live")."""
    return await day.emu.wait_until(
        lambda: next((t for t in day.emu.threads_in(day.announcements) if title in t.name), None),
        what=f"the Q&A thread of {title}",
    )


async def test_a_talk_goes_live_with_an_embed_and_a_q_and_a_thread(talk_day: Event) -> None:
    live = await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    assert "Invited Talk 1" in live.content
    (embed,) = live.embeds
    assert "Andrew Wilson" in embed["description"]
    assert "<t:1715410800:F>" in embed["description"]
    assert "New York" in embed["description"]
    assert live.sent["allowed_mentions"] == {"parse": []}
    thread = await qa_thread(talk_day, "Invited Talk 1")
    assert [t.name for t in talk_day.emu.threads_in(talk_day.announcements) if "Invited Talk 1" in t.name] == [
        "Q&A: Invited Talk 1"
    ]
    assert thread.name == "Q&A: Invited Talk 1"


async def test_now_live_comes_before_the_q_and_a_thread_and_questions_are_taken_at_once(talk_day: Event) -> None:
    live = await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    asked = await talk_day.emu.slash(
        "ask", {"question": "Asked the moment it went live", "session": "invited-1"}, user=talk_day.attendee
    )
    assert "in the queue" in asked.content
    thread = await qa_thread(talk_day, "Invited Talk 1")
    # Snowflakes grow with time: the thread was made after the announcement.
    assert thread.id > live.id


async def test_a_posted_announcement_has_a_jump_link(talk_day: Event) -> None:
    live = await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    guild = talk_day.announcements.guild_id
    link = talk_day.chair.publisher.link(live.id, None)
    assert link == f"https://discord.com/channels/{guild}/{talk_day.announcements.id}/{live.id}"
    assert talk_day.chair.publisher.link(live.id, str(talk_day.announcements.id)) == link


async def test_questions_go_on_stage_in_the_talks_thread(talk_day: Event) -> None:
    await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    await talk_day.emu.slash("ask", {"question": "Where is the code?"}, user=talk_day.attendee)
    await settled(await talk_day.emu.slash("qa next", user=talk_day.moderator))
    thread = await qa_thread(talk_day, "Invited Talk 1")
    on_stage = await talk_day.emu.wait_for_message(thread, lambda m: "On stage" in m.content)
    assert "Where is the code?" in on_stage.content


async def test_q_and_a_closes_after_the_talk_with_the_unanswered_questions(talk_day: Event) -> None:
    await talk_day.emu.wait_for_message(talk_day.announcements, lambda m: "Now live" in m.content)
    await talk_day.emu.slash("ask", {"question": "Left for the speaker?"}, user=talk_day.attendee)
    thread = await qa_thread(talk_day, "Invited Talk 1")
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
        # The outbox records the post once the talk's Q&A thread, opened right after it, is there too.
        item = await sent_item(day, "invited-1:start")
        assert item.message_id == live[0].id


async def test_a_poster_list_is_posted_once_and_the_opening_links_to_it(tmp_path: Path) -> None:
    posters = ", ".join(f'{{id: P{n}, title: "Poster {n}"}}' for n in range(1, 31))
    schedule = SCHEDULE.replace(
        'title: Poster Session 1, start: "09:30", end: "10:30"}',
        f'title: Poster Session 1, start: "09:30", end: "10:30", posters: [{posters}]}}',
    )
    # From 09:13 at 240 times real speed: the notice 15 minutes before (09:15) comes half a second in, and it stays
    # worth posting until 09:30, over four seconds in, however slowly a busy machine starts the bot.
    before_posters = dt.datetime(2024, 5, 11, 7, 13, tzinfo=dt.UTC)
    async with running_event(tmp_path, ShiftedClock(before_posters, speed=240), schedule=schedule) as day:
        soon = await day.emu.wait_for_message(
            day.announcements, lambda m: "Poster Session 1** starts in" in m.content, timeout=10
        )
        opening = await day.emu.wait_for_message(
            day.announcements, lambda m: "Now open" in m.content and "Poster Session 1" in m.content, timeout=10
        )
        listed = [m for m in day.emu.messages_in(day.announcements) if "Poster 30" in str(m.embeds)]
        assert [m.id for m in listed] == [soon.id]  # all 30 in the first post's embeds, and nowhere else
        guild = day.announcements.guild_id
        assert f"https://discord.com/channels/{guild}/{day.announcements.id}/{soon.id}" in str(opening.embeds)
