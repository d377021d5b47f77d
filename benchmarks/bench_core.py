"""What one approval costs through the core and storage, beside a bare SQLite commit.

    python -m benchmarks.bench_core [--rounds 100]

`WorkflowService.act(Approve)` on a real SQLite file in a temporary folder: read the case,
run the pure engine, save the state, append the hash-chained audit rows, plan the next
task's reminders, queue its messages, commit. Beside it, in the same run and on the same
disk, a bare `BEGIN IMMEDIATE; INSERT; COMMIT` with the same PRAGMAs (journal_mode=WAL,
synchronous=FULL), through aiosqlite as the bot uses it and through plain sqlite3; and
the pure engine alone, in memory. With synchronous=FULL each commit waits for the disk,
so the bare commit is the floor: what the approval costs above it is our code.

Runs alternate (approval, bare commits) so that a noisy neighbour skews both alike;
medians and 90th percentiles are reported. Not run in CI: the figures depend on the disk.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiosqlite

from bot.config import Officer
from bot.core.clock import FakeClock
from bot.core.people import Directory
from bot.core.sop_loader import load_sop
from bot.core.workclock import WorkingTimeCalendar
from bot.core.workflow import Approve, CaseState, act
from bot.services.workflow_service import WorkflowService
from bot.views.i18n import Catalogue
from bot.views.presenter import CataloguePresenter
from storage.db import Database
from storage.files import FileStore
from tests.support.engine import next_happy_action

ROOT = Path(__file__).resolve().parent.parent
SOP_PATH = ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
JAKARTA = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 7, 6, 8, 0, tzinfo=JAKARTA).astimezone(UTC)  # a Monday, 08.00 WIB
LETTER = {"from": "Bupati", "number": "050/1/2026", "date": "2026-07-01", "subject": "LKT"}
OFFICERS = (
    Officer("kadin", "Kepala Dinas", "kadin", "Kepala Dinas"),
    Officer("sekretaris", "Sekretaris", "sekretaris", "Sekretaris"),
    Officer("kabid_1", "Kabid 1", "kabid", "Kepala Bidang"),
    Officer("kabid_2", "Kabid 2", "kabid", "Kepala Bidang"),
    Officer("kabid_3", "Kabid 3", "kabid", "Kepala Bidang"),
    Officer("kasubag", "Kasubag", "kasubag", "Kepala Sub Bagian"),
    Officer("staf_1", "Staf 1", "staf", "Staf"),
    Officer("staf_2", "Staf 2", "staf", "Staf"),
    Officer("sakip_ketua", "Ketua Tim", "tim_sakip", "Ketua Tim SAKIP", leader=True),
    Officer("sakip_1", "Anggota Tim", "tim_sakip", "Anggota Tim SAKIP"),
)
BARE_TABLE = "CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, at TEXT, body TEXT)"
BARE_INSERT = "INSERT INTO bench (at, body) VALUES (?, ?)"
BODY = "x" * 400  # about the size of one audit row


def service_on(folder: Path, clock: FakeClock) -> tuple[Database, WorkflowService]:
    calendar = WorkingTimeCalendar()
    people = Directory(OFFICERS, admins=("sekretaris",))
    presenter = CataloguePresenter(Catalogue.load(), people, JAKARTA, calendar)
    db = Database(folder / "sopbot.db")
    sop = load_sop(SOP_PATH)
    service = WorkflowService(
        db=db,
        files=FileStore(folder / "files"),
        sops={sop.key: sop},
        people=people,
        calendar=calendar,
        clock=clock,
        presenter=presenter,
        lists={"recipients": ["Bupati", "Inspektorat", "Bappeda"]},
    )
    return db, service


async def cases_at_review(service: WorkflowService, clock: FakeClock, n: int) -> list[int]:
    """`n` cases (one per year, so their codes differ) waiting at the review (step 5)."""
    ids = []
    for year in range(2000, 2000 + n):
        transition = await service.start_case("kadin", "pelaporan_kinerja", "TW2", year, LETTER)
        state = transition.state
        while state.step_key != "periksa":
            clock.advance(minutes=1)
            ctx = await service.context_for(state)
            actor, action = next_happy_action(ctx, state)
            state = (await service.act(actor, state.id, action)).state
        ids.append(state.id)
    return ids


def review_task(state: CaseState) -> int:
    return next(t.seq for t in state.open_tasks() if t.assignee == "sekretaris")


async def measure(folder: Path, rounds: int) -> dict[str, list[float]]:
    clock = FakeClock(START)
    db, service = service_on(folder, clock)
    await db.open()
    bare_async = await aiosqlite.connect(folder / "bare_async.db", isolation_level=None)
    bare_sync = sqlite3.connect(folder / "bare_sync.db", isolation_level=None)
    try:
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", BARE_TABLE):
            await bare_async.execute(pragma)
            bare_sync.execute(pragma)
        ids = await cases_at_review(service, clock, rounds)
        states = [await service.case(i) for i in ids]
        contexts = [await service.context_for(s) for s in states]
        samples: dict[str, list[float]] = {k: [] for k in ("approve", "engine", "async", "sync")}
        for case_id, state, ctx in zip(ids, states, contexts, strict=True):
            clock.advance(minutes=1)
            action = Approve(review_task(state), state.latest_version)
            start = time.perf_counter()
            act(ctx, state, "sekretaris", action, clock.now())
            samples["engine"].append(time.perf_counter() - start)
            start = time.perf_counter()
            await service.act("sekretaris", case_id, action)
            samples["approve"].append(time.perf_counter() - start)
            start = time.perf_counter()
            await _bare_async(bare_async)
            samples["async"].append(time.perf_counter() - start)
            start = time.perf_counter()
            _bare_sync(bare_sync)
            samples["sync"].append(time.perf_counter() - start)
        return samples
    finally:
        bare_sync.close()
        await bare_async.close()
        await db.close()


async def _bare_async(conn: aiosqlite.Connection) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    await conn.execute(BARE_INSERT, (datetime.now(UTC).isoformat(), BODY))
    await conn.execute("COMMIT")


def _bare_sync(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(BARE_INSERT, (datetime.now(UTC).isoformat(), BODY))
    conn.execute("COMMIT")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.3f} ms"


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="approvals to time (cases)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
        samples = asyncio.run(measure(Path(tmp), max(2, args.rounds)))
    rows = (
        ("approve: WorkflowService.act + commit", samples["approve"]),
        ("bare INSERT + COMMIT (aiosqlite)", samples["async"]),
        ("bare INSERT + COMMIT (sqlite3)", samples["sync"]),
        ("approve: pure engine only (memory)", samples["engine"]),
    )
    print(f"core: {len(samples['approve'])} approvals, SQLite WAL, synchronous=FULL")
    print(f"  {'what':<40} {'median':>12} {'p90':>12}")
    for label, values in rows:
        print(f"  {label:<40} {ms(statistics.median(values)):>12} {ms(p90(values)):>12}")
    ratio = statistics.median(samples["approve"]) / statistics.median(samples["async"])
    print(f"  {'approve / bare commit (aiosqlite)':<40} {ratio:10.1f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
