"""The ask page in a real browser (chromium) on a phone: asking and voting with the page's script, the list live
from the session's stream, hostile text as text, plain form posts without JavaScript, the browser's cookie kept
when a link from another site opens the page, and how it looks at 375×812."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request

from tests.web.browser import PageWatch, screenshot
from tests.web.conftest import Site, serving
from tests.web.test_browser_stage import SHOWCASE_DAY, SHOWCASE_NOW
from tests.web.test_stage import configure

PHONE: dict[str, Any] = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def ask_site(site: Site) -> Site:
    """The site with the ask page on (and its questions reviewed first, the default)."""
    configure(site, web_ask=True)
    return site


async def phone(browser: Browser, contexts: list[BrowserContext], **options: Any) -> Page:
    context = await browser.new_context(**{**PHONE, **options})
    contexts.append(context)
    return await context.new_page()


async def open_ask(page: Page, site: Site, session_id: str = "talk", *, live: bool = True) -> PageWatch:
    watch = PageWatch.on(page)
    response = await page.goto(f"{site.base}/ask/{session_id}")
    assert response is not None
    assert response.status == 200
    if live:  # the script ran and the stream's first snapshot came
        await page.wait_for_function("() => window.ChairLive !== undefined && document.readyState === 'complete'")
        await page.wait_for_load_state("networkidle")
        await page.evaluate("window.notReloaded = true")
    return watch


def card(page: Page, text: str) -> Any:
    return page.locator("#queue .question", has_text=text)


async def test_asking_and_voting_from_a_phone_without_a_reload(
    ask_site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await phone(browser, contexts)
    watch = await open_ask(page, ask_site)
    await page.fill("#question-text", "Does the engine need a reviewer?")
    await page.fill("#asker-name", "Grace")
    await page.click("button.send")
    await page.locator("#message.ok").wait_for()
    assert await page.locator("#message").inner_text() == (
        "Thanks! A moderator will review your question before it joins the queue."
    )
    assert await page.input_value("#question-text") == ""
    assert await page.locator("#waiting li").all_inner_texts() == ["Does the engine need a reviewer?"]

    (pending,) = await ask_site.chair.qa.pending_review("talk")
    await ask_site.chair.qa.approve(pending.id, "mod")
    await card(page, "Does the engine need a reviewer?").wait_for(timeout=2000)
    assert await card(page, "Does the engine need a reviewer?").locator(".yours").inner_text() == (
        "Your question · ▲ 0"
    )
    assert await card(page, "Does the engine need a reviewer?").locator(".author").inner_text() == "Grace"
    assert await page.locator("#waiting-section").is_hidden()

    await ask_site.chair.qa.ask("talk", "1", "Which engine came first?", author_name="Charles")
    other = card(page, "Which engine came first?")
    await other.wait_for(timeout=2000)
    vote = other.locator("button.vote")
    assert await vote.get_attribute("aria-pressed") == "false"
    await vote.click()
    await page.wait_for_function(
        "() => document.querySelector('#queue .question button.vote').getAttribute('aria-pressed') === 'true'"
    )
    assert await page.locator("#message").inner_text() == "Your vote is counted: this question has ▲ 1 vote."
    assert await card(page, "Which engine came first?").locator(".n").inner_text() == "1"
    await page.wait_for_function(  # the stream brings the new order
        "() => document.querySelector('#queue .text').textContent === 'Which engine came first?'"
    )
    assert await page.locator("#queue .text").all_inner_texts() == [
        "Which engine came first?",  # one vote now: first
        "Does the engine need a reviewer?",
    ]
    await card(page, "Which engine came first?").locator("button.vote").click()
    await page.wait_for_function(
        "() => document.querySelector('#queue .question button.vote').getAttribute('aria-pressed') === 'false'"
    )
    assert await card(page, "Which engine came first?").locator(".n").inner_text() == "0"
    assert await page.evaluate("window.notReloaded") is True

    await card(page, "Which engine came first?").locator("button.vote").click()
    await page.locator("#message", has_text="Your vote is counted").wait_for()
    await page.reload()  # what this browser asked and voted for comes back with the page
    assert await card(page, "Which engine came first?").locator("button.vote").get_attribute("aria-pressed") == "true"
    assert await card(page, "Does the engine need a reviewer?").locator(".yours").count() == 1
    assert await page.input_value("#asker-name") == "Grace"  # remembered for the next question
    assert watch.console_errors == []
    assert watch.page_errors == []


async def test_a_refusal_is_said_and_what_was_typed_is_kept(
    ask_site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await phone(browser, contexts)
    await open_ask(page, ask_site)
    await page.fill("#question-text", "Hm?")
    await page.evaluate("document.getElementById('question-text').removeAttribute('minlength')")
    await ask_site.chair.qa.close_session("talk", "mod")
    await page.locator("#ask-form").wait_for(state="hidden", timeout=2000)  # the stream says Q&A closed
    assert await page.locator("#closes").inner_text() == "Questions are closed for this session."
    await ask_site.chair.qa.open_session("talk", "mod")
    await page.locator("#ask-form").wait_for(state="visible", timeout=2000)
    await page.fill("#question-text", "  ")
    await page.evaluate("document.getElementById('question-text').removeAttribute('required')")
    await page.click("button.send")
    await page.locator("#message.error").wait_for()
    assert await page.locator("#message").inner_text() == "Your question is empty."


async def test_hostile_text_stays_text_and_runs_nothing(
    ask_site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    configure(ask_site, web_ask_review=False)
    page = await phone(browser, contexts)
    watch = await open_ask(page, ask_site)
    await page.fill("#question-text", "<img src=x onerror=alert(1)>")
    await page.fill("#asker-name", '"><script>alert(1)</script>')
    await page.click("button.send")
    await card(page, "<img src=x onerror=alert(1)>").wait_for(timeout=2000)
    await ask_site.chair.qa.ask("talk", "1", '"><script>alert(1)</script>', author_name="<img src=x onerror=alert(1)>")
    await card(page, '"><script>alert(1)</script>').wait_for(timeout=2000)
    assert await card(page, "<img src=x onerror=alert(1)>").locator(".author").inner_text() == (
        '"><script>alert(1)</script>'
    )
    assert await page.locator("#title").inner_text() == "<img src=x onerror=alert(1)>"
    await page.reload()  # and as the server renders them
    assert sorted(await page.locator("#queue .text").all_inner_texts()) == [
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
    ]
    assert await page.locator("#ask img, #ask .question script").count() == 0
    await page.wait_for_timeout(200)  # time for an injected handler to have fired
    assert watch.dialogs == []
    assert watch.page_errors == []


async def test_without_javascript_the_forms_post_and_come_back(
    ask_site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    asked = await ask_site.chair.qa.ask("talk", "1", "Which engine came first?", author_name="Charles")
    page = await phone(browser, contexts, java_script_enabled=False)
    await open_ask(page, ask_site, live=False)
    await page.fill("#question-text", "Plain forms still work?")
    await page.check("#anonymous")
    await page.click("button.send")
    await page.wait_for_url(f"{ask_site.base}/ask/talk")
    assert await page.locator("#message").inner_text() == (
        "Thanks! A moderator will review your question before it joins the queue."
    )
    assert await page.locator("#waiting li").all_inner_texts() == ["Plain forms still work?"]
    (pending,) = await ask_site.chair.qa.pending_review("talk")
    assert pending.anonymous
    await page.click(f"button.vote[value='{asked.question.id}']")
    await page.wait_for_url(f"{ask_site.base}/ask/talk")
    assert await page.locator("#message").inner_text() == "Your vote is counted: this question has ▲ 1 vote."
    assert await page.locator("button.vote").get_attribute("aria-pressed") == "true"


async def test_a_link_from_another_site_keeps_the_browsers_identity(
    ask_site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    configure(ask_site, web_ask_review=False)
    page = await phone(browser, contexts)
    await open_ask(page, ask_site)
    await page.fill("#question-text", "Am I still me?")
    await page.click("button.send")
    await card(page, "Am I still me?").locator(".yours").wait_for(timeout=2000)
    # The same server by another name is another site: its link comes with no SameSite=Strict cookie.
    elsewhere = ask_site.base.replace("127.0.0.1", "localhost")
    await page.goto(elsewhere + "/")
    loads: list[Request] = []
    page.on("request", lambda request: loads.append(request) if request.resource_type == "document" else None)
    await page.evaluate(f"location.href = {ask_site.base + '/ask/talk'!r}")
    await card(page, "Am I still me?").locator(".yours").wait_for(timeout=3000)
    sites = [(await load.all_headers()).get("sec-fetch-site") for load in loads]
    assert sites == ["cross-site", "same-origin"]  # the page loaded itself again, from this site


async def test_the_ask_page_on_a_phone(tmp_path: Path, browser: Browser, contexts: list[BrowserContext]) -> None:
    async with serving(SHOWCASE_DAY, tmp_path, SHOWCASE_NOW, web_ask=True, web_ask_review=False) as site:
        qa = site.chair.qa
        await qa.ask("invited-2", "s", "How do you measure calibration without labels?", author_name="Mary")
        await qa.pull_next("invited-2", "mod")
        questions = [
            ("Priya", "Does temperature scaling still help once the model is instruction-tuned?", 6),
            ("anonymous", "Would you trust verbalised confidence in a medical setting?", 4),
            ("Tomás", "Which benchmark would you retire first?", 2),
        ]
        for number, (name, text, votes) in enumerate(questions):
            result = await qa.ask("invited-2", f"q{number}", text, author_name=name, anonymous=name == "anonymous")
            for voter in range(votes):
                await qa.vote(result.question.id, f"v{number}-{voter}")
        page = await phone(browser, contexts)
        watch = await open_ask(page, site, "invited-2")
        await page.fill("#question-text", "Is there a recording of this talk?")
        await page.fill("#asker-name", "Grace")
        await page.click("button.send")
        await card(page, "Is there a recording").wait_for(timeout=2000)
        await card(page, "Would you trust verbalised").locator("button.vote").click()
        await page.locator("#message", has_text="Your vote is counted").wait_for()
        await page.fill("#question-text", "And will the slides be shared?")
        assert await page.evaluate("document.documentElement.scrollWidth") == 375  # nothing wider than the phone
        await screenshot(page, "ask-375.png")
        await screenshot(page, "ask-375-full.png", full_page=True)
        assert watch.console_errors == []
