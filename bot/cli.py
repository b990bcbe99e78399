"""The ``chairbot`` command line: thin wrappers over the schedule, plan and Q&A services.

Exit codes: 0 success, 1 an invalid input (schedule, database), 2 a usage error. No traceback reaches the user;
set ``CHAIRBOT_DEBUG=1`` to see one.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="chairbot", prog_name="chairbot")
def cli() -> None:
    """chairbot: the virtual session chair for hybrid workshops on Discord."""


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``chairbot`` script and ``python -m bot``."""
    try:
        return cli.main(args=argv, prog_name="chairbot", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("chairbot: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("CHAIRBOT_DEBUG"):
            raise
        click.echo(f"chairbot: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("chairbot: this is a bug; run again with CHAIRBOT_DEBUG=1 and report the traceback", err=True)
        sys.exit(70)
