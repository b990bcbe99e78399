"""The Discord bot: a ``commands.Bot`` that owns the schedule, the Q&A service and the clock, and hosts the
cogs. ``run_bot`` starts it from validated settings; everything that can fail at start-up fails with a
message that says what to fix."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot import render
from bot.announce.announcer import Announcer
from bot.announce.dispatch import ANNOUNCER, Dispatcher
from bot.announce.messages import Post, schedule_update_posts
from bot.announce.outbox import Outbox
from bot.announce.reminders import REMINDER_KIND, planned_reminder
from bot.announce.sessions import SESSION_KIND, planned_posts
from bot.clock import Clock, system_clock
from bot.cogs.access import is_stale, report_error
from bot.cogs.attendees import Attendees, VoteButton
from bot.cogs.moderators import Moderation
from bot.cogs.organizers import Organizers
from bot.cogs.reminders import RemindButton, Reminders, RemindMenu
from bot.cogs.schedule import ScheduleCommands
from bot.config import Settings
from bot.flow import InteractionGate
from bot.guild_events import SyncReport, sync_guild_events
from bot.messages import split_message
from bot.publish import DiscordPublisher
from bot.qa.errors import QARefusal
from bot.qa.model import Question
from bot.qa.service import QAService
from bot.schedule.errors import ScheduleError
from bot.schedule.model import Schedule, Session
from bot.schedule.overrides import Applied, Override
from bot.schedule.overrides import apply as apply_overrides
from bot.schedule.source import DEFAULT_POLL_SECONDS, ScheduleSource

log = logging.getLogger(__name__)


class ChairTree(app_commands.CommandTree["ChairBot"]):
    """Refuses interactions from other servers and turns every command error into a private reply."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        if is_stale(interaction):
            return False
        bot = self.client
        if interaction.guild_id is not None and interaction.guild_id != bot.settings.guild_id:
            await interaction.response.send_message("chairbot is not set up for this server.", ephemeral=True)
            return False
        return True

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)


class ChairBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        schedule: Schedule,
        qa: QAService,
        *,
        clock: Clock = system_clock,
        source: ScheduleSource | None = None,
    ) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # channels, roles and threads of the server; slash commands need nothing more
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            tree_cls=ChairTree,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.settings = settings
        #: The schedule as the file has it; ``schedule`` is what is in force, with the organizers' changes.
        self.source_schedule = schedule
        self.schedule = schedule
        self.overrides: dict[str, Override] = {}
        self.cancelled: dict[str, Session] = {}
        self.qa = qa
        self.clock = clock
        self.outbox: Outbox | None = None
        self.announcer: Announcer | None = None
        self.publisher = DiscordPublisher(self)
        self._events_lock = asyncio.Lock()
        #: Held while the outbox's plan is rebuilt, so a reminder set meanwhile is not lost.
        self.plan_lock = asyncio.Lock()
        #: Set once start-up work (re-planning, catching up, the Events tab) is done.
        self.started = asyncio.Event()
        self.source = source or ScheduleSource(
            settings.schedule, cache_dir=settings.data_dir, timezone=settings.venue_timezone
        )
        self._poller: asyncio.Task[None] | None = None
        self._last_problems: str | None = None
        self.gate = InteractionGate()
        parsers = self._connection.parsers
        parsers["INTERACTION_CREATE"] = self.gate.shedding(parsers["INTERACTION_CREATE"])

    # discord.py assigns ``ws`` a new gateway connection at every (re)connect and then calls its
    # ``poll_event`` in a loop; each one is made to wait for the gate before it reads.
    @property
    def ws(self) -> DiscordWebSocket:
        return self._ws

    @ws.setter
    def ws(self, connection: DiscordWebSocket) -> None:
        if connection is not None:
            connection.poll_event = self.gate.hold(connection.poll_event)  # type: ignore[method-assign]
        self._ws = connection

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction" and args:
            self.gate.received(args[0])
        super().dispatch(event_name, *args, **kwargs)

    async def setup_hook(self) -> None:
        await self.add_cog(Attendees(self))
        await self.add_cog(Moderation(self))
        await self.add_cog(ScheduleCommands(self))
        await self.add_cog(Organizers(self))
        await self.add_cog(Reminders(self))
        self.add_dynamic_items(VoteButton, RemindButton)
        self.add_view(RemindMenu(self))
        guild = discord.Object(self.settings.guild_id)
        self.tree.copy_global_to(guild=guild)
        self.tree.clear_commands(guild=None)
        await self.tree.sync(guild=guild)
        self.outbox = await Outbox.open(self.settings.database_path, clock=self.clock)
        self.overrides = await self.outbox.overrides()
        self._apply_overrides()
        await self.publisher.load()
        dispatcher = Dispatcher(lambda: self.schedule, self.qa, self.publisher, clock=self.clock, outbox=self.outbox)
        self.announcer = Announcer(self.outbox, dispatcher, clock=self.clock)

    async def on_ready(self) -> None:
        # Scheduled posts start once the server's channels are known; a reconnect does not start them twice.
        if self.announcer is not None and not self.announcer.scheduler.running:
            await self.replan()
            await self.announcer.start()
            await self.sync_events()
            if self.source.is_url and self._poller is None:
                self._poller = asyncio.create_task(self._poll_source(), name="schedule poller")
        self.started.set()

    async def sync_events(self) -> SyncReport:
        """Bring the server's Events tab in line with the schedule in force (one sync at a time)."""
        async with self._events_lock:
            report = await sync_guild_events(self)
        log.info("%s", report.line())
        return report

    async def replan(self) -> None:
        """Make the session announcements in the outbox match the current schedule, job by job."""
        if self.announcer is None:
            return
        async with self.plan_lock:
            await self._replan(self.announcer)

    async def _replan(self, announcer: Announcer) -> None:
        posts = planned_posts(self.schedule, qa_close_after=dt.timedelta(minutes=self.settings.qa_close_after_minutes))
        await announcer.replan(posts, kind=SESSION_KIND)
        # Personal reminders follow their session; those of cancelled or removed sessions are dropped.
        now = self.clock()
        reminders = await announcer.outbox.pending(REMINDER_KIND)
        kept = []
        for item in reminders:
            session = self.schedule.find(item.session_id or "")
            if session is not None and item.created_by is not None:
                kept.append(planned_reminder(session, item.created_by, now))
        await announcer.replan(kept, kind=REMINDER_KIND)

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        if self.announcer is not None and self.announcer.scheduler.running:
            await self.announcer.stop()
        await super().close()
        await self.source.close()
        if self.outbox is not None:
            await self.outbox.close()
            self.outbox = None

    # -- where things go ---------------------------------------------------------------------------------

    @property
    def guild(self) -> discord.Guild | None:
        return self.get_guild(self.settings.guild_id)

    def find_channel(self, wanted: str) -> discord.abc.GuildChannel | None:
        guild = self.guild
        if guild is None:
            return None
        if wanted.isdigit():
            found = guild.get_channel(int(wanted))
            if found is not None:
                return found
        return discord.utils.find(lambda c: c.name.casefold() == wanted.casefold(), guild.channels)

    def announce_channel(self) -> discord.TextChannel:
        channel = self.find_channel(self.settings.announce_channel)
        if not isinstance(channel, discord.TextChannel):
            raise LookupError(f"announcement channel {self.settings.announce_channel!r} is not a text channel here")
        return channel

    def qa_channel(self, session: Session) -> discord.abc.Messageable:
        """Where a session's questions go on stage: the configured Q&A channel, else the session's Q&A thread,
        else the announcement channel."""
        if self.settings.qa_channel:
            channel = self.find_channel(self.settings.qa_channel)
            if isinstance(channel, discord.TextChannel | discord.Thread):
                return channel
        return self.publisher.qa_place(session) or self.announce_channel()

    # -- posting -----------------------------------------------------------------------------------------

    async def post(self, channel: discord.abc.Messageable, content: str, **kwargs: Any) -> discord.Message | None:
        """Post without pinging anyone; Discord errors are logged and give ``None`` (discord.py has already
        waited out rate limits and retried server errors)."""
        kwargs.setdefault("allowed_mentions", discord.AllowedMentions.none())
        try:
            return await channel.send(content, **kwargs)
        except discord.HTTPException as exc:
            log.error("could not post in %s: %s", getattr(channel, "id", channel), exc)
            return None

    async def post_on_stage(self, session: Session, question: Question) -> discord.Message | None:
        return await self.post(self.qa_channel(session), render.on_stage_text(session, question))

    # -- schedule --------------------------------------------------------------------------------------------

    def resolve_session(self, session_id: str | None) -> Session:
        """The session a command means: the one named, else the live session with Q&A, else the next one."""
        if session_id:
            found = self.schedule.find(session_id)
            if found is None:
                raise QARefusal(f"There is no session {session_id!r}; pick one from the list.")
            return found
        current = self.schedule.qa_session_at(self.clock())
        if current is None:
            raise QARefusal("No session with Q&A is on now or later; name one with the `session` option.")
        return current

    def session_choices(
        self, typed: str, *, qa_only: bool = True, sessions: Sequence[Session] | None = None
    ) -> list[app_commands.Choice[str]]:
        """Sessions for autocomplete, live and upcoming first, matching ``typed`` in id or title."""
        now = self.clock()
        schedule = self.schedule
        pool = list(schedule.sessions if sessions is None else sessions)
        wanted = typed.casefold().strip()
        ordered = [s for s in pool if s.start <= now < s.end] + [s for s in pool if s.start > now]
        ordered += [s for s in pool if s not in ordered]
        matches = [
            s for s in ordered if (s.qa or not qa_only) and (wanted in s.id.casefold() or wanted in s.title.casefold())
        ]
        return [app_commands.Choice(name=render.session_choice_label(schedule, s), value=s.id) for s in matches[:25]]

    def _apply_overrides(self) -> Applied:
        applied = apply_overrides(self.source_schedule, self.overrides)
        self.schedule = applied.schedule
        self.cancelled = {s.id: s for s in applied.cancelled}
        return applied

    async def reload_schedule(self) -> str:
        """Read the schedule again (the file, or the URL with a conditional request); keep the one in force when
        the new one is invalid. Returns a report for the organizers."""
        try:
            fetched = await self.source.refresh()
        except ScheduleError as exc:  # the source's first read (a bot started with a schedule in hand) failed
            return f"The schedule was **not** reloaded; the file has problems:\n```\n{exc.render()[:1600]}\n```"
        if fetched.problems:
            self._last_problems = fetched.problems
            return (
                "The schedule was **not** reloaded; the new version has problems (the schedule in force stays):\n"
                f"```\n{fetched.problems[:1600]}\n```"
            )
        self._last_problems = None
        if fetched.from_cache:
            return f"The schedule was not reloaded: {fetched.detail}"
        return await self.adopt_source(fetched.schedule)

    async def _poll_source(self) -> None:
        """A schedule from a URL is checked every few minutes; changes are put in force, refusals reported once."""
        while True:
            await asyncio.sleep(DEFAULT_POLL_SECONDS)
            try:
                fetched = await self.source.refresh()
                if fetched.problems:
                    if fetched.problems != self._last_problems:
                        self._last_problems = fetched.problems
                        await self.notify_organizers(
                            "A new version of the schedule was refused; the one in force stays:\n"
                            f"```\n{fetched.problems[:1600]}\n```"
                        )
                    continue
                self._last_problems = None
                if fetched.changed and not fetched.from_cache:
                    await self.notify_organizers(await self.adopt_source(fetched.schedule))
                elif fetched.from_cache:
                    log.warning("schedule: %s", fetched.detail)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("checking the schedule failed")

    async def notify_organizers(self, text: str) -> None:
        """Tell the organizers (their channel when configured; the log always)."""
        log.info("to organizers: %s", text)
        if self.settings.organizer_channel:
            channel = self.find_channel(self.settings.organizer_channel)
            if isinstance(channel, discord.TextChannel | discord.Thread):
                for piece in split_message(text):
                    await self.post(channel, piece)

    async def adopt_source(self, fresh: Schedule) -> str:
        """Put a new version of the schedule file in force, with the organizers' changes that still apply, and
        re-plan; returns what changed, for the organizers."""
        before = {s.id: s for s in self.source_schedule.sessions}
        after = {s.id: s for s in fresh.sessions}
        added = sorted(after.keys() - before.keys())
        removed = sorted(before.keys() - after.keys())
        changed = sorted(i for i in after.keys() & before.keys() if after[i] != before[i])
        self.source_schedule = fresh
        applied = self._apply_overrides()
        if applied.dropped:
            self.overrides = {k: v for k, v in self.overrides.items() if v not in applied.dropped}
            if self.outbox is not None:
                await self.outbox.save_overrides(self.overrides, ANNOUNCER)
        await self.replan()
        events = await self.sync_events()
        parts = ["Schedule reloaded." if (added or removed or changed) else "Schedule reloaded: nothing changed."]
        for label, ids in (("Added", added), ("Removed", removed), ("Changed", changed)):
            if ids:
                parts.append(f"{label}: " + ", ".join(f"`{i}`" for i in ids))
        if applied.dropped:
            parts.append(
                "The file now has its own times for "
                + ", ".join(f"`{o.session_id}`" for o in applied.dropped)
                + ", so the shifts or cancellations made here no longer apply to them."
            )
        if self.cancelled:
            parts.append("Still cancelled: " + ", ".join(f"`{i}`" for i in sorted(self.cancelled)))
        parts.append(events.line())
        return "\n".join(parts)

    async def change_schedule(self, overrides: dict[str, Override], by: str) -> list[Post]:
        """Put the organizers' new changes in force: save them, re-plan, and post one "Schedule update"."""
        before = {s.id: s for s in self.schedule.sessions}
        was_cancelled = set(self.cancelled)
        self.overrides = overrides
        if self.outbox is not None:
            await self.outbox.save_overrides(overrides, by)
        self._apply_overrides()
        await self.replan()
        moved = [(before[s.id], s) for s in self.schedule.sessions if s.id in before and before[s.id] != s]
        cancelled = [s for i, s in self.cancelled.items() if i not in was_cancelled]
        restored = [s for s in self.schedule.sessions if s.id in was_cancelled]
        posts = schedule_update_posts(self.schedule, moved, cancelled, restored)
        if posts:
            await self.publisher.announce(posts, None)
        await self.sync_events()
        return posts


class StartupError(Exception):
    """The bot cannot start; the message says what to fix."""


async def open_services(settings: Settings) -> tuple[Schedule, QAService, ScheduleSource]:
    """The schedule (from its file or URL, else the cached copy), the Q&A store, and the schedule's source; or a
    :class:`StartupError` saying what is wrong."""
    source = ScheduleSource(settings.schedule, cache_dir=settings.data_dir, timezone=settings.venue_timezone)
    try:
        fetched = await source.load()
    except ScheduleError as exc:
        await source.close()
        raise StartupError(f"the schedule cannot be used:\n{exc.render()}") from None
    if fetched.from_cache or fetched.problems:
        log.warning("schedule: %s", fetched.detail)
    qa = QAService(settings.database_path, config=settings.qa_config())
    try:
        await qa.start()
    except Exception as exc:  # StoreError names the file; anything else is reported the same way
        await source.close()
        raise StartupError(str(exc)) from None
    return fetched.schedule, qa, source


def tune_garbage_collection() -> None:
    """Fewer, cheaper collections for a long-running bot, and garbage that does not pile up in old generations.

    What start-up built is frozen out of every collection. The youngest generation is collected every 50,000
    allocations instead of 700: under a burst discord.py makes thousands of short-lived objects per second, and
    with the default thresholds collections took about half the CPU. The middle generation is collected with
    every other one, and the oldest after ten of those (the defaults are 10 and 100). An interaction's objects
    are linked in cycles, so those still in use at one collection become garbage in an older generation; left
    there, they hold the heap at its high-water mark after a burst (measured with bench/interactions.py, 256
    interactions in flight: +93 MB with (50,000, 20, 100), +44 MB with these; +29 MB with 128 in flight)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 1, 10)


async def run_bot(settings: Settings, *, clock: Clock = system_clock) -> None:
    """Run the bot until it is stopped; :class:`StartupError` when it cannot start."""
    schedule, qa, source = await open_services(settings)
    log.info(
        "starting: %s, %d sessions from %s; server %s; store %s",
        schedule.event.name,
        len(schedule.sessions),
        settings.schedule,
        settings.guild_id,
        settings.database_path,
    )
    tune_garbage_collection()
    bot = ChairBot(settings, schedule, qa, clock=clock, source=source)
    try:
        async with bot:
            try:
                await bot.start(settings.discord_token.get_secret_value())
            except discord.LoginFailure:
                raise StartupError(
                    "Discord refused the token in DISCORD_TOKEN; copy it again from the developer portal "
                    "(Applications > your app > Bot > Reset Token)"
                ) from None
            except discord.PrivilegedIntentsRequired as exc:  # not expected: no privileged intent is asked
                raise StartupError(str(exc)) from None
    finally:
        await qa.close()
