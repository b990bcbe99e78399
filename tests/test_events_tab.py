"""The Events-tab plan on plain data: a rolling window of events for the next sessions under Discord's cap, and a
sync that stops creating, with one warning, when Discord takes no more."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.db import SqliteFile
from bot.events_tab import EventIds, digest, ended_between, event_spec, plan_events, sync_events
from bot.ports import EventSpec, EventsTabClosed, EventsTabError
from bot.schedule.model import Event, Kind, Schedule, Session

MORNING = dt.datetime(2031, 2, 1, 8, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def conference(count: int, *, rooms: int = 6, minutes: int = 30) -> Schedule:
    """``count`` talks from 08:00, ``rooms`` at a time, each ``minutes`` long, back to back."""
    sessions = []
    for n in range(count):
        start = MORNING + (n // rooms) * minutes * MINUTE
        sessions.append(
            Session(f"t{n:03d}", f"Talk {n}", Kind.TALK, start, start + minutes * MINUTE, room=f"Room {n % rooms}")
        )
    return Schedule(Event("Conference", ZoneInfo("Europe/Brussels")), tuple(sessions))


def made(schedule: Schedule, ids: list[str]) -> dict[str, tuple[int, str]]:
    """Events already made for ``ids``, showing what they should."""
    return {i: (1000 + n, digest(event_spec(schedule, schedule.session(i)))) for n, i in enumerate(ids)}


def ids_of(schedule: Schedule, first: int, last: int) -> list[str]:
    return [s.id for s in schedule.sessions[first:last]]


def test_a_conference_gets_events_for_its_next_sessions_only_up_to_the_limit() -> None:
    schedule = conference(300)
    plan = plan_events(schedule, MORNING - 60 * MINUTE, {}, limit=90)
    assert [c.session_id for c in plan.creates] == ids_of(schedule, 0, 90)  # nearest first
    assert (plan.waiting, plan.unchanged, plan.edits, plan.cancels) == (210, 0, [], [])


def test_places_freed_by_sessions_that_ended_go_to_the_next_ones() -> None:
    schedule = conference(300)
    known = made(schedule, ids_of(schedule, 0, 90))
    # 09:00: the first two slots (12 talks) are over; Discord ended their events.
    plan = plan_events(schedule, MORNING + 60 * MINUTE, known, limit=90)
    assert [c.session_id for c in plan.creates] == ids_of(schedule, 90, 102)
    assert (plan.unchanged, plan.waiting) == (78, 198)


def test_nothing_is_created_while_the_window_is_full() -> None:
    schedule = conference(300)
    plan = plan_events(schedule, MORNING + 10 * MINUTE, made(schedule, ids_of(schedule, 0, 90)), limit=90)
    assert (plan.creates, plan.unchanged, plan.waiting) == ([], 90, 210)


def test_an_event_made_for_a_later_session_is_kept_and_takes_its_place() -> None:
    schedule = conference(12)
    plan = plan_events(schedule, MORNING - MINUTE, made(schedule, ["t011"]), limit=3)
    assert [c.session_id for c in plan.creates] == ["t000", "t001"]
    assert (plan.cancels, plan.unchanged, plan.waiting) == ([], 1, 9)


def test_sessions_already_on_and_breaks_get_no_event_and_take_no_place() -> None:
    lunch = Session("lunch", "Lunch", Kind.BREAK, MORNING + 30 * MINUTE, MORNING + 90 * MINUTE)
    schedule = conference(12)
    schedule = Schedule(schedule.event, tuple(sorted((*schedule.sessions, lunch), key=lambda s: s.start)))
    plan = plan_events(schedule, MORNING + 10 * MINUTE, {}, limit=3)
    assert [c.session_id for c in plan.creates] == ["t006", "t007", "t008"]  # 08:00 is on: Discord refuses it


def test_a_removed_session_is_cancelled_first_and_frees_its_place() -> None:
    schedule = conference(6)
    known = made(schedule, ["t000", "t001"]) | {"gone": (999, "0" * 16)}
    plan = plan_events(schedule, MORNING - MINUTE, known, limit=3)
    assert [(c.session_id, c.event_id) for c in plan.cancels] == [("gone", 999)]
    assert [c.session_id for c in plan.creates] == ["t002"]


def test_a_changed_session_is_edited_and_one_that_is_on_keeps_its_start() -> None:
    schedule = conference(12)
    known = {i: (n, "stale") for n, i in enumerate(["t000", "t006"])}
    plan = plan_events(schedule, MORNING + 10 * MINUTE, known, limit=90)
    assert [(e.session_id, e.started) for e in plan.edits] == [("t000", True), ("t006", False)]
    assert plan.edits[1].spec == event_spec(schedule, schedule.session("t006"))


def test_a_limit_of_zero_makes_no_event() -> None:
    plan = plan_events(conference(12), MORNING - MINUTE, {}, limit=0)
    assert (plan.creates, plan.waiting) == ([], 12)


def test_the_window_moves_when_a_session_ended_since_the_last_sync() -> None:
    schedule = conference(12)  # slots end at 08:30 and 09:00
    assert not ended_between(schedule, MORNING, MORNING + 29 * MINUTE)
    assert ended_between(schedule, MORNING + 29 * MINUTE, MORNING + 30 * MINUTE)
    assert not ended_between(schedule, MORNING + 30 * MINUTE, MORNING + 59 * MINUTE)


class FakeTab:
    """An Events tab that takes ``room`` new events, then answers as Discord does at its cap."""

    def __init__(self, room: int = 1000, refused: frozenset[str] = frozenset()) -> None:
        self.room = room
        self.refused = refused
        self.calls: list[tuple[str, str]] = []

    def available(self) -> bool:
        return True

    async def create(self, spec: EventSpec) -> int:
        self.calls.append(("create", spec.name))
        if spec.name in self.refused:
            raise EventsTabError("400 Bad Request (error code: 50035): Invalid Form Body")
        if self.room == 0:
            raise EventsTabClosed("400 Bad Request (error code: 30038): Maximum number of uncompleted guild ...")
        self.room -= 1
        return len(self.calls)

    async def edit(self, event_id: int, spec: EventSpec, *, started: bool) -> None:
        self.calls.append(("edit", spec.name))

    async def cancel(self, event_id: int) -> None:
        self.calls.append(("cancel", str(event_id)))


@pytest.fixture
async def ids(tmp_path: Path) -> AsyncIterator[EventIds]:
    file = await SqliteFile.open(tmp_path / "chairbot.db")
    yield await EventIds.on(file)
    await file.close()


async def test_when_discord_takes_no_more_the_sync_stops_with_one_warning(
    ids: EventIds, caplog: pytest.LogCaptureFixture
) -> None:
    tab = FakeTab(room=5)
    with caplog.at_level(logging.WARNING, logger="bot.events_tab"):
        report = await sync_events(conference(300), MORNING - MINUTE, ids, tab, limit=90)
    assert len(tab.calls) == 6  # five made, the sixth refused, and no more asked for
    assert (report.created, report.failed, report.waiting) == (5, 0, 295)
    assert len(await ids.known()) == 5
    [warning] = caplog.records
    assert "30038" in warning.getMessage()
    assert "the next 85 wait for a later sync" in warning.getMessage()


async def test_a_session_refused_on_its_own_does_not_stop_the_others(ids: EventIds) -> None:
    tab = FakeTab(refused=frozenset({"Talk 1"}))
    report = await sync_events(conference(6), MORNING - MINUTE, ids, tab, limit=90)
    assert (report.created, report.failed) == (5, 1)


async def test_a_second_sync_changes_nothing_and_cancels_go_before_creates(ids: EventIds) -> None:
    schedule = conference(12)
    tab = FakeTab()
    first = await sync_events(schedule, MORNING - MINUTE, ids, tab, limit=6)
    assert (first.created, first.waiting) == (6, 6)
    again = await sync_events(schedule, MORNING - MINUTE, ids, tab, limit=6)
    assert (again.created, again.unchanged, len(tab.calls)) == (0, 6, 6)
    fewer = Schedule(schedule.event, schedule.sessions[1:])  # the first talk is dropped from the file
    tab.calls.clear()
    third = await sync_events(fewer, MORNING - MINUTE, ids, tab, limit=6)
    assert (third.cancelled, third.created) == (1, 1)
    assert [kind for kind, _ in tab.calls] == ["cancel", "create"]
    assert "5 unchanged, 5 later sessions wait for a place" in third.line()
