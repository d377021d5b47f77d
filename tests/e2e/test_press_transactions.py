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

import pytest
from telegram import CallbackQuery

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from storage.db import Database
from tests.support.chat import (
    START,
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
