"""Benchmark: a conference's two days, planned and rehearsed at full speed, each room in its own channel.

The conference is generated (seeded): ``--sessions`` sessions in ``--rooms`` rooms over two days at a venue in
Brussels, as FOSDEM runs them: each room from 09:00 to about 19:00, talks of 20 to 50 minutes back to back, most
starting at the same few minutes past the hour (so many rooms share each start), a few poster sessions and
breaks, Q&A on the talks. Every room has a channel (the ``rooms`` setting).

Measured:

- ``plan_s``: the time to plan every post of both days (:func:`bot.announce.sessions.planned_posts` and the
  digests), the work a reload or a shift redoes;
- ``rehearse_s``: the time :func:`bot.app.rehearse` takes to play both days at ``--speed`` on the console, with
  the real core (outbox, announcer, dispatcher, Q&A store) on a temporary SQLite file;
- ``posts``: the messages the rehearsal printed;
- ``max_posts_per_channel_per_5s``: the most messages any one channel was asked for within any 5 seconds of
  the event's clock (Discord lets a bot post 5 messages per 5 seconds in a channel);
- ``peak_rss_mb``: the peak resident memory of the process.

Targets: plan under 1 s, the rehearsal of both days under 30 s, no channel asked for more than 5 posts in 5 s,
peak RSS under 200 MB.

    python -m bench.conference_day [--sessions 1000] [--rooms 60] [--speed 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import datetime as dt
import io
import json
import random
import re
import resource
import time
from collections import defaultdict

from bot.announce.digest import planned_digests, slots
from bot.announce.sessions import planned_posts
from bot.app import rehearse
from bot.schedule.loader import parse_schedule

STARTS = (0, 5, 30, 35)  # minutes past the hour most talks start at
_HEADER = re.compile(r"^── (?P<day>\w{3}) (?P<time>\d\d:\d\d:\d\d)(?: \S+)? \S+ · (?P<channel>.+?) ──$")


def conference(sessions: int, rooms: int, seed: int = 2025) -> tuple[str, dict[str, str]]:
    """A two-day schedule in the native format, and a channel for each room."""
    rng = random.Random(seed)
    names = [f"Room {chr(65 + n // 26)}{n % 26:02d}" for n in range(rooms)]
    base, extra = divmod(sessions, rooms * 2)
    lines = ["event: {name: Conference Scale, timezone: Europe/Brussels, date: 2031-02-01}", "sessions:"]
    made = 0
    for day in (1, 2):
        date = f"2031-02-0{day}"
        for number, room in enumerate(names):
            clock = dt.datetime(2031, 2, day, 9, rng.choice(STARTS[:2]), tzinfo=dt.UTC)  # wall time at the venue
            room_day = (day - 1) * rooms + number
            for slot in range(base + (1 if room_day < extra else 0)):
                length = rng.choice((20, 25, 25, 30, 30, 40, 50))
                end = clock + dt.timedelta(minutes=length)
                kind = "poster" if slot == 4 and rng.random() < 0.1 else "break" if slot == 3 else "talk"
                title = f"{kind.title()} {made}: on {rng.choice(('networks', 'kernels', 'compilers', 'storage'))}"
                lines.append(
                    f'  - {{id: s{made}, title: "{title}", kind: {kind}, date: {date}, start: "{clock:%H:%M}", '
                    f'end: "{end:%H:%M}", room: "{room}", speakers: ["Speaker {made}"]}}'
                )
                made += 1
                # The next one starts at the next usual minute after a short changeover.
                after = end + dt.timedelta(minutes=5)
                nxt = min(
                    (after.replace(minute=m, second=0) + dt.timedelta(hours=h) for h in (0, 1) for m in STARTS),
                    key=lambda t: (t < after, t),
                )
                clock = nxt if nxt >= after else after
    return "\n".join(lines) + "\n", {room: f"room-{n}" for n, room in enumerate(names)}


def busiest_channel(printed: str) -> int:
    """The most posts any channel got within 5 seconds of the event's clock."""
    times: dict[str, list[int]] = defaultdict(list)
    for line in printed.splitlines():
        found = _HEADER.match(line)
        if found is None:
            continue
        h, m, s = (int(x) for x in found["time"].split(":"))
        day = 0 if found["day"] == "Sat" else 1
        times[found["channel"]].append(day * 86_400 + h * 3600 + m * 60 + s)
    worst = 0
    for stamps in times.values():
        stamps.sort()
        for index, stamp in enumerate(stamps):
            worst = max(worst, bisect.bisect_right(stamps, stamp + 4) - index)
    return worst


async def measure(args: argparse.Namespace) -> dict[str, object]:
    text, rooms = conference(args.sessions, args.rooms)
    schedule = parse_schedule(text, "conference.yaml")
    started = time.perf_counter()
    posts = planned_posts(schedule, qa_close_after=dt.timedelta(minutes=10))
    digests = planned_digests(slots(schedule, lambda s: s.room in rooms))
    plan_s = time.perf_counter() - started
    out = io.StringIO()
    started = time.perf_counter()
    summary = await rehearse(schedule, speed=args.speed, out=out, rooms=rooms)
    rehearse_s = time.perf_counter() - started
    printed = out.getvalue()
    return {
        "sessions": len(schedule.sessions),
        "rooms": len({s.room for s in schedule.sessions}),
        "plan_s": round(plan_s, 3),
        "rehearse_s": round(rehearse_s, 2),
        "posts": summary.messages,
        "planned": len(posts) + len(digests),
        "max_posts_per_channel_per_5s": busiest_channel(printed),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--speed", type=float, default=1_000_000.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args))))


if __name__ == "__main__":
    main()
