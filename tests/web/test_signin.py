"""Signing in to the web side with the personal link from ``/qa dashboard``, and the role asked again on every
request: a link is refused when forged, changed or expired, and a moderator whose role is gone is refused at once."""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie
from pathlib import Path

import aiohttp
from yarl import URL

from bot.signin import LINK_TTL, SESSION_TTL, Member, Role
from tests.web.moderation_site import MO, OLGA, ZOE, StaffedSite, staffed, staffed_site

__all__ = ["staffed"]  # the fixture


def session_cookie(response: aiohttp.ClientResponse) -> str:
    """The raw Set-Cookie header of the sign-in cookie."""
    (header,) = [h for h in response.headers.getall("Set-Cookie") if h.startswith("chairbot_session=")]
    return header


async def test_the_link_signs_in_with_a_strict_httponly_cookie_and_opens_the_dashboard(staffed: StaffedSite) -> None:
    staffed.roster.grant(MO)
    http = staffed.client()
    async with http.get(staffed.link(MO), allow_redirects=False) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        header = session_cookie(response)
        page = await response.text()
    cookie = SimpleCookie(header)["chairbot_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == str(int(SESSION_TTL.total_seconds()))
    assert not cookie["secure"]  # served over plain http here: a Secure cookie would never come back
    # The page moves on to the dashboard by itself (a same-site step, so the Strict cookie goes along).
    assert '<meta http-equiv="refresh" content="0; url=/moderate">' in page
    assert "Mo Moderator" in page
    async with http.get(staffed.base + "/moderate") as dashboard:
        assert dashboard.status == 200
        assert "Keynote" in await dashboard.text()


async def test_the_cookie_is_secure_when_people_reach_the_site_by_https(tmp_path: Path) -> None:
    async with staffed_site(tmp_path, public_url="https://chair.example.org") as site:
        site.roster.grant(MO)
        link = site.chair.sign_in_link(MO)
        assert link.startswith("https://chair.example.org/signin/")
        path = link.removeprefix("https://chair.example.org")
        async with site.client().get(site.base + path, allow_redirects=False) as response:
            assert response.status == 200
            assert SimpleCookie(session_cookie(response))["chairbot_session"]["secure"] is True


async def test_an_organizer_signs_in_too(staffed: StaffedSite) -> None:
    olga = await staffed.sign_in(OLGA)
    status, page = await olga.page("/moderate")
    assert status == 200
    assert "Olga Organizer" in page
    assert "organizer" in page


async def test_an_expired_link_is_refused_with_how_to_get_a_new_one(staffed: StaffedSite) -> None:
    staffed.roster.grant(MO)
    link = staffed.link(MO)
    staffed.clock.advance(LINK_TTL + dt.timedelta(seconds=1))
    async with staffed.client().get(link, allow_redirects=False) as response:
        assert response.status == 403
        assert "Set-Cookie" not in response.headers
        page = await response.text()
    assert "has expired" in page
    assert "ask for a new link with /qa dashboard" in page.lower()


async def test_a_forged_link_is_refused(staffed: StaffedSite) -> None:
    staffed.roster.grant(MO)
    async with staffed.client().get(staffed.base + "/signin/not-a-token", allow_redirects=False) as response:
        assert response.status == 403
        assert "Set-Cookie" not in response.headers
        assert "/qa dashboard" in await response.text()


async def test_a_link_changed_by_hand_is_refused(staffed: StaffedSite) -> None:
    staffed.roster.grant(MO)
    staffed.roster.grant(OLGA)
    link = staffed.link(MO)
    # Claim to be the organizer with Mo's signature: the payload no longer matches it.
    payload, signature = link.rsplit("/", 1)[1].rsplit(".", 1)
    other_payload = staffed.link(OLGA).rsplit("/", 1)[1].rsplit(".", 1)[0]
    # The signature's first character carries six bits of it (its last may carry padding that decodes the same).
    changed = ("A" if signature[0] != "A" else "Q") + signature[1:]
    for token in (f"{other_payload}.{signature}", f"{payload}.{changed}"):
        async with staffed.client().get(f"{staffed.base}/signin/{token}", allow_redirects=False) as response:
            assert response.status == 403
            assert "not valid" in await response.text()


async def test_a_link_made_with_another_key_is_refused(staffed: StaffedSite) -> None:
    from bot.signin import SignIn

    staffed.roster.grant(MO)
    forged = SignIn("another key, sixteen+ characters", staffed.clock).link_token(OLGA)
    async with staffed.client().get(f"{staffed.base}/signin/{forged}", allow_redirects=False) as response:
        assert response.status == 403


async def test_a_member_without_the_role_is_refused_at_sign_in(staffed: StaffedSite) -> None:
    # The link was issued while Mo was a moderator; the role was taken away before it was followed.
    link = staffed.link(MO)
    async with staffed.client().get(link, allow_redirects=False) as response:
        assert response.status == 403
        assert "Set-Cookie" not in response.headers
        assert "no longer hold a role" in await response.text()


async def test_the_role_is_asked_again_on_every_request(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    before = staffed.roster.asked
    for _ in range(3):
        assert (await mo.page("/moderate"))[0] == 200
    assert staffed.roster.asked == before + 3


async def test_a_moderator_who_lost_the_role_is_refused_at_the_next_page_and_action(staffed: StaffedSite) -> None:
    await staffed.chair.qa.ask("keynote", "7", "Still there?", author_name="Ann")
    mo = await staffed.sign_in(MO)
    staffed.roster.revoke(MO.id)
    status, page = await mo.page("/moderate/keynote")
    assert status == 403
    assert "no longer hold a role" in page
    status, answer = await mo.act("next")
    assert status == 403
    assert answer["error"] == "role_gone"
    assert [item.question.status.value for item in await staffed.chair.qa.queue("keynote")] == ["queued"]
    assert await staffed.chair.qa.moderation_log() == []


async def test_the_role_held_now_counts_not_the_one_in_the_cookie(staffed: StaffedSite) -> None:
    olga = await staffed.sign_in(OLGA)
    # Olga is now only a moderator: still allowed to moderate, and the page says what she is now.
    staffed.roster.grant(Member(OLGA.id, OLGA.name, Role.MODERATOR))
    status, page = await olga.page("/moderate")
    assert status == 200
    assert '<span class="role">moderator</span>' in page


async def test_without_a_cookie_the_dashboard_says_how_to_sign_in(staffed: StaffedSite) -> None:
    http = staffed.client()
    async with http.get(staffed.base + "/moderate") as page:
        assert page.status == 401
        text = await page.text()
    assert "/qa dashboard" in text
    async with http.get(staffed.base + "/moderate/keynote", headers={"Accept": "application/json"}) as script:
        assert script.status == 401
        body = await script.json()
    assert body["error"] == "not_signed_in"
    assert "/qa dashboard" in body["detail"]


async def test_a_sign_in_ends_after_its_lifetime(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    staffed.clock.advance(SESSION_TTL)
    status, page = await mo.page("/moderate")
    assert status == 401
    assert "has expired" in page


async def test_a_forged_cookie_is_not_a_sign_in(staffed: StaffedSite) -> None:
    staffed.roster.grant(MO)
    http = staffed.client()
    http.cookie_jar.update_cookies({"chairbot_session": "made.up"}, response_url=URL(staffed.base))
    async with http.get(staffed.base + "/moderate") as page:
        assert page.status == 401


async def test_signing_out_needs_the_token_and_ends_the_sign_in(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    status, _ = await mo.post("/signout", csrf="", as_json=False)
    assert status == 403
    assert (await mo.page("/moderate"))[0] == 200  # another site cannot sign a moderator out
    status, page = await mo.post("/signout", as_json=False)
    assert status == 200
    assert "signed out" in page
    assert (await mo.page("/moderate"))[0] == 401


async def test_each_browser_has_its_own_form_token(staffed: StaffedSite) -> None:
    mo = await staffed.sign_in(MO)
    zoe = await staffed.sign_in(ZOE)
    assert mo.csrf != zoe.csrf
    again = await staffed.sign_in(MO)
    assert again.csrf != mo.csrf  # a new sign-in, a new token
