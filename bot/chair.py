"""The application core: :class:`Chair` owns the event day, whatever carries it (Discord, the web, the console).

It holds the schedule in force (the file's version with the organizers' changes), re-plans the announcements when
it changes, runs the announcer over the outbox, keeps personal reminders and the Events-tab plan in step, and
reports its health. Its methods are what people can do ("shift from this session by 15 minutes", "put the next
question on stage", "toggle my reminder"); each returns plain data that an adapter renders, or raises
:class:`~bot.errors.Refusal` with a sentence for the person who asked. Side effects go through the ports in
:mod:`bot.ports`. No discord.py, no aiohttp: an import-linter contract holds this.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import Sequence

from bot.announce.announcer import Announcer
from bot.announce.digest import DIGEST, planned_digests, slots
from bot.announce.direct import ClosedDirectMessages
from bot.announce.dispatch import ANNOUNCER, Dispatcher
from bot.announce.messages import schedule_update_posts
from bot.announce.notes import NOTE_KIND, planned_note
from bot.announce.outbox import Item, Outbox, Status
from bot.announce.reminders import REMINDER_KIND, planned_reminder, reminder_id
from bot.announce.sessions import SESSION_KIND, planned_posts
from bot.announce.when import parse_when
from bot.clock import Clock
from bot.config import Settings
from bot.db import DatabaseError, SqliteFile, write_probe
from bot.errors import Refusal
from bot.events_tab import EventIds, SyncReport, ended_between, sync_events
from bot.health import GatewayStats, Health
from bot.live import SCHEDULE, ChangeFeed
from bot.messages import Post
from bot.ports import EventsTab, Publisher, Roster
from bot.qa.model import Question
from bot.qa.model import Status as QuestionStatus
from bot.qa.service import QAService
from bot.render import session_title
from bot.results import ReminderToggle, ShiftResult, StageResult
from bot.schedule.errors import ScheduleError
from bot.schedule.model import Schedule, Session
from bot.schedule.override_store import OverrideStore
from bot.schedule.overrides import Applied, Override, set_cancelled, shift_from, shift_scope
from bot.schedule.overrides import apply as apply_overrides
from bot.schedule.source import DEFAULT_POLL_SECONDS, ScheduleSource
from bot.signin import Member, Role, SignIn, stored_secret

log = logging.getLogger(__name__)

#: How often (real seconds) the Events tab's keeper looks whether a session ended, and syncs again regardless.
EVENTS_TAB_LOOK_SECONDS = 1.0
EVENTS_TAB_RESYNC_SECONDS = 300.0


class Chair:
    """The event day. Build it, :meth:`attach` the adapters' ports, :meth:`open`, then :meth:`start` once the
    transport is up; :meth:`close` at the end."""

    def __init__(
        self,
        settings: Settings,
        schedule: Schedule,
        qa: QAService,
        source: ScheduleSource | None,
        *,
        clock: Clock,
        wall_clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        #: The schedule as the file has it; ``schedule`` is what is in force, with the organizers' changes.
        self.source_schedule = schedule
        self.schedule = schedule
        self.overrides: dict[str, Override] = {}
        self.cancelled: dict[str, Session] = {}
        self.qa = qa
        self.source = source
        self.clock = clock
        #: The clock that sign-in links and cookies expire on: the event's, except in a rehearsal, whose fast
        #: clock would expire a link before anyone could follow it.
        self.wall_clock = wall_clock or clock
        self.publisher: Publisher | None = None
        self.events_tab: EventsTab | None = None
        self.roster: Roster | None = None
        #: What changed, for live pages: Q&A changes as they commit, schedule changes as they are put in force.
        self.feed = ChangeFeed()
        qa.on_commit(self.feed.publish)
        #: Signs the web side's links and cookies, once :meth:`open` has run.
        self.sign_in: SignIn | None = None
        #: Where the web side listens once it does (``http://host:port``, the port as bound), for its links.
        self.web_served_at: str | None = None
        #: The shared SQLite file and the tables the core owns in it, once :meth:`open` has run.
        self.file: SqliteFile | None = None
        self.outbox: Outbox | None = None
        self.override_store: OverrideStore | None = None
        self.event_ids: EventIds | None = None
        self.announcer: Announcer | None = None
        self.closed_dms: ClosedDirectMessages | None = None
        #: Held while the outbox's plan is rebuilt, so a reminder set meanwhile is not lost.
        self.plan_lock = asyncio.Lock()
        self._events_lock = asyncio.Lock()
        #: Set once start-up work (re-planning, catching up, the Events tab) is done.
        self.started = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._events_keeper: asyncio.Task[None] | None = None
        #: When the Events tab was last synced: on the clock, and in real (monotonic) seconds.
        self._events_synced: tuple[dt.datetime, float] | None = None
        self._last_problems: str | None = None
        #: Since when the schedule's URL has not answered (its cached copy in force); None while it answers.
        self.source_failing_since: dt.datetime | None = None

    @property
    def last_problems(self) -> str | None:
        """The problems of the newest version of the schedule that was refused (None: the last check was fine)."""
        return self._last_problems

    def attach(
        self, publisher: Publisher, events_tab: EventsTab | None = None, roster: Roster | None = None
    ) -> None:
        """Plug in where posts go and, where there are, the Events tab and who holds which role."""
        self.publisher = publisher
        self.events_tab = events_tab
        self.roster = roster

    # -- life cycle ------------------------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the outbox, put the stored changes in force and prepare the announcer (nothing is posted yet)."""
        if self.publisher is None:
            raise RuntimeError("attach a publisher before opening the chair")
        self.file = await SqliteFile.open(self.settings.database_path)
        self.outbox = await Outbox.on(self.file, clock=self.clock)
        self.override_store = await OverrideStore.on(self.file, clock=self.clock)
        self.event_ids = await EventIds.on(self.file)
        secret = self.settings.web_secret
        key = secret.get_secret_value() if secret is not None else await stored_secret(self.file)
        self.sign_in = SignIn(key, self.wall_clock)
        self.overrides = await self.override_store.load()
        self._apply_overrides()
        self.closed_dms = await ClosedDirectMessages.on(self.file, self.clock)
        dispatcher = Dispatcher(
            lambda: self.schedule,
            self.qa,
            self.publisher,
            clock=self.clock,
            outbox=self.outbox,
            route=self.channel_for,
            closed=self.closed_dms,
        )
        # Reminders go out through a paced queue: a popular talk's burst must not look like spam to Discord.
        self.announcer = Announcer(
            self.outbox,
            dispatcher,
            clock=self.clock,
            paced=frozenset({REMINDER_KIND}),
            rate=self.settings.reminders_per_second,
        )

    async def start(self) -> None:
        """Plan, start posting on time (catching up what is due), sync the Events tab, and poll a schedule URL.
        Called again (a reconnect), it changes nothing."""
        if self.announcer is not None and not self.announcer.scheduler.running:
            await self.replan()
            await self.announcer.start()
            await self.sync_events()
            if self.events_tab is not None and self._events_keeper is None:
                self._events_keeper = asyncio.create_task(self._keep_events_tab(), name="events tab keeper")
            if self.source is not None and self.source.is_url and self._poller is None:
                self._poller = asyncio.create_task(self._poll_source(), name="schedule poller")
        self.started.set()

    async def close(self) -> None:
        """Stop polling and posting (posts under way finish), and close the outbox."""
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        if self._events_keeper is not None:
            self._events_keeper.cancel()
            self._events_keeper = None
        if self.announcer is not None and self.announcer.scheduler.running:
            await self.announcer.stop()
        if self.outbox is not None:
            await self.outbox.close()
            self.outbox = None
        if self.file is not None:
            await self.file.close()
            self.file = None

    # -- planning ---------------------------------------------------------------------------------------------

    async def replan(self) -> None:
        """Make the session announcements in the outbox match the schedule in force, job by job."""
        if self.announcer is None:
            return
        async with self.plan_lock:
            await self._replan(self.announcer)

    async def _replan(self, announcer: Announcer) -> None:
        posts = planned_posts(self.schedule, qa_close_after=dt.timedelta(minutes=self.settings.qa_close_after_minutes))
        await announcer.replan(posts, kind=SESSION_KIND)
        # At a multi-room event, one digest in the announcement channel for sessions starting together.
        routed = slots(self.schedule, lambda session: self.channel_for(session) is not None)
        await announcer.replan(planned_digests(routed), kind=DIGEST)
        # Personal reminders follow their session; those of cancelled or removed sessions are dropped.
        now = self.clock()
        kept = []
        for item in await announcer.outbox.pending(REMINDER_KIND):
            session = self.schedule.find(item.session_id or "")
            if session is not None and item.created_by is not None:
                kept.append(planned_reminder(session, item.created_by, now))
        await announcer.replan(kept, kind=REMINDER_KIND)

    async def sync_events(self) -> SyncReport:
        """Bring the Events tab in line with the schedule in force (one sync at a time): events for the next
        ``events_tab_max`` sessions."""
        if self.events_tab is None or self.event_ids is None:
            return SyncReport()
        async with self._events_lock:
            now = self.clock()
            reached = self.events_tab.available()
            report = await sync_events(
                self.schedule, now, self.event_ids, self.events_tab, limit=self.settings.events_tab_max
            )
            if reached:
                self._events_synced = (now, time.monotonic())
        log.log(logging.INFO if report.changed else logging.DEBUG, "%s", report.line())
        return report

    async def _keep_events_tab(self) -> None:
        """Sync the Events tab again once a session has ended since the last sync, and every few minutes anyway.

        Discord ends a session's event at its end and so frees a place in the window; this sync gives it to the next
        session. Syncs already follow every schedule change; looking at the clock every second is the simplest
        trigger for the ends that also holds: unlike the announcer's posts, it needs none near every end (a room's
        last talk, a poster session), it follows any clock (a restart mid-day, a test that moves time), and the
        regular sync retries what Discord refused or failed."""
        while True:
            await asyncio.sleep(EVENTS_TAB_LOOK_SECONDS)
            try:
                last = self._events_synced
                if (
                    last is None
                    or ended_between(self.schedule, last[0], self.clock())
                    or time.monotonic() - last[1] >= EVENTS_TAB_RESYNC_SECONDS
                ):
                    await self.sync_events()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("keeping the Events tab in step failed")

    def channel_for(self, session: Session) -> str | None:
        """Where posts about ``session`` go: its room's channel (``rooms`` in the settings; its track's when its
        room has none); None is the announcement channel. The one place rooms are routed to channels."""
        return self.settings.room_channel(session.room, session.track)

    # -- sessions ---------------------------------------------------------------------------------------------

    def resolve_session(self, session_id: str | None) -> Session:
        """The session a Q&A request means: the one named, else the live session with Q&A, else the next one."""
        if session_id:
            found = self.schedule.find(session_id)
            if found is None:
                raise Refusal(f"There is no session {session_id!r}; pick one from the list.")
            return found
        current = self.schedule.qa_session_at(self.clock())
        if current is None:
            raise Refusal("No session with Q&A is on now or later; name one with the `session` option.")
        return current

    def sessions_for_choice(
        self, typed: str, *, qa_only: bool = True, sessions: Sequence[Session] | None = None
    ) -> list[Session]:
        """Sessions matching ``typed`` in id or title, live and upcoming first (at most 25, Discord's limit)."""
        now = self.clock()
        pool = list(self.schedule.sessions if sessions is None else sessions)
        wanted = typed.casefold().strip()
        ordered = [s for s in pool if s.start <= now < s.end] + [s for s in pool if s.start > now]
        ordered += [s for s in pool if s not in ordered]
        matches = [
            s for s in ordered if (s.qa or not qa_only) and (wanted in s.id.casefold() or wanted in s.title.casefold())
        ]
        return matches[:25]

    # -- changing the schedule on the day -------------------------------------------------------------------

    def _first_to_shift(self, session_id: str | None) -> Session:
        if session_id:
            found = self.schedule.find(session_id)
            if found is None:
                raise Refusal(f"There is no session {session_id!r} in force.")
            return found
        now = self.clock()
        live = self.schedule.live_at(now)
        found = live[-1] if live else next(iter(self.schedule.upcoming(now, 1)), None)
        if found is None:
            raise Refusal("Nothing is on now or later; name the first session to move.")
        return found

    async def shift(self, minutes: int, session_id: str | None, by: str) -> ShiftResult:
        """Move ``session_id`` (default: the one on now, else the next) and everything after it by ``minutes``;
        a session that is on keeps its start and ends later (or earlier)."""
        first = self._first_to_shift(session_id)
        now = self.clock()
        try:
            changed = shift_from(self.source_schedule, self.schedule, self.overrides, first, minutes, now=now)
        except ValueError as exc:
            raise Refusal(f"Not shifted: {exc}.") from None
        scope = shift_scope(self.schedule, first, now)
        posts = await self.change_schedule(changed, by)
        running = tuple(self.schedule.find(s.id) or s for s in scope.running)
        return ShiftResult(first, minutes, running, len(scope.moving), bool(posts))

    async def cancel_session(self, session_id: str, by: str) -> Session:
        target = self.schedule.find(session_id)
        if target is None:
            raise Refusal(f"There is no session {session_id!r} in force (already cancelled?).")
        await self.change_schedule(set_cancelled(self.source_schedule, self.overrides, target.id, True), by)
        return target

    async def restore_session(self, session_id: str, by: str) -> Session | None:
        """Bring back a cancelled session; the session as now in force."""
        if session_id not in self.cancelled:
            raise Refusal(f"{session_id!r} is not cancelled.")
        await self.change_schedule(set_cancelled(self.source_schedule, self.overrides, session_id, False), by)
        return self.schedule.find(session_id)

    def _apply_overrides(self) -> Applied:
        applied = apply_overrides(self.source_schedule, self.overrides)
        self.schedule = applied.schedule
        self.cancelled = {s.id: s for s in applied.cancelled}
        return applied

    async def change_schedule(self, overrides: dict[str, Override], by: str) -> list[Post]:
        """Put the organizers' new changes in force: save them, re-plan, and post one "Schedule update"."""
        before = {s.id: s for s in self.schedule.sessions}
        was_cancelled = set(self.cancelled)
        self.overrides = overrides
        if self.override_store is not None:
            await self.override_store.save(overrides, by)
        self._apply_overrides()
        await self.replan()
        self.feed.publish([SCHEDULE])
        moved = [(before[s.id], s) for s in self.schedule.sessions if s.id in before and before[s.id] != s]
        cancelled = [s for i, s in self.cancelled.items() if i not in was_cancelled]
        restored = [s for s in self.schedule.sessions if s.id in was_cancelled]
        posts = schedule_update_posts(self.schedule, moved, cancelled, restored)
        if posts and self.publisher is not None:
            await self.publisher.announce(posts, None)
        await self.sync_events()
        return posts

    # -- a new version of the schedule file -------------------------------------------------------------------

    async def reload(self) -> str:
        """Read the schedule again (the file, or the URL with a conditional request); keep the one in force when
        the new one is invalid. Returns a report for the organizers."""
        if self.source is None:
            raise Refusal("This schedule was given without a file or address to read again.")
        try:
            fetched = await self.source.refresh()
        except ScheduleError as exc:  # the source's first read (a bot started with a schedule in hand) failed
            return f"The schedule was **not** reloaded; the file has problems:\n```\n{exc.render()[:1600]}\n```"
        self.source_answered(fetched.from_cache)
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
        assert self.source is not None
        while True:
            await asyncio.sleep(DEFAULT_POLL_SECONDS)
            try:
                fetched = await self.source.refresh()
                self.source_answered(fetched.from_cache)
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

    def source_answered(self, from_cache: bool) -> None:
        """Note whether the schedule's source answered the latest check (``from_cache``: it did not)."""
        if not from_cache:
            self.source_failing_since = None
        elif self.source_failing_since is None:
            self.source_failing_since = self.clock()

    async def notify_organizers(self, text: str) -> None:
        """Tell the organizers (their channel when configured; the log always)."""
        log.info("to organizers: %s", text)
        if self.publisher is not None:
            await self.publisher.to_organizers(text)

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
            if self.override_store is not None:
                await self.override_store.save(self.overrides, ANNOUNCER)
        await self.replan()
        self.feed.publish([SCHEDULE])
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

    # -- questions --------------------------------------------------------------------------------------------

    def qa_closes_at(self, session: Session) -> dt.datetime:
        """When the session's Q&A closes: its end and ``qa_close_after_minutes``."""
        return session.end + dt.timedelta(minutes=self.settings.qa_close_after_minutes)

    def qa_sessions_now(self) -> list[Session]:
        """Sessions with Q&A whose questions are being taken now (from their start until Q&A closes), and if
        there are none, the next one: what a moderator's dashboard shows first."""
        now = self.clock()
        with_qa = [s for s in self.schedule.sessions if s.qa]
        live = [s for s in with_qa if s.start <= now < self.qa_closes_at(s)]
        if live:
            return live
        later = [s for s in with_qa if s.start > now]
        return later[:1]

    async def next_on_stage(
        self,
        session_id: str | None,
        moderator: str,
        previous: QuestionStatus,
        expected_on_stage: int | None = None,
    ) -> StageResult:
        """Put the top queued question of the session on stage (what was there becomes ``previous``) and show it
        where the session's Q&A happens. Two moderators at once never put two questions on stage: the pull is
        one transaction in the Q&A store."""
        session = self.resolve_session(session_id)
        result = await self.qa.pull_next(session.id, moderator, previous=previous, expected_on_stage=expected_on_stage)
        return await self._shown_on_stage(session, result.question)

    async def put_on_stage(self, question_id: int, moderator: str, previous: QuestionStatus) -> StageResult:
        """Put the question the moderator picked on stage (what was there becomes ``previous``) and show it where
        the session's Q&A happens, as :meth:`next_on_stage` does."""
        picked = await self.qa.get(question_id)
        session = self.schedule.find(picked.session_id)
        if session is None:
            raise Refusal(f"Question {question_id} belongs to {picked.session_id!r}, which is not in force.")
        result = await self.qa.put_on_stage(question_id, moderator, previous=previous)
        return await self._shown_on_stage(session, result.question)

    async def _shown_on_stage(self, session: Session, question: Question | None) -> StageResult:
        if question is None:
            return StageResult(session, None, posted=False)
        posted = (
            self.publisher is not None
            and await self.publisher.on_stage(session, question, self.channel_for(session)) is not None
        )
        return StageResult(session, question, posted)

    # -- the web side's people --------------------------------------------------------------------------------

    async def member_with(self, member_id: str, needed: Role) -> Member:
        """The member as they are now, if they still hold ``needed`` (or a role above it); else :class:`Refusal`.
        Checked on every action the web side takes for someone."""
        member = await self.roster.member(member_id) if self.roster is not None else None
        if member is None or not member.role.may(needed):
            raise Refusal(f"You no longer hold a role that may do this (it needs the {needed.value} role).")
        return member

    def sign_in_link(self, member: Member, base_url: str | None = None) -> str:
        """A personal link that signs ``member`` in to the web side (valid for a few minutes), on ``base_url``
        (default: ``public_url``, else where this process serves it); :class:`Refusal` when the web side is off."""
        base = base_url or self.settings.public_url or self.web_served_at
        if base is None or self.sign_in is None:
            raise Refusal("The web side is off: set `web_listen` (and `public_url` behind a proxy) to use it.")
        return f"{base}/signin/{self.sign_in.link_token(member)}"

    # -- reminders --------------------------------------------------------------------------------------------

    async def toggle_reminder(self, session: Session, user_id: str) -> ReminderToggle:
        """Set a reminder for ``user_id`` before ``session``, or take it back when one is set."""
        announcer = self._announcer()
        now = self.clock()
        if session.start <= now:
            raise Refusal(f"{session_title(session)} has already started.")
        async with self.plan_lock:
            existing = await announcer.outbox.get(reminder_id(session.id, user_id))
            if existing is not None and existing.status is Status.PLANNED:
                await announcer.cancel(existing.id, user_id)
                return ReminderToggle(session, is_set=False, due_at=None)
            item = await announcer.outbox.renew(planned_reminder(session, user_id, now))
            announcer.schedule(item)
        if self.closed_dms is not None:
            await self.closed_dms.forget(user_id)  # if their messages are still closed, they are told again
        return ReminderToggle(session, is_set=True, due_at=item.due_at)

    # -- organizers' announcements ----------------------------------------------------------------------------

    def when(self, text: str) -> dt.datetime:
        """An organizer's time (``15:30`` at the venue, ``2024-05-11 15:30``, ``15:30 America/New_York``,
        ``in 20 min``) as an instant; :class:`Refusal` saying what is wrong with it."""
        try:
            return parse_when(text, self.schedule.event.timezone, self.clock())
        except ValueError as exc:
            raise Refusal(f"Not scheduled: {exc}") from None

    async def schedule_note(self, text: str, channel: str | None, at: dt.datetime, by: str) -> Item:
        """Post ``text`` in ``channel`` at ``at`` (stored: it survives a restart)."""
        announcer = self._announcer()
        number = await announcer.outbox.next_number(NOTE_KIND)
        return await announcer.add(planned_note(number, text, channel, at, by))

    async def notes(self) -> list[Item]:
        """Scheduled announcements not yet posted, soonest first."""
        return await self._announcer().outbox.pending(NOTE_KIND)

    async def cancel_note(self, note_id: str, by: str) -> bool:
        """Withdraw a scheduled announcement; False when there is none by that id waiting."""
        item = await self._announcer().outbox.get(note_id)
        if item is None or item.kind != NOTE_KIND:
            return False
        return await self._announcer().cancel(note_id, by)

    # -- health -----------------------------------------------------------------------------------------------

    async def health(self, gateway: GatewayStats | None = None, *, probe_database: bool = True) -> Health:
        """The state at a glance: what is next, what was last posted and how late, the outbox and the questions."""
        outbox_counts: dict[str, int] = {}
        next_id: str | None = None
        next_at: dt.datetime | None = None
        last = None
        if self.announcer is not None:
            outbox_counts = {status.value: n for status, n in (await self.announcer.outbox.counts()).items()}
            pending = await self.announcer.outbox.pending()
            if pending:
                next_id, next_at = pending[0].id, pending[0].due_at
            last = self.announcer.last
        questions = {status.value: n for status, n in (await self.qa.counts()).items()}
        gateway = gateway or GatewayStats()
        # A committed write, with its fsync: for health checks, not for every metrics scrape.
        database_error = await self._database_error() if probe_database else None
        return Health(
            now=self.clock(),
            next_announcement=next_id,
            next_at=next_at,
            last_posted=last[0] if last else None,
            last_outcome=last[1] if last else None,
            last_lateness_s=last[2].total_seconds() if last else None,
            outbox=outbox_counts,
            questions=questions,
            cancelled_sessions=sorted(self.cancelled),
            latency_ms=gateway.latency_ms,
            interactions_in_flight=gateway.in_flight,
            gateway_pauses=gateway.pauses,
            interactions_dropped=gateway.dropped,
            database_error=database_error,
            source_failing_since=self.source_failing_since,
        )

    async def _database_error(self) -> str | None:
        """Why the shared SQLite file cannot be written to now (read-only, disk full, locked too long); None when
        a small write commits."""
        if self.file is None:
            return "not open"
        try:
            await self.file.run(write_probe, self.file.conn, self.clock())
        except (sqlite3.Error, DatabaseError) as exc:
            return str(exc)
        return None

    def _announcer(self) -> Announcer:
        if self.announcer is None:
            raise RuntimeError("the chair is not open")
        return self.announcer
