"""Moderation: the status changes a moderator expects, refusals for the others, and the log of who did what."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.qa import (
    Action,
    IllegalTransition,
    InvalidRequest,
    QAService,
    Question,
    QuestionNotFound,
    SessionSettings,
    Status,
)

from .conftest import START, ask, log_size, question_in, question_row, raw_rows

Act = Callable[[QAService, Question], Awaitable[object]]

ACTIONS: dict[str, Act] = {
    "approve": lambda qa, q: qa.approve(q.id, "mod"),
    "dismiss": lambda qa, q: qa.dismiss(q.id, "mod", "off topic"),
    "hide": lambda qa, q: qa.hide(q.id, "mod", "abusive"),
    "restore": lambda qa, q: qa.restore(q.id, "mod"),
    "mark_answered": lambda qa, q: qa.mark_answered(q.id, "mod"),
    "put_on_stage": lambda qa, q: qa.put_on_stage(q.id, "mod"),
    "move": lambda qa, q: qa.move(q.id, "mod", "talk-2"),
}

# The specification: from which statuses each action is allowed, and the status it leads to.
ALLOWED: dict[str, dict[Status, Status]] = {
    "approve": {Status.PENDING_REVIEW: Status.QUEUED},
    "dismiss": {s: Status.DISMISSED for s in (Status.PENDING_REVIEW, Status.QUEUED, Status.ON_STAGE)},
    "hide": {
        s: Status.HIDDEN
        for s in (Status.PENDING_REVIEW, Status.QUEUED, Status.ON_STAGE, Status.ANSWERED, Status.DISMISSED)
    },
    "restore": {s: Status.QUEUED for s in (Status.HIDDEN, Status.DISMISSED, Status.ANSWERED)},
    "mark_answered": {Status.QUEUED: Status.ANSWERED, Status.ON_STAGE: Status.ANSWERED},
    "put_on_stage": {Status.QUEUED: Status.ON_STAGE},
    "move": {Status.PENDING_REVIEW: Status.PENDING_REVIEW, Status.QUEUED: Status.QUEUED},
}

ALLOWED_CASES = [(action, before, after) for action, moves in ALLOWED.items() for before, after in moves.items()]
REFUSED_CASES = [(action, status) for action in ACTIONS for status in Status if status not in ALLOWED[action]]


@pytest.mark.parametrize(("action", "before", "after"), ALLOWED_CASES)
async def test_an_allowed_action_moves_the_question_to_its_new_status(
    qa: QAService, action: str, before: Status, after: Status
) -> None:
    question = await question_in(qa, before)

    await ACTIONS[action](qa, question)

    assert (await qa.get(question.id)).status is after


@pytest.mark.parametrize(("action", "status"), REFUSED_CASES)
async def test_an_illegal_action_is_refused_with_a_reason_and_changes_nothing(
    qa: QAService, db_path: Path, action: str, status: Status
) -> None:
    question = await question_in(qa, status)
    row_before, log_before = question_row(db_path, question.id), log_size(db_path)

    with pytest.raises(IllegalTransition, match=f"Question {question.id} is {status.value.replace('_', ' ')}"):
        await ACTIONS[action](qa, question)

    assert question_row(db_path, question.id) == row_before
    assert log_size(db_path) == log_before


async def test_an_action_on_a_missing_question_is_refused(qa: QAService) -> None:
    with pytest.raises(QuestionNotFound):
        await qa.approve(12345, "mod")


async def test_a_moderation_records_who_moderated_the_question_and_when(qa: QAService) -> None:
    question = await ask(qa)

    answered = await qa.mark_answered(question.id, "chair-7")

    assert (answered.moderated_by, answered.moderated_at) == ("chair-7", START)
    assert await qa.get(question.id) == answered


async def test_every_moderation_is_logged_with_moderator_action_question_reason_and_time(
    qa: QAService,
) -> None:
    question = await ask(qa)

    await qa.dismiss(question.id, "chair-7", "Off topic")

    [entry] = await qa.moderation_log()
    assert (
        entry.moderator_id,
        entry.action,
        entry.question_id,
        entry.session_id,
        entry.reason,
        entry.at,
    ) == (
        "chair-7",
        Action.DISMISS,
        question.id,
        "talk-1",
        "Off topic",
        START,
    )


async def test_dismissing_without_a_reason_is_refused(qa: QAService, db_path: Path) -> None:
    question = await ask(qa)

    with pytest.raises(InvalidRequest, match="reason"):
        await qa.dismiss(question.id, "mod", "  ")

    assert (await qa.get(question.id)).status is Status.QUEUED
    assert log_size(db_path) == 0


async def test_moving_keeps_the_votes_and_changes_the_session(qa: QAService) -> None:
    question = await ask(qa, user="author")
    await qa.vote(question.id, "fan")

    moved = await qa.move(question.id, "mod", "talk-2")

    assert (moved.session_id, moved.votes, moved.status) == ("talk-2", 1, Status.QUEUED)
    assert [entry.question.id for entry in await qa.queue("talk-2")] == [question.id]
    assert await qa.queue("talk-1") == []


async def test_moving_to_the_same_session_is_refused(qa: QAService) -> None:
    question = await ask(qa)

    with pytest.raises(InvalidRequest, match="already in session talk-1"):
        await qa.move(question.id, "mod", "talk-1")


async def test_a_move_is_logged_with_the_destination(qa: QAService) -> None:
    question = await ask(qa)

    await qa.move(question.id, "mod", "talk-2")

    [entry] = await qa.moderation_log()
    assert (entry.action, entry.session_id, entry.reason) == (Action.MOVE, "talk-1", "to session talk-2")


async def test_a_hidden_question_leaves_the_queue(qa: QAService) -> None:
    question = await ask(qa)

    await qa.hide(question.id, "mod", "abuse")

    assert await qa.queue("talk-1") == []


async def test_approving_puts_a_pending_question_in_the_queue(qa: QAService) -> None:
    question = await question_in(qa, Status.PENDING_REVIEW)

    await qa.approve(question.id, "mod")

    assert [entry.question.id for entry in await qa.queue("talk-1")] == [question.id]
    assert await qa.pending_review("talk-1") == []


async def test_ban_is_logged_and_listed(qa: QAService) -> None:
    assert await qa.ban("troll", "mod", "spam")

    [ban] = await qa.bans()
    assert (ban.user_id, ban.banned_by, ban.reason, ban.banned_at) == ("troll", "mod", "spam", START)
    [entry] = await qa.moderation_log()
    assert (entry.action, entry.user_id, entry.reason) == (Action.BAN, "troll", "spam")


async def test_banning_twice_changes_nothing_the_second_time(qa: QAService, db_path: Path) -> None:
    await qa.ban("troll", "mod")

    assert not await qa.ban("troll", "mod")
    assert log_size(db_path) == 1


async def test_unban_lets_the_user_ask_again(qa: QAService) -> None:
    await qa.ban("u1", "mod")

    assert await qa.unban("u1", "mod")

    assert (await ask(qa, user="u1")).status is Status.QUEUED
    assert [entry.action for entry in await qa.moderation_log()] == [Action.UNBAN, Action.BAN]


async def test_unbanning_someone_not_banned_changes_nothing(qa: QAService, db_path: Path) -> None:
    assert not await qa.unban("nobody", "mod")
    assert log_size(db_path) == 0


async def test_a_session_is_open_without_pre_moderation_until_configured(qa: QAService) -> None:
    assert await qa.session_settings("talk-9") == SessionSettings("talk-9", qa_open=True, pre_moderation=False)


async def test_closing_and_pre_moderation_are_stored_per_session(qa: QAService) -> None:
    await qa.close_session("talk-1", "mod")
    await qa.set_pre_moderation("talk-2", "mod", True)

    assert await qa.session_settings("talk-1") == SessionSettings("talk-1", qa_open=False, pre_moderation=False)
    assert await qa.session_settings("talk-2") == SessionSettings("talk-2", qa_open=True, pre_moderation=True)


async def test_session_changes_are_logged_but_repeating_one_is_not(qa: QAService) -> None:
    await qa.close_session("talk-1", "mod")
    await qa.close_session("talk-1", "mod")
    await qa.set_pre_moderation("talk-1", "mod", True)

    log = await qa.moderation_log("talk-1")
    assert [entry.action for entry in log] == [Action.PRE_MODERATION_ON, Action.CLOSE]


async def test_counts_cover_every_status(qa: QAService) -> None:
    for status in Status:
        await question_in(qa, status)

    assert await qa.counts() == dict.fromkeys(Status, 1)


async def test_counts_can_be_limited_to_one_session(qa: QAService) -> None:
    await ask(qa, "In talk one?", session="talk-1")
    await ask(qa, "In talk two?", session="talk-2")

    counts = await qa.counts("talk-2")

    assert counts[Status.QUEUED] == 1
    assert sum(counts.values()) == 1


async def test_the_moderation_log_can_be_limited_to_one_session(qa: QAService) -> None:
    first = await ask(qa, "In talk one?", session="talk-1")
    second = await ask(qa, "In talk two?", session="talk-2")
    await qa.hide(first.id, "mod")
    await qa.hide(second.id, "mod")

    assert [entry.question_id for entry in await qa.moderation_log("talk-2")] == [second.id]


async def test_every_status_change_is_committed_as_the_coroutine_returns(qa: QAService, db_path: Path) -> None:
    question = await ask(qa)

    await qa.hide(question.id, "mod")

    assert raw_rows(db_path, "SELECT status FROM qa_questions WHERE id = ?", (question.id,)) == [("hidden",)]
