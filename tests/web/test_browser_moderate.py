"""The moderators' dashboard in a real browser (chromium): signing in from a link clicked in Discord, two
moderators on two screens seeing each other's clicks within a second, hostile text kept as text, the page working
without JavaScript, and how it looks on a phone."""

from __future__ import annotations

import datetime as dt

from playwright.async_api import Browser, BrowserContext, Page, expect

from bot.qa.model import Status
from bot.signin import Member
from tests.web.browser import PageWatch, screenshot
from tests.web.moderation_site import MO, ZOE, StaffedSite, staffed

__all__ = ["staffed"]  # the fixture

#: A phone's screen, in CSS pixels.
PHONE = {"width": 375, "height": 812}
#: How long another moderator's click may take to show.
WITHIN_A_SECOND = 1000
HOSTILE = "<img src=x onerror=alert(1)> <script>alert(2)</script> Is this <b>safe</b>?"


async def dashboard(
    browser: Browser, contexts: list[BrowserContext], site: StaffedSite, member: Member, **options: object
) -> tuple[Page, PageWatch]:
    """A browser of its own for ``member``, signed in through their link, on the keynote's dashboard with its live
    stream connected."""
    site.roster.grant(member)
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    contexts.append(context)
    page = await context.new_page()
    watch = PageWatch.on(page)
    await page.goto(site.link(member))
    await page.wait_for_url("**/moderate")
    await page.goto(site.base + "/moderate/keynote")
    if options.get("java_script_enabled", True):
        await live(page)
    return page, watch


async def live(page: Page) -> None:
    """Wait until the page's live stream has delivered its first snapshot (from then on it gets every change)."""
    await page.wait_for_selector('#dashboard[data-stream="on"]', state="attached", timeout=5000)


def card(page: Page, list_name: str, text: str) -> object:
    return page.locator(f'[data-list="{list_name}"] li.card', has_text=text)


async def test_a_link_clicked_in_discord_opens_the_dashboard_signed_in(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    staffed.roster.grant(MO)
    context = await browser.new_context()
    contexts.append(context)
    page = await context.new_page()
    # The link is followed from another site, as from Discord: a Strict cookie set there must still be sent.
    link = staffed.link(MO)

    async def discord(route: object) -> None:
        await route.fulfill(status=200, content_type="text/html", body=f'<a id="link" href="{link}">dashboard</a>')  # type: ignore[attr-defined]

    await page.route("https://discord.example/**", discord)
    await page.goto("https://discord.example/channels/1/2")
    await page.click("#link")
    await page.wait_for_url(staffed.base + "/moderate")
    await expect(page.locator("h1")).to_have_text("Moderated Day")
    await expect(page.locator(".topbar .who")).to_contain_text("Mo Moderator")


async def test_two_moderators_see_each_others_clicks_within_a_second(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    qa = staffed.chair.qa
    first = (await qa.ask("keynote", "11", "Who goes first?", author_name="Ann")).question.id
    await qa.ask("keynote", "12", "And second?", author_name="Bo")
    mo, mo_watch = await dashboard(browser, contexts, staffed, MO)
    zoe, zoe_watch = await dashboard(browser, contexts, staffed, ZOE)

    await mo.get_by_role("button", name="Next question").click()
    await expect(mo.locator("#status")).to_contain_text("On stage now: #1")
    await expect(zoe.locator('[data-list="stage"] .text')).to_have_text("Who goes first?", timeout=WITHIN_A_SECOND)
    await expect(zoe.locator('[data-list="queue"] li.card')).to_have_count(1, timeout=WITHIN_A_SECOND)

    # Zoe dismisses the other question with a reason; Mo sees it leave the queue, and who did it.
    other = zoe.locator('[data-list="queue"] li.card', has_text="And second?")
    await other.locator("summary").click()
    await other.get_by_label("Reason").fill("asked already")
    await other.get_by_role("button", name="Dismiss").click()
    await expect(zoe.locator("#status")).to_contain_text("is dismissed")
    await expect(mo.locator('[data-list="queue"] li.card')).to_have_count(0, timeout=WITHIN_A_SECOND)
    await expect(mo.locator("#log li").first).to_contain_text(
        "Zoe Moderator dismissed #2 “And second?”: asked already", timeout=WITHIN_A_SECOND
    )
    await expect(mo.locator('[data-list="done"] li.card')).to_have_count(1)

    # Answered on Mo's screen: the stage empties on Zoe's.
    await mo.locator('[data-list="stage"] li.card').get_by_role("button", name="Answered").click()
    await expect(zoe.locator('[data-list="stage"] li.card')).to_have_count(0, timeout=WITHIN_A_SECOND)
    await expect(zoe.locator('[data-empty="stage"]')).to_be_visible()
    assert (await qa.get(first)).status is Status.ANSWERED

    # Mo puts a question on stage; Zoe's screen follows, so her "next" is not taken for one that crossed Mo's.
    await qa.ask("keynote", "13", "A third one?", author_name="Cy")
    fourth = (await qa.ask("keynote", "14", "And a fourth?", author_name="Di")).question.id
    await expect(mo.locator('[data-list="queue"] li.card')).to_have_count(2, timeout=WITHIN_A_SECOND)
    await mo.get_by_role("button", name="Next question").click()
    await expect(zoe.locator('[data-list="stage"] .text')).to_have_text("A third one?", timeout=WITHIN_A_SECOND)
    await zoe.get_by_role("button", name="Next question").click()
    await expect(zoe.locator("#status")).to_contain_text(f"On stage now: #{fourth}")
    await expect(mo.locator('[data-list="stage"] .text')).to_have_text("And a fourth?", timeout=WITHIN_A_SECOND)
    for watch in (mo_watch, zoe_watch):
        assert watch.console_errors == []
        assert watch.page_errors == []


async def test_a_reason_being_typed_survives_a_live_update(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    qa = staffed.chair.qa
    asked = (await qa.ask("keynote", "11", "Will my reason stay?", author_name="Ann")).question.id
    mo, _ = await dashboard(browser, contexts, staffed, MO)
    question = mo.locator('[data-list="queue"] li.card')
    await question.locator("summary").click()
    reason = question.get_by_label("Reason")
    await reason.fill("half typed")
    for voter in range(3):
        await qa.vote(asked, f"voter{voter}")
    await expect(question.locator('[data-field="votes"]')).to_have_text("3")
    await expect(reason).to_have_value("half typed")
    await expect(reason).to_be_focused()


async def test_hostile_question_text_stays_text(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    qa = staffed.chair.qa
    await qa.ask("keynote", "11", HOSTILE, author_name="<b>Mallory</b>")
    mo, watch = await dashboard(browser, contexts, staffed, MO)
    # One served with the page, one arriving by the live stream (built by the script).
    await qa.ask("keynote", "12", HOSTILE + " (again)", author_name="<i>Eve</i>", review=True)
    await expect(mo.locator('[data-list="pending"] .text')).to_have_text(HOSTILE + " (again)")
    await expect(mo.locator('[data-list="queue"] .text')).to_have_text(HOSTILE)
    await expect(mo.locator('[data-list="queue"] .author')).to_have_text("<b>Mallory</b>")
    await expect(mo.locator('[data-list="pending"] .author')).to_have_text("<i>Eve</i>")
    await expect(mo.locator("h1")).to_have_text("Keynote <script>alert('title')</script>")
    assert await mo.locator(".card img, .card script, .card b, .card i").count() == 0
    await mo.wait_for_timeout(300)
    assert watch.dialogs == []
    assert watch.page_errors == []


async def test_a_refused_click_says_why_on_the_page(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    asked = (await staffed.chair.qa.ask("keynote", "11", "Going, going?", author_name="Ann")).question.id
    mo, _ = await dashboard(browser, contexts, staffed, MO)
    staffed.roster.revoke(MO.id)
    await mo.locator('[data-list="queue"] li.card').get_by_role("button", name="Answered").click()
    await expect(mo.locator("#status.error")).to_contain_text("You no longer hold a role")
    assert (await staffed.chair.qa.get(asked)).status is Status.QUEUED


async def test_the_dashboard_works_without_javascript(
    browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite
) -> None:
    await staffed.chair.qa.ask("keynote", "11", "Plain forms?", author_name="Ann")
    mo, _ = await dashboard(browser, contexts, staffed, MO, java_script_enabled=False)
    await mo.get_by_role("button", name="Next question").click()
    await mo.wait_for_url(staffed.base + "/moderate/keynote")
    await expect(mo.locator('[data-list="stage"] .text')).to_have_text("Plain forms?")
    await mo.locator('[data-list="stage"] li.card').get_by_role("button", name="Answered").click()
    await expect(mo.locator('[data-empty="stage"]')).to_be_visible()


async def test_the_dashboard_on_a_phone(browser: Browser, contexts: list[BrowserContext], staffed: StaffedSite) -> None:
    qa = staffed.chair.qa
    clock = staffed.clock
    first = await qa.ask("keynote", "11", "How does the engine handle loops that never end?", author_name="Grace")
    clock.advance(dt.timedelta(minutes=2))
    calibration = await qa.ask(
        "keynote",
        "13",
        "Could you say more about the calibration results on the second slide, and how they compare with the "
        "baseline from last year's paper?",
        author_name="Ada",
        anonymous=True,
    )
    clock.advance(dt.timedelta(minutes=1))
    await qa.ask("keynote", "14", "Is the code available?", author_name="Charles")
    await qa.ask("keynote", "web:k3x9", "What about memory use at scale?", author_name="Web guest", review=True)
    for voter in range(5):
        await qa.vote(first.question.id, f"v{voter}")
    for voter in range(3):
        await qa.vote(calibration.question.id, f"v{voter}")
    clock.advance(dt.timedelta(minutes=4))
    await qa.pull_next("keynote", MO.id)
    mo, watch = await dashboard(
        browser, contexts, staffed, MO, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    await expect(mo.locator('[data-list="queue"] li.card')).to_have_count(2)
    await screenshot(mo, "moderate-375.png")
    await screenshot(mo, "moderate-375-full.png", full_page=True)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert await mo.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The big button is a thumb's width and height.
    box = await mo.get_by_role("button", name="Next question").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= PHONE["width"] * 0.8
    assert watch.console_errors == []
