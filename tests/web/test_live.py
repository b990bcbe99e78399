"""Live updates: a change committed in the core reaches every connected page as one Server-Sent Event."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from bot.live import SCHEDULE, ChangeFeed
from bot.web import live
from tests.web.conftest import Site


async def next_event(response: aiohttp.ClientResponse) -> tuple[str, dict[str, Any]]:
    """The next SSE event of ``response`` (name, JSON data), skipping keep-alive comments."""
    name, data = "message", ""
    while True:
        line = (await asyncio.wait_for(response.content.readline(), 5)).decode().rstrip("\n")
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data += line[len("data: ") :]
        elif line == "" and data:
            return name, json.loads(data)


async def test_feed_merges_what_a_busy_reader_missed() -> None:
    feed = ChangeFeed()
    with feed.subscribe() as reader:
        feed.publish(["talk"])
        feed.publish(["talk", SCHEDULE])
        feed.publish([])
        changes = await reader.next()
        assert changes.topics == {"talk", SCHEDULE}
        feed.publish(["panel"])
        assert (await reader.next()).topics == {"panel"}
    feed.publish(["talk"])  # no reader left: nothing kept for a later one
    with feed.subscribe() as later:
        feed.publish(["panel"])
        assert (await later.next()).topics == {"panel"}


async def test_a_question_reaches_two_pages_within_a_second(site: Site) -> None:
    url = site.base + "/live/qa/talk"
    async with site.http.get(url) as first, site.http.get(url) as second:
        assert first.status == 200
        assert first.headers["Content-Type"].startswith("text/event-stream")
        for page in (first, second):
            name, state = await next_event(page)
            assert name == "qa"
            assert state["session"]["id"] == "talk"
            assert state["queue"] == []
            assert state["stage"] is None
        await site.chair.qa.ask("talk", "1", "<b>How</b> does it scale?", author_name="Ada")
        for page in (first, second):
            name, state = await next_event(page)
            assert [q["text"] for q in state["queue"]] == ["<b>How</b> does it scale?"]
            assert state["queue"][0]["author"] == "Ada"
            assert state["queue"][0]["rank"] == 1
            assert "author_id" not in state["queue"][0]
            assert state["changed_at"] is not None
            assert 0 <= time.time() - state["changed_at"] < 5


async def test_questions_awaiting_review_and_hidden_ones_stay_off_public_pages(site: Site) -> None:
    qa = site.chair.qa
    kept = await qa.ask("talk", "1", "A fine question?", author_name="Ada")
    hidden = await qa.ask("talk", "2", "Spam spam spam", author_name="Troll")
    await qa.hide(hidden.question.id, "mod")
    await qa.ask("talk", "3", "Reviewed first?", author_name="Web", review=True)
    async with site.http.get(site.base + "/live/qa/talk") as page:
        _, state = await next_event(page)
    assert [q["id"] for q in state["queue"]] == [kept.question.id]
    assert state["queued"] == 1


async def test_votes_in_a_burst_arrive_merged(site: Site) -> None:
    asked = await site.chair.qa.ask("talk", "1", "Which engine?", author_name="Ada")
    async with site.http.get(site.base + "/live/qa/talk") as page:
        await next_event(page)
        await asyncio.gather(*(site.chair.qa.vote(asked.question.id, f"voter{i}") for i in range(50)))
        votes = 0
        events = 0
        while votes < 50:
            _, state = await next_event(page)
            votes = state["queue"][0]["votes"]
            events += 1
        assert events < 50  # one snapshot answers many votes


async def test_a_shift_updates_the_stage_of_the_session(site: Site) -> None:
    async with site.http.get(site.base + "/live/qa/talk") as page:
        _, before = await next_event(page)
        await site.chair.shift(15, "talk", "organizer")
        _, after = await next_event(page)
    assert after["session"]["start"] != before["session"]["start"]


async def test_an_unknown_session_has_no_stream(site: Site) -> None:
    response, text = await site.get("/live/qa/nope")
    assert response.status == 404
    assert "nope" in json.loads(text)["detail"]


async def test_keep_alive_pings_are_whole_events_of_their_own(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "PING_S", 0.05)
    async with site.http.get(site.base + "/live/qa/talk") as page:
        await next_event(page)
        await asyncio.sleep(0.2)
        await site.chair.qa.ask("talk", "1", "After the pings?", author_name="Ada")
        # Every event ends with an empty line of the same kind: a ping glued to an update would hide it.
        seen = b""
        while b"After the pings?" not in seen:
            seen += await asyncio.wait_for(page.content.readuntil(b"\n\n"), 5)
        assert b"\r" not in seen
        assert b": ping\n\n" in seen
