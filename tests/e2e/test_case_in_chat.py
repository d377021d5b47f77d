"""A whole case in chat: the real Application, real updates, several officers."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import stage
from tests.support.chat import (
    START,
    kabids_approve,
    press,
    say,
    sign,
    start_case,
    task_message,
    walk_to_review,
)
from tests.support.docs import tiny_docx


async def test_the_straight_path_in_chat_reaches_every_officer(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        kadin = st.user("kadin")
        first = task_message(kadin, 1)
        assert "LKT-2026-TW2" in first.text
        assert "Batas waktu: Senin, 6 Juli 2026 pukul 08.10 WIB" in first.text
        assert first.button_texts == ["Disposisikan"]
        assert (
            "Surat masuk dari Bupati Contoh\nNomor 050/123/2026, tanggal 1 Juli 2026\n"
            "Perihal: Penyampaian Laporan Kinerja Triwulan II\n"
            "Nomor agenda 0456 · Sifat: segera"
        ) in first.text
        await walk_to_review(st)

        sek = st.user("sekretaris")
        review = task_message(sek, 5)
        # One message: the draft itself, the task as its caption, the buttons under it.
        assert review.kind == "document" and review.document is not None
        assert sek.downloaded_document(review) == tiny_docx("draf diketik")
        assert review.button_texts[:2] == ["Setujui", "Kembalikan"]
        assert review.button_texts[-1] == "Rincian"
        await press(st, sek, review, "Setujui")
        # Her own press: the same card turns into her next step, step 5's buttons gone.
        card = sek.message(review.message_id)
        assert card.text.startswith("✅ Disetujui oleh") and "Langkah 6:" in card.text
        assert "Setujui" not in card.button_texts and card.button_texts[0] == "Paraf"
        # her approval can still be taken back for two minutes, from the same card
        assert card.button_texts[-1] == "Urungkan (s.d. 08.02 WIB)"
        assert [m.message_id for m in sek.transcript].count(review.message_id) == 1
        await press(st, sek, task_message(sek, 6), "Paraf")
        await kabids_approve(st)
        await press(st, sek, task_message(sek, 8), "Paraf")
        await sign(st)
        kasubag = st.user("kasubag")
        order = task_message(kasubag, 10)
        assert order.button_texts[:3] == ["⬜ Agus Salim", "⬜ Maya Sari, A.Md.", "Perintahkan"]
        assert order.button_texts[-1] == "Rincian"  # the signed report is the message
        await press(st, kasubag, order, "⬜ Maya Sari, A.Md.")
        assert task_message(kasubag, 10).button_texts[1] == "✅ Maya Sari, A.Md."
        await press(st, kasubag, task_message(kasubag, 10), "Perintahkan")

        maya = st.user("staf_2")
        distribution = task_message(maya, 11)
        assert distribution.button_texts[:3] == [
            "⬜ Bupati Contoh",
            "⬜ Inspektorat Kabupaten Contoh",
            "⬜ Bappeda Kabupaten Contoh",
        ]
        for recipient in ("Bupati Contoh", "Inspektorat Kabupaten Contoh"):
            await press(st, maya, task_message(maya, 11), f"⬜ {recipient}")
            await say(st, maya, f"SRIKANDI 800/{len(recipient)}")
        await press(st, maya, task_message(maya, 11), "⬜ Bappeda Kabupaten Contoh")
        maya.send_photo(b"\xff\xd8\xff\xe0" + b"\x00" * 100, caption="tanda terima")
        await st.settle()
        await press(st, maya, task_message(maya, 11), "Selesai")

        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.status.value == "finished"
        assert any("selesai" in m.text for m in kadin.transcript[-3:])


async def test_step_5_returns_to_the_typist_with_the_reason(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        await press(st, sek, task_message(sek, 5), "Kembalikan")
        assert "alasan pengembalian" in sek.transcript[-1].text
        assert "Agus Salim" in sek.transcript[-1].text  # who the reason will reach
        await say(st, sek, "ok")  # too short
        assert "sekurang-kurangnya" in sek.transcript[-1].text
        await say(st, sek, "Tabel capaian belum sesuai format baku")
        staf = st.user("staf_1")
        again = task_message(staf, 4)
        assert "Tabel capaian belum sesuai format baku" in again.text
        assert "Siti" not in again.text and "Sri Wahyuni" in again.text


async def test_outsider_and_forged_presses_change_nothing(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        kadin = st.user("kadin")
        message = task_message(kadin, 1)
        data = message.callback_data[0]
        intruder = st.user("staf_1")
        query = intruder.forge_callback(data, message.message_id)
        await st.fake.wait_for(
            lambda: any(a.query_id == query and a.answered for a in intruder.callback_answers)
        )
        answer = intruder.callback_answer(query)
        assert answer.text == "Mohon maaf, tugas ini tidak ditujukan kepada Bapak/Ibu."
        query = intruder.forge_callback("t:1:1:zz:9", message.message_id)
        await st.fake.wait_for(
            lambda: any(a.query_id == query and a.answered for a in intruder.callback_answers)
        )
        assert intruder.callback_answer(query).text
        stranger = st.fake.user(4242, "Orang Asing", started=True)
        query = stranger.forge_callback(data, None)
        await st.fake.wait_for(
            lambda: any(a.query_id == query and a.answered for a in stranger.callback_answers)
        )
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None and state.step_key == "disposisi"
