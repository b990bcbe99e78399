"""Abstracts as exporters write them, made fit for Discord: HTML becomes markdown with its links, text stays as
written, and either is trimmed at a sentence to what an announcement shows."""

from __future__ import annotations

import pytest

from bot.announce.messages import ABSTRACT_CHARS as ANNOUNCED_CHARS
from bot.schedule.importers.abstract import (
    ABSTRACT_CHARS,
    discord_abstract,
    looks_like_html,
    to_markdown,
    trim_at_sentence,
)

FOSDEM = (
    "<p>Networking on <strong>Guix System</strong> is configured by hand. See the "
    '<a href="https://guix.gnu.org/manual/">manual</a> and the <a href="/2025/schedule/track/guix/">devroom</a>.</p>'
    "\n\n<ul>\n<li>static addresses</li>\n<li><em>WireGuard</em> tunnels</li>\n</ul>"
)


def test_the_limit_is_what_an_announcement_shows() -> None:
    assert ABSTRACT_CHARS == ANNOUNCED_CHARS


def test_a_fosdem_abstract_becomes_discord_markdown_with_its_links() -> None:
    assert to_markdown(FOSDEM, "https://fosdem.org/2025/schedule/") == (
        "Networking on **Guix System** is configured by hand. See the [manual](https://guix.gnu.org/manual/) and "
        "the [devroom](https://fosdem.org/2025/schedule/track/guix/).\n\n- static addresses\n- *WireGuard* tunnels"
    )


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
        ("<p>line one<br/>line two</p>", "line one\nline two"),
        ("<h3>Agenda</h3><p>Talk.</p>", "**Agenda**\n\nTalk."),
        ("<p>Run <code>make_all</code> on <b>2*3</b> cores</p>", "Run `make_all` on **2\\*3** cores"),
        ('<p>A <img src="d.png" alt="diagram"> here</p>', "A diagram here"),
        (
            '<p><a href="mailto:x@example.org">write</a> or <a href="javascript:alert(1)">click</a></p>',
            "write or click",
        ),
        ('<p><a href="https://example.org">https://example.org</a></p>', "<https://example.org>"),
        ("<p>Tom &amp; Jerry &lt;3</p>", "Tom & Jerry <3"),
    ],
)
def test_html_pieces_become_what_discord_shows(html: str, markdown: str) -> None:
    assert to_markdown(html) == markdown


@pytest.mark.parametrize(
    "text",
    [
        "Six accepted papers, <7 minutes each.",
        "Curves <3 cryptographers.",
        "a <b> c and x > y",
        "*markdown* stays, snake_case too, and [a link](https://example.org).",
        "R&amp;D as typed.",
        "Line one\n\nline two",
    ],
)
def test_text_that_is_not_html_is_left_as_written(text: str) -> None:
    assert not looks_like_html(text)
    assert discord_abstract(text) == text


def test_broken_html_is_read_as_html() -> None:
    assert discord_abstract("<p>unclosed <strong>bold</p>") == "unclosed **bold**"


def test_a_long_abstract_ends_at_a_sentence_within_the_limit() -> None:
    sentence = "Calibration that holds on the test set fails in deployment. "
    trimmed = trim_at_sentence(sentence * 20)
    assert len(trimmed) <= ABSTRACT_CHARS
    assert trimmed.endswith("deployment. …")
    assert trimmed.count("deployment.") == (ABSTRACT_CHARS - 2) // len(sentence)


def test_a_cut_never_leaves_bold_or_a_link_open() -> None:
    text = "Short intro. " + "**" + "This bold part runs on. " * 40 + "**"
    trimmed = trim_at_sentence(text, 300)
    assert trimmed == "Short intro. …"
    linked = "First sentence here, long enough to count. [See this. And that](https://example.org) " * 10
    assert trim_at_sentence(linked, 200).count("[") == trim_at_sentence(linked, 200).count("]")


def test_an_abstract_without_sentences_is_cut_at_a_space() -> None:
    trimmed = trim_at_sentence("word " * 500, 100)
    assert trimmed == "word " * 19 + "word…"  # 99 characters
    assert len(trimmed) <= 100


def test_an_html_abstract_is_converted_then_trimmed() -> None:
    html = "<p>" + "A <strong>bold</strong> claim, then its proof. " * 30 + "</p>"
    result = discord_abstract(html)
    assert result is not None
    assert "<" not in result
    assert len(result) <= ABSTRACT_CHARS
    assert result.endswith("its proof. …")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"en": "<p>English</p>", "de": "<p>Deutsch</p>"}, "English"),
        ({"en": None, "de": "Nur Deutsch"}, "Nur Deutsch"),
        ({}, None),
        ("", None),
        ("   ", None),
        (None, None),
        (42, None),
    ],
)
def test_translations_and_empty_abstracts(value: object, expected: str | None) -> None:
    assert discord_abstract(value) == expected
