"""Cleaning question text and recognising the same question asked twice."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa import EmptyQuestion, InvalidQuestionText, QuestionTooLong, QuestionTooShort
from bot.qa.text import clean_display_name, clean_text, duplicate_key, prepare_question

FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs"}


def test_surrounding_whitespace_is_trimmed() -> None:
    assert prepare_question("   Why?  \n", min_length=3, max_length=500) == "Why?"


def test_runs_of_whitespace_become_one_space() -> None:
    assert clean_text("How\t does  it\n\nscale?") == "How does it scale?"


def test_zero_width_characters_are_removed() -> None:
    assert clean_text("sc\u200bal\u200de\ufeff?") == "scale?"


def test_bidi_overrides_and_isolates_are_removed() -> None:
    assert clean_text("\u202eevil\u202c and \u2067isolated\u2069") == "evil and isolated"


def test_control_characters_are_removed() -> None:
    assert clean_text("be\x00ll\x07 and\x1b[31m red") == "bell and[31m red"


def test_line_breaks_separate_words_instead_of_joining_them() -> None:
    assert clean_text("first\u2028second\x85third") == "first second third"


def test_text_is_normalised_to_nfc() -> None:
    assert clean_text("Cafe\u0301?") == "Caf\u00e9?"


def test_empty_text_is_refused() -> None:
    with pytest.raises(EmptyQuestion, match="empty"):
        prepare_question(" \u200b\n ", min_length=3, max_length=500)


def test_text_shorter_than_the_minimum_is_refused() -> None:
    with pytest.raises(QuestionTooShort, match="at least 3 characters"):
        prepare_question("Hi", min_length=3, max_length=500)


def test_text_longer_than_the_maximum_is_refused() -> None:
    with pytest.raises(QuestionTooLong, match="501 characters"):
        prepare_question("x" * 501, min_length=3, max_length=500)


def test_text_of_exactly_the_maximum_is_accepted() -> None:
    assert len(prepare_question("x" * 500, min_length=3, max_length=500)) == 500


def test_length_is_counted_after_cleaning() -> None:
    assert prepare_question("  ab\u200bc  ", min_length=3, max_length=3) == "abc"


def test_display_name_falls_back_when_nothing_printable_is_left() -> None:
    assert clean_display_name("\u200b\u202e", fallback="user 42") == "user 42"


def test_duplicate_key_ignores_case_spacing_and_punctuation() -> None:
    assert duplicate_key("How does it SCALE?!") == duplicate_key("how  does it scale")


def test_duplicate_key_ignores_unicode_punctuation_and_width() -> None:
    assert duplicate_key("¿Ｗｈｙ «not»?") == duplicate_key("why not")


def test_duplicate_key_keeps_different_words_apart() -> None:
    assert duplicate_key("How does it scale?") != duplicate_key("How does it fail?")


def test_punctuation_only_questions_do_not_all_share_one_key() -> None:
    assert duplicate_key("???") != duplicate_key("!!!")


@given(st.text(max_size=600))
def test_any_unicode_text_is_cleaned_or_refused(raw: str) -> None:
    try:
        text = prepare_question(raw, min_length=3, max_length=500)
    except InvalidQuestionText:
        return
    assert 3 <= len(text) <= 500
    assert not {unicodedata.category(char) for char in text} & FORBIDDEN_CATEGORIES
    assert unicodedata.is_normalized("NFC", text)
    assert text == text.strip()
    assert clean_text(text) == text  # cleaning is idempotent


@given(st.text(max_size=200))
def test_duplicate_key_never_fails_and_is_stable(raw: str) -> None:
    key = duplicate_key(clean_text(raw))
    assert duplicate_key(clean_text(raw)) == key
