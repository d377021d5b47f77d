"""Delivery marks on a real SQLite file: only the last mark of a batch waits for the disk,
a file is indexed as it is marked sent, and the retention gives the room back."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.services.outbox import enqueue
from bot.services.retention import prune_outbox
from bot.views.outgoing import Outgoing, Send, SendDocument
from demo.stage import stage
from storage.db import Database
from storage.uow import reading, unit_of_work
from tests.support.engine import LETTER
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def flushes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each write transaction waited for the disk, in order."""
    seen: list[bool] = []
    original: Callable[..., AbstractAsyncContextManager[Any]] = Database.transaction

    @asynccontextmanager
    async def recording(db: Database, *, flush: bool = True) -> AsyncIterator[Any]:
        seen.append(flush)
        async with original(db, flush=flush) as conn:
            yield conn

    monkeypatch.setattr(Database, "transaction", recording)
    return seen


async def test_only_the_last_mark_of_a_batch_waits_for_the_disk(
    tmp_path: Path, flushes: list[bool]
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        runtime = st.runtime
        await runtime.deliver()
        async with unit_of_work(runtime.db, runtime.agency) as tx:
            for n in range(3):
                await enqueue(tx, Outgoing("kadin", Send(f"pesan {n}")), START)
        flushes.clear()
        await runtime.deliver()
        assert [m.text for m in st.user("kadin").transcript[-3:]] == [
            "pesan 0",
            "pesan 1",
            "pesan 2",
        ]
        assert flushes == [False, False, True]  # three marks; the batch's last flushes
        async with reading(runtime.db, runtime.agency) as tx:
            assert all(r.sent_at is not None for r in await tx.outbox.all())
        async with runtime.db.reading() as conn, conn.execute("PRAGMA synchronous") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 2  # FULL again for the next decision


async def test_a_non_flushing_commit_survives_a_killed_process(tmp_path: Path) -> None:
    """What the crash rig relies on: a mark committed without a flush is in the WAL, so
    another process (the restarted bot) reads it even if this one never closes."""
    db = Database(tmp_path / "bot.db")
    await db.open()
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE marks (id INTEGER PRIMARY KEY)")
    async with db.transaction(flush=False) as conn:
        await conn.execute("INSERT INTO marks (id) VALUES (1)")
    other = sqlite3.connect(tmp_path / "bot.db")  # as a new process would, db still open
    try:
        assert other.execute("SELECT id FROM marks").fetchall() == [(1,)]
    finally:
        other.close()
        await db.close()


async def test_a_file_is_indexed_with_its_message_when_marked_sent(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        runtime = st.runtime
        await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        ref = await runtime.service.store_upload(b"isi laporan", "laporan.docx", DOCX)
        async with unit_of_work(runtime.db, runtime.agency) as tx:
            assert await tx.outbox.delivered_to("kadin", ref.sha256) is None
            await enqueue(
                tx, Outgoing("kadin", SendDocument(ref.sha256, "laporan.docx")), START, case_id=1
            )
        await runtime.deliver()
        received = st.user("kadin").transcript[-1]
        assert received.document is not None
        async with reading(runtime.db, runtime.agency) as tx:
            by_officer = await tx.outbox.delivered_to("kadin", ref.sha256)
            for_case = await tx.outbox.delivered_to("kadin", ref.sha256, case_id=1)
            other_case = await tx.outbox.delivered_to("kadin", ref.sha256, case_id=2)
            by_chat = await tx.outbox.delivered_file(ref.sha256, received.chat_id)
            nobody = await tx.outbox.delivered_to("sekretaris", ref.sha256)
        assert by_officer is not None
        assert (by_officer.case_id, by_officer.chat_id, by_officer.message_id) == (
            1,
            received.chat_id,
            received.message_id,
        )
        assert by_officer.file_id == received.document.file_id  # Telegram's id, to resend
        assert for_case == by_officer == by_chat
        assert other_case is None and nobody is None


async def test_retention_gives_the_room_back_to_the_file_system(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        runtime = st.runtime
        async with runtime.db.reading() as conn, conn.execute("PRAGMA auto_vacuum") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 2  # INCREMENTAL from the file's first day
        async with unit_of_work(runtime.db, runtime.agency) as tx:
            for n in range(400):
                await enqueue(tx, Outgoing("kadin", Send(f"{n} " + "panjang " * 300)), START)
        await runtime.deliver()
        database = runtime.config.storage.database
        await runtime.db.reclaim_space()  # the WAL checkpointed: the file as it stands
        before = database.stat().st_size
        assert await prune_outbox(runtime, START + timedelta(days=31)) >= 400
        after = database.stat().st_size
        assert after < before / 2, (before, after)
        async with reading(runtime.db, runtime.agency) as tx:
            assert len(await tx.outbox.all()) >= 400  # the rows stay, without their text


async def test_an_older_file_without_auto_vacuum_is_rewritten_once_worth_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)  # as a file from before: auto_vacuum off
    old.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    old.executemany("INSERT INTO t (payload) VALUES (?)", [("x" * 2000,)] * 500)
    old.commit()
    assert old.execute("PRAGMA auto_vacuum").fetchone() == (0,)
    old.execute("UPDATE t SET payload = '{}'")
    old.commit()
    old.close()
    before = path.stat().st_size
    db = Database(path)
    await db.open()
    try:
        freed = await db.reclaim_space()
        async with db.reading() as conn, conn.execute("PRAGMA auto_vacuum") as cur:
            row = await cur.fetchone()
    finally:
        await db.close()
    assert freed > 0 and path.stat().st_size < before / 2
    assert row is not None and row[0] == 2  # switched to incremental by the rewrite


async def test_retention_drops_done_jobs_and_settled_reminders_of_closed_tasks(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        runtime = st.runtime
        state = (
            await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        ).state
        await runtime.deliver()
        await st.settle()
        async with unit_of_work(runtime.db, runtime.agency) as tx:
            job = await tx.jobs.add("render", state.id, {}, START)
            await tx.jobs.done(job, START)
            open_task = state.open_tasks()[0]
            closed = await tx.reminders.for_task(state.id, open_task.seq)
            assert closed  # step 1's reminders, planned
            await tx.reminders.cancel_for_task(state.id, open_task.seq, START)
            await tx.conn.execute(
                "UPDATE tasks SET status = 'done' WHERE case_id = ? AND seq = ?",
                (state.id, open_task.seq),
            )
            await tx.reminders.plan(state.id, 99, [("first", START + timedelta(days=40))])
        await prune_outbox(runtime, START + timedelta(days=31))
        async with reading(runtime.db, runtime.agency) as tx:
            assert await tx.reminders.for_task(state.id, open_task.seq) == []
            assert len(await tx.reminders.for_task(state.id, 99)) == 1  # a task still open
            async with tx.conn.execute("SELECT COUNT(*) FROM jobs WHERE id = ?", (job,)) as cur:
                row = await cur.fetchone()
        assert row is not None and row[0] == 0
