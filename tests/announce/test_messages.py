"""Session announcements, Q&A-closed notes and schedule updates, as attendees in any time zone read them on
Discord: the right headline for each kind of session, times in every reader's zone, organizer and attendee text
escaped, links clickable, and every post within Discord's limits with no poster or question lost."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.announce.messages import plain_abstract, post_as_text, qa_closed_posts, schedule_update_posts, session_posts
from bot.messages import (
    EMBED_DESCRIPTION_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    MESSAGE_LIMIT,
    Post,
    escape_text,
)
from bot.qa.model import Question, Status
from bot.schedule.importers.abstract import discord_abstract
from bot.schedule.loader import parse_schedule
from bot.schedule.model import Kind, Links, Poster, Schedule, Session, Speaker

EMBED_FOOTER_LIMIT = 2048
EMBED_URL_LIMIT = 2048

SCHEDULE_YAML = """
event:
  name: "Workshop on Careful Machines"
  timezone: Europe/Vienna
  date: 2024-05-11
  display_timezones: [Asia/Kathmandu, America/New_York]
sessions:
  - id: opening
    title: "Opening remarks"
    kind: opening
    start: "08:50"
    end: "09:00"
    speakers: [{name: Ada Chair, affiliation: TU Wien}]
    links: {stream: "https://stream.example.org/live"}
  - id: talk-1
    title: "Invited Talk 1"
    kind: talk
    start: "09:00"
    end: "09:30"
    room: "Hall A"
    speakers:
      - {name: Andrew Wilson, affiliation: New York University}
      - {name: Lilian Weng, affiliation: OpenAI}
    links: {stream: "https://stream.example.org/live", slides: "https://slides.example.org/talk-1.pdf"}
    abstract: "Distribution shift and uncertainty estimation in foundation models."
  - id: contributed-1
    title: "Contributed Talk 1"
    kind: contributed
    start: "09:30"
    end: "09:45"
    speakers: [{name: Grace Author}]
  - id: panel
    title: "Panel: what should reliable mean?"
    kind: panel
    start: "09:45"
    end: "10:30"
    qa: false
    speakers: [{name: A. Panelist, affiliation: ETH Zürich}, {name: B. Panelist}]
  - id: posters-1
    title: "Poster Session 1"
    kind: poster
    start: "10:30"
    end: "11:30"
    room: "Foyer"
    links: {virtual_room: "https://app.gather.town/app/careful/posters"}
    posters:
      - {id: P1-01, title: "Calibrated Language Models Must Hallucinate", authors: [A. Kalai, S. Vempala], url: "https://papers.example.org/p1-01"}
      - {id: P1-02, title: "Let's Verify Step by Step"}
  - id: lunch
    title: "Lunch break"
    kind: break
    start: "11:30"
    end: "12:30"
  - id: reception
    title: "Reception"
    kind: social
    start: "18:00"
    end: "20:00"
    room: "Sky Lounge"
  - id: notes
    title: "Closing notes"
    kind: other
    start: "17:30"
    end: "17:45"
"""

SCHEDULE = parse_schedule(textwrap.dedent(SCHEDULE_YAML), "test.yaml")

HOSTILE = "@everyone <@123> **bold** `code` ~~gone~~ [click](https://evil.example.org) # heading"
#: Pieces of HOSTILE that must never reach Discord as they are.
HOSTILE_PIECES = ("@everyone", "<@123>", "**bold**", "`code`", "~~gone~~", "https://evil", "[click]")
RAW_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")


def ts(instant: dt.datetime, style: str) -> str:
    return f"<t:{int(instant.timestamp())}:{style}>"


def texts(posts: list[Post]) -> list[str]:
    """Every piece of text of ``posts`` that Discord shows."""
    out: list[str] = []
    for post in posts:
        out.append(post.content)
        for embed in post.embeds:
            out.extend([embed.title, embed.description, embed.footer])
            for name, value in embed.fields:
                out.extend([name, value])
    return out


def field_names(posts: list[Post]) -> list[str]:
    return [name for post in posts for embed in post.embeds for name, _ in embed.fields]


def field_values(posts: list[Post]) -> list[str]:
    return [value for post in posts for embed in post.embeds for _, value in embed.fields]


def poster_lines(posts: list[Post]) -> list[str]:
    """The poster list: every line of the embeds after the announcement's own (the first embed of the first post)."""
    embeds = [embed for post in posts for embed in post.embeds][1:]
    # Split at line feeds only: Discord breaks lines there, and str.splitlines would also cut at a separator
    # character that a title may contain.
    return [line for embed in embeds for line in embed.description.split("\n")]


def assert_within_discord_limits(posts: list[Post]) -> None:
    """Every limit Discord puts on a message and its embeds, checked on every post."""
    assert posts, "nothing to post"
    for post in posts:
        assert post.content or post.embeds, "an empty message"
        assert len(post.content) <= MESSAGE_LIMIT
        assert len(post.embeds) <= EMBEDS_PER_MESSAGE
        assert sum(embed.size() for embed in post.embeds) <= EMBED_TOTAL_LIMIT
        for embed in post.embeds:
            assert embed.title or embed.description or embed.fields, "an empty embed"
            assert len(embed.title) <= EMBED_TITLE_LIMIT
            assert len(embed.description) <= EMBED_DESCRIPTION_LIMIT
            assert len(embed.footer) <= EMBED_FOOTER_LIMIT
            assert embed.url is None or len(embed.url) <= EMBED_URL_LIMIT
            assert len(embed.fields) <= EMBED_FIELDS_LIMIT
            for name, value in embed.fields:
                assert name.strip(), "Discord refuses a field without a name"
                assert value.strip(), "Discord refuses a field without a value"
                assert len(name) <= FIELD_NAME_LIMIT
                assert len(value) <= FIELD_VALUE_LIMIT
        # No text that reaches Discord may ping anyone, whatever the organizers or attendees wrote.
        assert not any(RAW_MENTION.search(text) for text in texts([post]))


def announce(
    session_id: str, minutes_before: int, *, late_by: dt.timedelta | None = None, ask_command: str = "/ask"
) -> list[Post]:
    session = SCHEDULE.session(session_id)
    posts = session_posts(SCHEDULE, session, minutes_before=minutes_before, late_by=late_by, ask_command=ask_command)
    assert_within_discord_limits(posts)
    return posts


def with_session(session: Session) -> Schedule:
    return dataclasses.replace(SCHEDULE, sessions=(session,))


def announce_session(session: Session, minutes_before: int = 0) -> list[Post]:
    posts = session_posts(with_session(session), session, minutes_before=minutes_before)
    assert_within_discord_limits(posts)
    return posts


def question(
    number: int, text: str, votes: int, *, author: str = "someone", anonymous: bool = False, session_id: str = "talk-1"
) -> Question:
    return Question(
        id=number,
        session_id=session_id,
        author_id=str(1000 + number),
        author_name=author,
        anonymous=anonymous,
        text=text,
        created_at=dt.datetime(2024, 5, 11, 7, 5, tzinfo=dt.UTC) + dt.timedelta(seconds=number),
        status=Status.QUEUED,
        votes=votes,
        moderated_by=None,
        moderated_at=None,
    )


# --- talks, opening, contributed talks, panels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("session_id", "title"),
    [
        ("opening", "Opening remarks"),
        ("talk-1", "Invited Talk 1"),
        ("contributed-1", "Contributed Talk 1"),
        ("panel", "Panel: what should reliable mean?"),
    ],
)
def test_talk_like_sessions_before_the_start_say_starting_in_n_minutes_with_one_embed(
    session_id: str, title: str
) -> None:
    [post] = announce(session_id, 10)
    assert post.content == f"⏰ **Starting in 10 minutes:** **{escape_text(title)}**"
    [embed] = post.embeds
    assert embed.title == escape_text(title)


@pytest.mark.parametrize("session_id", ["opening", "talk-1", "contributed-1", "panel"])
def test_talk_like_sessions_at_the_start_say_now_live(session_id: str) -> None:
    session = SCHEDULE.session(session_id)
    [post] = announce(session_id, 0)
    assert post.content == f"🔴 **Now live:** **{escape_text(session.title)}**"
    assert len(post.embeds) == 1


def test_an_hour_ahead_reads_as_hours() -> None:
    [post] = announce("talk-1", 90)
    assert post.content.startswith("⏰ **Starting in 1 hour 30 minutes:**")


def test_talk_shows_the_start_for_each_reader_and_the_display_zone_line() -> None:
    session = SCHEDULE.session("talk-1")
    [post] = announce("talk-1", 10)
    description = post.embeds[0].description
    assert ts(session.start, "F") in description
    assert ts(session.start, "R") in description
    assert ts(session.end, "t") in description
    # 09:00 in Vienna (UTC+2 in May) is 12:45 in Kathmandu (UTC+5:45) and 03:00 in New York.
    assert "09:00 Vienna · 12:45 Kathmandu · 03:00 New York" in description


def test_talk_lists_every_speaker_with_affiliation() -> None:
    [post] = announce("talk-1", 0)
    description = post.embeds[0].description
    assert "**Andrew Wilson** (New York University)" in description
    assert "**Lilian Weng** (OpenAI)" in description


def test_speaker_without_affiliation_shows_the_name_alone() -> None:
    [post] = announce("contributed-1", 0)
    assert "**Grace Author**\n" in post.embeds[0].description


def test_very_many_speakers_end_in_and_n_more_within_limits() -> None:
    session = dataclasses.replace(
        SCHEDULE.session("panel"),
        speakers=tuple(Speaker(name=f"Panelist {i} " + "n" * 80, affiliation="A" * 120) for i in range(200)),
    )
    [post] = announce_session(session)
    assert "…and " in post.embeds[0].description
    assert "Panelist 0 " in post.embeds[0].description


def test_stream_and_slides_links_stay_clickable() -> None:
    [post] = announce("talk-1", 0)
    embed = post.embeds[0]
    assert "[Watch the stream](https://stream.example.org/live)" in embed.description
    assert "[Slides](https://slides.example.org/talk-1.pdf)" in embed.description
    assert embed.url == "https://stream.example.org/live"


def test_a_link_with_parentheses_stays_one_link() -> None:
    session = dataclasses.replace(
        SCHEDULE.session("talk-1"), links=Links(stream="https://en.wikipedia.org/wiki/Panel_(discussion)")
    )
    [post] = announce_session(session)
    assert "[Watch the stream](https://en.wikipedia.org/wiki/Panel_%28discussion%29)" in post.embeds[0].description


def test_talk_shows_the_room() -> None:
    [post] = announce("talk-1", 0)
    assert "📍 Hall A" in post.embeds[0].description


def test_talk_with_qa_says_how_to_ask() -> None:
    [post] = announce("talk-1", 0)
    assert "`/ask`" in post.embeds[0].description


def test_a_command_mention_is_shown_as_given_so_it_stays_clickable() -> None:
    [post] = announce("talk-1", 0, ask_command="</ask:1234567890>")
    assert "</ask:1234567890>" in post.embeds[0].description
    assert "`</ask" not in post.embeds[0].description


def test_session_without_qa_does_not_invite_questions() -> None:
    [post] = announce("panel", 0)
    assert "/ask" not in post.embeds[0].description


def test_abstract_is_shown_and_a_long_one_is_shortened() -> None:
    [short] = announce("talk-1", 0)
    assert "Distribution shift and uncertainty estimation in foundation models." in short.embeds[0].description
    session = dataclasses.replace(SCHEDULE.session("talk-1"), abstract="word " * 2000)
    [post] = announce_session(session)
    abstract = post.embeds[0].description.split("\n\n", 1)[1]
    assert abstract.startswith("word word")
    assert abstract.endswith("…")
    assert len(abstract) <= 600


def test_footer_names_the_kind_and_the_event() -> None:
    [post] = announce("talk-1", 0)
    assert post.embeds[0].footer == "Talk · Workshop on Careful Machines"


def test_hostile_organizer_text_is_escaped_in_every_part_of_a_talk() -> None:
    session = dataclasses.replace(
        SCHEDULE.session("talk-1"),
        title=HOSTILE,
        abstract=HOSTILE + "\n" + HOSTILE,
        room=HOSTILE,
        speakers=(Speaker(name=HOSTILE, affiliation=HOSTILE),),
    )
    for minutes in (10, 0):
        posts = announce_session(session, minutes)
        shown = "\n".join(texts(posts))
        for piece in HOSTILE_PIECES:
            assert piece not in shown
        assert escape_text(HOSTILE, one_line=True) in posts[0].content
        assert posts[0].embeds[0].title == escape_text(HOSTILE, one_line=True)


def test_a_very_long_title_is_shortened_in_headline_and_embed_title() -> None:
    session = dataclasses.replace(SCHEDULE.session("talk-1"), title="Ü" * 5000)
    [post] = announce_session(session)
    assert "…" in post.content
    assert post.embeds[0].title.endswith("…")


# --- late posts ----------------------------------------------------------------------------------------------------


def test_a_late_start_post_says_when_the_session_started() -> None:
    session = SCHEDULE.session("talk-1")
    [post] = announce("talk-1", 0, late_by=dt.timedelta(minutes=4))
    assert post.content.startswith("🔴 **Now live:**")
    assert post.content.endswith(f"(posted late: started {ts(session.start, 'R')})")


def test_a_late_reminder_still_before_the_start_counts_down_instead_of_a_wrong_figure() -> None:
    session = SCHEDULE.session("talk-1")
    [post] = announce("talk-1", 10, late_by=dt.timedelta(minutes=3))
    assert post.content == f"⏰ **Starting {ts(session.start, 'R')}:** **Invited Talk 1** (posted late)"


def test_a_reminder_posted_after_the_start_says_now_live() -> None:
    session = SCHEDULE.session("talk-1")
    [post] = announce("talk-1", 10, late_by=dt.timedelta(minutes=12))
    assert post.content.startswith("🔴 **Now live:**")
    assert f"(posted late: started {ts(session.start, 'R')})" in post.content


def test_a_late_poster_session_and_break_say_so() -> None:
    [poster, *_] = announce("posters-1", 0, late_by=dt.timedelta(minutes=2))
    assert "(posted late: started" in poster.content
    [lunch] = announce("lunch", 0, late_by=dt.timedelta(minutes=2))
    assert "(posted late: started" in lunch.content


def test_an_on_time_post_does_not_mention_lateness() -> None:
    for late_by in (None, dt.timedelta(0)):
        [post] = announce("talk-1", 0, late_by=late_by)
        assert "late" not in post.content


def test_negative_minutes_before_is_refused() -> None:
    with pytest.raises(ValueError, match="minutes_before"):
        session_posts(SCHEDULE, SCHEDULE.session("talk-1"), minutes_before=-5)


# --- poster sessions -----------------------------------------------------------------------------------------------


def test_poster_session_before_the_start_names_it_and_the_minutes() -> None:
    [post] = announce("posters-1", 15)
    assert post.content == "📌 **Poster Session 1** starts in 15 minutes"


def test_poster_session_at_the_start_says_now_open() -> None:
    [post] = announce("posters-1", 0)
    assert post.content == "📌 **Now open:** **Poster Session 1**"


def test_poster_session_says_where_and_when() -> None:
    session = SCHEDULE.session("posters-1")
    [post] = announce("posters-1", 15)
    description = post.embeds[0].description
    assert "[Virtual room (app.gather.town)](https://app.gather.town/app/careful/posters)" in description
    assert "📍 Foyer" in description
    assert ts(session.start, "F") in description
    assert ts(session.start, "R") in description
    assert "10:30 Vienna · 14:15 Kathmandu · 04:30 New York" in description
    assert "2 posters" in description


def test_each_poster_is_one_line_with_what_it_has_and_nothing_more() -> None:
    [post] = announce("posters-1", 0)
    assert poster_lines([post]) == [
        "P1\\-01 · [Calibrated Language Models Must Hallucinate](https://papers.example.org/p1-01) — A. Kalai, S. Vempala",
        # No authors and no link: no author line, no dash, no "Poster" link.
        "P1\\-02 · Let's Verify Step by Step",
    ]
    (announcement, listing) = post.embeds
    assert listing.title == "Posters"
    assert announcement.fields == []
    assert listing.fields == []


def test_thirty_posters_without_authors_are_one_message_of_thirty_lines() -> None:
    posters = tuple(Poster(id=f"P1-{i:02d}", title=f"A title of a poster, number {i}") for i in range(1, 31))
    [post] = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters))
    lines = poster_lines([post])
    assert len(lines) == 30
    assert all(line.startswith(f"P1\\-{i:02d} · A title") for i, line in enumerate(lines, 1))
    assert "—" not in "\n".join(lines)
    assert len(post.embeds) == 2


def test_posters_fill_each_message_as_far_as_discord_allows() -> None:
    # 400 posters of about 330 characters: 130,000 characters, at least 22 messages of 6,000; a few more at most.
    posters = tuple(
        Poster(id=f"P{i:03d}", title="A title " * 20, authors=tuple(f"Author {j}" for j in range(16)))
        for i in range(400)
    )
    posts = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters))
    listed = sum(len(line) for line in poster_lines(posts))
    assert len(posts) <= listed // EMBED_TOTAL_LIMIT + 2
    assert len(poster_lines(posts)) == 400


def test_a_poster_session_whose_list_went_out_before_links_to_it_instead_of_listing_again() -> None:
    link = "https://discord.com/channels/1/2/3"
    session = SCHEDULE.session("posters-1")
    posts = session_posts(SCHEDULE, session, minutes_before=0, posters_at=link)
    assert_within_discord_limits(posts)
    [post] = posts
    [embed] = post.embeds
    assert post.content == "📌 **Now open:** **Poster Session 1**"
    assert f"🗂️ 2 posters, listed in [the announcement before]({link})." in embed.description
    assert "Calibrated" not in "\n".join(texts(posts))


def test_a_place_that_is_not_a_web_address_is_named_as_it_is() -> None:
    session = SCHEDULE.session("posters-1")
    [post] = session_posts(SCHEDULE, session, minutes_before=0, posters_at="#announcements message 12")
    assert "🗂️ 2 posters, listed in #announcements message 12." in post.embeds[0].description


def test_one_poster_is_one_poster() -> None:
    session = dataclasses.replace(SCHEDULE.session("posters-1"), posters=SCHEDULE.session("posters-1").posters[:1])
    [post] = announce_session(session, 15)
    assert "🗂️ 1 poster, listed below." in post.embeds[0].description


def test_five_hundred_posters_each_appear_once_in_order_within_every_limit() -> None:
    posters = tuple(
        Poster(
            id=f"P{i:03d}",
            title=f"Poster number {i}: " + "a rather long title " * 12,
            authors=tuple(f"Author {i}.{j} of Some University" for j in range(12)),
            url=f"https://posters.example.org/{i}",
        )
        for i in range(500)
    )
    session = dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters)
    posts = announce_session(session, 15)
    assert len(posts) > 1
    lines = poster_lines(posts)
    ids = [line.split(" · ", 1)[0] for line in lines]
    assert ids == [f"P{i:03d}" for i in range(500)]
    assert all(f"https://posters.example.org/{i})" in line for i, line in enumerate(lines))


def test_only_the_first_poster_post_carries_the_headline() -> None:
    posters = tuple(Poster(id=f"P{i}", title="t " * 100, authors=("x " * 200,)) for i in range(300))
    posts = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters))
    assert posts[0].content.startswith("📌 **Now open:**")
    assert all(post.content == "" for post in posts[1:])
    assert all(embed.title == "Poster Session 1 (continued)" for post in posts[1:] for embed in post.embeds)


def test_poster_session_without_posters_still_announces_itself() -> None:
    [post] = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=()))
    assert "0 posters." in post.embeds[0].description


def test_hostile_poster_text_is_escaped() -> None:
    posters = (Poster(id="P1", title=HOSTILE, authors=(HOSTILE, HOSTILE)),)
    posts = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters))
    shown = "\n".join(texts(posts))
    for piece in HOSTILE_PIECES:
        assert piece not in shown


# --- breaks, social events, other sessions -------------------------------------------------------------------------


def test_a_break_is_one_short_line_until_its_end() -> None:
    session = SCHEDULE.session("lunch")
    [post] = announce("lunch", 0)
    assert post.content == f"☕ **Lunch break** now, until {ts(session.end, 't')} ({ts(session.end, 'R')})"
    assert post.embeds == ()


def test_a_break_announced_ahead_gives_its_times() -> None:
    session = SCHEDULE.session("lunch")
    [post] = announce("lunch", 5)
    assert post.content == f"☕ **Lunch break** in 5 minutes, {ts(session.start, 't')}–{ts(session.end, 't')}"


def test_a_social_event_is_one_line_with_its_room() -> None:
    [post] = announce("reception", 0)
    assert post.content.startswith("🎉 **Reception** now, until")
    assert "📍 Sky Lounge" in post.content
    assert "\n" not in post.content
    assert post.embeds == ()


def test_an_online_social_event_links_without_a_preview_card() -> None:
    session = dataclasses.replace(
        SCHEDULE.session("reception"), links=Links(virtual_room="https://app.gather.town/app/careful/bar")
    )
    [post] = announce_session(session)
    assert "[join online](<https://app.gather.town/app/careful/bar>)" in post.content


def test_other_sessions_are_one_line() -> None:
    [post] = announce("notes", 0)
    assert post.content.startswith("📣 **Closing notes** now, until")
    assert post.embeds == ()


# --- Q&A closed ----------------------------------------------------------------------------------------------------


def test_qa_closed_without_questions_is_a_short_note() -> None:
    posts = qa_closed_posts(SCHEDULE, SCHEDULE.session("talk-1"), [])
    assert_within_discord_limits(posts)
    [post] = posts
    assert post.content.startswith("🔒 **Q&A closed:** **Invited Talk 1**")
    assert post.embeds == ()


def test_qa_closed_lists_questions_most_votes_first_with_votes_and_askers() -> None:
    questions = [
        question(1, "How does this scale?", 2, author="Bo"),
        question(2, "What about **bold** claims by <@123>?", 9, author="@everyone"),
        question(3, "Is the data public?", 5, author="Secret Sam", anonymous=True),
    ]
    posts = qa_closed_posts(SCHEDULE, SCHEDULE.session("talk-1"), questions)
    assert_within_discord_limits(posts)
    [post] = posts
    assert "3 unanswered questions" in post.content
    assert field_names(posts) == ["1. ▲ 9 · @\u200beveryone", "2. ▲ 5 · anonymous", "3. ▲ 2 · Bo"]
    assert field_values(posts) == [
        escape_text("What about **bold** claims by <@123>?", one_line=True),
        "Is the data public?",
        "How does this scale?",
    ]


def test_qa_closed_never_reveals_an_anonymous_asker() -> None:
    posts = qa_closed_posts(
        SCHEDULE, SCHEDULE.session("talk-1"), [question(1, "Why?", 1, author="Secret Sam", anonymous=True)]
    )
    assert "Secret Sam" not in "\n".join(texts(posts))
    assert "anonymous" in field_names(posts)[0]


def test_qa_closed_with_200_long_questions_keeps_every_one_shortened_within_limits() -> None:
    questions = [question(i, f"Question {i}: " + "why " * 400, votes=200 - i) for i in range(200)]
    posts = qa_closed_posts(SCHEDULE, SCHEDULE.session("talk-1"), questions)
    assert_within_discord_limits(posts)
    assert len(posts) > 1
    values = field_values(posts)
    assert [value.split(":", 1)[0] for value in values] == [f"Question {i}" for i in range(200)]
    assert all(value.endswith("…") and len(value) <= 500 for value in values)
    assert posts[0].content
    assert all(post.content == "" for post in posts[1:])


# --- schedule updates ----------------------------------------------------------------------------------------------


def moved_by(session: Session, delta: dt.timedelta) -> Session:
    return dataclasses.replace(session, start=session.start + delta, end=session.end + delta)


def test_nothing_changed_posts_nothing() -> None:
    assert schedule_update_posts(SCHEDULE, [], [], []) == []


def test_a_move_shows_old_and_new_time_for_each_reader_and_at_the_venue() -> None:
    old = SCHEDULE.session("talk-1")
    new = moved_by(old, dt.timedelta(minutes=20))
    posts = schedule_update_posts(SCHEDULE, [(old, new)], [], [])
    assert_within_discord_limits(posts)
    [post] = posts
    assert post.content.startswith("🗓️ **Schedule update**\n**New times**\n")
    assert f"{ts(old.start, 't')} → {ts(new.start, 't')} ({ts(new.start, 'R')})" in post.content
    assert "Vienna: 09:00 → 09:20" in post.content


def test_a_move_across_midnight_marks_the_next_day() -> None:
    old = SCHEDULE.session("reception")  # 18:00 in Vienna
    new = moved_by(old, dt.timedelta(hours=6, minutes=30))  # 00:30 the next day
    [post] = schedule_update_posts(SCHEDULE, [(old, new)], [], [])
    # The reader's client shows the date with the new time, and the venue time names the new day.
    assert f"{ts(old.start, 't')} → {ts(new.start, 'f')}" in post.content
    assert "Vienna: 18:00 → Sun 00:30" in post.content


def test_a_move_into_another_room_says_where() -> None:
    old = SCHEDULE.session("talk-1")
    new = dataclasses.replace(moved_by(old, dt.timedelta(minutes=5)), room="Hall B")
    [post] = schedule_update_posts(SCHEDULE, [(old, new)], [], [])
    assert "now in 📍 Hall B" in post.content


def test_cancellations_and_restorations_are_listed_under_their_headings() -> None:
    cancelled = SCHEDULE.session("panel")
    restored = SCHEDULE.session("contributed-1")
    [post] = schedule_update_posts(SCHEDULE, [], [cancelled], [restored])
    cancelled_part, restored_part = post.content.split("**Back on the schedule**")
    assert "**Cancelled**" in cancelled_part
    assert "~~**Panel: what should reliable mean?**~~" in cancelled_part
    assert ts(cancelled.start, "f") in cancelled_part
    assert "**Contributed Talk 1**" in restored_part
    assert ts(restored.start, "f") in restored_part
    assert "Vienna 09:30" in restored_part


def test_a_long_update_is_split_without_losing_a_line_and_repeats_its_heading() -> None:
    sessions = [
        dataclasses.replace(SCHEDULE.session("talk-1"), id=f"s{i}", title=f"Session {i:03d} " + "x" * 120)
        for i in range(300)
    ]
    moves = [(s, moved_by(s, dt.timedelta(minutes=i))) for i, s in enumerate(sessions)]
    posts = schedule_update_posts(SCHEDULE, moves, sessions[:50], sessions[50:80])
    assert_within_discord_limits(posts)
    assert len(posts) > 1
    joined = "\n".join(post.content for post in posts)
    assert [int(n) for n in re.findall(r"Session (\d{3})", joined)] == list(range(300)) + list(range(50)) + list(
        range(50, 80)
    )
    assert all(post.content.startswith("🗓️ **Schedule update** (continued)\n**") for post in posts[1:])


def test_hostile_titles_in_an_update_are_escaped() -> None:
    old = dataclasses.replace(SCHEDULE.session("talk-1"), title=HOSTILE)
    posts = schedule_update_posts(SCHEDULE, [(old, moved_by(old, dt.timedelta(hours=1)))], [old], [old])
    assert_within_discord_limits(posts)
    for piece in HOSTILE_PIECES:
        assert piece not in posts[0].content


# --- plain-text rendering ------------------------------------------------------------------------------------------


def test_post_as_text_shows_the_content_and_every_part_of_each_embed() -> None:
    posts = announce("posters-1", 0)
    text = post_as_text(posts[0])
    embed = posts[0].embeds[0]
    assert text.startswith(posts[0].content + "\n")
    assert embed.title in text
    assert embed.footer in text
    for line in embed.description.splitlines():
        assert line in text
    for name, value in embed.fields:
        assert name in text
        for line in value.splitlines():
            assert line in text


def test_post_as_text_shows_every_poster_of_a_long_session() -> None:
    posters = tuple(Poster(id=f"P{i:03d}", title=f"Title {i}", authors=(f"Author {i}",)) for i in range(500))
    posts = announce_session(dataclasses.replace(SCHEDULE.session("posters-1"), posters=posters))
    text = "\n".join(post_as_text(post) for post in posts)
    assert all(f"P{i:03d} · Title {i}" in text and f"Author {i}\n" in text + "\n" for i in range(500))


def test_post_as_text_of_a_one_line_post_is_that_line() -> None:
    [post] = announce("lunch", 0)
    assert post_as_text(post) == post.content


# --- any text at all -----------------------------------------------------------------------------------------------

# Hypothesis draws short text and short lists by itself; the limits are only tested by long ones. So long text is a
# short random piece repeated (up to 4,800 characters of any Unicode), and long lists repeat a few random items.
some_text = st.text(min_size=1, max_size=40).filter(lambda s: s.strip() != "")
long_text = st.builds(lambda piece, times: piece * times, some_text, st.integers(min_value=1, max_value=120))
any_text = some_text | long_text
speakers = st.builds(Speaker, name=any_text, affiliation=st.none() | any_text)
posters = st.builds(
    Poster,
    id=st.just("placeholder"),
    title=any_text,
    authors=st.lists(any_text, max_size=12).map(tuple),
    url=st.none() | st.just("https://posters.example.org/a(b)c"),
)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    templates = draw(st.lists(posters, min_size=1, max_size=8))
    count = draw(st.integers(min_value=0, max_value=500))
    numbered = tuple(templates[i % len(templates)].model_copy(update={"id": f"P{i}"}) for i in range(count))
    speaker_templates = draw(st.lists(speakers, min_size=1, max_size=5))
    return dataclasses.replace(
        SCHEDULE.session("posters-1"),
        # Half of the cases are poster sessions: theirs is the layout that splits over many posts.
        kind=draw(st.just(Kind.POSTER) | st.sampled_from(list(Kind))),
        title=draw(any_text),
        room=draw(st.none() | any_text),
        speakers=tuple(speaker_templates[i % len(speaker_templates)] for i in range(draw(st.integers(0, 60)))),
        abstract=draw(st.none() | any_text),
        posters=numbered,
        qa=draw(st.booleans()),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    session=sessions(),
    minutes_before=st.sampled_from([0, 1, 15, 120]),
    late_minutes=st.none() | st.integers(min_value=0, max_value=240),
)
def test_any_session_fits_discords_limits_and_keeps_every_poster(
    session: Session, minutes_before: int, late_minutes: int | None
) -> None:
    late_by = None if late_minutes is None else dt.timedelta(minutes=late_minutes)
    posts = session_posts(with_session(session), session, minutes_before=minutes_before, late_by=late_by)
    assert_within_discord_limits(posts)
    if session.kind is Kind.POSTER:
        ids = [line.split(" · ", 1)[0] for line in poster_lines(posts)]
        assert ids == [poster.id for poster in session.posters]
        assert all(post.content == "" for post in posts[1:])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    templates=st.lists(
        st.tuples(any_text, some_text, st.booleans(), st.integers(min_value=0, max_value=10_000)),
        min_size=1,
        max_size=8,
    ),
    count=st.integers(min_value=0, max_value=250),
)
def test_any_questions_fit_discords_limits_and_none_is_lost_or_unmasked(
    templates: list[tuple[str, str, bool, int]], count: int
) -> None:
    questions = []
    for i in range(count):
        text, name, anonymous, score = templates[i % len(templates)]
        questions.append(question(i, text, score, author=f"asker{i}:{name}", anonymous=anonymous))
    posts = qa_closed_posts(SCHEDULE, SCHEDULE.session("talk-1"), questions)
    assert_within_discord_limits(posts)
    names = field_names(posts)
    assert len(names) == len(questions)
    # Ranks run 1, 2, 3, … across every post, and the votes never rise down the list.
    assert [int(name.split(".", 1)[0]) for name in names] == list(range(1, len(questions) + 1))
    votes = [int(name.split("▲ ", 1)[1].split(" ", 1)[0]) for name in names]
    assert votes == sorted(votes, reverse=True)
    shown = "\n".join(texts(posts))
    for item in questions:
        if item.anonymous:
            assert f"asker{item.id}:" not in shown


# --- abstracts written in markdown or exported as HTML ------------------------------------------------------------


def test_an_abstract_reads_as_plain_text_with_link_addresses_shown() -> None:
    assert plain_abstract("**Guix** on [the site](https://guix.gnu.org), *more* and `code`") == (
        "Guix on the site (https://guix.gnu.org), more and code"
    )
    assert plain_abstract("## Why\n> quoted\n-# small print") == "Why\nquoted\nsmall print"
    assert plain_abstract("![diagram](https://x.example/d.png) [https://a.example](https://a.example)") == (
        "diagram https://a.example"
    )


def test_marks_inside_words_and_sums_are_left_as_written() -> None:
    text = "snake_case_name, file_name.py, 2*3*4 and 5 * 3"
    assert plain_abstract(text) == text


def test_an_html_abstract_from_an_export_is_announced_as_clean_text() -> None:
    html = (
        '<p><strong>GNU Guix</strong> is a <em>functional</em> package manager. See <a href="/guix">the talk page</a>'
        " for slides.</p><p>Bring a laptop.</p>"
    )
    abstract = discord_abstract(html, base_url="https://fosdem.org/2025/")
    assert abstract is not None
    session = dataclasses.replace(SCHEDULE.session("talk-1"), abstract=abstract)
    shown = "\n".join(texts(announce_session(session)))
    assert "GNU Guix is a functional package manager. See the talk page (https:\u200b//fosdem.org/guix) for slides." in shown
    assert "Bring a laptop." in shown
    for raw in ("<p>", "<strong>", "**GNU Guix**", "*functional*", "[the talk page]", "<a "):
        assert raw not in shown
