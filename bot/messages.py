"""The plain-text helpers every formatter uses: a message as a value (:class:`Post`, :class:`EmbedSpec`),
escaping user text, and splitting long output within Discord's limits (2,000 characters a message; embeds:
title 256, description 4,096, 25 fields, field name 256, field value 1,024, footer 2,048, 6,000 characters across
all embeds of one message, 10 embeds a message).

Pure: no discord.py import. Escaping here is defence in depth; every post that contains user text is also sent
with no allowed mentions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]<])")
_MENTION = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
_NEWLINES = re.compile(r"\s*\n\s*")


def escape_text(text: str, *, one_line: bool = False) -> str:
    """``text`` as a user wrote it, shown literally inside bot formatting: markdown and mention syntax are
    escaped so a question cannot ping anyone, post a link preview, or break the layout around it."""
    if one_line:
        text = _NEWLINES.sub(" ", text).strip()
    # Neutralise mentions first (a zero-width space after the @ or inside the <...>), then markdown.
    text = _MENTION.sub(lambda m: f"@\u200b{m.group(1)}" if m.group(1) else f"<\u200b{m.group(2)}{m.group(3)}>", text)
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("://", ":\u200b//")  # no auto-embedded links from user text


def shorten(text: str, limit: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``ellipsis`` when cut (not inside an escape)."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    # Do not leave a lone backslash that would escape the ellipsis.
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + ellipsis


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible, never losing a
    character (long lines are cut at spaces, or hard when they have none)."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut + 1 if cut > 0 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return [p.rstrip("\n") if len(pieces) > 1 else p for p in pieces if p.strip() or len(pieces) == 1]


@dataclass(slots=True)
class EmbedSpec:
    """A plain description of one embed (the Discord adapter turns it into ``discord.Embed``)."""

    title: str = ""
    description: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    url: str | None = None

    def size(self) -> int:
        return len(self.title) + len(self.description) + len(self.footer) + sum(len(n) + len(v) for n, v in self.fields)


@dataclass(frozen=True, slots=True)
class Post:
    """One message: text content plus up to 10 embeds."""

    content: str
    embeds: tuple[EmbedSpec, ...] = ()


def pack_fields(
    title: str, fields: Iterable[tuple[str, str]], *, description: str = "", footer: str = ""
) -> list[list[EmbedSpec]]:
    """Lay ``fields`` out over as many embeds and messages as Discord's limits need.

    Returns messages, each a list of embeds. Every field name and value is shortened to its limit; the first
    embed carries the description, later ones are titled "<title> (continued)"; each message's embeds stay
    within 6,000 characters together and 10 embeds.
    """
    title = shorten(title, EMBED_TITLE_LIMIT - len(" (continued)"))
    description = shorten(description, EMBED_DESCRIPTION_LIMIT)
    footer = shorten(footer, 2048)
    messages: list[list[EmbedSpec]] = [[]]
    embed = EmbedSpec(title=title, description=description, footer=footer)
    message_size = 0

    def close_embed() -> None:
        nonlocal message_size
        if len(messages[-1]) == EMBEDS_PER_MESSAGE or message_size + embed.size() > EMBED_TOTAL_LIMIT:
            messages.append([])
            message_size = 0
        messages[-1].append(embed)
        message_size += embed.size()

    for name, value in fields:
        item = (shorten(name or "\u200b", FIELD_NAME_LIMIT), shorten(value or "\u200b", FIELD_VALUE_LIMIT))
        item_size = len(item[0]) + len(item[1])
        too_many = len(embed.fields) == EMBED_FIELDS_LIMIT
        too_big = embed.size() + item_size > EMBED_TOTAL_LIMIT - 50  # room for a "(continued)" title
        # A full embed is closed; so is one that would push its message past the shared 6,000 characters.
        if embed.fields and (too_many or too_big or message_size + embed.size() + item_size > EMBED_TOTAL_LIMIT):
            close_embed()
            embed = EmbedSpec(title=f"{title} (continued)", footer=footer)
        embed.fields.append(item)
    close_embed()
    return [m for m in messages if m]


def numbered(lines: Sequence[str], start: int = 1) -> list[str]:
    """``1. first``, ``2. second``, … (the numbers right-aligned)."""
    width = len(str(start + len(lines) - 1))
    return [f"{str(i).rjust(width)}. {line}" for i, line in enumerate(lines, start)]
