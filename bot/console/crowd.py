"""A scripted crowd: simulated attendees who ask and upvote through the real core, so that a rehearsal's web
pages (and the benchmark of live pages) have life.

Each attendee is ``crowd-N``; they ask through :meth:`QAService.ask` and vote through
:meth:`QAService.vote`, so every rule applies to them as to anyone (cleaning, duplicates, rate limits, bans).
Refusals are counted, not raised: a crowd that hits a rate limit simply asks less.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from bot.qa.errors import QARefusal
from bot.qa.service import QAService

log = logging.getLogger(__name__)

_OPENINGS = (
    "How does {topic} behave at ten times the scale?",
    "What surprised you most while working on {topic}?",
    "Could {topic} work without a GPU?",
    "Which part of {topic} would you rebuild from scratch?",
    "How do you evaluate {topic} fairly?",
    "What is the biggest open problem in {topic}?",
    "Is there code or data we can try for {topic}?",
    "How does {topic} compare with last year's approaches?",
    "What would convince a sceptic about {topic}?",
    "Where does {topic} fail, in your experience?",
)


def question_for(topic: str, rng: random.Random) -> str:
    """A plausible audience question about ``topic`` (a session title)."""
    short = topic if len(topic) <= 60 else topic[:57].rstrip() + "…"
    return rng.choice(_OPENINGS).format(topic=short)


@dataclass
class CrowdStats:
    asked: int = 0
    voted: int = 0
    refused: int = 0


class Crowd:
    """``size`` attendees asking about ``asks_per_s`` and voting about ``votes_per_s`` times per second (real
    time) in the sessions that ``sessions()`` names at each moment (ids and titles of sessions taking
    questions)."""

    def __init__(
        self,
        qa: QAService,
        size: int,
        sessions: Callable[[], Sequence[tuple[str, str]]],
        *,
        asks_per_s: float = 0.5,
        votes_per_s: float = 3.0,
        seed: int = 7,
    ) -> None:
        if size < 1:
            raise ValueError("a crowd has at least one attendee")
        self.qa = qa
        self.size = size
        self.sessions = sessions
        self.asks_per_s = asks_per_s
        self.votes_per_s = votes_per_s
        self.rng = random.Random(seed)
        self.stats = CrowdStats()
        #: The questions each session has, as the crowd saw them asked: what it votes on.
        self._known: dict[str, list[int]] = {}

    def _attendee(self) -> str:
        return f"crowd-{self.rng.randrange(self.size) + 1}"

    async def ask(self, session_id: str, title: str) -> None:
        who = self._attendee()
        try:
            result = await self.qa.ask(
                session_id, who, question_for(title, self.rng), author_name=who.replace("-", " ").title()
            )
        except QARefusal:
            self.stats.refused += 1
            return
        self.stats.asked += 1
        known = self._known.setdefault(session_id, [])
        if result.question.id not in known:
            known.append(result.question.id)

    async def vote(self, session_id: str) -> bool:
        """One upvote on a question of the session (earlier questions a little more popular); False when the
        session has none yet or the vote was refused."""
        known = self._known.get(session_id)
        if not known:
            return False
        question_id = known[min(int(self.rng.expovariate(0.35)), len(known) - 1)]
        try:
            await self.qa.vote(question_id, self._attendee())
        except QARefusal:
            self.stats.refused += 1
            return False
        self.stats.voted += 1
        return True

    async def run(self, tick: float = 0.1) -> None:
        """Ask and vote until cancelled, in steps of ``tick`` seconds, at the configured rates on average."""
        asks_due = votes_due = 0.0
        last = time.monotonic()
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            elapsed, last = now - last, now
            live = list(self.sessions())
            if not live:
                continue
            asks_due += self.asks_per_s * elapsed
            votes_due += self.votes_per_s * elapsed
            work: list[Coroutine[Any, Any, object]] = []
            while asks_due >= 1:
                asks_due -= 1
                session_id, title = self.rng.choice(live)
                work.append(self.ask(session_id, title))
            while votes_due >= 1:
                votes_due -= 1
                work.append(self.vote(self.rng.choice(live)[0]))
            if work:
                try:
                    await asyncio.gather(*work)
                except Exception:  # the store failed; a crowd is for show, so it carries on
                    log.exception("the simulated crowd's request failed")
