"""/ringkasan, /status and /riwayat at 1,000 cases (88 open), against the goal.

    python -m benchmarks.bench_queries [--cases 1000] [--open 88] [--rounds 5]
                                       [--folder DIR] [--profile N] [--sql]

The cases are written by the real services (`benchmarks.corpus`); then the real bot runs
on them (`demo.stage`, through the `fakegram` stand-in over HTTP) and the Kadin sends
each command `--rounds` times. Printed per command: the time from the command to the
bot's last message of the answer (the stand-in's clock, median), how many messages the
answer took and its characters; the goal is one message in under 50 ms. `/bantuan` (a
fixed text, no query) is timed the same way first: the floor of any answer on this
machine through the stand-in. Beside the time,
what a loaded machine does not distort: the SQL statements the bot ran for one answer,
the rows they returned and SQLite's virtual-machine steps (thousands), which grow with
the rows SQLite reads, returned or not.

`--folder DIR` keeps the corpus in DIR and reuses it (a copy) on the next run (building
1,000 cases takes minutes); `--profile N` prints the N costliest functions (cProfile,
cumulative) of each command's answers; `--sql` prints the statements of one answer.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from benchmarks.corpus import build, built_at
from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, Stage, stage, write_stage_config
from fakegram import FakeTelegram

GOAL_MS = 50.0
COMMANDS = ("/ringkasan", "/status", "/riwayat")
FLOOR = "/bantuan"  # the help text: what any answer costs through the stand-in, no query
ASKER = "kadin"
STEPS_PER_TICK = 1000  # SQLite calls the progress handler every this many VM steps


@dataclass
class SqlWork:
    """What the database did for one answer: statements, rows returned, VM steps."""

    statements: int = 0
    rows: int = 0
    kilo_steps: int = 0
    texts: list[str] = field(default_factory=list)  # the statements, as SQLite ran them


@dataclass(frozen=True, slots=True)
class Figures:
    ms: float  # median, command to the answer's last message
    messages: int
    characters: int
    work: SqlWork  # of the last round (the same every round)


class Meter:
    """Counts what the bot's connection does into `work` (statements through SQLite's
    trace callback, VM steps through its progress handler, rows fetched through
    aiosqlite's cursor, which every fetch goes through)."""

    def __init__(self) -> None:
        self.work = SqlWork()

    def traced(self, statement: str) -> None:
        self.work.statements += 1
        self.work.texts.append(statement)

    def stepped(self) -> int:
        self.work.kilo_steps += 1
        return 0  # go on

    @contextmanager
    def rows_counted(self) -> Iterator[None]:
        names = ("fetchone", "fetchmany", "fetchall")
        originals = {name: getattr(aiosqlite.Cursor, name) for name in names}

        def counting(name: str) -> Callable[..., Any]:
            original = originals[name]

            async def fetch(cursor: aiosqlite.Cursor, *args: Any) -> Any:
                found = await original(cursor, *args)
                self.work.rows += (found is not None) if name == "fetchone" else len(found)
                return found

            return fetch

        for name in names:
            setattr(aiosqlite.Cursor, name, counting(name))
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(aiosqlite.Cursor, name, original)


async def answer_of(
    st: Stage, command: str, profile: cProfile.Profile | None, meter: Meter
) -> tuple[float, int, int, SqlWork]:
    """(milliseconds to the answer's last message, messages, characters, what the
    database did until the handler returned: not the delivery passes after it)."""
    user = st.user(ASKER)
    chat = user.id
    before = len(st.fake.calls_to("sendMessage"))
    if profile is not None:
        profile.enable()
    meter.work = SqlWork()
    asked = time.time()
    user.send_text(command)
    target = st.fake.last_update_id
    await st.fake.wait_for(lambda: st.runtime.last_update_id >= target, 60)
    work, meter.work = meter.work, SqlWork()
    await st.settle(limit=60)
    if profile is not None:
        profile.disable()
    sent = [
        c
        for c in st.fake.calls_to("sendMessage")[before:]
        if str(c.params.get("chat_id")) == str(chat)
    ]
    if not sent:
        raise AssertionError(f"{command}: no answer")
    characters = sum(len(str(c.params.get("text", ""))) for c in sent)
    return (sent[-1].time - asked) * 1000, len(sent), characters, work


async def measure(
    folder: Path, fake: FakeTelegram, built: datetime, rounds: int, top: int
) -> dict[str, Figures]:
    async with stage(folder, FakeClock(built), fake) as st:
        await st.settle(limit=300)  # the start-up digest and reminders out of the way
        meter = Meter()
        conn = st.runtime.db.conn
        await conn.set_trace_callback(meter.traced)
        await conn.set_progress_handler(meter.stepped, STEPS_PER_TICK)
        figures: dict[str, Figures] = {}
        with meter.rows_counted():
            for command in (FLOOR, *COMMANDS):
                profile = cProfile.Profile() if top and command != FLOOR else None
                runs = [await answer_of(st, command, profile, meter) for _ in range(rounds)]
                figures[command] = Figures(
                    statistics.median(r[0] for r in runs),
                    max(r[1] for r in runs),
                    max(r[2] for r in runs),
                    runs[-1][3],
                )
                if profile is not None:
                    print_profile(command, profile, top)
        return figures


def print_profile(command: str, profile: cProfile.Profile, top: int) -> None:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(top)
    print(f"-- profile of {command}\n{out.getvalue()}")


def corpus(folder: Path, fake: FakeTelegram, cases: int, open_cases: int) -> datetime:
    """The corpus in `folder`: reused if built there before, else built now."""
    built = built_at(folder)
    if built is not None:
        write_stage_config(folder, fake)  # the stand-in listens on a new port
        print(f"reusing the cases in {folder}")
        return built
    started = time.perf_counter()
    built = asyncio.run(build(folder, fake, cases, open_cases))
    print(f"built {cases} cases ({open_cases} running) in {time.perf_counter() - started:.0f} s")
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases in the database")
    parser.add_argument("--open", type=int, default=88, help="of them still running")
    parser.add_argument("--rounds", type=int, default=5, help="times each command is sent")
    parser.add_argument("--folder", type=Path, help="keep the corpus here and reuse it")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest calls")
    parser.add_argument("--sql", action="store_true", help="print each answer's statements")
    args = parser.parse_args(argv)
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "cases"
            if args.folder is None:
                built = corpus(folder, fake, args.cases, args.open)
            else:  # the bot writes as it answers: it runs on a copy
                built = corpus(args.folder, fake, args.cases, args.open)
                shutil.copytree(args.folder, folder)
            figures = asyncio.run(measure(folder, fake, built, args.rounds, args.profile))
    finally:
        fake.stop()
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"goal: one message, under {GOAL_MS:.0f} ms")
    for command, f in figures.items():
        met = "(floor)" if command == FLOOR else "NOT met"
        if command != FLOOR and f.messages == 1 and f.ms < GOAL_MS:
            met = "met"
        print(
            f"{command:<12} {f.ms:7.1f} ms  {f.messages} message(s), {f.characters:6d} "
            f"characters  {met};  SQL: {f.work.statements} statements, {f.work.rows} rows, "
            f"{f.work.kilo_steps}k steps"
        )
        if args.sql:
            print("".join(f"    {' '.join(text.split())[:150]}\n" for text in f.work.texts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
