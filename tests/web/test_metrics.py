"""``GET /metrics``: the core's numbers in Prometheus's text format, read at scrape time."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, REGISTRY, generate_latest
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families

from bot.announce.outbox import Planned
from bot.health import GatewayStats
from bot.web.server import make_app
from tests.web.conftest import MORNING, Site

#: 09:20 at the venue: the talk (09:10-09:40) is on.
DURING_THE_TALK = dt.datetime(2031, 5, 12, 7, 20, tzinfo=dt.UTC)


async def scrape(site: Site) -> dict[str, Metric]:
    response, text = await site.get("/metrics")
    assert response.status == 200
    return {family.name: family for family in text_string_to_metric_families(text)}


def sample(families: dict[str, Metric], name: str, **labels: str) -> float:
    """The value of the one sample of family ``name`` (a counter's, without ``_total``) with exactly ``labels``."""
    values = [s.value for s in families[name].samples if s.labels == labels]
    assert len(values) == 1, (name, labels, families[name].samples)
    return values[0]


async def test_metrics_are_prometheus_text_with_the_security_headers(site: Site) -> None:
    response, text = await site.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"] == CONTENT_TYPE_PLAIN_0_0_4
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    names = {family.name for family in text_string_to_metric_families(text)}
    assert {"chairbot_announcements", "chairbot_questions", "chairbot_queue_size"} <= names


async def test_questions_asked_in_a_live_session_are_counted_and_queued(site: Site) -> None:
    site.clock.now = DURING_THE_TALK
    await site.chair.qa.ask("talk", "1", "How fast do the engines run?", author_name="Grace")
    await site.chair.qa.ask("talk", "2", "Who else has built one since?", author_name="Alan")
    families = await scrape(site)
    assert sample(families, "chairbot_questions", status="queued") == 2
    assert sample(families, "chairbot_questions", status="answered") == 0
    assert [s.labels for s in families["chairbot_queue_size"].samples] == [{"session": "talk"}]
    assert sample(families, "chairbot_queue_size", session="talk") == 2
    assert families["chairbot_qa_writer_requests"].type == "counter"
    assert sample(families, "chairbot_qa_writer_requests") >= 2
    assert 1 <= sample(families, "chairbot_qa_writer_commits") <= sample(families, "chairbot_qa_writer_requests")


async def test_no_session_is_live_before_the_day_so_no_queue_is_reported(site: Site) -> None:
    families = await scrape(site)
    assert families["chairbot_queue_size"].samples == []


async def test_announcements_are_counted_by_status_with_the_lateness_of_the_last_one(site: Site) -> None:
    assert site.chair.outbox is not None
    assert site.chair.announcer is not None
    hour = dt.timedelta(hours=1)
    due = MORNING - dt.timedelta(seconds=30)
    await site.chair.outbox.plan(
        [
            Planned("note:posted", "note", due, due + hour, text="Welcome"),
            Planned("note:later", "note", MORNING + hour, MORNING + 2 * hour, text="Lunch"),
        ]
    )
    await site.chair.announcer.run_item("note:posted")
    families = await scrape(site)
    assert sample(families, "chairbot_announcements", status="sent") == 1
    assert sample(families, "chairbot_announcements", status="planned") == 1
    assert sample(families, "chairbot_announcements", status="failed") == 0
    assert sample(families, "chairbot_last_announcement_lateness_seconds") == 30


async def test_lateness_is_absent_until_an_announcement_has_run(site: Site) -> None:
    families = await scrape(site)
    assert "chairbot_last_announcement_lateness_seconds" not in families


async def test_without_discord_there_are_no_gateway_metrics(site: Site) -> None:
    families = await scrape(site)
    assert not [name for name in families if "gateway" in name or "interactions" in name]


@pytest.mark.parametrize("gateway", [GatewayStats(latency_ms=42.0, in_flight=3, pauses=2, dropped=1)])
async def test_the_gateway_stats_are_exposed(site: Site) -> None:
    families = await scrape(site)
    assert sample(families, "chairbot_gateway_connected") == 1
    assert sample(families, "chairbot_gateway_latency_seconds") == pytest.approx(0.042)
    assert sample(families, "chairbot_interactions_in_flight") == 3
    assert sample(families, "chairbot_gateway_pauses") == 2
    assert sample(families, "chairbot_interactions_dropped") == 1
    assert families["chairbot_gateway_pauses"].type == families["chairbot_interactions_dropped"].type == "counter"


@pytest.mark.parametrize("gateway", [GatewayStats(latency_ms=None)])
async def test_a_disconnected_gateway_reports_no_latency(site: Site) -> None:
    families = await scrape(site)
    assert sample(families, "chairbot_gateway_connected") == 0
    assert "chairbot_gateway_latency_seconds" not in families


async def test_each_app_keeps_its_metrics_out_of_the_global_registry(site: Site) -> None:
    make_app(site.chair)
    make_app(site.chair)  # a second app for the same core: no duplicate-metric error
    await scrape(site)
    assert b"chairbot_" not in generate_latest(REGISTRY)


async def test_asks_votes_and_moderation_are_counted_by_operation(site: Site) -> None:
    site.clock.now = DURING_THE_TALK
    qa = site.chair.qa
    asked = await qa.ask("talk", "1", "How fast do the engines run?", author_name="Grace")
    await qa.ask("talk", "2", "How fast do the engines run?", author_name="Alan")  # merged: an ask and a vote
    await qa.vote(asked.question.id, "3")
    await qa.toggle_vote(asked.question.id, "4")
    await qa.pull_next("talk", "mod")
    await qa.ban("troll", "mod")
    families = await scrape(site)
    assert families["chairbot_asks"].type == "counter"
    assert sample(families, "chairbot_asks", operation="ask") == 2
    assert sample(families, "chairbot_votes", operation="vote") == 1
    assert sample(families, "chairbot_votes", operation="toggle_vote") == 1
    assert sample(families, "chairbot_moderation_actions", operation="pull_next") == 1
    assert sample(families, "chairbot_moderation_actions", operation="ban") == 1
    assert sample(families, "chairbot_moderation_actions", operation="moderate") == 0


async def test_refused_requests_are_not_counted(site: Site) -> None:
    asked = await site.chair.qa.ask("talk", "1", "Why brass gears?", author_name="Grace")
    with pytest.raises(Exception, match="own"):
        await site.chair.qa.vote(asked.question.id, "1")
    families = await scrape(site)
    assert sample(families, "chairbot_votes", operation="vote") == 0


async def test_commit_times_are_a_histogram(site: Site) -> None:
    for n in range(3):
        await site.chair.qa.ask("talk", str(n), f"Question number {n}?", author_name="Ada")
    families = await scrape(site)
    commits = families["chairbot_qa_commit_seconds"]
    assert commits.type == "histogram"
    counts = {s.labels["le"]: s.value for s in commits.samples if s.name.endswith("_bucket")}
    assert counts["+Inf"] == sample(families, "chairbot_qa_writer_commits")
    assert list(counts.values()) == sorted(counts.values())  # cumulative


async def test_announcements_run_are_counted_with_their_lateness(site: Site) -> None:
    announcer = site.chair.announcer
    assert announcer is not None
    due = site.clock.now
    planned = Planned(id="note-x", kind="note", due_at=due, stale_at=due + dt.timedelta(hours=1), text="Hello")
    item = await announcer.outbox.add(planned)
    site.clock.now = due + dt.timedelta(seconds=90)
    await announcer.run_item(item.id)
    families = await scrape(site)
    assert sample(families, "chairbot_announcements_run", outcome="late") == 1
    assert sample(families, "chairbot_announcements_run", outcome="sent") == 0
    lateness = {s.labels.get("le"): s.value for s in families["chairbot_announcement_lateness_seconds"].samples if s.name.endswith("_bucket")}
    assert lateness["60"] == 0
    assert lateness["300"] == 1


async def test_connected_live_pages_are_counted(site: Site) -> None:
    async with site.http.get(site.base + "/live/qa/talk") as page:
        await page.content.readline()
        families = await scrape(site)
        assert sample(families, "chairbot_live_pages", view="qa") == 1
    for _ in range(100):
        families = await scrape(site)
        if sample(families, "chairbot_live_pages", view="qa") == 0:
            break
        await asyncio.sleep(0.05)
    assert sample(families, "chairbot_live_pages", view="qa") == 0
