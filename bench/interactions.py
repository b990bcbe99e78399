"""End-to-end benchmark of chairbot's Discord adapter: slash commands and upvote clicks per second, latency and memory.

The local Discord emulator (``tests.emulator``) runs in its own process (``EmulatorProcess``, loopback only); the
real ``ChairBot`` runs against it with the real discord.py: a real SQLite ``QAService`` in a temporary directory, a
schedule file with a talk live at the injected clock's time (a clock running at real speed from inside the talk, so
the announcer does not see the talk's Q&A as over), the per-user ask limit raised so no ask is refused. Each bot
gets a fresh emulator with the same guild: ``--users`` bulk members and a ``#questions`` channel.

Before measuring, ``--board`` questions are asked through the emulator and the bot posts one message carrying their
upvote buttons (the view ``/questions`` shows, custom_id ``qa:vote:<question id>``); every click is a click on one of
those buttons (clicking again takes the vote back, as in the bot). Discord sends the clicked message with every click,
so the noop bot posts the very same board (text and button labels; stderr shows both sizes). Then:

1. Burst: ``--asks`` ``/ask`` (distinct texts) and ``--clicks`` clicks, shuffled, from ``--users`` users, sent with
   the emulator's bulk send (``POST /_emulator/interactions``) as fast as the bot answers: at most ``--in-flight``
   (512) wait for their answer at once, and each answer lets the next one go (attendees who click again once
   answered; one never answered frees its place after 3 s, when Discord's client gives up on it). The emulator
   creates each interaction, and so stamps its id with the time, only when it sends it. The figure is callbacks per
   second: interactions answered divided by the time from the first send to the last callback. ``--in-flight 0``
   offers all of them at once instead, paced only by how fast the bot reads the socket; ``--burst-rate`` paces
   them at a rate.
2. Sustained: ``--rate`` interactions per second for ``--seconds``, the same mix of asks and clicks. Latency is the
   time from the emulator writing ``INTERACTION_CREATE`` to receiving the callback, as the emulator records it.

The same load runs against a bot whose handlers only acknowledge (the attendee commands' names and options, a
``DynamicItem`` button with the same custom_id template, each handler ``send_message("ok", ephemeral=True)``).

Each bot runs in a new interpreter (``--child``), so one run's heap and garbage collector do not carry over into the
next; ``--rounds`` (5) rounds run both bots, the order swapped every round, because this kind of machine drifts by
10-20 % in speed from one minute to the next. The figures are medians over the rounds; each round is on stderr.

chairbot holds at most 128 interactions unanswered (``bot/flow.py``): beyond that it leaves the rest in the
socket, and drops unread any that is older than 2.5 s when it gets to it (Discord would refuse the answer). Those
count as unanswered below; the burst figure counts answered interactions only.

Discord refuses a callback after 3 s. By default the emulator accepts late callbacks (``--deadline 0``) and they
are counted as late, so that percentiles do not silently leave them out. ``--deadline 3`` gives Discord's behaviour.

Prints one JSON line to stdout: ``asks_per_s`` (chairbot burst callbacks/s), ``noop_per_s`` (the same for the noop
bot), ``ratio`` (of those two medians), ``p99_ack_ms`` (chairbot, sustained phase) and ``rss_growth_mb`` (chairbot's
process VmRSS after the sustained phase minus before the burst, each read after a ``gc.collect()``). Details go to
stderr, per bot and phase: answered (of them deferred), late (over 3 s, or refused for it), other refusals,
unanswered; p50/p90/p99; the send rate achieved; CPU seconds of the bot's process and of the emulator's; the most
asyncio tasks and open descriptors at once; garbage collector pauses; the replies; peak RSS, RSS after
``malloc_trim`` and the growth in GC-tracked objects.

Run from the project root::

    .venv/bin/python -m bench.interactions                      # 3,000 asks + 10,000 clicks, 300/s for 20 s
    .venv/bin/python -m bench.interactions --asks 300 --clicks 1000 --users 200 --seconds 3 --rounds 1  # quick
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import ctypes
import ctypes.util
import datetime as dt
import gc
import json
import logging
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.app import discord_app, tune_garbage_collection
from bot.chair import Chair
from bot.clock import ShiftedClock
from bot.config import Settings
from bot.messages import MESSAGE_LIMIT
from bot.on_discord.attendees import vote_view
from bot.on_discord.client import ChairBot
from bot.qa.model import Question, RankedQuestion, Status
from bot.schedule.loader import load_schedule
from bot.schedule.model import Schedule, Session
from tests.emulator import ControlClient, EmulatorProcess, patch_discord, run_client

JSON = dict[str, Any]

SCHEDULE = """\
event: {name: Benchmark Workshop, timezone: Europe/Vienna, date: 2024-05-11, display_timezones: [America/New_York]}
sessions:
  - {id: opening, title: Opening, start: "08:50", end: "09:00"}
  - {id: invited-1, title: Invited Talk 1, start: "09:00", end: "09:30", speakers: ["Andrew Wilson (NYU)"]}
  - {id: posters-1, title: Poster Session 1, start: "09:30", end: "10:30"}
  - {id: invited-2, title: Invited Talk 2, start: "10:30", end: "11:00"}
"""
#: 09:10 in Vienna: Invited Talk 1 is live, so ``/ask`` without a session goes to it.
LIVE_AT = dt.datetime(2024, 5, 11, 7, 10, tzinfo=dt.UTC)
LIVE_SESSION = "invited-1"
QA_CHANNEL = "questions"
MANAGE_MESSAGES = 1 << 13
#: Discord's deadline for the first answer to an interaction; the emulator refuses later callbacks.
DEADLINE_MS = 3000.0
DEFAULT_GC_THRESHOLDS = gc.get_threshold()


# ------------------------------------------------------------------------------------------------ measuring


def rss_mb() -> float:
    """This process's resident set size (VmRSS) in MB, after collecting garbage."""
    gc.collect()
    return proc_status("VmRSS")


def proc_status(field: str) -> float:
    """A ``kB`` line of /proc/self/status (VmRSS, VmHWM, ...) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def rss_after_trim() -> float | None:
    """VmRSS after asking glibc to return free heap pages: tells memory still in use from allocator high water."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return proc_status("VmRSS")


def open_fds() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int | None) -> float:
    """User and system CPU seconds of another process so far (0 when it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(ordered: Sequence[float], pct: float) -> float | None:
    """Nearest rank on a sorted sample, as the emulator computes it."""
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


class Monitor:
    """While a phase runs: the most asyncio tasks and open file descriptors at once, and garbage collector pauses."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak_tasks = 0
        self.peak_fds = 0
        #: (generation, seconds) of every collection.
        self.collections: list[tuple[int, float]] = []
        self._gc_started: float | None = None
        self._sampler: asyncio.Task[None] | None = None

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self._gc_started is not None:
            self.collections.append((info["generation"], time.perf_counter() - self._gc_started))
            self._gc_started = None

    async def _sample(self) -> None:
        while True:
            self.peak_tasks = max(self.peak_tasks, len(asyncio.all_tasks()))
            self.peak_fds = max(self.peak_fds, open_fds())
            await asyncio.sleep(self.interval)

    def start(self) -> Monitor:
        gc.callbacks.append(self._on_gc)
        self._sampler = asyncio.create_task(self._sample())
        return self

    async def stop(self) -> Monitor:
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._sampler is not None:
            self._sampler.cancel()
            await asyncio.gather(self._sampler, return_exceptions=True)
        return self

    def describe(self) -> str:
        full = [seconds for generation, seconds in self.collections if generation == 2]
        pauses = [seconds for _, seconds in self.collections]
        return (
            f"peak tasks {self.peak_tasks:,}  peak fds {self.peak_fds:,}  gc: {len(pauses):,} collections "
            f"({sum(pauses) * 1000:,.0f} ms, longest {max(pauses, default=0) * 1000:.0f} ms), "
            f"{len(full)} full ({sum(full) * 1000:,.0f} ms)"
        )


@dataclass
class Phase:
    """What happened to one phase's interactions, from the emulator's records."""

    name: str
    offered: int
    answered: int
    deferred: int
    late: int
    refused_other: int
    unanswered: int
    callbacks_per_s: float | None
    sent_per_s: float | None
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    cpu_s: float
    #: Of ``cpu_s``, the event loop's thread (the rest is the Q&A commit thread and the like).
    main_cpu_s: float
    #: CPU seconds the emulator process spent in the phase: tells whether the bot or the emulator was the limit.
    emulator_cpu_s: float
    monitor: Monitor
    #: What the bot answered, digits replaced by ``#``, most common first.
    replies: collections.Counter[str]

    @classmethod
    def from_results(cls, name: str, results: list[JSON], cpu: tuple[float, float, float], monitor: Monitor) -> Phase:
        """``cpu``: seconds of this process, of its event loop's thread, and of the emulator's process."""
        answered = [r for r in results if r["status"] == "answered"]
        refused = [r for r in results if r["status"] == "rejected"]
        late = sum(1 for r in refused if [404, 10062] in r["rejected"])
        latencies = sorted(float(r["latency_ms"]) for r in answered if r["latency_ms"] is not None)
        sent = [float(r["sent_at_ms"]) for r in results if r["sent_at_ms"] is not None]
        per_s = sent_per_s = None
        if answered:
            first = min(float(r["sent_at_ms"]) for r in answered)
            last = max(float(r["callback_at_ms"]) for r in answered)
            per_s = len(answered) / ((last - first) / 1000) if last > first else None
        if len(sent) > 1 and max(sent) > min(sent):
            sent_per_s = (len(sent) - 1) / ((max(sent) - min(sent)) / 1000)
        return cls(
            name=name,
            offered=len(results),
            answered=len(answered),
            deferred=sum(1 for r in answered if r["callback_type"] == 5),
            late=late + sum(1 for v in latencies if v > DEADLINE_MS),
            refused_other=len(refused) - late,
            unanswered=sum(1 for r in results if r["status"] in ("pending", "queued")),
            callbacks_per_s=per_s,
            sent_per_s=sent_per_s,
            p50_ms=percentile(latencies, 50),
            p90_ms=percentile(latencies, 90),
            p99_ms=percentile(latencies, 99),
            max_ms=latencies[-1] if latencies else None,
            cpu_s=cpu[0],
            main_cpu_s=cpu[1],
            emulator_cpu_s=cpu[2],
            monitor=monitor,
            replies=collections.Counter(re.sub(r"\d+", "#", str(r["content"]))[:90] for r in answered),
        )

    def describe(self) -> str:
        def num(value: float | None, digits: int = 1) -> str:
            return "-" if value is None else f"{value:,.{digits}f}"

        return (
            f"  {self.name:<9} offered {self.offered:>6,}  answered {self.answered:>6,} (deferred {self.deferred:,})"
            f"  late(>3 s) {self.late:,}  other refusals {self.refused_other:,}  unanswered {self.unanswered:,}\n"
            f"  {'':<9} callbacks/s {num(self.callbacks_per_s)}  sent/s {num(self.sent_per_s)}"
            f"  p50 {num(self.p50_ms)} ms  p90 {num(self.p90_ms)} ms  p99 {num(self.p99_ms)} ms"
            f"  max {num(self.max_ms)} ms  cpu here {self.cpu_s:.1f} s "
            f"(event loop {self.main_cpu_s:.1f} s), emulator {self.emulator_cpu_s:.1f} s\n"
            f"  {'':<9} {self.monitor.describe()}\n"
            + "".join(f"  {'':<9} reply x{count:,}: {text!r}\n" for text, count in self.replies.most_common(4))
        ).rstrip()


@dataclass
class Outcome:
    name: str
    burst: Phase
    sustained: Phase
    rss_before_mb: float
    rss_after_mb: float
    #: VmHWM: the most this process was resident at any time so far.
    rss_peak_mb: float
    #: VmRSS once the C allocator has handed its free memory back (None where malloc_trim is unavailable).
    rss_trimmed_mb: float | None
    #: Objects tracked by the garbage collector after the sustained phase minus before the burst.
    objects_growth: int
    log_lines: collections.Counter[str]


class LogTally(logging.Handler):
    """Counts warnings and errors by logger and first line, instead of printing thousands of tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        first = record.getMessage().splitlines()[0][:160] if record.getMessage() else ""
        error = f" [{type(record.exc_info[1]).__name__}: {str(record.exc_info[1])[:120]}]" if record.exc_info else ""
        self.counts[f"{record.levelname} {record.name}: {first}{error}"] += 1


# ------------------------------------------------------------------------------------------------ the bots


class Target(Protocol):
    """A bot under test and how to put the upvote buttons in front of the users."""

    name: str

    async def make_bot(self, setup: JSON, token: str, workdir: Path) -> commands.Bot: ...

    async def board_question_ids(self, bot: commands.Bot, count: int) -> list[int]: ...

    async def post_board(self, bot: commands.Bot, channel_id: int, question_ids: list[int]) -> int: ...

    async def close(self) -> None: ...


def write_schedule(workdir: Path) -> Path:
    schedule_path = workdir / "day.yaml"
    schedule_path.write_text(SCHEDULE, encoding="utf-8")
    return schedule_path


def live_session(schedule: Schedule) -> Session:
    session = schedule.find(LIVE_SESSION)
    assert session is not None
    return session


async def post_board_message(
    channel: discord.abc.Messageable, session: Session, items: list[RankedQuestion], view: discord.ui.View
) -> int:
    """The board both bots post: ``/questions``' text for ``items`` and one upvote button per question.

    Every click carries this message, so both bots must post the same one for the load to be the same.
    """
    content = render.queue_text(session, items)[:MESSAGE_LIMIT]
    message = await channel.send(content, view=view)
    print(f"board: {len(content):,} characters, {len(view.children)} buttons", file=sys.stderr)
    return message.id


class ChairTarget:
    """The real chairbot with a real SQLite store."""

    name = "chairbot"

    def __init__(self) -> None:
        self.chair: Chair | None = None
        self._running = contextlib.AsyncExitStack()

    async def make_bot(self, setup: JSON, token: str, workdir: Path) -> commands.Bot:
        schedule_path = write_schedule(workdir)
        settings = Settings(
            discord_token=token,
            guild_id=int(setup["guild_id"]),
            announce_channel="announcements",
            qa_channel=QA_CHANNEL,
            data_dir=workdir / "data",
            schedule=str(schedule_path),
            # Raise the per-user ask limit so the load is never refused.
            questions_per_minute=1_000_000,
        )
        # Real-speed time from inside the talk: the announcer schedules real run times from it (a frozen clock would
        # make every announcement of the day, Q&A closing included, due at start-up), and the talk stays live for
        # 20 minutes. The bot is wired as `chairbot run` wires it.
        bot = await self._running.enter_async_context(discord_app(settings, clock=ShiftedClock(LIVE_AT)))
        self.chair = bot.chair
        return bot

    async def board_question_ids(self, bot: commands.Bot, count: int) -> list[int]:
        assert self.chair is not None
        items = await self.chair.qa.queue(LIVE_SESSION, count)
        return [item.question.id for item in items if item.rank is not None]

    async def post_board(self, bot: commands.Bot, channel_id: int, question_ids: list[int]) -> int:
        assert self.chair is not None
        channel = bot.get_channel(channel_id)
        assert isinstance(channel, discord.TextChannel)
        items = [i for i in await self.chair.qa.queue(LIVE_SESSION, len(question_ids)) if i.question.id in question_ids]
        view = vote_view([(item.question.id, item.rank) for item in items])
        return await post_board_message(channel, live_session(self.chair.schedule), items, view)

    async def close(self) -> None:
        await self._running.aclose()
        self.chair = None


class NoopVote(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:vote:(?P<question>\d+)"):
    """chairbot's upvote button template, acknowledging only."""

    def __init__(self, question_id: int, rank: int | None = None) -> None:
        label = f"▲ {rank}" if rank is not None else "▲"
        super().__init__(discord.ui.Button(label=label, custom_id=f"qa:vote:{question_id}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NoopVote:
        return cls(int(match["question"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


class NoopBot(commands.Bot):
    """The attendee commands of chairbot (names and options) with handlers that only acknowledge."""

    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id

        @app_commands.command(name="ask", description="Ask the speaker a question (the live session by default).")
        @app_commands.describe(question="Your question", anonymous="Hide your name", session="The session")
        async def ask(
            interaction: discord.Interaction[Any], question: str, anonymous: bool = False, session: str | None = None
        ) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        @ask.autocomplete("session")
        async def ask_session(interaction: discord.Interaction[Any], current: str) -> list[app_commands.Choice[str]]:
            return []

        @app_commands.command(name="questions", description="The top questions of the live session.")
        @app_commands.describe(session="The session")
        async def questions(interaction: discord.Interaction[Any], session: str | None = None) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        @app_commands.command(name="now", description="What is on now and next.")
        async def now(interaction: discord.Interaction[Any]) -> None:
            await interaction.response.send_message("ok", ephemeral=True)

        self.tree.add_command(ask)
        self.tree.add_command(questions)
        self.tree.add_command(now)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(NoopVote)
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        self.tree.clear_commands(guild=None)
        await self.tree.sync(guild=guild)


class NoopTarget:
    name = "noop"

    def __init__(self) -> None:
        self.session: Session | None = None

    async def make_bot(self, setup: JSON, token: str, workdir: Path) -> commands.Bot:
        self.session = live_session(load_schedule(write_schedule(workdir)))
        return NoopBot(int(setup["guild_id"]))

    async def board_question_ids(self, bot: commands.Bot, count: int) -> list[int]:
        return list(range(1, count + 1))

    async def post_board(self, bot: commands.Bot, channel_id: int, question_ids: list[int]) -> int:
        """The board chairbot posts for the same questions (``put_up_board`` asks them in this order, by
        ``Attendee 1``, ``Attendee 2``, ...), with this bot's buttons."""
        channel = bot.get_channel(channel_id)
        assert isinstance(channel, discord.TextChannel)
        assert self.session is not None
        items = [
            RankedQuestion(
                rank,
                Question(
                    id=question_id,
                    session_id=LIVE_SESSION,
                    author_id=str(rank),
                    author_name=f"Attendee {rank}",
                    anonymous=False,
                    text=question_text(rank),
                    created_at=LIVE_AT,
                    status=Status.QUEUED,
                    votes=0,
                    moderated_by=None,
                    moderated_at=None,
                ),
            )
            for rank, question_id in enumerate(question_ids, start=1)
        ]
        view = discord.ui.View(timeout=None)
        for item in items:
            view.add_item(NoopVote(item.question.id, item.rank))
        return await post_board_message(channel, self.session, items, view)

    async def close(self) -> None:
        return None


# ------------------------------------------------------------------------------------------------ the load


def question_text(number: int) -> str:
    return f"Question {number}: how does approach {number * 7919 % 100_003} behave at conference scale?"


@dataclass
class Load:
    burst: list[JSON]
    sustained: list[JSON]


def build_load(
    args: argparse.Namespace, users: list[str], channel_id: str, board_message: int, question_ids: list[int]
) -> Load:
    """Burst and sustained interaction specs for the control API, the same (seeded) for every bot."""
    rng = random.Random(args.seed)
    next_question = args.board + 1

    def ask(index: int) -> JSON:
        nonlocal next_question
        text = question_text(next_question)
        next_question += 1
        return {
            "kind": "slash",
            "command": "ask",
            "options": {"question": text},
            "user_id": users[index % len(users)],
            "channel_id": channel_id,
        }

    def click() -> JSON:
        return {
            "kind": "button",
            "message_id": str(board_message),
            "custom_id": f"qa:vote:{rng.choice(question_ids)}",
            "user_id": rng.choice(users),
        }

    burst = [ask(i) for i in range(args.asks)] + [click() for _ in range(args.clicks)]
    rng.shuffle(burst)
    total = round(args.rate * args.seconds)
    share = args.asks / max(1, args.asks + args.clicks)
    sustained = [ask(args.asks + i) if rng.random() < share else click() for i in range(total)]
    return Load(burst, sustained)


def setup_spec(users: int) -> JSON:
    return {
        "roles": [
            {"name": "Moderator", "permissions": MANAGE_MESSAGES},
            {"name": "Organizer", "permissions": MANAGE_MESSAGES},
        ],
        "channels": [{"name": "announcements"}, {"name": QA_CHANNEL}],
        "members": [{"username": "mo", "display_name": "Mo", "roles": ["Moderator"]}],
        "bulk_members": {"count": users, "prefix": "attendee"},
    }


async def settle(control: ControlClient, timeout: float) -> bool:
    """Wait until every interaction sent so far is answered or refused (or ``timeout`` passes)."""
    return await control.wait("answered", timeout=timeout)


async def fire(
    control: ControlClient, specs: list[JSON], rate: float | None, in_flight: int | None = None, chunk: int = 2000
) -> list[str]:
    """Send through the bulk API; unpaced specs go in chunks so no single request body is huge."""
    if rate:
        answer = await control.fire(specs, rate=rate)
        return list(answer["ids"])
    ids: list[str] = []
    for start in range(0, len(specs), chunk):
        answer = await control.fire(specs[start : start + chunk], in_flight=in_flight)
        ids.extend(answer["ids"])
    return ids


async def put_up_board(
    target: Target, bot: commands.Bot, control: ControlClient, args: argparse.Namespace, users: list[str], channel: str
) -> tuple[int, list[int]]:
    """Ask ``--board`` questions through the emulator and have the bot post their upvote buttons: (message, ids)."""
    seeds = [
        {
            "kind": "slash",
            "command": "ask",
            "options": {"question": question_text(n + 1)},
            "user_id": users[n % len(users)],
            "channel_id": channel,
        }
        for n in range(args.board)
    ]
    await control.fire(seeds, rate=100, wait=True, timeout=30.0)
    question_ids = await target.board_question_ids(bot, args.board)
    if not question_ids:
        raise RuntimeError("no questions to put on the board")
    return await target.post_board(bot, int(channel), question_ids), question_ids


@dataclass
class Run:
    """What one bot's two phases left to read back: the interaction ids, CPU, monitors and memory."""

    burst_ids: list[str]
    #: CPU seconds: this process, its event loop's thread, the emulator's process.
    burst_cpu: tuple[float, float, float]
    burst_monitor: Monitor
    sustained_ids: list[str]
    sustained_cpu: tuple[float, float, float]
    sustained_monitor: Monitor
    rss_before: float
    rss_after: float
    rss_peak: float
    rss_trimmed: float | None
    objects_growth: int
    settled: bool


async def run_phases(control: ControlClient, load: Load, args: argparse.Namespace, emulator_pid: int | None) -> Run:
    rss_before = rss_mb()
    objects_before = len(gc.get_objects())

    def clocks() -> tuple[float, float, float]:
        return cpu_seconds(), time.thread_time(), process_cpu_seconds(emulator_pid)

    def since(start: tuple[float, float, float]) -> tuple[float, float, float]:
        now = clocks()
        return now[0] - start[0], now[1] - start[1], now[2] - start[2]

    start = clocks()
    burst_monitor = Monitor().start()
    burst_ids = await fire(control, load.burst, args.burst_rate or None, args.in_flight or None)
    settled = await settle(control, args.settle + len(load.burst) / 200)
    await burst_monitor.stop()
    burst_cpu = since(start)
    await asyncio.sleep(0.5)  # followups of deferred answers
    start = clocks()
    sustained_monitor = Monitor().start()
    sustained_ids = await fire(control, load.sustained, args.rate)
    settled = await settle(control, args.settle) and settled
    await sustained_monitor.stop()
    sustained_cpu = since(start)
    await asyncio.sleep(0.5)
    rss_after = rss_mb()
    return Run(
        burst_ids,
        burst_cpu,
        burst_monitor,
        sustained_ids,
        sustained_cpu,
        sustained_monitor,
        rss_before,
        rss_after,
        proc_status("VmHWM"),
        rss_after_trim(),
        len(gc.get_objects()) - objects_before,
        settled,
    )


async def measure(target: Target, args: argparse.Namespace, tally: LogTally) -> Outcome:
    """One bot against its own emulator process: seed, post the board, burst, sustained; the emulator's records."""
    tally.counts.clear()
    proc = EmulatorProcess("--host", "127.0.0.1", "--interaction-deadline", str(args.deadline), startup_timeout=30.0)
    try:
        await proc.__aenter__()
        assert proc.control is not None
        control = proc.control
        setup = await control.setup(setup_spec(args.users))
        users: list[str] = setup["bulk_member_ids"]
        channel = str(setup["channels"][QA_CHANNEL])
        with tempfile.TemporaryDirectory(prefix=f"chairbot-bench-{target.name}-") as tmp:
            try:
                with patch_discord(proc.api_url, proc.gateway_url):
                    bot = await target.make_bot(setup, proc.token, Path(tmp))
                    async with run_client(bot, proc.token, timeout=30.0):
                        if not await control.wait("commands", command="ask", timeout=10.0):
                            raise RuntimeError(f"{target.name} did not sync /ask")
                        board, question_ids = await put_up_board(target, bot, control, args, users, channel)
                        load = build_load(args, users, channel, board, question_ids)
                        await control.reset_interactions()
                        await asyncio.sleep(0.5)
                        if not args.default_gc:
                            # What `chairbot run` does at start-up, for both bots alike.
                            tune_garbage_collection()
                        pid = proc.process.pid if proc.process is not None else None
                        run = await run_phases(control, load, args, pid)
                        if isinstance(bot, ChairBot):
                            gate, stats = bot.gate, bot.chair.qa.stats
                            print(
                                f"{target.name}: reading paused {gate.pauses:,} times ({gate.paused_s:.1f} s) with "
                                f"{gate.limit} unanswered; {gate.dropped.total:,} dropped as too old to answer; "
                                f"{stats.requests:,} Q&A requests in {stats.commits:,} commits",
                                file=sys.stderr,
                            )
                    burst_results = await control.results(run.burst_ids)
                    sustained_results = await control.results(run.sustained_ids)
            finally:
                await target.close()
        if not run.settled:
            print(f"{target.name}: some interactions were never answered before the timeout", file=sys.stderr)
        return Outcome(
            target.name,
            Phase.from_results("burst", burst_results, run.burst_cpu, run.burst_monitor),
            Phase.from_results("sustained", sustained_results, run.sustained_cpu, run.sustained_monitor),
            run.rss_before,
            run.rss_after,
            run.rss_peak,
            run.rss_trimmed,
            run.objects_growth,
            collections.Counter(tally.counts),
        )
    finally:
        gc.unfreeze()
        gc.set_threshold(*DEFAULT_GC_THRESHOLDS)
        code = await proc.stop()  # the emulator process never outlives this function
        if code not in (0, None):
            print(f"emulator exited with {code}: {proc.stderr()[-1000:]}", file=sys.stderr)


def report(outcome: Outcome) -> None:
    print(f"{outcome.name}:", file=sys.stderr)
    print(outcome.burst.describe(), file=sys.stderr)
    print(outcome.sustained.describe(), file=sys.stderr)
    growth = outcome.rss_after_mb - outcome.rss_before_mb
    print(
        f"  rss {outcome.rss_before_mb:.1f} MB before the burst, {outcome.rss_after_mb:.1f} MB after the sustained "
        f"phase ({growth:+.1f} MB); peak {outcome.rss_peak_mb:.1f} MB; "
        f"after malloc_trim {'-' if outcome.rss_trimmed_mb is None else f'{outcome.rss_trimmed_mb:.1f} MB'}; "
        f"gc-tracked objects {outcome.objects_growth:+,}",
        file=sys.stderr,
    )
    for line, count in outcome.log_lines.most_common(8):
        print(f"  log x{count}: {line}", file=sys.stderr)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--asks", type=int, default=3000, help="/ask interactions in the burst")
    parser.add_argument("--clicks", type=int, default=10_000, help="upvote clicks in the burst")
    parser.add_argument("--users", type=int, default=2000, help="attendees (bulk members) sending them")
    parser.add_argument("--rate", type=float, default=300.0, help="interactions per second in the sustained phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the sustained phase")
    parser.add_argument(
        "--burst-rate", type=float, default=0.0, help="pace the burst at this many per second (0: unpaced, default)"
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        default=512,
        help="unpaced burst: at most this many interactions waiting for an answer at once (0: all at once)",
    )
    parser.add_argument("--board", type=int, default=20, help="questions with upvote buttons on the board (max 25)")
    parser.add_argument("--settle", type=float, default=15.0, help="seconds to wait for the last answers")
    parser.add_argument(
        "--deadline",
        type=float,
        default=0.0,
        help="seconds after which the emulator refuses a callback, as Discord does (3); 0 (default) accepts late ones",
    )
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep the interpreter's garbage-collection settings instead of the ones `chairbot run` uses",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of both bots, the order swapped each round; figures are medians"
    )
    parser.add_argument("--child", choices=sorted(TARGETS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.in_flight < 0:
        parser.error("--rounds must be at least 1 and --in-flight not negative")
    if not 1 <= args.board <= 25:
        parser.error("--board must be between 1 and 25 (buttons on one message)")
    if min(args.asks, args.clicks, args.users) < 0 or args.users < 1 or args.asks + args.clicks < 1:
        parser.error("--asks/--clicks must not be negative, their sum and --users at least 1")
    return args


TARGETS: dict[str, type[ChairTarget] | type[NoopTarget]] = {"chairbot": ChairTarget, "noop": NoopTarget}


async def measure_one(args: argparse.Namespace) -> JSON:
    """``--child``: measure one bot in this (fresh) process, report on stderr, return its figures."""
    tally = LogTally()
    logging.getLogger().addHandler(tally)
    logging.getLogger().setLevel(logging.WARNING)
    outcome = await measure(TARGETS[args.child](), args, tally)
    report(outcome)
    return {
        "per_s": outcome.burst.callbacks_per_s,
        "p99_ms": outcome.sustained.p99_ms,
        "rss_growth_mb": outcome.rss_after_mb - outcome.rss_before_mb,
    }


async def measure_in_child(name: str, argv: list[str]) -> JSON:
    """Run ``--child name`` in a new interpreter (its stderr is ours) and return the JSON line it prints."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.interactions", *argv, "--child", name, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"measuring {name} failed (exit {child.returncode})")
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


def median(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


async def run(args: argparse.Namespace, argv: list[str]) -> JSON:
    """Rounds of both bots, each bot in its own process, the order swapped every round; medians."""
    started = time.perf_counter()
    results: dict[str, list[JSON]] = {name: [] for name in TARGETS}
    for number in range(1, args.rounds + 1):
        order = list(TARGETS) if number % 2 else list(reversed(TARGETS))
        for name in order:
            print(f"round {number} of {args.rounds}: {name}", file=sys.stderr, flush=True)
            results[name].append(await measure_in_child(name, argv))
        chair, noop = results["chairbot"][-1], results["noop"][-1]
        print(
            f"round {number}: chairbot {chair['per_s'] or 0:,.1f}/s, noop {noop['per_s'] or 0:,.1f}/s, "
            f"ratio {(chair['per_s'] or 0) / (noop['per_s'] or 1):.3f}; chairbot sustained p99 "
            f"{chair['p99_ms'] or 0:,.1f} ms, rss growth {chair['rss_growth_mb']:+.1f} MB",
            file=sys.stderr,
            flush=True,
        )
    loads = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    took = time.perf_counter() - started
    print(f"total {took:.1f} s on {os.cpu_count()} CPUs; load average (1, 5, 15 min) now {loads}", file=sys.stderr)
    asks_per_s = median([r["per_s"] for r in results["chairbot"]]) or 0.0
    noop_per_s = median([r["per_s"] for r in results["noop"]]) or 0.0
    p99 = median([r["p99_ms"] for r in results["chairbot"]])
    growth = median([r["rss_growth_mb"] for r in results["chairbot"]])
    return {
        "asks_per_s": round(asks_per_s, 1),
        "noop_per_s": round(noop_per_s, 1),
        "ratio": round(asks_per_s / noop_per_s, 3) if noop_per_s else None,
        "p99_ack_ms": None if p99 is None else round(p99, 1),
        "rss_growth_mb": None if growth is None else round(growth, 1),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    figures = asyncio.run(measure_one(args) if args.child else run(args, argv))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
