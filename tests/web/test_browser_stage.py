"""The stage display in a real browser (chromium): live without a reload, hostile text as text, a countdown on
the event's clock, a connection that comes back by itself, and how it looks on a 1920×1080 projector."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.web.browser import PageWatch, screenshot
from tests.web.conftest import Site, serving
from tests.web.test_stage import configure

#: 09:15 at the venue (Vienna, UTC+2 in May): the talk (09:10–09:40) is on; its Q&A closes at 09:50.
DURING_THE_TALK = dt.datetime(2031, 5, 12, 7, 15, tzinfo=dt.UTC)
PROJECTOR = {"width": 1920, "height": 1080}

SHOWCASE_DAY = """
event: {name: ICLR 2031 Workshop on Reliable and Responsible Foundation Models, timezone: Europe/Vienna, date: 2031-05-12}
sessions:
  - id: invited-2
    title: "Calibrated Uncertainty in Large Language Models: What Still Breaks at Scale"
    start: "09:00"
    end: "09:40"
    room: Hall A
    speakers: ["Ada Lovelace (Analytical Engines)", "Grace Hopper (Yale University)"]
"""
#: 09:31 at the venue: the showcase talk is on, its Q&A closes at 09:50.
SHOWCASE_NOW = dt.datetime(2031, 5, 12, 7, 31, 0, tzinfo=dt.UTC)


async def open_stage(
    browser: Browser, contexts: list[BrowserContext], site: Site, session_id: str = "talk"
) -> tuple[Page, PageWatch]:
    context = await browser.new_context(viewport=PROJECTOR)  # type: ignore[arg-type]
    contexts.append(context)
    page = await context.new_page()
    watch = PageWatch.on(page)
    response = await page.goto(f"{site.base}/stage/{session_id}")
    assert response is not None
    assert response.status == 200
    # The page follows the stream once its script has run and the first snapshot arrived.
    await page.wait_for_function("() => document.getElementById('connection').hidden && window.ChairLive !== undefined")
    await page.evaluate("window.notReloaded = true")
    return page, watch


async def queue_texts(page: Page) -> list[str]:
    return await page.locator("#queue .text").all_inner_texts()


async def test_a_question_asked_through_the_core_appears_without_a_reload(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page, watch = await open_stage(browser, contexts, site)
    assert await page.locator("#queue-empty").is_visible()
    qa = site.chair.qa
    started = time.monotonic()
    first = await qa.ask("talk", "1", "Which engine came first?", author_name="Charles")
    await page.locator("#queue .text", has_text="Which engine came first?").wait_for(timeout=2000)
    assert time.monotonic() - started < 2
    assert await page.locator("#queue-empty").is_hidden()
    assert await page.locator("#queued").inner_text() == "1 question waiting"

    second = await qa.ask("talk", "2", "Can it compose music?", author_name="Ada")
    await page.locator("#queue .text", has_text="Can it compose music?").wait_for(timeout=2000)
    assert await queue_texts(page) == ["Which engine came first?", "Can it compose music?"]
    await qa.vote(second.question.id, "3")  # the vote puts the second question first
    await page.wait_for_function("() => document.querySelector('#queue .text').textContent === 'Can it compose music?'")
    assert await queue_texts(page) == ["Can it compose music?", "Which engine came first?"]
    assert await page.locator("#queue .votes").all_inner_texts() == ["▲ 1", "▲ 0"]

    await qa.pull_next("talk", "mod")
    await page.locator("#question-text", has_text="Can it compose music?").wait_for(timeout=2000)
    assert await page.locator("#question-author").inner_text() == "— Ada"
    assert await page.locator("#question-votes").inner_text() == "▲ 1"
    assert await queue_texts(page) == ["Which engine came first?"]
    await qa.mark_answered(second.question.id, "mod")
    await page.locator("#question-empty").wait_for(state="visible", timeout=2000)
    assert first.question.id != second.question.id
    assert await page.evaluate("window.notReloaded") is True
    assert watch.console_errors == []
    assert watch.page_errors == []


async def test_hostile_text_stays_text_and_runs_nothing(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page, watch = await open_stage(browser, contexts, site)
    qa = site.chair.qa
    await qa.ask("talk", "1", "<img src=x onerror=alert(1)>", author_name='"><script>alert(1)</script>')
    await qa.ask("talk", "2", '"><script>alert(1)</script>', author_name="<img src=x onerror=alert(1)>")
    await qa.pull_next("talk", "mod")
    await page.locator("#question-text", has_text="<img src=x onerror=alert(1)>").wait_for(timeout=2000)
    assert await page.locator("#question-author").inner_text() == '— "><script>alert(1)</script>'
    await page.locator("#queue .text", has_text='"><script>alert(1)</script>').wait_for(timeout=2000)
    assert await page.locator("#queue .author").inner_text() == "— <img src=x onerror=alert(1)>"
    assert await page.locator("#title").inner_text() == "<img src=x onerror=alert(1)>"  # the session's own title
    assert await page.locator("#stage img, #stage script").count() == 0
    await page.wait_for_timeout(200)  # time for an injected handler to have fired
    assert watch.dialogs == []
    assert watch.page_errors == []


async def test_the_countdown_runs_on_the_events_clock_and_says_when_qa_is_closed(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    site.clock.now = DURING_THE_TALK  # years away from the browser's clock
    page, _ = await open_stage(browser, contexts, site)
    assert await page.locator("#clock-label").inner_text() == "Q&A closes in"
    value = await page.locator("#clock-value").inner_text()
    assert value in ("35:00", "34:59", "34:58"), value
    # 09:49:30 by the event's clock: the next snapshot (any change) brings the new reading.
    site.clock.now = DURING_THE_TALK + dt.timedelta(minutes=34, seconds=30)
    await site.chair.qa.ask("talk", "1", "One more before the end?", author_name="Ada")
    await page.wait_for_function("() => document.getElementById('clock-value').textContent <= '00:30'")
    assert await page.locator("#stage.closing").count() == 1
    site.clock.now = DURING_THE_TALK + dt.timedelta(minutes=36)
    await site.chair.qa.close_session("talk", "announcer")
    await page.wait_for_function("() => document.getElementById('clock-value').textContent === 'Q&A closed'")
    assert await page.locator("#clock-label").inner_text() == ""


async def test_the_page_reconnects_by_itself_when_the_stream_fails(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    context = await browser.new_context(viewport=PROJECTOR)  # type: ignore[arg-type]
    contexts.append(context)
    page = await context.new_page()
    refused: list[str] = []

    async def first_refused(route: Route) -> None:
        if not refused:  # the server restarting answers 503: EventSource gives up on that for good
            refused.append(route.request.url)
            await route.fulfill(status=503, body="The server is stopping.")
        else:
            await route.continue_()

    await page.route("**/live/qa/talk", first_refused)
    await page.goto(site.base + "/stage/talk")
    await page.locator("#connection").wait_for(state="visible", timeout=2000)
    await page.locator("#connection").wait_for(state="hidden", timeout=6000)  # the page tried again
    await site.chair.qa.ask("talk", "1", "Still there?", author_name="Ada")
    await page.locator("#queue .text", has_text="Still there?").wait_for(timeout=2000)
    assert len(refused) == 1


async def test_the_stage_fills_a_projector_without_scrolling(
    tmp_path: Path, browser: Browser, contexts: list[BrowserContext]
) -> None:
    async with serving(SHOWCASE_DAY, tmp_path, SHOWCASE_NOW, web_ask=True) as site:
        qa = site.chair.qa
        asked = [
            (
                "Priya Natarajan",
                "How do you tell calibration failures caused by distribution shift apart from "
                "those that come from the fine-tuning data itself?",
                14,
            ),
            ("Tomás Ruiz", "Does temperature scaling still help once the model is instruction-tuned?", 9),
            (
                "anonymous",
                "Would you trust verbalised confidence over token probabilities in a medical setting, "
                "and what evidence would change your mind?",
                7,
            ),
            ("Mei Lin", "Which benchmark would you retire first?", 4),
            ("Jonas Weber", "Is there a cheap proxy for calibration that works without labelled data?", 2),
            ("Sara Ali", "What about multilingual models?", 1),
        ]
        for number, (name, text, votes) in enumerate(asked):
            result = await qa.ask("invited-2", f"a{number}", text, author_name=name, anonymous=name == "anonymous")
            for voter in range(votes):
                await qa.vote(result.question.id, f"v{number}-{voter}")
        await qa.pull_next("invited-2", "mod")
        page, watch = await open_stage(browser, contexts, site, "invited-2")
        sizes = await page.evaluate(
            "({width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight})"
        )
        assert sizes == PROJECTOR
        assert await page.locator("#queue li:visible").count() == 3
        assert not await page.locator("#question-text").evaluate("e => e.classList.contains('clipped')")
        await screenshot(page, "stage-1920.png")

        # A question as long as the settings allow shrinks to fit its box, still without scrolling.
        long_text = ("Could you say more about how the calibration error behaves as the model grows? " * 7)[:500]
        long = await qa.ask("invited-2", "b", long_text, author_name="Someone with a very long question")
        await qa.put_on_stage(long.question.id, "mod")
        await page.locator("#question-text", has_text=long_text.strip()[:40]).wait_for(timeout=2000)
        box = await page.locator("#question-box").bounding_box()
        text = await page.locator("#question-text").bounding_box()
        assert box is not None
        assert text is not None
        assert text["y"] + text["height"] <= box["y"] + box["height"] + 1
        assert await page.evaluate("document.documentElement.scrollHeight") == PROJECTOR["height"]
        await screenshot(page, "stage-1920-long-question.png")
        assert watch.console_errors == []


async def test_without_the_ask_page_the_projector_says_to_ask_in_discord(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    configure(site, web_ask=False)
    page, _ = await open_stage(browser, contexts, site, "panel")
    assert await page.locator("#discord-hint").inner_text() == "Ask in Discord with /ask"
    assert await page.locator("#qr").count() == 0
    await screenshot(page, "stage-1920-discord.png")
