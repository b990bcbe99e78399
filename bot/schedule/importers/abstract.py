"""Abstracts and descriptions as exporters write them, made fit for Discord.

FOSDEM's Pentabarf, pretalx's XML and many frab instances export abstracts as HTML (``<p>…<strong>…</strong></p>``);
others, and pretalx's JSON, as plain text or markdown. HTML becomes Discord markdown: bold, italics, code, lists
and links (``[text](https://…)``, relative addresses resolved against the file's ``base_url``) are kept, images
become their alt text and headings bold lines. Text that is not HTML is left exactly as written: nothing is
escaped or reflowed in it. Either is trimmed, at the end of a sentence, to :data:`ABSTRACT_CHARS`, the length an
announcement shows.

The converter is ``markdownify``: MIT-licensed (``html2text`` is GPL-3.0), built on BeautifulSoup, which reads
the broken HTML real exports contain, and configurable by subclassing, which is how links are resolved and
headings kept out of Discord's heading syntax here.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from markdownify import MarkdownConverter

__all__ = ["ABSTRACT_CHARS", "discord_abstract", "looks_like_html", "to_markdown", "trim_at_sentence"]

#: How much of an abstract an announcement shows (:data:`bot.announce.messages.ABSTRACT_CHARS`, held equal by a
#: test): a trimmed abstract ends at a sentence, not wherever the announcement would cut it.
ABSTRACT_CHARS = 600

# HTML, not text that mentions a "<": the closing tag of an element abstracts use, or a self-closed line break or
# rule. "Six accepted papers, <7 minutes each." and "a <b> c" are text.
_HTML = re.compile(
    r"</(?:p|a|b|strong|i|em|u|s|strike|del|ins|ul|ol|li|div|span|h[1-6]|code|pre|blockquote|table|tr|td|th"
    r"|sup|sub|small|dl|dt|dd|figure|section|article|center|font|mark|q|cite|abbr)\s*>"
    r"|<(?:br|hr)\s*/>",
    re.IGNORECASE,
)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` is HTML (see :data:`_HTML`), so that converting it changes only markup."""
    return bool(_HTML.search(text))


class _DiscordMarkdown(MarkdownConverter):
    """markdownify's converter with what Discord shows well: absolute links only, headings as bold lines
    (a ``#`` line is a huge title in a message), images as their alt text."""

    def __init__(self, base_url: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._base_url = base_url

    def convert_a(self, el: Any, text: str, parent_tags: set[str]) -> str:
        href = (el.get("href") or "").strip()
        if href and self._base_url and not re.match(r"[a-z][a-z0-9+.-]*:", href, re.IGNORECASE):
            href = urljoin(self._base_url, href)
        if not re.match(r"https?://\S+$", href, re.IGNORECASE):
            return str(text)  # a mailto:, an anchor or a script: nothing a reader could open from Discord
        el["href"] = href
        # markdownify's stub leaves out its convert_* methods; they are there at run time.
        return str(super().convert_a(el, text, parent_tags))  # type: ignore[misc]

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: set[str]) -> str:
        text = " ".join(text.split())
        if "_inline" in parent_tags or not text:
            return text
        return f"\n\n**{text}**\n\n"

    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return str(el.attrs.get("alt") or "")


_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def to_markdown(html: str, base_url: str | None = None) -> str:
    """``html`` as Discord markdown: ``**bold**``, ``*italics*``, `` `code` ``, ``- `` lists, ``[text](url)``;
    paragraphs apart by one blank line."""
    converter = _DiscordMarkdown(base_url, bullets="-", heading_style="atx", newline_style="spaces")
    text = converter.convert(html)
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


# The end of a sentence: its mark (and a closing quote or bracket), then a space or the end of a line.
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]*_]*)(?=\s)|\n\n")


def _balanced(text: str) -> bool:
    """Whether cutting after ``text`` leaves no bold, code span or link open."""
    return text.count("**") % 2 == 0 and text.count("`") % 2 == 0 and text.count("[") == text.count("]")


def _word_cuts(text: str, limit: int) -> list[str]:
    """``text`` cut after whole words to fit ``limit`` characters with an ellipsis, longest first."""
    room = text[: limit - 1]
    words = room.split(" ")
    if len(text) > len(room) and not text[len(room)].isspace():
        words = words[:-1]  # the last word does not fit whole
    return [" ".join(words[:n]).rstrip() for n in range(len(words), 0, -1)]


def trim_at_sentence(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """``text`` if it fits in ``limit`` characters; else cut where no bold, code span or link is left open: after
    its last sentence that fits (followed by `` …``), or, when that would keep less than a third, after a word
    (followed by ``…``); as a last resort after its first sentence or a word even so."""
    if len(text) <= limit:
        return text
    room = text[: limit - 2]  # the " …"
    sentences = [room[: m.end()].rstrip() for m in _SENTENCE_END.finditer(room + " ")][::-1]
    words = _word_cuts(text, limit)
    cuts = [
        ([kept for kept in sentences if kept and _balanced(kept)], " …"),
        ([kept for kept in words if kept and _balanced(kept)], "…"),
    ]
    for fitting, ending in cuts:
        if fitting and len(fitting[0]) >= limit // 3:
            return fitting[0] + ending
    for fitting, ending in cuts:
        if fitting:
            return fitting[0] + ending
    return (words[0] if words else text[: limit - 1]) + "…"


def discord_abstract(value: object, base_url: str | None = None, limit: int = ABSTRACT_CHARS) -> str | None:
    """An exported abstract as a session's ``abstract``: HTML as markdown, text as written, either trimmed to
    ``limit`` at a sentence; ``None`` for a missing or empty one. A ``{"en": …, "de": …}`` translation picks
    English, else the first language given."""
    if isinstance(value, dict):
        texts = [v for v in (value.get("en"), *value.values()) if isinstance(v, str) and v.strip()]
        value = texts[0] if texts else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if looks_like_html(text):
        text = to_markdown(text, base_url)
    return trim_at_sentence(text, limit) or None
