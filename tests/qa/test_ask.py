"""Asking a question: what is stored, the place in the queue, and every reason an ask is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.qa import (
    AskOutcome,
    EmptyQuestion,
    InvalidQuestionText,
    QAClosed,
    QAConfig,
    QAService,
    QuestionTooLong,
    RateLimited,
    Status,
    UserBanned,
)

from .conftest import START, FakeClock, ask, raw_rows


async def test_a_question_is_stored_queued_with_its_author_and_time(qa: QAService) -> None:
    result = await qa.ask("talk-1", "u1", "How does it scale?", author_name="Ada")

    assert result.outcome is AskOutcome.QUEUED
    stored = await qa.get(result.question.id)
    assert (stored.session_id, stored.author_id, stored.author_name) == ("talk-1", "u1", "Ada")
    assert (stored.text, stored.status, stored.votes, stored.created_at) == (
        "How does it scale?",
        Status.QUEUED,
        0,
        START,
    )


async def test_stored_instants_are_utc_microseconds(qa: QAService, db_path: Path) -> None:
    question = await ask(qa)

    [(created_at,)] = raw_rows(db_path, "SELECT created_at FROM qa_questions WHERE id = ?", (question.id,))
    assert created_at == (START - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)


async def test_text_is_cleaned_before_it_is_stored(qa: QAService) -> None:
    question = await ask(qa, "  How\u200b does\u202e it\n scale?  ")

    assert question.text == "How does it scale?"


async def test_the_first_question_is_first_in_the_queue(qa: QAService) -> None:
    result = await qa.ask("talk-1", "u1", "How does it scale?", author_name="Ada")

    assert result.rank == 1
    assert result.message == "Thanks! Your question is #1 in the queue."


async def test_a_new_question_ranks_after_older_ones_with_as_many_votes(qa: QAService, clock: FakeClock) -> None:
    await ask(qa, "First question?", user="u1")
    clock.advance(1)
    await ask(qa, "Second question?", user="u2")
    clock.advance(1)

    result = await qa.ask("talk-1", "u3", "Third question?", author_name="Cy")

    assert result.rank == 3


async def test_rank_counts_only_queued_questions_of_the_same_session(qa: QAService) -> None:
    on_stage = await ask(qa, "Being answered now?", user="u1")
    await qa.put_on_stage(on_stage.id, "mod")
    await ask(qa, "In another session?", session="talk-2", user="u2")

    result = await qa.ask("talk-1", "u3", "A question of my own?", author_name="Cy")

    assert result.rank == 1


async def test_rank_is_right_when_the_clock_stepped_back(qa: QAService, clock: FakeClock) -> None:
    await ask(qa, "Asked before the clock stepped back?", user="u1")
    clock.advance(-30)

    result = await qa.ask("talk-1", "u2", "Asked after it stepped back?", author_name="Bo")

    assert result.rank == 1  # it is the oldest now, so it goes first
    assert next(entry.question.id for entry in await qa.queue("talk-1")) == result.question.id


async def test_an_anonymous_question_keeps_the_name_for_moderators_only(qa: QAService) -> None:
    question = await ask(qa, anonymous=True, name="Ada")

    assert question.anonymous
    assert question.author_name == "Ada"
    assert question.public_author == "anonymous"


async def test_empty_text_is_refused_and_nothing_is_stored(qa: QAService, db_path: Path) -> None:
    with pytest.raises(EmptyQuestion):
        await qa.ask("talk-1", "u1", "\u200b \n", author_name="Ada")

    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(0,)]


async def test_the_length_limits_come_from_the_configuration(db_path: Path, clock: FakeClock) -> None:
    async with QAService(db_path, config=QAConfig(max_length=10), clock=clock) as qa:
        with pytest.raises(QuestionTooLong, match="under 11"):
            await qa.ask("talk-1", "u1", "Eleven char", author_name="Ada")


def test_the_configuration_refuses_a_minimum_length_above_the_maximum() -> None:
    with pytest.raises(ValueError, match="min_length"):
        QAConfig(min_length=10, max_length=5)


async def test_asking_in_a_closed_session_is_refused(qa: QAService) -> None:
    await qa.close_session("talk-1", "mod")

    with pytest.raises(QAClosed, match=r"^Questions are closed for this session\.$"):
        await ask(qa)


async def test_asking_again_after_the_session_reopens_works(qa: QAService) -> None:
    await qa.close_session("talk-1", "mod")
    await qa.open_session("talk-1", "mod")

    assert (await ask(qa)).status is Status.QUEUED


async def test_a_banned_user_cannot_ask(qa: QAService) -> None:
    await qa.ban("u1", "mod", "spam")

    with pytest.raises(UserBanned):
        await ask(qa, user="u1")


async def test_the_fourth_question_within_a_minute_is_refused_with_the_wait(qa: QAService, clock: FakeClock) -> None:
    await ask(qa, "First one?")  # at +0 s
    clock.advance(10)
    await ask(qa, "Second one?")  # at +10 s
    clock.advance(10)
    await ask(qa, "Third one?")  # at +20 s

    with pytest.raises(RateLimited) as refused:  # also at +20 s: the first frees its slot at +60 s
        await ask(qa, "Fourth one?")

    assert str(refused.value) == ("You can ask at most 3 questions a minute in this session; try again in 40 s.")


async def test_the_rate_limit_frees_a_slot_once_the_oldest_question_is_a_minute_old(
    qa: QAService, clock: FakeClock
) -> None:
    await ask(qa, "First one?")  # at +0 s
    clock.advance(10)
    await ask(qa, "Second one?")
    clock.advance(10)
    await ask(qa, "Third one?")
    clock.advance(40)  # +60 s

    assert (await ask(qa, "Fourth one?")).status is Status.QUEUED


async def test_the_rate_limit_is_per_session(qa: QAService) -> None:
    for text in ("First one?", "Second one?", "Third one?"):
        await ask(qa, text, session="talk-1")

    assert (await ask(qa, "Fourth one?", session="talk-2")).status is Status.QUEUED


async def test_the_rate_limit_comes_from_the_configuration(db_path: Path, clock: FakeClock) -> None:
    async with QAService(db_path, config=QAConfig(rate_limit=1), clock=clock) as qa:
        await ask(qa, "First one?")
        with pytest.raises(RateLimited, match="at most 1 question a minute"):
            await ask(qa, "Second one?")


async def test_a_near_duplicate_adds_a_vote_to_the_queued_question_instead_of_a_row(
    qa: QAService, db_path: Path
) -> None:
    original = await ask(qa, "How does it scale?", user="u1")

    result = await qa.ask("talk-1", "u2", "  how does it SCALE  ", author_name="Bo")

    assert result.outcome is AskOutcome.MERGED
    assert result.vote_added
    assert result.question.id == original.id
    assert result.question.votes == 1
    assert result.message == "Someone already asked this question, so your vote went to it; it is #1 in the queue."
    assert raw_rows(db_path, "SELECT count(*) FROM qa_questions") == [(1,)]
    assert raw_rows(db_path, "SELECT voter_id FROM qa_votes") == [("u2",)]


async def test_a_duplicate_from_someone_who_already_voted_does_not_count_twice(qa: QAService) -> None:
    original = await ask(qa, "How does it scale?", user="u1")
    await qa.vote(original.id, "u2")

    result = await qa.ask("talk-1", "u2", "How does it scale", author_name="Bo")

    assert result.outcome is AskOutcome.MERGED
    assert not result.vote_added
    assert (await qa.get(original.id)).votes == 1


async def test_asking_your_own_question_again_changes_nothing(qa: QAService, db_path: Path) -> None:
    original = await ask(qa, "How does it scale?", user="u1")

    result = await qa.ask("talk-1", "u1", "How does it scale??", author_name="Ada")

    assert result.outcome is AskOutcome.ALREADY_ASKED
    assert result.question.id == original.id
    assert raw_rows(db_path, "SELECT count(*) FROM qa_votes") == [(0,)]


async def test_a_duplicate_of_an_answered_question_is_a_new_question(qa: QAService) -> None:
    original = await ask(qa, "How does it scale?", user="u1")
    await qa.mark_answered(original.id, "mod")

    result = await qa.ask("talk-1", "u2", "How does it scale?", author_name="Bo")

    assert result.outcome is AskOutcome.QUEUED
    assert result.question.id != original.id


async def test_a_duplicate_in_another_session_is_a_new_question(qa: QAService) -> None:
    await ask(qa, "How does it scale?", session="talk-1", user="u1")

    result = await qa.ask("talk-2", "u2", "How does it scale?", author_name="Bo")

    assert result.outcome is AskOutcome.QUEUED


async def test_with_pre_moderation_a_question_waits_for_review_without_a_rank(qa: QAService) -> None:
    await qa.set_pre_moderation("talk-1", "mod", True)

    result = await qa.ask("talk-1", "u1", "How does it scale?", author_name="Ada")

    assert result.outcome is AskOutcome.AWAITING_REVIEW
    assert result.question.status is Status.PENDING_REVIEW
    assert result.rank is None
    assert "moderator will review" in result.message


async def test_pending_questions_are_listed_for_review_oldest_first(qa: QAService, clock: FakeClock) -> None:
    await qa.set_pre_moderation("talk-1", "mod", True)
    first = await ask(qa, "First for review?", user="u1")
    clock.advance(1)
    second = await ask(qa, "Second for review?", user="u2")

    assert [q.id for q in await qa.pending_review("talk-1")] == [first.id, second.id]


def test_any_unicode_text_is_stored_clean_or_refused(tmp_path: Path) -> None:
    """Whatever is typed, the service either refuses it as question text or stores it without control or
    format characters; nothing else goes wrong."""
    path = tmp_path / "fuzz.db"
    loop = asyncio.new_event_loop()
    qa = loop.run_until_complete(QAService.open(path, config=QAConfig(rate_limit=1_000_000)))
    reader = sqlite3.connect(path)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=st.text(max_size=600), name=st.text(max_size=50), anonymous=st.booleans())
    def check(text: str, name: str, anonymous: bool) -> None:
        try:
            result = loop.run_until_complete(qa.ask("fuzz", "fuzzer", text, author_name=name, anonymous=anonymous))
        except InvalidQuestionText:
            return
        stored_text, stored_name = reader.execute(
            "SELECT text, author_name FROM qa_questions WHERE id = ?", (result.question.id,)
        ).fetchone()
        for stored in (stored_text, stored_name):
            assert not {unicodedata.category(char) for char in stored} & {"Cc", "Cf", "Cs"}
        assert 3 <= len(stored_text) <= 500

    try:
        check()
    finally:
        reader.close()
        loop.run_until_complete(qa.close())
        loop.close()
