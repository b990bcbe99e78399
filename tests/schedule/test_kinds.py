"""Kinds from the source: session types as real exporters write them, the organizer's mapping (``kinds:`` in a
native file), and titles read only by whole phrases."""

from __future__ import annotations

import pytest

from bot.schedule.errors import ScheduleError
from bot.schedule.kinds import KIND_ALIASES, TypeReading, infer_kind, kind_map, read_type
from bot.schedule.loader import parse_schedule
from bot.schedule.model import Kind

# --- session types --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_name", "kind"),
    [
        # frab's fixed list
        ("lecture", Kind.TALK),
        ("workshop", Kind.OTHER),
        ("podium", Kind.PANEL),
        ("lightning_talk", Kind.CONTRIBUTED),
        ("film", Kind.SOCIAL),
        ("concert", Kind.SOCIAL),
        ("djset", Kind.SOCIAL),
        ("performance", Kind.SOCIAL),
        # Pentabarf / FOSDEM
        ("devroom", Kind.TALK),
        ("maintrack", Kind.TALK),
        ("keynote", Kind.TALK),
        ("lightningtalk", Kind.CONTRIBUTED),
        # c3voc schedule version 2
        ("talk", Kind.TALK),
        ("hands-on", Kind.OTHER),
        ("discussion", Kind.PANEL),
        ("game", Kind.SOCIAL),
        # pretalx: free text, as organizers name their submission types
        ("Talk", Kind.TALK),
        ("TALK", Kind.TALK),
        ("Talks", Kind.TALK),
        ("Keynotes", Kind.TALK),
        ("Long Talk (45min)", Kind.TALK),
        ("Talk 30 min + 10min Q&A", Kind.TALK),
        ("Talk 60 min + 20min Q&A", Kind.TALK),
        ("Talk 20+5", Kind.TALK),
        ("Vortrag", Kind.TALK),
        ("Tutorial", Kind.TALK),
        ("Lightning Talk", Kind.CONTRIBUTED),
        ("Lightning Talks", Kind.CONTRIBUTED),
        ("Lightning Talk (5 min)", Kind.CONTRIBUTED),
        ("lightning-talk", Kind.CONTRIBUTED),
        ("Short Talk", Kind.CONTRIBUTED),
        ("Spotlight", Kind.CONTRIBUTED),
        ("Panel", Kind.PANEL),
        ("Panels", Kind.PANEL),
        ("Podium Discussion", Kind.PANEL),
        ("Podiumsdiskussion", Kind.PANEL),
        ("Poster", Kind.POSTER),
        ("Posters", Kind.POSTER),
        ("Poster Session", Kind.POSTER),
        ("Workshop 2h", Kind.OTHER),
        ("Workshop (90 minutes)", Kind.OTHER),
        ("Workshops", Kind.OTHER),
        ("Break", Kind.BREAK),
        ("Pause", Kind.BREAK),
        ("Coffee Break", Kind.BREAK),
        ("Lunch", Kind.BREAK),
        ("Opening", Kind.OPENING),
        ("Social Event", Kind.SOCIAL),
    ],
)
def test_types_as_exporters_write_them_map_to_kinds(type_name: str, kind: Kind) -> None:
    assert read_type(type_name).kind is kind


@pytest.mark.parametrize("type_name", ["other", "Other", "meeting", "Meeting", "Meetup", "BoF", "", "Karaoke", None, 3])
def test_a_type_written_for_any_slot_or_unknown_names_no_kind(type_name: object) -> None:
    assert read_type(type_name) == TypeReading(None)


@pytest.mark.parametrize(
    ("type_name", "reading"),
    [
        ("Talk 30 min + 10min Q&A", TypeReading(Kind.TALK, qa=True)),
        ("Talk 20 min + 5 min Q & A", TypeReading(Kind.TALK, qa=True)),
        ("Talk incl. Q&A", TypeReading(Kind.TALK, qa=True)),
        ("Workshop + Q&A", TypeReading(Kind.OTHER, qa=True)),
        ("Talk 40 min (no Q&A)", TypeReading(Kind.TALK, qa=False)),
        ("Talk without Q&A", TypeReading(Kind.TALK, qa=False)),
        ("Talk (30 min)", TypeReading(Kind.TALK, qa=None)),
    ],
)
def test_a_q_and_a_note_in_the_type_says_whether_the_slot_has_q_and_a(type_name: str, reading: TypeReading) -> None:
    assert read_type(type_name) == reading


def test_the_organizers_mapping_wins_over_the_table() -> None:
    mapping = kind_map({"devroom": "contributed", "Workshop": "talk", "other": "social"})
    assert read_type("devroom", mapping).kind is Kind.CONTRIBUTED
    assert read_type("workshops", mapping).kind is Kind.TALK
    assert read_type("Workshop 2h", mapping).kind is Kind.TALK
    assert read_type("Other", mapping).kind is Kind.SOCIAL
    assert read_type("lecture", mapping).kind is Kind.TALK  # not mapped: the table still reads it


def test_a_mapping_can_name_a_type_exactly_as_written() -> None:
    mapping = kind_map({"Talk 30 min + 10min Q&A": "panel"})
    assert read_type("talk 30 min + 10min q&a", mapping) == TypeReading(Kind.PANEL, qa=True)
    assert read_type("Talk 20 min + 5min Q&A", mapping).kind is Kind.TALK


@pytest.mark.parametrize(
    ("raw", "fragments"),
    [
        ({"devroom": "tlak"}, ["'devroom'", "unknown kind 'tlak'", "opening, talk, contributed, poster, panel"]),
        ({"  ": "talk"}, ["empty type"]),
    ],
)
def test_a_mapping_to_no_kind_is_refused_naming_the_kinds(raw: dict[str, str], fragments: list[str]) -> None:
    with pytest.raises(ValueError) as caught:  # noqa: PT011 (the fragments are checked below)
        kind_map(raw)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_the_words_a_native_file_may_use_are_types_too() -> None:
    for word, kind in KIND_ALIASES.items():
        assert read_type(word).kind is kind


# --- titles, the last resort ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Declarative Networking in Declarative World",
        "Syd: An Introduction to Secure Application Sandboxing",
        "A Social Network Analysis of Code Review",
        "Breaks and Continuations in Rust",
        "Opening the Black Box of Compilers",
        "Lunch-time Hacking on Embedded Rust",
        "Introduction to eBPF",
        "Talking to Machines",
        "Posterior Sampling for Everyone",
        "Closing remarks",
        "Early Career Mentoring",
        "Hacker Jeopardy",
    ],
)
def test_one_common_word_in_a_title_names_no_kind(title: str) -> None:
    assert infer_kind(title) is Kind.OTHER


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Opening remarks", Kind.OPENING),
        ("Welcome and opening", Kind.OPENING),
        ("Introduction and opening remarks", Kind.OPENING),
        ("38C3: Opening Ceremony", Kind.OPENING),
        ("Coffee break", Kind.BREAK),
        ("Coffee Break (first 02:30)", Kind.BREAK),
        ("*Break*", Kind.BREAK),
        ("☕ Afternoon coffee", Kind.BREAK),
        ("Lunch", Kind.BREAK),
        ("Registration and coffee", Kind.BREAK),
        ("Poster session", Kind.POSTER),
        ("Poster Session 2 (Hall A)", Kind.POSTER),
        ("Coffee break & posters", Kind.POSTER),
        ("Invited Talk 3", Kind.TALK),
        ("Invited Talk 3: Robust learning", Kind.TALK),
        ("Keynote by Jane Doe", Kind.TALK),
        ("Contributed Talks", Kind.CONTRIBUTED),
        ("Spotlight presentations (6 × 10 min)", Kind.CONTRIBUTED),
        ("Panel Discussion", Kind.PANEL),
        ("Panel: open problems in evaluation", Kind.PANEL),
        ("Workshop dinner", Kind.SOCIAL),
        ("Welcome reception", Kind.SOCIAL),
        ("The Talk", Kind.TALK),
        ("Early Poster Session", Kind.POSTER),
        ("Closing panel", Kind.PANEL),
        ("Afternoon keynote: robustness at scale", Kind.TALK),
    ],
)
def test_a_title_that_is_a_phrase_for_a_kind_names_it(title: str, kind: Kind) -> None:
    assert infer_kind(title) is kind


# --- the 'kinds' section of a native file ---------------------------------------------------------------------

NATIVE = """\
event: {name: Devrooms, timezone: Europe/Brussels, date: 2025-02-01}
kinds: {devroom: talk, Lightning-Talk: contributed, bof: social}
sessions:
  - {id: net, title: Declarative Networking in Declarative World, kind: devroom, start: "10:35", end: "10:55"}
  - {id: uni, title: Fifteen minutes of Unicode, kind: lightning talk, start: "11:00", end: "11:15"}
  - {id: bof, title: Rust BoF, kind: BOF, start: "11:30", end: "12:30"}
  - {id: key, title: State of the Source, kind: keynote, start: "13:00", end: "13:50"}
"""


def test_a_native_file_says_what_its_words_for_a_kind_mean() -> None:
    schedule = parse_schedule(NATIVE, "devrooms.yaml")
    assert {s.id: (s.kind, s.qa) for s in schedule.sessions} == {
        "net": (Kind.TALK, True),
        "uni": (Kind.CONTRIBUTED, True),
        "bof": (Kind.SOCIAL, False),
        "key": (Kind.TALK, True),
    }


def test_a_kinds_entry_naming_no_kind_is_reported_at_its_line_with_the_kinds() -> None:
    text = NATIVE.replace(
        "kinds: {devroom: talk, Lightning-Talk: contributed, bof: social}",
        "kinds:\n  devroom: tlak\n  Lightning-Talk: contributed\n  bof: social",
    )
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, "devrooms.yaml")
    problem = next(p for p in caught.value.problems if p.message.startswith("kinds:"))
    assert problem.message == (
        "kinds: 'devroom': unknown kind 'tlak'; use one of opening, talk, contributed, poster, panel, break, social, "
        "other"
    )
    assert problem.line == 3


def test_a_session_kind_nobody_maps_says_where_to_map_it() -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(NATIVE.replace("kinds: {devroom: talk, ", "kinds: {"), "devrooms.yaml")
    [problem] = caught.value.problems
    assert problem.session == "net"
    assert "unknown kind 'devroom'" in problem.message
    assert "kinds: {devroom: talk}" in problem.message


def test_kinds_that_are_not_a_mapping_are_reported() -> None:
    with pytest.raises(ScheduleError, match=r"'kinds' must map the words .* e\.g\. kinds: \{devroom: talk"):
        parse_schedule(
            NATIVE.replace("kinds: {devroom: talk, Lightning-Talk: contributed, bof: social}", "kinds: [talk]")
        )


def test_a_misspelt_kinds_section_is_suggested() -> None:
    with pytest.raises(ScheduleError, match="unknown top-level section 'kind'; did you mean 'kinds'"):
        parse_schedule(NATIVE.replace("kinds:", "kind:", 1), "devrooms.yaml")
