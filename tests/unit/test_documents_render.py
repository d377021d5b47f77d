"""The three documents rendered from fixture contexts, read back with python-docx."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.shared import Pt
from docx.table import Table
from docxtpl import DocxTemplate

from bot.documents import demo
from bot.documents.model import (
    BudgetRow,
    IndicatorRow,
    Letterhead,
    PerformanceReport,
    PeriodKind,
    ReportNarrative,
    ReportPeriod,
    Urgency,
)
from bot.documents.predikat import PredikatBands
from bot.documents.render import (
    DocumentError,
    DocumentKind,
    DraftFormat,
    approval_context,
    build_final_report,
    detect_draft_format,
    disposition_context,
    document_filename,
    initials,
    render_approval,
    render_disposition,
    render_report,
    report_context,
    template_path,
)
from bot.documents.rules import CapaianRules, TargetZeroRule
from bot.documents.verification import normalize_verification_code, verification_code
from tests.support.docs import comparable, paragraphs, section_footers

ROOT = Path(__file__).resolve().parents[2]
LOGO = ROOT / "templates" / "demo" / "logo_contoh.png"
D = Decimal


# --- reading a .docx back ------------------------------------------------------------------


def _open(data: bytes) -> DocumentObject:
    return Document(io.BytesIO(data))


def text(data: bytes) -> str:
    return "\n".join(paragraphs(data))


def _rows(t: Table) -> list[list[str]]:
    """The rows' cell texts; a row holding nested tables of the same columns (the last
    paraf row, held in one unsplittable row with the signature block) reads as theirs."""
    out: list[list[str]] = []
    for row in t.rows:
        nested = [n for n in row.cells[0].tables if len(n.columns) == len(t.columns)]
        if row.cells[0].tables:
            out.extend(r for n in nested for r in _rows(n))
        else:
            out.append([c.text for c in row.cells])
    return out


def tables(data: bytes) -> list[list[list[str]]]:
    return [_rows(t) for t in _open(data).tables]


def table_starting(data: bytes, first_header: str) -> list[list[str]]:
    for t in tables(data):
        if t and t[0][0] == first_header:
            return t
    raise AssertionError(f"no table whose first header is {first_header!r}")


# --- Laporan Kinerja ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_docx() -> bytes:
    return render_report(demo.report(logo=LOGO))


def test_report_titles_and_chapters(report_docx: bytes) -> None:
    ps = [p.strip() for p in paragraphs(report_docx)]
    assert "LAPORAN KINERJA TRIWULAN II TAHUN 2026" in ps
    assert "April – Juni 2026" in ps
    assert "DINAS KESEHATAN" in ps and "PEMERINTAH KABUPATEN SUKAMAJU" in ps
    headings = [p for p in ps if p.startswith(("KATA", "DAFTAR", "BAB"))]
    assert headings[:2] == ["KATA PENGANTAR", "DAFTAR ISI"]
    for chapter in (
        "BAB I\nPENDAHULUAN",
        "BAB II\nPERENCANAAN KINERJA",
        "BAB III\nAKUNTABILITAS KINERJA",
        "BAB IV\nPENUTUP",
    ):
        assert chapter in ps
    assert "Tabel 3.1 Capaian Kinerja Triwulan II Tahun 2026" in ps
    assert "3.5 Rencana Tindak Lanjut Triwulan III" in ps


def test_report_foreword_signature(report_docx: bytes) -> None:
    ps = [p.strip() for p in paragraphs(report_docx)]
    i = ps.index("Sukamaju, 8 Juli 2026")
    assert ps[i + 1 : i + 2] == ["KEPALA DINAS KESEHATAN,"]
    assert "dr. Hj. Ratna Wulandari, M.Kes." in ps[i:]
    assert "Pembina Utama Muda (IV/c)" in ps[i:]
    assert "NIP 19720315 199803 2 004" in ps[i:]
    assert ps.index("KATA PENGANTAR") < i < ps.index("DAFTAR ISI")


def test_report_cover_logo(report_docx: bytes) -> None:
    assert len(_open(report_docx).inline_shapes) == 1
    assert len(_open(render_report(demo.report())).inline_shapes) == 0


def test_achievement_table(report_docx: bytes) -> None:
    t = table_starting(report_docx, "Sasaran Strategis")
    assert t[0] == [
        "Sasaran Strategis",
        "Indikator Kinerja",
        "Satuan",
        "Target Tahunan",
        "Target Triwulan II",
        "Realisasi",
        "Capaian (%)",
        "Predikat",
        "Keterangan",
    ]
    rows = t[1:]
    assert [r[1] for r in rows] == [
        "Angka Kematian Ibu (↓)",
        "Angka Kematian Bayi (↓)",
        "Prevalensi balita stunting (↓)",
        "Jumlah kejadian luar biasa (KLB) yang tidak tertangani (↓)",
        "Cakupan imunisasi dasar lengkap",
        "Persentase puskesmas terakreditasi paripurna",
        "Persentase fasilitas kesehatan yang menerapkan rekam medis elektronik",
        "Indeks Kepuasan Masyarakat terhadap layanan puskesmas",
        "Persentase desa Stop Buang Air Besar Sembarangan (ODF)",
    ]
    # satuan, target tahunan, target triwulan, realisasi, capaian, predikat, keterangan
    assert [r[2:] for r in rows] == [
        ["per 100.000 KH", "90", "90", "85", "105,56", "Sangat Baik", ""],
        ["per 1.000 KH", "8", "8", "9,2", "85,00", "Baik", ""],
        ["%", "14", "14", "16,1", "85,00", "Baik", "Hasil penimbangan serentak Juni"],
        [
            "kejadian",
            "0",
            "0",
            "0",
            "100,00",
            "Sangat Baik",
            "target 0 tercapai (realisasi 0), dinilai 100%",
        ],
        ["%", "95", "47,5", "44,2", "93,05", "Sangat Baik", ""],
        ["%", "60", "60", "45", "75,00", "Cukup", ""],
        ["%", "50", "25", "15", "60,00", "Kurang", ""],
        [
            "nilai",
            "85",
            "85",
            "-",
            "-",
            "-",
            "Survei dilaksanakan pada semester II; belum ada realisasi",
        ],
        ["%", "70", "35", "16", "45,71", "Sangat Kurang", ""],
    ]
    # The strategic goal is printed once per group, like merged cells.
    assert [r[0] for r in rows] == [
        "Meningkatnya derajat kesehatan masyarakat",
        "",
        "",
        "",
        "Meningkatnya mutu dan akses pelayanan kesehatan",
        "",
        "",
        "",
        "Meningkatnya kualitas kesehatan lingkungan",
    ]


def test_summary_and_predikat_counts(report_docx: bytes) -> None:
    body = text(report_docx)
    assert (
        "Dari 9 indikator kinerja Dinas Kesehatan, 8 indikator dapat diukur capaiannya pada "
        "Triwulan II Tahun 2026 dengan rata-rata capaian 81,17% (predikat Baik). Sebanyak 1 "
        "indikator belum dapat diukur" in body
    )
    assert "91–100 Sangat Baik; 76–90 Baik; 66–75 Cukup; 51–65 Kurang; ≤50 Sangat Kurang" in body
    assert table_starting(report_docx, "Predikat")[1:] == [
        ["Sangat Baik", "3"],
        ["Baik", "2"],
        ["Cukup", "1"],
        ["Kurang", "1"],
        ["Sangat Kurang", "1"],
        ["Belum dapat diukur", "1"],
    ]


def test_note_states_the_default_rules(report_docx: bytes) -> None:
    body = text(report_docx)
    assert (
        "Indikator bertanda (↓) dengan target 0 dinilai tercapai atau tidak: realisasi 0 "
        "berarti capaian 100%, realisasi di atas 0 berarti capaian 0%; indikator lain dengan "
        "target 0 tidak dapat diukur capaiannya." in body
    )
    assert "Capaian di atas 100% ditampilkan dan dirata-ratakan sebagaimana dihitung." in body


def test_target_zero_unmeasured_and_capped_average_reach_the_report() -> None:
    rules = CapaianRules(target_zero=TargetZeroRule.TIDAK_DIUKUR, average_cap=Decimal(100))
    data = render_report(replace(demo.report(), rules=rules))
    body = text(data)
    row = table_starting(data, "Sasaran Strategis")[4]
    assert row[5:] == ["0", "-", "-", "target 0"]
    # (100 + 85 + 85 + 93,05 + 75 + 60 + 45,71) / 7 = 77,68: AKI's 105,56 counts as 100
    assert (
        "7 indikator dapat diukur" in body and "rata-rata capaian 77,68% (predikat Baik)" in body
    )
    assert "Indikator dengan target 0 tidak dapat diukur capaiannya." in body
    assert (
        "Capaian di atas 100% ditampilkan sebagaimana dihitung; dalam rata-rata, capaian "
        "setiap indikator dihitung paling tinggi 100%." in body
    )
    assert table_starting(data, "Sasaran Strategis")[1][6] == "105,56"  # shown as computed
    assert table_starting(data, "Predikat")[1:] == [
        ["Sangat Baik", "2"],
        ["Baik", "2"],
        ["Cukup", "1"],
        ["Kurang", "1"],
        ["Sangat Kurang", "1"],
        ["Belum dapat diukur", "2"],
    ]


def test_plan_table(report_docx: bytes) -> None:
    t = table_starting(report_docx, "No")
    assert t[0] == ["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target Tahunan"]
    assert [r[0] for r in t[1:]] == [str(i) for i in range(1, 10)]
    assert t[1][2:] == ["Angka Kematian Ibu (↓)", "per 100.000 KH", "90"]


def test_budget_table_with_totals(report_docx: bytes) -> None:
    t = table_starting(report_docx, "Program/Kegiatan")
    assert t[0] == ["Program/Kegiatan", "Pagu (Rp)", "Realisasi (Rp)", "%", "Sisa (Rp)"]
    assert t[1:] == [
        [
            "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
            "Rp12.450.000.000",
            "Rp5.612.345.000",
            "45,08",
            "Rp6.837.655.000",
        ],
        [
            "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
            "Rp38.750.000.000",
            "Rp14.205.750.500",
            "36,66",
            "Rp24.544.249.500",
        ],
        [
            "Program Peningkatan Kapasitas Sumber Daya Manusia Kesehatan",
            "Rp1.200.000.000",
            "Rp310.500.000",
            "25,88",
            "Rp889.500.000",
        ],
        [
            "Program Sediaan Farmasi, Alat Kesehatan dan Makanan Minuman",
            "Rp2.350.000.000",
            "Rp1.175.000.000",
            "50,00",
            "Rp1.175.000.000",
        ],
        [
            "Program Pemberdayaan Masyarakat Bidang Kesehatan",
            "Rp850.000.000",
            "Rp212.400.000",
            "24,99",
            "Rp637.600.000",
        ],
        ["Jumlah", "Rp55.600.000.000", "Rp21.515.995.500", "38,70", "Rp34.084.004.500"],
    ]
    assert (
        "Pagu anggaran Dinas Kesehatan Tahun 2026 sebesar Rp55.600.000.000 dengan realisasi "
        "sampai dengan Triwulan II sebesar Rp21.515.995.500 (38,70%), sehingga sisa anggaran "
        "Rp34.084.004.500." in text(report_docx)
    )


def test_narrative_paragraphs_and_placeholders() -> None:
    narrative = ReportNarrative(latar_belakang="Paragraf satu.\n\n\nParagraf dua\nbaris dua.")
    data = render_report(replace(demo.report(), narrative=narrative))
    ps = [p.strip() for p in paragraphs(data)]
    i = ps.index("Paragraf satu.")
    assert ps[i + 1] == "Paragraf dua\nbaris dua."
    assert ps.count("(Bagian ini belum diisi oleh Tim SAKIP.)") == 5  # isu .. rencana


def test_semester_and_fourth_quarter_labels() -> None:
    semester = replace(demo.report(), period=ReportPeriod.of(PeriodKind.SEMESTER, 1, 2026))
    ps = [p.strip() for p in paragraphs(render_report(semester))]
    assert "LAPORAN KINERJA SEMESTER I TAHUN 2026" in ps
    assert "Januari – Juni 2026" in ps
    assert "3.5 Rencana Tindak Lanjut Semester II" in ps
    q4 = replace(demo.report(), period=ReportPeriod.of("triwulan", 4, 2026))
    ps = [p.strip() for p in paragraphs(render_report(q4))]
    assert "LAPORAN KINERJA TRIWULAN IV TAHUN 2026" in ps
    assert "Oktober – Desember 2026" in ps
    assert "3.5 Rencana Tindak Lanjut Triwulan I" in ps


def test_custom_bands_reach_the_table() -> None:
    bands = PredikatBands.from_mapping({"Tercapai": 100, "Tidak Tercapai": 0})
    data = render_report(replace(demo.report(), rules=CapaianRules(bands)))
    predikat = [r[7] for r in table_starting(data, "Sasaran Strategis")[1:]]
    assert predikat[:4] == ["Tercapai", "Tidak Tercapai", "Tidak Tercapai", "Tercapai"]
    assert "Predikat capaian: ≥100 Tercapai; 0–<100 Tidak Tercapai." in text(data)
    assert table_starting(data, "Predikat")[1:3] == [["Tercapai", "2"], ["Tidak Tercapai", "6"]]


def test_report_without_data() -> None:
    data = render_report(replace(demo.report(), indicators=(), budget=()))
    body = text(data)
    assert "Belum ada data indikator kinerja untuk periode ini." in body
    assert "Belum ada data realisasi anggaran untuk periode ini." in body
    assert table_starting(data, "Program/Kegiatan")[1:] == [["Jumlah", "Rp0", "Rp0", "-", "Rp0"]]


def test_special_characters_survive() -> None:
    letterhead = replace(demo.LETTERHEAD, agency="Dinas Pendidikan & Kebudayaan")
    rows = (
        IndicatorRow(
            "Mutu <pendidikan> & budaya",
            'Rasio guru : murid < 1:20 & "ideal"',
            "rasio",
            D(20),
            D(20),
            D(18),
        ),
        *demo.INDICATORS,
    )
    budget = (BudgetRow("Program <Prioritas> & Lainnya", 10, 5),)
    narrative = ReportNarrative(penutup="Akhir & <selesai>.\x0b\x00")
    report = replace(
        demo.report(), letterhead=letterhead, indicators=rows, budget=budget, narrative=narrative
    )
    data = render_report(report)
    body = text(data)
    assert "DINAS PENDIDIKAN & KEBUDAYAAN" in body
    assert 'Rasio guru : murid < 1:20 & "ideal"' in body
    assert "Mutu <pendidikan> & budaya" in body
    assert "Program <Prioritas> & Lainnya" in body
    assert "Akhir & <selesai>." in body
    # Nothing after them was lost (a corrupt document.xml would cut the rest off).
    assert "Angka Kematian Ibu (↓)" in body
    assert paragraphs(data)[-1].startswith("Laporan Kinerja Triwulan II Tahun 2026 ini")


# --- Lembar Disposisi -----------------------------------------------------------------------


def test_disposition_sheet() -> None:
    data = render_disposition(demo.disposition(LOGO))
    ps = [p.strip() for p in paragraphs(data)]
    assert "PEMERINTAH KABUPATEN SUKAMAJU" in ps and "LEMBAR DISPOSISI" in ps
    fields = tables(data)[1]
    assert fields[0] == [
        "Surat dari",
        "Sekretariat Daerah Kabupaten Sukamaju (Bagian Organisasi)",
        "Diterima tanggal",
        "23 Juni 2026",
    ]
    assert fields[1] == ["Nomor surat", "700/1234/Org/2026", "Nomor agenda", "0456"]
    assert fields[2] == [
        "Tanggal surat",
        "22 Juni 2026",
        "Sifat",
        "☐ Sangat Segera\n☑ Segera\n☐ Rahasia",
    ]
    assert fields[3][:2] == ["Perihal", "Penyampaian Laporan Kinerja Triwulan II Tahun 2026"]
    start = ps.index("Diteruskan kepada Sdr.:")
    end = ps.index("Batas waktu: 10 Juli 2026")
    assert [p for p in ps[start : end + 1] if p] == [
        "Diteruskan kepada Sdr.:",
        "1. Sekretaris Dinas selaku Sek. Tim SAKIP",
        "2. Ketua Tim SAKIP",
        "Isi disposisi / instruksi:",
        "Siapkan Laporan Kinerja Triwulan II sesuai format standar dan sampaikan kepada saya "
        "paling lambat tanggal 10 Juli 2026.",
        "Catatan:",
        "Koordinasikan dengan para Kepala Bidang.",
        "Batas waktu: 10 Juli 2026",
    ]
    i = ps.index("Sukamaju, 23 Juni 2026")
    assert ps[i : i + 5] == [
        "Sukamaju, 23 Juni 2026",
        "pukul 09.30 WIB",
        "Kepala Dinas Kesehatan,",
        "Paraf: RW",
        "dr. Hj. Ratna Wulandari, M.Kes.",
    ]
    assert "NIP 19720315 199803 2 004" in ps
    assert len(_open(data).inline_shapes) == 1


def test_disposition_other_zone_urgency_and_empty_fields() -> None:
    sheet = demo.disposition()
    sheet = replace(
        sheet,
        tz=ZoneInfo("Asia/Makassar"),
        letter=replace(sheet.letter, urgency=Urgency.BIASA, subject="Undangan <rapat> & lain"),
        disposition=replace(
            sheet.disposition,
            to=(),
            note="",
            due=None,
            at=datetime(2026, 6, 23, 16, 30, tzinfo=UTC),
        ),
    )
    ps = [p.strip() for p in paragraphs(render_disposition(sheet))]
    assert "Undangan <rapat> & lain" in ps
    assert "☐ Sangat Segera\n☐ Segera\n☐ Rahasia" in ps
    assert "Sukamaju, 24 Juni 2026" in ps and "pukul 00.30 WITA" in ps
    assert "1. -" in ps and "Batas waktu: -" in ps
    assert len(_open(render_disposition(sheet)).inline_shapes) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dr. Hj. Ratna Wulandari, M.Kes.", "RW"),
        ("Drs. Bambang Setiawan, M.M.", "BS"),
        ("H Ahmad Fauzi", "AF"),
        ("apt. Dewi Lestari, S.Farm.", "DL"),
        ("Prof. Dr. Ir. Siti", "S"),
        ("dr.", "DR"),
    ],
)
def test_initials(name: str, expected: str) -> None:
    assert initials(name) == expected


# --- Lembar Pengesahan ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def approval_docx() -> bytes:
    return render_approval(demo.approval())


def test_approval_sheet_header_fields(approval_docx: bytes) -> None:
    ps = [p.strip() for p in paragraphs(approval_docx)]
    assert "LEMBAR PENGESAHAN" in ps
    assert "LAPORAN KINERJA TRIWULAN II TAHUN 2026" in ps
    fields = tables(approval_docx)[1]
    assert fields == [
        ["Kode berkas", ":", "LKT-2026-TW2"],
        ["Periode", ":", "Triwulan II Tahun 2026"],
        ["Versi draf", ":", "versi 3"],
        ["Sidik draf (SHA-256)", ":", demo.DRAFT_SHA256],
    ]


def test_paraf_in_order(approval_docx: bytes) -> None:
    t = table_starting(approval_docx, "No")
    assert t[0] == ["No", "Jabatan", "Nama dan NIP", "Paraf", "Tanggal"]
    assert [r[2].split("\n")[0] for r in t[1:]] == [p.name for p in demo.PARAF]
    assert [r[0] for r in t[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert t[1][1:] == [
        "Sekretaris Dinas (Sek. Tim SAKIP)",
        "Drs. Bambang Setiawan, M.M.\nNIP 19750612 200003 1 006",
        "BS\nParaf Sekretaris",
        "8 Juli 2026, 09.05 WIB",
    ]
    assert t[6][4] == "9 Juli 2026, 14.30 WIB"


def test_paraf_order_follows_order_field_not_input_order() -> None:
    shuffled = tuple(reversed(demo.PARAF))
    t = table_starting(render_approval(demo.approval(paraf=shuffled)), "No")
    assert [r[2].split("\n")[0] for r in t[1:]] == [p.name for p in demo.PARAF]


def test_signature_block_wording_and_code(approval_docx: bytes) -> None:
    ps = [p.strip() for p in paragraphs(approval_docx)]
    i = ps.index("Ditetapkan di Sukamaju")
    assert ps[i : i + 8] == [
        "Ditetapkan di Sukamaju",
        "pada tanggal 10 Juli 2026",
        "KEPALA DINAS KESEHATAN,",
        "Disetujui secara elektronik melalui aplikasi SOP Bot pada Jumat, 10 Juli 2026, 10.15 WIB",
        "",
        "dr. Hj. Ratna Wulandari, M.Kes.",
        "Pembina Utama Muda (IV/c)",
        "NIP 19720315 199803 2 004",
    ]
    code = demo.approval().verification_code
    [footer] = section_footers(approval_docx)
    assert f"Kode verifikasi: {code}" in footer
    body = "\n".join(ps + footer)
    assert "Ditandatangani secara elektronik" not in body
    assert "bukan tanda tangan elektronik tersertifikasi (TTE)" in body


def test_no_return_history_on_the_sheet(approval_docx: bytes) -> None:
    body = text(approval_docx)
    assert "Riwayat Pengembalian" not in body and "dikembalikan" not in body
    # letterhead, fields, paraf (the signature inside); the verification box (QR and
    # code) is in the page's footer, at the foot of the page, not in the signature space
    assert len(tables(approval_docx)) == 3
    [footer] = _open(approval_docx).sections
    [box] = footer.footer.tables
    assert (
        box.rows[0]
        .cells[1]
        .text.startswith("Pindai untuk memeriksa keaslian persetujuan\nKode verifikasi: ")
    )
    assert "Pindai untuk memeriksa" not in text(approval_docx)


def test_configured_wording() -> None:
    wording = "Disetujui melalui @DinkesSukamajuBot pada {waktu} (bukan TTE)"
    data = render_approval(replace(demo.approval(), approval_wording=wording))
    assert (
        "Disetujui melalui @DinkesSukamajuBot pada Jumat, 10 Juli 2026, 10.15 WIB (bukan TTE)"
        in paragraphs(data)
    )


def test_paraf_without_nip_and_without_any_paraf() -> None:
    entry = replace(demo.PARAF[0], nip="")
    t = table_starting(render_approval(demo.approval(paraf=(entry,))), "No")
    assert t[1][2] == "Drs. Bambang Setiawan, M.M.\n"
    data = render_approval(demo.approval(paraf=()))
    assert table_starting(data, "No") == [["No", "Jabatan", "Nama dan NIP", "Paraf", "Tanggal"]]
    assert "Ditetapkan di Sukamaju" in paragraphs(data)


# --- every template: variables, escaping, round trips -----------------------------------------

CASES = {
    DocumentKind.LEMBAR_DISPOSISI: (
        lambda: demo.disposition(LOGO),
        disposition_context,
        render_disposition,
    ),
    DocumentKind.LAPORAN_KINERJA: (lambda: demo.report(logo=LOGO), report_context, render_report),
    DocumentKind.LEMBAR_PENGESAHAN: (demo.approval, approval_context, render_approval),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_template_declares_nothing_the_context_lacks(kind: DocumentKind) -> None:
    make, build, _ = CASES[kind]
    tpl = DocxTemplate(template_path(kind))
    context = build(make(), tpl)  # type: ignore[operator]
    assert tpl.get_undeclared_template_variables(context=context) == set()
    assert tpl.get_undeclared_template_variables() <= set(context)


def test_templates_name_only_fonts_with_metric_compatible_packages() -> None:
    for kind in CASES:
        with zipfile.ZipFile(template_path(kind)) as archive:
            xml = (
                archive.read("word/styles.xml").decode()
                + archive.read("word/document.xml").decode()
            )
        assert "Theme=" not in xml.replace("themeColor", "")
        fonts = set(re.findall(r'w:ascii="([^"]+)"', xml))
        assert fonts <= {"Arial", "Times New Roman", "Courier New"}, fonts


def test_templates_use_row_and_paragraph_tags_correctly() -> None:
    for kind in CASES:
        with zipfile.ZipFile(template_path(kind)) as archive:
            xml = archive.read("word/document.xml").decode()
        # no plain block tags that would leave empty paragraphs behind
        assert not re.search(r"\{%\s*(if|for|endif|endfor|else)\b", xml)
        for row in re.findall(r"<w:tr\b.*?</w:tr>", xml, flags=re.S):
            visible = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", row))
            if "{%tr" in visible:
                assert re.fullmatch(r"\{%tr (for \w+ in \w+|endfor) %\}", visible), visible


def test_undefined_variable_in_a_restyled_template_fails_loudly(tmp_path: Path) -> None:
    doc = Document(str(template_path(DocumentKind.LEMBAR_PENGESAHAN)))
    doc.add_paragraph("{{ nomor_surat_baru }}")
    path = tmp_path / "restyled.docx"
    doc.save(str(path))
    with pytest.raises(DocumentError, match="nomor_surat_baru"):
        render_approval(demo.approval(), template=path)


def test_broken_tag_fails_with_the_template_name(tmp_path: Path) -> None:
    doc = Document(str(template_path(DocumentKind.LEMBAR_DISPOSISI)))
    doc.add_paragraph("{{ note ")
    path = tmp_path / "broken.docx"
    doc.save(str(path))
    with pytest.raises(DocumentError, match=r"broken\.docx: TemplateSyntaxError"):
        render_disposition(demo.disposition(), template=path)


@pytest.mark.parametrize("kind", list(CASES))
def test_python_docx_round_trip_renders_the_same(kind: DocumentKind, tmp_path: Path) -> None:
    make, _, render = CASES[kind]
    copy = tmp_path / f"copy_{kind.value}.docx"
    Document(str(template_path(kind))).save(str(copy))
    context = make()
    assert comparable(render(context, template=copy)) == comparable(render(context))  # type: ignore[operator]


def test_renders_are_independent() -> None:
    first = render_report(demo.report(logo=LOGO))
    second = render_report(demo.report())
    third = render_report(demo.report(logo=LOGO))
    assert len(_open(second).inline_shapes) == 0
    assert comparable(first) == comparable(third)


def test_missing_logo_file_is_skipped(tmp_path: Path) -> None:
    data = render_report(demo.report(logo=tmp_path / "gone.png"))
    assert len(_open(data).inline_shapes) == 0


# --- final report ---------------------------------------------------------------------------

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_docx_draft_gets_the_sheet_appended_in_a_section_of_its_own(approval_docx: bytes) -> None:
    draft = render_report(demo.report())
    final = build_final_report(draft, approval_docx)
    assert final.sheet_appended and final.approval_sheet is None
    assert final.report_format is DraftFormat.DOCX
    ps = [p.strip() for p in paragraphs(final.report)]
    assert ps.index("LAPORAN KINERJA TRIWULAN II TAHUN 2026") < ps.index("LEMBAR PENGESAHAN")
    body = _open(final.report).element.body.xml
    sheet_at = body.rindex("LEMBAR PENGESAHAN")  # the report's contents list names it too
    report_end = body.rindex("periode berikutnya.", 0, sheet_at)
    # the draft's last section ends there; the sheet's section starts on a new page
    assert "<w:sectPr" in body[report_end:sheet_at]
    sections = _open(final.report).sections
    assert sections[-1].start_type is WD_SECTION.NEW_PAGE
    footers = section_footers(final.report)
    code = f"Kode verifikasi: {demo.approval().verification_code}"
    assert code in footers[-1]  # the verification box at the foot of the sheet's pages
    assert all(code not in footer for footer in footers[:-1])  # not under the report
    assert any("halaman" in "".join(footer) for footer in footers[:-1])  # its own footer kept
    [box] = sections[-1].footer.tables
    assert box.rows[0].cells[0]._tc.xpath(".//a:blip/@r:embed") == []  # demo: no link, no QR
    names = [n for n, _ in final.files("TW2", 2026, "Dinkes")]
    assert names == ["Laporan_Kinerja_TW2_2026_Dinkes_final.docx"]


def test_a_draft_without_section_properties_still_ends_before_the_sheet(
    approval_docx: bytes,
) -> None:
    document = Document()
    document.add_paragraph("Isi laporan tanpa pengaturan halaman")
    body = document.element.body
    body.remove(body.sectPr)
    buffer = io.BytesIO()
    document.save(buffer)
    final = build_final_report(buffer.getvalue(), approval_docx)
    assert final.sheet_appended
    sections = _open(final.report).sections
    assert len(sections) == 2 and sections[-1].start_type is WD_SECTION.NEW_PAGE
    code = f"Kode verifikasi: {demo.approval().verification_code}"
    assert [code in footer for footer in section_footers(final.report)] == [False, True]


def test_the_qr_picture_travels_with_the_appended_sheet() -> None:
    link = "https://t.me/SukamajuSopBot?start=v_ABCDEFGHJK"
    sheet = render_approval(replace(demo.approval(), verification_link=link))
    final = build_final_report(render_report(demo.report()), sheet)
    footer = _open(final.report).sections[-1].footer
    [rid] = footer.tables[0].rows[0].cells[0]._tc.xpath(".//a:blip/@r:embed")
    image = footer.part.related_parts[rid]
    source = _open(sheet).sections[0].footer
    [source_rid] = source.tables[0].rows[0].cells[0]._tc.xpath(".//a:blip/@r:embed")
    assert image.blob == source.part.related_parts[source_rid].blob
    assert image.blob.startswith(b"\x89PNG")


def test_pdf_draft_is_kept_and_the_sheet_travels_apart(approval_docx: bytes) -> None:
    final = build_final_report(MINIMAL_PDF, approval_docx)
    assert not final.sheet_appended
    assert final.report == MINIMAL_PDF and final.report_format is DraftFormat.PDF
    assert final.approval_sheet == approval_docx
    assert final.files("TW2", 2026, "Dinkes") == [
        ("Laporan_Kinerja_TW2_2026_Dinkes_final.pdf", MINIMAL_PDF),
        ("Lembar_Pengesahan_TW2_2026_Dinkes.docx", approval_docx),
    ]


def test_damaged_docx_draft_falls_back_to_two_files(
    approval_docx: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not xml")
    final = build_final_report(buffer.getvalue(), approval_docx)
    assert final.report == buffer.getvalue() and final.approval_sheet == approval_docx
    assert "could not append the approval sheet" in caplog.text


def test_detect_draft_format() -> None:
    assert detect_draft_format(MINIMAL_PDF) is DraftFormat.PDF
    assert detect_draft_format(render_approval(demo.approval())) is DraftFormat.DOCX
    assert detect_draft_format(b"\xd0\xcf\x11\xe0 old .doc") is DraftFormat.OTHER
    assert detect_draft_format(b"PK\x03\x04 truncated") is DraftFormat.OTHER


# --- names and codes ------------------------------------------------------------------------


def test_document_filename() -> None:
    assert (
        document_filename(DocumentKind.LAPORAN_KINERJA, "TW2", 2026, "Dinkes", "final", "pdf")
        == "Laporan_Kinerja_TW2_2026_Dinkes_final.pdf"
    )
    assert (
        document_filename("Lembar Pengesahan", "S1", 2026, "Dinas P&K Kota Bandung", "", ".DOCX")
        == "Lembar_Pengesahan_S1_2026_Dinas_P_K_Kota_Bandung.docx"
    )
    assert (
        document_filename(DocumentKind.LAPORAN_KINERJA, "TW2", 2026, "Dinkes", "draf v3 (revisi)")
        == "Laporan_Kinerja_TW2_2026_Dinkes_draf_v3_revisi.docx"
    )
    assert document_filename(DocumentKind.DATA_CAPAIAN, "TW1", 2027, "Bapperida", ext="xlsx") == (
        "Data_Capaian_TW1_2027_Bapperida.xlsx"
    )


SHA = "ab" * 32


def test_verification_code_shape_and_determinism() -> None:
    at = datetime(2026, 7, 10, 3, 15, tzinfo=UTC)
    code = verification_code("LKT-2026-TW2", SHA, at)
    assert re.fullmatch(r"[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2}", code)
    assert code == verification_code("LKT-2026-TW2", SHA.upper(), at)
    # the same instant seen from Jakarta gives the same code
    assert code == verification_code("LKT-2026-TW2", SHA, at.astimezone(ZoneInfo("Asia/Jakarta")))
    others = {
        verification_code("LKT-2026-TW3", SHA, at),
        verification_code("LKT-2026-TW2", "cd" * 32, at),
        verification_code("LKT-2026-TW2", SHA, at + timedelta(seconds=1)),
        verification_code("LKT-2026-TW2", SHA, at, key=b"secret"),
        verification_code(17, SHA, at),
    }
    assert code not in others and len(others) == 5


def test_verification_code_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="64 hex"):
        verification_code(1, "abc", datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        verification_code(1, SHA, datetime(2026, 1, 1))


def test_normalize_verification_code() -> None:
    assert normalize_verification_code(" abcd efgh-jk ") == "ABCD-EFGH-JK"
    assert normalize_verification_code("AB0D-EF1H-J8") == "ABOD-EFIH-JB"
    assert normalize_verification_code("ABCD-EFGH") is None
    assert normalize_verification_code("ABCD-EFGH-J9") is None


def test_model_refuses_naive_times_and_impossible_periods() -> None:
    with pytest.raises(ValueError, match="aware"):
        replace(demo.approval(), signed_at=datetime(2026, 7, 10, 10, 0))
    with pytest.raises(ValueError, match="does not exist"):
        ReportPeriod.of(PeriodKind.TRIWULAN, 5, 2026)
    assert ReportPeriod.of("semester", 2, 2026).key == "S2"
    assert demo.PERIOD.key == "TW2" and demo.PERIOD.label == "Triwulan II"


def test_letterhead_region_already_prefixed() -> None:
    letterhead = Letterhead(
        "Pemerintah Provinsi Jawa Barat", "Dinas Kesehatan", "Jl. X", "Bandung"
    )
    report = PerformanceReport(
        letterhead, demo.PERIOD, demo.KADIN, date(2026, 7, 1), demo.INDICATORS, demo.BUDGET
    )
    assert "PEMERINTAH PROVINSI JAWA BARAT" in paragraphs(render_report(report))


# --- the kop ---------------------------------------------------------------------------------


def _kop_runs(data: bytes, text: str) -> list[Any]:
    cell = _open(data).tables[0].rows[0].cells[1]
    return [r for p in cell.paragraphs for r in p.runs if text in r.text]


def test_kop_lines_in_permendagri_order() -> None:
    letterhead = replace(demo.LETTERHEAD, fax="(0265) 771235")
    data = render_approval(replace(demo.approval(), letterhead=letterhead))
    cell = _open(data).tables[0].rows[0].cells[1]
    assert [p.text for p in cell.paragraphs] == [
        "PEMERINTAH KABUPATEN SUKAMAJU",
        "DINAS KESEHATAN",
        "Jalan Jenderal Sudirman Nomor 45, Sukamaju 40123, Telepon (0265) 771234, "
        "Faksimile (0265) 771235",
        "Laman dinkes.sukamajukab.go.id, Pos-el dinkes@sukamajukab.go.id",
    ]
    [agency] = _kop_runs(data, "DINAS KESEHATAN")
    assert (agency.bold, agency.font.size, agency.font.name) == (True, Pt(16), "Times New Roman")


def test_kop_long_name_shrinks_and_configured_lines_break() -> None:
    long_name = replace(demo.LETTERHEAD, agency="Dinas Kependudukan dan Pencatatan Sipil")
    data = render_disposition(replace(demo.disposition(), letterhead=long_name))
    [agency] = _kop_runs(data, "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL")
    assert agency.font.size == Pt(14.5)
    lines = replace(long_name, name_lines=("Dinas Kependudukan dan", "Pencatatan Sipil"))
    data = render_approval(replace(demo.approval(), letterhead=lines))
    cell = _open(data).tables[0].rows[0].cells[1]
    assert cell.paragraphs[1].text == "DINAS KEPENDUDUKAN DAN\nPENCATATAN SIPIL"
