"""How long the bot takes to rebuild its reminder schedule at start, with 10,000 open tasks.

    python -m benchmarks.bench_scheduler [--tasks 10000] [--due 200] [--rounds 5] [--check]

A database is seeded once with `--tasks` open cases, each at step 1 with its reminder
rows, `--due` of them already past their deadline and escalation (the bot was down).
Each round then starts from a fresh copy of that file and times what a start costs
before the first reminder can go out: opening the database (migrations checked), the
start-up tick (every due reminder marked and put in the outbox, in one transaction) and
planning the next wakeup (`next_due` query and the JobQueue job). Beside it: the time to
merely read every pending reminder row, the floor any rebuild that looks at the rows
would pay. The target is under 2 s for the rebuild; medians are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram.ext import ApplicationBuilder, ContextTypes

from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.reminders import plan_task_reminders
from bot.core.sop_loader import load_sops
from bot.core.workflow import CaseRequest, start_case
from bot.ptb.context import BotApp, BotContext
from bot.ptb.jobs import plan_wakeup
from bot.runtime import Runtime
from demo.stage import DEMO_CONFIG, STAGE_TOKEN
from storage.reminders import Reminders
from storage.uow import unit_of_work

TARGET_SECONDS = 2.0
NOW = datetime(2026, 7, 6, 10, 1, tzinfo=ZoneInfo("Asia/Jakarta"))  # Monday, office hours
LETTER = {"from": "Bupati", "number": "1/2026", "date": "2026-07-01", "subject": "Laporan"}


def write_config(folder: Path) -> Path:
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("@TOKEN@", STAGE_TOKEN)
        .replace("@BASE_URL@", "http://127.0.0.1:9/bot")
        .replace("@BASE_FILE_URL@", "http://127.0.0.1:9/file/bot")
    )
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def build_runtime(config_path: Path, database: Path) -> Runtime:
    config = load_config(config_path, env={})
    runtime = Runtime.build(config, load_sops(config.sops), FakeClock(NOW))
    runtime.db.path = database
    return runtime


async def seed(runtime: Runtime, tasks: int, due: int) -> None:
    """`tasks` open cases at step 1; the first `due` were given two days ago."""
    service = runtime.service
    sop = next(iter(service.sops.values()))
    ctx = service.context(sop)
    periods = [p.key for p in sop.periods]
    await runtime.db.open()
    async with unit_of_work(runtime.db, runtime.agency) as tx:
        await tx.snapshots.keep(sop.source_hash, sop.key, sop.source_text, NOW)
        for i in range(tasks):
            given = NOW - timedelta(days=2) if i < due else NOW - timedelta(minutes=1)
            request = CaseRequest(
                i + 1, periods[i % len(periods)], 2000 + i // len(periods), LETTER
            )
            state = start_case(ctx, request, "kadin", given).state
            await tx.cases.save(state, given)
            task = state.open_tasks()[0]
            step = sop.step(task.step_key)
            planned = plan_task_reminders(
                task.created_at, task.deadline, step.time, service.calendar, service.policy
            )
            await tx.reminders.plan(state.id, task.seq, planned)
    await runtime.db.close()  # checkpoints the WAL: each round copies one file


async def time_read(runtime: Runtime) -> tuple[float, int]:
    await runtime.db.open()
    try:
        start = time.perf_counter()
        async with runtime.db.reading() as conn:
            rows = await Reminders(conn).due(NOW + timedelta(days=3650), limit=10**9)
        return time.perf_counter() - start, len(rows)
    finally:
        await runtime.db.close()


async def time_rebuild(runtime: Runtime) -> tuple[dict[str, float], int, datetime | None]:
    """Open, first tick, next wakeup planned: what `post_init` and the start-up job do."""
    app: BotApp = (
        ApplicationBuilder().token(STAGE_TOKEN).context_types(ContextTypes(BotContext)).build()
    )
    phases: dict[str, float] = {}
    start = time.perf_counter()
    await runtime.db.open()
    phases["open"] = time.perf_counter() - start
    mark = time.perf_counter()
    sent = await runtime.service.tick(NOW)
    phases["first tick"] = time.perf_counter() - mark
    mark = time.perf_counter()
    when = await plan_wakeup(app, runtime)
    phases["plan wakeup"] = time.perf_counter() - mark
    phases["total"] = time.perf_counter() - start
    await runtime.db.close()
    return phases, sent, when


async def run(tasks: int, due: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder)
        seeded = folder / "seeded.db"
        began = time.perf_counter()
        await seed(build_runtime(config, seeded), tasks, due)
        print(
            f"seeded {tasks:,} open tasks ({due:,} overdue) in {time.perf_counter() - began:.1f} s"
        )

        reads: list[float] = []
        rebuilds: list[dict[str, float]] = []
        for round_ in range(rounds):
            copy = folder / f"round{round_}.db"
            shutil.copyfile(seeded, copy)
            seconds, rows = await time_read(build_runtime(config, copy))
            reads.append(seconds)
            shutil.copyfile(seeded, copy)
            phases, sent, when = await time_rebuild(build_runtime(config, copy))
            rebuilds.append(phases)
        assert when is not None
        print(f"pending reminder rows: {rows:,}; first tick sent {sent:,} message(s)")
        print(f"next wakeup planned for {when.isoformat()}")
        print(f"read every pending row       : {statistics.median(reads) * 1000:8.1f} ms")
        for phase in ("open", "first tick", "plan wakeup", "total"):
            median = statistics.median(r[phase] for r in rebuilds)
            print(f"rebuild, {phase:<20}: {median * 1000:8.1f} ms")
        total = statistics.median(r["total"] for r in rebuilds)
        verdict = "ok" if total < TARGET_SECONDS else "MISSED"
        print(f"target: under {TARGET_SECONDS:.0f} s -> {verdict}")
        return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 above the target")
    args = parser.parse_args(argv)
    total = asyncio.run(run(args.tasks, args.due, args.rounds))
    return 1 if args.check and total >= TARGET_SECONDS else 0


if __name__ == "__main__":
    sys.exit(main())
