"""A conference-size schedule through the real bot and the emulator: 1,000 sessions in 60 rooms over two days
(:func:`bench.conference_day.conference`), each room in its own channel, Discord's limit of 5 messages per channel
in any 5 s on, and one clock shared by the bot and Discord that the test moves as a rehearsal does: from one due
instant to the next, the posts due there made through the real announcer, and at every session's end the
Events tab brought up to date, as the bot's keeper does within a second of it on the day.

Checked, over both days: every session's posts in its room's channel (its "Q&A closed" note in the Q&A thread
opened there) and none in another room's; one digest in the main channel at every shared start time the plan
has; no channel asked for more than 5 posts in any 5 s; at most 90 events in the Events tab at any moment and
no event refused; and 2,000 members' reminders for the most popular talk sent at the configured pace, each once,
the few members with closed direct messages told once in the talk's channel instead, none lost.

The whole schedule is played, nothing reduced; the test takes about 3 minutes (175 s), most of it Discord's pace
rather than the bot's work: the main channel gets 125 messages (101 digests, some in two parts), at most 5 in 5 s
(over two minutes of waiting), and the 2,000 reminders go out at 50 a second (40 s) while the clock waits before
the popular talk's start, when nothing else can be posted.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench.conference_day import conference
from bot.announce.digest import DIGEST, digest_id, slots
from bot.announce.outbox import Item, Status
from bot.announce.reminders import REMINDER_KIND
from bot.announce.sessions import QA_CLOSE, SESSION_KIND
from bot.events_tab import ended_between
from bot.schedule.model import Kind, Session
from tests.clocks import HandClock
from tests.emulator.model import Channel
from tests.on_discord.conftest import Event, running_event

BRUSSELS = ZoneInfo("Europe/Brussels")
SESSIONS, ROOMS = 1000, 60
MEMBERS, CLOSED_EVERY = 2000, 400  # every 400th member has closed direct messages: 5 of them
PACE = 50.0  # reminders a second
EVENTS_MAX = 90
TITLE = re.compile(r"\*\*((?:Talk|Break|Poster) \d+: on \w+)\*\*")
DIGEST_HEAD = re.compile(r"^(?:⏰|🔴) \*\*<t:(\d+):t> — \d+ \w+ (now live|starting <t:\d+:R>):\*\*$")


def venue(day: int, hh_mm: str) -> dt.datetime:
    hours, minutes = (int(part) for part in hh_mm.split(":"))
    return dt.datetime(2031, 2, day, hours, minutes, tzinfo=BRUSSELS).astimezone(dt.UTC)


def channel_named(day: Event, name: str) -> Channel:
    return next(c for c in day.emu.guild.channels.values() if c.name == name)


def most_within(times: list[float], seconds: float) -> int:
    """The most of ``times`` (sorted) within any ``seconds``."""
    return max((bisect.bisect_left(times, at + seconds) - n for n, at in enumerate(times)), default=0)


async def play(day: Event, clock: HandClock, popular: Session) -> None:
    """Step the shared clock through both days: to each instant at which a post is due or a session ends, make the
    posts due there (as ``chairbot rehearse`` does), then sync the Events tab when a session has ended since the
    last sync. The clock does not pass the popular talk's start before its reminders are out (on the day they
    would be: 2,000 at 50 a second take 40 s of the 10 minutes they have)."""
    chair, emu = day.chair, day.emu
    outbox, announcer = chair.outbox, chair.announcer
    assert outbox is not None
    assert announcer is not None
    direct = announcer.direct
    assert direct is not None
    ends = sorted({s.end for s in chair.schedule.sessions if s.kind is not Kind.BREAK})
    synced = clock.now
    reminders_out = False
    while True:
        later = [item.due_at for item in await outbox.pending() if item.due_at > clock.now]
        after = bisect.bisect_right(ends, clock.now)
        if after < len(ends):
            later.append(ends[after])
        if not later:
            break
        instant = min(later)
        if instant >= popular.start and not reminders_out:
            await emu.wait_until(lambda: not direct.busy(), timeout=MEMBERS / PACE + 60, what="reminders")
            reminders_out = True
        clock.now = instant
        await announcer.post_due(instant)
        if ended_between(chair.schedule, synced, instant):
            await chair.sync_events()
            synced = instant
    await emu.wait_until(lambda: not announcer.busy(), timeout=30, what="the last posts")


@pytest.mark.slow
async def test_a_conference_of_a_thousand_sessions_in_sixty_rooms_over_two_days(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text, rooms = conference(SESSIONS, ROOMS)
    clock = HandClock(venue(1, "08:00"))
    caplog.set_level(logging.WARNING)
    async with running_event(
        tmp_path,
        clock,
        schedule=text,
        qa_channel=None,
        rooms=rooms,
        discord_clock=clock,
        reminders_per_second=PACE,
        events_tab_max=EVENTS_MAX,
    ) as day:
        emu, chair = day.emu, day.chair
        schedule = chair.schedule
        assert len(schedule.sessions) == SESSIONS
        assert len({s.room for s in schedule.sessions}) == ROOMS
        room_channel = {room: channel_named(day, name) for room, name in rooms.items()}
        main = day.announcements

        # The most popular talk: the first talk after 10:00 on the first day; 2,000 members set its reminder.
        popular = next(s for s in schedule.sessions if s.kind is Kind.TALK and s.start >= venue(1, "10:00"))
        members = emu.add_members(MEMBERS)
        closed = members[::CLOSED_EVERY]
        for member in closed:
            emu.set_accepts_dms(member, False)
        for member in members:
            await chair.toggle_reminder(popular, str(member.id))

        await play(day, clock, popular)

        outbox = chair.outbox
        assert outbox is not None
        items = await outbox.items()
        by_kind: dict[str, list[Item]] = {}
        for item in items:
            by_kind.setdefault(item.kind, []).append(item)

        # -- every room's posts in its channel, and only there ----------------------------------------------
        sessions = by_kind[SESSION_KIND]
        assert Counter(i.status for i in sessions) == {Status.SENT: len(sessions)}
        assert not any(i.late for i in sessions)
        for item in sessions:
            session = schedule.session(item.session_id or "")
            channel = room_channel[session.room or ""]
            landed = emu.world.channel(emu.message(item.message_id or 0).channel_id)
            if item.action == QA_CLOSE:
                assert landed.parent_id == channel.id, item.id  # the Q&A thread opened in the room's channel
            else:
                assert landed.id == channel.id, item.id
        titles = {room: {s.title for s in schedule.sessions if s.room == room} for room in rooms}
        for room, channel in room_channel.items():
            named = {t for m in emu.messages_in(channel) for t in TITLE.findall(m.content)}
            assert named <= titles[room], f"{channel.name} names other rooms' sessions: {named - titles[room]}"
            talks = {f"Q&A: {s.title}" for s in schedule.sessions if s.room == room and s.qa}
            assert sorted(t.name for t in emu.threads_in(channel)) == sorted(talks)

        # -- a digest in the main channel at every shared start time ------------------------------------------
        shared = slots(schedule, lambda s: chair.channel_for(s) is not None)
        assert len(shared) > 50
        digests = {i.id: i for i in by_kind[DIGEST]}
        assert sorted(digests) == sorted(digest_id(slot.at, slot.minutes_before) for slot in shared)
        for slot in shared:
            item = digests[digest_id(slot.at, slot.minutes_before)]
            assert item.status is Status.SENT
            assert not item.late
            assert emu.message(item.message_id or 0).channel_id == main.id
        lines = [line for m in emu.messages_in(main) for line in m.content.splitlines()]
        heads = [DIGEST_HEAD.fullmatch(line) for line in lines if not line.startswith("• ")]
        assert all(heads), "the main channel holds only digests"
        assert [(int(h[1]), h[2] == "now live") for h in heads if h] == [
            (int(slot.sessions[0].start.timestamp()), slot.minutes_before == 0) for slot in shared
        ]
        assert sum(line.startswith("• ") for line in lines) == sum(len(slot.sessions) for slot in shared)

        # -- Discord's pace in every channel: never asked for more than 5 posts in 5 s ---------------------------
        creates = emu.requests_matching("POST", r"/channels/\d+/messages")
        assert [r.status for r in creates if r.status == 429] == []  # the bot never asked too early
        assert emu.most_posts_within(5.0) <= 5
        asked: dict[str, list[float]] = {}
        for request in creates:
            asked.setdefault(request.path, []).append(request.at)
        assert max(most_within(times, 5.0) for times in asked.values()) <= 5

        # -- the Events tab: a window of at most 90, none refused ----------------------------------------------
        assert emu.most_uncompleted_events() == EVENTS_MAX
        made = emu.requests_matching("POST", r"/guilds/\d+/scheduled-events")
        assert [r.status for r in made if r.status != 200] == []
        shown = Counter(e.name for e in emu.scheduled_events())
        assert max(shown.values()) == 1  # never made twice
        # The window slid in time: every session but the breaks had its event before it began.
        assert set(shown) == {s.title for s in schedule.sessions if s.kind is not Kind.BREAK}

        # -- the popular talk's reminders: paced, each once, none lost --------------------------------------
        reminders = by_kind[REMINDER_KIND]
        assert len(reminders) == MEMBERS
        assert Counter(i.status for i in reminders) == {Status.SENT: MEMBERS - len(closed), Status.FAILED: len(closed)}
        assert {i.created_by for i in reminders if i.status is Status.FAILED} == {str(m.id) for m in closed}
        closed_ids = {m.id for m in closed}
        for member in members:
            dms = emu.dms_to(member)
            if member.id in closed_ids:
                assert dms == []
            else:
                assert len(dms) == 1, member.user.username
                assert popular.title in dms[0].content
        popular_room = room_channel[popular.room or ""]
        told = [m.content for m in emu.messages_in(popular_room) if "could not send you the reminder" in m.content]
        assert sorted(told) == sorted(
            f"<@{m.id}> I could not send you the reminder for **{popular.title}**: your direct messages are closed. "
            "To get reminders, allow direct messages from this server's members (Privacy Settings) and set the "
            "reminder again."
            for m in closed
        )
        opened = sorted(r.at for r in emu.requests_matching("POST", r"/users/@me/channels"))
        assert len(opened) == MEMBERS
        assert most_within(opened, 1.0) <= PACE * 1.1  # 50 a second, give or take the loop's jitter
        assert opened[-1] - opened[0] >= (MEMBERS - 1) / PACE * 0.95

        assert [r.getMessage() for r in caplog.records if r.name.startswith("bot")] == []
