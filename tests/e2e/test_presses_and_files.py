"""Double presses, files too big or of the wrong type: clear answers, nothing changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from storage.audit import AuditRow
from storage.uow import reading
from tests.support.chat import (
    START,
    dispose,
    press,
    say,
    start_case,
    task_message,
    upload,
    walk_to_concept,
    walk_to_review,
)
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER

ROOT = Path(__file__).resolve().parents[2]


async def _trail(st: Stage, case_id: int) -> list[AuditRow]:
    async with reading(st.runtime.db, st.runtime.agency) as tx:
        return await tx.audit.for_case(case_id)


async def test_an_approval_pressed_twice_is_recorded_once(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        message = task_message(sek, 5)
        approve = message.callback_data[0]
        first = sek.press(message, approve)
        second = sek.forge_callback(approve, message.message_id)
        await st.settle()
        answers = {a.query_id: a.text for a in sek.callback_answers}
        assert answers[first] == "✓ Tercatat."
        assert answers[second] == "Tindakan ini sudah tercatat sebelumnya."
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        approvals = [e for e in await _trail(st, state.id) if e.action == "approve"]
        assert len(approvals) == 1


async def test_uploads_too_big_or_of_the_wrong_type_are_refused(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        ketua = await walk_to_concept(st, "Segera susun laporan", typed_ahead=True)

        ketua.send_document("konsep.docx", b"PK\x03\x04" + b"0" * (20_000_001 - 4))
        await st.settle()
        assert ketua.transcript[-1].text == (
            "Mohon maaf, berkas konsep.docx (20 MB) melebihi batas ukuran 20 MB."
        )
        ketua.send_document("konsep.exe", b"MZ\x90\x00 not a document")
        await st.settle()
        assert ketua.transcript[-1].text == (
            "Mohon maaf, jenis berkas konsep.exe tidak dapat diterima. "
            "Jenis yang diterima: .docx, .pdf."
        )
        ketua.send_document("konsep.docx", b"this is plain text, not a docx")
        await st.settle()
        assert ketua.transcript[-1].text == (
            "Isi berkas konsep.docx tidak sesuai dengan jenisnya. "
            "Jenis yang diterima: .docx, .pdf."
        )
        ketua.send_document("../../etc/konsep\x07.docx", tiny_docx("konsep"))
        await st.settle()
        assert ketua.transcript[-1].text.startswith(
            "📎 Draf versi 1 diterima untuk LKT-2026-TW2 · Penyusunan konsep: konsep.docx ("
        )
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        assert [f.filename for f in state.files] == ["konsep.docx"]


async def test_a_checklist_box_tapped_twice_is_ticked_once(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st, "Segera susun laporan", typed_ahead=True)
        sakip = st.user("sakip_1")
        message = task_message(sakip, 2)
        renstra = message.callback_data[0]
        first = sakip.press(message, renstra)
        second = sakip.forge_callback(renstra, message.message_id)  # the same "⬜" again
        await st.settle()
        answers = {a.query_id: a.text for a in sakip.callback_answers}
        assert answers[first] == "✓ Tercatat."
        assert answers[second] == "Tindakan ini sudah tercatat sebelumnya."
        assert task_message(sakip, 2).button_texts[0] == "✅ RENSTRA"
        # The fresh "✅" button unticks, on purpose.
        await press(st, sakip, task_message(sakip, 2), "✅ RENSTRA")
        assert task_message(sakip, 2).button_texts[0] == "⬜ RENSTRA"
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        trail = [e.action for e in await _trail(st, state.id) if e.action in ("tick", "untick")]
        assert trail == ["tick", "untick"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")
async def test_an_odt_draft_is_converted_to_docx_on_receipt(tmp_path: Path) -> None:
    from bot.documents.pdf import PdfConverter

    converter = PdfConverter()
    real_docx = (ROOT / "templates" / "demo" / "konsep_laporan_tw2_2026.docx").read_bytes()
    odt = await converter.convert(real_docx, "konsep", target="odt")
    converter.close()
    assert odt is not None and odt.startswith(b"PK")
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        ketua = await walk_to_concept(st, "Segera susun laporan", typed_ahead=True)
        ketua.send_document("konsep_lama.odt", odt)
        await st.settle()
        assert ketua.transcript[-1].text.startswith(
            "📎 Draf versi 1 diterima untuk LKT-2026-TW2 · Penyusunan konsep: konsep_lama.docx ("
        )
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None and state.files[-1].mime.endswith("wordprocessingml.document")


async def test_a_file_sent_at_the_checklist_step_is_attached_to_the_item_chosen(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st, "Segera susun laporan", typed_ahead=True)
        sakip = st.user("sakip_1")
        sakip.send_document("renstra_2025_2029.pdf", b"%PDF-1.4 renstra dinas")
        await st.settle()
        question = sakip.transcript[-1]
        assert question.text == "Berkas renstra_2025_2029.pdf untuk butir yang mana?"
        assert question.button_texts == ["RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"]
        await press(st, sakip, question, "RENSTRA")
        assert sakip.transcript[-1].text == (
            "Berkas renstra_2025_2029.pdf dilampirkan pada butir RENSTRA dan butir itu dicentang."
        )
        assert task_message(sakip, 2).button_texts[0] == "✅ RENSTRA"
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        [attached] = state.files
        assert (attached.purpose, attached.item) == ("proof", "RENSTRA")
        assert state.latest_draft is None  # an item's file is not a draft version
        query = sakip.forge_callback(question.callback_data[0], question.message_id)
        await st.settle()
        assert sakip.callback_answer(query).text == "Tombol ini sudah tidak berlaku."


async def test_a_file_for_one_of_two_tasks_is_attached_where_picked_and_once(
    tmp_path: Path,
) -> None:
    """Two checklist tasks take the file: the bot asks which task, then which item; the
    file waits under both questions and is attached once, to the case picked."""
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW1", 2026, LETTER)
        await st.runtime.deliver()
        kadin = st.user("kadin")
        for code in ("LKT-2026-TW2", "LKT-2026-TW1"):
            step_1 = next(
                m
                for m in reversed(kadin.transcript)
                if code in m.text and "Disposisikan" in m.button_texts
            )
            await press(st, kadin, step_1, "Disposisikan")
            await say(st, kadin, "Segera susun laporan")
            await say(st, kadin, "-")
        sakip = st.user("sakip_1")
        which_task = await upload(st, sakip, "renstra.pdf", b"%PDF-1.4 renstra dinas")
        assert which_task.text == "Berkas ini untuk tugas yang mana? Silakan pilih salah satu:"
        [tw1] = [b for b in which_task.button_texts if b.startswith("LKT-2026-TW1")]
        assert len(which_task.button_texts) == 2
        await press(st, sakip, which_task, tw1)
        which_item = sakip.transcript[-1]
        assert which_item.text == "Berkas renstra.pdf untuk butir yang mana?"
        await press(st, sakip, which_item, "RENSTRA")
        assert sakip.transcript[-1].text == (
            "Berkas renstra.pdf dilampirkan pada butir RENSTRA dan butir itu dicentang."
        )
        picked = await st.runtime.service.case_by_code("LKT-2026-TW1")
        other = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert picked is not None and other is not None
        [attached] = picked.files
        assert (attached.purpose, attached.item) == ("proof", "RENSTRA")
        assert other.files == []
        for message in (which_task, which_item):  # the file is attached: both are spent
            query = sakip.forge_callback(message.callback_data[0], message.message_id)
            await st.settle()
            assert sakip.callback_answer(query).text == "Tombol ini sudah tidak berlaku."
