"""One task, one message, as the officer sees it: the draft is the task, its details and
its PDF come on demand, a file never comes twice, and a later round says what changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from fakegram import BotMessage, FakeUser
from tests.support.chat import (
    START,
    dispose_at_eight,
    kabids_approve,
    next_tick,
    press,
    say,
    says,
    sign,
    start_case,
    task_message,
    to_parallel_review,
    upload,
    walk_to_review,
    walk_to_signature,
)
from tests.support.docs import real_docx, tiny_docx

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")
REASON = "Tabel capaian belum sesuai format baku"
WHEN = "Senin, 6 Juli 2026 pukul 08.00 WIB"  # the fake clock stands still


def name(st: Stage, officer: str) -> str:
    return st.runtime.directory.name(officer)


def documents(user: FakeUser, filename: str) -> list[BotMessage]:
    return [
        m for m in user.transcript if m.document is not None and m.document.filename == filename
    ]


async def test_rincian_shows_the_full_sop_text_under_the_task(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        review = task_message(sek, 5)
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        step = (await st.runtime.service.context_for(state)).sop.step("periksa")
        standard = says("task.time_standard", standard=step.time.text)
        assert standard not in review.text  # the caption keeps what is asked, by when, why

        before = len(sek.transcript)
        await press(st, sek, review, "Rincian")
        [detail] = sek.transcript[before:]
        assert detail.kind == "text" and detail.reply_to == review.message_id
        assert says("task.header", case_code="LKT-2026-TW2", number=5, title=step.title) in (
            detail.text
        )
        assert standard in detail.text
        if step.requirements:
            assert says("task.needs", items=", ".join(step.requirements)) in detail.text
        assert says("task.draft", version=2, filename="draf.docx") in detail.text
        await press(st, sek, review, "Rincian")  # each press answers, under the task
        assert len(sek.transcript) == before + 2


@needs_soffice
async def test_pdf_sends_the_copy_once_and_a_second_press_says_it_is_there(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st, real_docx("Draf yang diketik"))
        sek = st.user("sekretaris")
        review = task_message(sek, 5)
        assert "PDF" in review.button_texts
        assert documents(sek, "draf.pdf") == []  # offered, not pushed
        assert await press(st, sek, review, "PDF") in ("", says("documents.on_demand.pdf_coming"))
        await st.settle()
        [pdf] = documents(sek, "draf.pdf")
        assert pdf.text.startswith("📄 LKT-2026-TW2 · Draf versi 2 dalam bentuk PDF")
        assert sek.downloaded_document(pdf).startswith(b"%PDF")
        before = len(sek.transcript)
        answer = await press(st, sek, review, "PDF")
        assert answer == says("documents.on_demand.already_there")
        assert len(sek.transcript) == before and len(documents(sek, "draf.pdf")) == 1


@pytest.mark.parametrize("gone", [False, True])
async def test_a_later_task_on_the_same_file_points_to_the_message_that_carried_it(
    tmp_path: Path, gone: bool
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        review = task_message(sek, 5)
        assert review.kind == "document" and review.document is not None
        await to_parallel_review(st)
        if gone:  # the officer cleared her chat: the file's message is no more
            await st.app.bot.delete_message(sek.chat_id, review.message_id)
        before = len(sek.transcript)
        await kabids_approve(st)
        paraf = task_message(sek, 8)
        assert paraf.kind == "text" and paraf.button_texts[0] == "Paraf"
        new = sek.transcript[before:]
        if not gone:
            assert paraf.reply_to == review.message_id
            assert [m for m in new if m.document is not None] == []
            return
        # Gone: the task goes as text, and the file follows as a reply to it, by the
        # file_id Telegram gave the first time (no second upload).
        [again] = [m for m in new if m.document is not None]
        assert again.reply_to == paraf.message_id
        assert sek.downloaded_document(again) == tiny_docx("draf diketik")
        sent = st.fake.calls_to("sendDocument")[-1]
        assert sent.params.get("document") == review.document.file_id


async def test_a_reminder_replies_with_the_buttons_which_go_when_the_task_closes(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await dispose_at_eight(st)
        sakip = st.user("sakip_1")
        card = task_message(sakip, 2)
        assert await next_tick(st, clock) == "Mon 10.00"
        reminder = sakip.transcript[-1]
        assert reminder.text.startswith("⏰ Batas waktu")
        assert reminder.reply_to == card.message_id
        assert reminder.button_texts == card.button_texts  # acted on from the newest message
        await press(st, sakip, reminder, "⬜ RENSTRA")
        for item in ("RENJA", "DPA", "LKj", "Laporan Bulanan"):
            await press(st, sakip, sakip.message(card.message_id), f"⬜ {item}")
        await press(st, sakip, sakip.message(card.message_id), "Selesai")
        assert sakip.message(reminder.message_id).keyboard == []
        ketua = st.user("sakip_ketua")  # the other holder's reminder loses its buttons too
        [theirs] = [m for m in ketua.transcript if m.text.startswith("⏰ Batas waktu")]
        assert ketua.message(theirs.message_id).keyboard == []


async def test_tugas_shows_a_task_again_as_a_reply_to_its_message(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        review = task_message(sek, 5)
        listing = await say(st, sek, "/tugas")
        before = len(sek.transcript)
        await press(st, sek, listing, "LKT-2026-TW2 · Langkah 5")
        [again] = sek.transcript[before:]
        assert again.reply_to == review.message_id
        assert again.kind == "text"  # the draft is not sent a second time
        assert again.button_texts[:2] == ["Setujui", "Kembalikan"]


async def test_a_withdrawn_task_says_who_returned_it_why_and_that_nothing_is_needed(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        await to_parallel_review(st)
        kabid_1, kabid_2 = st.user("kabid_1"), st.user("kabid_2")
        card = task_message(kabid_2, 7)
        await press(st, kabid_1, task_message(kabid_1, 7), "Kembalikan")
        await say(st, kabid_1, REASON)
        withdrawn = kabid_2.message(card.message_id)
        assert withdrawn.keyboard == []
        assert withdrawn.text.endswith(
            says("task.withdrawn_by", name=name(st, "kabid_1"), reason=REASON)
        )
        assert "Saat ini tidak ada yang perlu Bapak/Ibu lakukan." in withdrawn.text


async def test_a_round_2_task_starts_with_the_return_and_the_new_version(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st, proof=True)
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None and state.latest_draft is not None
        assert (state.latest_draft.number, state.latest_draft.shown) == (3, 2)
        sek = st.user("sekretaris")
        await press(st, sek, task_message(sek, 5), "Kembalikan")
        await say(st, sek, REASON)
        staf = st.user("staf_1")
        await upload(st, staf, "draf_perbaikan.docx", tiny_docx("draf diperbaiki"))
        await press(st, staf, task_message(staf, 4), "Kirim")

        again = task_message(sek, 5)
        assert again.kind == "document" and again.document is not None
        assert again.document.filename == "draf_perbaikan.docx"
        lines = again.text.split("\n")
        assert lines[:3] == [
            says("task.again", round=2, name=name(st, "sekretaris"), when=WHEN, reason="").split(
                "\n"
            )[0],
            f"Alasan: {REASON}",
            says("task.new_version", version=3, name=name(st, "staf_1")),
        ]  # version 3 is the third draft (the file's own number is 4)
        assert says("task.draft", version=3, filename="draf_perbaikan.docx") in again.text


async def test_toggling_an_officer_in_the_order_step_keeps_pdf_and_rincian(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        await sign(st)
        kasubag = st.user("kasubag")
        order = task_message(kasubag, 10)
        before = order.button_texts
        assert before[-1] == "Rincian"
        await press(st, kasubag, order, "⬜ Maya Sari, A.Md.")
        after = kasubag.message(order.message_id).button_texts
        assert after == [
            "✅ Maya Sari, A.Md." if text == "⬜ Maya Sari, A.Md." else text for text in before
        ]
        await press(st, kasubag, kasubag.message(order.message_id), "✅ Maya Sari, A.Md.")
        assert kasubag.message(order.message_id).button_texts == before
