"""Outbox retention: delivered messages' text goes after the retention period, the rows
and the index of delivered files stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from bot.services.retention import prune_outbox
from demo.stage import stage
from storage.uow import reading, unit_of_work
from tests.support.engine import LETTER
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)


async def test_delivered_text_goes_after_the_retention_period_and_files_stay_indexed(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        runtime = st.runtime
        assert runtime.config.storage.outbox_retention_days == 30
        await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        await runtime.deliver()
        await st.settle()
        async with unit_of_work(runtime.db, runtime.agency) as tx:  # a file sent to kadin
            sha = "ab" * 32
            doc = await tx.outbox.add(
                "document",
                {"sha256": sha, "filename": "x.docx"},
                START,
                officer_key="kadin",
                case_id=1,
            )
            await tx.outbox.mark_sent(doc, START, 77, 1001)
            waiting = await tx.outbox.add(
                "send", {"text": "belum", "buttons": []}, START, officer_key="nobody"
            )
        async with reading(runtime.db, runtime.agency) as tx:
            before = await tx.outbox.all()
        sent = [r for r in before if r.sent_at is not None]
        assert sent and all(r.payload for r in sent)

        assert await prune_outbox(runtime, START + timedelta(days=29)) == 0
        assert await prune_outbox(runtime, START + timedelta(days=31)) == len(sent)
        assert await prune_outbox(runtime, START + timedelta(days=32)) == 0  # once

        async with reading(runtime.db, runtime.agency) as tx:
            after = {r.id: r for r in await tx.outbox.all()}
            indexed = await tx.outbox.delivered_file(sha, 1001)
        assert set(after) == {r.id for r in before}  # every row stays ...
        assert all(after[r.id].payload == {} for r in sent)  # ... without its text
        assert after[waiting].payload == {"text": "belum", "buttons": []}  # not delivered
        assert indexed is not None
        assert (indexed.officer_key, indexed.case_id, indexed.message_id) == ("kadin", 1, 77)
