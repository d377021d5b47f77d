"""A press pays one read and one write before its answer (issue 12).

The officer and their language are one read; the case, the decision, its audit row,
reminders and outbox rows are one write. Delivery happens afterwards, in the delivery
worker, so nothing it reads or marks is counted here. Transactions are counted per asyncio
task: only those of the task that answers the press, up to the answer.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from telegram import CallbackQuery

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from storage.db import Database
from tests.support.chat import (
    START,
    dispose,
    press,
    start_case,
    task_message,
    to_parallel_review,
    walk_to_review,
)

Counts = dict[asyncio.Task[Any] | None, Counter[str]]


class TransactionCounter:
    """Counts `Database.transaction` (write) and `Database.reading` (read) per task, and
    what the task that answered a press had counted when it answered."""

    def __init__(self) -> None:
        self.by_task: Counts = {}
        self.at_answer: list[Counter[str]] = []

    def count(self, kind: str) -> None:
        self.by_task.setdefault(asyncio.current_task(), Counter())[kind] += 1

    def answered(self) -> None:
        self.at_answer.append(Counter(self.by_task.pop(asyncio.current_task(), Counter())))


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> TransactionCounter:
    counted = TransactionCounter()

    def wrap(
        original: Callable[..., AbstractAsyncContextManager[Any]], kind: str
    ) -> Callable[..., AbstractAsyncContextManager[Any]]:
        @asynccontextmanager
        async def counting(self: Database, **options: Any) -> AsyncIterator[Any]:
            counted.count(kind)
            async with original(self, **options) as conn:
                yield conn

        return counting

    monkeypatch.setattr(Database, "transaction", wrap(Database.transaction, "write"))
    monkeypatch.setattr(Database, "reading", wrap(Database.reading, "read"))
    answer = CallbackQuery.answer

    async def answering(self: CallbackQuery, *args: Any, **kwargs: Any) -> bool:
        counted.answered()
        return await answer(self, *args, **kwargs)

    monkeypatch.setattr(CallbackQuery, "answer", answering)
    return counted


class StatementLog:
    """The SQL each asyncio task sent to SQLite's thread, one entry per hop (a query read
    whole, an `executemany`); the answering task's list is kept at its answer."""

    def __init__(self) -> None:
        self.by_task: dict[asyncio.Task[Any] | None, list[str]] = {}
        self.at_answer: list[list[str]] = []


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> StatementLog:
    log = StatementLog()
    execute = aiosqlite.core.Connection._execute

    async def logging(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        sql = args[0] if args and isinstance(args[0], str) else getattr(fn, "__name__", "")
        log.by_task.setdefault(asyncio.current_task(), []).append(" ".join(sql.split()))
        return await execute(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", logging)
    answer = CallbackQuery.answer

    async def answering(self: CallbackQuery, *args: Any, **kwargs: Any) -> bool:
        log.at_answer.append(log.by_task.pop(asyncio.current_task(), []))
        return await answer(self, *args, **kwargs)

    monkeypatch.setattr(CallbackQuery, "answer", answering)
    return log


async def _at_parallel_approval(st: Stage) -> None:
    """Steps 1-6: the case waits for the three Kabids' approvals (step 7)."""
    await start_case(st)
    await walk_to_review(st)
    await to_parallel_review(st)


async def test_an_approval_is_one_read_and_one_write_before_its_answer(
    tmp_path: Path, counter: TransactionCounter
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await _at_parallel_approval(st)
        for kabid in ("kabid_1", "kabid_2"):  # ordinary approvals: step 7 still waits
            user = st.user(kabid)
            counter.at_answer.clear()
            assert await press(st, user, task_message(user, 7), "Setujui")
            assert counter.at_answer == [Counter(read=1, write=1)]
        sek = st.user("sekretaris")
        before = len(sek.transcript)
        last_kabid = st.user("kabid_3")
        counter.at_answer.clear()
        assert await press(st, last_kabid, task_message(last_kabid, 7), "Setujui")
        assert counter.at_answer == [Counter(read=1, write=1)]  # the one that opens step 8
        assert len(sek.transcript) > before
        # The task's own buttons, then what it offers on demand ("PDF" when PDFs are made).
        offered = [b for b in task_message(sek, 8).button_texts if b != "PDF"]
        assert offered == ["Paraf", "Rincian"]


async def test_the_paraf_that_opens_three_reviews_asks_sqlite_once_per_kind_of_row(
    tmp_path: Path, statements: StatementLog
) -> None:
    """The Sekretaris's paraf opens a review for each of the three Kepala Bidang: their
    languages are read in one query and their task messages and PDF jobs written in one
    statement each, not one per officer (each is a hop to SQLite's thread, the most of a
    press's time on a busy server)."""
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        await press(st, sek, task_message(sek, 5), "Setujui")
        statements.at_answer.clear()
        assert await press(st, sek, task_message(sek, 6), "Paraf")
        [sent] = statements.at_answer
        kabids = [st.user(k) for k in ("kabid_1", "kabid_2", "kabid_3")]
        assert all(task_message(k, 7) for k in kabids)  # the three reviews went out

        def hops(fragment: str) -> int:
            return sum(fragment in sql for sql in sent)

        assert hops("FROM officer_accounts") == 2  # the presser; then every addressee
        assert hops("INSERT INTO outbox") == 1
        assert hops("INSERT INTO jobs") <= 1
        assert hops("INSERT INTO audit_log") == 1
        assert not [sql for sql in sent if sql in ("fetchone", "fetchall", "close")]


async def test_a_checklist_tick_writes_the_case_row_and_no_task_row(
    tmp_path: Path, statements: StatementLog
) -> None:
    """A tick changes the case's checklist, not its tasks: its save writes the case row
    alone, not every task the case has (they are compared with what was read). The
    first tick is not such a one: it claims the step, closing the other holder's task."""
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st)
        sakip = st.user("sakip_1")
        assert await press(st, sakip, task_message(sakip, 2), "⬜ RENSTRA")  # the claim
        statements.by_task.clear()
        statements.at_answer.clear()
        assert await press(st, sakip, task_message(sakip, 2), "⬜ RENJA")
        [sent] = statements.at_answer
        assert sum("UPDATE cases" in sql for sql in sent) == 1
        assert not [sql for sql in sent if "INTO tasks" in sql or "INTO files" in sql]
        assert "✅ RENJA" in task_message(sakip, 2).button_texts  # the tick took effect
