"""Every command for each role: allowed, or refused with a reason and nothing changed. Refusals are checked
with the server's default-permission hint overridden (as an admin can), so the bot's own check is what refuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.on_discord.conftest import Event, settled

MODERATOR_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("qa next", {}),
    ("qa queue", {}),
    ("qa answered", {"question": 1}),
    ("qa dismiss", {"question": 1, "reason": "no"}),
    ("qa hide", {"question": 1}),
    ("qa restore", {"question": 1}),
    ("qa approve", {"question": 1}),
    ("qa open", {}),
    ("qa close", {}),
    ("qa ban", {"member": "attendee"}),
    ("qa unban", {"member": "attendee"}),
    ("qa export", {}),
]
ORGANIZER_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("announce", {"text": "Lunch is served"}),
    ("announce", {"text": "Lunch is served", "at": "in 30 min"}),
    ("announcements list", {}),
    ("announcements cancel", {"announcement": "note-9"}),
    ("schedule reload", {}),
    ("schedule shift", {"minutes": 5}),
    ("schedule cancel", {"session": "invited-2"}),
    ("schedule restore", {"session": "invited-2"}),
]
EVERYONE_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("ask", {"question": "Is this allowed?"}),
    ("questions", {}),
    ("now", {}),
    ("schedule show", {}),
]


def _options(event: Event, options: dict[str, Any]) -> dict[str, Any]:
    return {k: (event.attendee if v == "attendee" else v) for k, v in options.items()}


async def _state(event: Event) -> tuple[object, ...]:
    qa = event.chair.qa
    return (
        await qa.counts(),
        len(await qa.moderation_log()),
        len(await qa.bans()),
        len(event.emu.messages_in(event.announcements)),
        len(event.emu.messages_in(event.qa_channel)),
    )


async def _seed(event: Event) -> None:
    await event.chair.qa.ask("invited-1", "seed", "A seeded question", author_name="Seed")


@pytest.mark.parametrize(("command", "options"), MODERATOR_COMMANDS + ORGANIZER_COMMANDS, ids=lambda v: str(v))
async def test_attendees_are_refused_privileged_commands_and_nothing_changes(
    event: Event, command: str, options: dict[str, Any]
) -> None:
    await _seed(event)
    before = await _state(event)
    result = await event.emu.slash(
        command, _options(event, options), user=event.attendee, bypass_default_permissions=True
    )
    assert result.ephemeral
    assert result.content.startswith("Only ")
    assert await _state(event) == before


@pytest.mark.parametrize(("command", "options"), ORGANIZER_COMMANDS, ids=lambda v: str(v))
async def test_moderators_are_refused_organizer_commands(event: Event, command: str, options: dict[str, Any]) -> None:
    before = await _state(event)
    result = await event.emu.slash(command, options, user=event.moderator, bypass_default_permissions=True)
    assert result.content.startswith("Only organizers")
    assert await _state(event) == before


@pytest.mark.parametrize("who", ["moderator", "organizer"])
@pytest.mark.parametrize(("command", "options"), MODERATOR_COMMANDS, ids=lambda v: str(v))
async def test_moderators_and_organizers_may_moderate(
    event: Event, who: str, command: str, options: dict[str, Any]
) -> None:
    await _seed(event)
    result = await settled(await event.emu.slash(command, _options(event, options), user=getattr(event, who)))
    assert result.answered
    assert not result.content.startswith("Only ")


@pytest.mark.parametrize("who", ["attendee", "moderator", "organizer"])
@pytest.mark.parametrize(("command", "options"), EVERYONE_COMMANDS, ids=lambda v: str(v))
async def test_everyone_may_ask_and_read(event: Event, who: str, command: str, options: dict[str, Any]) -> None:
    result = await event.emu.slash(command, options, user=getattr(event, who))
    assert result.answered
    assert not result.content.startswith("Only ")


@pytest.mark.parametrize(("command", "options"), ORGANIZER_COMMANDS, ids=lambda v: str(v))
async def test_organizers_may_announce_and_reload(event: Event, command: str, options: dict[str, Any]) -> None:
    result = await event.emu.slash(command, options, user=event.organizer)
    assert result.answered
    assert not result.content.startswith("Only ")
