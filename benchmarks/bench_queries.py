"""/ringkasan, /status and /riwayat at 1,000 cases (88 open), against the goal.

    python -m benchmarks.bench_queries [--cases 1000] [--open 88] [--rounds 5]

The cases are written by the real services (`benchmarks.corpus`); then the real bot runs
on them (`demo.stage`, through the `fakegram` stand-in over HTTP) and the Kadin sends
each command `--rounds` times. Printed per command: the time from the command to the
bot's last message of the answer (the stand-in's clock, median), how many messages the
answer took and its characters; the goal is one message in under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import build
from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import FakeTelegram

GOAL_MS = 50.0
COMMANDS = ("/ringkasan", "/status", "/riwayat")
ASKER = "kadin"


async def answer_of(st: Stage, command: str) -> tuple[float, int, int]:
    """(milliseconds to the answer's last message, messages, characters)."""
    user = st.user(ASKER)
    chat = user.id
    before = len(st.fake.calls_to("sendMessage"))
    asked = time.time()
    user.send_text(command)
    await st.settle(limit=60)
    sent = [
        c
        for c in st.fake.calls_to("sendMessage")[before:]
        if str(c.params.get("chat_id")) == str(chat)
    ]
    if not sent:
        raise AssertionError(f"{command}: no answer")
    characters = sum(len(str(c.params.get("text", ""))) for c in sent)
    return (sent[-1].time - asked) * 1000, len(sent), characters


async def measure(
    folder: Path, fake: FakeTelegram, built_at: FakeClock, rounds: int
) -> dict[str, tuple[float, int, int]]:
    async with stage(folder, built_at, fake) as st:
        await st.settle(limit=300)  # the start-up digest and reminders out of the way
        figures: dict[str, tuple[float, int, int]] = {}
        for command in COMMANDS:
            runs = [await answer_of(st, command) for _ in range(rounds)]
            figures[command] = (
                statistics.median(r[0] for r in runs),
                max(r[1] for r in runs),
                max(r[2] for r in runs),
            )
        return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases in the database")
    parser.add_argument("--open", type=int, default=88, help="of them still running")
    parser.add_argument("--rounds", type=int, default=5, help="times each command is sent")
    args = parser.parse_args(argv)
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            started = time.perf_counter()
            built_at = asyncio.run(build(folder, fake, args.cases, args.open))
            print(
                f"built {args.cases} cases ({args.open} running) "
                f"in {time.perf_counter() - started:.0f} s"
            )
            figures = asyncio.run(measure(folder, fake, FakeClock(built_at), args.rounds))
    finally:
        fake.stop()
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"goal: one message, under {GOAL_MS:.0f} ms")
    for command, (ms, messages, characters) in figures.items():
        met = "met" if messages == 1 and ms < GOAL_MS else "NOT met"
        print(
            f"{command:<12} {ms:7.1f} ms  {messages} message(s), {characters:6d} characters  {met}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
