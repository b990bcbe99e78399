"""``GET /healthz`` and the error pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.announce.outbox import Planned
from bot.health import GatewayStats
from tests.web.conftest import MORNING, Site


async def test_a_fresh_day_is_healthy(site: Site) -> None:
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok"
    assert body["reasons"] == []
    assert body["now"] == "2031-05-12T06:00:00Z"
    assert "outbox" in body
    assert "questions" in body


async def test_an_overdue_announcement_degrades_health(site: Site) -> None:
    assert site.chair.outbox is not None
    due = MORNING - dt.timedelta(minutes=5)
    await site.chair.outbox.plan([Planned("note:late", "note", due, due + dt.timedelta(hours=1), text="Hello")])
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "degraded"
    assert any("note:late" in reason and "300 s overdue" in reason for reason in body["reasons"])
    assert body["next_announcement"] == "note:late"


async def test_an_announcement_a_few_seconds_late_is_still_healthy(site: Site) -> None:
    await site.chair.replan()
    site.clock.now = dt.datetime(2031, 5, 12, 6, 50, 30, tzinfo=dt.UTC)  # 30 s after the opening's first post
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 200


@pytest.mark.parametrize("gateway", [GatewayStats(latency_ms=None)])
async def test_a_disconnected_gateway_degrades_health(site: Site) -> None:
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["reasons"] == ["gateway not connected"]


@pytest.mark.parametrize("gateway", [GatewayStats(latency_ms=42.0)])
async def test_a_connected_gateway_is_healthy(site: Site) -> None:
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["latency_ms"] == 42.0


async def test_an_unknown_path_is_a_404_page_without_a_traceback(site: Site) -> None:
    response, html = await site.get("/no/such/page")
    assert response.status == 404
    assert "Not found" in html
    assert "Traceback" not in html
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


async def test_a_failing_handler_is_a_500_page_that_says_it_was_logged(
    site: Site, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("bot.web.server.schedule_days", broken)
    response, html = await site.get("/")
    assert response.status == 500
    assert "logged" in html
    assert "secret internals" not in html
    assert "Traceback" not in html
    assert "secret internals" in caplog.text


async def test_a_refused_schedule_version_degrades_health(site: Site) -> None:
    site.chair._last_problems = "line 3: end before start"  # what a refused reload leaves behind
    async with site.http.get(site.base + "/healthz") as response:
        assert response.status == 503
        assert (await response.json())["reasons"] == ["schedule source: the newest version was refused"]


async def test_a_database_that_takes_no_writes_degrades_health(site: Site) -> None:
    file = site.chair.file
    assert file is not None
    await file.run(file.conn.execute, "PRAGMA query_only = ON")
    response, text = await site.get("/healthz")
    assert response.status == 503
    body = json.loads(text)
    assert body["status"] == "degraded"
    assert any(reason.startswith("database not writable: ") for reason in body["reasons"]), body
    await file.run(file.conn.execute, "PRAGMA query_only = OFF")
    response, _ = await site.get("/healthz")
    assert response.status == 200


async def test_a_schedule_url_that_stops_answering_degrades_health_after_three_checks(site: Site) -> None:
    site.chair.source_answered(from_cache=True)  # a check served the cached copy: the URL did not answer
    site.clock.now = MORNING + dt.timedelta(minutes=10)
    site.chair.source_answered(from_cache=True)
    response, _ = await site.get("/healthz")
    assert response.status == 200  # a blip: not yet
    site.clock.now = MORNING + dt.timedelta(minutes=16)
    response, text = await site.get("/healthz")
    assert response.status == 503
    body = json.loads(text)
    assert body["reasons"] == [
        "schedule source: unreachable since 2031-05-12T06:00:00Z; its last good copy is in force"
    ]
    assert body["source_failing_since"] == "2031-05-12T06:00:00Z"
    site.chair.source_answered(from_cache=False)
    response, _ = await site.get("/healthz")
    assert response.status == 200
