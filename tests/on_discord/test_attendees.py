"""Attendees through Discord: asking, listing and upvoting questions, and what is on now."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import discord_app
from bot.config import Settings
from bot.on_discord import replies
from bot.on_discord.client import ChairBot
from bot.qa.model import Status
from tests.emulator import CallbackType, DiscordEmulator, Member
from tests.on_discord.conftest import SCHEDULE, TALK_1_LIVE, Event, MovableClock


async def test_ask_goes_to_the_live_session_and_says_its_place(event: Event) -> None:
    result = await event.emu.slash("ask", {"question": "How does this scale?"}, user=event.attendee)
    assert result.ephemeral
    assert "#1 in the queue" in result.content
    assert "Invited Talk 1" in result.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.text == "How does this scale?"
    assert item.question.author_name == "Alice"


async def test_ask_for_a_named_session_and_anonymously(event: Event) -> None:
    result = await event.emu.slash(
        "ask", {"question": "What about posters?", "anonymous": True, "session": "invited-2"}, user=event.attendee
    )
    assert "Invited Talk 2" in result.content
    (item,) = await event.chair.qa.queue("invited-2")
    assert item.question.anonymous


async def test_session_autocomplete_offers_live_then_upcoming_sessions_with_qa(event: Event) -> None:
    result = await event.emu.autocomplete(
        "ask", {"question": "x", "session": ""}, focused="session", user=event.attendee
    )
    assert [c["value"] for c in result.choices][:2] == ["invited-1", "invited-2"]
    assert "posters-1" not in [c["value"] for c in result.choices]  # poster sessions have no Q&A


async def test_unknown_session_is_refused_with_a_reason(event: Event) -> None:
    result = await event.emu.slash("ask", {"question": "Hello there", "session": "nope"}, user=event.attendee)
    assert result.ephemeral
    assert "There is no session 'nope'" in result.content


HOSTILE = [
    ("@everyone look at this", "everyone"),
    ("<@&123456789012345678> and <@123456789012345678>", "mention"),
    ("```python\nimport os\n``` **bold** [link](https://evil.example)", "markdown"),
    ("right\u202eto\u202dleft and zero\u200bwidth", "bidi"),
]


@pytest.mark.parametrize(("text", "label"), HOSTILE, ids=[h[1] for h in HOSTILE])
async def test_hostile_questions_are_stored_cleanly_and_never_ping(event: Event, text: str, label: str) -> None:
    result = await event.emu.slash("ask", {"question": text}, user=event.attendee)
    assert "in the queue" in result.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert "\u202e" not in item.question.text
    assert "\u200b" not in item.question.text
    listing = await event.emu.slash("questions", user=event.attendee)
    sent = listing.callback or {}
    assert sent["data"]["allowed_mentions"] == {"parse": []}
    for raw in ("@everyone", "<@&123456789012345678>", "<@123456789012345678>", "```", "](https://"):
        assert raw not in listing.content


# Discord's app refuses a question outside the lengths /ask registered; one with an older copy of the command may
# still send any length up to Discord's own 6,000 characters, so the bot checks again.
@pytest.mark.parametrize("text", ["", "  ", "x" * 6000, "\u200b\u200b\u200b"])
async def test_empty_or_overlong_questions_are_refused_and_nothing_is_stored(event: Event, text: str) -> None:
    result = await event.emu.slash("ask", {"question": text}, user=event.attendee, stale_limits=True)
    assert result.ephemeral
    assert "in the queue" not in result.content
    assert result.content  # a reason, not silence
    assert await event.chair.qa.queue("invited-1") == []


@contextlib.asynccontextmanager
async def started_with(tmp_path: Path, **values: Any) -> AsyncIterator[tuple[DiscordEmulator, ChairBot, Member]]:
    """chairbot started as ``chairbot run`` starts it (its services from the settings) with ``values`` set."""
    schedule_path = tmp_path / "day.yaml"
    schedule_path.write_text(SCHEDULE, encoding="utf-8")
    async with DiscordEmulator(heartbeat_interval=5.0) as emu:
        emu.add_text_channel("announcements")
        attendee = emu.add_member("alice", display_name="Alice")
        settings = Settings(
            discord_token=emu.token,
            guild_id=emu.guild.id,
            announce_channel="announcements",
            data_dir=tmp_path / "data",
            schedule=str(schedule_path),
            **values,
        )
        async with discord_app(settings, clock=MovableClock(TALK_1_LIVE)) as bot, emu.run_client(bot):
            await asyncio.wait_for(bot.chair.started.wait(), 10)
            yield emu, bot, attendee


def question_option(emu: DiscordEmulator) -> dict[str, Any]:
    ask = next(c for c in emu.guild_commands() if c["name"] == "ask")
    option: dict[str, Any] = next(o for o in ask["options"] if o["name"] == "question")
    return option


async def test_ask_tells_discord_the_configured_question_lengths(tmp_path: Path) -> None:
    async with started_with(tmp_path, question_min_length=10, question_max_length=120) as (emu, _bot, _alice):
        option = question_option(emu)
    assert (option["min_length"], option["max_length"]) == (10, 120)
    assert option["description"] == "Your question (10 to 120 characters)"


async def test_ask_tells_discord_the_default_question_lengths(event: Event) -> None:
    option = question_option(event.emu)
    assert (option["min_length"], option["max_length"]) == (3, 500)


async def test_discord_refuses_a_question_outside_the_configured_lengths(tmp_path: Path) -> None:
    async with started_with(tmp_path, question_min_length=10, question_max_length=120) as (emu, bot, alice):
        for text in ("Too short", "x" * 121):
            with pytest.raises(ValueError, match="outside the allowed range 10 to 120"):
                emu.send_slash("ask", {"question": text}, user=alice)
        result = await emu.slash("ask", {"question": "x" * 120}, user=alice)
        assert "#1 in the queue" in result.content
        (item,) = await bot.chair.qa.queue("invited-1")
        assert item.question.text == "x" * 120


async def test_upvote_button_counts_once_and_a_second_click_takes_it_back(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Is the code public?"}, user=event.attendee)
    listing = await event.emu.slash("questions", user=event.moderator)
    assert listing.response is not None
    (button,) = [c for row in listing.response.components for c in row["components"]]
    first = await event.emu.click(listing.response, button["custom_id"], user=event.moderator)
    assert "counted" in first.content
    assert "▲ 1" in first.content
    second = await event.emu.click(listing.response, button["custom_id"], user=event.moderator)
    assert "taken back" in second.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.votes == 0
    own = await event.emu.click(listing.response, button["custom_id"], user=event.attendee)
    assert own.ephemeral
    assert "own" in own.content


async def test_vote_buttons_say_what_a_click_does_and_show_the_votes(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Which benchmark did you use?"}, user=event.attendee)
    await event.emu.slash("ask", {"question": "Is the code public?"}, user=event.moderator)
    await event.emu.slash("ask", {"question": "How long did training take?"}, user=event.organizer)
    first, second, third = [item.question for item in await event.chair.qa.queue("invited-1")]
    for voter in ("voter-1", "voter-2", "voter-3"):
        await event.chair.qa.vote(second.id, voter)
    await event.chair.qa.vote(third.id, "voter-1")
    on_stage = await event.chair.qa.pull_next("invited-1", "moderator")
    assert on_stage.question is not None
    assert on_stage.question.id == second.id  # the most voted
    listing = await event.emu.slash("questions", user=event.attendee)
    assert listing.response is not None
    buttons = [c for row in listing.response.components for c in row["components"]]
    assert [(b["label"], b["custom_id"]) for b in buttons] == [
        ("▲ Upvote (on stage) · 3 votes", f"qa:vote:{second.id}"),
        ("▲ Upvote #1 · 1 vote", f"qa:vote:{third.id}"),
        ("▲ Upvote #2 · 0 votes", f"qa:vote:{first.id}"),
    ]
    clicked = await event.emu.click(listing.response, f"qa:vote:{third.id}", user=event.attendee)
    assert "Your vote is counted: this question has ▲ 2 votes." in clicked.content


async def test_now_shows_the_live_session_with_timestamps_and_zones(event: Event) -> None:
    result = await event.emu.slash("now", user=event.attendee)
    assert "**On now**" in result.content
    assert "Invited Talk 1" in result.content
    assert "<t:" in result.content
    assert "New York" in result.content


async def test_schedule_show_lists_the_day(event: Event) -> None:
    result = await event.emu.slash("schedule show", user=event.attendee)
    assert "Saturday 11 May 2024" in result.content
    assert result.content.count("<t:") == 8  # start and end of four sessions
    bad = await event.emu.slash("schedule show", {"day": "tomorrow"}, user=event.attendee)
    assert "YYYY-MM-DD" in bad.content


async def test_pre_moderated_session_keeps_questions_for_review(event: Event) -> None:
    await event.chair.qa.set_pre_moderation("invited-1", "mod", True)
    result = await event.emu.slash("ask", {"question": "Can I ask this?"}, user=event.attendee)
    assert "review" in result.content
    (pending,) = await event.chair.qa.pending_review("invited-1")
    assert pending.status is Status.PENDING_REVIEW


async def test_a_slow_store_defers_first_then_answers_in_a_followup(
    event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Discord allows 3 s for the first answer; when the store is slow, the bot says "thinking" before that and
    # answers in a followup. Shortened here so the test takes a fraction of a second.
    monkeypatch.setattr(replies, "ANSWER_WITHIN_S", 0.05)
    # Another connection (a backup, the command line) holds the database's write lock for half a second.
    blocker = sqlite3.connect(event.chair.qa.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(0.5, blocker.execute, "COMMIT")
    try:
        result = await event.emu.slash("ask", {"question": "Will the slides be shared?"}, user=event.attendee)
        assert result.callback_type == CallbackType.DEFERRED_CHANNEL_MESSAGE
        assert result.ephemeral
        (followup,) = await result.wait_followups(1)
    finally:
        blocker.close()
    assert "#1 in the queue" in followup.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.text == "Will the slides be shared?"
