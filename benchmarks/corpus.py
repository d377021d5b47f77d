"""A database of many cases, written by the real services, for the storage and query
benchmarks (not a benchmark itself: no `bench_` prefix).

The cases are the demo's Dinas (`demo.stage`), walked along the straight path by the
real `WorkflowService` (so the outbox, audit, reminders and jobs rows are those the bot
writes), with the clock moving half an hour per action. Nothing is delivered while
building; afterwards every outbox row is marked delivered and every document job done,
as a running bot would have.
The folder then holds a stage config, so `demo.stage.stage(folder, ...)` runs the bot on it,
and the clock's time at the end (`built_at`), so a benchmark can reuse the folder.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.core.workflow import AttachFile
from bot.runtime import Runtime
from demo.stage import STAGE_TOKEN, write_stage_config
from fakegram import FakeTelegram
from tests.support.engine import LETTER, next_happy_action

START = datetime(2026, 1, 5, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday, 08.00
STEP_MINUTES = 30
OPEN_STEPS = 6  # an open case is left after this many of its actions (or fewer)
BUILT_AT = "built_at"  # the file in the folder that keeps the clock's time at the end


async def build(folder: Path, fake: FakeTelegram, cases: int, open_cases: int) -> datetime:
    """`cases` cases in `folder`, the last `open_cases` of them still open, for a bot
    talking to `fake` (started; nothing is sent to it here); returns the clock's time
    when done (every message then delivered)."""
    config_path = write_stage_config(folder, fake)
    config = load_config(config_path, env={})
    clock = FakeClock(START)
    runtime = Runtime.build(config, load_sops(config.sops), clock)
    sop_key = next(iter(runtime.sops))
    sop = runtime.sops[sop_key]
    ctx = runtime.service.context(sop)
    periods = [p.key for p in sop.periods]
    starter = next(o.key for o in config.officers if o.role in sop.steps[0].roles)
    await runtime.db.open()
    # Building only: no commit waits for the disk (the bot's own commits do, see storage.db).
    await runtime.db.conn.execute("PRAGMA synchronous=OFF")
    try:
        for i in range(cases):
            year = 2000 + i // len(periods)
            started = await runtime.service.start_case(
                starter, sop_key, periods[i % len(periods)], year, LETTER
            )
            state = started.state
            finished = i < cases - open_cases
            for n in range(10_000 if finished else i % OPEN_STEPS):
                if state.status.value != "open":
                    break
                actor, action = next_happy_action(ctx, state)
                if isinstance(action, AttachFile):
                    data = f"draf {state.code} {n}".encode()
                    ref = await runtime.service.store_upload(data, "draf.docx", action.file.mime)
                    action = AttachFile(action.task, ref, item=action.item)
                clock.advance(minutes=STEP_MINUTES)
                state = (await runtime.service.act(actor, state.id, action)).state
        async with runtime.db.transaction() as conn:  # as delivered by a running bot
            await conn.execute(
                "UPDATE outbox SET sent_at = created_at, message_id = id, "
                "chat_id = COALESCE(chat_id, 1000) WHERE sent_at IS NULL"
            )
            await conn.execute("UPDATE jobs SET done_at = created_at WHERE done_at IS NULL")
    finally:
        await runtime.db.close()
    (folder / BUILT_AT).write_text(clock.now().isoformat(), encoding="utf-8")
    return clock.now()


def built_at(folder: Path) -> datetime | None:
    """The clock's time when the corpus in `folder` was built; None: no corpus there."""
    mark = folder / BUILT_AT
    return datetime.fromisoformat(mark.read_text(encoding="utf-8")) if mark.exists() else None


if __name__ == "__main__":  # python -m benchmarks.corpus FOLDER [CASES] [OPEN]
    import sys

    stand_in = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        number = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
        asyncio.run(build(Path(sys.argv[1]), stand_in, number, number * 88 // 1000))
    finally:
        stand_in.stop()
