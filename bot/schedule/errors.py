"""Errors a schedule can have, each saying where it is and what to fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a schedule: where (session id, field, line) and what to do about it."""

    message: str
    session: str | None = None
    line: int | None = None

    def render(self, source: str) -> str:
        place = source if self.line is None else f"{source}:{self.line}"
        who = f" session {self.session!r}:" if self.session is not None else ""
        return f"{place}:{who} {self.message}"


class ScheduleError(Exception):
    """A schedule that cannot be used, with every problem found in it (not just the first)."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("a ScheduleError needs at least one problem")
        self.source = source
        self.problems = problems
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(problem.render(self.source) for problem in self.problems)


class UsageError(Exception):
    """The schedule is fine but the request is not (e.g. plain text without ``--date``); exit code 2."""
