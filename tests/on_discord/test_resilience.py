"""Discord failing under the bot: rate limits, server errors, a dropped gateway, a restart. Nothing an
attendee asked is lost and nothing is posted twice."""

from __future__ import annotations

import pytest

from tests.on_discord.conftest import Event, restarted, settled

MESSAGES = r"/channels/\d+/messages"


@pytest.mark.parametrize("status", [429, 500, 502])
async def test_a_failed_post_is_retried_and_posted_once(event: Event, status: int) -> None:
    await event.emu.slash("ask", {"question": "Will this survive?"}, user=event.attendee)
    event.emu.fail_next("POST", MESSAGES, status, retry_after=0.1)
    result = await settled(await event.emu.slash("qa next", user=event.moderator, timeout=10))
    assert "On stage now" in result.content
    assert "refused" not in result.content
    posted = [m for m in event.emu.messages_in(event.qa_channel) if "On stage" in m.content]
    assert len(posted) == 1


async def test_a_refused_post_is_reported_and_the_question_stays_on_stage(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Still on stage?"}, user=event.attendee)
    event.emu.fail_next("POST", MESSAGES, 403)  # e.g. the bot lost Send Messages in the Q&A channel
    result = await settled(await event.emu.slash("qa next", user=event.moderator, timeout=20))
    assert "Discord refused the post" in result.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.rank is None  # on stage


async def test_a_failed_reply_loses_no_question(event: Event) -> None:
    event.emu.fail_next("POST", r"/interactions/\d+/[^/]+/callback", 500, count=10)
    sent = event.emu.send_slash("ask", {"question": "Acknowledged on disk?"}, user=event.attendee)
    await event.emu.wait_until(lambda: len(event.emu.requests_matching("POST", r"/interactions/.*")) >= 2, timeout=20)
    assert not sent.answered
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.text == "Acknowledged on disk?"


async def test_after_a_dropped_gateway_the_bot_resumes_and_keeps_every_question(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Before the drop"}, user=event.attendee)
    await event.emu.drop_gateway()
    await event.emu.wait_resumed()
    after = await event.emu.slash("ask", {"question": "After the drop"}, user=event.attendee)
    assert "#2 in the queue" in after.content
    texts = [item.question.text for item in await event.chair.qa.queue("invited-1")]
    assert texts == ["Before the drop", "After the drop"]


async def test_upvote_buttons_keep_working_after_a_restart(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Vote after restart"}, user=event.attendee)
    listing = await event.emu.slash("questions", user=event.organizer)
    (button,) = [c for row in listing.response.components for c in row["components"]]  # type: ignore[union-attr]
    async with restarted(event):
        result = await event.emu.click(listing.response, button["custom_id"], user=event.moderator)  # type: ignore[arg-type]
    assert "counted" in result.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.votes == 1
