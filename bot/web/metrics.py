"""``GET /metrics``: what the core already knows, in Prometheus's text format, read at scrape time.

Each app has its own :class:`~prometheus_client.CollectorRegistry` (never the process-wide default, so two apps
or two tests in one process do not collide) holding one :class:`ChairCollector`. The core is async and
``collect()`` is not, so the handler first awaits the numbers into a plain :class:`Snapshot`, then hands it to
the collector and renders the registry, with no ``await`` in between: concurrent scrapes cannot mix snapshots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field

from aiohttp import web
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.announce.outbox import Status as AnnouncementStatus
from bot.chair import Chair
from bot.health import GatewayStats
from bot.qa.model import Status as QuestionStatus
from bot.stats import HistogramSnapshot
from bot.web.live import LiveHub

#: Q&A store operations (QAStore methods) and the metric label each is counted under.
_ASKS = {"ask": "ask"}
_VOTES = {"vote": "vote", "unvote": "unvote", "toggle_vote": "toggle_vote"}
_MODERATION = {
    "moderate": "moderate",
    "move": "move",
    "pull_next": "pull_next",
    "put_on_stage": "put_on_stage",
    "ban": "ban",
    "unban": "unban",
    "configure_session": "configure_session",
}

#: The text format ``generate_latest`` writes (``CONTENT_TYPE_LATEST`` names format 1.0.0 since 0.23).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The numbers of one scrape, already read from the core."""

    #: Items in the outbox by status; questions by status (every status present, zero or not).
    announcements: Mapping[str, int]
    questions: Mapping[str, int]
    #: Queued questions of each session live at the time of the scrape, by session id.
    queue_sizes: Mapping[str, int]
    #: How late the most recent announcement ran (None: none has run since the start).
    last_lateness_s: float | None = None
    #: The Q&A store's group-commit writer: requests committed, and the commits that carried them.
    writer_requests: int = 0
    writer_commits: int = 0
    #: What the transport knows of itself (None: no Discord, no gateway metrics).
    gateway: GatewayStats | None = None
    #: Announcements run since the start by outcome, and how late the posted ones ran.
    announcer_outcomes: Mapping[str, int] = field(default_factory=dict)
    lateness: HistogramSnapshot | None = None
    #: Q&A requests that committed since the start, by operation; how long commits took.
    operations: Mapping[str, int] = field(default_factory=dict)
    commit_seconds: HistogramSnapshot | None = None
    #: Live pages connected now, by view (None: no live pages served).
    live_pages: Mapping[str, int] | None = None


async def take_snapshot(chair: Chair, gateway: GatewayStats | None, hub: LiveHub | None = None) -> Snapshot:
    """Read the numbers from the core: the health report, plus the queue of each session live now."""
    health = await chair.health(gateway, probe_database=False)
    live = chair.schedule.live_at(chair.clock())
    counts = await asyncio.gather(*(chair.qa.counts(session.id) for session in live))
    stats = chair.qa.stats
    announcer = chair.announcer
    return Snapshot(
        announcements={status.value: health.outbox.get(status.value, 0) for status in AnnouncementStatus},
        questions={status.value: health.questions.get(status.value, 0) for status in QuestionStatus},
        queue_sizes={session.id: n.get(QuestionStatus.QUEUED, 0) for session, n in zip(live, counts, strict=True)},
        last_lateness_s=health.last_lateness_s,
        writer_requests=stats.requests,
        writer_commits=stats.commits,
        gateway=gateway,
        announcer_outcomes=dict(announcer.outcomes) if announcer is not None else {},
        lateness=announcer.lateness.snapshot() if announcer is not None else None,
        operations=dict(stats.operations),
        commit_seconds=stats.commit_seconds,
        live_pages=hub.connected_by_view() if hub is not None else None,
    )


class ChairCollector(Collector):
    """Turns the :attr:`snapshot` the handler set into metric families (nothing before the first scrape)."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None

    def collect(self) -> Iterator[Metric]:
        snapshot = self.snapshot
        if snapshot is None:
            return
        yield _by_label("chairbot_announcements", "Announcements in the outbox, by status.", snapshot.announcements)
        yield _by_label("chairbot_questions", "Questions in the Q&A store, by status.", snapshot.questions)
        yield _by_label(
            "chairbot_queue_size", "Questions queued in each session live now.", snapshot.queue_sizes, "session"
        )
        if snapshot.last_lateness_s is not None:
            yield GaugeMetricFamily(
                "chairbot_last_announcement_lateness_seconds",
                "How late the most recent announcement ran (negative: early).",
                value=snapshot.last_lateness_s,
            )
        yield CounterMetricFamily(
            "chairbot_qa_writer_requests",
            "Q&A store requests run by the group-commit writer.",
            value=snapshot.writer_requests,
        )
        yield CounterMetricFamily(
            "chairbot_qa_writer_commits", "Commits that carried the Q&A requests.", value=snapshot.writer_commits
        )
        outcomes = CounterMetricFamily(
            "chairbot_announcements_run",
            "Announcements run since the start, by outcome (sent on time, late, skipped as stale, failed).",
            labels=["outcome"],
        )
        for outcome in ("sent", "late", "skipped", "failed"):
            outcomes.add_metric([outcome], snapshot.announcer_outcomes.get(outcome, 0))
        yield outcomes
        if snapshot.lateness is not None:
            yield _histogram(
                "chairbot_announcement_lateness_seconds",
                "How late posted announcements ran, since the start.",
                snapshot.lateness,
            )
        for name, documentation, operations in (
            ("chairbot_asks", "Questions asked (new or merged) since the start.", _ASKS),
            ("chairbot_votes", "Votes given or taken back since the start, by operation.", _VOTES),
            ("chairbot_moderation_actions", "Moderation actions since the start, by operation.", _MODERATION),
        ):
            family = CounterMetricFamily(name, documentation, labels=["operation"])
            for operation, label in operations.items():
                family.add_metric([label], snapshot.operations.get(operation, 0))
            yield family
        if snapshot.commit_seconds is not None:
            yield _histogram(
                "chairbot_qa_commit_seconds", "How long the Q&A store's commits took.", snapshot.commit_seconds
            )
        if snapshot.live_pages is not None:
            yield _by_label(
                "chairbot_live_pages", "Live pages connected now, by view.", snapshot.live_pages, label="view"
            )
        if snapshot.gateway is not None:
            yield from _gateway(snapshot.gateway)


def _by_label(name: str, documentation: str, values: Mapping[str, int], label: str = "status") -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def _histogram(name: str, documentation: str, values: HistogramSnapshot) -> HistogramMetricFamily:
    buckets = [(f"{bound:g}", count) for bound, count in zip(values.bounds, values.cumulative, strict=True)]
    buckets.append(("+Inf", values.count))
    return HistogramMetricFamily(name, documentation, buckets=buckets, sum_value=values.total)


def _gateway(gateway: GatewayStats) -> Iterator[Metric]:
    connected = gateway.latency_ms is not None
    yield GaugeMetricFamily("chairbot_gateway_connected", "1 when Discord's heartbeat answers.", value=int(connected))
    if gateway.latency_ms is not None:
        yield GaugeMetricFamily(
            "chairbot_gateway_latency_seconds", "Discord's heartbeat latency.", value=gateway.latency_ms / 1000
        )
    yield GaugeMetricFamily(
        "chairbot_interactions_in_flight", "Interactions read and not yet answered.", value=gateway.in_flight
    )
    yield CounterMetricFamily(
        "chairbot_interactions_received", "Interactions read from Discord since the start.", value=gateway.received
    )
    yield CounterMetricFamily(
        "chairbot_interactions_dropped", "Interactions dropped as too old to answer.", value=gateway.dropped
    )
    yield CounterMetricFamily(
        "chairbot_gateway_pauses", "Times reading from Discord paused for room.", value=gateway.pauses
    )


def metrics_handler(
    chair: Chair, gateway: Callable[[], GatewayStats | None] | None = None, hub: LiveHub | None = None
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The ``/metrics`` handler of one app, with its own registry; ``gateway`` as for ``/healthz``; ``hub``: the
    live pages to count."""
    collector = ChairCollector()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)

    async def metrics(request: web.Request) -> web.Response:
        snapshot = await take_snapshot(chair, gateway() if gateway is not None else None, hub)
        collector.snapshot = snapshot  # no await from here to the rendering: the body is this snapshot's
        body = generate_latest(registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"})

    return metrics
