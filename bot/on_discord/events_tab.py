"""Discord's Events tab: the :class:`~bot.ports.EventsTab` port carried out with Guild Scheduled Events (external
events, visible to the server's members). What to create, edit or cancel is decided in :mod:`bot.events_tab`."""

from __future__ import annotations

from typing import Any

import discord

from bot.ports import EventGone, EventSpec, EventsTabClosed, EventsTabError

#: Discord's answers when the server holds 100 scheduled or active events already, and to a change to an event
#: that is over.
MAX_EVENTS_REACHED = 30038
EVENT_FINISHED = 180000


class DiscordEventsTab:
    def __init__(self, client: discord.Client, guild_id: int) -> None:
        self.client = client
        self.guild_id = guild_id

    def _guild(self) -> discord.Guild:
        guild = self.client.get_guild(self.guild_id)
        if guild is None:
            raise EventsTabError(f"the server {self.guild_id} is not known (yet)")
        return guild

    def available(self) -> bool:
        return self.client.get_guild(self.guild_id) is not None

    @staticmethod
    def _fields(spec: EventSpec) -> dict[str, Any]:
        return {
            "name": spec.name,
            "description": spec.description,
            "location": spec.location,
            "start_time": spec.start,
            "end_time": spec.end,
            # Always explicit: with only a location, discord.py leaves the entity type out and Discord refuses.
            "entity_type": discord.EntityType.external,
            "privacy_level": discord.PrivacyLevel.guild_only,
        }

    async def _event(self, event_id: int) -> discord.ScheduledEvent:
        guild = self._guild()
        return guild.get_scheduled_event(event_id) or await guild.fetch_scheduled_event(event_id)

    async def create(self, spec: EventSpec) -> int:
        try:
            created = await self._guild().create_scheduled_event(**self._fields(spec))
        except discord.Forbidden as exc:
            raise EventsTabClosed(str(exc)) from None
        except discord.HTTPException as exc:
            if exc.code == MAX_EVENTS_REACHED:
                raise EventsTabClosed(str(exc)) from None
            raise EventsTabError(str(exc)) from None
        return created.id

    async def edit(self, event_id: int, spec: EventSpec, *, started: bool) -> None:
        fields = self._fields(spec)
        if started:
            # Under way: a start sent again would be refused as in the past, and no status is sent, so the event
            # stays active.
            del fields["start_time"]
        try:
            await (await self._event(event_id)).edit(**fields)
        except discord.NotFound:
            raise EventGone(event_id) from None
        except discord.HTTPException as exc:
            raise (EventGone(event_id) if exc.code == EVENT_FINISHED else EventsTabError(str(exc))) from None

    async def cancel(self, event_id: int) -> None:
        """Cancel an event that has not begun; end one under way (Discord cancels only the former); leave one that
        is over as it is (:class:`EventGone`)."""
        try:
            event = await self._event(event_id)
            if event.status is discord.EventStatus.scheduled:
                await event.cancel()
            elif event.status is discord.EventStatus.active:
                await event.end()
            else:
                raise EventGone(event_id)
        except discord.NotFound:
            raise EventGone(event_id) from None
        except discord.HTTPException as exc:
            raise (EventGone(event_id) if exc.code == EVENT_FINISHED else EventsTabError(str(exc))) from None
