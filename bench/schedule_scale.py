"""Benchmark: load, validate and plan a conference-size schedule.

Generates a five-day, multi-room schedule (default 5,000 sessions, a tenth of them poster sessions with 20
posters each) in the native document shape, then, in a fresh interpreter so the figures are not inflated by
generating, times reading + validation (``load_s``) and planning the announcements (``plan_s``) and reads the
peak RSS. Targets on a 2-core machine: load + plan under 1 s, peak RSS under 150 MB.

The headline figures are for the native JSON file, the form in which a conference-size programme arrives (an
export or a generator, not a hand-edited file). The same schedule as YAML is measured too, in its own fresh
interpreter (``yaml_load_s``, ``yaml_peak_rss_mb``): PyYAML's parser costs about 10 µs per YAML event, which is
nothing for a workshop day and seconds for a conference of this size.

    python -m bench.schedule_scale [--sessions 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KINDS = ["talk"] * 6 + ["contributed"] * 2 + ["panel"]
WORDS = [
    "robust",
    "reliable",
    "aligned",
    "sparse",
    "causal",
    "federated",
    "private",
    "fair",
    "efficient",
    "scalable",
    "multimodal",
    "contrastive",
    "adversarial",
    "calibrated",
    "interpretable",
    "generative",
]
NOUNS = ["models", "transformers", "agents", "benchmarks", "datasets", "graphs", "policies", "embeddings", "retrievers"]


def generate(sessions: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    rooms = max(1, sessions // (5 * 20))  # five days of twenty 30-minute slots per room
    out: list[dict[str, Any]] = []
    start_day = dt.date(2026, 7, 13)
    n = 0
    while n < sessions:
        day = start_day + dt.timedelta(days=(n // (rooms * 20)) % 5)
        slot = (n // rooms) % 20
        room = n % rooms
        begin = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=30 * slot)
        title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {rng.choice(NOUNS)} #{n}"
        session: dict[str, Any] = {
            "id": f"s{n:05d}",
            "title": title,
            "date": day.isoformat(),
            "start": begin.strftime("%H:%M"),
            "end": (begin + dt.timedelta(minutes=30)).strftime("%H:%M"),
            "room": f"room-{room:02d}",
        }
        if n % 10 == 9:
            session["kind"] = "poster"
            session["title"] = f"Poster session {n}"
            session["posters"] = [
                {
                    "id": f"P{n}-{k}",
                    "title": f"{rng.choice(WORDS).title()} {rng.choice(NOUNS)} {k}",
                    "authors": [f"Author {rng.randrange(10_000)}", f"Author {rng.randrange(10_000)}"],
                }
                for k in range(20)
            ]
        else:
            session["kind"] = rng.choice(KINDS)
            session["speakers"] = [{"name": f"Speaker {n}", "affiliation": f"University {n % 97}"}]
        out.append(session)
        n += 1
    return {
        "event": {
            "name": "Generated Conference",
            "timezone": "America/New_York",
            "date": start_day.isoformat(),
            "display_timezones": ["Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"],
        },
        "sessions": out,
    }


def measure(path: str) -> None:
    """Runs in the fresh interpreter: load + validate, then plan; prints the figures."""
    started = time.perf_counter()
    from bot.schedule.loader import load_schedule
    from bot.schedule.plan import plan

    imported = time.perf_counter()
    schedule = load_schedule(path)
    loaded = time.perf_counter()
    announcements = plan(schedule)
    planned = time.perf_counter()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "sessions": len(schedule.sessions),
                "posters": sum(len(s.posters) for s in schedule.sessions),
                "announcements": len(announcements),
                "import_s": round(imported - started, 3),
                "load_s": round(loaded - imported, 3),
                "plan_s": round(planned - loaded, 3),
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return
    import yaml

    document = generate(args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        as_json = Path(tmp) / "conference.json"
        as_json.write_text(json.dumps(document), encoding="utf-8")
        as_yaml = Path(tmp) / "conference.yaml"
        as_yaml.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        figures = _measure_in_child(as_json)
        from_yaml = _measure_in_child(as_yaml)
    figures["yaml_load_s"] = from_yaml["load_s"]
    figures["yaml_peak_rss_mb"] = from_yaml["peak_rss_mb"]
    print(json.dumps(figures))


def _measure_in_child(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)], check=True, capture_output=True, text=True
    )
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


if __name__ == "__main__":
    main()
