"""Which time slots get a digest in the announcement channel, and what it says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.announce.digest import digest_id, digest_posts, planned_digests, slot_at, slots
from bot.config import Settings, load_settings
from bot.schedule.loader import parse_schedule
from bot.schedule.model import Session

DAY = """
event: {name: Rooms, timezone: Europe/Vienna, date: 2031-02-01}
sessions:
  - {id: a, title: Talk A, start: "10:35", end: "11:00", room: Rolin, kind: talk}
  - {id: b, title: "Talk *B*", start: "10:35", end: "11:00", room: Janson, kind: talk}
  - {id: p, title: Posters, start: "10:35", end: "11:30", room: Hall, kind: poster}
  - {id: c, title: Talk C, start: "11:30", end: "12:00", room: Rolin, kind: talk}
  - {id: d, title: Talk D, start: "11:30", end: "12:00", room: K.1.105, kind: talk}
  - {id: e, title: Talk E, start: "12:30", end: "13:00", room: K.1.105, kind: talk}
  - {id: f, title: Talk F, start: "12:30", end: "13:00", room: K.2.105, kind: talk}
"""
ROOMS = {"Rolin": "rolin", "Janson": "janson"}


def routed(session: Session) -> bool:
    return session.room in ROOMS


def test_a_digest_for_each_shared_announcement_with_a_room_channel_among_them() -> None:
    schedule = parse_schedule(DAY, "rooms.yaml")
    found = slots(schedule, routed)
    assert [(s.minutes_before, [x.id for x in s.sessions]) for s in found] == [
        (10, ["b", "a"]),  # 10:25 "starting in 10 minutes": Janson, Rolin (by room); the poster session apart
        (0, ["b", "a"]),
        (10, ["d", "c"]),  # K.1.105 is unmapped, Rolin is not: the main channel still gets one post for both
        (0, ["d", "c"]),
    ]  # 12:30: two talks, neither in a room channel: each is posted in the main channel as before, no digest
    ids = [p.id for p in planned_digests(found)]
    assert ids[1] == "digest:start@2031-02-01T09:35:00Z"
    assert digest_id(found[1].at, 0) == ids[1]


def test_nothing_routed_no_digest() -> None:
    assert slots(parse_schedule(DAY, "rooms.yaml"), lambda session: False) == []


def test_cancelled_sessions_leave_the_slot() -> None:
    schedule = parse_schedule(DAY, "rooms.yaml")
    left = slots(schedule, routed, cancelled=frozenset({"b"}))
    # Talk A alone at 10:35: no digest then; the 11:30 slot stays.
    assert [[x.id for x in slot.sessions] for slot in left] == [["d", "c"], ["d", "c"]]


def test_the_slot_is_found_again_as_the_schedule_now_has_it() -> None:
    schedule = parse_schedule(DAY, "rooms.yaml")
    at = slots(schedule, routed)[1].at
    assert slot_at(schedule, routed, at, "start") is not None
    assert slot_at(schedule, routed, at + dt.timedelta(minutes=1), "start") is None


def test_the_digest_names_each_session_and_its_channel_with_titles_escaped() -> None:
    schedule = parse_schedule(DAY, "rooms.yaml")
    slot = slots(schedule, routed)[1]
    (post,) = digest_posts(slot, lambda s: f"#{ROOMS.get(s.room or '', 'announcements')}")
    start = int(slot.at.timestamp())
    assert post.content.splitlines() == [
        f"🔴 **<t:{start}:t> — 2 talks now live:**",
        "• **Talk \\*B\\*** (Janson) in #janson",
        "• **Talk A** (Rolin) in #rolin",
    ]


def test_rooms_map_to_channels_by_room_then_track_in_any_case() -> None:
    settings = Settings(
        discord_token=SecretStr("x"),
        guild_id=1,
        announce_channel="announcements",
        schedule="day.yaml",
        rooms={"H.1308 (Rolin)": "#rolin", "Security track": 1234},
    )
    assert settings.rooms == {"H.1308 (Rolin)": "rolin", "Security track": "1234"}
    assert settings.room_channel("h.1308 (rolin)") == "rolin"
    assert settings.room_channel("Janson", "SECURITY TRACK") == "1234"
    assert settings.room_channel("Janson") is None
    assert settings.room_channel(None) is None


def test_a_room_without_a_channel_is_refused_with_what_to_fix() -> None:
    with pytest.raises(ValidationError, match="needs both a room name and a channel"):
        Settings(
            discord_token=SecretStr("x"), guild_id=1, announce_channel="a", schedule="d.yaml", rooms={"Janson": "#"}
        )


def test_rooms_come_from_a_toml_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    config = tmp_path / "chairbot.toml"
    config.write_text(
        'guild_id = 1\nannounce_channel = "announcements"\nschedule = "day.yaml"\n\n'
        '[rooms]\n"H.1308 (Rolin)" = "#rolin"\nJanson = "janson"\n',
        encoding="utf-8",
    )
    assert load_settings(config).rooms == {"H.1308 (Rolin)": "rolin", "Janson": "janson"}
