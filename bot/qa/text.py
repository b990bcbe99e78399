"""Cleaning what attendees type, and the key that says two questions are the same question.

Pure functions on strings: they run before a request reaches the group-commit writer, so the batch that holds
the database's write lock does as little Python work per question as possible.
"""

from __future__ import annotations

import string
import unicodedata

from bot.qa.errors import EmptyQuestion, QuestionTooLong, QuestionTooShort

# Controls and separators that stand for a break between words: a newline must not glue two words together.
_SPACING = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f\x85\u2028\u2029")
# Cc: controls. Cf: format characters, which include zero-width spaces and joiners, the bidi embeddings,
# overrides and isolates that can make a question display as something else, and the BOM. Cs: lone surrogates,
# which cannot even be encoded to UTF-8 for SQLite.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_ASCII_PUNCTUATION = str.maketrans("", "", string.punctuation)

DISPLAY_NAME_MAX = 100


def clean_text(raw: str) -> str:
    """NFC-normalised text without control, format or surrogate characters; whitespace collapsed, trimmed."""
    # str.isprintable() is False for every character we would drop or turn into a space, so ordinary text
    # skips the per-character pass.
    if not raw.isprintable():
        kept: list[str] = []
        for char in raw:
            if char in _SPACING:
                kept.append(" ")
            elif unicodedata.category(char) not in _DROPPED_CATEGORIES:
                kept.append(char)
        raw = "".join(kept)
    return " ".join(unicodedata.normalize("NFC", raw).split())


def prepare_question(raw: str, *, min_length: int, max_length: int) -> str:
    """The text to store for a question, or a refusal saying what is wrong with it."""
    text = clean_text(raw)
    if not text:
        raise EmptyQuestion()
    if len(text) < min_length:
        raise QuestionTooShort(len(text), min_length)
    if len(text) > max_length:
        raise QuestionTooLong(len(text), max_length)
    return text


def clean_display_name(raw: str, fallback: str) -> str:
    """A display name safe to store and show; ``fallback`` when nothing printable is left."""
    name = clean_text(raw)[:DISPLAY_NAME_MAX].rstrip()
    return name or fallback


def duplicate_key(text: str) -> str:
    """Equal for questions that differ only in case, spacing, punctuation or Unicode compatibility forms."""
    folded = unicodedata.normalize("NFKC", text.casefold())
    if folded.isascii():
        stripped = folded.translate(_ASCII_PUNCTUATION)
    else:
        stripped = "".join(char for char in folded if not unicodedata.category(char).startswith("P"))
    # A question made only of punctuation ("???") keeps its punctuation rather than matching every other one.
    return " ".join(stripped.split()) or " ".join(folded.split())
