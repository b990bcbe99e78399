"""The README's samples are what the commands print today.

A sample is a fenced block right after a comment naming its command::

    <!-- sample: chairbot check schedule/iclr2024-rrfm.yaml -->
    ```
    ...what it prints...
    ```

A block whose last line is ``...`` shows the beginning of the output; otherwise it is the whole output. A
rehearsal runs at a high speed here: the speed changes only the pace and the number in the first line.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SAMPLE = re.compile(r"<!-- sample: (?P<command>.+?) -->\n```[a-z]*\n(?P<body>.*?)```", re.DOTALL)
FAST = "100000"


def _samples() -> list[tuple[str, str]]:
    return [(m["command"], m["body"]) for m in SAMPLE.finditer(README.read_text(encoding="utf-8"))]


def _run(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "chairbot", f"a sample runs chairbot, not {argv[0]!r}"
    args = argv[1:]
    speed = None
    if args[0] == "rehearse":
        speed = args[args.index("--speed") + 1] if "--speed" in args else "600"
        args = [a for i, a in enumerate(args) if a != "--speed" and (i == 0 or args[i - 1] != "--speed")]
        args += ["--speed", FAST]
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    output = result.stdout + result.stderr
    if speed is not None:
        output = output.replace(f"{FAST}× real time", f"{speed}× real time", 1)
    return output


def test_the_readme_has_samples() -> None:
    commands = [command for command, _ in _samples()]
    assert any(c.startswith("chairbot rehearse ") for c in commands)
    assert any(c.startswith("chairbot check ") for c in commands)
    assert any(c.startswith("chairbot show ") for c in commands)


@pytest.mark.parametrize(("command", "body"), _samples(), ids=[c for c, _ in _samples()])
def test_a_readme_sample_is_what_the_command_prints(command: str, body: str) -> None:
    output = _run(command)
    lines = body.rstrip("\n").split("\n")
    if lines[-1] == "...":
        shown = "\n".join(lines[:-1]) + "\n"
        assert output.startswith(shown), f"the README's sample of `{command}` is out of date; it now prints:\n{output}"
    else:
        assert output == body, f"the README's sample of `{command}` is out of date; it now prints:\n{output}"
