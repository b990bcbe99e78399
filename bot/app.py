"""The wiring: settings → stores → the application core → adapters, and closing them in the reverse order.

The one module that imports the adapters (:mod:`bot.on_discord`, :mod:`bot.web`, :mod:`bot.console`,
:mod:`bot.http_fetch`).
``chairbot run`` uses :func:`run_bot`, ``chairbot preflight`` :func:`preflight`, ``chairbot rehearse``
:func:`rehearse`, and the tests :func:`discord_app` and :func:`rehearse` as well, so nothing is wired twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from bot.chair import Chair
from bot.clock import Clock, SteppedClock, system_clock
from bot.config import Settings, room_channel, url_host
from bot.console.crowd import Crowd
from bot.console.rehearse import (
    REHEARSAL_ORGANIZER,
    ConsolePublisher,
    RehearsalRoster,
    RehearsalSummary,
    header,
    play,
    window,
)
from bot.errors import StartupError
from bot.health import GatewayStats
from bot.http_fetch import HttpFetcher
from bot.on_discord.client import ChairBot
from bot.on_discord.events_tab import DiscordEventsTab
from bot.on_discord.gate import InteractionGate
from bot.on_discord.preflight import Check, run_checks
from bot.on_discord.publisher import DiscordPublisher
from bot.on_discord.roster import DiscordRoster
from bot.qa.service import QAService
from bot.schedule.errors import ScheduleError
from bot.schedule.model import Schedule
from bot.schedule.source import ScheduleSource
from bot.web.server import bound_port, make_app, start_site

log = logging.getLogger(__name__)


async def open_services(
    settings: Settings, *, clock: Clock = system_clock
) -> tuple[Schedule, QAService, ScheduleSource]:
    """The schedule (from its file or URL, else the cached copy), the Q&A store, and the schedule's source; or a
    :class:`StartupError` saying what is wrong."""
    source = ScheduleSource(
        settings.schedule, cache_dir=settings.data_dir, timezone=settings.venue_timezone, fetcher=HttpFetcher()
    )
    try:
        fetched = await source.load()
    except ScheduleError as exc:
        await source.close()
        raise StartupError(f"the schedule cannot be used:\n{exc.render()}") from None
    if fetched.from_cache or fetched.problems:
        log.warning("schedule: %s", fetched.detail)
    qa = QAService(settings.database_path, config=settings.qa_config(), clock=clock)
    try:
        await qa.start()
    except Exception as exc:  # StoreError names the file; anything else is reported the same way
        await source.close()
        raise StartupError(str(exc)) from None
    return fetched.schedule, qa, source


@asynccontextmanager
async def discord_app(
    settings: Settings, *, clock: Clock = system_clock, gate: InteractionGate | None = None
) -> AsyncIterator[ChairBot]:
    """The Discord bot for ``settings``, its core open and its adapters attached, ready to ``start``; everything
    is closed on the way out (posts under way finish first)."""
    schedule, qa, source = await open_services(settings, clock=clock)
    try:
        bot = ChairBot(settings.guild_id, gate=gate)
        chair = Chair(settings, schedule, qa, source, clock=clock)
        publisher = DiscordPublisher(bot, settings)
        chair.attach(publisher, DiscordEventsTab(bot, settings.guild_id), DiscordRoster(bot, settings.guild_id))
        bot.chair = chair
        await chair.open()
        try:
            assert chair.file is not None
            await publisher.load(chair.file)
            async with bot, _web_side(chair, settings.web_address, bot.gateway_stats) as base:
                if base is not None:
                    log.info("web side on %s/", base)
                yield bot
        finally:
            await chair.close()
    finally:
        await source.close()
        await qa.close()


@asynccontextmanager
async def _web_side(
    chair: Chair, address: tuple[str, int] | None, gateway: Callable[[], GatewayStats | None] | None = None
) -> AsyncIterator[str | None]:
    """The web side of ``chair`` on ``address`` while the block runs, as its base URL (None without an address:
    the web side is off)."""
    if address is None:
        yield None
        return
    host, port = address
    try:
        runner = await start_site(make_app(chair, gateway=gateway), host, port)
    except OSError as exc:
        raise StartupError(f"the web side cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    chair.web_served_at = f"http://{url_host(host)}:{bound_port(runner)}"
    try:
        yield chair.web_served_at
    finally:
        chair.web_served_at = None
        await runner.cleanup()


def web_pages(chair: Chair, base: str) -> str:
    """One line per page of the web side, the dashboard's link signed in (a rehearsal's organizer)."""
    first = next(iter(chair.qa_sessions_now()), None) or next((s for s in chair.schedule.sessions if s.qa), None)
    lines = [
        f"Web side on {base}/",
        f"  schedule      {base}/   (calendar: {base}/schedule.ics)",
        f"  moderate      {chair.sign_in_link(REHEARSAL_ORGANIZER, base)}   (signs you in as the organizer)",
    ]
    if first is not None:
        lines.append(f"  stage         {base}/stage/{first.id}   (the projector; other sessions: /stage/ID)")
        if chair.settings.web_ask:
            lines.append(f"  ask           {base}/ask/{first.id}")
    lines.append(f"  health        {base}/healthz · metrics {base}/metrics")
    return "\n".join(lines) + "\n\n"


@asynccontextmanager
async def _crowd(chair: Chair, size: int) -> AsyncIterator[Crowd | None]:
    """``size`` simulated attendees asking and voting while the block runs (none when ``size`` is 0)."""
    if size <= 0:
        yield None
        return

    def taking_questions() -> list[tuple[str, str]]:
        now = chair.clock()
        return [(s.id, s.title) for s in chair.schedule.sessions if s.qa and s.start <= now < chair.qa_closes_at(s)]

    crowd = Crowd(chair.qa, size, taking_questions, asks_per_s=min(2.0, 0.05 * size), votes_per_s=min(50.0, 0.5 * size))
    task = asyncio.create_task(crowd.run(), name="simulated crowd")
    try:
        yield crowd
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def tune_garbage_collection() -> None:
    """Fewer, cheaper collections for a long-running bot, and garbage that does not pile up in old generations.

    What start-up built is frozen out of every collection. The youngest generation is collected every 50,000
    allocations instead of 700: under a burst discord.py makes thousands of short-lived objects per second, and
    with the default thresholds collections took about half the CPU. The middle generation is collected with
    every other one, and the oldest after ten of those (the defaults are 10 and 100). An interaction's objects
    are linked in cycles, so those still in use at one collection become garbage in an older generation; left
    there, they hold the heap at its high-water mark after a burst (bench/README.md has the figures)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 1, 10)


async def run_bot(settings: Settings, *, clock: Clock = system_clock) -> None:
    """Run the bot until it is stopped; :class:`StartupError` when it cannot start."""
    async with discord_app(settings, clock=clock) as bot:
        chair = bot.chair
        log.info(
            "starting: %s, %d sessions from %s; server %s; store %s",
            chair.schedule.event.name,
            len(chair.schedule.sessions),
            settings.schedule,
            settings.guild_id,
            settings.database_path,
        )
        tune_garbage_collection()
        await bot.serve(settings.discord_token.get_secret_value())


async def preflight(settings: Settings) -> list[Check]:
    """Check the server, channels, roles and permissions over Discord's HTTP API."""
    return await run_checks(settings)


async def rehearse(
    schedule: Schedule,
    *,
    speed: float,
    out: TextIO,
    start: dt.datetime | None = None,
    until: dt.datetime | None = None,
    qa_close_after: dt.timedelta = dt.timedelta(minutes=10),
    catch_up: bool = False,
    web: tuple[str, int] | None = None,
    stay: bool = False,
    crowd: int = 0,
    rooms: dict[str, str] | None = None,
    channels: tuple[str, str | None] = ("announcements", None),
) -> RehearsalSummary:
    """Play the day from ``start`` to ``until`` (simulated) on the console and print every message; returns what
    happened. The real core runs on a throwaway store, with the console as its publisher.

    Posts due before ``start`` are left out, unless ``catch_up``: then the rehearsal starts as the bot would after
    a restart at ``start``, posting what is still useful (marked late) and skipping what is stale. With ``web``
    (host, port) the web side serves the same core while the day plays (its pages are printed first, the
    dashboard's link signed in), and with ``stay`` after it too, until the task is cancelled (Ctrl-C); ``crowd``
    simulated attendees ask and vote in the sessions taking questions; ``rooms`` maps rooms to channels as the
    setting of that name does, and ``channels`` names the announcement and Q&A channels (None: a thread per
    talk)."""
    routed = (lambda session: room_channel(rooms, session.room, session.track) is not None) if rooms else None
    begin, end, posts = window(
        schedule, start=start, until=until, qa_close_after=qa_close_after, catch_up=catch_up, routed=routed
    )
    clock = SteppedClock(begin, speed=speed)
    out.write(header(schedule, begin, end, len(posts), speed))
    with tempfile.TemporaryDirectory(prefix="chairbot-rehearsal-") as tmp:
        settings = Settings.for_rehearsal(
            Path(tmp),
            qa_close_after_minutes=int(qa_close_after.total_seconds() // 60),
            web_ask=web is not None,
            rooms=rooms,
            announce_channel=channels[0],
            qa_channel=channels[1],
        )
        qa = QAService(settings.database_path, config=settings.qa_config(), clock=clock)
        await qa.start()
        try:
            # Sign-in links expire in real minutes, not in the rehearsal's fast ones.
            chair = Chair(settings, schedule, qa, None, clock=clock, wall_clock=system_clock)
            publisher = ConsolePublisher(schedule, clock, out, announce_channel=channels[0], qa_channel=channels[1])
            chair.attach(publisher, roster=RehearsalRoster())
            await chair.open()
            try:
                async with _web_side(chair, web) as base, _crowd(chair, crowd):
                    if base is not None:
                        out.write(web_pages(chair, base))
                        out.flush()
                    summary = await play(chair, posts, clock, publisher)
                    if web is not None and stay:
                        out.write("The day is over; the web side stays up until Ctrl-C.\n")
                        out.flush()
                        await asyncio.Event().wait()
                return summary
            finally:
                await chair.close()
        finally:
            await qa.close()
