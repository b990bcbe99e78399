"""Starting the emulator in a child process and driving it through its control API.

``EmulatorProcess`` spawns ``python -m tests.emulator``, waits for its ready file, and stops it on exit (asking
politely, then SIGTERM, then SIGKILL). ``ControlClient`` wraps the ``/_emulator`` endpoints for a benchmark or test.
The bot under test connects with ``patch_discord(process.api_url, process.gateway_url)`` and ``process.token``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

import aiohttp

from .model import JSON

#: The directory holding the ``tests`` package, so ``-m tests.emulator`` imports from any working directory.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ControlClient:
    """Async client for ``/_emulator``; every method returns the decoded JSON answer."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> ControlClient:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(self, verb: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = f"{self.base_url}/_emulator{path}"
        async with self._session.request(verb, url, json=body, params=params) as response:
            data = await response.json(content_type=None)
            # 504 is /wait's "not yet": an answer, not an error.
            if response.status >= 400 and response.status != 504:
                raise RuntimeError(f"{verb} {path} -> {response.status}: {data}")
            return data

    async def _object(self, verb: str, path: str, body: Any = None) -> JSON:
        answer = await self._call(verb, path, body)
        assert isinstance(answer, dict)
        return answer

    async def health(self) -> JSON:
        return await self._object("GET", "/health")

    async def state(self) -> JSON:
        return await self._object("GET", "/state")

    async def setup(self, spec: JSON) -> JSON:
        return await self._object("POST", "/setup", spec)

    async def wait(self, condition: str = "ready", *, timeout: float = 10.0, command: str | None = None) -> bool:
        body: JSON = {"condition": condition, "timeout": timeout}
        if command is not None:
            body["command"] = command
        answer = await self._call("POST", "/wait", body)
        return bool(answer.get("ok"))

    async def fire(
        self,
        interactions: list[JSON],
        *,
        rate: float | None = None,
        in_flight: int | None = None,
        wait: bool = False,
        timeout: float = 30.0,
    ) -> JSON:
        """Send interactions (``{"kind": "slash", "command": ..., "options": ..., "user_id": ..., ...}``): ``rate``
        per second, or keeping at most ``in_flight`` waiting for an answer, or else as fast as the bot reads."""
        body: JSON = {"interactions": interactions, "wait": wait, "timeout": timeout}
        if rate:
            body["rate"] = rate
        if in_flight:
            body["in_flight"] = in_flight
        return await self._object("POST", "/interactions", body)

    async def results(self, ids: list[str] | None = None) -> list[JSON]:
        answer = await self._call("POST", "/interactions/results", {"ids": ids})
        return list(answer["results"])

    async def stats(self) -> JSON:
        return await self._object("GET", "/interactions/stats")

    async def reset_interactions(self) -> JSON:
        return await self._object("POST", "/interactions/reset", {})

    async def requests(self, method: str = "*", path: str = ".*", *, limit: int = 1000) -> list[JSON]:
        return list(await self._call("GET", "/requests", params={"method": method, "path": path, "limit": str(limit)}))

    async def messages(self, channel_id: str | int | None = None) -> list[JSON]:
        params = {} if channel_id is None else {"channel_id": str(channel_id)}
        return list(await self._call("GET", "/messages", params=params))

    async def fail_next(self, method: str, path: str, status: int = 429, **options: Any) -> JSON:
        return await self._object("POST", "/faults", {"method": method, "path": path, "status": status, **options})

    async def limits(self, **changes: Any) -> JSON:
        """Set Discord's limits (``messages=(5, 5.0)`` or ``None``, ``dm_opens=(count, window)`` or ``None``) and
        read the busiest channel and the Events tab; with no arguments, only read."""
        return await self._object("POST", "/limits", changes)

    async def drop_gateway(self, code: int = 4000, *, abort: bool = False) -> JSON:
        return await self._object("POST", "/gateway/drop", {"code": code, "abort": abort})

    async def shutdown(self) -> JSON:
        return await self._object("POST", "/shutdown", {})


class EmulatorProcess:
    """``async with EmulatorProcess() as proc:`` runs an emulator in a child process for the block's duration."""

    def __init__(
        self,
        *extra_args: str,
        python: str = sys.executable,
        startup_timeout: float = 15.0,
        idle_timeout: float = 0.0,
    ) -> None:
        self.extra_args = list(extra_args)
        self.python = python
        self.startup_timeout = startup_timeout
        self.idle_timeout = idle_timeout
        self.process: asyncio.subprocess.Process | None = None
        self.info: JSON = {}
        self.control: ControlClient | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._stderr: BinaryIO | None = None

    def stderr(self) -> str:
        """What the child wrote to stderr so far (for failure messages)."""
        if self._tmp is None:
            return ""
        log = Path(self._tmp.name) / "stderr.log"
        return log.read_text(errors="replace") if log.exists() else ""

    @property
    def api_url(self) -> str:
        return str(self.info["api_url"])

    @property
    def gateway_url(self) -> str:
        return str(self.info["gateway_url"])

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def token(self) -> str:
        return str(self.info["token"])

    async def __aenter__(self) -> EmulatorProcess:
        self._tmp = tempfile.TemporaryDirectory(prefix="chairbot-emulator-")
        ready = Path(self._tmp.name) / "ready.json"
        args = [
            "-m",
            "tests.emulator",
            "--port",
            "0",
            "--ready-file",
            str(ready),
            "--idle-timeout",
            str(self.idle_timeout),
            *self.extra_args,
        ]
        path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
        # stderr goes to a file, not a pipe: nobody reads a pipe during a long benchmark, and a full pipe blocks.
        self._stderr = (Path(self._tmp.name) / "stderr.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            self.python,
            *args,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": path},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self._stderr,
        )
        try:
            await self._wait_ready(ready)
        except BaseException:
            await self.stop()
            raise
        self.control = ControlClient(self.base_url)
        return self

    async def _wait_ready(self, ready: Path) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.startup_timeout
        while not ready.exists():
            if self.process.returncode is not None:
                raise RuntimeError(f"emulator process exited with {self.process.returncode}: {self.stderr()[-2000:]}")
            if loop.time() > deadline:
                raise TimeoutError(f"emulator process did not become ready within {self.startup_timeout:g} s")
            await asyncio.sleep(0.02)
        self.info = json.loads(ready.read_text())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def stop(self, timeout: float = 5.0) -> int | None:
        """Stop the child (shutdown request, then SIGTERM, then SIGKILL) and return its exit code."""
        process = self.process
        if self.control is not None:
            if process is not None and process.returncode is None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.control.shutdown(), 2.0)
            await self.control.close()
            self.control = None
        if process is not None:
            for action in (None, process.terminate, process.kill):
                if process.returncode is not None:
                    break
                if action is not None:
                    with contextlib.suppress(ProcessLookupError):
                        action()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), timeout)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        return None if process is None else process.returncode
