"""The offline demo: one whole quarterly-report case, played by simulated officers.

`python3 manage.py run` with no `config.toml` yet (or `python -m bot run --demo`) runs it:
the real bot against a local Telegram stand-in, a fresh SQLite database and file store
under `demo-out/`, and a simulated office clock that crosses eight working days in
seconds. The terminal shows the conversation as it happens; the generated documents are
left in `demo-out/dokumen/`.

    from demo import run_demo
    result = await run_demo(Path("demo-out"), echo=None)   # quiet: the transcript file only
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
from pathlib import Path

from demo.actors import DemoStuck
from demo.run import DemoError, DemoResult, run_demo

__all__ = ["DemoError", "DemoResult", "DemoStuck", "main", "run_demo"]


def main(out: Path) -> int:
    """The command line's entry (`python -m bot run --demo`): 0 when the case finished."""
    root = logging.getLogger()
    if root.level == logging.INFO:  # the default: the bot's own log would drown the chat
        root.setLevel(logging.WARNING)
    if isinstance(sys.stdout, io.TextIOWrapper):  # a console without "─" and emoji
        sys.stdout.reconfigure(errors="replace")
    try:
        result = asyncio.run(run_demo(out))
    except (DemoError, DemoStuck) as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    if not result.finished:
        print(f"demo: the case {result.case_code} did not finish", file=sys.stderr)
        return 1
    return 0
