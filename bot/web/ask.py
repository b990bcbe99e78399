"""The ask page: people in the room, and anyone without Discord, ask and upvote the questions of one session from
a browser, ``/ask/{session}``, when the event allows it (``web_ask``).

Only transport lives here. Questions and votes go to the core as Discord's do, so the same text cleaning,
duplicate merging, per-asker rate limit and bans apply; a question from the web waits for a moderator while
``web_ask_review`` is on. What the adapter adds is what only the web needs:

* Who a browser is: a random secret in an HttpOnly, SameSite=Strict cookie (``chairbot_browser``). The core
  knows the browser as ``web:`` and a digest of that secret, so an id that moderators see (to ban an asker) never
  lets anyone act as that browser. Every form carries a CSRF token derived from the secret.
* Limits per network address, over a sliding minute of real time: the core's limit is per asker, and a fresh
  browser id costs only a cleared cookie. A room behind one NAT shares an address, hence generous numbers.
  Behind a reverse proxy the address is the proxy's unless the app is told the client's (``X-Forwarded-For``).
* The page works with JavaScript (fetch, JSON answers, the list live from ``/live/qa/{session}``) and without
  it (plain form posts, answered with a 303 back to the page and a message).
* Which questions this browser voted for, kept in a cookie (``chairbot_votes``): the core says whether a vote
  counts only when one is cast. The cookie only draws the buttons; the core decides what a click does.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiDictProxy

from bot import render
from bot.chair import Chair
from bot.qa.errors import (
    InvalidQuestionText,
    NotVotable,
    OwnQuestionVote,
    QAClosed,
    QARefusal,
    QuestionNotFound,
    RateLimited,
    StoreError,
    UserBanned,
)
from bot.qa.text import DISPLAY_NAME_MAX, clean_display_name
from bot.schedule.model import Session
from bot.signin import SignIn
from bot.web.keys import CHAIR, HUB
from bot.web.page import clock_speed
from bot.web.qa_views import PUBLIC_QA, PUBLIC_QUEUE
from bot.web.stage import OFF_SCHEDULE, shown_session, speakers_text

log = logging.getLogger(__name__)

BROWSER_COOKIE = "chairbot_browser"
VOTES_COOKIE = "chairbot_votes"
#: The message a plain form post leaves for the page it is sent back to (303, then GET).
SAID_COOKIE = "chairbot_said"
#: How long a browser keeps its id: longer than any event, short enough not to follow anyone for long.
BROWSER_COOKIE_AGE_S = 14 * 24 * 3600
#: Questions and votes one network address may send within :data:`ADDRESS_WINDOW_S`.
ASKS_PER_ADDRESS = 6
VOTES_PER_ADDRESS = 60
ADDRESS_WINDOW_S = 60.0
#: Addresses remembered before those idle for a whole window are forgotten.
ADDRESSES_KEPT = 10_000
#: The questions a browser's vote cookie remembers (the newest).
REMEMBERED_VOTES = 200
#: The public name of a web asker who gave none (never the browser's id: see the module's docstring).
GUEST_NAME = "web guest"
#: Own questions awaiting review looked for, at most.
OWN_PENDING_LIMIT = 200
#: The widest question id a form may name (SQLite's integers are 64-bit).
_ID_DIGITS = 18
_SECRET_SHAPE = re.compile(r"[A-Za-z0-9_-]{22,64}")

OFF_MESSAGE = "Asking on the web is off for this event: ask in Discord with /ask."
NO_COOKIE = "Your browser did not send this page's cookie: allow cookies for this site, reload the page and try again."
STALE_FORM = "This form has expired or came from another page: reload the page and try again."
UNREADABLE = "The form could not be read: reload the page and try again."
TOO_LARGE = "That was too much to send at once: a question is at most a few hundred characters."
STORE_DOWN = "That could not be saved just now: please try again in a moment."


class AddressWindow:
    """At most ``limit`` requests per network address within a sliding ``window`` (seconds of real time: load
    and abuse happen in real time, whatever clock the event runs on). A refused request is not counted, so a
    flood does not push the end of its own wait further out."""

    __slots__ = ("_clock", "_hits", "limit", "window")

    def __init__(self, limit: int, window: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def take(self, address: str) -> float:
        """Count a request from ``address``: 0 when it may go ahead, else the seconds until one may."""
        now = self._clock()
        hits = self._hits.get(address)
        if hits is None:
            if len(self._hits) >= ADDRESSES_KEPT:
                self._forget_idle(now)
            hits = self._hits[address] = deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return hits[0] + self.window - now
        hits.append(now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        for address in [a for a, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[address]


@dataclass(frozen=True, slots=True)
class AskLimits:
    asks: AddressWindow
    votes: AddressWindow


LIMITS = web.AppKey("ask limits", AskLimits)


@dataclass(frozen=True, slots=True)
class Browser:
    """A browser as the ask page knows it: the secret in its cookie."""

    secret: str

    @property
    def id(self) -> str:
        """What the core knows this browser as, asker and voter alike."""
        return "web:" + hashlib.sha256(self.secret.encode()).hexdigest()[:16]

    @classmethod
    def new(cls) -> Browser:
        return cls(secrets.token_urlsafe(24))


def _browser_of(request: web.Request) -> Browser | None:
    secret = request.cookies.get(BROWSER_COOKIE, "")
    return Browser(secret) if _SECRET_SHAPE.fullmatch(secret) else None


def _voted_of(request: web.Request) -> list[int]:
    """The questions this browser voted for, as its cookie remembers them (oldest first)."""
    raw = request.cookies.get(VOTES_COOKIE, "")
    return [int(part) for part in raw.split(".") if part.isascii() and part.isdigit() and len(part) <= _ID_DIGITS]


def _remember_vote(
    response: web.StreamResponse, request: web.Request, voted: list[int], question_id: int, counts: bool
) -> None:
    kept = [q for q in voted if q != question_id] + ([question_id] if counts else [])
    _cookie(response, request, VOTES_COOKIE, ".".join(str(q) for q in kept[-REMEMBERED_VOTES:]), path="/ask")


def _cookie(
    response: web.StreamResponse,
    request: web.Request,
    name: str,
    value: str,
    *,
    path: str = "/",
    max_age: int = BROWSER_COOKIE_AGE_S,
) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=path, httponly=True, samesite="Strict", secure=request.secure
    )


def _sign_in(chair: Chair) -> SignIn:
    if chair.sign_in is None:
        raise RuntimeError("the chair is not open")
    return chair.sign_in


def _wants_json(request: web.Request) -> bool:
    """Whether the page's script sent this (it asks for JSON) rather than a plain form."""
    return "application/json" in request.headers.get("Accept", "")


def _page_url(session_id: str) -> str:
    return f"/ask/{quote(session_id, safe='')}"


def _field(form: MultiDictProxy[Any], name: str) -> str | None:
    """A text field of the form; None when it is missing or is not text (a file)."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def _status_of(refusal: QARefusal) -> int:
    if isinstance(refusal, RateLimited):
        return 429
    if isinstance(refusal, UserBanned):
        return 403
    if isinstance(refusal, QuestionNotFound):
        return 404
    if isinstance(refusal, QAClosed | NotVotable | OwnQuestionVote):
        return 409
    if isinstance(refusal, InvalidQuestionText):
        return 422
    return 400


def _retry_header(seconds: float) -> dict[str, str]:
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


# -- the page ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kept:
    """What the asker had typed, shown again when their question was refused."""

    text: str = ""
    name: str = ""
    anonymous: bool = False


async def _render(
    request: web.Request,
    browser: Browser | None,
    *,
    status: int = 200,
    message: str | None = None,
    failed: bool = False,
    kept: Kept | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """The ask page of the session in the address, as ``browser`` sees it (its own questions, its votes). Without
    a browser, only the session and ``message`` with the way back: a notice, with no form to send."""
    chair = request.app[CHAIR]
    session_id = request.match_info["session_id"]
    session, cancelled = shown_session(chair, session_id)
    shown = session or chair.cancelled[session_id]
    state = await request.app[HUB].snapshot(PUBLIC_QA, session_id)
    mine: set[int] = set()
    waiting = []
    if browser is not None:
        listing = await chair.qa.queue(session_id, PUBLIC_QUEUE)
        mine = {r.question.id for r in listing if r.question.author_id == browser.id}
        pending = await chair.qa.pending_review(session_id, OWN_PENDING_LIMIT)
        waiting = [q for q in pending if q.author_id == browser.id]
        mine |= {q.id for q in waiting}
    limits = chair.qa.config
    context: dict[str, Any] = {
        "event": chair.schedule.event.name,
        "title": shown.title,
        "speakers": speakers_text([s.name for s in shown.speakers]),
        "cancelled": cancelled,
        "off_schedule": OFF_SCHEDULE,
        "qa_open": state["qa_open"],
        "qa_closes": state["session"]["qa_closes"] if state["session"] else "",
        "now": state["now"],
        "speed": clock_speed(chair.clock),
        "stage": state["stage"],
        "queue": state["queue"],
        "queued": state["queued"],
        "mine": sorted(mine),
        "voted": _voted_of(request),
        "waiting": waiting,
        "review": chair.settings.web_ask_review,
        "csrf": _sign_in(chair).form_token(browser.secret) if browser is not None else "",
        "message": message,
        "message_kind": ("error" if failed else "ok") if message else None,
        "notice": browser is None,
        "kept": kept or Kept(),
        "min_length": limits.min_length,
        "max_length": limits.max_length,
        "name_max": DISPLAY_NAME_MAX,
        "page_url": _page_url(session_id),
        "vote_url": _page_url(session_id) + "/vote",
        "live_url": f"/live/qa/{quote(session_id, safe='')}",
    }
    response = aiohttp_jinja2.render_template("ask.html", request, context, status=status)
    response.headers["Cache-Control"] = "no-store"  # it carries this browser's token and marks
    if headers:
        response.headers.update(headers)
    return response


def _error_page(request: web.Request, status: int, title: str, detail: str) -> web.Response:
    context = {"event": request.app[CHAIR].schedule.event.name, "title": title, "detail": detail}
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


async def ask_page(request: web.Request) -> web.Response:
    chair = request.app[CHAIR]
    if not chair.settings.web_ask:
        return _error_page(request, 404, "Asking on the web is off", OFF_MESSAGE)
    shown_session(chair, request.match_info["session_id"])
    known = _browser_of(request)
    if known is None and request.headers.get("Sec-Fetch-Site") == "cross-site":
        # A link from another site: the browser withholds its SameSite=Strict cookie, so one it has would look
        # missing and be replaced. Loading the page again, now from this site, brings the cookie along.
        return web.Response(
            text="Opening the questions… If nothing happens, reload the page.",
            headers={"Refresh": "0", "Cache-Control": "no-store"},
        )
    browser = known or Browser.new()
    said = request.cookies.get(SAID_COOKIE)
    response = await _render(request, browser, message=unquote(said) if said else None)
    if known is None:
        _cookie(response, request, BROWSER_COOKIE, browser.secret)
    if said is not None:
        response.del_cookie(SAID_COOKIE, path="/ask")
    return response


# -- posts -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Posted:
    """A post that passed the checks every post passes: the event takes questions on the web, the session is in
    force, the form was readable, the browser sent its cookie and the form its token."""

    chair: Chair
    session: Session
    browser: Browser
    form: MultiDictProxy[Any]
    as_json: bool


def _problem(request: web.Request, status: int, error: str, detail: str) -> web.Response:
    """A post with no page to go back to (the ask page is off, the session is not on the schedule): JSON for the
    page's script, else the error page with the reason."""
    if _wants_json(request):
        return web.json_response({"error": error, "detail": detail}, status=status)
    return _error_page(request, status, "Not sent", detail)


async def _notice(request: web.Request, status: int, error: str, detail: str) -> web.Response:
    """A refusal before the browser is known to be who it says (no cookie, a bad token, an unreadable form):
    JSON for the page's script, else the session's page with the reason and the way back, and nothing of the
    form shown again (it may have come from another site)."""
    if _wants_json(request):
        return web.json_response({"error": error, "detail": detail}, status=status)
    return await _render(request, None, status=status, message=detail, failed=True)


async def _posted(request: web.Request, window: Callable[[AskLimits], AddressWindow]) -> Posted | web.Response:
    chair = request.app[CHAIR]
    if not chair.settings.web_ask:
        return _problem(request, 404, "off", OFF_MESSAGE)
    session_id = request.match_info["session_id"]
    session = chair.schedule.find(session_id)
    if session is None:
        detail = OFF_SCHEDULE if session_id in chair.cancelled else f"There is no session {session_id!r}."
        return _problem(request, 404, "not_found", detail)
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        return await _notice(request, 413, "too_large", TOO_LARGE)
    except Exception:  # a body that is not a form (broken multipart, bad encoding, a client gone mid-way)
        log.debug("an unreadable form posted to %s", request.path, exc_info=True)
        return await _notice(request, 400, "bad_form", UNREADABLE)
    browser = _browser_of(request)
    if browser is None:
        return await _notice(request, 403, "no_cookie", NO_COOKIE)
    if not _sign_in(chair).form_token_ok(browser.secret, _field(form, "csrf")):
        return await _notice(request, 403, "bad_token", STALE_FORM)
    wait = window(request.app[LIMITS]).take(request.remote or "unknown")
    posted = Posted(chair, session, browser, form, _wants_json(request))
    if wait > 0:
        detail = f"Too many requests from your network just now: try again in {max(1, math.ceil(wait))} s."
        return await _refused(request, posted, 429, "too_many", detail, headers=_retry_header(wait))
    return posted


async def _refused(
    request: web.Request,
    posted: Posted,
    status: int,
    error: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A post from a known browser that was refused: JSON for the page's script, else the page again with the
    reason and what was typed, so nothing is lost."""
    if posted.as_json:
        return web.json_response({"error": error, "detail": detail}, status=status, headers=headers)
    form = posted.form
    kept = Kept(_field(form, "text") or "", _field(form, "name") or "", bool(_field(form, "anonymous")))
    return await _render(
        request, posted.browser, status=status, message=detail, failed=True, kept=kept, headers=headers
    )


async def _core_refused(request: web.Request, posted: Posted, refusal: QARefusal) -> web.Response:
    headers = _retry_header(refusal.retry_after.total_seconds()) if isinstance(refusal, RateLimited) else None
    return await _refused(request, posted, _status_of(refusal), "refused", str(refusal), headers=headers)


async def _store_down(request: web.Request, posted: Posted) -> web.Response:
    log.exception("the ask page could not reach the Q&A store")
    return await _refused(request, posted, 503, "unavailable", STORE_DOWN, headers=_retry_header(5))


def _done(request: web.Request, posted: Posted, body: dict[str, Any]) -> web.Response:
    """The answer to a post that worked: JSON for the script, else back to the page (303) with the message."""
    if posted.as_json:
        return web.json_response({"ok": True, **body})
    response = web.Response(status=303, headers={"Location": _page_url(posted.session.id)})
    _cookie(response, request, SAID_COOKIE, quote(str(body["message"])), path="/ask", max_age=60)
    return response


async def post_question(request: web.Request) -> web.Response:
    posted = await _posted(request, lambda limits: limits.asks)
    if isinstance(posted, web.Response):
        return posted
    chair, form = posted.chair, posted.form
    text = _field(form, "text")
    if text is None:
        return await _refused(request, posted, 400, "bad_form", "The form carried no question: type it in the box.")
    anonymous = _field(form, "anonymous") not in (None, "", "0", "no", "off", "false")
    name = clean_display_name(_field(form, "name") or "", fallback=GUEST_NAME)
    try:
        result = await chair.qa.ask(
            posted.session.id,
            posted.browser.id,
            text,
            author_name=name,
            anonymous=anonymous,
            review=chair.settings.web_ask_review,
        )
    except QARefusal as refusal:
        return await _core_refused(request, posted, refusal)
    except StoreError:
        return await _store_down(request, posted)
    body = {
        "message": result.message,
        "outcome": result.outcome.value,
        "question": result.question.id,
        "text": result.question.text,
        "mine": result.question.author_id == posted.browser.id,
        "voted": result.vote_added,
    }
    response = _done(request, posted, body)
    if result.vote_added:
        _remember_vote(response, request, _voted_of(request), result.question.id, True)
    return response


async def post_vote(request: web.Request) -> web.Response:
    posted = await _posted(request, lambda limits: limits.votes)
    if isinstance(posted, web.Response):
        return posted
    chair = posted.chair
    raw = (_field(posted.form, "question") or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _ID_DIGITS):
        return await _refused(request, posted, 400, "bad_form", "The form did not say which question: reload the page.")
    question_id = int(raw)
    try:
        question = await chair.qa.get(question_id)
        if question.session_id != posted.session.id:
            return await _refused(request, posted, 400, "bad_form", "That question belongs to another session.")
        result = await chair.qa.toggle_vote(question_id, posted.browser.id)
    except QARefusal as refusal:
        return await _core_refused(request, posted, refusal)
    except StoreError:
        return await _store_down(request, posted)
    votes = render.counted(result.votes, "vote", "votes")
    taken = "is counted" if result.voted else "is taken back"
    body = {
        "message": f"Your vote {taken}: this question has ▲ {votes}.",
        "question": question_id,
        "votes": result.votes,
        "voted": result.voted,
    }
    response = _done(request, posted, body)
    _remember_vote(response, request, _voted_of(request), question_id, result.voted)
    return response


def setup(app: web.Application) -> None:
    """Add the ask page's routes to ``app``, with its limits per address."""
    app[LIMITS] = AskLimits(
        asks=AddressWindow(ASKS_PER_ADDRESS, ADDRESS_WINDOW_S), votes=AddressWindow(VOTES_PER_ADDRESS, ADDRESS_WINDOW_S)
    )
    app.router.add_get("/ask/{session_id}", ask_page, name="ask")
    app.router.add_post("/ask/{session_id}", post_question, name="ask_post")
    app.router.add_post("/ask/{session_id}/vote", post_vote, name="ask_vote")
