"""The database of 1,000 finished cases after the retention period, against the goal.

    python -m benchmarks.bench_storage [--cases 1000]

The cases are written by the real services (`benchmarks.corpus`), every message marked
delivered; then the clock moves past `[storage] outbox_retention_days` and the daily
prune runs (`bot.services.retention.prune_outbox`: the delivered texts go, the file is
given back its room). Printed: the file before and after, against the goal.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.corpus import build
from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.runtime import Runtime
from bot.services.retention import prune_outbox
from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram

GOAL_MB = 30.0


def size_mb(database: Path) -> float:
    """The database as it lies on disk: the file and its WAL."""
    wal = database.with_name(database.name + "-wal")
    return (database.stat().st_size + (wal.stat().st_size if wal.exists() else 0)) / 1e6


async def retain(folder: Path, now_after: timedelta, built_at: FakeClock) -> tuple[int, float]:
    """Run the daily prune `now_after` past the build; (messages pruned, seconds)."""
    config = load_config(folder / "config.toml", env={})
    runtime = Runtime.build(config, load_sops(config.sops), built_at)
    await runtime.db.open()
    try:
        started = time.perf_counter()
        pruned = await prune_outbox(runtime, built_at.now() + now_after)
        return pruned, time.perf_counter() - started
    finally:
        await runtime.db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="finished cases")
    args = parser.parse_args(argv)
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            started = time.perf_counter()
            built_at = asyncio.run(build(folder, fake, args.cases, 0))
            print(f"built {args.cases} finished cases in {time.perf_counter() - started:.0f} s")
            database = folder / "sopbot.db"
            before = size_mb(database)
            config = load_config(folder / "config.toml", env={})
            days = config.storage.outbox_retention_days
            after_retention = timedelta(days=days + 1)
            pruned, took = asyncio.run(retain(folder, after_retention, FakeClock(built_at)))
            after = size_mb(database)
    finally:
        fake.stop()
    met = "met" if after < GOAL_MB else "NOT met"
    print(f"database before retention              {before:7.1f} MB")
    print(
        f"after {days} days' retention (pruned {pruned} messages, {took * 1000:.0f} ms) "
        f"{after:7.1f} MB   goal < {GOAL_MB:.0f} MB: {met}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
