"""One click on the web dashboard of the running bot, seen everywhere: an attendee asks with ``/ask`` in Discord, a
moderator signs in through the link ``/qa dashboard`` gave them (a real browser) and clicks "Next question"; within
a second or two the projector's stage page (another browser, never reloaded) shows the question, the session's Q&A
channel on Discord has the on-stage post, and the moderation log has the pull with the moderator's Discord id."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.async_api import Browser, expect

from bot.qa.model import Action, Status
from tests.on_discord.conftest import TALK_1_LIVE, MovableClock, running_event, settled
from tests.web.browser import PageWatch, browser, screenshot  # noqa: F401  (browser: a fixture, the real browser)

LINK = re.compile(r"<(http://[^>\s]+/signin/[^>\s]+)>")
QUESTION = "How does the method behave on documents longer than the context window?"
#: How long the click may take to show on the projector and on Discord.
WITHIN = 2.0
PROJECTOR = {"width": 1920, "height": 1080}


async def test_next_on_the_dashboard_shows_on_the_stage_page_and_on_discord_and_is_logged(
    tmp_path: Path,
    browser: Browser,  # noqa: F811
) -> None:
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE), web_listen="127.0.0.1:0") as day:
        # 09:10: the bot catches up on Invited Talk 1's "now live"; the talk takes questions.
        await day.emu.wait_for_message(day.announcements, lambda m: "Invited Talk 1" in m.content)
        base = day.chair.web_served_at
        assert base is not None

        # An attendee asks in Discord.
        asked = await settled(await day.emu.slash("ask", {"question": QUESTION}, user=day.attendee))
        assert "Thanks! Your question is #1 in the queue." in asked.content
        (queued,) = await day.chair.qa.queue("invited-1")
        assert queued.question.text == QUESTION
        question_id = queued.question.id

        # The moderator's personal link, shown only to them.
        reply = await day.emu.slash("qa dashboard", user=day.moderator)
        assert reply.ephemeral
        found = LINK.search(reply.content)
        assert found is not None, reply.content
        link = found.group(1)

        projector = await browser.new_context(viewport=PROJECTOR)  # type: ignore[arg-type]
        desk = await browser.new_context()
        try:
            # The projector in the room, following the session live.
            stage = await projector.new_page()
            stage_watch = PageWatch.on(stage)
            response = await stage.goto(f"{base}/stage/invited-1")
            assert response is not None
            assert response.status == 200
            await stage.wait_for_function(
                "() => document.getElementById('connection').hidden && window.ChairLive !== undefined"
            )
            await expect(stage.locator("#queue .text")).to_have_text([QUESTION])
            assert await stage.locator("#question-text").is_hidden()
            await stage.evaluate("window.notReloaded = true")

            # The moderator follows the link from Discord, signed in, and opens the talk's dashboard.
            dashboard = await desk.new_page()
            dashboard_watch = PageWatch.on(dashboard)
            await dashboard.goto(link)
            await dashboard.wait_for_url(base + "/moderate")
            await expect(dashboard.locator(".topbar .who")).to_contain_text("Mo")
            await dashboard.goto(f"{base}/moderate/invited-1")
            await dashboard.wait_for_selector('#dashboard[data-stream="on"]', state="attached", timeout=5000)
            await expect(dashboard.locator('[data-list="queue"] .text')).to_have_text([QUESTION])
            assert [m for m in day.emu.messages_in(day.qa_channel) if "On stage" in m.content] == []

            started = time.monotonic()
            await dashboard.get_by_role("button", name="Next question").click()

            # The projector shows it, without a reload.
            await expect(stage.locator("#question-text")).to_have_text(QUESTION, timeout=WITHIN * 1000)
            on_the_projector = time.monotonic() - started
            await expect(stage.locator("#question-author")).to_have_text("— Alice")
            await expect(stage.locator("#queue-empty")).to_be_visible()
            assert await stage.evaluate("window.notReloaded") is True

            # Discord has the on-stage post in the session's Q&A channel, pinging nobody.
            posted = await day.emu.wait_for_message(
                day.qa_channel, lambda m: "On stage" in m.content and QUESTION in m.content, timeout=WITHIN
            )
            on_discord = time.monotonic() - started
            assert "Invited Talk 1" in posted.content
            assert posted.sent["allowed_mentions"] == {"parse": []}
            assert len([m for m in day.emu.messages_in(day.qa_channel) if "On stage" in m.content]) == 1

            # The moderation log has the pull, by the moderator's Discord id.
            (entry, *_) = await day.chair.qa.moderation_log("invited-1")
            logged = time.monotonic() - started
            assert (entry.action, entry.question_id, entry.moderator_id) == (
                Action.STAGE,
                question_id,
                str(day.moderator.id),
            )
            assert (await day.chair.qa.get(question_id)).status is Status.ON_STAGE

            # The moderator's own screen says so too.
            await expect(dashboard.locator("#status")).to_contain_text(f"On stage now: #{question_id}")
            await expect(dashboard.locator('[data-list="stage"] .text')).to_have_text(QUESTION)

            assert on_the_projector < WITHIN, f"the projector showed it after {on_the_projector:.2f} s"
            assert on_discord < WITHIN, f"Discord had it after {on_discord:.2f} s"
            assert logged < WITHIN, f"the log had it after {logged:.2f} s"
            print(
                f"after the click: projector {on_the_projector:.3f} s, Discord {on_discord:.3f} s, log {logged:.3f} s"
            )

            shot = await screenshot(stage, "stage-after-next-1920.png")
            header = shot.read_bytes()[:24]
            assert header[:8] == b"\x89PNG\r\n\x1a\n"
            assert (int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")) == (1920, 1080)
            for watch in (stage_watch, dashboard_watch):
                assert watch.console_errors == []
                assert watch.page_errors == []
                assert watch.dialogs == []
        finally:
            await desk.close()
            await projector.close()
