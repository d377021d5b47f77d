"""The service on a real SQLite file: durability, atomicity and concurrency."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.workflow import Approve, CaseStatus, Refusal, RefusalCode, Transition
from bot.services.workflow_service import CaseCodeTaken, WorkflowService
from storage.audit import AuditLog
from storage.db import Database
from storage.files import FileCorrupt
from storage.uow import reading
from tests.support.engine import LETTER, next_happy_action
from tests.support.harness import Harness, open_service
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB


async def start(h_service: WorkflowService, actor: str = "kadin") -> Transition:
    return await h_service.start_case(actor, "pelaporan_kinerja", "TW2", 2026, LETTER)


async def counts(db: Database) -> dict[str, int]:
    result = {}
    for table in ("audit_log", "outbox", "reminders", "tasks", "files", "jobs"):
        rows = await db.fetchall(f"SELECT COUNT(*) FROM {table}")
        result[table] = int(rows[0][0])
    return result


async def test_a_case_survives_closing_and_reopening_the_database_at_every_step(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        transition = await start(h.service)
        case_id = transition.state.id
        expected = transition.state
    steps_seen = []
    while expected.status is CaseStatus.OPEN:
        clock.advance(minutes=7)
        async with open_service(tmp_path, clock) as h:
            reloaded = await h.service.case(case_id)
            assert reloaded == expected, f"state differs after restart at {expected.step_key}"
            ctx = await h.service.context_for(reloaded)
            actor, action = next_happy_action(ctx, reloaded)
            expected = (await h.service.act(actor, case_id, action)).state
            steps_seen.append(expected.step_key)
    async with open_service(tmp_path, clock) as h:
        final = await h.service.case(case_id)
        assert final == expected
        assert final.status is CaseStatus.FINISHED
        async with reading(h.db) as tx:
            assert (await tx.audit.verify()).problems == []
            trail = await tx.audit.for_case(case_id)
    assert trail[0].action == "start" and trail[-1].action == "finish"
    assert len({"disposisi", *steps_seen}) == 11


async def test_an_interrupted_transaction_leaves_neither_state_nor_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        case_id = (await start(h.service)).state.id
        before_state = await h.service.case(case_id)
        before_counts = await counts(h.db)
        ctx = await h.service.context_for(before_state)
        actor, action = next_happy_action(ctx, before_state)

        async def crash(self: AuditLog, *args: object) -> None:
            raise RuntimeError("power cut between the state and the audit write")

        monkeypatch.setattr(AuditLog, "append", crash)
        with pytest.raises(RuntimeError, match="power cut"):
            await h.service.act(actor, case_id, action)
        monkeypatch.undo()
        assert await h.service.case(case_id) == before_state
        assert await counts(h.db) == before_counts
    # And after a restart the same action goes through exactly once.
    async with open_service(tmp_path, clock) as h:
        assert await h.service.case(case_id) == before_state
        after = await h.service.act(actor, case_id, action)
        assert after.state.step_key == "kumpul_bahan"


async def test_a_unit_of_work_cancelled_at_its_begin_leaves_every_later_decision_working(
    tmp_path: Path,
) -> None:
    """A stop or a timeout cancels a task whose `BEGIN` is already queued: aiosqlite runs
    it anyway. Were it left open, every later decision would fail until a restart."""
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        case_id = (await start(h.service)).state.id

        async def unit_of_work() -> None:
            async with h.db.transaction():
                await asyncio.sleep(3600)  # never reached: cancelled at the BEGIN

        cancelled = asyncio.create_task(unit_of_work())
        await asyncio.sleep(0)  # it holds the lock and waits for its BEGIN
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        state = await h.service.case(case_id)
        ctx = await h.service.context_for(state)
        actor, action = next_happy_action(ctx, state)
        after = await h.service.act(actor, case_id, action)
        assert after.state.step_key == "kumpul_bahan"
        assert not h.db.conn.in_transaction


async def walk_to(h: Harness, case_id: int, step_key: str) -> None:
    state = await h.service.case(case_id)
    while state.step_key != step_key:
        ctx = await h.service.context_for(state)
        actor, action = next_happy_action(ctx, state)
        h.clock.advance(minutes=3)
        state = (await h.service.act(actor, case_id, action)).state


@pytest.mark.parametrize("tick_first", [True, False])
async def test_a_reminder_tick_running_with_an_approve_leaves_both_whole(
    tmp_path: Path, tick_first: bool
) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        case_id = (await start(h.service)).state.id
        await walk_to(h, case_id, "periksa")
        state = await h.service.case(case_id)
        task = state.open_tasks()[0]
        # Two working days later: the "1 hari" review is overdue.
        clock.set(at_local(2026, 7, 9, 9, 0))
        approve = h.service.act("sekretaris", case_id, Approve(task.seq, state.latest_version))
        tick = h.service.tick()
        first, second = (tick, approve) if tick_first else (approve, tick)
        results = await asyncio.gather(first, second)
        after = await h.service.case(case_id)
        assert after.step_key == "paraf_sekretaris"
        rows = await h.db.fetchall(
            "SELECT kind, sent_at, cancelled_at FROM reminders WHERE case_id = ? AND task_seq = ?",
            (case_id, task.seq),
        )
        pending = [r for r in rows if r["sent_at"] is None and r["cancelled_at"] is None]
        assert pending == [], "every reminder of the closed task is sent or cancelled"
        sent = {r["kind"] for r in rows if r["sent_at"] is not None}
        reminder_msgs = await h.db.fetchall(
            "SELECT payload_json FROM outbox WHERE case_id = ? AND task_seq = ? "
            "AND payload_json LIKE '%\"reminder\"%'",
            (case_id, task.seq),
        )
        if tick_first:
            assert sent == {"due", "escalate"}
            assert len(reminder_msgs) == 2  # at deadline to the Sekretaris, escalation to Kadin
            assert results[0] == 2
        else:
            assert sent == set()
            assert reminder_msgs == []
        async with reading(h.db) as tx:
            assert (await tx.audit.verify()).problems == []


async def test_one_open_case_per_sop_and_period(tmp_path: Path) -> None:
    async with open_service(tmp_path, FakeClock(START)) as h:
        await start(h.service)
        with pytest.raises(CaseCodeTaken) as taken:
            await start(h.service)
        assert taken.value.code == "LKT-2026-TW2"
        other = await h.service.start_case("kadin", "pelaporan_kinerja", "TW3", 2026, LETTER)
        assert other.state.code == "LKT-2026-TW3"


async def test_the_starter_holding_step_1_does_it_in_the_same_transaction(
    tmp_path: Path,
) -> None:
    async with open_service(tmp_path, FakeClock(START)) as h:
        form = {"instruksi": "Segera susun laporan triwulan II", "catatan": ""}
        started = await h.service.start_from_letter(
            "kadin", "pelaporan_kinerja", "TW2", 2026, LETTER, form
        )
        assert started.disposed and started.refused is None
        state = await h.service.case(started.transition.state.id)
        assert state == started.transition.state
        [first, *_] = state.tasks
        assert first.assignee == "kadin" and not first.is_open
        assert all(t.assignee != "kadin" for t in state.open_tasks())
        async with reading(h.db) as tx:
            actions = [row.action for row in await tx.audit.for_case(state.id)]
        assert actions[0] == "start" and len(actions) > 1
        with pytest.raises(CaseCodeTaken) as taken:
            await h.service.check_period_free("pelaporan_kinerja", "TW2", 2026)
        assert taken.value.code == "LKT-2026-TW2"
        await h.service.check_period_free("pelaporan_kinerja", "TW3", 2026)


async def test_a_refused_first_step_leaves_the_case_started_and_waiting(tmp_path: Path) -> None:
    async with open_service(tmp_path, FakeClock(START)) as h:
        started = await h.service.start_from_letter(
            "kadin", "pelaporan_kinerja", "TW2", 2026, LETTER, {"instruksi": " "}
        )
        assert not started.disposed
        assert started.refused is not None
        assert started.refused.code is RefusalCode.FORM_INCOMPLETE
        state = await h.service.case(started.transition.state.id)
        assert state.status is CaseStatus.OPEN
        assert [t.assignee for t in state.open_tasks()] == ["kadin"]


async def test_a_refused_action_writes_nothing(tmp_path: Path) -> None:
    async with open_service(tmp_path, FakeClock(START)) as h:
        state = (await start(h.service)).state
        before = await counts(h.db)
        with pytest.raises(Refusal) as refused:
            await h.service.act("staf_1", state.id, Approve(state.open_tasks()[0].seq, None))
        assert refused.value.code is RefusalCode.NOT_ASSIGNEE
        assert await counts(h.db) == before


async def test_a_running_case_keeps_the_sop_it_started_with(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        case_id = (await start(h.service)).state.id
    async with open_service(tmp_path, clock) as h:
        # The agency edits the SOP: step 2 now gets 4 hours instead of 2.
        sop = h.service.sops["pelaporan_kinerja"]
        edited_text = sop.source_text.replace('time = "2 jam"', 'time = "4 jam"')
        from bot.core.sop_loader import parse_sop

        edited = parse_sop(edited_text, "edited.toml")
        assert edited.source_hash != sop.source_hash
        h.service.sops = {sop.key: edited}
        h.service._snapshots = {edited.source_hash: edited}
        state = await h.service.case(case_id)
        ctx = await h.service.context_for(state)
        assert ctx.sop.source_hash == sop.source_hash
        actor, action = next_happy_action(ctx, state)
        after = (await h.service.act(actor, case_id, action)).state
        step2 = after.open_tasks()[0]
        # 08.00 + 7 min of work... the deadline follows the original 2 hours.
        assert h.calendar.elapsed_minutes(step2.created_at, step2.deadline) == 120
        new_case = await h.service.start_case("kadin", sop.key, "TW3", 2026, LETTER)
        assert new_case.state.sop_hash == edited.source_hash


async def test_stored_files_are_verified_when_read(tmp_path: Path) -> None:
    async with open_service(tmp_path, FakeClock(START)) as h:
        ref = await h.service.store_upload(b"isi draf", "draf.docx", "application/octet-stream")
        assert await h.service.files.get(ref.sha256) == b"isi draf"
        h.service.files.path_of(ref.sha256).write_bytes(b"isi DRAF")  # same size, other bytes
        with pytest.raises(FileCorrupt):
            await h.service.files.get(ref.sha256)
        # The same upload again repairs the damaged copy.
        await h.service.store_upload(b"isi draf", "draf.docx", "application/octet-stream")
        assert await h.service.files.get(ref.sha256) == b"isi draf"


async def test_tampering_with_the_audit_log_is_detected(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        await start(h.service)
    raw = sqlite3.connect(tmp_path / "sopbot.db")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE audit_log SET actor = 'staf_1' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM audit_log WHERE id = 1")
    # Someone with the file in hand can drop the guard; the hash chain still tells.
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("UPDATE audit_log SET actor = 'staf_1' WHERE id = 1")
    raw.commit()
    raw.close()
    async with open_service(tmp_path, clock) as h, reading(h.db) as tx:
        problems = (await tx.audit.verify()).problems
    assert problems == ["audit row 1: content does not match its hash"]
