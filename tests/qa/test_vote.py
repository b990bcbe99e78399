"""Voting and taking a vote back: one vote per user per question, only while the question is live."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.qa import NotVotable, OwnQuestionVote, QAService, QuestionNotFound, Status, UserBanned

from .conftest import ask, question_in, question_row, raw_rows


async def test_a_vote_counts_once(qa: QAService) -> None:
    question = await ask(qa, user="author")

    result = await qa.vote(question.id, "fan")

    assert (result.votes, result.changed) == (1, True)
    assert (await qa.get(question.id)).votes == 1


async def test_voting_twice_is_not_an_error_and_counts_once(qa: QAService, db_path: Path) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")

    again = await qa.vote(question.id, "fan")

    assert (again.votes, again.changed) == (1, False)
    assert raw_rows(db_path, "SELECT count(*) FROM qa_votes") == [(1,)]


async def test_votes_from_different_users_add_up(qa: QAService) -> None:
    question = await ask(qa, user="author")

    for voter in ("a", "b", "c"):
        await qa.vote(question.id, voter)

    assert (await qa.get(question.id)).votes == 3


async def test_unvote_takes_the_vote_back(qa: QAService) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")

    result = await qa.unvote(question.id, "fan")

    assert (result.votes, result.changed) == (0, True)
    assert (await qa.get(question.id)).votes == 0


async def test_unvote_without_a_vote_is_not_an_error_and_changes_nothing(qa: QAService) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")

    result = await qa.unvote(question.id, "someone-else")

    assert (result.votes, result.changed) == (1, False)


async def test_a_question_on_stage_can_still_be_voted_for(qa: QAService) -> None:
    question = await question_in(qa, Status.ON_STAGE)

    assert (await qa.vote(question.id, "fan")).votes == 1


@pytest.mark.parametrize("status", [Status.PENDING_REVIEW, Status.ANSWERED, Status.DISMISSED, Status.HIDDEN])
async def test_voting_on_a_question_that_is_not_live_is_refused_and_changes_nothing(
    qa: QAService, db_path: Path, status: Status
) -> None:
    question = await question_in(qa, status)
    before = question_row(db_path, question.id)

    with pytest.raises(NotVotable, match="no longer open for votes"):
        await qa.vote(question.id, "fan")

    assert question_row(db_path, question.id) == before
    assert raw_rows(db_path, "SELECT count(*) FROM qa_votes") == [(0,)]


async def test_unvoting_on_a_question_that_is_not_live_is_refused(qa: QAService) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")
    await qa.mark_answered(question.id, "mod")

    with pytest.raises(NotVotable):
        await qa.unvote(question.id, "fan")

    assert (await qa.get(question.id)).votes == 1


async def test_voting_for_your_own_question_is_refused(qa: QAService) -> None:
    question = await ask(qa, user="author")

    with pytest.raises(OwnQuestionVote):
        await qa.vote(question.id, "author")

    assert (await qa.get(question.id)).votes == 0


async def test_a_banned_user_cannot_vote(qa: QAService) -> None:
    question = await ask(qa, user="author")
    await qa.ban("troll", "mod")

    with pytest.raises(UserBanned):
        await qa.vote(question.id, "troll")


async def test_voting_on_a_question_that_does_not_exist_is_refused(qa: QAService) -> None:
    with pytest.raises(QuestionNotFound, match=r"^There is no question 404\.$"):
        await qa.vote(404, "fan")


async def test_votes_move_a_question_up_the_queue(qa: QAService) -> None:
    first = await ask(qa, "Asked first?", user="u1")
    second = await ask(qa, "Asked second?", user="u2")

    await qa.vote(second.id, "fan")

    assert [entry.question.id for entry in await qa.queue("talk-1")] == [second.id, first.id]
    assert [entry.rank for entry in await qa.queue("talk-1")] == [1, 2]


async def test_toggling_votes_then_takes_the_vote_back(qa: QAService, db_path: Path) -> None:
    question = await ask(qa, user="author")

    first = await qa.toggle_vote(question.id, "fan")
    second = await qa.toggle_vote(question.id, "fan")
    third = await qa.toggle_vote(question.id, "fan")

    assert [(r.votes, r.voted, r.changed) for r in (first, second, third)] == [
        (1, True, True),
        (0, False, True),
        (1, True, True),
    ]
    assert raw_rows(db_path, "SELECT voter_id FROM qa_votes") == [("fan",)]
    assert (await qa.get(question.id)).votes == 1


async def test_clicks_toggled_at_once_by_many_users_leave_consistent_counts(qa: QAService, db_path: Path) -> None:
    question = await ask(qa, user="author")
    # Every user clicks three times, all in the same batches: an odd number of clicks leaves one vote each.
    clicks = [qa.toggle_vote(question.id, f"fan{n}") for _ in range(3) for n in range(40)]

    await asyncio.gather(*clicks)

    assert (await qa.get(question.id)).votes == 40
    assert raw_rows(db_path, "SELECT count(*) FROM qa_votes") == [(40,)]


@pytest.mark.parametrize(
    ("setup", "error"),
    [("banned", UserBanned), ("own", OwnQuestionVote), ("answered", NotVotable), ("missing", QuestionNotFound)],
)
async def test_toggling_follows_the_voting_rules(
    qa: QAService, db_path: Path, setup: str, error: type[Exception]
) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")
    voter, question_id = "fan", question.id
    if setup == "banned":
        await qa.ban("fan", "mod")
    elif setup == "own":
        voter = "author"
    elif setup == "answered":
        await qa.mark_answered(question.id, "mod")
    else:
        question_id = 404

    with pytest.raises(error):
        await qa.toggle_vote(question_id, voter)

    assert raw_rows(db_path, "SELECT question_id, voter_id FROM qa_votes") == [(question.id, "fan")]
    assert (await qa.get(question.id)).votes == 1
