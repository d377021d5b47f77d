"""Each step says how to do it (issue 15), through the real Application: an upload step
says how to hand the file in and a reply to its message lands on that task; the order
after the signature arrives as the signed final report, its clock counted from the
report and its caption names that report (never "the latest draft"); a task withdrawn by
an undo names who undid."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import stage
from tests.support.chat import (
    START,
    press,
    says,
    sign,
    start_case,
    task_message,
    walk_to_concept,
    walk_to_review,
    walk_to_signature,
)
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER

CASE = "LKT-2026-TW2"


async def test_an_upload_step_says_how_and_a_reply_lands_on_that_task(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_concept(st, "Segera susun laporan")
        await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW1", 2026, LETTER)
        await st.runtime.deliver()
        ketua = await walk_to_concept(st, "Segera susun laporan")
        concepts = [m for m in ketua.transcript if "Langkah 3:" in m.text]
        first = next(m for m in concepts if CASE in m.text)
        assert len(concepts) == 2
        assert says("task.how_upload") in first.text

        ketua.send_document("konsep.docx", tiny_docx("konsep"), reply_to=first.message_id)
        await st.settle()

        ack = ketua.transcript[-1]
        assert ack.text.startswith(f"📎 Draf versi 1 diterima untuk {CASE}")
        assert not any(says("file.which_task") in m.text for m in ketua.transcript)
        state = await st.runtime.service.case_by_code(CASE)
        assert state is not None and [f.filename for f in state.files] == ["konsep.docx"]


async def test_the_order_arrives_as_the_signed_report_timed_from_it(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await start_case(st)
        await walk_to_signature(st)
        kasubag = st.user("kasubag")
        worker, st.runtime.docjobs = st.runtime.docjobs, None  # the report not made yet
        await sign(st)
        assert not [m for m in kasubag.transcript if "Langkah 10:" in m.text]  # no draft

        clock.advance(hours=1)
        st.runtime.docjobs = worker
        await st.runtime.deliver()
        await st.settle()

        order = task_message(kasubag, 10)
        assert order.kind == "document" and order.document is not None
        assert order.document.filename == "Laporan_Kinerja_TW2_2026_Disdik_final.docx"
        finals = [
            m for m in kasubag.transcript if m.document and "final" in (m.document.filename or "")
        ]
        assert finals == [order]  # the report once: as the task
        state = await st.runtime.service.case_by_code(CASE)
        assert state is not None
        [task] = [t for t in state.open_tasks() if t.assignee == "kasubag"]
        reported = START + timedelta(hours=1)
        assert task.created_at == reported  # the report's time, not the signature's
        assert task.deadline == reported + timedelta(minutes=10)
        assert "Batas waktu: Senin, 6 Juli 2026 pukul 09.10 WIB" in order.text


async def test_the_order_and_the_distribution_name_the_signed_report_they_carry(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        # staf_2: not the typist (whose own upload the stand-in report may equal)
        kasubag, staf = st.user("kasubag"), st.user("staf_2")
        await sign(st)
        state = await st.runtime.service.case_by_code(CASE)
        assert state is not None and state.latest_draft is not None
        report = "Laporan_Kinerja_TW2_2026_Disdik_final.docx"
        holding = says("task.final_report", filename=report, version=state.latest_draft.shown)

        order = task_message(kasubag, 10)
        assert order.document is not None and order.document.filename == report
        assert holding in order.text
        assert "Draf terakhir" not in order.text

        name = st.runtime.directory.name("staf_2")
        await press(st, kasubag, order, f"⬜ {name}")
        await press(st, kasubag, task_message(kasubag, 10), "Perintahkan")
        distribution = task_message(staf, 11)
        assert distribution.document is not None and distribution.document.filename == report
        assert holding in distribution.text
        assert "Draf terakhir" not in distribution.text


async def test_a_task_withdrawn_by_an_undo_names_who_undid(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        await press(st, sek, task_message(sek, 5), "Setujui")
        paraf = task_message(sek, 6)
        await press(st, sek, paraf, "Paraf")
        kabid = st.user("kabid_1")
        review = task_message(kabid, 7)
        clock.advance(seconds=30)

        await press(st, sek, sek.message(paraf.message_id), "Urungkan (s.d. 08.02 WIB)")

        withdrawn = kabid.message(review.message_id)
        assert withdrawn.buttons == []
        name = st.runtime.directory.name("sekretaris")
        assert says("task.withdrawn_undone", name=name) in withdrawn.text
        assert says("task.withdrawn") not in withdrawn.text


async def test_the_distribution_lists_each_recipient_with_channel_and_address(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        kasubag = st.user("kasubag")
        await sign(st)
        staf = st.user("staf_1")
        name = st.runtime.directory.name("staf_1")
        await press(st, kasubag, task_message(kasubag, 10), f"⬜ {name}")
        await press(st, kasubag, task_message(kasubag, 10), "Perintahkan")

        text = task_message(staf, 11).text

        assert (
            "⬜ Bupati Contoh\n↳ cetak (hardcopy): Kantor Bupati, Jl. Pemuda No. 1\n"
            "⬜ Inspektorat Kabupaten Contoh\n↳ e-office (SRIKANDI): Inspektorat\n"
            "⬜ Bappeda Kabupaten Contoh\n↳ email: bappeda@contohkab.example"
        ) in text
