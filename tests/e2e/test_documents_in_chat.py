"""The documents in chat: what officers receive as files, and how they check a signature."""

from __future__ import annotations

import hashlib
import io
import re
import shutil

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from fakegram import BotMessage, FakeUser
from tests.support.chat import (
    INSTRUCTION,
    START,
    dispose,
    press,
    say,
    says,
    sign,
    start_case,
    task_message,
    to_parallel_review,
    upload,
    walk_to_concept,
    walk_to_signature,
    write_drafts,
)
from tests.support.docs import docx_text, real_docx
from tests.support.engine import LETTER
from tests.support.qr import can_render_pages, qr_texts

KADIN = "Dr. H. Ahmad Santoso, M.Pd."
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")

SHEET_HEADER = (
    "bagian;Sasaran Strategis;Indikator Kinerja;Satuan;Target Tahunan;Target Triwulan;"
    "Realisasi;Arah (naik/turun);Keterangan;Program/Kegiatan;Pagu (Rp)\n"
)
GOOD_ROWS = (
    "Indikator;Meningkatnya akses PAUD;APK PAUD;%;80;80;78,5;naik;;;\n"
    "Indikator;;Angka putus sekolah SD;%;0,5;0,5;0,4;turun;;;\n"
    "Anggaran;;;;;;Rp1.250.000.000;;;Program Pengelolaan Pendidikan;Rp2.500.000.000\n"
)
BAD_ROWS = GOOD_ROWS.replace(";0,4;turun", ";sembilan;turun")


def files_named(user: FakeUser, filename: str) -> list[BotMessage]:
    return [
        m
        for m in user.transcript
        if m.kind == "document" and m.document is not None and m.document.filename == filename
    ]


def file_names(user: FakeUser) -> list[str]:
    return [m.document.filename or "" for m in user.transcript if m.document is not None]


async def documents_done(st: Stage) -> None:
    """Wait for the PDF copies in flight (LibreOffice runs beside the bot)."""
    assert st.runtime.docjobs is not None
    await st.runtime.docjobs.idle()
    await st.settle()


async def press_for_pdf(st: Stage, user: FakeUser, carrier: BotMessage) -> None:
    """Press "PDF" under the message that carried a .docx: its copy arrives, and a second
    press sends nothing new but says it is there (one copy per chat)."""
    await press(st, user, carrier, "PDF")
    await documents_done(st)
    before = len(user.transcript)
    assert await press(st, user, carrier, "PDF") == says("documents.on_demand.already_there")
    assert len(user.transcript) == before


async def test_the_kadin_gets_the_disposition_sheet_after_step_1(tmp_path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st)
        kadin = st.user("kadin")
        [sheet] = files_named(kadin, "Lembar_Disposisi_TW2_2026_Disdik.docx")
        assert sheet.text == (
            "📄 Lembar Disposisi LKT-2026-TW2 (Triwulan II Tahun 2026) dari "
            f"{KADIN}, berkas Word (.docx)."
        )
        text = docx_text(kadin.downloaded_document(sheet))
        assert INSTRUCTION in text
        assert LETTER["number"] in text and LETTER["subject"] in text
        assert "Hendra Gunawan, S.E. (Ketua Tim SAKIP)" in text
        for officer in ("sakip_ketua", "sakip_1"):  # the officers of step 2
            assert files_named(st.user(officer), "Lembar_Disposisi_TW2_2026_Disdik.docx")
        assert not files_named(st.user("sekretaris"), "Lembar_Disposisi_TW2_2026_Disdik.docx")


async def walk_to_signed(st: Stage, draft: bytes, *, proof: bool = False) -> None:
    """Steps 1-9 on real Word files, through the Kadin's signature: the signed report is
    made by LibreOffice from them."""
    await walk_to_signature(st, draft, concept=real_docx("Konsep laporan"), proof=proof)
    await sign(st)


def verified(code: str, draft: bytes, final: bytes, pdf: bytes) -> str:
    """What the bot answers for the signed report's code, typed or scanned: the case, what
    was signed, by whom and when, and the fingerprints that let anyone check each file."""
    return (
        f"✅ Kode {code} sah.\n\n"
        "Berkas: LKT-2026-TW2 (Triwulan II Tahun 2026)\n"
        "Yang ditandatangani: draf versi 2\n"
        f"Sidik draf (SHA-256): {hashlib.sha256(draft).hexdigest()}\n"
        f"Ditandatangani oleh: {KADIN}, Kepala Dinas Pendidikan\n"
        "Waktu: Senin, 6 Juli 2026 pukul 08.00 WIB\n"
        "Sidik Laporan_Kinerja_TW2_2026_Disdik_final.docx (SHA-256): "
        f"{hashlib.sha256(final).hexdigest()}\n"
        "Sidik Laporan_Kinerja_TW2_2026_Disdik_final.pdf (SHA-256): "
        f"{hashlib.sha256(pdf).hexdigest()}"
    )


@needs_soffice
async def test_the_signed_report_reaches_its_officers_and_its_code_verifies(tmp_path) -> None:
    draft = real_docx("Laporan Kinerja Triwulan II: isi yang ditandatangani")
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signed(st, draft)

        finals = {
            key: files_named(st.user(key), "Laporan_Kinerja_TW2_2026_Disdik_final.docx")
            for key in ("kadin", "kasubag", "sekretaris", "kabid_1", "staf_1")
        }
        assert {key: len(found) for key, found in finals.items()} == {
            "kadin": 1,
            "kasubag": 1,
            "sekretaris": 1,
            "kabid_1": 0,
            "staf_1": 0,
        }
        kadin = st.user("kadin")
        final = kadin.downloaded_document(finals["kadin"][0])
        text = docx_text(final)
        assert "Laporan Kinerja Triwulan II: isi yang ditandatangani" in text
        match = re.search(r"Kode verifikasi: ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2})", text)
        assert match is not None
        code = match.group(1)
        assert finals["kadin"][0].text == (
            "📘 Laporan final LKT-2026-TW2 (Triwulan II Tahun 2026): draf versi 2 yang telah "
            f"ditandatangani, dengan lembar pengesahan, berkas Word (.docx). Kode verifikasi: "
            f"{code}."
        )

        await documents_done(st)  # the PDF copy is made ahead, and sent on demand
        for key in ("kadin", "kasubag", "sekretaris"):
            user = st.user(key)
            assert files_named(user, "Laporan_Kinerja_TW2_2026_Disdik_final.pdf") == []
            await press_for_pdf(st, user, finals[key][0])
            [pdf] = files_named(user, "Laporan_Kinerja_TW2_2026_Disdik_final.pdf")
            assert file_names(user).index(
                "Laporan_Kinerja_TW2_2026_Disdik_final.pdf"
            ) > file_names(user).index("Laporan_Kinerja_TW2_2026_Disdik_final.docx")
        [pdf] = files_named(kadin, "Laporan_Kinerja_TW2_2026_Disdik_final.pdf")
        reader = PdfReader(io.BytesIO(kadin.downloaded_document(pdf)))
        pdf_text = "\n".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) >= 2
        assert "LEMBAR PENGESAHAN" in pdf_text and "Ahmad Santoso" in pdf_text
        # The office's own copies, beside the store: [storage] output/<case code>/.
        copies = st.config.storage.output / "LKT-2026-TW2"
        assert (copies / "Laporan_Kinerja_TW2_2026_Disdik_final.docx").read_bytes() == final
        assert (copies / "Laporan_Kinerja_TW2_2026_Disdik_final.pdf").read_bytes() == (
            kadin.downloaded_document(pdf)
        )

        answer = await say(st, st.user("staf_1"), f"/verifikasi {code.lower().replace('-', ' ')}")
        assert answer.text == verified(code, draft, final, kadin.downloaded_document(pdf))
        unknown = await say(st, st.user("staf_1"), "/verifikasi AAAA-BBBB-CC")
        assert unknown.text == (
            "❌ Kode AAAA-BBBB-CC tidak ditemukan. Dokumen dengan kode ini tidak "
            "ditandatangani melalui bot ini, atau kodenya salah ketik."
        )

        # The staff chosen to distribute get the signed report with their task, not the draft.
        kasubag = st.user("kasubag")
        await press(st, kasubag, task_message(kasubag, 10), "⬜ Maya Sari, A.Md.")
        await press(st, kasubag, task_message(kasubag, 10), "Perintahkan")
        maya = st.user("staf_2")
        task_message(maya, 11)
        # (konsep.docx came with her step-4 task; the signed draft draf.docx never comes.)
        assert file_names(maya) == ["konsep.docx", "Laporan_Kinerja_TW2_2026_Disdik_final.docx"]
        [attached] = files_named(maya, "Laporan_Kinerja_TW2_2026_Disdik_final.docx")
        assert maya.downloaded_document(attached) == final
        # One task, one message: the signed report is her step-11 task, its caption the task.
        assert attached.message_id == task_message(maya, 11).message_id
        assert "LKT-2026-TW2 · Langkah 11: Menggandakan dan mendistribusikan" in attached.text


@needs_soffice
@pytest.mark.skipif(not can_render_pages(), reason="no poppler (pdftoppm)")
async def test_the_qr_on_the_signed_report_verifies_for_anyone_who_scans_it(tmp_path) -> None:
    draft = real_docx("Laporan Kinerja Triwulan II: isi yang ditandatangani")
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signed(st, draft)
        await documents_done(st)
        kadin = st.user("kadin")
        final = kadin.downloaded_document(
            files_named(kadin, "Laporan_Kinerja_TW2_2026_Disdik_final.docx")[0]
        )
        match = re.search(r"Kode verifikasi: ([A-Z2-7-]{12})", docx_text(final))
        assert match is not None
        code = match.group(1)
        await press_for_pdf(
            st, kadin, files_named(kadin, "Laporan_Kinerja_TW2_2026_Disdik_final.docx")[0]
        )
        [pdf] = files_named(kadin, "Laporan_Kinerja_TW2_2026_Disdik_final.pdf")
        printed = kadin.downloaded_document(pdf)
        pages = len(PdfReader(io.BytesIO(printed)).pages)
        link = f"https://t.me/{st.fake.bot_username}?start=v_{code.replace('-', '')}"
        assert qr_texts(printed, pages) == [link]  # on the approval sheet, the last page

        auditor = st.fake.user(4243, "Auditor Inspektorat")  # no officer of the agency
        auditor.start(link.split("?start=")[1])
        await st.settle()
        assert auditor.transcript[-1].text == verified(code, draft, final, printed)
        scanned = auditor.transcript[-1].text
        typed = await say(st, auditor, f"/verifikasi {code}")
        assert typed.text == scanned  # the code beside the QR, typed: the same answer
        for _ in range(8):
            await say(st, auditor, f"/verifikasi {code}")
        assert (await say(st, auditor, f"/verifikasi {code}")).text == (
            "Terlalu banyak pemeriksaan dalam waktu singkat. Mohon coba lagi beberapa menit lagi."
        )


async def at_the_sheet_upload(st: Stage) -> FakeUser:
    """A new case at its concept step, where the Ketua SAKIP may upload the indicator
    sheet instead of a concept; the Ketua."""
    await start_case(st)
    return await walk_to_concept(st)


async def test_the_indicator_sheet_upload_reports_bad_rows_and_feeds_the_typist(
    tmp_path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        ketua = await at_the_sheet_upload(st)
        assert task_message(ketua, 3).button_texts == ["Unggah data capaian"]
        assert "Unggah data capaian" not in task_message(st.user("sakip_1"), 2).button_texts

        button = task_message(ketua, 3)
        intruder = st.user("staf_1")
        query = intruder.forge_callback(button.callback_data[0], button.message_id)
        await st.settle()
        assert intruder.callback_answer(query).text == (
            "Mohon maaf, tugas ini tidak ditujukan kepada Bapak/Ibu."
        )
        await press(st, ketua, task_message(ketua, 3), "Unggah data capaian")
        cancelled = await say(st, ketua, "/batal")
        assert cancelled.text == "Pengiriman data capaian dibatalkan."
        await press(st, ketua, task_message(ketua, 3), "Unggah data capaian")
        assert ketua.transcript[-1].text == (
            "Silakan kirim berkas data capaian kinerja dan anggaran (.xlsx atau .csv) untuk "
            "LKT-2026-TW2.\nTemplat kosong dapat diunduh dengan /templat. Ketik /batal untuk "
            "membatalkan."
        )
        bad = await upload(st, ketua, "data_capaian.csv", (SHEET_HEADER + BAD_ROWS).encode())
        assert bad.text == (
            "Berkas data_capaian.csv belum dapat dipakai. Mohon perbaiki hal berikut lalu kirim "
            'kembali:\n• Indikator baris 3, kolom "realisasi": bukan angka ("sembilan")'
        )
        before = len(ketua.transcript)
        await upload(st, ketua, "data_capaian.csv", (SHEET_HEADER + GOOD_ROWS).encode())
        replies = [m.text for m in ketua.transcript[before:] if m.kind == "text"]
        assert replies == [
            "✓ Data capaian data_capaian.csv diterima: 2 indikator dan 1 program/kegiatan. "
            "Laporan format baku sedang disusun dan segera dikirim."
        ]
        [report] = files_named(ketua, "Laporan_Kinerja_TW2_2026_Disdik_format_baku.docx")
        assert report.text == (
            "📊 Laporan LKT-2026-TW2 (Triwulan II Tahun 2026) dalam format baku, disusun dari "
            "data capaian data_capaian.csv, berkas Word (.docx). Silakan dipakai sebagai dasar "
            "pengetikan laporan."
        )
        text = docx_text(ketua.downloaded_document(report))
        assert "APK PAUD" in text and "98,13" in text  # 78,5 / 80 x 100
        assert "Rp2.500.000.000" in text and "LAPORAN KINERJA TRIWULAN II TAHUN 2026" in text

        # The sheet is no draft: the concept is still version 1, and the typist gets both.
        # A draft sent while the sheet dialog is open is taken as the draft it is.
        await press(st, ketua, task_message(ketua, 3), "Unggah data capaian")
        ack = await upload(st, ketua, "konsep.docx", real_docx("Konsep laporan"))
        assert "Draf versi 1 diterima" in ack.text
        await press(st, ketua, task_message(ketua, 3), "Kirim")
        staf = st.user("staf_1")
        typing = task_message(staf, 4)
        assert file_names(staf) == ["konsep.docx"]  # the report is offered, not pushed
        await press(st, staf, typing, "📊 Laporan format baku")
        assert file_names(staf) == [
            "konsep.docx",
            "Laporan_Kinerja_TW2_2026_Disdik_format_baku.docx",
        ]
        [typed_from] = files_named(staf, "Laporan_Kinerja_TW2_2026_Disdik_format_baku.docx")
        assert staf.downloaded_document(typed_from) == ketua.downloaded_document(report)
        before = len(staf.transcript)
        again = await press(st, staf, typing, "📊 Laporan format baku")
        assert again == says("documents.on_demand.already_there")
        assert len(staf.transcript) == before


async def test_templat_sends_the_empty_sheet(tmp_path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf = st.user("staf_1")
        answer = await say(st, staf, "/templat")
        assert answer.document is not None
        assert answer.document.filename == "Templat_Data_Capaian.xlsx"
        data = staf.downloaded_document(answer)
        workbook = load_workbook(io.BytesIO(data))
        assert workbook.sheetnames == ["Indikator", "Anggaran", "Petunjuk"]
        assert workbook["Indikator"]["B2"].value  # one example row per sheet
        assert workbook["Anggaran"]["A2"].value
        assert answer.text.startswith("Templat data capaian kinerja dan anggaran.")


EXCEL_INDICATOR_CSV = (
    "Sasaran Strategis;Indikator Kinerja;Satuan;Target Tahunan;Target Triwulan;Realisasi;"
    "Arah (naik/turun);Keterangan\r\n"
    "Meningkatnya akses PAUD;APK PAUD;%;80;80;78,5;naik;\r\n"
    ";Jumlah temuan BPK;temuan;0;0;0;turun;Pemeriksaan semester I\r\n"
)
EXCEL_BUDGET_CSV = (
    "Program/Kegiatan;Pagu (Rp);Realisasi (Rp)\r\n"
    "Program Pengelolaan Pendidikan;2.500.000.000;1.250.000.000\r\n"
)


async def test_the_template_sent_back_untouched_is_refused_and_excel_csvs_come_as_two(
    tmp_path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        ketua = await at_the_sheet_upload(st)
        template = ketua.downloaded_document(await say(st, ketua, "/templat"))
        await press(st, ketua, task_message(ketua, 3), "Unggah data capaian")
        untouched = await upload(st, ketua, "Templat_Data_Capaian.xlsx", template)
        assert untouched.text == (
            "Berkas Templat_Data_Capaian.xlsx belum dapat dipakai. Mohon perbaiki hal berikut "
            'lalu kirim kembali:\n• Indikator baris 2, kolom "indikator": baris contoh dari '
            "templat; hapus baris ini, lalu isi dengan data sendiri\n• Anggaran baris 2, kolom "
            '"program_kegiatan": baris contoh dari templat; hapus baris ini, lalu isi dengan data '
            "sendiri"
        )
        negative = EXCEL_INDICATOR_CSV.replace(";80;80;", ";80;-80;")
        refused = await upload(st, ketua, "Indikator.csv", negative.encode("cp1252"))
        assert refused.text == (
            "Berkas Indikator.csv belum dapat dipakai. Mohon perbaiki hal berikut lalu kirim "
            'kembali:\n• Indikator baris 2, kolom "target_triwulan": tidak boleh negatif ("-80")'
        )
        first = await upload(st, ketua, "Indikator.csv", EXCEL_INDICATOR_CSV.encode("cp1252"))
        assert first.text == (
            "✓ Lembar Indikator Indikator.csv diterima (2 baris). Excel menyimpan satu lembar "
            "per file CSV: sekarang kirim juga lembar Anggaran sebagai CSV, atau ketik /batal."
        )
        assert files_named(ketua, "Laporan_Kinerja_TW2_2026_Disdik_format_baku.docx") == []
        before = len(ketua.transcript)
        await upload(st, ketua, "Anggaran.csv", ("\ufeff" + EXCEL_BUDGET_CSV).encode())
        replies = [m.text for m in ketua.transcript[before:] if m.kind == "text"]
        assert replies == [
            "✓ Data capaian Indikator+Anggaran.xlsx diterima: 2 indikator dan 1 "
            "program/kegiatan. Laporan format baku sedang disusun dan segera dikirim."
        ]
        [report] = files_named(ketua, "Laporan_Kinerja_TW2_2026_Disdik_format_baku.docx")
        text = docx_text(ketua.downloaded_document(report))
        assert "APK PAUD" in text and "98,13" in text  # 78,5 / 80 x 100
        assert "Jumlah temuan BPK" in text and "Rp2.500.000.000" in text


async def test_verifikasi_explains_itself_and_refuses_what_is_no_code(tmp_path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf = st.user("staf_1")
        usage = await say(st, staf, "/verifikasi")
        assert usage.text == (
            "Ketik /verifikasi diikuti kode verifikasi yang tercetak pada lembar pengesahan, "
            "misalnya /verifikasi ABCD-EFGH-JK."
        )
        wrong = await say(st, staf, "/verifikasi 12")
        assert wrong.text == (
            "“12” bukan kode verifikasi. Kode terdiri atas 10 huruf dan angka, misalnya "
            "ABCD-EFGH-JK."
        )


@needs_soffice
async def test_each_reviewer_also_gets_the_draft_as_pdf_to_read_on_a_phone(tmp_path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_concept(st)
        await write_drafts(st, real_docx("Draf yang diketik"), concept=real_docx("Konsep laporan"))
        staf = st.user("staf_1")
        await documents_done(st)
        sek = st.user("sekretaris")
        assert files_named(sek, "draf.pdf") == []  # offered, not pushed
        await press_for_pdf(st, sek, task_message(sek, 5))
        [pdf] = files_named(sek, "draf.pdf")
        assert pdf.text == (
            "📄 LKT-2026-TW2 · Draf versi 2 dalam bentuk PDF agar mudah dibaca di ponsel. "
            "Keputusan Bapak/Ibu tetap berlaku untuk berkas draf aslinya."
        )
        assert (
            "Draf yang diketik"
            in PdfReader(io.BytesIO(sek.downloaded_document(pdf))).pages[0].extract_text()
        )
        assert not files_named(staf, "draf.pdf")  # the typist's step takes no decision
        await to_parallel_review(st)
        await documents_done(st)
        copies = {sek.downloaded_document(pdf)}
        for kabid in ("kabid_1", "kabid_2", "kabid_3"):  # converted once, sent to each
            user = st.user(kabid)
            assert files_named(user, "draf.pdf") == []
            await press_for_pdf(st, user, task_message(user, 7))
            [copy] = files_named(user, "draf.pdf")
            copies.add(user.downloaded_document(copy))
        assert len(copies) == 1
        assert len(files_named(sek, "draf.pdf")) == 1  # step 6 (paraf), same version: no copy


async def test_berkas_and_verifikasi_count_drafts_when_a_proof_came_first(tmp_path) -> None:
    """The RENSTRA proof (step 2) is the case's first file: the drafts after it are still
    versions 1 and 2 in /berkas, in its buttons and in what /verifikasi says was signed."""
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signed(st, real_docx("Laporan yang ditandatangani"), proof=True)
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        assert [(f.number, f.purpose) for f in state.files] == [
            (1, "proof"),
            (2, "draft"),
            (3, "draft"),
        ]

        staf = st.user("staf_1")
        before = len(staf.transcript)
        versions = await say(st, staf, "/berkas LKT-2026-TW2")  # the latest draft, then these
        [latest] = [m for m in staf.transcript[before:] if m.kind == "document"]
        lines = [line.split(":")[0] for line in versions.text.splitlines()]
        assert lines[1:3] == ["Versi 1", "Versi 2 (terbaru)"], versions.text
        assert "Versi 3" not in versions.text and "renstra.pdf" not in versions.text
        assert versions.button_texts == ["Versi 1"]
        assert latest.text == "LKT-2026-TW2 · versi 2: draf.docx"

        final = next(
            m for m in reversed(st.user("kadin").transcript) if "Kode verifikasi" in m.text
        )
        assert "draf versi 2 " in final.text, final.text
        match = re.search(r"Kode verifikasi: ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2})", final.text)
        assert match is not None
        answer = await say(st, staf, f"/verifikasi {match.group(1)}")
        assert "Yang ditandatangani: draf versi 2\n" in answer.text, answer.text
