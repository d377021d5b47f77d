"""Draft numbers count drafts: a proof file before the first concept does not make it
"versi 2", while the stored file number stays the identity buttons carry.

The case gets a checklist proof file at step 2 (file 1), the concept at step 3 (file 2,
"versi 1") and the typed draft at step 4 (file 3, "versi 2"). The database is then put
back as the bot before this change left it (no draft number column, the schema version
before it); the migration fills the numbers in, and the Sekretaris's button for the
concept (file 2), issued before the migration, is still refused as stale.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.sop import StepKind
from bot.core.workflow import Approve, AttachFile, CaseState, Refusal, RefusalCode
from storage.migrations import MIGRATIONS, V_DRAFT_NUMBERS
from tests.support.engine import LETTER, file_ref, next_happy_action
from tests.support.harness import open_service
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)


def numbers(state: CaseState) -> list[tuple[int, str, int | None, int]]:
    return [(f.number, f.purpose, f.draft_number, f.shown) for f in state.files]


async def test_the_first_concept_after_a_proof_file_is_versi_1_and_old_buttons_stay_stale(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with open_service(tmp_path, clock) as h:
        service = h.service
        state = (await service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)).state
        ctx = await service.context_for(state)
        proof_given = False
        while True:
            task = state.open_tasks()[0]
            step = ctx.sop.step(task.step_key)
            if step.kind is StepKind.DECISION:
                break
            if step.kind is StepKind.CHECKLIST and not proof_given:
                item = (state.checklist(step.key, task.round) or [])[0].item
                proof = AttachFile(task.seq, file_ref("bukti", "bukti.pdf"), item=item)
                state = (await service.act(task.assignee, state.id, proof)).state
                proof_given = True
                continue
            actor, action = next_happy_action(ctx, state)
            state = (await service.act(actor, state.id, action)).state
        assert numbers(state) == [(1, "proof", None, 1), (2, "draft", 1, 1), (3, "draft", 2, 2)]
        decision = state.open_tasks()[0]
        shown = " ".join(
            str(getattr(out.message, "text", "") or getattr(out.message, "caption", ""))
            for out in h.service.presenter.task_message(ctx, state, decision, "id")
        )
        assert "versi 2" in shown and "versi 3" not in shown
        case_id = state.id

    # The database as the bot before draft numbers left it.
    with sqlite3.connect(tmp_path / "sopbot.db") as conn:
        conn.execute("ALTER TABLE files DROP COLUMN draft_number")
        # and without what the migrations after it made, so they run again after it
        conn.execute("DROP TABLE acting_appointments")
        for index in ("outbox_by_message", "cases_choice", "cases_running"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(V_DRAFT_NUMBERS)}")
    conn.close()

    async with open_service(tmp_path, clock) as h:
        state = await h.service.case(case_id)
        assert numbers(state) == [(1, "proof", None, 1), (2, "draft", 1, 1), (3, "draft", 2, 2)]
        decision = state.open_tasks()[0]
        with pytest.raises(Refusal) as refused:  # the concept's button, from before
            await h.service.act(decision.assignee, case_id, Approve(decision.seq, 2))
        assert refused.value.code is RefusalCode.STALE_VERSION
        approved = await h.service.act(decision.assignee, case_id, Approve(decision.seq, 3))
        assert approved.state.tasks[decision.seq - 1].outcome == "approved"
