"""Attendees through Discord: asking, listing and upvoting questions, and what is on now."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from bot.cogs import access
from bot.qa.model import Status
from tests.bot.conftest import Event
from tests.emulator import CallbackType


async def test_ask_goes_to_the_live_session_and_says_its_place(event: Event) -> None:
    result = await event.emu.slash("ask", {"question": "How does this scale?"}, user=event.attendee)
    assert result.ephemeral
    assert "#1 in the queue" in result.content
    assert "Invited Talk 1" in result.content
    (item,) = await event.bot.qa.queue("invited-1")
    assert item.question.text == "How does this scale?"
    assert item.question.author_name == "Alice"


async def test_ask_for_a_named_session_and_anonymously(event: Event) -> None:
    result = await event.emu.slash(
        "ask", {"question": "What about posters?", "anonymous": True, "session": "invited-2"}, user=event.attendee
    )
    assert "Invited Talk 2" in result.content
    (item,) = await event.bot.qa.queue("invited-2")
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
    (item,) = await event.bot.qa.queue("invited-1")
    assert "\u202e" not in item.question.text
    assert "\u200b" not in item.question.text
    listing = await event.emu.slash("questions", user=event.attendee)
    sent = listing.callback or {}
    assert sent["data"]["allowed_mentions"] == {"parse": []}
    for raw in ("@everyone", "<@&123456789012345678>", "<@123456789012345678>", "```", "](https://"):
        assert raw not in listing.content


# Discord itself refuses string options over 6,000 characters, so 6,000 is the longest a question can arrive.
@pytest.mark.parametrize("text", ["", "  ", "x" * 6000, "\u200b\u200b\u200b"])
async def test_empty_or_overlong_questions_are_refused_and_nothing_is_stored(event: Event, text: str) -> None:
    result = await event.emu.slash("ask", {"question": text}, user=event.attendee)
    assert result.ephemeral
    assert "in the queue" not in result.content
    assert result.content  # a reason, not silence
    assert await event.bot.qa.queue("invited-1") == []


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
    (item,) = await event.bot.qa.queue("invited-1")
    assert item.question.votes == 0
    own = await event.emu.click(listing.response, button["custom_id"], user=event.attendee)
    assert own.ephemeral
    assert "own" in own.content


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
    await event.bot.qa.set_pre_moderation("invited-1", "mod", True)
    result = await event.emu.slash("ask", {"question": "Can I ask this?"}, user=event.attendee)
    assert "review" in result.content
    (pending,) = await event.bot.qa.pending_review("invited-1")
    assert pending.status is Status.PENDING_REVIEW


async def test_a_slow_store_defers_first_then_answers_in_a_followup(
    event: Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Discord allows 3 s for the first answer; when the store is slow, the bot says "thinking" before that and
    # answers in a followup. Shortened here so the test takes a fraction of a second.
    monkeypatch.setattr(access, "ANSWER_WITHIN_S", 0.05)
    # Another connection (a backup, the command line) holds the database's write lock for half a second.
    blocker = sqlite3.connect(event.bot.qa.path, isolation_level=None)
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
    (item,) = await event.bot.qa.queue("invited-1")
    assert item.question.text == "Will the slides be shared?"
