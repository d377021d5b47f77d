"""Generates the sample files the offline demo's officers send: drafts, sheet, a receipt photo.

The demo (`python3 manage.py run` without config.toml) walks a quarterly report of the
demo Dinas in `templates/demo/config.toml` through the SOP. Its officers upload what
officers really upload, so these files are written here once and committed:

* `konsep_laporan_tw2_2026.docx`: the Ketua Tim SAKIP's concept (step 3);
* `draf_laporan_tw2_2026_v1.docx`: the typed draft (step 4), whose achievement table
  lacks the "Predikat" column of the standard format, so the Sekretaris returns it;
* `draf_laporan_tw2_2026_v2.docx`: the same draft with the standard table;
* `draf_laporan_tw2_2026_v3.docx`: the Sekretaris' revision after a Kabid returned the
  draft because the budget realisation was not updated to 30 June;
* `data_capaian_disdik.xlsx`: the indicator and budget sheet behind those tables, in the
  upload format of `bot.documents.sheet` (education indicators, to match the demo
  Dinas; `data_capaian.xlsx` next to it is the documents module's health-sector sample);
* `surat_bupati.jpg`: a photo of the Bupati's letter asking for the report, which the
  front office attaches when it starts the case with /mulai;
* `tanda_terima_bupati.jpg`: a photographed receipt, the proof of a hand delivery.

Figures and capaian come from one list below through `bot.documents.capaian`, so the
draft's tables and the sheet never disagree. The photos need LibreOffice and
pdftoppm (poppler-utils) at generation time only; without them it is left as it is.

    .venv/bin/python scripts/make_demo_files.py
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.documents import (  # noqa: E402
    BudgetRow,
    IndicatorRow,
    budget_totals,
    evaluate_budget,
    evaluate_indicator,
    write_sheet,
)
from bot.views.fmt import format_percent, format_rupiah  # noqa: E402

DEMO = ROOT / "templates" / "demo"
FONT = "Times New Roman"  # Liberation Serif where LibreOffice renders it

REGION = "Pemerintah Kabupaten Contoh"
AGENCY = "Dinas Pendidikan"
CITY = "Contoh"
ADDRESS = "Jl. Merdeka No. 10, Contoh 45111"
KADIN = ("Dr. H. Ahmad Santoso, M.Pd.", "Pembina Utama Muda, IV/c", "19680512 199303 1 004")

_ACCESS = "Meningkatnya akses pendidikan anak usia dini dan pendidikan dasar"
_QUALITY = "Meningkatnya mutu pendidikan dasar"
_PLACES = "Meningkatnya sarana dan prasarana pendidikan yang layak"


def _d(text: str) -> Decimal:
    return Decimal(text)


INDICATORS: tuple[IndicatorRow, ...] = (
    IndicatorRow(_ACCESS, "Angka Partisipasi Kasar PAUD", "%", _d("78"), _d("78"), _d("74.6")),
    IndicatorRow(_ACCESS, "Angka Partisipasi Murni SD", "%", _d("99"), _d("99"), _d("98.7")),
    IndicatorRow(_ACCESS, "Angka Partisipasi Murni SMP", "%", _d("86"), _d("86"), _d("83.9")),
    IndicatorRow(
        _ACCESS, "Angka putus sekolah SD", "%", _d("0.10"), _d("0.10"), _d("0.08"), False
    ),
    IndicatorRow(
        _QUALITY,
        "Persentase SD terakreditasi minimal B",
        "%",
        _d("92"),
        _d("92"),
        _d("88.5"),
    ),
    IndicatorRow(
        _QUALITY,
        "Persentase guru SD berkualifikasi S1/D-IV",
        "%",
        _d("97"),
        _d("97"),
        _d("96.2"),
    ),
    IndicatorRow(
        _PLACES,
        "Persentase ruang kelas SD dalam kondisi baik",
        "%",
        _d("80"),
        _d("40"),
        _d("31"),
        keterangan="Rehabilitasi 24 ruang kelas dimulai Juli",
    ),
)

_SUPPORT = "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota"
BUDGET_AT_MAY: tuple[BudgetRow, ...] = (
    BudgetRow(_SUPPORT, 9_850_000_000, 4_210_400_000),
    BudgetRow("Program Pengelolaan Pendidikan", 64_300_000_000, 22_716_950_000),
    BudgetRow("Program Pengembangan Kurikulum", 1_150_000_000, 287_500_000),
    BudgetRow("Program Pendidik dan Tenaga Kependidikan", 2_400_000_000, 905_300_000),
)  # fmt: skip
# What Bidang SD reported for 30 June, after the Kabid returned the draft (step 7).
BUDGET = (
    BUDGET_AT_MAY[0],
    replace(BUDGET_AT_MAY[1], realisasi=27_482_115_000),
    *BUDGET_AT_MAY[2:],
)

ACTIONS = (
    "Percepatan rehabilitasi ruang kelas SD melalui DAK Fisik mulai Juli 2026.",
    "Pendataan ulang anak tidak sekolah bersama pemerintah desa.",
    "Pendampingan akreditasi bagi 14 SD yang masih terakreditasi C.",
)


# --- document helpers ------------------------------------------------------------------


def _document() -> Any:
    doc = Document()
    styles = doc.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), FONT)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.color.rgb = None
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    doc.core_properties.author = "Tim SAKIP Dinas Pendidikan Kabupaten Contoh"
    doc.core_properties.language = "id-ID"
    doc.core_properties.comments = ""
    return doc


def _para(doc: Any, text: str, *, bold: bool = False, center: bool = False, size: int = 0) -> Any:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _table(doc: Any, header: list[str], rows: list[list[str]], wide: int = 1) -> None:
    """A bordered table whose column `wide` takes the room the others leave (16 cm in all)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    narrow = Cm(1.7) if len(header) > 4 else Cm(3.2)
    widths = [
        Cm(16) - narrow * (len(header) - 1) if i == wide else narrow for i in range(len(header))
    ]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width  # the cell widths Word reads
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph()


def _number(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return format_percent(value).removesuffix("%").strip() if value % 1 else str(int(value))


# --- the documents -------------------------------------------------------------------------


def concept() -> Any:
    """Step 3: the Ketua Tim SAKIP's outline and the points each chapter must make."""
    doc = _document()
    _para(doc, "KONSEP LAPORAN KINERJA TRIWULAN II TAHUN 2026", bold=True, center=True)
    _para(doc, f"{AGENCY} Kabupaten Contoh", center=True)
    _para(doc, "Disusun oleh Tim SAKIP untuk diketik sesuai format laporan yang baku.")
    outline = {
        "BAB I Pendahuluan": [
            "Gambaran umum organisasi dan tugas pokok Dinas.",
            "Isu strategis triwulan II: partisipasi PAUD dan ruang kelas rusak.",
        ],
        "BAB II Perencanaan Kinerja": [
            "Perjanjian Kinerja 2026: 3 sasaran strategis, 7 indikator.",
        ],
        "BAB III Akuntabilitas Kinerja": [
            "Tabel capaian per indikator terhadap target triwulan (data_capaian_disdik.xlsx).",
            "Tabel realisasi anggaran per program.",
            "Kendala, upaya yang telah dilakukan, rencana triwulan III.",
        ],
        "BAB IV Penutup": ["Simpulan capaian dan tindak lanjut."],
    }
    for chapter, points in outline.items():
        _para(doc, chapter, bold=True)
        for point in points:
            doc.add_paragraph(point, style="List Bullet")
    return doc


def draft(*, standard_table: bool, budget: tuple[BudgetRow, ...], revision: str) -> Any:
    """Steps 4-8: the report typed in the standard format (cover, chapters, tables)."""
    doc = _document()
    for line in (REGION.upper(), AGENCY.upper(), "", "LAPORAN KINERJA", "TRIWULAN II"):
        _para(doc, line, bold=True, center=True, size=16)
    _para(doc, "TAHUN 2026", bold=True, center=True, size=16)
    _para(doc, ADDRESS, center=True)
    _para(doc, revision, center=True, size=9)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_heading("KATA PENGANTAR", level=1)
    doc.add_paragraph(
        "Laporan Kinerja Triwulan II Tahun 2026 ini disusun sebagai wujud "
        "pertanggungjawaban pelaksanaan tugas Dinas Pendidikan Kabupaten Contoh "
        "sesuai Perjanjian Kinerja Tahun 2026."
    )
    for line in (f"{CITY}, 13 Juli 2026", "Kepala Dinas Pendidikan", "", "", *KADIN):
        _para(doc, line).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    doc.add_heading("BAB I PENDAHULUAN", level=1)
    doc.add_paragraph(
        "Dinas Pendidikan melaksanakan urusan pemerintahan bidang pendidikan anak usia "
        "dini, pendidikan dasar dan pendidikan nonformal. Isu strategis triwulan ini "
        "adalah partisipasi PAUD yang belum merata dan ruang kelas SD yang rusak."
    )
    doc.add_heading("BAB II PERENCANAAN KINERJA", level=1)
    doc.add_paragraph(
        "Perjanjian Kinerja Tahun 2026 memuat tiga sasaran strategis dengan tujuh "
        "indikator kinerja utama, sebagaimana tercantum pada tabel capaian di Bab III."
    )
    doc.add_heading("BAB III AKUNTABILITAS KINERJA", level=1)
    doc.add_heading("A. Capaian Kinerja", level=2)
    header = ["No", "Indikator", "Satuan", "Target TW II", "Realisasi", "Capaian (%)"]
    if standard_table:
        header += ["Predikat"]
    rows = []
    for number, row in enumerate(INDICATORS, start=1):
        result = evaluate_indicator(row)
        values = [
            str(number),
            row.indikator,
            row.satuan,
            _number(row.target_triwulan),
            _number(row.realisasi),
            format_percent(result.capaian.value) if result.capaian.value is not None else "-",
        ]
        if standard_table:
            values.append(result.predikat or "-")
        rows.append(values)
    _table(doc, header, rows)

    doc.add_heading("B. Realisasi Anggaran", level=2)
    budget_rows = []
    for program in budget:
        spent = evaluate_budget(program)
        persen = format_percent(spent.persen) if spent.persen is not None else "-"
        amounts = [format_rupiah(program.pagu), format_rupiah(program.realisasi)]
        budget_rows.append([program.program_kegiatan, *amounts, persen])
    totals = budget_totals(budget)
    total_persen = format_percent(totals.persen) if totals.persen is not None else "-"
    budget_rows.append(
        ["Jumlah", format_rupiah(totals.pagu), format_rupiah(totals.realisasi), total_persen]
    )
    _table(doc, ["Program", "Pagu", "Realisasi", "%"], budget_rows, wide=0)

    doc.add_heading("C. Kendala dan Upaya", level=2)
    for action in ACTIONS:
        doc.add_paragraph(action, style="List Bullet")
    doc.add_heading("BAB IV PENUTUP", level=1)
    doc.add_paragraph(
        "Capaian triwulan II umumnya baik; indikator ruang kelas dalam kondisi baik "
        "memerlukan percepatan pada triwulan III."
    )
    return doc


def receipt() -> Any:
    """The signed receipt the Bupati's office stamps when the printed report arrives."""
    doc = _document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(21), Cm(14.8)
    _para(doc, "TANDA TERIMA", bold=True, center=True, size=16)
    doc.add_paragraph("Telah diterima dari Dinas Pendidikan Kabupaten Contoh:")
    _table(
        doc,
        ["No", "Dokumen", "Jumlah"],
        [["1", "Laporan Kinerja Triwulan II Tahun 2026", "1 (satu) eksemplar"]],
    )
    doc.add_paragraph("Kantor Bupati Contoh, Bagian Umum — diterima 13 Juli 2026 pukul 09.20")
    _para(doc, "Penerima,").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, "ttd. (cap)").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _para(doc, "Rudi Hartono").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return doc


def letter() -> Any:
    """The incoming letter (surat masuk) that sets the SOP going."""
    doc = _document()
    section = doc.sections[0]
    section.page_height = Cm(18)
    for line in ("PEMERINTAH KABUPATEN CONTOH", "SEKRETARIAT DAERAH"):
        _para(doc, line, bold=True, center=True, size=14)
    _para(doc, "Jl. Pahlawan No. 1, Contoh 45111", center=True, size=9)
    for line in (
        "Nomor   : 050/123/Bag.Org/2026",
        "Sifat   : Segera",
        "Perihal : Penyampaian Laporan Kinerja Triwulan II Tahun 2026",
    ):
        doc.add_paragraph(line).paragraph_format.space_after = Pt(0)
    doc.add_paragraph()
    doc.add_paragraph("Yth. Kepala Dinas Pendidikan Kabupaten Contoh")
    doc.add_paragraph(
        "Dalam rangka evaluasi akuntabilitas kinerja instansi pemerintah, bersama ini "
        "kami minta Saudara menyampaikan Laporan Kinerja Triwulan II Tahun 2026 paling "
        "lambat tanggal 15 Juli 2026 kepada Bupati melalui Bagian Organisasi, dengan "
        "tembusan kepada Inspektorat dan Bappeda."
    )
    for line in ("Contoh, 1 Juli 2026", "a.n. Bupati Contoh", "Sekretaris Daerah", "", "ttd."):
        _para(doc, line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return doc


def photograph(doc: Any, target: Path) -> bool:
    """The receipt as a phone photo (JPEG), through LibreOffice and pdftoppm."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print(f"skipped {target.name}: needs soffice and pdftoppm")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "receipt.docx"
        doc.save(str(source))
        profile = Path(tmp, "profile").as_uri()
        convert = [soffice, f"-env:UserInstallation={profile}", "--headless"]
        convert += ["--convert-to", "pdf", "--outdir", tmp, str(source)]
        subprocess.run(convert, check=True, capture_output=True, timeout=120)
        stem = Path(tmp) / "photo"
        render = [pdftoppm, "-jpeg", "-jpegopt", "quality=70", "-r", "80", "-singlefile"]
        subprocess.run([*render, str(Path(tmp) / "receipt.pdf"), str(stem)], check=True)
        shutil.copyfile(stem.with_suffix(".jpg"), target)
    return True


_STAMP = "2026-07-01T00:00:00Z"
_CORE_DATES = re.compile(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def settle(path: Path) -> None:
    """Make a saved .docx/.xlsx byte-identical from run to run (no clock inside).

    Both write the time of saving into the zip entries and docProps/core.xml; fixing
    them lets the script run again without every sample showing up as changed.
    """
    with zipfile.ZipFile(path) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _CORE_DATES.sub(rf"\g<1>{_STAMP}\g<2>", data.decode()).encode()
            info = zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def main() -> int:
    DEMO.mkdir(parents=True, exist_ok=True)
    documents = {
        "konsep_laporan_tw2_2026.docx": concept(),
        "draf_laporan_tw2_2026_v1.docx": draft(
            standard_table=False, budget=BUDGET_AT_MAY, revision="Draf versi ketik 1"
        ),
        "draf_laporan_tw2_2026_v2.docx": draft(
            standard_table=True, budget=BUDGET_AT_MAY, revision="Draf versi ketik 2"
        ),
        "draf_laporan_tw2_2026_v3.docx": draft(
            standard_table=True, budget=BUDGET, revision="Draf perbaikan Sekretaris"
        ),
    }
    for name, doc in documents.items():
        doc.save(str(DEMO / name))
        settle(DEMO / name)
        print(f"wrote {DEMO / name}")
    sheet = DEMO / "data_capaian_disdik.xlsx"
    write_sheet(sheet, INDICATORS, BUDGET)
    settle(sheet)
    print(f"wrote {sheet}")
    for name, doc in (("surat_bupati.jpg", letter()), ("tanda_terima_bupati.jpg", receipt())):
        if photograph(doc, DEMO / name):
            print(f"wrote {DEMO / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
