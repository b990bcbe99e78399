"""Child process for the crash test: asks questions without end, printing each id as soon as it is acknowledged.

Usage: python ask_until_killed.py DATABASE. Runs until it is killed; the parent kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from pathlib import Path

from bot.qa import QAConfig, QAService

WORKERS = 32


async def main(path: Path) -> None:
    config = QAConfig(synchronous="FULL", rate_limit=1_000_000)
    numbers = itertools.count()
    async with QAService(path, config=config) as qa:

        async def worker(number: int) -> None:
            while True:
                n = next(numbers)
                result = await qa.ask(f"talk-{n % 4}", f"user-{number}", f"Crash test question {n}?", author_name="C")
                sys.stdout.write(f"{result.question.id}\n")
                sys.stdout.flush()

        await asyncio.gather(*(worker(number) for number in range(WORKERS)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
