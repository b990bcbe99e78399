"""A real browser for the web tests: Debian's chromium driven by Playwright, and screenshots for a person to look at.

The ``browser`` fixture launches ``/usr/bin/chromium`` (Playwright cannot download its own browser here) headless,
once per test. Playwright's objects belong to the event loop they were made on and pytest-asyncio gives each test
its own loop, so a browser shared across tests fails with "attached to a different loop"; a launch costs about half
a second (0.3 s for Playwright's driver, 0.15 s for chromium), a price worth paying for tests that share nothing.

Without chromium the tests fail, never skip: a missing browser must not pass unnoticed (CI installs it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Dialog, Error, Page, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
#: Headless chromium as root in CI: no sandbox (root cannot have one), no GPU, and no traffic of its own.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: Where the tests leave screenshots for a person to look at (ignored by git).
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """A headless chromium for one test; each page should come from its own ``browser.new_context(...)``."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}: install it with `apt-get install chromium`.",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def contexts(browser: Browser) -> AsyncIterator[list[BrowserContext]]:
    """The contexts a test opens (it appends each), closed at its end."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        await context.close()


@dataclass
class PageWatch:
    """What a page said while a test drove it: console errors (with the address they are about), uncaught
    script errors, and dialogs (each dismissed at once, so that an ``alert`` never blocks the page)."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @classmethod
    def on(cls, page: Page) -> PageWatch:
        watch = cls()

        def console(message: ConsoleMessage) -> None:
            url = message.location.get("url", "")
            # Every page names its icon, so the browser asks for no /favicon.ico: any error counts.
            if message.type == "error":
                watch.console_errors.append(f"{message.text} ({url})" if url else message.text)

        def page_error(error: Error) -> None:
            watch.page_errors.append(str(error))

        async def dialog(opened: Dialog) -> None:
            watch.dialogs.append(f"{opened.type}: {opened.message}")
            await opened.dismiss()

        page.on("console", console)
        page.on("pageerror", page_error)
        page.on("dialog", dialog)
        return watch


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save what ``page`` shows as ``tests/screenshots/<name>`` and return the file's path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    await page.screenshot(path=path, full_page=full_page)
    return path
