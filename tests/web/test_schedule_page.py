"""``GET /``: the public schedule page."""

from __future__ import annotations

import datetime as dt
import re

from tests.web.conftest import Site


async def test_the_page_lists_every_session_with_its_times_and_links(site: Site) -> None:
    response, html = await site.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "Web Day" in html
    for title in ("Opening", "The Panel", "Lunch"):
        assert title in html
    # 09:10 at the venue is 12:55 in Kathmandu; both carry the UTC instant for the browser.
    assert "09:10–09:40" in html
    assert "12:55–13:25" in html
    assert "Kathmandu" in html
    assert html.count('datetime="2031-05-12T07:10:00Z"') == 2
    assert 'href="https://stream.example/a"' in html
    assert 'href="https://slides.example/t"' in html
    assert 'href="/schedule.ics"' in html
    assert 'href="/sessions/talk.ics"' in html
    assert 'href="/sessions/lunch.ics"' not in html  # breaks have no calendar entry
    assert re.search(r'href="webcal://127\.0\.0\.1:\d+/schedule\.ics"', html)


async def test_hostile_text_is_shown_as_text(site: Site) -> None:
    _, html = await site.get("/")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


async def test_every_page_forbids_inline_scripts_and_has_no_inline_code(site: Site) -> None:
    response, html = await site.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts == [(' src="/static/schedule.js" defer', "")]  # one external script, nothing inline
    assert html.count("<script") == len(scripts)
    assert "<style" not in html
    assert " style=" not in html


async def test_the_stylesheet_is_served_with_a_cache_header(site: Site) -> None:
    response, css = await site.get("/static/style.css")
    assert response.status == 200
    assert "max-age=" in response.headers["Cache-Control"]
    assert ".session" in css


async def test_a_cancelled_session_is_marked(site: Site) -> None:
    await site.chair.cancel_session("panel", "olga")
    _, html = await site.get("/")
    item = re.search(r'<li class="([^"]*)" id="session-panel">', html)
    assert item is not None
    assert "cancelled" in item.group(1).split()
    assert "The Panel" in html


async def test_now_and_next_follow_the_clock(site: Site) -> None:
    site.clock.now = dt.datetime(2031, 5, 12, 7, 15, tzinfo=dt.UTC)  # 09:15: the talk is on, the panel next
    _, html = await site.get("/")
    classes = dict((m[1], m[0].split()) for m in re.findall(r'<li class="([^"]*)" id="session-(\w+)">', html))
    assert "now" in classes["talk"]
    assert "next" in classes["panel"]
    assert "past" in classes["opening"]


async def test_a_shifted_session_says_what_its_time_was(site: Site) -> None:
    await site.chair.shift(15, "talk", "olga")
    _, html = await site.get("/")
    talk = html.split('id="session-talk"', 1)[1].split("</li>", 1)[0]
    assert '<p class="changed">Moved: was 09:10–09:40</p>' in talk
    assert "09:25–09:55" in talk
    opening = html.split('id="session-opening"', 1)[1].split("</li>", 1)[0]
    assert "changed" not in opening  # before the shift: untouched


async def test_a_live_session_that_runs_longer_says_until_when_it_was(site: Site) -> None:
    site.clock.now = dt.datetime(2031, 5, 12, 7, 20, tzinfo=dt.UTC)  # 09:20 at the venue: the talk is on
    await site.chair.shift(10, None, "olga")
    _, html = await site.get("/")
    talk = html.split('id="session-talk"', 1)[1].split("</li>", 1)[0]
    assert '<p class="changed">Runs longer: was until 09:40</p>' in talk
    panel = html.split('id="session-panel"', 1)[1].split("</li>", 1)[0]
    assert '<p class="changed">Moved: was 09:40–10:20</p>' in panel


async def test_sessions_with_qa_link_their_ask_page_when_asking_on_the_web_is_on(site: Site) -> None:
    _, html = await site.get("/")
    assert "/ask/" not in html
    site.chair.settings = site.chair.settings.model_copy(update={"web_ask": True})
    _, html = await site.get("/")
    asks = re.findall(r'<a class="ask" href="/ask/([^"]+)">Ask a question</a>', html)
    assert asks == [s.id for s in site.chair.schedule.sessions if s.qa]
    assert asks  # the day has sessions with Q&A


async def test_a_day_in_several_rooms_is_grouped_by_room(site: Site) -> None:
    _, html = await site.get("/")
    # The fixture's day: the posters in the Foyer, Hall A (opening, talk), Hall B (panel), a lunch in no room.
    nav = re.search(r'<nav class="rooms" aria-label="Rooms">(.*?)</nav>', html)
    assert nav is not None
    assert re.findall(r">([^<]+)</a>", nav.group(1)) == ["All rooms", "Foyer", "Hall A", "Hall B"]
    sections = re.findall(
        r'<section class="room" id="([^"]+)">\s*<h3 class="room-name">([^<]+)</h3>(.*?)</section>',
        html,
        flags=re.DOTALL,
    )
    assert [name for _, name, _ in sections] == ["All rooms", "Foyer", "Hall A", "Hall B"]
    ids = {name: re.findall(r'id="session-([^"]+)"', body) for _, name, body in sections}
    assert ids["Hall A"] == ["opening", "talk"]
    assert ids["Hall B"] == ["panel"]
    assert "lunch" in ids["All rooms"]


async def test_an_abstract_is_folded_under_its_session_as_plain_text(site: Site) -> None:
    _, html = await site.get("/")
    talk = html.split('id="session-talk"', 1)[1].split("</li>", 1)[0]
    assert '<details class="abstract"><summary>Abstract</summary><p>About engines.</p></details>' in talk
    opening = html.split('id="session-opening"', 1)[1].split("</li>", 1)[0]
    assert "abstract" not in opening  # none given


def test_an_abstracts_markdown_reads_as_text_in_paragraphs() -> None:
    from bot.web.page import _paragraphs

    assert _paragraphs("**Guix** at [the site](https://guix.gnu.org).\n\n<script>x</script> second") == (
        "Guix at the site (https://guix.gnu.org).",
        "<script>x</script> second",  # text: the template escapes it
    )
    assert _paragraphs("  ") == ()
