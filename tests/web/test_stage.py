"""The stage display ``/stage/{session}`` as served: the session, the questions as they stand, and the QR code of
the ask page (or the Discord hint when the ask page is off). Live updates are tested in a real browser
(test_browser_stage.py)."""

from __future__ import annotations

import re
from typing import Any

from bot.web.stage import DISCORD_HINT, OFF_SCHEDULE, qr_svg
from tests.web.conftest import Site


def configure(site: Site, **changes: Any) -> None:
    """Change the running site's settings (each request reads them afresh)."""
    site.chair.settings = site.chair.settings.model_copy(update=changes)


async def test_the_stage_shows_the_session_and_a_qr_code_of_its_ask_page(site: Site) -> None:
    configure(site, web_ask=True)
    response, html = await site.get("/stage/talk")
    assert response.status == 200
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the title, as text
    assert "<img src=x" not in html
    assert "Ada Lovelace" in html
    ask_url = site.base + "/ask/talk"
    assert qr_svg(ask_url) in html  # segno was given the ask page's address
    assert f'data-url="{ask_url}"' in html
    assert "Scan to ask and vote" in html
    assert DISCORD_HINT not in html


async def test_the_qr_code_takes_the_public_address_when_the_organizers_set_one(site: Site) -> None:
    configure(site, web_ask=True, public_url="https://chair.example.org")
    _, html = await site.get("/stage/talk")
    assert qr_svg("https://chair.example.org/ask/talk") in html
    assert "chair.example.org/ask/talk" in html


async def test_without_the_ask_page_the_stage_says_to_ask_in_discord(site: Site) -> None:
    _, html = await site.get("/stage/talk")
    assert DISCORD_HINT in html
    assert "<svg" not in html
    assert "/ask/talk" not in html


async def test_the_stage_is_served_with_the_questions_as_they_stand(site: Site) -> None:
    qa = site.chair.qa
    first = await qa.ask("talk", "1", "What limits the engine?", author_name="Grace")
    await qa.ask("talk", "2", "Does it <b>scale</b>?", author_name="Charles")
    await qa.vote(first.question.id, "3")
    await qa.pull_next("talk", "mod")
    _, html = await site.get("/stage/talk")
    stage = html.split('id="question-text"', 1)[1].split("</p>", 1)[0]
    assert "What limits the engine?" in stage
    assert "— Grace" in html
    assert "▲ 1" in html
    queue = html.split('id="queue"', 1)[1].split("</ol>", 1)[0]
    assert "Does it &lt;b&gt;scale&lt;/b&gt;?" in queue
    assert "— Charles" in queue
    assert "1 question waiting" in html


async def test_an_unknown_session_has_the_not_found_page(site: Site) -> None:
    response, html = await site.get("/stage/nope")
    assert response.status == 404
    assert response.content_type == "text/html"
    assert "There is no page at this address." in html


async def test_a_cancelled_session_says_so(site: Site) -> None:
    await site.chair.cancel_session("panel", "organizer")
    response, html = await site.get("/stage/panel")
    assert response.status == 200
    assert "The Panel" in html
    assert OFF_SCHEDULE in html


async def test_the_stage_has_no_inline_script_or_style(site: Site) -> None:
    configure(site, web_ask=True)
    response, html = await site.get("/stage/talk")
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self' covers scripts
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert " style=" not in html
    assert "<style" not in html
