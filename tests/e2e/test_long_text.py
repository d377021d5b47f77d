"""Long texts never stop a case (issue 13): the real Application against the stand-in.

A reason, a perihal or a cancellation reason over its limit is refused with the limit and
the length typed, and the question stays open; one within it reaches its reader whole,
with the task's buttons. A text Telegram refuses anyway goes out in a minimal form that
keeps the buttons, the admins hear of it, and /tugas's re-show says what really happened.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.workflow import Return
from bot.views.textsplit import TEXT_LIMIT, visible_length
from demo.stage import stage
from fakegram import BotMessage, FakeUser
from tests.support.chat import (
    START,
    answer,
    choose,
    press,
    say,
    says,
    start_case,
    task_message,
    walk_to_signature,
)
from tests.support.engine import LETTER

FRONT_OFFICE = 1099  # admin_telegram_ids in the demo config
KADIN = "Dr. H. Ahmad Santoso, M.Pd."
SENTENCE = "Tabel capaian kinerja belum sesuai format baku, mohon diperbaiki. "
MORE = "… (selengkapnya: /riwayat LKT-2026-TW2)"
# The Sekretaris's round-2 paraf task: her chat has the draft already, so it is a text
# replying to the message that carried it (fitted to a text's 4,096, not a caption's
# 1,024), opening with who returned it and why; below, the task's own lines, all of them.
PARAF_LINES = (
    "Versi baru: versi 2, dibuat oleh Agus Salim.",
    "LKT-2026-TW2 · Langkah 8: Memberi paraf dan mengetahui Sek Tim SAKIP untuk "
    "ditandatangani KADIN",
    "Batas waktu: Senin, 6 Juli 2026 pukul 08.30 WIB",
    "Draf terakhir: versi 2 (draf.docx)",
)


def typed_text(length: int) -> str:
    """Plain sentences, `length` characters, no blank at either end."""
    return (SENTENCE * (length // len(SENTENCE) + 1))[: length - 1] + "."


def texts(user: FakeUser, since: int = 0) -> list[str]:
    return [m.text for m in user.transcript[since:]]


def assert_a_reply_to_the_draft(paraf: BotMessage) -> None:
    """The round-2 paraf task: a text replying to the draft in her chat, every line of
    the task and every button kept."""
    assert paraf.kind == "text" and paraf.reply_to is not None
    assert paraf.text.startswith(f"🔁 Putaran 2: dikembalikan oleh {KADIN} pada ")
    assert paraf.text.endswith("\n".join(("", *PARAF_LINES[1:])))  # the task, uncut
    assert paraf.button_texts == ["Paraf", "PDF", "Rincian"]


def assert_reason_shortened_task_whole(paraf: BotMessage, reason: str) -> None:
    """The round-2 paraf task within a text's limit: the reason (above the task's lines)
    cut at a word and pointing at /riwayat; every line and button of the task kept."""
    assert_a_reply_to_the_draft(paraf)
    assert visible_length(paraf.text) <= TEXT_LIMIT
    alasan = next(line for line in paraf.text.split("\n") if line.startswith("Alasan: "))
    assert alasan.endswith(MORE)  # shortened, and says where the whole reason is
    kept = alasan.removeprefix("Alasan: ").removesuffix(MORE)
    assert len(kept) >= 3500 and reason.startswith(kept)  # the reason's own start
    assert f"{MORE}\n{PARAF_LINES[0]}\n\n" in paraf.text


async def test_a_3600_character_return_reason_is_refused_and_1000_reach_the_sekretaris(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        kadin, sek = st.user("kadin"), st.user("sekretaris")
        await press(st, kadin, task_message(kadin, 9), "Kembalikan")
        assert "alasan pengembalian" in kadin.transcript[-1].text
        refused = await say(st, kadin, typed_text(3600))
        assert refused.text == (
            "Teks terlalu panjang: 3.600 karakter, sedangkan batasnya 1.000 karakter. "
            "Mohon persingkat lalu kirim kembali."
        )
        sign = [m for m in kadin.transcript if "Langkah 9:" in m.text and "Batas waktu" in m.text]
        assert sign[-1].button_texts[:2] == ["Tanda tangani", "Kembalikan"]  # still open
        since = len(kadin.transcript)
        reason = typed_text(1000)
        await say(st, kadin, reason)  # the dialog is still open: this is the reason
        assert says("workflow.reason_saved") in texts(kadin, since)
        paraf = task_message(sek, 8)
        assert "Paraf" in paraf.button_texts
        # 1,000 characters fit a text (not a caption): the reason reaches her whole.
        assert_a_reply_to_the_draft(paraf)
        assert f"Alasan: {reason}\n{PARAF_LINES[0]}\n\n" in paraf.text
        assert MORE not in paraf.text
        since = len(sek.transcript)
        await say(st, sek, "/riwayat LKT-2026-TW2")
        assert reason in "\n".join(texts(sek, since))  # where the marker points: whole


async def test_a_reason_stored_longer_than_a_message_is_shortened_not_the_task(
    tmp_path: Path,
) -> None:
    """A reason recorded before the limit existed (4,000 characters): the Sekretaris's
    task still arrives, with her buttons; only the reason is cut, pointing at /riwayat."""
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None
        task = next(t for t in case.open_tasks() if t.assignee == "kadin")
        reason = typed_text(4000)
        await st.runtime.service.act(
            "kadin", case.id, Return(task.seq, reason, case.latest_version)
        )
        await st.runtime.deliver()
        paraf = task_message(st.user("sekretaris"), 8)
        assert "Paraf" in paraf.button_texts
        assert "Batas waktu:" in paraf.text and "Langkah 8:" in paraf.text
        assert_reason_shortened_task_whole(paraf, reason)


async def test_a_4096_character_perihal_is_refused_and_500_start_the_case(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        office = st.fake.user(FRONT_OFFICE, "Front Office", started=True)
        question = await answer(st, office, "/mulai", "Laporan untuk periode apa?")
        question = await choose(st, office, question, "⭐ Triwulan II", "Tahun berapa untuk")
        await choose(st, office, question, question.button_texts[0], "asal surat")
        await answer(st, office, LETTER["from"], "nomor surat")
        await answer(st, office, LETTER["number"], "tanggal surat")
        await answer(st, office, "1 Juli 2026", "perihal")
        refused = await answer(st, office, "P" * 4096, "terlalu panjang")
        assert refused.text == (
            "Teks terlalu panjang: 4.096 karakter, sedangkan batasnya 500 karakter. "
            "Mohon persingkat lalu kirim kembali."
        )
        subject = typed_text(500)
        await answer(st, office, subject, "nomor agenda")  # the perihal question took it
        question = await answer(st, office, LETTER["agenda"], "sifat")
        scan = await choose(st, office, question, "Segera", "foto atau PDF")
        summary = await choose(st, office, scan, "Lewati", "Ringkasan proses baru")
        assert f"Perihal: {subject}\n" in summary.text
        assert summary.button_texts == ["Mulai", "Batal"]
        await choose(st, office, summary, "Mulai", "LKT-2026-TW2")
        first = task_message(st.user("kadin"), 1)
        assert f"Perihal: {subject}\n" in first.text
        assert first.button_texts == ["Disposisikan"]


async def test_a_long_cancellation_reason_is_refused_and_asked_again(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        sek, kadin = st.user("sekretaris"), st.user("kadin")
        asked = await answer(
            st, sek, "/batalkan LKT-2026-TW2 " + typed_text(1500), "alasan pembatalan"
        )
        assert texts(sek)[-2] == (
            "Teks terlalu panjang: 1.500 karakter, sedangkan batasnya 1.000 karakter. "
            "Mohon persingkat lalu kirim kembali."
        )
        assert asked.text.startswith("Mohon tuliskan alasan pembatalan LKT-2026-TW2")
        refused = await answer(st, sek, typed_text(4000), "terlalu panjang")
        assert refused.text.startswith("Teks terlalu panjang: 4.000 karakter")
        reason = typed_text(1000)
        done = await answer(st, sek, reason, "telah dibatalkan")
        assert done.text.startswith(f"Proses LKT-2026-TW2 telah dibatalkan.\nAlasan: {reason}\n")
        told = kadin.transcript[-1].text
        assert told.startswith("Proses LKT-2026-TW2 dibatalkan oleh Sri Wahyuni")
        assert told.endswith(f"Alasan: {reason}")
        assert task_message(kadin, 1).buttons == []


async def test_a_refused_task_message_goes_out_minimal_with_its_buttons(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        st.fake.fail_next("sendMessage", 400, description="Bad Request: message is too long")
        await start_case(st)
        kadin, sek = st.user("kadin"), st.user("sekretaris")
        minimal = kadin.transcript[-1]
        assert minimal.text == (
            "⚠️ Pesan untuk LKT-2026-TW2 tidak dapat ditampilkan utuh oleh Telegram. "
            "Tombolnya tetap dapat dipakai; rinciannya: /riwayat LKT-2026-TW2"
        )
        assert minimal.button_texts == ["Disposisikan"]
        notice = sek.transcript[-1].text
        assert notice.startswith(
            f"⚠️ Telegram menolak pesan tugas untuk {KADIN} (proses LKT-2026-TW2"
        )
        assert "message is too long" in notice.lower()
        assert notice.endswith("Pesan dikirim dalam bentuk ringkas beserta tombolnya.")
        await press(st, kadin, minimal, "Disposisikan")  # the buttons work
        assert "instruksi disposisi" in kadin.transcript[-1].text


async def test_the_re_show_says_when_telegram_refuses_it(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        kadin, sek = st.user("kadin"), st.user("sekretaris")
        listing = await say(st, kadin, "/tugas")
        st.fake.fail_next(
            "sendMessage", 400, times=2, description="Bad Request: message is too long"
        )
        answered = await press(st, kadin, listing, listing.button_texts[0])
        assert answered == (
            "Pesan tugas belum dapat dikirim ulang karena ditolak Telegram. "
            "Admin sudah diberi tahu."
        )
        assert sek.transcript[-1].text.endswith(
            "Bentuk ringkasnya juga ditolak, sehingga pesan tidak terkirim. Mohon periksa log bot."
        )
        answered = await press(st, kadin, listing, listing.button_texts[0])
        assert answered == "Pesan tugas dikirim ulang."
