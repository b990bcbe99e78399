"""Moderators through Discord: pulling questions on stage and moderating the queue."""

from __future__ import annotations

import json

from bot.qa.model import Status
from tests.on_discord.conftest import Event, settled


async def ask(event: Event, text: str, user: object | None = None) -> int:
    await event.emu.slash("ask", {"question": text}, user=user or event.attendee)
    queue = await event.chair.qa.queue("invited-1", 50)
    return next(item.question.id for item in queue if item.question.text == text)


async def test_next_puts_the_top_question_on_stage_and_posts_it_without_pings(event: Event) -> None:
    await ask(event, "First question @everyone")
    result = await settled(await event.emu.slash("qa next", user=event.moderator))
    assert result.ephemeral
    assert "On stage now" in result.content
    posted = await event.emu.wait_for_message(event.qa_channel, lambda m: "On stage" in m.content)
    assert posted.sent["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in posted.content
    (item,) = await event.chair.qa.queue("invited-1")
    assert item.question.status is Status.ON_STAGE


async def test_next_on_an_empty_queue_says_so(event: Event) -> None:
    result = await settled(await event.emu.slash("qa next", user=event.moderator))
    assert "is empty" in result.content
    assert event.emu.messages_in(event.qa_channel) == []


async def test_moderation_actions_by_question_id(event: Event) -> None:
    q1 = await ask(event, "Question one is here")
    q2 = await ask(event, "Question two is here")
    q3 = await ask(event, "Question three is here")
    assert (
        "dismissed"
        in (await event.emu.slash("qa dismiss", {"question": q1, "reason": "off topic"}, user=event.moderator)).content
    )
    assert "hidden" in (await event.emu.slash("qa hide", {"question": q2}, user=event.moderator)).content
    assert "answered" in (await event.emu.slash("qa answered", {"question": q3}, user=event.moderator)).content
    assert "back in the queue" in (await event.emu.slash("qa restore", {"question": q2}, user=event.moderator)).content
    statuses = {q: (await event.chair.qa.get(q)).status for q in (q1, q2, q3)}
    assert statuses == {q1: Status.DISMISSED, q2: Status.QUEUED, q3: Status.ANSWERED}


async def test_an_illegal_transition_is_refused_with_its_reason(event: Event) -> None:
    q = await ask(event, "Approve me twice please")
    result = await event.emu.slash("qa approve", {"question": q}, user=event.moderator)
    assert result.ephemeral
    assert "approve" in result.content.lower() or "cannot" in result.content.lower()
    assert (await event.chair.qa.get(q)).status is Status.QUEUED


async def test_question_autocomplete_lists_the_live_queue(event: Event) -> None:
    q = await ask(event, "Autocomplete finds me")
    result = await event.emu.autocomplete("qa hide", {"question": ""}, focused="question", user=event.moderator)
    assert [c["value"] for c in result.choices] == [q]
    assert "Autocomplete finds me" in result.choices[0]["name"]


async def test_close_refuses_new_questions_and_open_allows_them_again(event: Event) -> None:
    await event.emu.slash("qa close", user=event.moderator)
    refused = await event.emu.slash("ask", {"question": "Too late?"}, user=event.attendee)
    assert "in the queue" not in refused.content
    await event.emu.slash("qa open", user=event.moderator)
    accepted = await event.emu.slash("ask", {"question": "Now it works?"}, user=event.attendee)
    assert "#1 in the queue" in accepted.content


async def test_ban_stops_a_member_asking_and_unban_lets_them_back(event: Event) -> None:
    banned = await event.emu.slash("qa ban", {"member": event.attendee, "reason": "spam"}, user=event.moderator)
    assert "banned" in banned.content
    refused = await event.emu.slash("ask", {"question": "Can I still ask?"}, user=event.attendee)
    assert "in the queue" not in refused.content
    await event.emu.slash("qa unban", {"member": event.attendee}, user=event.moderator)
    accepted = await event.emu.slash("ask", {"question": "Can I ask again?"}, user=event.attendee)
    assert "in the queue" in accepted.content


async def test_queue_shows_ids_and_questions_awaiting_review(event: Event) -> None:
    await ask(event, "A queued one")
    await event.chair.qa.set_pre_moderation("invited-1", "mod", True)
    await event.emu.slash("ask", {"question": "A reviewed one"}, user=event.moderator)
    result = await event.emu.slash("qa queue", user=event.moderator)
    assert "A queued one" in result.content
    assert "Awaiting review" in result.content
    assert "A reviewed one" in result.content


async def test_export_attaches_the_questions_keeping_anonymous_askers_anonymous(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Secret asker here", "anonymous": True}, user=event.attendee)
    result = await event.emu.slash("qa export", {"format": "json"}, user=event.moderator)
    assert result.response is not None
    (data,) = result.response.files.values()
    exported = json.loads(data)
    assert "Secret asker here" in json.dumps(exported)
    assert "Alice" not in data.decode()
