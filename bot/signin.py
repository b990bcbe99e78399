"""Who is signed in to the web side: personal sign-in links, session tokens and CSRF tokens, signed with
``itsdangerous``.

A moderator or organizer asks for a link in Discord (``/qa dashboard``); the link carries their member id, name
and the role they held when it was issued, and expires after :data:`LINK_TTL`. Following it gives a session
token (a cookie) for :data:`SESSION_TTL`, with a random nonce from which the CSRF token of every form is derived.
Expiry is counted on the injected clock, so a rehearsal's fast clock and the tests' hand-moved one apply. The
role written in a token is only what was true when it was issued: every action checks it again through the
:class:`~bot.ports.Roster`.

The signing key is ``web_secret`` from the settings when given, else a random key kept in the shared SQLite file
(the ``web_secret`` table, owned here), so links and sign-ins survive a restart.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlite_utils import Database, Migrations

from bot.clock import Clock
from bot.db import SqliteFile

#: How long a sign-in link may be followed after it was issued.
LINK_TTL = dt.timedelta(minutes=15)
#: How long a browser stays signed in after following a link.
SESSION_TTL = dt.timedelta(hours=16)

_LINK_SALT = "chairbot sign-in link"
_SESSION_SALT = "chairbot web session"
_CSRF_SALT = b"chairbot csrf"


class Role(StrEnum):
    MODERATOR = "moderator"
    ORGANIZER = "organizer"

    def may(self, needed: Role) -> bool:
        """Organizers may do everything moderators may."""
        return self is Role.ORGANIZER or needed is Role.MODERATOR


@dataclass(frozen=True, slots=True)
class Member:
    """A Discord member as the web side knows them: their id, their name, the role they hold."""

    id: str
    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: who, until when, and the nonce its CSRF token derives from."""

    member: Member
    expires: dt.datetime
    nonce: str


class SignInRefused(Exception):
    """A link or session token that cannot be used; the message says what to do."""


MIGRATIONS = Migrations("chairbot.signin")


@MIGRATIONS()
def _m001_web_secret(db: Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS web_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL)")


async def stored_secret(file: SqliteFile) -> str:
    """The signing key kept in ``file``, made on first use."""
    await file.migrate(MIGRATIONS)

    def read_or_make() -> str:
        conn = file.conn
        with conn:
            conn.execute("INSERT OR IGNORE INTO web_secret (id, secret) VALUES (1, ?)", (secrets.token_urlsafe(32),))
            (secret,) = conn.execute("SELECT secret FROM web_secret WHERE id = 1").fetchone()
        return str(secret)

    return await file.run(read_or_make)


def _epoch(instant: dt.datetime) -> int:
    return int(instant.timestamp())


class SignIn:
    """Issues and reads the web side's tokens with one key and the event's clock."""

    def __init__(self, secret: str, clock: Clock) -> None:
        if len(secret) < 16:
            raise ValueError("the web side's secret must be at least 16 characters")
        self._secret = secret
        self._clock = clock
        self._links = URLSafeSerializer(secret, salt=_LINK_SALT)
        self._sessions = URLSafeSerializer(secret, salt=_SESSION_SALT)

    def link_token(self, member: Member) -> str:
        """A token for a sign-in link, for ``member`` in the role they hold now, valid for :data:`LINK_TTL`."""
        expires = self._clock() + LINK_TTL
        return str(self._links.dumps({"m": member.id, "n": member.name, "r": member.role.value, "e": _epoch(expires)}))

    def _load(self, serializer: URLSafeSerializer, token: str, what: str) -> dict[str, Any]:
        try:
            payload = serializer.loads(token)
        except BadSignature:
            raise SignInRefused(f"This {what} is not valid (it was changed or made elsewhere).") from None
        if not isinstance(payload, dict) or not {"m", "n", "r", "e"} <= payload.keys():
            raise SignInRefused(f"This {what} is not valid.")
        if payload["r"] not in {r.value for r in Role}:
            raise SignInRefused(f"This {what} is not valid.")
        if _epoch(self._clock()) >= int(payload["e"]):
            raise SignInRefused(f"This {what} has expired.")
        return payload

    def read_link(self, token: str) -> Member:
        """Who a sign-in link is for; :class:`SignInRefused` when it is forged or expired."""
        payload = self._load(self._links, token, "sign-in link")
        return Member(str(payload["m"]), str(payload["n"]), Role(payload["r"]))

    def start_session(self, member: Member) -> tuple[WebSession, str]:
        """A new signed-in session for ``member`` and its token (the cookie's value)."""
        expires = self._clock() + SESSION_TTL
        nonce = secrets.token_urlsafe(16)
        payload = {"m": member.id, "n": member.name, "r": member.role.value, "e": _epoch(expires), "s": nonce}
        return WebSession(member, expires, nonce), str(self._sessions.dumps(payload))

    def read_session(self, token: str) -> WebSession:
        payload = self._load(self._sessions, token, "sign-in")
        member = Member(str(payload["m"]), str(payload["n"]), Role(payload["r"]))
        expires = dt.datetime.fromtimestamp(int(payload["e"]), dt.UTC)
        return WebSession(member, expires, str(payload.get("s", "")))

    def form_token(self, subject: str) -> str:
        """A CSRF token bound to ``subject`` (a signed-in session's nonce, an anonymous browser's id)."""
        key = self._secret.encode() + _CSRF_SALT
        return hmac.new(key, subject.encode(), "sha256").hexdigest()

    def form_token_ok(self, subject: str, token: str | None) -> bool:
        return bool(subject) and token is not None and hmac.compare_digest(self.form_token(subject), token)

    def csrf_token(self, session: WebSession) -> str:
        """The token every form of ``session`` carries."""
        return self.form_token("session:" + session.nonce)

    def csrf_ok(self, session: WebSession, token: str | None) -> bool:
        return self.form_token_ok("session:" + session.nonce, token)
