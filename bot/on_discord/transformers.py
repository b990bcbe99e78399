"""One resolver for a session argument: ``session: SessionArg`` in a command gives it the :class:`Session` itself,
with autocomplete (live and upcoming first, matching id or title) and a clear refusal for an unknown one.

Which sessions a command offers is the transformer's ``pool``: those with Q&A (``/ask``, ``/qa``), any session in
force (``/schedule shift``, ``cancel``), those still to come (``/remind``), or the cancelled ones (``/schedule
restore``).
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from bot import render
from bot.errors import Refusal
from bot.on_discord.access import chair_of
from bot.schedule.model import Session

Pool = Literal["qa", "all", "upcoming", "cancelled"]


class SessionTransformer(app_commands.Transformer):
    def __init__(self, pool: Pool = "qa") -> None:
        self.pool = pool

    def _sessions(self, interaction: discord.Interaction[Any]) -> list[Session] | None:
        chair = chair_of(interaction.client)
        if self.pool == "upcoming":
            return chair.schedule.upcoming(chair.clock())
        if self.pool == "cancelled":
            return list(chair.cancelled.values())
        return None

    async def transform(self, interaction: discord.Interaction[Any], value: Any) -> Session:
        chair = chair_of(interaction.client)
        wanted = str(value).strip()
        found = chair.cancelled.get(wanted) if self.pool == "cancelled" else chair.schedule.find(wanted)
        if found is None:
            if self.pool == "cancelled":
                raise Refusal(f"{wanted!r} is not cancelled.")
            if self.pool == "all":
                raise Refusal(f"There is no session {wanted!r} in force (already cancelled?).")
            raise Refusal(f"There is no session {wanted!r}; pick one from the list.")
        return found

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        chair = chair_of(interaction.client)
        sessions = chair.sessions_for_choice(value, qa_only=self.pool == "qa", sessions=self._sessions(interaction))
        schedule = chair.schedule
        return [app_commands.Choice(name=render.session_choice_label(schedule, s), value=s.id) for s in sessions]


#: A session with Q&A (the default pool).
QASession = app_commands.Transform[Session, SessionTransformer("qa")]
#: Any session in force.
AnySession = app_commands.Transform[Session, SessionTransformer("all")]
#: A session that has not started.
UpcomingSession = app_commands.Transform[Session, SessionTransformer("upcoming")]
#: A cancelled session.
CancelledSession = app_commands.Transform[Session, SessionTransformer("cancelled")]
