"""Pulling questions on stage: the best one first, one on stage per session, never the same one twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.qa import Action, InvalidRequest, QAConfig, QAService, StageMoved, Status

from .conftest import FakeClock, ask, log_size, question_in


async def test_pull_next_takes_the_question_with_most_votes(qa: QAService) -> None:
    await ask(qa, "Few votes?", user="u1")
    popular = await ask(qa, "Many votes?", user="u2")
    await qa.vote(popular.id, "fan")

    result = await qa.pull_next("talk-1", "mod")

    assert result.question is not None
    assert result.question.id == popular.id
    assert result.question.status is Status.ON_STAGE


async def test_pull_next_takes_the_oldest_of_equally_voted_questions(qa: QAService, clock: FakeClock) -> None:
    oldest = await ask(qa, "Asked first?", user="u1")
    clock.advance(1)
    await ask(qa, "Asked later?", user="u2")

    result = await qa.pull_next("talk-1", "mod")

    assert result.question is not None
    assert result.question.id == oldest.id


async def test_pull_next_marks_the_previous_question_answered(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    second = await ask(qa, "Second?", user="u2")
    await qa.pull_next("talk-1", "mod")

    result = await qa.pull_next("talk-1", "mod")

    assert result.question is not None
    assert result.question.id == second.id
    assert result.previous is not None
    assert result.previous.id == first.id
    assert (await qa.get(first.id)).status is Status.ANSWERED


async def test_pull_next_can_put_the_previous_question_back_in_the_queue(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    await qa.vote(first.id, "fan")
    second = await ask(qa, "Second?", user="u2")
    await qa.pull_next("talk-1", "mod")

    result = await qa.pull_next("talk-1", "mod", previous="queued")

    assert result.question is not None
    assert result.question.id == second.id
    assert (await qa.get(first.id)).status is Status.QUEUED


async def test_pull_next_can_dismiss_the_previous_question_with_a_reason(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    await qa.pull_next("talk-1", "mod")

    await qa.pull_next("talk-1", "mod", previous=Status.DISMISSED, reason="speaker declined")

    assert (await qa.get(first.id)).status is Status.DISMISSED
    assert (await qa.moderation_log())[0].reason == "speaker declined"


@pytest.mark.parametrize("previous", ["on_stage", "pending_review", "nonsense"])
async def test_pull_next_refuses_a_previous_status_that_makes_no_sense(
    qa: QAService, db_path: Path, previous: str
) -> None:
    await ask(qa)

    with pytest.raises(InvalidRequest):
        await qa.pull_next("talk-1", "mod", previous=previous)

    assert log_size(db_path) == 0


async def test_pull_next_on_an_empty_queue_returns_no_question(qa: QAService) -> None:
    result = await qa.pull_next("talk-1", "mod")

    assert (result.question, result.previous) == (None, None)


async def test_pull_next_on_an_empty_queue_still_ends_the_question_on_stage(qa: QAService) -> None:
    only = await ask(qa)
    await qa.pull_next("talk-1", "mod")

    result = await qa.pull_next("talk-1", "mod")

    assert result.question is None
    assert result.previous is not None
    assert result.previous.status is Status.ANSWERED
    assert (await qa.get(only.id)).status is Status.ANSWERED


async def test_pull_next_leaves_other_sessions_alone(qa: QAService) -> None:
    elsewhere = await question_in(qa, Status.ON_STAGE, session="talk-2")
    await ask(qa, session="talk-1")

    await qa.pull_next("talk-1", "mod")

    assert (await qa.get(elsewhere.id)).status is Status.ON_STAGE


async def test_pull_next_never_pulls_pending_or_hidden_questions(qa: QAService) -> None:
    await question_in(qa, Status.PENDING_REVIEW)
    await question_in(qa, Status.HIDDEN)

    assert (await qa.pull_next("talk-1", "mod")).question is None


async def test_pull_next_logs_both_the_new_and_the_previous_question(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    second = await ask(qa, "Second?", user="u2")
    await qa.pull_next("talk-1", "mod")

    await qa.pull_next("talk-1", "mod")

    log = [(entry.action, entry.question_id) for entry in await qa.moderation_log()]
    assert log[:2] == [(Action.STAGE, second.id), (Action.ANSWER, first.id)]


async def test_putting_a_chosen_question_on_stage_answers_the_previous_one(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    chosen = await ask(qa, "Chosen?", user="u2")
    await qa.pull_next("talk-1", "mod")

    result = await qa.put_on_stage(chosen.id, "mod")

    assert result.previous is not None
    assert result.previous.id == first.id
    assert (await qa.get(first.id)).status is Status.ANSWERED
    assert (await qa.get(chosen.id)).status is Status.ON_STAGE


async def test_the_queue_lists_the_question_on_stage_first_without_a_rank(qa: QAService) -> None:
    staged = await ask(qa, "On stage?", user="u1")
    waiting = await ask(qa, "Waiting?", user="u2")
    await qa.pull_next("talk-1", "mod")

    listing = [(entry.rank, entry.question.id) for entry in await qa.queue("talk-1")]

    assert listing == [(None, staged.id), (1, waiting.id)]


async def test_the_queue_listing_is_limited_to_the_top_n(qa: QAService) -> None:
    for number in range(5):
        await ask(qa, f"Question number {number}?", user=f"u{number}")

    assert [entry.rank for entry in await qa.queue("talk-1", limit=3)] == [1, 2, 3]


async def test_concurrent_pulls_never_get_the_same_question(db_path: Path, clock: FakeClock) -> None:
    async with QAService(db_path, config=QAConfig(rate_limit=1000), clock=clock) as qa:
        asked = {(await ask(qa, f"Question number {n}?", user=f"u{n}")).id for n in range(30)}

        results = await asyncio.gather(*(qa.pull_next("talk-1", f"mod-{n % 3}") for n in range(50)))

        pulled = [result.question.id for result in results if result.question is not None]
        assert len(pulled) == len(set(pulled)) == 30
        assert set(pulled) == asked
        counts = await qa.counts("talk-1")
        assert (counts[Status.ON_STAGE], counts[Status.ANSWERED], counts[Status.QUEUED]) == (0, 30, 0)


async def test_concurrent_pulls_in_different_sessions_each_get_their_own_question(
    db_path: Path, clock: FakeClock
) -> None:
    async with QAService(db_path, clock=clock) as qa:
        for session in ("talk-1", "talk-2", "talk-3"):
            for n in range(3):
                await ask(qa, f"Question {n} for {session}?", session=session, user=f"{session}-u{n}")

        results = await asyncio.gather(*(qa.pull_next(s, "mod") for s in ("talk-1", "talk-2", "talk-3") * 3))

        sessions = [result.question.session_id for result in results if result.question is not None]
        assert sorted(sessions) == sorted(["talk-1", "talk-2", "talk-3"] * 3)
        for session in ("talk-1", "talk-2", "talk-3"):
            assert (await qa.counts(session))[Status.ON_STAGE] == 1


async def test_a_pull_expecting_another_stage_is_refused_and_changes_nothing(qa: QAService) -> None:
    first = await ask(qa, "First?", user="u1")
    second = await ask(qa, "Second?", user="u2")
    await qa.pull_next("talk-1", "mod", expected_on_stage=0)
    with pytest.raises(StageMoved) as refused:
        await qa.pull_next("talk-1", "other-mod", expected_on_stage=0)
    assert refused.value.on_stage == first.id
    assert (await qa.get(first.id)).status is Status.ON_STAGE
    assert (await qa.get(second.id)).status is Status.QUEUED
    result = await qa.pull_next("talk-1", "other-mod", expected_on_stage=first.id)
    assert result.question is not None
    assert result.question.id == second.id
