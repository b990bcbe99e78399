"""Organizers' announcements scheduled for later ("notes"): how one is planned in the outbox."""

from __future__ import annotations

import datetime as dt

from bot.announce.outbox import Planned

NOTE_KIND = "note"
#: A scheduled announcement missed while the bot was down is still posted up to this long after its time.
NOTE_STALE_AFTER = dt.timedelta(hours=1)


def planned_note(number: int, text: str, channel: str | None, at: dt.datetime, by: str) -> Planned:
    return Planned(
        id=f"note-{number}",
        kind=NOTE_KIND,
        due_at=at,
        stale_at=at + NOTE_STALE_AFTER,
        channel=channel,
        text=text,
        created_by=by,
    )
