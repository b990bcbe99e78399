"""Fitting user text into Discord messages: escaping, and splitting within Discord's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messages import (
    EMBED_FIELDS_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_VALUE_LIMIT,
    escape_text,
    pack_fields,
    shorten,
    split_message,
)


def test_mentions_are_neutralised() -> None:
    text = escape_text("@everyone @here <@123> <@!123> <@&456> <#789>")
    assert "@everyone" not in text
    assert "@here" not in text
    for raw in ("<@123>", "<@!123>", "<@&456>", "<#789>"):
        assert raw not in text


def test_markdown_is_shown_literally() -> None:
    assert escape_text("**bold** `code` ~~x~~ ||spoiler||") == r"\*\*bold\*\* \`code\` \~\~x\~\~ \|\|spoiler\|\|"
    assert escape_text("```py\nprint(1)\n```", one_line=True) == r"\`\`\`py print(1) \`\`\`"


def test_links_in_user_text_do_not_embed() -> None:
    assert "https://" not in escape_text("see https://example.org")


def test_shorten_keeps_within_the_limit_and_marks_the_cut() -> None:
    assert shorten("abcdef", 4) == "abc…"
    assert shorten("abc", 4) == "abc"
    assert shorten("ab\\*cd", 4) == "ab…"  # never ends on a lone escape


def test_long_text_is_split_at_line_ends_without_losing_anything() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    pieces = split_message(text)
    assert all(len(p) <= 2000 for p in pieces)
    assert "\n".join(pieces) == text


@given(st.text(min_size=1, max_size=9000))
def test_split_never_exceeds_the_limit_or_drops_visible_text(text: str) -> None:
    pieces = split_message(text, limit=500)
    assert all(len(p) <= 500 for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


def test_five_hundred_posters_fit_within_every_embed_limit() -> None:
    fields = [
        (f"P{i:03d} · Poster title number {i} " + "t" * 120, "Authors: " + "A. Author, " * 40) for i in range(500)
    ]
    messages = pack_fields("Poster Session 1", fields, description="Where: Gather.Town", footer="chairbot")
    packed = [f for message in messages for embed in message for f in embed.fields]
    assert len(packed) == 500
    assert [name.split(" · ")[0] for name, _ in packed] == [f"P{i:03d}" for i in range(500)]
    for message in messages:
        assert len(message) <= EMBEDS_PER_MESSAGE
        assert sum(embed.size() for embed in message) <= EMBED_TOTAL_LIMIT
        for embed in message:
            assert len(embed.fields) <= EMBED_FIELDS_LIMIT
            assert all(len(value) <= FIELD_VALUE_LIMIT for _, value in embed.fields)
    assert messages[0][0].description == "Where: Gather.Town"
    assert messages[-1][-1].title == "Poster Session 1 (continued)"


@given(st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1500)), max_size=120))
def test_packing_any_fields_respects_the_limits(fields: list[tuple[str, str]]) -> None:
    messages = pack_fields("T" * 300, fields)
    assert sum(len(embed.fields) for message in messages for embed in message) == len(fields)
    for message in messages:
        assert sum(embed.size() for embed in message) <= EMBED_TOTAL_LIMIT
        assert all(len(embed.fields) <= EMBED_FIELDS_LIMIT and len(embed.title) <= 256 for embed in message)
