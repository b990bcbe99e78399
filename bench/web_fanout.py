"""Benchmark: a hall of phones on the live pages while the crowd votes.

The server is a separate process running what ``chairbot run`` runs for the web side: the real core
(:class:`~bot.chair.Chair` with its Q&A store in a temporary SQLite file at ``synchronous=FULL``) and the real
web app (:func:`bot.web.server.make_app`) on a loopback port, with a clock standing inside one talk. This process
opens ``--pages`` live pages on that talk, as the stage display and the ask page do (each an EventSource on
``/live/qa/{session}``; half of them load the stage or ask page first, as a browser does), then tells the server
to start: its scripted crowd (:class:`bot.console.crowd.Crowd`'s voting through the core) votes ``--votes-per-s``
times a second for ``--seconds`` on ``--questions`` seeded questions.

Update latency is measured from a change's commit to each page receiving the update that carries it: every
snapshot names the commit time of the oldest change it answers (``changed_at``, Unix seconds; both processes read
the same clock), and each page notes when the frame arrives. At the end every page must still be connected and
must have received the final vote count of every question (``no page dropped``).

Prints one JSON line: pages, update_p50_ms, update_p99_ms, rss_mb (the server's peak resident memory), and
dropped_pages, votes, updates (frames received in all). Targets: p99 under 250 ms, RSS under 300 MB, none
dropped. On stderr: the votes committed per second, snapshots built, the client's own lag.

    python -m bench.web_fanout [--pages 1000] [--votes-per-s 300] [--seconds 20]
    python -m bench.web_fanout --pages 50 --seconds 2        # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

SCHEDULE = """
event: {name: Fan-out Day, timezone: Europe/Vienna, date: 2031-05-12}
sessions:
  - {id: talk, title: The Talk Everyone Came For, start: "09:00", end: "10:00", speakers: [Ada Lovelace]}
"""
#: 09:30 at the venue: inside the talk.
DURING = dt.datetime(2031, 5, 12, 7, 30, tzinfo=dt.UTC)
_CHANGED_AT = re.compile(rb'"changed_at":([0-9.]+)')
_VOTES = re.compile(rb'"id":(\d+),"rank":[0-9null]+,"text":"(?:[^"\\]|\\.)*","author":"(?:[^"\\]|\\.)*","votes":(\d+)')


# -- the server --------------------------------------------------------------------------------------------------


async def serve(votes_per_s: float, seconds: float, questions: int, interval: float | None) -> None:
    from bot.chair import Chair
    from bot.config import Settings
    from bot.console.crowd import Crowd
    from bot.console.rehearse import ConsolePublisher
    from bot.qa.model import QAConfig
    from bot.qa.service import QAService
    from bot.schedule.loader import parse_schedule
    from bot.web.keys import HUB
    from bot.web.qa_views import PUBLIC_QUEUE
    from bot.web.server import bound_port, make_app, start_site

    schedule = parse_schedule(SCHEDULE, "fanout.yaml")

    def clock() -> dt.datetime:
        return DURING

    with tempfile.TemporaryDirectory(prefix="chairbot-fanout-") as tmp:
        settings = Settings.for_rehearsal(Path(tmp), web_ask=True)
        qa = QAService(settings.database_path, config=QAConfig(rate_limit=1_000_000), clock=clock)
        await qa.start()
        chair = Chair(settings, schedule, qa, None, clock=clock)
        chair.attach(ConsolePublisher(schedule, clock, io.StringIO()))
        await chair.open()
        app = make_app(chair, live_interval=interval)
        runner = await start_site(app, "127.0.0.1", 0)
        crowd = Crowd(qa, 100_000, lambda: [("talk", "The Talk")], asks_per_s=0, votes_per_s=votes_per_s)
        for n in range(questions):
            await crowd.ask("talk", f"Question {n}")
        print(f"ready {bound_port(runner)}", flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        await reader.readline()  # "go"
        started = time.monotonic()
        cpu_before = time.process_time()
        before = crowd.stats.voted
        voting = asyncio.create_task(crowd.run(tick=0.01))
        await asyncio.sleep(seconds)
        voting.cancel()
        await asyncio.gather(voting, return_exceptions=True)
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_before
        final = {str(r.question.id): r.question.votes for r in await qa.queue("talk", PUBLIC_QUEUE)}
        hub = app[HUB]
        report = {
            "votes": crowd.stats.voted - before,
            "votes_per_s": round((crowd.stats.voted - before) / elapsed, 1),
            "refused": crowd.stats.refused,
            "snapshots": hub.snapshots,
            "connected": hub.connected,
            "cpu_share": round(cpu / elapsed, 2),
            "final": final,
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        print(json.dumps(report), flush=True)
        await reader.readline()  # "stop"
        await runner.cleanup()
        await chair.close()
        await qa.close()


# -- the pages ---------------------------------------------------------------------------------------------------


class Page:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.last = b""
        self.frames = 0
        self.closed = False
        self.error = ""

    def votes(self) -> dict[str, int]:
        """Each listed question's votes in the last frame received."""
        return {m.group(1).decode(): int(m.group(2)) for m in _VOTES.finditer(self.last)}


async def follow(http: aiohttp.ClientSession, base: str, index: int, page: Page, ready: asyncio.Event) -> None:
    if index % 2 == 0:
        async with http.get(f"{base}/{'stage' if index % 4 == 0 else 'ask'}/talk") as html:
            await html.read()
    try:
        async with http.get(f"{base}/live/qa/talk", timeout=aiohttp.ClientTimeout(total=None)) as stream:
            assert stream.status == 200, stream.status
            while True:
                frame = await stream.content.readuntil(b"\n\n")
                if not frame:
                    break
                arrived = time.time()
                if frame.startswith(b":"):  # a keep-alive comment
                    continue
                page.frames += 1
                if page.frames == 1:
                    ready.set()
                found = _CHANGED_AT.search(frame)
                if found is not None:
                    page.latencies.append(arrived - float(found.group(1)))
                page.last = frame  # parsed at the end: the client must stay light to measure the server
    except (aiohttp.ClientError, asyncio.IncompleteReadError, ValueError) as exc:
        page.error = repr(exc)
    finally:
        page.closed = True


async def lag_probe(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        lags.append(time.monotonic() - before - 0.01)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def run(args: argparse.Namespace) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "bench.web_fanout",
        "--serve",
        "--votes-per-s",
        str(args.votes_per_s),
        "--seconds",
        str(args.seconds),
        "--questions",
        str(args.questions),
    ]
    if args.interval is not None:
        command += ["--interval", str(args.interval)]
    server = await asyncio.create_subprocess_exec(
        *command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        line = (await asyncio.wait_for(server.stdout.readline(), 60)).decode().split()
        assert line[:1] == ["ready"], line
        base = f"http://127.0.0.1:{line[1]}"
        pages = [Page() for _ in range(args.pages)]
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            readies = [asyncio.Event() for _ in pages]
            tasks = []
            for index, page in enumerate(pages):
                tasks.append(asyncio.create_task(follow(http, base, index, page, readies[index])))
                if index % 50 == 49:
                    await asyncio.sleep(0.05)  # phones arrive over a moment, not in one packet
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
            for page in pages:  # the first frame is the page's starting state, not an update
                page.latencies.clear()
            lags: list[float] = []
            stop = asyncio.Event()
            probe = asyncio.create_task(lag_probe(lags, stop))
            server.stdin.write(b"go\n")
            await server.stdin.drain()
            report = json.loads(await asyncio.wait_for(server.stdout.readline(), args.seconds + 120))
            final = report["final"]
            # Every page should come to show the final counts; one still behind after 5 s is counted as dropped.
            waited = time.monotonic()
            while time.monotonic() - waited < 5 and any(p.closed or p.votes() != final for p in pages):
                await asyncio.sleep(0.05)
            settled_s = time.monotonic() - waited
            stop.set()
            await probe
            closed = sum(1 for page in pages if page.closed)
            stale = [page for page in pages if not page.closed and page.votes() != final]
            dropped = closed + len(stale)
            if stale:
                shown = stale[0].votes()
                wrong = {k: (shown.get(k), v) for k, v in final.items() if shown.get(k) != v}
                print(
                    f"{len(stale)} pages behind, with {[p.frames for p in stale]} frames (others: "
                    f"{max(p.frames for p in pages)}); one shows (page, server): {wrong}",
                    file=sys.stderr,
                )
            if closed:
                first = next(page for page in pages if page.closed)
                print(f"{closed} pages lost their stream, the first with {first.error}", file=sys.stderr)
            server.stdin.write(b"stop\n")
            await server.stdin.drain()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        try:
            await asyncio.wait_for(server.wait(), 30)
        except TimeoutError:
            server.kill()
    latencies = [x for page in pages for x in page.latencies]
    print(
        f"server: {report['votes']} votes ({report['votes_per_s']}/s, {report['refused']} refused), "
        f"{report['snapshots']} snapshots, {report['connected']} pages connected at the end, "
        f"server CPU {report['cpu_share']:.0%} of a core while voting; "
        f"client loop lag p99 {percentile(lags, 0.99) * 1000:.1f} ms; every page showed the final counts "
        f"{settled_s:.2f} s after the report",
        file=sys.stderr,
    )
    return {
        "pages": args.pages,
        "update_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "update_p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "rss_mb": report["rss_mb"],
        "dropped_pages": dropped,
        "votes": report["votes"],
        "updates": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--votes-per-s", type=float, default=300.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--interval", type=float, default=None, help="the live pages' update interval (s)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.votes_per_s, args.seconds, args.questions, args.interval))
        return
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
