"""The queries behind /status, /ringkasan, the case choice of /riwayat and a reply to a
bot message read only what their page shows, from indexes, and still answer the same.

At 1,000 cases (88 running) /ringkasan took 267 ms when it read every running case whole
to show eight; `benchmarks/bench_queries.py` measures the commands, these tests pin the
reads: no statement walks a whole table or every case row, a page reads its own cases
whole and no others, and the page is the page the old full read would have shown.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.digest import build_view, case_line
from bot.core.workflow import AttachFile
from bot.services.scheduling import collect_digest, renderer
from bot.views.digest import DIGEST_PAGE_SIZE
from bot.views.queries import CASES_OFFERED, STATUS_PAGE_SIZE
from demo.stage import Stage, stage
from storage.uow import reading
from tests.support.engine import LETTER, next_happy_action
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)
RUNNING = 11  # more than a page of /status and of the digest
FINISHED = 2


async def _cases(st: Stage, clock: FakeClock) -> None:
    """`RUNNING` cases at different steps (so some are late later) and `FINISHED` done."""
    service = st.runtime.service
    sop_key = next(iter(st.runtime.sops))
    sop = st.runtime.sops[sop_key]
    ctx = service.context(sop)
    periods = [p.key for p in sop.periods]
    for i in range(RUNNING + FINISHED):
        year = 2020 + i // len(periods)
        started = await service.start_case(
            "kadin", sop_key, periods[i % len(periods)], year, LETTER
        )
        state = started.state
        for n in range(10_000 if i >= RUNNING else i % 4):
            if state.status.value != "open":
                break
            actor, action = next_happy_action(ctx, state)
            if isinstance(action, AttachFile):
                ref = await service.store_upload(
                    f"draf {i} {n}".encode(), "d.docx", action.file.mime
                )
                action = AttachFile(action.task, ref, item=action.item)
            clock.advance(minutes=47)
            state = (await service.act(actor, state.id, action)).state


@asynccontextmanager
async def _traced(st: Stage) -> AsyncIterator[list[str]]:
    """The statements the bot's connection runs inside the block."""
    ran: list[str] = []
    conn = st.runtime.db.conn
    await conn.set_trace_callback(ran.append)
    try:
        yield ran
    finally:
        await conn.set_trace_callback(lambda _: None)


def _reads_everything(plan: list[str]) -> list[str]:
    """Plan lines that walk a whole table, sort one, or read every case row of the agency."""
    return [
        line
        for line in plan
        if line.startswith("SCAN")
        or "TEMP B-TREE FOR ORDER BY" in line
        or re.search(r"USING INDEX cases_code \(agency=\?\)$", line)
    ]


async def test_no_query_of_a_page_walks_a_table_or_every_case_row(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await _cases(st, clock)
        await st.settle()
        runtime = st.runtime
        service = runtime.service
        async with _traced(st) as ran:
            await service.status_board(1, STATUS_PAGE_SIZE)
            await service.digest_board(1, DIGEST_PAGE_SIZE)
            await service.case_page(2, CASES_OFFERED)
            async with reading(runtime.db, runtime.agency) as tx:
                await tx.outbox.task_of_message(1001, 5)
        selects = [s for s in ran if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) >= 9
        for statement in selects:
            plan = [
                str(row[-1])
                for row in await runtime.db.conn.execute_fetchall(
                    f"EXPLAIN QUERY PLAN {statement}"
                )
            ]
            assert _reads_everything(plan) == [], (statement, plan)


async def test_a_page_reads_its_own_cases_whole_and_shows_what_the_full_read_showed(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await _cases(st, clock)
        await st.settle()
        runtime = st.runtime
        service = runtime.service
        everything = [(s, (await service.context_for(s)).sop) for s in await service.open_cases()]
        assert len(everything) == RUNNING

        async with _traced(st) as ran:
            board = await service.status_board(2, STATUS_PAGE_SIZE)
        whole = [s for s in ran if "SELECT c.*" in s]
        assert len(whole) == 1 and whole[0].count(",") == len(board.page.items) - 1
        assert len(board.rows) == RUNNING
        assert len(board.page.items) == RUNNING - STATUS_PAGE_SIZE
        # The board's deadline of a case is the first task of its step's current round.
        by_id = {state.id: state for state, _ in everything}
        for row in board.rows:
            current = by_id[row.id].current_tasks()
            assert row.deadline == (current[0].deadline if current else None)

        calendar, superior = runtime.calendar, runtime.directory.superior
        deadlines = sorted(row.deadline for row in board.rows if row.deadline is not None)
        now = deadlines[len(deadlines) // 2]  # half of the steps late, half not yet
        lines = {
            line.case_id: line
            for state, sop in everything
            if (line := case_line(state, sop, now, calendar, superior)) is not None
        }
        assert any(line.is_overdue for line in lines.values())
        assert not all(line.is_overdue for line in lines.values())
        render = renderer(runtime)
        for page in (1, 2, 3):  # 3: past the end, the last page
            view = await collect_digest(runtime, now, page)
            full = build_view(
                now,
                calendar,
                everything,
                view.unreachable,
                view.audit_head,
                superior,
            )
            assert view.window is not None and view.window.running == len(lines)
            assert len(view.cases) <= DIGEST_PAGE_SIZE
            assert all(line == lines[line.case_id] for line in view.cases)
            assert render.digest(view, "id") == render.digest(full, "id", page)
