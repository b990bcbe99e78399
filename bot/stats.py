"""Running figures the core keeps for metrics: a histogram with fixed buckets, cheap enough for every commit and
every post. No exporter here: the web adapter turns a :class:`HistogramSnapshot` into Prometheus's format."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HistogramSnapshot:
    #: Upper bounds of the buckets, and how many observations fell at or under each (cumulative).
    bounds: tuple[float, ...]
    cumulative: tuple[int, ...]
    total: float
    count: int


class Histogram:
    """Observations counted into buckets with the given upper bounds (ascending), plus their sum and count."""

    def __init__(self, bounds: tuple[float, ...]) -> None:
        if list(bounds) != sorted(bounds) or len(set(bounds)) != len(bounds):
            raise ValueError("bucket bounds must be strictly ascending")
        self.bounds = bounds
        self._counts = [0] * (len(bounds) + 1)
        self._total = 0.0

    def observe(self, value: float) -> None:
        self._counts[bisect.bisect_left(self.bounds, value)] += 1
        self._total += value

    def snapshot(self) -> HistogramSnapshot:
        cumulative = []
        running = 0
        for count in self._counts[:-1]:
            running += count
            cumulative.append(running)
        return HistogramSnapshot(self.bounds, tuple(cumulative), self._total, running + self._counts[-1])
