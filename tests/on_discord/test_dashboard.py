"""``/qa dashboard`` on Discord: a private, personal link that signs a moderator in to the web dashboard, and the
server's member list (:class:`DiscordRoster`) deciding on every page whether they still may moderate."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import aiohttp

from bot.on_discord.roster import DiscordRoster
from bot.signin import Role
from tests.on_discord.conftest import TALK_1_LIVE, Event, MovableClock, running_event

LINK = re.compile(r"<(http://[^>\s]+/signin/[^>\s]+)>")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_discord_roster(day: Event) -> DiscordRoster:
    """The roster the bot's wiring attaches: the server's member list."""
    assert isinstance(day.chair.roster, DiscordRoster)
    return day.chair.roster


def browser() -> aiohttp.ClientSession:
    # Unlike the default, this jar keeps cookies of 127.0.0.1.
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def test_a_moderator_gets_a_private_link_that_signs_in_until_the_role_is_taken_away(tmp_path: Path) -> None:
    # Port 0: the link names the port the web side got, not the 0 of the settings.
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE), web_listen="127.0.0.1:0") as day:
        with_discord_roster(day)
        base = day.chair.web_served_at
        assert base is not None
        assert not base.endswith(":0")
        result = await day.emu.slash("qa dashboard", user=day.moderator)
        assert result.ephemeral
        found = LINK.search(result.content)
        assert found is not None, result.content
        link = found.group(1)
        assert link.startswith(base + "/signin/")
        assert "as moderator" in result.content
        async with browser() as http:
            async with http.get(link) as signed_in:
                assert signed_in.status == 200
                assert "Welcome, Mo." in await signed_in.text()
            async with http.get(base + "/moderate") as dashboard:
                assert dashboard.status == 200
                assert "Invited Talk 1" in await dashboard.text()
            # Taken away on Discord: the very next page is refused.
            day.emu.set_member_roles(day.moderator, [])
            async with http.get(base + "/moderate") as refused:
                assert refused.status == 403
                assert "no longer hold a role" in await refused.text()


async def test_an_organizer_signs_in_as_organizer(tmp_path: Path) -> None:
    port = free_port()
    async with running_event(tmp_path, MovableClock(TALK_1_LIVE), web_listen=f"127.0.0.1:{port}") as day:
        with_discord_roster(day)
        result = await day.emu.slash("qa dashboard", user=day.organizer)
        assert "as organizer" in result.content
        found = LINK.search(result.content)
        assert found is not None
        async with browser() as http, http.get(found.group(1)) as signed_in:
            assert signed_in.status == 200
        async with browser() as http:
            http.cookie_jar.update_cookies(signed_in.cookies)
            async with http.get(f"http://127.0.0.1:{port}/moderate") as dashboard:
                assert '<span class="role">organizer</span>' in await dashboard.text()


async def test_an_attendee_gets_no_link_even_where_the_server_shows_them_qa(event: Event) -> None:
    # Discord hides /qa from members without Manage Messages, unless an admin overrides that: the bot checks itself.
    result = await event.emu.slash("qa dashboard", user=event.attendee, bypass_default_permissions=True)
    assert result.ephemeral
    assert "Only moderators" in result.content
    assert "/signin/" not in result.content


async def test_without_the_web_side_the_command_says_how_to_turn_it_on(event: Event) -> None:
    result = await event.emu.slash("qa dashboard", user=event.moderator)
    assert result.ephemeral
    assert "The web side is off" in result.content
    assert "web_listen" in result.content


async def test_the_roster_reads_roles_from_the_member_list(event: Event) -> None:
    roster = DiscordRoster(event.bot, event.chair.settings.guild_id)
    moderator = await roster.member(str(event.moderator.id))
    organizer = await roster.member(str(event.organizer.id))
    assert moderator is not None
    assert (moderator.name, moderator.role) == ("Mo", Role.MODERATOR)
    assert organizer is not None
    assert organizer.role is Role.ORGANIZER
    assert await roster.member(str(event.attendee.id)) is None  # no role
    assert await roster.member("123456789012345678") is None  # not on the server
    assert await roster.member("web:abc") is None  # a web asker is never a member
    event.emu.set_member_roles(event.organizer, [])
    assert await roster.member(str(event.organizer.id)) is None
