"""How long a backup and a restore take for a database of 1,000 finished cases.

    python -m benchmarks.bench_backup [--cases 1000] [--file-kb 24]

The cases are walked through the pure engine (the straight path, each with its concept
and typed draft as real files of `--file-kb` KB) and written with the storage layer in
large transactions: the same rows the bot writes, without the bot. Then, timed:

- the first backup (the SQLite online backup API, every file of the store copied),
- the next day's backup (nothing new: every file hard-linked from the first),
- checking a backup (integrity check, every file's hash, every referenced file present),
- restoring it into a new folder.

It also prints the safety figures of the last test run (kills survived, forged presses
tried, bad inputs by class), which the tests keep in pytest's cache.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.sop import StepKind
from bot.core.workflow import AttachFile, CaseRequest, FileRef, act, start_case
from storage import backup as store
from storage.db import Database
from storage.files import FileStore
from storage.uow import unit_of_work
from tests.support.engine import LETTER, T0, make_context, next_happy_action

ROOT = Path(__file__).resolve().parent.parent
JAKARTA = ZoneInfo("Asia/Jakarta")
FIGURES = ROOT / ".pytest_cache" / "v" / "sopbot" / "safety-figures"
PERIODS = ("TW1", "TW2", "TW3", "TW4", "S1", "S2")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def draft(case_id: int, step: str, size: int) -> bytes:
    """Bytes that stand for a draft: incompressible, different for every case and step."""
    seed = int.from_bytes(hashlib.sha256(f"{case_id}:{step}".encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(size)


async def build(folder: Path, cases: int, file_size: int) -> tuple[Path, Path, int]:
    """`cases` finished cases in `folder`; returns (database, files, audit rows)."""
    ctx = make_context()
    files = FileStore(folder / "files")
    database = folder / "sopbot.db"
    audit_rows = 0
    async with Database(database) as db:
        for first in range(1, cases + 1, 100):
            async with unit_of_work(db) as tx:
                await tx.snapshots.keep(ctx.sop.source_hash, ctx.sop.key, ctx.sop.source_text, T0)
                for case_id in range(first, min(first + 100, cases + 1)):
                    period = PERIODS[case_id % len(PERIODS)]
                    request = CaseRequest(case_id, period, 2000 + case_id // 6, LETTER)
                    now = T0 + timedelta(days=case_id)
                    transition = start_case(ctx, request, "kadin", now)
                    events = list(transition.events)
                    state = transition.state
                    while state.status.value == "open":
                        actor, action = next_happy_action(ctx, state)
                        if isinstance(action, AttachFile):
                            data = draft(case_id, state.step_key, file_size)
                            sha = files.put_sync(data)
                            ref = FileRef(sha, f"draf_{case_id}.docx", len(data), DOCX)
                            action = replace(action, file=ref)
                        now += timedelta(minutes=30)
                        transition = act(ctx, state, actor, action, now)
                        state = transition.state
                        events += transition.events
                    await tx.cases.save(state, now)
                    await tx.audit.append(case_id, events)
                    audit_rows += len(events)
    assert ctx.sop.step("konsep").kind is StepKind.UPLOAD
    return database, files.root, audit_rows


def timed(what: str, call: object) -> tuple[float, object]:
    assert callable(call)
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    print(f"  {what:<44} {seconds * 1000:9.1f} ms")
    return seconds, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--file-kb", type=int, default=24)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-backup-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        database, files, audit_rows = asyncio.run(build(folder, args.cases, args.file_kb << 10))
        stored = list(store.stored_files(files))
        print(
            f"{args.cases} finished cases built in {time.perf_counter() - started:.1f} s: "
            f"database {database.stat().st_size / 1e6:.1f} MB, {audit_rows} audit rows, "
            f"{len(stored)} files ({sum(p.stat().st_size for _, p in stored) / 1e6:.1f} MB)"
        )
        root = folder / "backups"
        day = T0.astimezone(JAKARTA).replace(hour=18)

        def first() -> store.BackupReport:
            return store.backup(database, files, root, now=day, zone=JAKARTA, keep=7)

        def second() -> store.BackupReport:
            later = day + timedelta(days=1)
            return store.backup(database, files, root, now=later, zone=JAKARTA, keep=7)

        _, made = timed("backup (database + every file copied)", first)
        _, again = timed("next backup (nothing new: files hard-linked)", second)
        assert isinstance(made, store.BackupReport) and isinstance(again, store.BackupReport)
        _, problems = timed(
            "checking a backup (integrity + every hash)", lambda: store.verify_backup(made.folder)
        )
        assert problems == [], problems
        _, restored = timed(
            "restore into a new folder (checked first)",
            lambda: store.restore(made.folder, folder / "restored"),
        )
        assert isinstance(restored, store.RestoreReport)
        print(
            f"  first backup: {made.files_copied} files copied; "
            f"next: {again.files_copied} copied, {again.files_linked} linked"
        )
    print_safety_figures()
    return 0


def print_safety_figures() -> None:
    if not FIGURES.exists():
        print("(no safety figures yet: run `python3 manage.py test` first)")
        return
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    print("safety figures of the last test run:")
    for name, value in sorted(figures.items()):
        print(f"  {name}: {value}")


if __name__ == "__main__":
    raise SystemExit(main())
