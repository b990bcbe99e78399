"""Where the schedule comes from: a local file or an http(s) URL, read at start-up and checked again on request.

A URL is polled with conditional requests (``If-None-Match`` / ``If-Modified-Since``), so an unchanged schedule
costs one ``304``. The last good version is cached on disk with its validators, so a restart without network still
starts with the schedule. A new version that does not validate never replaces the one in force: its problems are
reported and the last good schedule stays.

A URL is downloaded through a :class:`~bot.ports.ScheduleFetcher`, the transport (``bot.http_fetch`` implements it);
what an answer means, the cache and every message people read are decided here. Network failures never escape as
tracebacks: they become the human ``detail`` of a :class:`Fetched`, or a :class:`SourceError` when the first load has
neither the network nor a cached copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any, Self

from yarl import URL

from bot.clock import Clock, system_clock
from bot.schedule.errors import Problem, ScheduleError, UsageError
from bot.schedule.fetch import ScheduleFetcher, TooLarge, Unreachable
from bot.schedule.loader import MAX_BYTES, parse_schedule, read_text
from bot.schedule.model import Schedule

#: How often the bot is expected to call :meth:`ScheduleSource.refresh`: a conditional GET every five minutes is
#: cheap for the server and fast enough for a schedule that changes on the day.
DEFAULT_POLL_SECONDS = 300

#: Seconds a whole request (connect, headers and body) may take before the URL counts as unreachable.
DEFAULT_TIMEOUT = 10.0

#: The cached copy is ``schedule-cache<ext>`` (the URL's suffix, so a person can open it in the right editor);
#: its record (URL, hash, validators, time) is a separate file whose name cannot collide with a ``.json`` copy.
CACHE_STEM = "schedule-cache"
CACHE_META = "schedule-cache.meta.json"

_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")
_CACHE_RECORD_VERSION = 1


class SourceError(ScheduleError):
    """The schedule cannot be loaded at all: the URL gave nothing usable and there is no usable cached copy.

    A :class:`ScheduleError`, so whatever reports schedule problems at start-up reports this the same way.
    """

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, [Problem(message)])


@dataclass(frozen=True, slots=True)
class Fetched:
    """The outcome of one load or refresh.

    ``from_cache`` says the URL could not be fetched (unreachable, timeout, an HTTP error status) and the last good
    copy is in force; ``problems`` says the source *was* read but its version was refused (it does not validate,
    is not UTF-8, is too large), and the last good copy is in force. ``problems`` is repeated on every refresh for
    as long as the source still holds the refused version; compare it with the previous one to report it once.
    """

    #: The validated schedule now in force.
    schedule: Schedule
    #: Whether it differs from the previous one (by content hash of the source text); always true for a first load.
    changed: bool
    #: Served from the cached copy because the URL was unreachable or answered with an error.
    from_cache: bool
    #: When a newer version was refused: what is wrong with it, as :meth:`ScheduleError.render` puts it.
    problems: str | None
    #: One human line saying what happened.
    detail: str


@dataclass(frozen=True, slots=True)
class _Version:
    """A validated version of the source text, with what the server said about it."""

    schedule: Schedule
    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    #: When this text was downloaded (URL sources only).
    fetched_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class _Answer:
    """A usable answer from the server, decoded: a text (2xx) or "not modified" (304, ``text`` is None)."""

    text: str | None
    etag: str | None
    last_modified: str | None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def _when(instant: dt.datetime | None) -> str:
    return "an unknown time" if instant is None else instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _refusal_text(exc: ScheduleError | UsageError, source: str) -> str:
    return exc.render() if isinstance(exc, ScheduleError) else f"{source}: {exc}"


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never half of one."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            # Without fsync a power cut after os.replace can leave an empty file under the new name.
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class ScheduleSource:
    """The schedule at ``location`` (a file path, or an ``http://`` / ``https://`` URL), with its last good version.

    Call :meth:`load` once at start-up, then :meth:`refresh` every :data:`DEFAULT_POLL_SECONDS` or on request.
    ``date`` and ``timezone`` are passed to the parser (a plain-text schedule needs them).

    A URL is downloaded through ``fetcher`` (required for a URL, :class:`ValueError` without one; a file needs none),
    each request given at most ``timeout`` seconds. The source takes the fetcher over: :meth:`close` closes it, so
    give each source its own (to share connections, share an HTTP session between fetchers instead).
    """

    def __init__(
        self,
        location: str,
        *,
        cache_dir: Path,
        fetcher: ScheduleFetcher | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        date: dt.date | None = None,
        timezone: str | None = None,
        max_bytes: int = MAX_BYTES,
        clock: Clock = system_clock,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.location = location
        self.cache_dir = Path(cache_dir)
        self.timeout = timeout
        self.date = date
        self.timezone = timezone
        self.max_bytes = max_bytes
        self._clock = clock
        self._fetcher = fetcher
        self._current: _Version | None = None
        # The hash and problems of the last refused version, so the same broken text is not parsed every poll.
        self._refused: tuple[str, str] | None = None
        # A cached copy of another URL (or another suffix) left in cache_dir, removed once a new copy is written.
        self._stale_cache_file: str | None = None
        # load() and refresh() both move the version in force and write the cache: one at a time.
        self._lock = asyncio.Lock()
        if self.is_url:
            url = URL(location)
            if not url.host:
                raise ValueError(f"not a usable schedule URL (no host): {location!r}")
            self._url: URL | None = url
            # Shown to people and used as the parser's source name: without credentials or a query (which may
            # carry an access token), and ending with the path's suffix so that .json/.xml/.yaml hints still work.
            self.source_name = str(url.with_user(None).with_query(None).with_fragment(None))
            suffix = PurePosixPath(url.path).suffix.lower()
            self.cache_file = self.cache_dir / (CACHE_STEM + (suffix if _SAFE_SUFFIX.match(suffix) else ".txt"))
            if fetcher is None:
                raise ValueError(
                    f"a schedule URL needs a fetcher: pass fetcher= (a ScheduleFetcher such as "
                    f"bot.http_fetch.HttpFetcher) to download {self.source_name}"
                )
        else:
            self._url = None
            self.source_name = location
            self.cache_file = self.cache_dir / (CACHE_STEM + ".txt")
        self.cache_meta = self.cache_dir / CACHE_META

    @property
    def is_url(self) -> bool:
        """Whether the schedule is downloaded (and cached) rather than read from a local file."""
        return self.location.lower().startswith(("http://", "https://"))

    @property
    def schedule(self) -> Schedule | None:
        """The schedule in force, or None before the first successful :meth:`load`."""
        return None if self._current is None else self._current.schedule

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the fetcher given to this source (its connections); nothing to do for a file."""
        if self._fetcher is not None:
            await self._fetcher.close()

    # --- the two entry points ------------------------------------------------------------------------------

    async def load(self) -> Fetched:
        """The first load, at start-up.

        A URL is downloaded, falling back to the cached copy when it is unreachable or its version is refused; with
        neither, :class:`SourceError` (network) or :class:`ScheduleError` (content) says what is wrong. A file is
        read and validated; :class:`ScheduleError` lists its problems.
        """
        async with self._lock:
            self._refused = None
            if self._url is not None:
                return await self._load_url()
            text = await asyncio.to_thread(read_text, self.location)
            version = _Version(await self._parse(text), _digest(text))
            self._current = version
            return Fetched(version.schedule, True, False, None, f"loaded from {self.source_name}")

    async def refresh(self) -> Fetched:
        """Check the source again; never raises for network or content problems once a schedule is in force.

        Before any successful :meth:`load` this *is* :meth:`load` (and raises as it does).
        """
        if self._current is None:
            return await self.load()
        async with self._lock:
            if self._url is not None:
                return await self._refresh_url(self._current)
            return await self._refresh_file(self._current)

    # --- local files ---------------------------------------------------------------------------------------

    async def _refresh_file(self, current: _Version) -> Fetched:
        try:
            text = await asyncio.to_thread(read_text, self.location)
        except ScheduleError as exc:
            # Editors often replace a file by deleting and rewriting it: a missing file is a refused version,
            # not a reason to drop the schedule in force.
            return self._keep(current, exc.render(), _digest(exc.render()))
        digest = _digest(text)
        if digest == current.sha256:
            self._refused = None
            return Fetched(current.schedule, False, False, None, "unchanged (same content)")
        return await self._adopt(current, text, digest, replace(current, sha256=digest), f"from {self.source_name}")

    # --- URLs ----------------------------------------------------------------------------------------------

    async def _load_url(self) -> Fetched:
        cached, cache_note = await self._read_cache()
        try:
            download = await self._download(cached)
        except Unreachable as exc:
            reason = self._unreachable(exc)
            if cached is None:
                raise SourceError(self.source_name, self._no_cache_message(reason, cache_note)) from None
            self._current = cached
            return Fetched(cached.schedule, True, True, None, self._using_cache(reason, cached))
        except ScheduleError as exc:
            return self._load_refused(exc, cached, _digest(exc.render()))

        if download.text is None:
            # 304 is only possible when the cached copy's validators were sent, so there is a cached copy.
            assert cached is not None
            self._current = cached
            return Fetched(
                cached.schedule,
                True,
                False,
                None,
                f"unchanged since the copy cached at {_when(cached.fetched_at)} (304)",
            )
        try:
            schedule = await self._parse(download.text)
        except (ScheduleError, UsageError) as exc:
            return self._load_refused(exc, cached, _digest(download.text))
        version = self._downloaded(schedule, download)
        self._current = version
        cache_problem = await self._write_cache(download.text, version)
        return Fetched(
            schedule, True, False, None, f"loaded from {self.source_name}{self._validators(version)}{cache_problem}"
        )

    def _load_refused(self, exc: ScheduleError | UsageError, cached: _Version | None, digest: str) -> Fetched:
        """At start-up the downloaded version was refused: use the cached copy, or raise when there is none."""
        if cached is None:
            raise exc
        self._current = cached
        return self._keep(cached, _refusal_text(exc, self.source_name), digest, first=True)

    async def _refresh_url(self, current: _Version) -> Fetched:
        try:
            download = await self._download(current)
        except Unreachable as exc:
            return Fetched(current.schedule, False, True, None, self._using_cache(self._unreachable(exc), current))
        except ScheduleError as exc:
            problems = exc.render()
            return self._keep(current, problems, _digest(problems))
        if download.text is None:
            # Not modified since the last good version: whatever was refused before is no longer served.
            self._refused = None
            return Fetched(current.schedule, False, False, None, "unchanged (304)")
        digest = _digest(download.text)
        candidate = self._downloaded(current.schedule, download)
        if digest == current.sha256:
            self._refused = None
            if (download.etag, download.last_modified) != (current.etag, current.last_modified):
                # Same text under new validators (a re-export, a CDN): remember them, or every poll is a full GET.
                self._current = replace(current, etag=download.etag, last_modified=download.last_modified)
                cache_problem = await self._write_cache(download.text, self._current)
                return Fetched(current.schedule, False, False, None, f"unchanged (same content){cache_problem}")
            return Fetched(current.schedule, False, False, None, "unchanged (same content)")
        return await self._adopt(current, download.text, digest, candidate, f"from {self.source_name}")

    # --- shared steps --------------------------------------------------------------------------------------

    async def _adopt(self, current: _Version, text: str, digest: str, candidate: _Version, origin: str) -> Fetched:
        """Validate a new text and put it in force, or keep ``current`` and report why not."""
        if self._refused is not None and self._refused[0] == digest:
            return self._keep(current, self._refused[1], digest)
        try:
            schedule = await self._parse(text)
        except (ScheduleError, UsageError) as exc:
            return self._keep(current, _refusal_text(exc, self.source_name), digest)
        version = replace(candidate, schedule=schedule)
        self._current = version
        self._refused = None
        if self._url is None:
            return Fetched(schedule, True, False, None, f"updated {origin}")
        cache_problem = await self._write_cache(text, version)
        return Fetched(schedule, True, False, None, f"updated {origin}{self._validators(version)}{cache_problem}")

    def _keep(self, current: _Version, problems: str, digest: str, *, first: bool = False) -> Fetched:
        """Keep ``current`` in force because the source's version was refused."""
        again = self._refused is not None and self._refused[0] == digest
        self._refused = (digest, problems)
        count = problems.count("\n") + 1
        what = f"{count} problem{'s' if count != 1 else ''}"
        if first:
            detail = (
                f"refused the version at {self.source_name} ({what}); "
                f"using the copy cached at {_when(current.fetched_at)}"
            )
        else:
            verb = "still refusing" if again else "refused"
            detail = f"{verb} the new version from {self.source_name} ({what}); keeping the last good schedule"
        return Fetched(current.schedule, first, False, problems, detail)

    async def _parse(self, text: str) -> Schedule:
        # Parsing a large export takes a while; the event loop meanwhile has announcements to post on time.
        return await asyncio.to_thread(parse_schedule, text, self.source_name, date=self.date, timezone=self.timezone)

    def _downloaded(self, schedule: Schedule, download: _Answer) -> _Version:
        """The version a 2xx download makes, stamped with the time it arrived."""
        assert download.text is not None
        return _Version(
            schedule,
            _digest(download.text),
            download.etag,
            download.last_modified,
            self._clock().astimezone(dt.UTC),
        )

    @staticmethod
    def _validators(version: _Version) -> str:
        if version.etag:
            return f" (ETag {version.etag})"
        if version.last_modified:
            return f" (Last-Modified {version.last_modified})"
        return " (no ETag or Last-Modified: each check downloads it in full)"

    def _unreachable(self, exc: Unreachable) -> str:
        """Why the URL gave nothing to use, for people: an error status names the URL (without its query)."""
        return f"{exc} from {self.source_name}" if exc.status is not None else f"unreachable: {exc}"

    def _using_cache(self, reason: str, version: _Version) -> str:
        return f"{reason}; using the copy cached at {_when(version.fetched_at)}"

    def _no_cache_message(self, reason: str, cache_note: str | None) -> str:
        message = f"cannot load the schedule: {reason}, and there is no cached copy in {self.cache_dir}"
        return message + (f" ({cache_note})" if cache_note else "")

    # --- downloads -----------------------------------------------------------------------------------------

    async def _download(self, known: _Version | None) -> _Answer:
        """GET the URL through the fetcher, conditionally on ``known``'s validators. Raises :class:`Unreachable`
        for network errors and error statuses, :class:`ScheduleError` for a body that is too large or not UTF-8."""
        assert self._fetcher is not None, "checked in __init__"
        try:
            download = await self._fetcher.get(
                self.location,
                etag=None if known is None else known.etag,
                last_modified=None if known is None else known.last_modified,
                limit=self.max_bytes,
                timeout=self.timeout,
            )
        except TooLarge:
            raise self._too_large() from None
        if download.body is None:
            return _Answer(None, download.etag, download.last_modified)
        return _Answer(self._decode(download.body, download.charset), download.etag, download.last_modified)

    def _decode(self, raw: bytes, charset: str | None) -> str:
        """The body as text, or :class:`ScheduleError` naming the first line that is not UTF-8."""
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            said = (
                f" (the server says charset={charset})" if charset and charset.lower() not in ("utf-8", "utf8") else ""
            )
            raise ScheduleError(
                self.source_name, [Problem(f"not UTF-8 text{said}: serve the schedule as UTF-8", line=line)]
            ) from None

    def _too_large(self) -> ScheduleError:
        message = f"the download is larger than {_size(self.max_bytes)}, too large for a schedule"
        return ScheduleError(self.source_name, [Problem(message)])

    # --- the cache -----------------------------------------------------------------------------------------

    async def _read_cache(self) -> tuple[_Version | None, str | None]:
        """The cached copy of this URL, validated; or None and, when there was something, why it is not used."""
        found = await asyncio.to_thread(self._read_cache_files)
        if isinstance(found, str) or found is None:
            return None, found
        text, digest_ok, etag, last_modified, fetched_at = found
        try:
            schedule = await self._parse(text)
        except (ScheduleError, UsageError) as exc:
            return None, f"the cached copy {self.cache_file} does not validate: {exc}"
        if not digest_ok:
            # The copy was written but its record was not (a crash in between): the copy is good, the validators
            # belong to an older copy, so the next request must be unconditional.
            etag = last_modified = None
        return _Version(schedule, _digest(text), etag, last_modified, fetched_at), None

    def _read_cache_files(
        self,
    ) -> tuple[str, bool, str | None, str | None, dt.datetime | None] | str | None:
        try:
            record: Any = json.loads(self.cache_meta.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            return f"its record {self.cache_meta} cannot be read: {exc}"
        if not isinstance(record, dict) or record.get("version") != _CACHE_RECORD_VERSION:
            return f"its record {self.cache_meta} is not one this chairbot wrote"
        name = record.get("file")
        if isinstance(name, str) and name != self.cache_file.name and Path(name).name == name:
            self._stale_cache_file = name
        if record.get("url") != self.location:
            return f"it holds a copy of another URL, {record.get('url')!r}"
        if not isinstance(name, str) or name != self.cache_file.name:
            return f"its record {self.cache_meta} names an unexpected file"
        try:
            text = self.cache_file.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            return f"the cached copy {self.cache_file} cannot be read: {exc}"
        etag, last_modified, fetched = record.get("etag"), record.get("last_modified"), record.get("fetched_at")
        try:
            fetched_at = dt.datetime.fromisoformat(fetched) if isinstance(fetched, str) else None
        except ValueError:
            fetched_at = None
        if fetched_at is not None and fetched_at.tzinfo is None:
            fetched_at = None
        return (
            text,
            record.get("sha256") == _digest(text),
            etag if isinstance(etag, str) else None,
            last_modified if isinstance(last_modified, str) else None,
            fetched_at,
        )

    async def _write_cache(self, text: str, version: _Version) -> str:
        """Store ``text`` as the last good copy; returns "" or, when the disk refuses, a note for the detail line.

        A cache that cannot be written is not a reason to refuse a good schedule; it only weakens the next restart.
        """
        record = {
            "version": _CACHE_RECORD_VERSION,
            "url": self.location,
            "file": self.cache_file.name,
            "sha256": version.sha256,
            "etag": version.etag,
            "last_modified": version.last_modified,
            "fetched_at": None if version.fetched_at is None else version.fetched_at.isoformat(),
        }

        def write() -> None:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            # The copy first, then its record: a crash in between leaves a record whose hash does not match the
            # copy, which _read_cache notices.
            _atomic_write(self.cache_file, text.encode("utf-8"))
            _atomic_write(self.cache_meta, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
            if self._stale_cache_file is not None:
                with contextlib.suppress(OSError):
                    (self.cache_dir / self._stale_cache_file).unlink()
                self._stale_cache_file = None

        try:
            await asyncio.to_thread(write)
        except OSError as exc:
            return f"; could not write the cache in {self.cache_dir}: {exc.strerror or exc}"
        return ""


__all__ = ["DEFAULT_POLL_SECONDS", "DEFAULT_TIMEOUT", "Fetched", "ScheduleSource", "SourceError"]
