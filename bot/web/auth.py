"""Signing in to the web side, and the checks every moderator's page and action goes through.

A moderator types ``/qa dashboard`` on Discord and gets a personal link, ``/signin/{token}``. Following it checks
the link (signed, not expired), asks the :class:`~bot.ports.Roster` whether the member still holds the role, and
sets the ``chairbot_session`` cookie (HttpOnly, SameSite=Strict, Secure behind https). The role written in the
cookie only records the sign-in: :func:`member_page` and :func:`member_action` ask the Roster again on every
request, so a moderator whose role was taken away is refused at their next click, and every POST must carry the
CSRF token of its sign-in (form field ``csrf`` or header ``X-CSRF-Token``) before anything changes.

What is refused is said plainly: a page for a browser, ``{"error": ..., "detail": ...}`` for a script. A refusal
of the core (:class:`~bot.errors.Refusal`) becomes a 4xx with its own sentence; never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot.errors import Refusal
from bot.qa.errors import InvalidRequest, QuestionNotFound, StoreError
from bot.signin import LINK_TTL, SESSION_TTL, Member, Role, SignInRefused, WebSession
from bot.web.keys import CHAIR

log = logging.getLogger(__name__)

COOKIE = "chairbot_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
#: Where a member lands once signed in.
HOME = "/moderate"
HOW_TO_SIGN_IN = (
    "Type /qa dashboard on the event's Discord server: the bot answers with a personal link that signs you in."
)

#: The names of the members the web side has seen signed in, by member id: the moderation log shows names, and
#: the Q&A store keeps ids only.
NAMES: web.AppKey[dict[str, str]] = web.AppKey("member names")

Form = MultiDictProxy[str | bytes | bytearray | web.FileField]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Problem(Exception):
    """A request refused at the web side's edge: its HTTP status, a short code for scripts, a title and a
    sentence for people."""

    def __init__(self, status: int, error: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = error
        self.title = title
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Signed:
    """Who made a request: the member as the Roster knows them now, their sign-in, and its CSRF token."""

    member: Member
    session: WebSession
    csrf: str


def wants_json(request: web.Request) -> bool:
    """Whether the caller is a script (it asks for JSON or a live stream, or is a ``fetch``), which reads errors
    as JSON."""
    accept = request.headers.get("Accept", "")
    scripted = "application/json" in accept or "text/event-stream" in accept
    return scripted or request.headers.get("Sec-Fetch-Dest") == "empty"


def _link_life() -> dict[str, int]:
    return {"link_minutes": int(LINK_TTL.total_seconds() // 60)}


def problem_response(request: web.Request, problem: Problem) -> web.Response:
    """``problem`` as the caller reads it: JSON for a script, a page for a browser."""
    headers = {"Cache-Control": "no-store"}
    if wants_json(request):
        body = {"error": problem.error, "detail": problem.detail}
        return web.json_response(body, status=problem.status, headers=headers)
    signed_out = problem.status == 401
    context = {"title": problem.title, "detail": problem.detail, "event": None, "sign_in": signed_out, **_link_life()}
    response = aiohttp_jinja2.render_template("notice.html", request, context, status=problem.status)
    response.headers.update(headers)
    return response


def core_problem(error: Refusal | StoreError) -> Problem:
    """A refusal of the core as a 4xx: a question that is not there or a request that makes no sense is the
    caller's mistake (400); anything else a rule declined in the state things are in (409). The store being
    unusable is the server's trouble (503)."""
    if isinstance(error, (QuestionNotFound, InvalidRequest)):
        return Problem(400, "bad_request", "This cannot be done", str(error))
    if isinstance(error, Refusal):
        return Problem(409, "refused", "This cannot be done now", str(error))
    log.error("storage failure: %s", error)
    return Problem(
        503,
        "store_unavailable",
        "The questions cannot be reached",
        "The question store is unavailable right now; the organizers can see why in the bot's log. "
        "Please try again in a moment.",
    )


# -- who is signed in ------------------------------------------------------------------------------------------


def _session_of(request: web.Request) -> WebSession:
    """The sign-in the request's cookie carries; :class:`Problem` 401 when there is none that can be used."""
    chair = request.app[CHAIR]
    token = request.cookies.get(COOKIE)
    if not token or chair.sign_in is None:
        raise Problem(401, "not_signed_in", "Please sign in", f"This page is for moderators. {HOW_TO_SIGN_IN}")
    try:
        return chair.sign_in.read_session(token)
    except SignInRefused as exc:
        raise Problem(401, "not_signed_in", "Please sign in again", f"{exc} {HOW_TO_SIGN_IN}") from None


async def _current_member(request: web.Request, member_id: str, needed: Role) -> Member:
    """The member as the Roster has them now, if they still hold ``needed``; their name is kept for the log."""
    chair = request.app[CHAIR]
    try:
        member = await chair.member_with(member_id, needed)
    except Refusal as exc:
        raise Problem(403, "role_gone", "You cannot do this any more", str(exc)) from None
    except Exception:
        # Discord did not answer, or answered with an error: that is no reason to let anyone in.
        log.exception("checking the role of member %s failed", member_id)
        raise Problem(
            503,
            "roles_unavailable",
            "Your role cannot be checked right now",
            "Whether you still hold your role cannot be checked right now (Discord did not answer). "
            "Please try again in a moment.",
        ) from None
    request.app[NAMES][member.id] = member.name
    return member


async def signed_in(request: web.Request, needed: Role = Role.MODERATOR) -> Signed:
    """Who is signed in, with ``needed`` (or a role above it) held now; :class:`Problem` 401 or 403 otherwise."""
    session = _session_of(request)
    member = await _current_member(request, session.member.id, needed)
    sign_in = request.app[CHAIR].sign_in
    assert sign_in is not None  # _session_of has read the cookie with it
    return Signed(member, session, sign_in.csrf_token(session))


async def checked_form(request: web.Request, session: WebSession) -> Form:
    """The POSTed form, once its CSRF token is that of ``session``; :class:`Problem` 403 otherwise (and 400 for a
    body that is no form)."""
    try:
        form = await request.post()
    except ValueError:
        raise Problem(400, "bad_form", "This form cannot be read", "The request carried no readable form.") from None
    token = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    sign_in = request.app[CHAIR].sign_in
    if sign_in is None or not isinstance(token, str) or not sign_in.csrf_ok(session, token):
        raise Problem(
            403,
            "csrf",
            "This form has expired",
            "The form does not carry this sign-in's token (it was opened before you last signed in, or another "
            "site sent it). Nothing was changed: reload the page and try again.",
        )
    return form


def member_page(
    handler: Callable[[web.Request, Signed], Awaitable[web.StreamResponse]], needed: Role = Role.MODERATOR
) -> Handler:
    """A GET handler for signed-in members holding ``needed``; problems and refusals become their answer."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request, await signed_in(request, needed))
        except Problem as problem:
            return problem_response(request, problem)
        except (Refusal, StoreError) as error:
            return problem_response(request, core_problem(error))

    return run


def member_action(
    handler: Callable[[web.Request, Signed, Form], Awaitable[web.StreamResponse]], needed: Role = Role.MODERATOR
) -> Handler:
    """A POST handler for signed-in members holding ``needed``, with the CSRF token checked first; problems and
    refusals become their answer, and nothing was changed."""

    async def run(request: web.Request) -> web.StreamResponse:
        try:
            session = _session_of(request)
            form = await checked_form(request, session)
            return await handler(request, await signed_in(request, needed), form)
        except Problem as problem:
            return problem_response(request, problem)
        except (Refusal, StoreError) as error:
            return problem_response(request, core_problem(error))

    return run


# -- signing in and out ----------------------------------------------------------------------------------------


def _secure(request: web.Request) -> bool:
    """Whether the cookie may travel over https only: when people reach the web side by https."""
    public = request.app[CHAIR].settings.public_url or ""
    return public.startswith("https://") or request.secure


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Follow a personal link: check it and the member's role now, then set the session cookie."""
    chair = request.app[CHAIR]
    try:
        if chair.sign_in is None:
            raise Problem(503, "not_ready", "Not ready yet", "The web side is still starting; try again in a moment.")
        try:
            linked = chair.sign_in.read_link(request.match_info["token"])
        except SignInRefused as exc:
            raise Problem(
                403,
                "link_refused",
                "This link cannot sign you in",
                f"{exc} Ask for a new link with /qa dashboard on the event's Discord server.",
            ) from None
        member = await _current_member(request, linked.id, Role.MODERATOR)
    except Problem as problem:
        return problem_response(request, problem)
    _, token = chair.sign_in.start_session(member)
    # A page that moves on to the dashboard, not a 303: following the link from Discord is a step from another
    # site, and a browser sends no SameSite=Strict cookie along a redirect that such a step started.
    response = aiohttp_jinja2.render_template("signed_in.html", request, {"member": member, "home": HOME})
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=_secure(request),
    )
    log.info("%s (%s) signed in to the web side as %s", member.name, member.id, member.role.value)
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    """Forget the sign-in in this browser. A browser that is signed in must send its CSRF token (another site
    cannot sign a moderator out); one that is not is simply told it is signed out."""
    try:
        session = _session_of(request)
    except Problem:
        pass
    else:
        try:
            await checked_form(request, session)
        except Problem as problem:
            return problem_response(request, problem)
    if wants_json(request):
        response: web.Response = web.json_response({"ok": True, "message": "You are signed out."})
    else:
        context = {
            "title": "Signed out",
            "detail": "You are signed out in this browser.",
            "event": None,
            "sign_in": True,
            **_link_life(),
        }
        response = aiohttp_jinja2.render_template("notice.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    response.del_cookie(COOKIE, path="/")
    return response


def setup(app: web.Application) -> None:
    """Add the sign-in link and sign-out routes to ``app``."""
    app.setdefault(NAMES, {})
    app.router.add_get("/signin/{token}", sign_in, name="signin")
    app.router.add_post("/signout", sign_out, name="signout")
