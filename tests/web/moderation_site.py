"""The web side with moderators: the real core and web app on a free port, with a roster the test changes as it
goes (grant a role, take it away), and browsers-as-clients that sign in through the real link."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.chair import Chair
from bot.config import Settings
from bot.console.rehearse import ConsolePublisher
from bot.qa.service import QAService
from bot.schedule.loader import parse_schedule
from bot.signin import Member, Role
from bot.web.server import bound_port, make_app, start_site
from tests.clocks import HandClock

DAY = """
event: {name: Moderated Day, timezone: Europe/Vienna, date: 2031-05-12}
sessions:
  - id: keynote
    title: "Keynote <script>alert('title')</script>"
    kind: talk
    start: "09:00"
    end: "09:45"
    room: Hall A
    speakers: ["Ada Lovelace (Analytical Engines)"]
  - {id: panel, title: The Panel, kind: panel, start: "09:45", end: "10:30", room: Hall A}
  - {id: lunch, title: Lunch, kind: break, start: "10:30", end: "11:30"}
"""
#: 09:10 at the venue: the keynote is taking questions.
KEYNOTE_LIVE = dt.datetime(2031, 5, 12, 7, 10, tzinfo=dt.UTC)

MO = Member("1001", "Mo Moderator", Role.MODERATOR)
ZOE = Member("1002", "Zoe Moderator", Role.MODERATOR)
OLGA = Member("1003", "Olga Organizer", Role.ORGANIZER)

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class ChangingRoster:
    """Who holds which role, as the test says at each moment (Discord's member list, in the real bot)."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.asked = 0

    def grant(self, member: Member) -> None:
        self.members[member.id] = member

    def revoke(self, member_id: str) -> None:
        self.members.pop(member_id, None)

    async def member(self, member_id: str) -> Member | None:
        self.asked += 1
        return self.members.get(member_id)


@dataclass
class Moderator:
    """One browser, as a plain HTTP client with its own cookies, signed in as ``member``."""

    site: StaffedSite
    member: Member
    http: aiohttp.ClientSession
    csrf: str = ""

    async def page(self, path: str) -> tuple[int, str]:
        async with self.http.get(self.site.base + path) as response:
            return response.status, await response.text()

    async def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: str | None = None, as_json: bool = True
    ) -> tuple[int, Any]:
        """POST a form as the dashboard's script does (JSON back) or as a plain form (``as_json=False``: the
        303 is not followed). ``csrf``: the token to send, by default this sign-in's."""
        form = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            form["csrf"] = token
        headers = {"Accept": "application/json"} if as_json else {}
        async with self.http.post(self.site.base + path, data=form, headers=headers, allow_redirects=False) as r:
            if r.content_type == "application/json":
                return r.status, await r.json()
            return r.status, await r.text()

    async def act(self, action: str, session_id: str = "keynote", **data: Any) -> tuple[int, Any]:
        return await self.post(f"/moderate/{session_id}/{action}", data)


@dataclass
class StaffedSite:
    chair: Chair
    clock: HandClock
    roster: ChangingRoster
    base: str
    clients: list[aiohttp.ClientSession] = field(default_factory=list)

    def client(self) -> aiohttp.ClientSession:
        """A fresh browser: its own cookie jar (which, unlike the default, keeps cookies of 127.0.0.1)."""
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.clients.append(http)
        return http

    def link(self, member: Member) -> str:
        return self.chair.sign_in_link(member, self.base)

    async def sign_in(self, member: Member, *, grant: bool = True) -> Moderator:
        """``member`` (given the role first, unless ``grant`` is False) signed in through their personal link."""
        if grant:
            self.roster.grant(member)
        moderator = Moderator(self, member, self.client())
        async with moderator.http.get(self.link(member), allow_redirects=False) as response:
            assert response.status == 200, await response.text()
        status, text = await moderator.page("/moderate/keynote")
        assert status == 200, text
        moderator.csrf = _CSRF.search(text).group(1)  # type: ignore[union-attr]
        return moderator


@asynccontextmanager
async def staffed_site(tmp_path: Path, *, public_url: str | None = None) -> AsyncIterator[StaffedSite]:
    """The moderated day served on a free port, its roster empty until the test grants roles."""
    schedule = parse_schedule(DAY, "day.yaml")
    clock = HandClock(KEYNOTE_LIVE)
    settings = Settings.for_rehearsal(tmp_path)
    if public_url is not None:
        settings = settings.model_copy(update={"public_url": public_url})
    qa = QAService(settings.database_path, config=settings.qa_config(), clock=clock)
    await qa.start()
    roster = ChangingRoster()
    try:
        chair = Chair(settings, schedule, qa, None, clock=clock)
        chair.attach(ConsolePublisher(schedule, clock, io.StringIO()), None, roster)
        await chair.open()
        try:
            runner = await start_site(make_app(chair), "127.0.0.1", 0)
            site = StaffedSite(chair, clock, roster, f"http://127.0.0.1:{bound_port(runner)}")
            try:
                yield site
            finally:
                for http in site.clients:
                    await http.close()
                await runner.cleanup()
        finally:
            await chair.close()
    finally:
        await qa.close()


@pytest.fixture
async def staffed(tmp_path: Path) -> AsyncIterator[StaffedSite]:
    async with staffed_site(tmp_path) as site:
        yield site
