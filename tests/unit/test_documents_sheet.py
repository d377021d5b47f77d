"""The uploaded indicator/budget spreadsheet: good files, every bad one, zip bombs."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bot.documents import demo
from bot.documents.model import BudgetRow, IndicatorRow
from bot.documents.sheet import (
    SheetData,
    SheetError,
    SheetIssue,
    SheetLimits,
    join_parts,
    read_csv,
    read_sheet,
    read_xlsx,
    sheet_workbook,
    write_sheet,
    write_sheet_template,
)
from bot.views.i18n import Catalogue

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "documents"
D = Decimal

IND_HEADER = [
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target Tahunan",
    "Target Triwulan",
    "Realisasi",
    "Arah (naik/turun)",
    "Keterangan",
]
BUD_HEADER = ["Program/Kegiatan", "Pagu (Rp)", "Realisasi (Rp)"]
GOOD_IND: list[list[Any]] = [
    ["Sasaran A", "Indikator 1", "%", 95, 47.5, 44.2, "naik", None],
    [None, "Indikator 2", "kasus", "1.234", "1.234", "1.100", "TURUN", None],
    [None, "Indikator 3", "%", "95,5", "95,5%", None, None, "catatan\nbaris dua"],
]
GOOD_BUD: list[list[Any]] = [["Program A", 1_000_000, "Rp500.000"], ["Program B", "2.000.000", 0]]


def xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good(
    ind: list[list[Any]] | None = None,
    bud: list[list[Any]] | None = None,
    ind_header: list[str] = IND_HEADER,
    bud_header: list[str] = BUD_HEADER,
) -> bytes:
    return xlsx(
        {
            "Indikator": [ind_header, *(GOOD_IND if ind is None else ind)],
            "Anggaran": [bud_header, *(GOOD_BUD if bud is None else bud)],
        }
    )


CATALOGUE = Catalogue.load()


def problems_of(data: bytes, name: str = "data.xlsx", **limits: int) -> tuple[str, ...]:
    """The problems as the uploader reads them (Indonesian, the catalogue's words)."""
    with pytest.raises(SheetError) as info:
        read_sheet(data, name, limits=SheetLimits(**limits))
    return tuple(
        CATALOGUE.plain("id", f"documents.sheet.error.{p.key.value}", **p.values)
        for p in info.value.problems
    )


# --- good files ------------------------------------------------------------------------------


def test_good_xlsx() -> None:
    data = read_xlsx(good())
    assert data.indicators == (
        IndicatorRow("Sasaran A", "Indikator 1", "%", D(95), D("47.5"), D("44.2"), True, ""),
        IndicatorRow("Sasaran A", "Indikator 2", "kasus", D(1234), D(1234), D(1100), False, ""),
        IndicatorRow(
            "Sasaran A", "Indikator 3", "%", D("95.5"), D("95.5"), None, True, "catatan baris dua"
        ),
    )
    assert data.budget == (
        BudgetRow("Program A", 1_000_000, 500_000),
        BudgetRow("Program B", 2_000_000, 0),
    )


def test_sheet_names_case_title_rows_and_extra_columns_are_tolerated() -> None:
    data = xlsx(
        {
            "Petunjuk": [["abaikan"]],
            "INDIKATOR": [
                ["Data Capaian Kinerja Triwulan II"],
                [],
                ["No", *IND_HEADER],
                [1, *GOOD_IND[0]],
            ],
            "anggaran ": [BUD_HEADER, *GOOD_BUD],
        }
    )
    parsed = read_xlsx(data)
    assert [r.indikator for r in parsed.indicators] == ["Indikator 1"]
    assert len(parsed.budget) == 2


def test_demo_file_is_the_demo_data() -> None:
    parsed = read_sheet((ROOT / "templates/demo/data_capaian.xlsx").read_bytes(), "x.xlsx")
    assert parsed.indicators == demo.INDICATORS
    assert parsed.budget == demo.BUDGET
    assert 8 <= len(parsed.indicators) <= 10 and len(parsed.budget) == 5
    assert any(not r.higher_is_better for r in parsed.indicators)
    assert any(r.target_triwulan == 0 for r in parsed.indicators)
    assert any(r.realisasi is None for r in parsed.indicators)


EXAMPLE_LEFT_IN = "baris contoh dari templat; hapus baris ini, lalu isi dengan data sendiri"


def test_template_has_headers_and_an_example_that_is_refused_when_sent_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "template.xlsx"
    write_sheet_template(path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Indikator", "Anggaran", "Petunjuk"]
    assert [c.value for c in workbook["Indikator"][1]] == IND_HEADER
    assert [c.value for c in workbook["Anggaran"][1]] == BUD_HEADER
    assert problems_of(path.read_bytes(), "template.xlsx") == (
        f'Indikator baris 2, kolom "indikator": {EXAMPLE_LEFT_IN}',
        f'Anggaran baris 2, kolom "program_kegiatan": {EXAMPLE_LEFT_IN}',
    )


def test_the_example_row_is_known_by_its_data_not_its_note(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_sheet_template(path)
    workbook = load_workbook(path)
    workbook["Indikator"]["H2"] = None  # the note "Contoh: hapus baris ini" deleted
    workbook["Indikator"].append(["Sasaran A", "Indikator 1", "%", 95, 47.5, 44.2, "naik"])
    workbook["Anggaran"].append(["Program A", 1_000_000, 500_000])
    out = io.BytesIO()
    workbook.save(out)
    assert problems_of(out.getvalue()) == (
        f'Indikator baris 2, kolom "indikator": {EXAMPLE_LEFT_IN}',
        f'Anggaran baris 2, kolom "program_kegiatan": {EXAMPLE_LEFT_IN}',
    )
    workbook["Indikator"].delete_rows(2)
    workbook["Anggaran"].delete_rows(2)
    out = io.BytesIO()
    workbook.save(out)
    parsed = read_xlsx(out.getvalue())
    assert [r.indikator for r in parsed.indicators] == ["Indikator 1"]
    assert parsed.budget == (BudgetRow("Program A", 1_000_000, 500_000),)


def test_a_row_like_the_example_but_with_own_figures_is_data() -> None:
    rows = [
        [
            "Meningkatnya derajat kesehatan masyarakat",
            "Angka Kematian Ibu (per 100.000 kelahiran hidup)",
            "per 100.000 KH",
            90,
            90,
            70,  # the example says 85
            "turun",
            "Contoh: hapus baris ini",
        ]
    ]
    assert [r.realisasi for r in read_xlsx(good(ind=rows)).indicators] == [D(70)]


def test_negative_targets_are_refused() -> None:
    rows: list[list[Any]] = [
        ["S", "Indikator 1", "%", -95, "-47,5", -3, "naik", None],
        ["S", "Indikator 2", "%", 10, "−1", 0, "naik", None],
    ]
    assert problems_of(good(ind=rows)) == (
        'Indikator baris 2, kolom "target_tahunan": tidak boleh negatif ("-95")',
        'Indikator baris 2, kolom "target_triwulan": tidak boleh negatif ("-47,5")',
        'Indikator baris 3, kolom "target_triwulan": tidak boleh negatif ("−1")',
    )


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    rows = (IndicatorRow("S & <T>", "I", "%", D("0.125"), D("1234567.5"), D(-3), False, "k"),)
    write_sheet(path, rows, demo.BUDGET)
    parsed = read_sheet(path.read_bytes(), "d.xlsx")
    assert parsed.indicators == rows and parsed.budget == demo.BUDGET


def test_good_csv_with_bom_semicolons_and_crlf() -> None:
    parsed = read_sheet((FIXTURES / "data_capaian.csv").read_bytes(), "data_capaian.CSV")
    assert [(r.indikator, r.realisasi, r.higher_is_better) for r in parsed.indicators] == [
        ("Angka Kematian Ibu", D(85), False),
        ("Angka Kematian Bayi", D("9.2"), False),
        ("Prevalensi balita stunting", D("16.1"), False),
        ("Cakupan imunisasi dasar lengkap", D("44.2"), True),
        ("Indeks Kepuasan Masyarakat terhadap layanan puskesmas", None, True),
    ]
    assert parsed.indicators[1].sasaran_strategis == "Meningkatnya derajat kesehatan masyarakat"
    assert parsed.indicators[3].target_triwulan == D("47.5")
    assert parsed.budget == (
        BudgetRow(
            "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
            12_450_000_000,
            5_612_345_000,
        ),
        BudgetRow(
            "Program Sediaan Farmasi; Alat Kesehatan dan Makanan Minuman",
            2_350_000_000,
            14_205_750_500,
        ),
    )


def test_csv_with_commas_and_quoted_decimals() -> None:
    text = (
        "bagian,indikator,sasaran_strategis,satuan,target_tahunan,target_triwulan,realisasi,"
        "program_kegiatan,pagu\n"
        'Indikator,I1,S,%,"95,5",10,5.5,,\n'
        "anggaran,,,,,,100,P,200\n"
    )
    parsed = read_csv(text.encode())
    assert parsed.indicators == (IndicatorRow("S", "I1", "%", D("95.5"), D(10), D("5.5")),)
    assert parsed.budget == (BudgetRow("P", 200, 100),)


# --- bad xlsx: one exact message per problem ---------------------------------------------------


def test_missing_column() -> None:
    header = [h for h in IND_HEADER if h != "Realisasi"]
    rows = [[c for i, c in enumerate(r) if i != 5] for r in GOOD_IND]
    assert problems_of(good(ind=rows, ind_header=header)) == (
        'Indikator baris 1: kolom "realisasi" tidak ada (judul kolom yang diharapkan: '
        '"Realisasi")',
    )


def test_text_where_a_number_belongs() -> None:
    rows = [*GOOD_IND[:2], ["S", "Indikator 9", "%", 90, "9O", "sembilan", None, None]]
    assert problems_of(good(ind=rows)) == (
        'Indikator baris 4, kolom "target_triwulan": bukan angka ("9O")',
        'Indikator baris 4, kolom "realisasi": bukan angka ("sembilan")',
    )


def test_duplicate_indicator() -> None:
    rows = [*GOOD_IND, [None, " indikator   1 ", "%", 1, 1, 1, None, None]]
    assert problems_of(good(ind=rows)) == (
        'Indikator baris 5, kolom "indikator": duplikat dari baris 2 ("indikator 1")',
    )


def test_empty_sheets() -> None:
    assert problems_of(good(ind=[], bud=[])) == (
        "Indikator: tidak ada baris data",
        "Anggaran: tidak ada baris data",
    )
    data = xlsx({"Indikator": [IND_HEADER, *GOOD_IND], "Anggaran": []})
    assert problems_of(data) == ("Anggaran: lembar kosong (tidak ada baris judul kolom)",)


def test_missing_sheet() -> None:
    data = xlsx({"Indikator": [IND_HEADER, *GOOD_IND], "Data": [BUD_HEADER, *GOOD_BUD]})
    assert problems_of(data) == (
        'lembar "Anggaran" tidak ada (lembar yang ada: "Indikator", "Data")',
    )


def test_blank_required_cells_and_bad_direction() -> None:
    rows: list[list[Any]] = [
        [None, "Indikator 1", "%", 95, 47.5, 44.2, "naik", None],
        ["S", None, None, None, 1, 1, "ke atas", None],
    ]
    assert problems_of(good(ind=rows)) == (
        'Indikator baris 2, kolom "sasaran_strategis": kosong',
        'Indikator baris 3, kolom "indikator": kosong',
        'Indikator baris 3, kolom "satuan": kosong',
        'Indikator baris 3, kolom "target_tahunan": kosong',
        'Indikator baris 3, kolom "arah": tulis "naik" atau "turun" (bukan "ke atas")',
    )


def test_bad_money() -> None:
    rows: list[list[Any]] = [
        ["P1", -5, 0],
        ["P2", "1.000.000,50", None],
        ["P3", "satu juta", datetime(2026, 1, 5)],
        [None, 10, 5],
    ]
    assert problems_of(good(bud=rows)) == (
        'Anggaran baris 2, kolom "pagu": tidak boleh negatif ("-5")',
        'Anggaran baris 3, kolom "pagu": tulis rupiah penuh tanpa sen ("1.000.000,50")',
        'Anggaran baris 3, kolom "realisasi": kosong (tulis 0 bila belum ada realisasi)',
        'Anggaran baris 4, kolom "pagu": bukan jumlah rupiah ("satu juta")',
        'Anggaran baris 4, kolom "realisasi": bukan jumlah rupiah ("2026-01-05T00:00:00")',
        'Anggaran baris 5, kolom "program_kegiatan": kosong',
    )


def test_column_twice() -> None:
    header = [*IND_HEADER, "realisasi"]
    assert problems_of(good(ind=[], ind_header=header)) == (
        'Indikator baris 1: kolom "realisasi" muncul dua kali (kolom F dan I)',
    )


def test_problems_in_both_sheets_are_reported_together() -> None:
    rows = [[None, "Indikator 1", "%", "x", 1, 1, None, None]]
    assert problems_of(good(ind=rows, bud=[["P", "y", 1]])) == (
        'Indikator baris 2, kolom "sasaran_strategis": kosong',
        'Indikator baris 2, kolom "target_tahunan": bukan angka ("x")',
        'Anggaran baris 2, kolom "pagu": bukan jumlah rupiah ("y")',
    )


# --- bad files -----------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_inflating() -> None:
    buffer = io.BytesIO(good())
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.bin", b"\0" * (51 * 1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 200_000  # small on the wire
    assert problems_of(data) == (
        "isi file .xlsx terlalu besar setelah diekstrak (51 MB, batas 50 MB); file ditolak",
    )


def test_too_many_zip_members() -> None:
    buffer = io.BytesIO(good())
    with zipfile.ZipFile(buffer, "a") as archive:
        for i in range(20):
            archive.writestr(f"xl/media/x{i}.bin", b"x")
    assert problems_of(buffer.getvalue(), max_zip_members=15)[0].startswith(
        "file .xlsx berisi terlalu banyak bagian ("
    )


def test_too_many_rows() -> None:
    rows = [["S", f"Indikator {i}", "%", 1, 1, 1, None, None] for i in range(11)]
    assert problems_of(good(ind=rows), max_rows=10) == (
        "Indikator: terlalu banyak baris (lebih dari 10); file ditolak",
    )


def test_too_big_a_file() -> None:
    assert problems_of(good(), max_file_bytes=1000)[0].startswith("file terlalu besar (")


def test_not_an_xlsx() -> None:
    assert problems_of(b"just text") == (
        "file ini bukan .xlsx yang sah (bukan arsip Office Open XML)",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert problems_of(buffer.getvalue())[0].startswith("file .xlsx tidak dapat dibaca (")


def test_unsupported_extension() -> None:
    assert problems_of(good(), "data.xls") == (
        'format ".xls" tidak didukung; kirim file .xlsx atau .csv',
    )


# --- bad csv -------------------------------------------------------------------------------

CSV_HEADER = (
    "bagian;sasaran_strategis;indikator;satuan;target_tahunan;target_triwulan;realisasi;"
    "program_kegiatan;pagu"
)


def test_csv_problems() -> None:
    text = "\n".join(
        [
            CSV_HEADER,
            "Indikator;S;I1;%;95;47,5;sembilan;;",
            "Biaya;;;;;;;X;1",
            ";S;I2;%;1;1;1;;",
            "Anggaran;;;;;;1.000;P;1.000.000,-",
            "Anggaran;;;;;;;Q;5",
        ]
    )
    assert problems_of(text.encode(), "d.csv") == (
        'CSV baris 3, kolom "bagian": tulis "Indikator" atau "Anggaran" (bukan "Biaya")',
        'CSV baris 4, kolom "bagian": kosong',
        'Indikator baris 2, kolom "realisasi": bukan angka ("sembilan")',
        'Anggaran baris 6, kolom "realisasi": kosong (tulis 0 bila belum ada realisasi)',
    )


def test_csv_missing_columns() -> None:
    text = "bagian;indikator;satuan;realisasi;program_kegiatan\nIndikator;I;%;1;\n"
    assert problems_of(text.encode(), "d.csv") == (
        'Indikator baris 1: kolom "sasaran_strategis" tidak ada (judul kolom yang diharapkan: '
        '"Sasaran Strategis")',
        'Indikator baris 1: kolom "target_tahunan" tidak ada (judul kolom yang diharapkan: '
        '"Target Tahunan")',
        'Indikator baris 1: kolom "target_triwulan" tidak ada (judul kolom yang diharapkan: '
        '"Target Triwulan")',
        'Anggaran baris 1: kolom "pagu" tidak ada (judul kolom yang diharapkan: "Pagu (Rp)")',
    )


def test_csv_of_neither_sheet_empty_or_not_text() -> None:
    assert problems_of(b"realisasi;nama\n1;I\n", "d.csv") == (
        'CSV baris 1: judul kolom bukan judul lembar "Indikator" atau lembar "Anggaran" dari '
        "/templat; kirim kedua lembar sebagai dua file CSV",
    )
    assert problems_of(b"indikator;pagu;realisasi\nI;1;1\n", "d.csv") == (
        'CSV baris 1: judul kolom bukan judul lembar "Indikator" atau lembar "Anggaran" dari '
        "/templat; kirim kedua lembar sebagai dua file CSV",
    )
    assert problems_of(b"\n \n", "d.csv") == ("CSV: file kosong (tidak ada baris judul kolom)",)
    assert problems_of(b"Indikator Kinerja;Satuan\n\x81\x8d;%\n", "d.csv") == (
        'CSV: bukan teks UTF-8 atau Windows-1252; simpan ulang dari Excel sebagai "CSV UTF-8"',
    )


# --- Excel's CSV: each sheet of the template saved as its own file ----------------------------

EXCEL_INDICATOR_CSV = (
    "Sasaran Strategis;Indikator Kinerja;Satuan;Target Tahunan;Target Triwulan;Realisasi;"
    "Arah (naik/turun);Keterangan\r\n"
    "Meningkatnya mutu layanan desa;Pelayanan d\xe9sa tepat waktu;%;95;47,5;44,2;naik;\r\n"
    ";Jumlah temuan BPK;temuan;0;0;0;turun;\r\n"
)
EXCEL_BUDGET_CSV = (
    "Program/Kegiatan;Pagu (Rp);Realisasi (Rp)\r\n"
    "Program Penunjang Urusan Pemerintahan;1.250.000.000;512.345.000\r\n"
)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: ("\ufeff" + text).encode("utf-8"),  # Excel's "CSV UTF-8"
        lambda text: text.encode("cp1252"),  # Excel's plain "CSV" on Windows
    ],
    ids=["utf8-bom", "windows-1252"],
)
def test_excel_saves_each_sheet_as_its_own_csv(encode: Any) -> None:
    indicators = read_sheet(encode(EXCEL_INDICATOR_CSV), "Indikator.csv")
    assert indicators.waiting_for() == "Anggaran"
    assert indicators.indicators == (
        IndicatorRow(
            "Meningkatnya mutu layanan desa",
            "Pelayanan d\xe9sa tepat waktu",
            "%",
            D(95),
            D("47.5"),
            D("44.2"),
            True,
        ),
        IndicatorRow(
            "Meningkatnya mutu layanan desa",
            "Jumlah temuan BPK",
            "temuan",
            D(0),
            D(0),
            D(0),
            False,
        ),
    )
    budget = read_sheet(encode(EXCEL_BUDGET_CSV), "Anggaran.csv")
    assert budget.waiting_for() == "Indikator"
    assert budget.budget == (
        BudgetRow("Program Penunjang Urusan Pemerintahan", 1_250_000_000, 512_345_000),
    )
    for first, second in ((indicators, budget), (budget, indicators)):
        joined = join_parts(first, second)
        assert joined == SheetData(indicators.indicators, budget.budget)
        assert joined.waiting_for() is None
        assert read_xlsx(sheet_workbook(joined)) == joined
    assert join_parts(indicators, indicators) is None


def test_excel_csv_problems_name_the_sheet_row_and_column() -> None:
    text = EXCEL_INDICATOR_CSV + ";Indikator X;%;-1;5;lima;naik;\r\n"
    assert problems_of(text.encode(), "Indikator.csv") == (
        'Indikator baris 4, kolom "target_tahunan": tidak boleh negatif ("-1")',
        'Indikator baris 4, kolom "realisasi": bukan angka ("lima")',
    )
    missing = "Program/Kegiatan;Realisasi (Rp)\r\nP;5\r\n"
    assert problems_of(missing.encode(), "Anggaran.csv") == (
        'Anggaran baris 1: kolom "pagu" tidak ada (judul kolom yang diharapkan: "Pagu (Rp)")',
    )
    example = (
        "Program/Kegiatan;Pagu (Rp);Realisasi (Rp)\r\n"
        "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat;"
        "1.250.000.000;512.345.000\r\n"
    )
    assert problems_of(example.encode(), "Anggaran.csv") == (
        f'Anggaran baris 2, kolom "program_kegiatan": {EXAMPLE_LEFT_IN}',
    )


def test_csv_too_many_rows() -> None:
    text = CSV_HEADER + "\n" + "Indikator;S;I;%;1;1;1;;\n" * 30
    assert problems_of(text.encode(), "d.csv", max_rows=10) == (
        "CSV: terlalu banyak baris (lebih dari 20); file ditolak",
    )


# --- the words: the message catalogue ---------------------------------------------------------


def test_every_issue_has_its_message_and_every_message_its_issue() -> None:
    keys = {
        k.removeprefix("documents.sheet.error.")
        for k in CATALOGUE
        if k.startswith("documents.sheet.error.")
    }
    assert keys == {issue.value for issue in SheetIssue}


def test_a_problem_in_english_still_names_the_row_and_the_column() -> None:
    rows = [["Sasaran A", "Indikator 1", "%", "-5", "5", "lima", None, None]]
    with pytest.raises(SheetError) as info:
        read_xlsx(good(ind=rows))
    assert [
        CATALOGUE.plain("en", f"documents.sheet.error.{p.key.value}", **p.values)
        for p in info.value.problems
    ] == [
        'Indikator row 2, column "target_tahunan": must not be negative ("-5")',
        'Indikator row 2, column "realisasi": not a number ("lima")',
    ]
