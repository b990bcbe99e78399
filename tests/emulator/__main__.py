"""Run the emulator in its own process: ``python -m tests.emulator --port 0 --ready-file PATH``.

Once listening it prints one JSON line (port, pid, API and gateway URLs, token) and writes the same JSON to
``--ready-file`` (atomically, so a reader never sees half a file). It stops on SIGTERM/SIGINT, on
``POST /_emulator/shutdown``, when its parent process dies (so a crashed benchmark leaves nothing behind), and after
``--idle-timeout`` seconds without any request or gateway traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

from .control import apply_setup
from .emulator import DEFAULT_TOKEN, DiscordEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description="A local Discord emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--ready-file", type=Path, help="write the address JSON here once listening")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--guild-name", default="Workshop")
    parser.add_argument("--heartbeat-interval", type=float, default=41.25, help="seconds, sent in HELLO")
    parser.add_argument("--interaction-deadline", type=float, default=3.0, help="seconds; 0 disables the check")
    parser.add_argument("--no-compression", action="store_true", help="ignore compress=zlib-stream")
    parser.add_argument("--record-limit", type=int, default=100_000, help="REST requests kept for inspection")
    parser.add_argument(
        "--no-message-limit", action="store_true", help="lift Discord's 5 messages per 5 s per channel (on by default)"
    )
    parser.add_argument("--setup", type=Path, help="JSON file with roles, channels and members to create")
    parser.add_argument("--idle-timeout", type=float, default=0.0, help="exit after this many idle seconds (0: never)")
    parser.add_argument(
        "--parent-pid",
        type=int,
        default=None,
        help="exit when this process is gone (default: the parent; 0 disables the watch)",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> int:
    emulator = DiscordEmulator(
        host=args.host,
        port=args.port,
        token=args.token,
        guild_name=args.guild_name,
        heartbeat_interval=args.heartbeat_interval,
        interaction_deadline=args.interaction_deadline or None,
        transport_compression=not args.no_compression,
        record_limit=args.record_limit,
        message_limit=None if args.no_message_limit else (5, 5.0),
        patch_discord=False,
    )
    setup_result = apply_setup(emulator, json.loads(args.setup.read_text())) if args.setup else None
    await emulator.start()
    try:
        announce = {
            "pid": os.getpid(),
            "port": emulator.port,
            "base_url": emulator.base_url,
            "api_url": emulator.api_url,
            "gateway_url": emulator.gateway_url,
            "control_url": f"{emulator.base_url}/_emulator",
            "token": emulator.token,
            "setup": setup_result,
        }
        if args.ready_file:
            partial = args.ready_file.with_name(args.ready_file.name + ".partial")
            partial.write_text(json.dumps(announce))
            partial.replace(args.ready_file)
        print(json.dumps(announce), flush=True)
        reason = await _wait_for_exit(emulator, args)
        print(json.dumps({"stopped": reason}), flush=True)
    finally:
        await emulator.stop()
    return 0


async def _wait_for_exit(emulator: DiscordEmulator, args: argparse.Namespace) -> str:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    reason = "signal"
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    parent = os.getppid() if args.parent_pid is None else args.parent_pid
    while not stop.is_set():
        if emulator.shutdown_requested.is_set():
            return "shutdown requested"
        if parent and not _alive(parent, watching_parent=args.parent_pid is None):
            return "parent exited"
        if args.idle_timeout and time.monotonic() - emulator.last_activity > args.idle_timeout:
            return "idle timeout"
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.25)
    return reason


def _alive(pid: int, *, watching_parent: bool) -> bool:
    if watching_parent:
        # When the parent dies the child is re-parented (to init or a subreaper), so the parent pid changes.
        return os.getppid() == pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
