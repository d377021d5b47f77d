"""Starting a case from an incoming letter (/mulai) and cancelling one (/batalkan), in chat."""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, Stage, stage, write_stage_config
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.support.chat import answer, choose, expect
from tests.support.engine import LETTER
from tests.support.local_time import at_local
from tests.support.paths import SOP_PATH

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB: Triwulan II has just ended
FRONT_OFFICE = 1099  # admin_telegram_ids in the demo config: the front office
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
KADIN = "Dr. H. Ahmad Santoso, M.Pd."
STEP_1 = "Memerintahkan untuk menyusun laporan periodik (triwulan)"
PERIODS = [
    "⭐ Triwulan II",
    "Triwulan I",
    "Triwulan III",
    "Triwulan IV",
    "Semester I",
    "Semester II",
]
URGENCIES = ["Biasa", "Segera", "Sangat segera", "Rahasia"]
UNREADABLE = (
    'Tanggal "{}" tidak dapat dibaca. Mohon tuliskan seperti 1/7/2026, 01-07-2026, '
    "2026-07-01, atau 1 Juli 2026."
)


def front_office(st: Stage) -> FakeUser:
    return st.fake.user(FRONT_OFFICE, "Front Office", started=True)


async def answered(st: Stage, user: FakeUser, message: BotMessage, button: str) -> str:
    """Press a button that should only be answered (a refused or stale press)."""
    query = user.press_button(message, button)
    await st.fake.wait_for(
        lambda: any(a.query_id == query and a.answered for a in user.callback_answers)
    )
    return user.callback_answer(query).text or ""


def task_message(user: FakeUser, step_number: int) -> BotMessage:
    marker = f"Langkah {step_number}:"
    candidates = [m for m in user.transcript if marker in m.text and "Batas waktu" in m.text]
    assert candidates, f"{user!r} got no task message for step {step_number}"
    return candidates[-1]


async def to_the_letter(st: Stage, user: FakeUser, period: str = "⭐ Triwulan II") -> BotMessage:
    """/mulai, a period and the suggested year; returns the question for the letter's sender."""
    question = await answer(st, user, "/mulai", "Laporan untuk periode apa?")
    question = await choose(st, user, question, period, "Tahun berapa untuk")
    return await choose(st, user, question, question.button_texts[0], "asal surat")


async def type_the_letter(st: Stage, user: FakeUser, date_text: str = "1 Juli 2026") -> BotMessage:
    """From the sender's question to the scan question (urgency "Segera")."""
    await answer(st, user, LETTER["from"], "nomor surat")
    await answer(st, user, LETTER["number"], "tanggal surat")
    await answer(st, user, date_text, "perihal")
    await answer(st, user, LETTER["subject"], "nomor agenda")
    question = await answer(st, user, LETTER["agenda"], "sifat")
    return await choose(st, user, question, "Segera", "foto atau PDF")


async def to_the_summary(st: Stage, user: FakeUser, period: str = "⭐ Triwulan II") -> BotMessage:
    await to_the_letter(st, user, period)
    scan = await type_the_letter(st, user)
    return await choose(st, user, scan, "Lewati", "Ringkasan proses baru")


async def start_as_kadin(st: Stage, period: str, year: int) -> None:
    await st.runtime.service.start_case("kadin", "pelaporan_kinerja", period, year, LETTER)
    await st.runtime.deliver()


async def test_front_office_starts_a_case_with_the_defaults_and_a_scan(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        office = front_office(st)
        periods = await answer(st, office, "/mulai", "Laporan untuk periode apa?")
        assert "Memulai proses baru" in office.transcript[0].text
        assert periods.button_texts == PERIODS
        years = await choose(st, office, periods, "⭐ Triwulan II", "Tahun berapa")
        assert years.text == "Tahun berapa untuk Triwulan II?"
        assert years.button_texts == ["⭐ 2026", "2025"]
        forged = office.forge_callback("sc:p:TW3", periods.message_id)  # an answered question
        await st.fake.wait_for(lambda: office.callback_answer(forged).answered)
        assert office.callback_answer(forged).text == "Tombol ini sudah tidak berlaku."
        answered_period = office.message(periods.message_id)
        assert answered_period.buttons == [] and answered_period.text.endswith("➜ Triwulan II")
        await choose(st, office, years, "⭐ 2026", "asal surat")
        await answer(st, office, "Bupati Contoh", "nomor surat")
        await answer(st, office, "050/123/2026", "tanggal surat")
        await answer(st, office, "1 Juli 2026", "perihal")
        await answer(st, office, "Penyampaian Laporan Kinerja Triwulan II", "nomor agenda")
        urgency = await answer(st, office, "0456", "sifat")
        assert urgency.button_texts == URGENCIES
        scan = await choose(st, office, urgency, "Sangat segera", "foto atau PDF")
        assert scan.button_texts == ["Lewati"]

        since = len(office.transcript)
        photo = office.send_photo(JPEG)
        summary = await expect(st, office, since, "Ringkasan proses baru")
        assert office.transcript[since].text.startswith(
            f"Pindaian surat diterima (foto_{photo}.jpg"
        )
        assert office.message(scan.message_id).buttons == []
        assert summary.text == (
            "Ringkasan proses baru\n"
            "SOP: SOP Pelaporan Kinerja\n"
            "Periode: Triwulan II 2026\n"
            "Kode proses: LKT-2026-TW2\n\n"
            "Surat masuk\n"
            "Dari: Bupati Contoh\n"
            "Nomor: 050/123/2026\n"
            "Tanggal: 1 Juli 2026\n"
            "Perihal: Penyampaian Laporan Kinerja Triwulan II\n"
            "Nomor agenda: 0456\n"
            "Sifat: Sangat segera\n"
            "Diterima: 6 Juli 2026\n"
            f"Pindaian: foto_{photo}.jpg\n\n"
            "Mulai proses ini?"
        )
        assert summary.button_texts == ["Mulai", "Batal"]

        started = await choose(st, office, summary, "Mulai", "telah dimulai")
        assert started.text == (
            "✅ Proses LKT-2026-TW2 (SOP Pelaporan Kinerja) telah dimulai.\n"
            f"Langkah 1: {STEP_1} telah dikirim kepada {KADIN}\n"
            "Batas waktu: Senin, 6 Juli 2026 pukul 08.10 WIB"
        )
        assert office.message(summary.message_id).buttons == []
        kadin = st.user("kadin")
        first = task_message(kadin, 1)
        assert f"LKT-2026-TW2 · Langkah 1: {STEP_1}" in first.text
        assert "Batas waktu: Senin, 6 Juli 2026 pukul 08.10 WIB" in first.text
        assert first.button_texts == ["Disposisikan", "Rincian"]
        # One message: the letter's scan is the task's document, the task its caption.
        assert first.kind == "document" and kadin.downloaded_document(first) == JPEG

        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.started_by == f"tg:{FRONT_OFFICE}"
        sha = hashlib.sha256(JPEG).hexdigest()
        assert case.letter == {
            "from": "Bupati Contoh",
            "number": "050/123/2026",
            "date": "2026-07-01",
            "subject": "Penyampaian Laporan Kinerja Triwulan II",
            "agenda": "0456",
            "urgency": "sangat segera",
            "received": "2026-07-06",
            "scan_sha256": sha,
            "scan_filename": f"foto_{photo}.jpg",
            "scan_mime": "image/jpeg",
            "scan_size": str(len(JPEG)),
        }
        assert await st.runtime.files.get(sha) == JPEG


async def test_the_kadin_starting_it_gives_his_disposition_in_the_same_dialog(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        kadin = st.user("kadin")
        await to_the_letter(st, kadin)
        scan = await type_the_letter(st, kadin)
        instruction = await choose(st, kadin, scan, "Lewati", "instruksi disposisi")
        assert instruction.text == "Mohon tuliskan instruksi disposisi Bapak/Ibu untuk surat ini."
        note = await answer(st, kadin, "Segera susun laporan triwulan II", "catatan")
        assert note.button_texts == ["Lewati"]
        summary = await choose(st, kadin, note, "Lewati", "Ringkasan proses baru")
        assert "Pindaian: tidak ada" in summary.text
        assert summary.text.endswith(
            "Disposisi Bapak/Ibu\n"
            "Instruksi disposisi: Segera susun laporan triwulan II\n"
            "Catatan: -\n\n"
            "Mulai proses ini?"
        )
        assert st.user("sakip_1").transcript == []  # nothing leaves before "Mulai"

        started = await choose(st, kadin, summary, "Mulai", "telah dimulai")
        assert started.text == (
            "✅ Proses LKT-2026-TW2 (SOP Pelaporan Kinerja) telah dimulai dan disposisi "
            "Bapak/Ibu telah tercatat.\n"
            "Langkah 2: Mengumpulkan bahan laporan telah dikirim kepada "
            "Hendra Gunawan, S.E., Lina Marlina, S.Kom.\n"
            "Batas waktu: Senin, 6 Juli 2026 pukul 10.00 WIB"
        )
        first = task_message(kadin, 1)
        assert first.buttons == [] and f"✅ Selesai oleh {KADIN}" in first.text
        second = task_message(st.user("sakip_1"), 2)
        assert "LKT-2026-TW2 · Langkah 2: Mengumpulkan bahan laporan" in second.text
        assert second.button_texts[0] == "⬜ RENSTRA"
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.step_key == "kumpul_bahan"
        assert case.data["disposisi"] == {
            "instruksi": "Segera susun laporan triwulan II",
            "catatan": "",
        }
        assert "scan_sha256" not in case.letter


async def test_with_two_sops_the_first_question_is_which_one(tmp_path: Path) -> None:
    second = tmp_path / "laporan_semester.toml"
    second.write_text(
        SOP_PATH.read_text(encoding="utf-8")
        .replace('key = "pelaporan_kinerja"', 'key = "laporan_semester"')
        .replace('title = "SOP Pelaporan Kinerja"', 'title = "SOP Laporan Semester"')
        .replace('code_prefix = "LKT"', 'code_prefix = "LKS"'),
        encoding="utf-8",
    )
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        config = write_stage_config(tmp_path, fake)
        text = config.read_text(encoding="utf-8")
        sops = f'sops = ["{SOP_PATH}", "{second}"]\n'
        config.write_text(text.replace('language = "id"', sops + 'language = "id"', 1))
        async with stage(tmp_path, FakeClock(START), fake=fake) as st:
            office = front_office(st)
            which = await answer(st, office, "/mulai", "Proses SOP mana")
            assert which.button_texts == ["SOP Pelaporan Kinerja", "SOP Laporan Semester"]
            periods = await choose(st, office, which, "SOP Laporan Semester", "periode apa?")
            assert office.message(which.message_id).text.endswith("➜ SOP Laporan Semester")
            years = await choose(st, office, periods, "⭐ Triwulan II", "Tahun berapa")
            await choose(st, office, years, "⭐ 2026", "asal surat")
            scan = await type_the_letter(st, office)
            summary = await choose(st, office, scan, "Lewati", "Ringkasan proses baru")
            assert "SOP: SOP Laporan Semester\n" in summary.text
            assert "Kode proses: LKS-2026-TW2" in summary.text
            await choose(st, office, summary, "Mulai", "telah dimulai")
            case = await st.runtime.service.case_by_code("LKS-2026-TW2")
            assert case is not None and case.sop_key == "laporan_semester"
    finally:
        fake.stop()


async def test_an_unreadable_date_is_asked_again(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        office = front_office(st)
        await to_the_letter(st, office)
        await answer(st, office, "Bupati Contoh", "nomor surat")
        await answer(st, office, "050/123/2026", "tanggal surat")
        error = await answer(st, office, "kemarin", "tidak dapat dibaca")
        assert error.text == UNREADABLE.format("kemarin")
        error = await answer(st, office, "31/02/2026", "tidak dapat dibaca")
        assert error.text == UNREADABLE.format("31/02/2026")
        error = await answer(st, office, "7/7/2026", "belum tiba")
        assert error.text == (
            "Tanggal surat 7 Juli 2026 belum tiba. Mohon periksa kembali tanggal pada surat."
        )
        await answer(st, office, "01-07-2026", "perihal")
        await answer(st, office, LETTER["subject"], "nomor agenda")
        urgency = await answer(st, office, LETTER["agenda"], "sifat")
        wrong = await answer(st, office, "segera", "Mohon pilih salah satu tombol")
        assert wrong.text == (
            "Mohon pilih salah satu tombol pada pesan di atas, atau ketik /batal untuk "
            "membatalkan."
        )
        scan = await choose(st, office, urgency, "Segera", "foto atau PDF")
        summary = await choose(st, office, scan, "Lewati", "Ringkasan proses baru")
        assert "Tanggal: 1 Juli 2026" in summary.text


async def test_batal_leaves_the_dialog_and_starts_nothing(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        office = front_office(st)
        periods = await answer(st, office, "/mulai", "Laporan untuk periode apa?")
        years = await choose(st, office, periods, "Triwulan I", "Tahun berapa untuk Triwulan I?")
        left = await answer(st, office, "/batal", "dibatalkan")
        assert left.text == "Pengisian dibatalkan; tidak ada proses yang dimulai."
        assert office.message(years.message_id).buttons == []
        after = await answer(st, office, "Bupati Contoh", "Mohon")
        assert after.text == (
            "Mohon gunakan tombol pada pesan tugas, atau ketik /bantuan untuk petunjuk."
        )
        # Left in the middle of the typed part, too.
        await to_the_letter(st, office)
        await answer(st, office, "Bupati Contoh", "nomor surat")
        left = await answer(st, office, "/batal", "dibatalkan")
        assert left.text == "Pengisian dibatalkan; tidak ada proses yang dimulai."
        summary = await to_the_summary(st, office)
        stopped = await choose(st, office, summary, "Batal", "dibatalkan")
        assert stopped.text == "Pengisian dibatalkan; tidak ada proses yang dimulai."
        assert await st.runtime.service.open_cases() == []
        assert st.user("kadin").transcript == []


async def test_a_restart_in_the_middle_continues_the_dialog(tmp_path: Path) -> None:
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    clock = FakeClock(START)
    try:
        async with stage(tmp_path, clock, fake=fake) as st:
            office = front_office(st)
            periods = await answer(st, office, "/mulai", "Laporan untuk periode apa?")
            years = await choose(st, office, periods, "Triwulan I", "Tahun berapa")
        async with stage(tmp_path, clock, fake=fake) as st:
            office = front_office(st)
            await choose(st, office, years, "⭐ 2026", "asal surat")
            await answer(st, office, LETTER["from"], "nomor surat")
        async with stage(tmp_path, clock, fake=fake) as st:
            office = front_office(st)
            await answer(st, office, LETTER["number"], "tanggal surat")
            await answer(st, office, "2026-07-01", "perihal")
            await answer(st, office, LETTER["subject"], "nomor agenda")
            urgency = await answer(st, office, LETTER["agenda"], "sifat")
            scan = await choose(st, office, urgency, "Biasa", "foto atau PDF")
            summary = await choose(st, office, scan, "Lewati", "Ringkasan proses baru")
            assert "Kode proses: LKT-2026-TW1" in summary.text
            assert "Dari: Bupati Contoh\nNomor: 050/123/2026\nTanggal: 1 Juli 2026" in summary.text
            await choose(st, office, summary, "Mulai", "telah dimulai")
            case = await st.runtime.service.case_by_code("LKT-2026-TW1")
            assert case is not None and case.letter["from"] == LETTER["from"]
            assert case.letter["urgency"] == "biasa"
    finally:
        fake.stop()


async def test_a_case_already_running_for_the_period_is_refused(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_as_kadin(st, "TW2", 2026)
        office = front_office(st)
        periods = await answer(st, office, "/mulai", "Laporan untuk periode apa?")
        years = await choose(st, office, periods, "⭐ Triwulan II", "Tahun berapa")
        refused = await choose(st, office, years, "⭐ 2026", "sudah berjalan")
        assert refused.text == (
            "Proses LKT-2026-TW2 sudah berjalan.\nPosisinya dapat dilihat dengan /status."
        )

        # Started by someone else while the summary was on screen.
        summary = await to_the_summary(st, office, period="Triwulan I")
        await start_as_kadin(st, "TW1", 2026)
        refused = await choose(st, office, summary, "Mulai", "sudah berjalan")
        assert refused.text.startswith("Proses LKT-2026-TW1 sudah berjalan.")
        codes = sorted(c.code for c in await st.runtime.service.open_cases())
        assert codes == ["LKT-2026-TW1", "LKT-2026-TW2"]


async def test_staff_cannot_start_a_case(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf = st.user("staf_1")
        refused = await answer(st, staf, "/mulai", "Mohon maaf")
        assert refused.text == (
            "Mohon maaf, proses baru hanya dapat dimulai oleh admin (penerima surat masuk) atau "
            "pejabat yang melaksanakan langkah pertama SOP."
        )
        assert refused.buttons == []
        after = await answer(st, staf, "Bupati Contoh", "Mohon")
        assert after.text.startswith("Mohon gunakan tombol pada pesan tugas")


async def test_an_admin_cancels_a_case_and_the_open_task_is_withdrawn(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_as_kadin(st, "TW2", 2026)
        kadin = st.user("kadin")
        assert task_message(kadin, 1).button_texts == ["Disposisikan"]
        sek = st.user("sekretaris")
        asked = await answer(st, sek, "/batalkan lkt-2026-tw2", "alasan pembatalan")
        assert asked.text == (
            "Mohon tuliskan alasan pembatalan LKT-2026-TW2 (SOP Pelaporan Kinerja). "
            "Semua tugas yang masih terbuka akan ditarik.\nKetik /batal untuk membatalkan."
        )
        since = len(sek.transcript)
        await answer(st, sek, "ok", "alasan pembatalan")
        assert sek.transcript[since].text == "Mohon tuliskan alasan sekurang-kurangnya 5 karakter."
        done = await answer(st, sek, "Surat ditarik oleh pengirimnya", "telah dibatalkan")
        assert done.text == (
            "Proses LKT-2026-TW2 telah dibatalkan.\n"
            "Alasan: Surat ditarik oleh pengirimnya\n"
            f"Tugas yang ditarik dari: {KADIN}"
        )
        first = task_message(kadin, 1)
        assert first.edited and first.buttons == []
        assert "Tugas ini telah ditarik dan tidak perlu ditindaklanjuti lagi." in first.text
        assert kadin.transcript[-1].text == (
            "Proses LKT-2026-TW2 dibatalkan oleh Sri Wahyuni, S.E., M.M. pada "
            "Senin, 6 Juli 2026 pukul 08.00 WIB.\nAlasan: Surat ditarik oleh pengirimnya"
        )
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.status.value == "cancelled"
        again = await answer(st, sek, "/batalkan LKT-2026-TW2 sekali lagi", "sudah selesai")
        assert again.text == "Proses ini sudah selesai atau dibatalkan; tidak ada tindakan lagi."


async def test_the_front_office_cancels_with_the_reason_on_the_command(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_as_kadin(st, "TW2", 2026)
        office = front_office(st)
        done = await answer(
            st, office, "/batalkan LKT-2026-TW2 Salah periode pelaporan", "telah dibatalkan"
        )
        assert done.text.startswith(
            "Proses LKT-2026-TW2 telah dibatalkan.\nAlasan: Salah periode pelaporan"
        )
        assert task_message(st.user("kadin"), 1).buttons == []


async def test_cancelling_is_refused_to_staff_and_for_unknown_codes(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_as_kadin(st, "TW2", 2026)
        staf = st.user("staf_1")
        refused = await answer(st, staf, "/batalkan LKT-2026-TW2 tidak perlu lagi", "Mohon maaf")
        assert refused.text == "Mohon maaf, pembatalan proses hanya dapat dilakukan oleh admin."
        kadin = st.user("kadin")  # holds step 1, but is no admin
        refused = await answer(st, kadin, "/batalkan LKT-2026-TW2", "Mohon maaf")
        assert refused.text == "Mohon maaf, pembatalan proses hanya dapat dilakukan oleh admin."
        sek = st.user("sekretaris")
        unknown = await answer(st, sek, "/batalkan LKT-2099-TW9 salah ketik", "tidak ditemukan")
        assert unknown.text == (
            'Kode proses "LKT-2099-TW9" tidak ditemukan. Mohon periksa kembali penulisannya.'
        )
        usage = await answer(st, sek, "/batalkan", "kode proses")
        assert usage.text.startswith("Mohon sertakan kode prosesnya")
        kept = await answer(st, sek, "/batalkan LKT-2026-TW2", "alasan pembatalan")
        assert kept.buttons == []
        left = await answer(st, sek, "/batal", "tidak jadi dibatalkan")
        assert left.text == "Baik, proses LKT-2026-TW2 tidak jadi dibatalkan dan tetap berjalan."
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.status.value == "open"
        assert task_message(kadin, 1).button_texts == ["Disposisikan"]


async def test_an_answer_whose_dialog_is_not_on_record_is_told_to_start_again(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        office = front_office(st)
        await to_the_letter(st, office)
        async with st.runtime.db.transaction() as conn:  # as if never written
            await conn.execute("DELETE FROM dialogs")
        lost = await answer(st, office, LETTER["from"], "belum tercatat")
        assert lost.text == (
            "Jawaban ini belum tercatat: pengisian yang dijawabnya tidak lagi tersimpan di bot. "
            "Mohon ulangi perintahnya: /mulai, atau /batalkan beserta kode prosesnya."
        )
        assert (await st.runtime.service.case_page(1, 5))[0] == []
        await to_the_letter(st, office)  # asked again from the start, it goes on
