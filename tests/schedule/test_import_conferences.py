"""Exports of real conferences in the shapes their tools write: FOSDEM's Pentabarf XML (devroom types, HTML
abstracts), rC3's pretalx JSON (types with durations and Q&A), and old Pentabarf files whose events sit directly
under their day. Instants are checked against the source, and so are kinds, Q&A, rooms and abstracts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.schedule.errors import ScheduleError
from bot.schedule.export import schedule_json, to_yaml
from bot.schedule.loader import Format, load_with_format
from bot.schedule.model import Kind, Schedule

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, **options: object) -> Schedule:
    schedule, _ = load_with_format(FIXTURES / name, **options)
    return schedule


def at(text: str) -> dt.datetime:
    """The instant an ISO date-time with its offset names, in UTC."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


def summary(schedule: Schedule) -> dict[str, tuple[Kind, bool, str | None]]:
    return {s.id: (s.kind, s.qa, s.room) for s in schedule.sessions}


# --- FOSDEM: Pentabarf XML with devroom types and HTML abstracts ---------------------------------------------

FOSDEM = "fosdem_pentabarf_devrooms.xml"


def test_fosdem_instants_are_those_of_each_date() -> None:
    assert {s.id: (s.start, s.end) for s in load(FOSDEM).sessions} == {
        "6712": (at("2025-02-01T10:00:00+01:00"), at("2025-02-01T10:25:00+01:00")),
        "5937": (at("2025-02-01T10:35:00+01:00"), at("2025-02-01T10:55:00+01:00")),
        "6091": (at("2025-02-01T10:35:00+01:00"), at("2025-02-01T11:05:00+01:00")),
        "6450": (at("2025-02-01T13:00:00+01:00"), at("2025-02-01T13:15:00+01:00")),
        "6800": (at("2025-02-02T17:00:00+01:00"), at("2025-02-02T17:50:00+01:00")),
    }


def test_fosdem_types_make_talks_with_q_and_a_whatever_the_titles_say() -> None:
    assert summary(load(FOSDEM)) == {
        "6712": (Kind.TALK, True, "Janson"),  # keynote, though its title welcomes
        "5937": (Kind.TALK, True, "H.1308 (Rolin)"),  # devroom: "Declarative Networking …" is no social
        "6091": (Kind.TALK, True, "K.4.401"),  # devroom: "Syd: An Introduction …" is no opening
        "6450": (Kind.CONTRIBUTED, True, "H.2215 (Ferrer)"),  # lightningtalk
        "6800": (Kind.TALK, True, "Janson"),  # maintrack
    }


def test_a_fosdem_html_abstract_reaches_discord_as_markdown_with_its_links() -> None:
    abstract = load(FOSDEM).session("5937").abstract
    assert abstract == (
        "Networking on **Guix System** and **NixOS** is still configured by hand more often than not. This talk "
        "shows a declarative approach.\n\n"
        "We walk through the *service graph*, the "
        "[networking setup](https://guix.gnu.org/manual/en/html_node/Networking-Setup.html) documentation and the "
        "[rest of the devroom](https://fosdem.org/2025/schedule/track/declarative-and-minimalistic-computing/).\n\n"
        "- static and DHCP addresses\n- WireGuard tunnels"
    )
    assert load(FOSDEM).session("6091").abstract == (
        "Syd is a `seccomp`-based application kernel for Linux. Its policies are written as plain text rules, and "
        "it runs unprivileged.\n\nThis talk introduces its design."
    )


def test_no_html_tag_survives_an_import() -> None:
    for session in load(FOSDEM).sessions:
        assert session.abstract is not None
        assert "<p>" not in session.abstract
        assert "</" not in session.abstract


def test_a_plain_text_abstract_among_html_ones_is_left_as_written() -> None:
    assert load(FOSDEM).session("6450").abstract == (
        'Emoji, grapheme clusters and why "len()" lies. Plain text, as some speakers write it: *stars* stay, '
        "snake_case too."
    )


def test_a_slides_attachment_is_linked() -> None:
    assert load(FOSDEM).session("5937").links.slides == (
        "https://fosdem.org/2025/events/attachments/fosdem-2025-5937-declarative-networking/slides/237465/"
        "declarative_networking.pdf"
    )


def test_a_kind_option_maps_devrooms_on_import() -> None:
    schedule = load(FOSDEM, kinds={"devroom": Kind.CONTRIBUTED})
    assert {s.id for s in schedule.sessions if s.kind is Kind.CONTRIBUTED} == {"5937", "6091", "6450"}


# --- rC3: pretalx JSON with types that carry durations and Q&A ------------------------------------------------

RC3 = "rc3_pretalx_types.json"


def test_rc3_instants_are_those_of_each_date() -> None:
    assert {s.id: (s.start, s.end) for s in load(RC3).sessions} == {
        "XDLU3M": (at("2020-12-27T11:00:00+01:00"), at("2020-12-27T11:40:00+01:00")),
        "HX3KLA": (at("2020-12-27T11:00:00+01:00"), at("2020-12-27T11:05:00+01:00")),
        "J3LQ8N": (at("2020-12-27T12:00:00+01:00"), at("2020-12-27T12:40:00+01:00")),
        "WQ8ZRN": (at("2020-12-27T12:00:00+01:00"), at("2020-12-27T14:00:00+01:00")),
        "PRW7HF": (at("2020-12-27T13:00:00+01:00"), at("2020-12-27T14:20:00+01:00")),
        "EM5TYU": (at("2020-12-27T15:00:00+01:00"), at("2020-12-27T16:00:00+01:00")),
        "KZ2PLM": (at("2020-12-27T17:00:00+01:00"), at("2020-12-27T18:00:00+01:00")),
        "VB6NQS": (at("2020-12-27T18:00:00+01:00"), at("2020-12-27T19:00:00+01:00")),
        "7QMCXT": (at("2020-12-28T00:30:00+01:00"), at("2020-12-28T01:15:00+01:00")),
    }


def test_rc3_types_decide_kind_and_q_and_a() -> None:
    assert summary(load(RC3)) == {
        "XDLU3M": (Kind.TALK, True, "rC1"),  # Talk 30 min + 10min Q&A ("Eröffnung" is a talk's title here)
        "HX3KLA": (Kind.CONTRIBUTED, True, "rC2"),  # Lightning Talk (5 min)
        "J3LQ8N": (Kind.TALK, True, "rC1"),  # Talk 30 min + 10min Q&A
        "WQ8ZRN": (Kind.OTHER, False, "rC2"),  # Workshop 2h
        "PRW7HF": (Kind.TALK, True, "rC1"),  # Talk 60 min + 20min Q&A
        "EM5TYU": (Kind.PANEL, True, "rC2"),  # Podiumsdiskussion
        "KZ2PLM": (Kind.BREAK, False, "rC2"),  # Meeting: the title "Coffee break" decides
        "VB6NQS": (Kind.OTHER, False, "rC2"),  # Meeting, and the title names no kind
        "7QMCXT": (Kind.TALK, False, "rC1"),  # Talk 40 min (no Q&A)
    }


def test_a_plain_text_pretalx_abstract_is_not_escaped_or_changed() -> None:
    assert load(RC3).session("J3LQ8N").abstract == (
        "Plain text, as pretalx stores it: *markdown* stays as written, snake_case too, and so does <3."
    )


def test_the_rc3_import_written_as_yaml_loads_to_the_same_schedule(tmp_path: Path) -> None:
    schedule = load(RC3)
    path = tmp_path / "rc3.yaml"
    path.write_text(to_yaml(schedule), encoding="utf-8")
    again, fmt = load_with_format(path)
    assert fmt is Format.YAML
    assert schedule_json(again)["sessions"] == schedule_json(schedule)["sessions"]


# --- old Pentabarf: events directly under their day, each naming its room -------------------------------------

PENTABARF = "pentabarf_events_under_day.xml"


def test_events_under_a_day_without_rooms_are_read() -> None:
    schedule = load(PENTABARF, timezone="Europe/Berlin")
    assert {s.id: (s.start, s.end) for s in schedule.sessions} == {
        "6573": (at("2014-12-27T11:00:00+01:00"), at("2014-12-27T11:30:00+01:00")),
        "6112": (at("2014-12-27T11:30:00+01:00"), at("2014-12-27T12:30:00+01:00")),
        "6441": (at("2014-12-27T12:45:00+01:00"), at("2014-12-27T13:00:00+01:00")),
        "6599": (at("2014-12-27T14:00:00+01:00"), at("2014-12-27T16:00:00+01:00")),
        "6600": (at("2014-12-27T16:00:00+01:00"), at("2014-12-27T16:30:00+01:00")),
        # 01:30 is before the day changes (04:00): the night after the 27th.
        "6601": (at("2014-12-28T01:30:00+01:00"), at("2014-12-28T02:30:00+01:00")),
        "6602": (at("2014-12-28T12:00:00+01:00"), at("2014-12-28T14:00:00+01:00")),
    }


def test_each_event_under_a_day_is_in_the_room_it_names() -> None:
    assert summary(load(PENTABARF, timezone="Europe/Berlin")) == {
        "6573": (Kind.TALK, True, "Saal 1"),  # lecture
        "6112": (Kind.TALK, True, "Saal 2"),
        "6441": (Kind.CONTRIBUTED, True, "Saal G"),  # lightning_talk
        "6599": (Kind.PANEL, True, "Saal 6"),  # podium
        "6600": (Kind.BREAK, False, None),  # no <room>: the main room; other, titled "Tea break"
        "6601": (Kind.OTHER, False, "Saal 1"),
        "6602": (Kind.OTHER, False, "Saal C.1"),  # workshop
    }


def test_a_pentabarf_text_abstract_keeps_its_decoded_characters() -> None:
    schedule = load(PENTABARF, timezone="Europe/Berlin")
    assert schedule.session("6112").abstract == (
        "Curves <3 cryptographers, and cryptographers <3 curves: this talk explains why."
    )


def test_a_room_less_pentabarf_file_still_needs_the_venue_zone() -> None:
    with pytest.raises(ScheduleError, match="has no 'time_zone_name'"):
        load(PENTABARF)


def test_events_under_the_day_and_under_its_rooms_are_all_read(tmp_path: Path) -> None:
    text = (FIXTURES / PENTABARF).read_text(encoding="utf-8")
    mixed = tmp_path / "mixed.xml"
    mixed.write_text(
        text.replace(
            '<day date="2014-12-28" index="2">',
            '<day date="2014-12-28" index="2">\n    <room name="Saal 1">\n      <event id="7001"><start>10:00</start>'
            "<duration>00:30</duration><title>Morning talk</title><type>lecture</type></event>\n    </room>",
        ),
        encoding="utf-8",
    )
    schedule, _ = load_with_format(mixed, timezone="Europe/Berlin")
    assert schedule.session("7001").room == "Saal 1"
    assert len(schedule.sessions) == 8
