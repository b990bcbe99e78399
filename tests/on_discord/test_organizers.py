"""Organizers through Discord: announcements with a preview, and reloading the schedule."""

from __future__ import annotations

from tests.on_discord.conftest import Event


def _buttons(result: object) -> dict[str, str]:
    message = result.response  # type: ignore[attr-defined]
    return {c["label"]: c["custom_id"] for row in message.components for c in row["components"]}


async def test_announce_shows_a_preview_and_posts_only_after_confirming(event: Event) -> None:
    preview = await event.emu.slash(
        "announce", {"text": "Lunch is served in the foyer @everyone"}, user=event.organizer
    )
    assert preview.ephemeral
    assert "Preview" in preview.content
    assert not [m for m in event.emu.messages_in(event.announcements) if "Lunch" in m.content]
    posted = await event.emu.click(preview.response, _buttons(preview)["Post"], user=event.organizer)
    assert "Posted in" in posted.content
    (message,) = [m for m in event.emu.messages_in(event.announcements) if "Lunch" in m.content]
    assert message.content == "Lunch is served in the foyer @everyone"
    assert message.sent["allowed_mentions"] == {"parse": []}


async def test_cancelled_announcement_posts_nothing(event: Event) -> None:
    preview = await event.emu.slash("announce", {"text": "Never mind"}, user=event.organizer)
    cancelled = await event.emu.click(preview.response, _buttons(preview)["Cancel"], user=event.organizer)
    assert "nothing was posted" in cancelled.content
    assert not [m for m in event.emu.messages_in(event.announcements) if "Never mind" in m.content]


async def test_announce_to_another_channel(event: Event) -> None:
    preview = await event.emu.slash(
        "announce", {"text": "Q&A moves here", "channel": event.qa_channel}, user=event.organizer
    )
    await event.emu.click(preview.response, _buttons(preview)["Post"], user=event.organizer)
    assert [m.content for m in event.emu.messages_in(event.qa_channel)] == ["Q&A moves here"]


async def test_reload_reports_what_changed(event: Event) -> None:
    text = event.schedule_path.read_text(encoding="utf-8")
    event.schedule_path.write_text(
        text.replace('title: Invited Talk 2, start: "10:30"', 'title: Invited Talk 2, start: "10:35"')
        + '  - {id: panel, title: Panel discussion, start: "11:00", end: "12:00"}\n',
        encoding="utf-8",
    )
    result = await event.emu.slash("schedule reload", user=event.organizer)
    assert "Added: `panel`" in result.content
    assert "Changed: `invited-2`" in result.content
    assert event.chair.schedule.find("panel") is not None


async def test_reload_of_an_invalid_file_keeps_the_running_schedule(event: Event) -> None:
    event.schedule_path.write_text("event: {name: X, timezone: Mars/Base}\nsessions: []\n", encoding="utf-8")
    result = await event.emu.slash("schedule reload", user=event.organizer)
    assert "not** reloaded" in result.content
    assert "Mars/Base" in result.content
    assert event.chair.schedule.find("invited-1") is not None
