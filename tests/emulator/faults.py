"""Request records, injected faults and rate-limit headers for the REST API.

Every REST request is kept as a ``RecordedRequest`` for assertions. A ``Fault`` makes the next matching requests
fail (429 with Discord's body and headers, 5xx) or answer slowly. ``RateLimiter`` puts Discord's ``X-RateLimit-*``
headers on every answer so discord.py's bucket logic runs as in production; its default budget is large enough that
discord.py never waits, unless a test asks for realistic limits. The limits Discord holds a bot to whatever its
budget are modelled as Discord has them: ``MessageRateLimit`` (5 messages in 5 s per channel, on by default) and,
switched on by a test, ``DmOpenLimit`` (opening DMs too fast, 40003).
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import json
import math
import re
import time
from typing import Any

from aiohttp import web

#: What discord.py checks first on a 429: without ``Via`` it assumes a Cloudflare ban and gives up.
_VIA = "1.1 google"
_FIVE_XX_REASONS = {
    500: "500: Internal Server Error",
    502: "502: Bad Gateway",
    503: "503: Service Unavailable",
    504: "504: Gateway Timeout",
}
_MAJOR_PARENTS = ("channels", "guilds", "webhooks", "interactions")


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly "application/json" (no charset suffix).
    return web.Response(
        body=json.dumps(data, separators=(",", ":")).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@dataclasses.dataclass(slots=True)
class RecordedRequest:
    method: str
    #: Path below the API root, e.g. ``/channels/123/messages``.
    path: str
    query: dict[str, str]
    #: JSON body, or ``payload_json`` of a multipart body; ``None`` without a body.
    json: Any
    #: Uploaded file names of a multipart body.
    files: list[str]
    #: ``time.perf_counter()`` when the request arrived.
    at: float
    reason: str | None = None
    status: int | None = None


@dataclasses.dataclass(eq=False)
class Fault:
    """Make the next ``count`` requests matching ``method`` and ``path_regex`` fail or answer late."""

    method: str
    path_regex: str
    status: int | None = 429
    retry_after: float = 0.2
    count: int = 1
    global_: bool = False
    delay: float = 0.0
    #: ``X-RateLimit-Scope`` of a 429: ``user`` (the bot's own bucket), ``shared`` or ``global``.
    scope: str = "user"
    #: A 429 without ``Via``: what Cloudflare sends when it bans an IP; discord.py raises instead of retrying.
    cloudflare: bool = False
    hits: int = 0

    def __post_init__(self) -> None:
        self._pattern = re.compile(self.path_regex)

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.count

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self._pattern.fullmatch(path) is not None

    def response(self, bucket: str) -> web.Response | None:
        if self.status is None:
            return None
        if self.status == 429:
            return self._rate_limited(bucket)
        if self.status == 502:
            # Discord's edge answers a 502 with an HTML page, not JSON.
            html = b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
            return web.Response(body=html, status=502, headers={"Content-Type": "text/html"})
        message = _FIVE_XX_REASONS.get(self.status, f"{self.status}: Error")
        return json_response({"message": message, "code": 0}, status=self.status)

    def _rate_limited(self, bucket: str) -> web.Response:
        scope = "global" if self.global_ else self.scope
        return rate_limited(bucket, self.retry_after, scope=scope, cloudflare=self.cloudflare)


def rate_limited(
    bucket: str, retry_after: float, *, limit: int = 5, scope: str = "user", cloudflare: bool = False
) -> web.Response:
    """Discord's 429: ``retry_after`` in the body, ``Retry-After`` and ``X-RateLimit-*`` headers (``scope`` is
    ``user``, ``shared`` or ``global``)."""
    global_ = scope == "global"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_}
    headers = {"Retry-After": str(max(1, math.ceil(retry_after))), "X-RateLimit-Scope": scope}
    if global_:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers.update(
            {
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
            }
        )
    if not cloudflare:
        headers["Via"] = _VIA
    return json_response(body, status=429, headers=headers)


def route_bucket(method: str, path: str) -> tuple[str, str]:
    """``(bucket hash, major parameter)`` of a request, the way Discord groups requests into rate-limit buckets.

    The route template replaces ids with placeholders; the first id after ``channels``/``guilds``/``webhooks``
    (with the webhook token) is the major parameter, which splits one bucket per resource.
    """
    parts = path.strip("/").split("/")
    template: list[str] = []
    major = ""
    for index, part in enumerate(parts):
        parent = parts[index - 1] if index else ""
        if part.isdigit():
            template.append("{id}")
            if not major and parent in _MAJOR_PARENTS:
                major = part
        elif parent.isdigit() and index >= 2 and parts[index - 2] in ("webhooks", "interactions"):
            template.append("{token}")
            major += "/" + part[:8]
        else:
            template.append(part)
    digest = hashlib.sha1(f"{method} /{'/'.join(template)}".encode()).hexdigest()[:16]
    return digest, major


class RateLimiter:
    """Counts requests per bucket and window, to fill ``X-RateLimit-*`` headers (and optionally enforce them)."""

    def __init__(self, *, limit: int, window: float, enforce: bool) -> None:
        self.limit = limit
        self.window = window
        self.enforce = enforce
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def take(self, method: str, path: str) -> tuple[dict[str, str], float | None]:
        """Count one request; return its headers and, when enforcing and over budget, the wait it must be told."""
        bucket, major = route_bucket(method, path)
        now = time.monotonic()
        started, used = self._windows.get((bucket, major), (now, 0))
        if now - started >= self.window:
            started, used = now, 0
        used += 1
        self._windows[(bucket, major)] = (started, used)
        # Rounded up to the millisecond, as Discord does: a client that waits exactly this long is never early.
        reset_after = math.ceil(max(0.0, started + self.window - now) * 1000) / 1000
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        if self.enforce and used > self.limit:
            return headers, reset_after
        return headers, None


def _ceil_ms(seconds: float) -> float:
    # Rounded up to the millisecond, as Discord does: a client that waits exactly this long is never early.
    return math.ceil(max(0.0, seconds) * 1000) / 1000


class MessageRateLimit:
    """Discord's limit on the bot's messages in one channel: at most ``limit`` in ``window`` seconds (5 in 5 s).

    Counted over any ``window`` seconds, which is stricter than Discord's buckets (they refill all at once): a bot
    that gets through here gets through there, and "no channel took more than 5 posts in 5 s" holds for what was
    accepted. The headers describe that budget: ``Remaining`` is what is left now and ``Reset-After`` when all of
    it is back, so discord.py, which waits that long once a bucket is spent, does not ask too early. Past the
    budget the answer is a 429 whose ``retry_after`` is when the next message will be taken.
    """

    def __init__(self, limit: int = 5, window: float = 5.0, *, scope: str = "user") -> None:
        self.limit = limit
        self.window = window
        self.scope = scope
        self._taken: dict[int, collections.deque[float]] = collections.defaultdict(collections.deque)

    def take(self, channel_id: int, bucket: str) -> tuple[dict[str, str], web.Response | None]:
        """Count one message create in ``channel_id``: its headers, or the 429 to answer instead."""
        now = time.monotonic()
        taken = self._taken[channel_id]
        while taken and taken[0] <= now - self.window:
            taken.popleft()
        if len(taken) >= self.limit:
            return {}, rate_limited(bucket, _ceil_ms(taken[0] + self.window - now), limit=self.limit, scope=self.scope)
        taken.append(now)
        reset_after = _ceil_ms(taken[-1] + self.window - now)
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.limit - len(taken)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        return headers, None


class DmOpenLimit:
    """Discord's anti-spam on direct messages, switched on by a test: once ``count`` DM channels were opened within
    ``window`` seconds, opening another is refused (403, code 40003) until the oldest of them is ``window`` old."""

    def __init__(self, count: int, window: float) -> None:
        self.count = count
        self.window = window
        self._opened: collections.deque[float] = collections.deque()
        #: How many opens were refused.
        self.refused = 0

    def allow(self) -> bool:
        now = time.monotonic()
        while self._opened and self._opened[0] <= now - self.window:
            self._opened.popleft()
        if len(self._opened) >= self.count:
            self.refused += 1
            return False
        self._opened.append(now)
        return True
