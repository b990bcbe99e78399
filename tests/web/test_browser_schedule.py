"""The schedule page ``/`` in a real browser (chromium): times in the reader's own zone, now/next marks on the
browser's clock, posters, hostile text and the Content-Security-Policy, and how it looks on a phone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Request

from bot.web.server import CONTENT_SECURITY_POLICY
from tests.web.browser import PageWatch, screenshot
from tests.web.conftest import Site

VENUE = ZoneInfo("Europe/Vienna")
#: 09:15 at the venue: the talk (09:10–09:40) is on, the panel (09:40–10:20) is next.
DURING_THE_TALK = dt.datetime(2031, 5, 12, 7, 15, tzinfo=dt.UTC)


async def open_page(
    browser: Browser, contexts: list[BrowserContext], *, zone: str = "Asia/Kathmandu", **options: object
) -> Page:
    """A page in a fresh context whose clocks read ``zone``; in a US locale, to show that the page writes 24-hour
    times whatever the reader's locale."""
    context = await browser.new_context(timezone_id=zone, locale="en-US", **options)  # type: ignore[arg-type]
    contexts.append(context)
    return await context.new_page()


async def load(page: Page, site: Site) -> PageWatch:
    watch = PageWatch.on(page)
    response = await page.goto(site.base + "/")
    assert response is not None
    assert response.status == 200
    return watch


def in_zone(start: dt.datetime, end: dt.datetime, zone: str) -> str:
    """``09:10–09:40`` in ``zone``, written out from zoneinfo: a start on another day than the venue's carries
    its weekday, an end on another day than its start too."""
    venue_day = start.astimezone(VENUE).date()
    local_start, local_end = start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone))
    first = local_start.strftime("%H:%M" if local_start.date() == venue_day else "%a %H:%M")
    last = local_end.strftime("%H:%M" if local_end.date() == local_start.date() else "%a %H:%M")
    return f"{first}–{last}"


def at_venue(hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2031, 5, 12, hour, minute, tzinfo=VENUE)


async def classes(page: Page, session_id: str) -> list[str]:
    return (await page.locator(f"#session-{session_id}").get_attribute("class") or "").split()


async def badge(page: Page, session_id: str) -> str:
    return await page.locator(f"#session-{session_id} .badge").text_content() or ""


@pytest.mark.parametrize("zone", ["Asia/Kathmandu", "America/New_York"])
async def test_each_session_shows_its_time_in_the_browsers_zone(
    site: Site, browser: Browser, contexts: list[BrowserContext], zone: str
) -> None:
    page = await open_page(browser, contexts, zone=zone)
    await load(page, site)
    talk = in_zone(at_venue(9, 10), at_venue(9, 40), zone)  # the talk, 09:10–09:40 in Vienna
    assert talk == {"Asia/Kathmandu": "12:55–13:25", "America/New_York": "03:10–03:40"}[zone]
    assert await page.locator("#session-talk .local").inner_text() == f"In your zone: {talk} ({zone})"
    for session in site.chair.schedule.sessions:
        line = page.locator(f"#session-{session.id} .local")
        assert await line.inner_text() == f"In your zone: {in_zone(session.start, session.end, zone)} ({zone})"
    assert await page.locator("#session-talk time.venue").inner_text() == "09:10–09:40"
    offset = at_venue(9, 0).astimezone(ZoneInfo(zone)).strftime("%z")  # on the day: New York is on summer time
    note = await page.locator("#your-zone").inner_text()
    assert f"Your browser's time zone: {zone} (GMT{offset[:3]}:{offset[3:]})." in note


async def test_a_time_on_another_day_than_at_the_venue_says_which(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, zone="Pacific/Pitcairn")  # UTC-8 all year
    await load(page, site)
    panel = in_zone(at_venue(9, 40), at_venue(10, 20), "Pacific/Pitcairn")
    assert panel == "Sun 23:40–Mon 00:20"  # the evening before the venue's Monday, ending past midnight
    assert await page.locator("#session-panel .local").inner_text() == f"In your zone: {panel} (Pacific/Pitcairn)"


async def test_a_display_zone_that_is_the_readers_own_is_not_repeated(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, zone="Asia/Kathmandu")  # also one of the event's display zones
    await load(page, site)
    assert await page.locator("#session-talk .other").is_hidden()
    assert await page.locator("#session-talk .local").is_visible()


async def test_a_reader_at_the_venues_zone_is_told_so_without_repeating_each_time(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, zone="Europe/Vienna")
    await load(page, site)
    assert "Your browser is in the venue's time zone, Europe/Vienna" in await page.locator("#your-zone").inner_text()
    assert await page.locator(".when .local:visible").count() == 0


async def test_without_javascript_the_page_shows_the_venues_times(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, java_script_enabled=False)
    await load(page, site)
    assert await page.locator("#session-talk time.venue").inner_text() == "09:10–09:40"
    assert "Times at the venue: Vienna (Europe/Vienna)" in await page.locator("header").inner_text()
    assert await page.locator("#your-zone").is_hidden()
    assert await page.locator(".when .local:visible").count() == 0
    assert "next" in await classes(page, "opening")  # the server's marks, at its 08:00


async def test_hostile_text_stays_text_and_runs_nothing(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts)
    watch = await load(page, site)
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#session-talk .title").inner_text() == "<img src=x onerror=alert(1)>"
    assert await page.locator("#session-talk .title img").count() == 0
    assert await page.locator("#session-posters .poster-title").nth(1).inner_text() == (
        "<script>alert(2)</script> Safe Loops"
    )
    assert await page.locator("#session-posters .poster script").count() == 0
    assert watch.dialogs == []
    assert watch.page_errors == []


async def test_the_page_runs_under_its_content_security_policy_without_violations(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts)
    watch = PageWatch.on(page)
    response = await page.goto(site.base + "/")
    assert response is not None
    assert await response.header_value("content-security-policy") == CONTENT_SECURITY_POLICY
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#session-talk .local").is_visible()  # the external script ran
    assert watch.console_errors == []
    assert watch.page_errors == []
    # The check can see a violation: an inline script is refused, and the console says why.
    with pytest.raises(Exception, match="Content Security Policy"):
        await page.add_script_tag(content="document.title = 'injected'")
    assert await page.title() == "Web Day"
    assert any("Content Security Policy" in error for error in watch.console_errors)


async def test_now_and_next_follow_the_events_clock_without_asking_the_server(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    site.clock.now = DURING_THE_TALK
    page = await open_page(browser, contexts)
    # The browser's own clock is wrong by years: the page goes by the event's clock, read when it was served.
    await page.clock.install(time=dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
    await load(page, site)
    assert "now" in await classes(page, "talk")
    assert await badge(page, "talk") == "Now"
    assert "next" in await classes(page, "panel")
    assert await badge(page, "panel") == "Next"
    assert "past" in await classes(page, "opening")
    assert await badge(page, "opening") == ""
    requests: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    page.on("request", record)

    await page.clock.fast_forward("30:00")  # 09:45: the talk is over, the panel on, lunch next
    assert "past" in await classes(page, "talk")
    assert "now" not in await classes(page, "talk")
    assert "now" in await classes(page, "panel")
    assert await badge(page, "panel") == "Now"
    assert "next" in await classes(page, "lunch")
    assert await page.locator(".session.now").count() == 1
    assert await page.locator(".session.next").count() == 1

    await page.clock.fast_forward("03:00:00")  # 12:45: the day is over
    assert await page.locator(".session.past").count() == len(site.chair.schedule.sessions)
    assert await page.locator(".session.now, .session.next").count() == 0
    assert requests == []


async def test_a_cancelled_session_stays_cancelled_as_the_clock_moves(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    await site.chair.cancel_session("panel", "olga")
    site.clock.now = DURING_THE_TALK
    page = await open_page(browser, contexts)
    await page.clock.install(time=DURING_THE_TALK)
    await load(page, site)
    assert "next" in await classes(page, "lunch")  # the panel is not next: it is off
    await page.clock.fast_forward("30:00")  # 09:45, in the panel's slot
    panel = await classes(page, "panel")
    assert "cancelled" in panel
    assert "now" not in panel
    assert await badge(page, "panel") == "Cancelled"


async def test_a_rehearsals_fast_clock_moves_the_marks_as_fast(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    site.clock.now = DURING_THE_TALK
    site.clock.speed = 60.0  # type: ignore[attr-defined]  # as a rehearsal's clock has
    page = await open_page(browser, contexts)
    await page.clock.install(time=DURING_THE_TALK)
    await load(page, site)
    assert "now" in await classes(page, "talk")
    await page.clock.fast_forward("00:30")  # 30 real seconds: 30 minutes of the event, 09:45
    assert "now" in await classes(page, "panel")
    assert "past" in await classes(page, "talk")


async def test_a_poster_session_lists_its_posters(site: Site, browser: Browser, contexts: list[BrowserContext]) -> None:
    page = await open_page(browser, contexts)
    await load(page, site)
    posters = page.locator("#session-posters .poster")
    assert await page.locator("#session-posters summary").inner_text() == "2 posters"
    assert await posters.count() == 2
    first = posters.nth(0)
    assert await first.is_visible()
    assert await first.locator(".poster-id").inner_text() == "P-01"
    assert await first.locator("a.poster-title").inner_text() == "Calibrated Engines"
    assert await first.locator("a.poster-title").get_attribute("href") == "https://posters.example/p1"
    assert await first.locator(".authors").inner_text() == "Ada Lovelace, Charles Babbage"
    assert await posters.nth(1).locator(".authors").inner_text() == "Grace Hopper"
    assert await page.locator("#session-talk .posters").count() == 0


async def test_on_a_375_pixel_phone_nothing_is_wider_than_the_screen(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, viewport={"width": 375, "height": 812}, device_scale_factor=2)
    await page.clock.install(time=DURING_THE_TALK)
    await load(page, site)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    font_size = await page.locator("#session-talk .local").evaluate("e => getComputedStyle(e).fontSize")
    assert float(font_size.removesuffix("px")) >= 13
    path = await screenshot(page, "schedule-375.png")
    assert path.stat().st_size > 0
    await screenshot(page, "schedule-375-full.png", full_page=True)


async def test_a_shift_and_a_cancellation_show_without_a_reload(
    site: Site, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page = await open_page(browser, contexts, zone="America/New_York")
    watch = await load(page, site)
    await page.evaluate("window.__same_document = true")  # gone if the page were reloaded
    talk = site.chair.schedule.session("talk")
    await site.chair.shift(15, "talk", "olga")
    moved = site.chair.schedule.session("talk")
    assert moved.start == talk.start + dt.timedelta(minutes=15)
    expected = in_zone(moved.start, moved.end, "America/New_York")
    await page.wait_for_function(
        "text => document.querySelector('#session-talk .local').textContent.includes(text)", arg=expected, timeout=3000
    )
    await site.chair.cancel_session("panel", "olga")
    await page.wait_for_function(
        "() => document.querySelector('#session-panel').classList.contains('cancelled')", timeout=3000
    )
    assert await page.evaluate("window.__same_document") is True
    assert watch.console_errors == []
