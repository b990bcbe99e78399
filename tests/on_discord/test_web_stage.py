"""The stage display of the running bot: a question asked with ``/ask`` in Discord reaches the projector in the room
(a real browser on ``/stage/{session}``) without a reload, within a second or two."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.async_api import Browser

from tests.on_discord.conftest import TALK_1_LIVE, MovableClock, running_event, settled
from tests.on_discord.test_web_side import free_port
from tests.web.browser import PageWatch, browser  # noqa: F401  (a fixture: the real browser)


async def test_a_question_asked_in_discord_appears_on_the_stage_display(
    tmp_path: Path,
    browser: Browser,  # noqa: F811
) -> None:
    port = free_port()
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE), web_listen=f"127.0.0.1:{port}") as day:
        await day.emu.wait_for_message(day.announcements, lambda m: "Invited Talk 1" in m.content)
        context = await browser.new_context(viewport={"width": 1920, "height": 1080})
        try:
            page = await context.new_page()
            watch = PageWatch.on(page)
            response = await page.goto(f"http://127.0.0.1:{port}/stage/invited-1")
            assert response is not None
            assert response.status == 200
            assert await page.locator("#title").inner_text() == "Invited Talk 1"
            assert await page.locator("#discord-hint").inner_text() == "Ask in Discord with /ask"
            await page.wait_for_load_state("networkidle")
            await page.evaluate("window.notReloaded = true")

            started = time.monotonic()
            asked = await settled(
                await day.emu.slash("ask", {"question": "Does it scale to ImageNet?"}, user=day.attendee)
            )
            assert "Thanks! Your question is #1 in the queue." in asked.content
            await page.locator("#queue .text", has_text="Does it scale to ImageNet?").wait_for(timeout=2000)
            assert time.monotonic() - started < 2
            assert await page.locator("#queue .author").inner_text() == "— Alice"
            assert await page.evaluate("window.notReloaded") is True

            await settled(await day.emu.slash("qa next", user=day.moderator))
            await page.locator("#question-text", has_text="Does it scale to ImageNet?").wait_for(timeout=2000)
            assert watch.page_errors == []
        finally:
            await context.close()
