"""The moderators' dashboard over HTTP: every action of ``/qa`` one POST away, each checked (sign-in, role, CSRF
token) before anything changes and logged with the member's id; two moderators at once never put two questions
on stage; and the live stream that keeps every moderator's page up to date."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest

from bot.qa.export import render_export
from bot.qa.model import Action, Status
from bot.web import live
from tests.web.moderation_site import MO, ZOE, Moderator, StaffedSite, staffed
from tests.web.test_live import next_event

__all__ = ["staffed"]  # the fixture

#: What a browser's EventSource asks for.
STREAM = {"Accept": "text/event-stream"}


async def ask(site: StaffedSite, text: str, author: str = "7", *, name: str = "Ann", review: bool = False) -> int:
    result = await site.chair.qa.ask("keynote", author, text, author_name=name, review=review)
    return result.question.id


async def statuses(site: StaffedSite) -> dict[int, Status]:
    return {q.id: q.status for q in await site.chair.qa.questions("keynote")}


# -- the token and the checks before anything changes --------------------------------------------------------------


async def test_a_post_without_the_form_token_changes_nothing(staffed: StaffedSite) -> None:
    q = await ask(staffed, "Anyone there?")
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    for token in ("", "0" * 64, zoe.csrf):  # none, made up, another moderator's
        for action, data in (("next", {}), ("hide", {"question": q}), ("close", {}), ("ban", {"question": q})):
            status, answer = await mo.post(f"/moderate/keynote/{action}", data, csrf=token)
            assert status == 403, (action, token, answer)
            assert answer["error"] == "csrf"
            assert "Nothing was changed" in answer["detail"]
    assert await statuses(staffed) == {q: Status.QUEUED}
    assert (await staffed.chair.qa.session_settings("keynote")).qa_open
    assert await staffed.chair.qa.bans() == []
    assert await staffed.chair.qa.moderation_log() == []


async def test_the_token_may_come_in_a_header(staffed: StaffedSite) -> None:
    await ask(staffed, "Header token?")
    mo = await staffed.sign_in(MO)
    async with mo.http.post(
        staffed.base + "/moderate/keynote/next",
        data={"previous": "answered"},
        headers={"X-CSRF-Token": mo.csrf, "Accept": "application/json"},
    ) as response:
        assert response.status == 200
        assert (await response.json())["ok"] is True


async def test_a_browser_without_the_token_gets_a_page_not_json(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    status, page = await mo.post("/moderate/keynote/close", {}, csrf="", as_json=False)
    assert status == 403
    assert "<h1>This form has expired</h1>" in page


async def test_an_action_without_a_sign_in_is_refused(staffed: StaffedSite) -> None:
    await ask(staffed, "Who goes there?")
    async with staffed.client().post(
        staffed.base + "/moderate/keynote/next", data={"csrf": "x"}, headers={"Accept": "application/json"}
    ) as response:
        assert response.status == 401
        assert (await response.json())["error"] == "not_signed_in"
    assert await staffed.chair.qa.moderation_log() == []


# -- every action, logged with who did it -------------------------------------------------------------------------


async def test_each_action_works_and_is_logged_with_the_member_id(staffed: StaffedSite) -> None:
    qa = staffed.chair.qa
    first = await ask(staffed, "First question?", "11")
    second = await ask(staffed, "Second question?", "12")
    mo = await staffed.sign_in(MO)

    async def do(action: str, **data: Any) -> str:
        status, answer = await mo.act(action, **data)
        assert status == 200, (action, answer)
        assert answer["ok"] is True
        return str(answer["message"])

    assert (await do("next")).startswith(f"On stage now: #{first} “First question?”")
    assert "marked answered" in await do("answered", question=first)
    assert "back in the queue" in await do("restore", question=first)
    assert "On stage now" in await do("stage", question=second)
    assert "dismissed" in await do("dismiss", question=first, reason="asked before")
    assert "hidden" in await do("hide", question=second, reason="spam")
    assert "back in the queue" in await do("restore", question=second)
    assert "closed" in await do("close")
    assert "open" in await do("open")
    assert "Pre-moderation is on" in await do("premoderation", enabled="on")
    pending = await ask(staffed, "Reviewed first?", "web:abc", name="Guest")
    assert (await qa.get(pending)).status is Status.PENDING_REVIEW
    assert "approved" in await do("approve", question=pending)
    assert "Pre-moderation is off" in await do("premoderation", enabled="off")
    assert await do("ban", question=pending, reason="abuse") == "Guest can no longer ask or vote."
    assert await do("unban", user="web:abc") == "web:abc may ask and vote again."
    assert await do("ban", user="12") == "12 can no longer ask or vote."

    log = list(reversed(await qa.moderation_log()))
    assert {entry.moderator_id for entry in log} == {MO.id}
    assert [entry.action for entry in log] == [
        Action.STAGE,
        Action.ANSWER,
        Action.RESTORE,
        Action.STAGE,
        Action.DISMISS,
        Action.HIDE,
        Action.RESTORE,
        Action.CLOSE,
        Action.OPEN,
        Action.PRE_MODERATION_ON,
        Action.APPROVE,
        Action.PRE_MODERATION_OFF,
        Action.BAN,
        Action.UNBAN,
        Action.BAN,
    ]
    assert log[4].reason == "asked before"
    assert log[12].user_id == "web:abc"
    assert await statuses(staffed) == {first: Status.DISMISSED, second: Status.QUEUED, pending: Status.QUEUED}


async def test_next_shows_the_question_where_the_sessions_qa_happens(staffed: StaffedSite) -> None:
    q = await ask(staffed, "Shown on the console?")
    mo = await staffed.sign_in(MO)
    await mo.act("next")
    console = staffed.chair.publisher
    assert console is not None
    printed = console.out.getvalue()  # type: ignore[attr-defined]
    assert "Shown on the console?" in printed
    assert (await staffed.chair.qa.get(q)).status is Status.ON_STAGE


async def test_a_plain_form_comes_back_to_the_dashboard(staffed: StaffedSite) -> None:
    await ask(staffed, "Without JavaScript?")
    mo = await staffed.sign_in(MO)
    async with mo.http.post(
        staffed.base + "/moderate/keynote/next", data={"csrf": mo.csrf, "previous": "answered"}, allow_redirects=False
    ) as response:
        assert response.status == 303
        assert response.headers["Location"] == "/moderate/keynote"
    status, page = await mo.page("/moderate/keynote")
    assert status == 200
    stage = page.split('id="stage"', 1)[1].split("</ol>", 1)[0]
    assert "Without JavaScript?" in stage


async def test_two_moderators_pressing_next_at_once_pull_two_different_questions(staffed: StaffedSite) -> None:
    first = await ask(staffed, "One?", "11")
    second = await ask(staffed, "Two?", "12")
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    answers = await asyncio.gather(mo.act("next"), zoe.act("next"))
    assert [status for status, _ in answers] == [200, 200]
    assert sorted(answer["on_stage"] for _, answer in answers) == [first, second]
    # The pulls were one after the other: the second took the first question off the stage.
    now = await statuses(staffed)
    assert sorted(now.values()) == sorted([Status.ON_STAGE, Status.ANSWERED])


async def test_two_nexts_at_once_on_one_question_pull_it_once(staffed: StaffedSite) -> None:
    only = await ask(staffed, "Only one?", "11")
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    answers = [answer for _, answer in await asyncio.gather(mo.act("next"), zoe.act("next"))]
    assert sorted(answers, key=lambda a: a["on_stage"] is None)[0]["on_stage"] == only
    (empty,) = [answer for answer in answers if answer["on_stage"] is None]
    assert "queue is empty" in empty["message"]
    assert list((await statuses(staffed)).values()).count(Status.ON_STAGE) <= 1


async def test_many_moderators_at_once_still_one_on_stage(staffed: StaffedSite) -> None:
    for n in range(5):
        await ask(staffed, f"Question number {n}?", str(100 + n))
    moderators = [await staffed.sign_in(MO) for _ in range(8)]
    answers = await asyncio.gather(*(m.act("next") for m in moderators))
    staged = [answer["on_stage"] for status, answer in answers if status == 200 and answer["on_stage"]]
    assert sorted(staged) == sorted(set(staged))
    assert len(staged) == 5
    assert [s for s in (await statuses(staffed)).values() if s is Status.ON_STAGE] == []  # the 6th emptied it


async def test_two_nexts_from_screens_showing_the_same_stage_move_it_on_once(staffed: StaffedSite) -> None:
    first = await ask(staffed, "First?", "11")
    await ask(staffed, "Second?", "12")
    await ask(staffed, "Third?", "13")
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    # Both screens show an empty stage; both press "next" at the same moment.
    answers = await asyncio.gather(mo.act("next", shown="0"), zoe.act("next", shown="0"))
    assert sorted(status for status, _ in answers) == [200, 409]
    (refused,) = [answer for status, answer in answers if status == 409]
    assert refused["detail"] == (
        f"The stage changed a moment ago (another moderator?): question #{first} is on stage now. Nothing was changed."
    )
    now = await statuses(staffed)
    assert list(now.values()).count(Status.ON_STAGE) == 1
    assert list(now.values()).count(Status.ANSWERED) == 0  # the first question was not skipped
    # The screen that saw the change moves on as asked.
    status, answer = await zoe.act("next", shown=str(first))
    assert status == 200
    assert answer["on_stage"] != first


async def test_a_next_naming_no_number_for_the_stage_is_a_bad_form(staffed: StaffedSite) -> None:
    await ask(staffed, "First?", "11")
    mo = await staffed.sign_in(MO)
    status, answer = await mo.act("next", shown="first")
    assert status == 400
    assert "by its number" in answer["detail"]
    assert Status.ON_STAGE not in (await statuses(staffed)).values()


# -- refusals are 4xx with a sentence ---------------------------------------------------------------------------


async def test_bad_requests_are_refused_plainly_never_with_a_500(staffed: StaffedSite) -> None:
    queued = await ask(staffed, "Queued question?")
    other = (await staffed.chair.qa.ask("panel", "8", "Panel question?", author_name="Bo")).question.id
    mo = await staffed.sign_in(MO)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("answered", {"question": "abc"}, 400, "does not name a question"),
        ("answered", {}, 400, "does not name a question"),
        ("answered", {"question": "99999"}, 400, "There is no question 99999"),
        ("answered", {"question": str(other)}, 400, "not one of this session's"),
        ("dismiss", {"question": str(queued)}, 400, "Write why"),
        ("dismiss", {"question": str(queued), "reason": "   "}, 400, "Write why"),
        ("approve", {"question": str(queued)}, 409, "cannot be approved"),
        ("restore", {"question": str(queued)}, 409, "cannot be restored"),
        ("next", {"previous": "exploded"}, 400, "answered or queued"),
        ("premoderation", {"enabled": "maybe"}, 400, "on or off"),
        ("ban", {}, 400, "names no asker"),
        ("ban", {"user": "x" * 101}, 400, "names no asker"),
        ("launch", {}, 404, "no such action"),
    ]
    for action, data, status, words in cases:
        got, answer = await mo.act(action, **data)
        assert got == status, (action, data, answer)
        assert words.lower() in answer["detail"].lower(), (action, answer)
        assert set(answer) == {"error", "detail"}
    got, answer = await mo.act("next", session_id="nope")
    assert got == 404
    assert "nope" in answer["detail"]
    assert await statuses(staffed) == {queued: Status.QUEUED}
    assert await staffed.chair.qa.moderation_log() == []


async def test_an_unknown_session_is_a_404_page(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    for path in ("/moderate/nope", "/moderate/nope/questions.md", "/moderate/keynote/questions.pdf"):
        status, page = await mo.page(path)
        assert status == 404, path
        assert "<h1>" in page


# -- what the dashboard shows -------------------------------------------------------------------------------------


async def test_the_dashboard_lists_the_queue_in_the_order_next_takes_it(staffed: StaffedSite) -> None:
    qa = staffed.chair.qa
    old = await ask(staffed, "Oldest, no votes?", "11")
    popular = await ask(staffed, "Popular one?", "12")
    await qa.vote(popular, "v1")
    await qa.vote(popular, "v2")
    review = await ask(staffed, "Waiting for review?", "web:xyz", name="Guest", review=True)
    secret = (await qa.ask("keynote", "13", "Anonymous one?", author_name="Shy", anonymous=True)).question.id
    mo = await staffed.sign_in(MO)
    _, page = await mo.page("/moderate/keynote")
    queue = page.split('id="queue"', 1)[1].split("</ol>", 1)[0]
    assert queue.index("Popular one?") < queue.index("Oldest, no votes?") < queue.index("Anonymous one?")
    assert f'data-id="{popular}"' in queue
    assert '<span data-field="votes">2</span>' in queue
    assert "just now" in queue
    assert "anonymous to attendees" in queue  # moderators see who asked, to ban an abusive asker
    pending = page.split('id="pending"', 1)[1].split("</ol>", 1)[0]
    assert "Waiting for review?" in pending
    assert "Guest" in pending
    assert f'name="question" value="{review}"' in pending
    # Each card offers what its status allows.
    assert "/moderate/keynote/approve" in pending
    assert "/moderate/keynote/stage" not in pending
    assert "/moderate/keynote/stage" in queue
    assert "/moderate/keynote/approve" not in queue
    assert {old, secret} < set(await statuses(staffed))


async def test_question_text_stays_text_on_the_dashboard(staffed: StaffedSite) -> None:
    await ask(staffed, "<img src=x onerror=alert(1)> & <script>alert(2)</script>", name="<b>Mallory</b>")
    mo = await staffed.sign_in(MO)
    _, page = await mo.page("/moderate/keynote")
    for raw in ("<img src=x", "<script>alert", "<b>Mallory"):
        assert raw not in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "Keynote &lt;script&gt;" in page  # the session's title too


async def test_the_sessions_taking_questions_now_are_listed(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    _, page = await mo.page("/moderate")
    now = page.split("Taking questions now", 1)[1].split("</section>", 1)[0]
    assert 'href="/moderate/keynote"' in now
    assert 'href="/moderate/panel"' not in now
    assert 'href="/moderate/panel"' in page  # further down, with every other session with Q&A


async def test_the_export_is_the_same_as_qa_export(staffed: StaffedSite) -> None:
    await ask(staffed, "=HYPERLINK(\"http://x\") exported?", "11")
    hidden = await ask(staffed, "Hidden one?", "12")
    await staffed.chair.qa.hide(hidden, "mod")
    mo = await staffed.sign_in(MO)
    questions = await staffed.chair.qa.questions(
        "keynote", (Status.QUEUED, Status.ON_STAGE, Status.ANSWERED, Status.DISMISSED, Status.PENDING_REVIEW)
    )
    for fmt, kind in (("md", "text/markdown"), ("csv", "text/csv")):
        async with mo.http.get(f"{staffed.base}/moderate/keynote/questions.{fmt}") as response:
            assert response.status == 200
            assert response.content_type == kind
            assert response.headers["Content-Disposition"] == f'attachment; filename="questions-keynote.{fmt}"'
            body = await response.text()
        assert body == render_export(questions, fmt, staffed.chair.schedule)
        assert "Hidden one?" not in body
    assert "'=HYPERLINK" in body  # the CSV's guard against spreadsheet formulas


# -- the live stream ----------------------------------------------------------------------------------------------


async def open_stream(moderator: Moderator, session_id: str = "keynote") -> aiohttp.ClientResponse:
    response = await moderator.http.get(f"{moderator.site.base}/live/moderate/{session_id}", headers=STREAM)
    assert response.status == 200
    return response


async def test_the_live_stream_is_for_signed_in_moderators_only(staffed: StaffedSite) -> None:
    async with staffed.client().get(staffed.base + "/live/moderate/keynote", headers=STREAM) as response:
        assert response.status == 401
        assert (await response.json())["error"] == "not_signed_in"
    mo = await staffed.sign_in(MO)
    staffed.roster.revoke(MO.id)
    async with mo.http.get(staffed.base + "/live/moderate/keynote", headers=STREAM) as response:
        assert response.status == 403
    staffed.roster.grant(MO)
    async with mo.http.get(staffed.base + "/live/moderate/nope", headers=STREAM) as response:
        assert response.status == 404


async def test_a_moderator_whose_role_is_taken_away_stops_receiving_the_queue(
    staffed: StaffedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "RECHECK_S", 0.1)
    mo = await staffed.sign_in(MO)
    stream = await open_stream(mo)
    try:
        name, _ = await next_event(stream)
        assert name == "moderate"
        staffed.roster.revoke(MO.id)
        # The stream ends by itself within a few checks: nothing more of the queue reaches this screen.
        rest = await asyncio.wait_for(stream.content.read(), 5)
        assert b"event: moderate" not in rest
    finally:
        stream.close()


async def test_what_one_moderator_does_reaches_the_other_within_a_second(staffed: StaffedSite) -> None:
    q = await ask(staffed, "Seen by both?", "web:k3")
    await ask(staffed, "Waiting for review?", "15", review=True)
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    stream = await open_stream(zoe)
    try:
        name, state = await next_event(stream)
        assert name == "moderate"
        assert [item["text"] for item in state["pending"]] == ["Waiting for review?"]
        assert state["queue"][0]["author_id"] == "web:k3"
        clicked = time.monotonic()
        await mo.act("next")
        _, state = await next_event(stream)
        assert time.monotonic() - clicked < 1.0
        assert state["stage"]["id"] == q
        assert state["log"][0]["who"] == "Mo Moderator"
        assert state["log"][0]["what"] == f"put #{q} “Seen by both?” on stage"
        # A ban belongs to no session, and still reaches the dashboard.
        await mo.act("ban", question=q, reason="spam")
        _, state = await next_event(stream)
        assert state["bans"] == [{"user_id": "web:k3", "name": "Ann", "by": "Mo Moderator", "reason": "spam"}]
        assert state["stage"]["banned"] is True
        assert state["log"][0]["what"] == "banned Ann from Q&A: spam"
    finally:
        stream.close()
