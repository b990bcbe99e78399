"""The ask page ``/ask/{session}`` over HTTP: off unless the event turns it on; questions and votes go through the
core's rules as a browser of their own (``web:…``); CSRF tokens, limits per address, and clear 4xx answers for
everything refused or malformed, never a 500. The page in a real browser is in test_browser_ask.py."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from yarl import URL

from bot.qa.model import Status
from bot.web.ask import (
    ASKS_PER_ADDRESS,
    BROWSER_COOKIE,
    GUEST_NAME,
    OFF_MESSAGE,
    STALE_FORM,
    UNREADABLE,
    VOTES_PER_ADDRESS,
    AddressWindow,
)
from tests.web.conftest import DAY, MORNING, Site, serving
from tests.web.test_live import next_event
from tests.web.test_stage import configure

JSON = {"Accept": "application/json"}


class Visitor:
    """One browser: its own cookies, and the form token of the last page it loaded."""

    def __init__(self, site: Site, session_id: str = "talk") -> None:
        self.site = site
        self.page = f"{site.base}/ask/{session_id}"
        # unsafe: keep cookies set by an address (127.0.0.1) rather than a name.
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.token = ""

    async def open(self) -> str:
        async with self.http.get(self.page) as response:
            assert response.status == 200, await response.text()
            html = await response.text()
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found is not None
        self.token = found[1]
        return html

    async def post(
        self, path: str, fields: dict[str, str], *, as_json: bool = True, **options: Any
    ) -> tuple[aiohttp.ClientResponse, Any]:
        data = {"csrf": self.token, **fields}
        headers = {**(JSON if as_json else {}), **options.pop("headers", {})}
        async with self.http.post(self.page + path, data=data, headers=headers, **options) as response:
            body = await response.json() if response.content_type == "application/json" else await response.text()
            return response, body

    async def ask(self, text: str, **fields: str) -> tuple[aiohttp.ClientResponse, Any]:
        return await self.post("", {"text": text, **fields})

    async def vote(self, question_id: int | str) -> tuple[aiohttp.ClientResponse, Any]:
        return await self.post("/vote", {"question": str(question_id)})

    async def close(self) -> None:
        await self.http.close()


async def stored(site: Site, session_id: str) -> dict[Status, int]:
    """How many questions of each status the session has (statuses with none left out)."""
    return {status: n for status, n in (await site.chair.qa.counts(session_id)).items() if n}


@pytest.fixture
async def ask_site(site: Site) -> Site:
    """The site with the ask page on (and its questions reviewed first, the default)."""
    configure(site, web_ask=True)
    return site


@pytest.fixture
async def visitors(ask_site: Site) -> AsyncIterator[list[Visitor]]:
    """Make browsers with ``visitors.append(...)``; they are closed at the end."""
    made: list[Visitor] = []
    yield made
    for visitor in made:
        await visitor.close()


async def visitor(visitors: list[Visitor], site: Site, session_id: str = "talk") -> Visitor:
    made = Visitor(site, session_id)
    visitors.append(made)
    await made.open()
    return made


async def test_the_ask_page_is_off_unless_the_event_turns_it_on(site: Site) -> None:
    response, html = await site.get("/ask/talk")
    assert response.status == 404
    assert OFF_MESSAGE in html
    async with site.http.post(site.base + "/ask/talk", data={"text": "Anyone there?"}, headers=JSON) as posted:
        assert posted.status == 404
        assert (await posted.json())["detail"] == OFF_MESSAGE
    assert await stored(site, "talk") == {}


async def test_a_browser_is_given_an_httponly_strict_cookie(ask_site: Site) -> None:
    response, html = await ask_site.get("/ask/talk")
    assert response.status == 200
    cookie = SimpleCookie(response.headers["Set-Cookie"])[BROWSER_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie.value not in html  # only a token derived from it


async def test_a_question_from_the_web_waits_for_review_then_reaches_the_stream(
    ask_site: Site, visitors: list[Visitor]
) -> None:
    asker = await visitor(visitors, ask_site)
    async with ask_site.http.get(ask_site.base + "/live/qa/talk") as stream:
        await next_event(stream)
        response, answer = await asker.ask("  How fast is the <b>engine</b>?  ", name="Ada")
        assert response.status == 200
        assert answer["outcome"] == "awaiting_review"
        assert answer["message"] == "Thanks! A moderator will review your question before it joins the queue."
        (pending,) = await ask_site.chair.qa.pending_review("talk")
        assert pending.text == "How fast is the <b>engine</b>?"  # cleaned by the core
        assert pending.author_name == "Ada"
        assert pending.author_id.startswith("web:")
        cookie = asker.http.cookie_jar.filter_cookies(URL(asker.page))[BROWSER_COOKIE].value
        assert cookie not in pending.author_id  # the secret stays in the cookie
        _, state = await next_event(stream)  # the ask changed the session, but nothing public
        assert state["queue"] == []
        assert state["queued"] == 0
        assert "How fast" in await asker.open()  # the asker sees it waiting
        await ask_site.chair.qa.approve(pending.id, "mod")
        _, state = await next_event(stream)
    assert [(q["text"], q["author"]) for q in state["queue"]] == [("How fast is the <b>engine</b>?", "Ada")]


async def test_without_review_a_question_is_queued_at_once_and_marked_as_the_askers_own(
    ask_site: Site, visitors: list[Visitor]
) -> None:
    configure(ask_site, web_ask_review=False)
    asker = await visitor(visitors, ask_site)
    _, answer = await asker.ask("Is the queue live?", anonymous="yes")
    assert answer["outcome"] == "queued"
    assert answer["message"] == "Thanks! Your question is #1 in the queue."
    question = await ask_site.chair.qa.get(answer["question"])
    assert question.status is Status.QUEUED
    assert question.public_author == "anonymous"
    html = await asker.open()
    assert "Your question · ▲ 0" in html
    other = await visitor(visitors, ask_site)
    assert "Your question ·" not in await other.open()


async def test_an_asker_who_gives_no_name_is_a_guest_never_their_browsers_id(
    ask_site: Site, visitors: list[Visitor]
) -> None:
    configure(ask_site, web_ask_review=False)
    asker = await visitor(visitors, ask_site)
    _, answer = await asker.ask("Who am I?", name="  \u200b ")
    question = await ask_site.chair.qa.get(answer["question"])
    assert question.author_name == GUEST_NAME
    assert question.public_author == GUEST_NAME


async def test_a_vote_toggles_and_the_page_shows_it(ask_site: Site, visitors: list[Visitor]) -> None:
    asked = await ask_site.chair.qa.ask("talk", "1", "Which engine?", author_name="Charles")
    voter = await visitor(visitors, ask_site)
    assert 'aria-pressed="false"' in await voter.open()
    response, answer = await voter.vote(asked.question.id)
    assert response.status == 200
    assert (answer["voted"], answer["votes"]) == (True, 1)
    assert answer["message"] == "Your vote is counted: this question has ▲ 1 vote."
    assert 'aria-pressed="true"' in await voter.open()
    _, answer = await voter.vote(asked.question.id)
    assert (answer["voted"], answer["votes"]) == (False, 0)
    assert answer["message"] == "Your vote is taken back: this question has ▲ 0 votes."
    assert 'aria-pressed="false"' in await voter.open()
    assert (await ask_site.chair.qa.get(asked.question.id)).votes == 0


async def test_asking_a_question_already_queued_votes_for_it(ask_site: Site, visitors: list[Visitor]) -> None:
    asked = await ask_site.chair.qa.ask("talk", "1", "Which engine?", author_name="Charles")
    voter = await visitor(visitors, ask_site)
    _, answer = await voter.ask("which ENGINE")
    assert answer["outcome"] == "merged"
    assert answer["voted"] is True
    assert (await ask_site.chair.qa.get(asked.question.id)).votes == 1
    assert 'aria-pressed="true"' in await voter.open()


async def test_a_vote_for_ones_own_question_is_refused(ask_site: Site, visitors: list[Visitor]) -> None:
    configure(ask_site, web_ask_review=False)
    asker = await visitor(visitors, ask_site)
    _, asked = await asker.ask("Mine?")
    response, answer = await asker.vote(asked["question"])
    assert response.status == 409
    assert answer["detail"] == "You cannot vote for your own question."


@pytest.mark.parametrize("token", ["missing", "empty", "made up", "another browser's"])
async def test_a_post_without_the_right_form_token_is_refused_and_nothing_is_stored(
    ask_site: Site, visitors: list[Visitor], token: str
) -> None:
    asked = await ask_site.chair.qa.ask("talk", "1", "Which engine?", author_name="Charles")
    attacker = await visitor(visitors, ask_site)
    victim = await visitor(visitors, ask_site)
    sent = {"missing": None, "empty": "", "made up": "0" * 64, "another browser's": victim.token}[token]
    for path, form in (("", {"text": "Forged?"}), ("/vote", {"question": str(asked.question.id)})):
        data = form if sent is None else {"csrf": sent, **form}
        async with attacker.http.post(attacker.page + path, data=data, headers=JSON) as response:
            assert response.status == 403
            assert (await response.json())["detail"] == STALE_FORM
        async with attacker.http.post(attacker.page + path, data=data) as page:  # the plain form too
            assert page.status == 403
            html = await page.text()
            assert STALE_FORM in html
            assert "Forged?" not in html  # nothing of the form is shown again
    assert await stored(ask_site, "talk") == {Status.QUEUED: 1}
    assert (await ask_site.chair.qa.get(asked.question.id)).votes == 0


async def test_a_post_without_the_browsers_cookie_is_refused(ask_site: Site, visitors: list[Visitor]) -> None:
    asker = await visitor(visitors, ask_site)
    asker.http.cookie_jar.clear()
    response, answer = await asker.ask("Cookies off?")
    assert response.status == 403
    assert answer["detail"].startswith("Your browser did not send this page's cookie")
    assert await stored(ask_site, "talk") == {}


async def test_one_address_may_ask_only_so_often_whatever_its_browsers(ask_site: Site, visitors: list[Visitor]) -> None:
    for number in range(ASKS_PER_ADDRESS):
        response, _ = await (await visitor(visitors, ask_site)).ask(f"Question number {number}?")
        assert response.status == 200
    response, answer = await (await visitor(visitors, ask_site)).ask("One too many?")
    assert response.status == 429
    assert int(response.headers["Retry-After"]) > 0
    assert answer["detail"].startswith("Too many requests from your network just now: try again in")
    assert await stored(ask_site, "talk") == {Status.PENDING_REVIEW: ASKS_PER_ADDRESS}
    # Votes are counted apart.
    asked = await ask_site.chair.qa.ask("talk", "1", "Which engine?", author_name="Charles")
    voter = await visitor(visitors, ask_site)
    for _ in range(VOTES_PER_ADDRESS):
        response, _ = await voter.vote(asked.question.id)
        assert response.status == 200
    response, answer = await voter.vote(asked.question.id)
    assert response.status == 429
    assert "Retry-After" in response.headers
    assert (await ask_site.chair.qa.get(asked.question.id)).votes == 0  # an even number of toggles


async def test_the_cores_rules_answer_with_their_own_words(ask_site: Site, visitors: list[Visitor]) -> None:
    asker = await visitor(visitors, ask_site)
    response, answer = await asker.ask("Hm")
    assert response.status == 422
    assert answer["detail"] == "Your question is too short: please write at least 3 characters."
    for number in range(3):  # the core's limit per asker: 3 a minute
        response, _ = await asker.ask(f"Question {number}?")
        assert response.status == 200
    response, answer = await asker.ask("A fourth one?")
    assert response.status == 429
    assert answer["detail"].startswith("You can ask at most 3 questions a minute in this session")
    assert response.headers["Retry-After"] == "60"  # the hand-moved clock stands still
    await ask_site.chair.qa.close_session("panel", "mod")
    response, answer = await (await visitor(visitors, ask_site, "panel")).ask("Too late?")
    assert response.status == 409
    assert answer["detail"] == "Questions are closed for this session."
    (pending, *_) = await ask_site.chair.qa.pending_review("talk")
    await ask_site.chair.qa.ban(pending.author_id, "mod", "spam")
    response, answer = await asker.vote(pending.id)
    assert response.status == 403
    assert answer["detail"] == "You can no longer ask or vote on questions at this event."


@pytest.mark.parametrize(
    ("path", "fields", "detail"),
    [
        ("", {}, "The form carried no question: type it in the box."),
        ("/vote", {}, "The form did not say which question: reload the page."),
        ("/vote", {"question": "first"}, "The form did not say which question: reload the page."),
        ("/vote", {"question": "-1"}, "The form did not say which question: reload the page."),
        ("/vote", {"question": "9" * 40}, "The form did not say which question: reload the page."),
        ("/vote", {"question": "12345"}, "There is no question 12345."),
        ("/vote", {"question": "OTHER"}, "That question belongs to another session."),
    ],
)
async def test_a_malformed_form_is_told_what_is_wrong(
    ask_site: Site, visitors: list[Visitor], path: str, fields: dict[str, str], detail: str
) -> None:
    other = await ask_site.chair.qa.ask("panel", "1", "About the panel?", author_name="Ada")
    fields = {k: str(other.question.id) if v == "OTHER" else v for k, v in fields.items()}
    browser = await visitor(visitors, ask_site)
    response, answer = await browser.post(path, fields)
    assert 400 <= response.status < 500
    assert answer["detail"] == detail
    page, html = await browser.post(path, fields, as_json=False)
    assert page.status == response.status
    assert detail in html


async def test_a_body_too_large_or_not_a_form_is_refused_clearly(ask_site: Site, visitors: list[Visitor]) -> None:
    browser = await visitor(visitors, ask_site)
    response, answer = await browser.ask("x" * 70_000)
    assert response.status == 413
    assert answer["detail"].startswith("That was too much to send at once")
    broken = {"Content-Type": "multipart/form-data; boundary=nothing", **JSON}
    async with browser.http.post(browser.page, data=b"--else\r\n\r\n", headers=broken) as response:
        assert response.status == 400
        assert (await response.json())["detail"] == UNREADABLE
    assert await stored(ask_site, "talk") == {}


async def test_a_plain_form_post_comes_back_to_the_page_with_a_message(ask_site: Site, visitors: list[Visitor]) -> None:
    asker = await visitor(visitors, ask_site)
    response, html = await asker.post("", {"text": "Without JavaScript?", "name": "Grace"}, as_json=False)
    assert response.status == 200
    assert [r.status for r in response.history] == [303]
    assert str(response.url) == asker.page
    assert "Thanks! A moderator will review your question before it joins the queue." in html
    assert "Without JavaScript?" in html  # waiting for a moderator
    assert "Thanks!" not in await asker.open()  # said once
    response, html = await asker.post("", {"text": "No", "name": "Grace", "anonymous": "yes"}, as_json=False)
    assert response.status == 422
    assert "Your question is too short" in html
    assert ">No</textarea>" in html  # what was typed is kept
    assert 'value="Grace"' in html
    assert 'name="anonymous" value="yes" checked' in html


async def test_unknown_and_cancelled_sessions_take_no_questions(ask_site: Site, visitors: list[Visitor]) -> None:
    response, _ = await ask_site.get("/ask/nope")
    assert response.status == 404
    browser = await visitor(visitors, ask_site, "panel")
    await ask_site.chair.cancel_session("panel", "organizer")
    response, answer = await browser.ask("Still on?")
    assert response.status == 404
    assert answer["detail"] == "This session is off the schedule."
    html = await browser.open()
    assert "This session is off the schedule." in html
    assert await stored(ask_site, "panel") == {}


async def test_a_link_from_another_site_loads_the_page_again_rather_than_replace_the_browsers_cookie(
    ask_site: Site,
) -> None:
    async with ask_site.http.get(ask_site.base + "/ask/talk", headers={"Sec-Fetch-Site": "cross-site"}) as response:
        assert response.status == 200
        assert response.headers["Refresh"] == "0"
        assert "Set-Cookie" not in response.headers


def test_the_window_per_address_slides_and_does_not_count_what_it_refused() -> None:
    now = [0.0]
    window = AddressWindow(2, 60.0, clock=lambda: now[0])
    assert window.take("10.0.0.1") == 0
    now[0] = 10.0
    assert window.take("10.0.0.1") == 0
    assert window.take("10.0.0.2") == 0  # another address has its own
    now[0] = 30.0
    assert window.take("10.0.0.1") == 30.0  # the first request leaves the window at 60 s
    now[0] = 59.0
    assert window.take("10.0.0.1") == 1.0  # the refusal at 30 s did not count
    now[0] = 60.0
    assert window.take("10.0.0.1") == 0
    assert window.take("10.0.0.1") == 10.0


async def test_behind_a_proxy_the_limits_count_each_visitors_address(tmp_path: Path) -> None:
    async with serving(DAY, tmp_path, MORNING, web_ask=True, web_behind_proxy=True) as proxied:
        ask_site = proxied
        visitors: list[Visitor] = []
        try:
            for number in range(ASKS_PER_ADDRESS):
                one = await visitor(visitors, ask_site)
                forwarded = {"X-Forwarded-For": "203.0.113.7"}
                response, _ = await one.post("", {"text": f"From the room, number {number}?"}, headers=forwarded)
                assert response.status == 200
            same = await visitor(visitors, ask_site)
            response, _ = await same.post("", {"text": "Same address again?"}, headers={"X-Forwarded-For": "203.0.113.7"})
            assert response.status == 429
            other = await visitor(visitors, ask_site)
            response, _ = await other.post("", {"text": "Another visitor?"}, headers={"X-Forwarded-For": "198.51.100.4"})
            assert response.status == 200
        finally:
            for one in visitors:
                await one.close()
