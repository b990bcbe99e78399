"""``/status`` and the health report: what comes next, what was posted last, outbox and question counts."""

from __future__ import annotations

from tests.on_discord.conftest import Event


async def test_health_reports_the_next_and_last_announcements(event: Event) -> None:
    await event.emu.slash("ask", {"question": "Counted in the health report?"}, user=event.attendee)
    health = await event.chair.health(event.bot.gateway_stats())
    assert health.last_posted == "invited-1:start"  # caught up at start-up
    assert health.last_outcome == "late"
    assert health.next_announcement == "posters-1:before-15m"
    assert health.outbox["sent"] >= 1
    assert health.questions["queued"] == 1
    data = health.as_json()
    assert data["next_at"] == "2024-05-11T07:15:00Z"


async def test_status_is_for_organizers(event: Event) -> None:
    result = await event.emu.slash("status", user=event.organizer)
    assert "Next: `posters-1:before-15m`" in result.content
    refused = await event.emu.slash("status", user=event.attendee, bypass_default_permissions=True)
    assert refused.content.startswith("Only organizers")
