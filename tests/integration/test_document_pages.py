"""The rendered pages, read back from real PDFs: what a reviewer holding the paper sees.

The .docx text tests say what is in a document; these say where it lands. Every document
of a small matrix (1, 7 and 14 officers on the approval sheet; 1, 25 and 60 indicators
in the report; the disposition sheet; the final report, a report with its approval sheet
appended; names and titles up to 120 characters) goes through LibreOffice, each shape
once, and each page's text is read with pypdf. Rows carry unique start and end marks ("PN07A" ...
"PN07Z"): a row cut at a page break shows its marks on two pages. The PDFs (and PNGs of
their pages where poppler's `pdftoppm` is installed) are kept in `test-output/pages/`
(git-ignored) for a reviewer to look at.
"""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from pypdf import PdfReader

from bot.documents import demo
from bot.documents.model import IndicatorRow, ParafEntry, Signatory
from bot.documents.pdf import PdfConverter
from bot.documents.render import (
    build_final_report,
    render_approval,
    render_disposition,
    render_report,
)
from bot.documents.verification import verification_link
from tests.support.qr import can_render_pages, qr_codes, text_tops

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "pages"
SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")

pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; run .ci/install-system-deps to enable",
)

_FILLER = (
    "Kepala Bidang Pencegahan dan Pengendalian Penyakit Menular serta Penanggulangan "
    "Krisis Kesehatan Daerah pada Dinas Kesehatan Kabupaten Sukamaju Provinsi Jawa Barat "
    "yang juga merangkap Pelaksana Tugas"
)


def marked(tag: str, length: int) -> str:
    """ "PN07A Kepala Bidang ... PN07Z", `length` characters (at least the two marks)."""
    start, end = f"{tag}A", f"{tag}Z"
    room = max(length - len(start) - len(end) - 2, 0)
    middle = _FILLER[:room].rstrip()
    return f"{start} {middle} {end}" if middle else f"{start} {end}"


# --- the matrix ------------------------------------------------------------------------------

LONG_KADIN = Signatory(
    name=marked("KN", 60),
    pangkat="Pembina Utama Muda (IV/c)",
    nip="19720315 199803 2 004",
    jabatan=(
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamaju Provinsi Jawa Barat"
    ),
)


LONG_AGENCY = "Dinas Kependudukan dan Pencatatan Sipil"  # wrapped before the kop was fitted
VERY_LONG_AGENCY = (
    "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana"
)


BOT = "SukamajuSopBot"
LINK: Final = verification_link(BOT, demo.approval().verification_code)


def approval(officers: int, length: int) -> bytes:
    start = datetime(2026, 7, 8, 2, 0, tzinfo=UTC)
    paraf = tuple(
        ParafEntry(
            i,
            marked(f"PN{i:02d}", length),
            marked(f"PJ{i:02d}", length),
            start + timedelta(hours=i),
            "Pemeriksaan oleh Kepala Bidang",
        )
        for i in range(1, officers + 1)
    )
    long = length > 40
    letterhead = replace(demo.LETTERHEAD, agency=LONG_AGENCY) if long else demo.LETTERHEAD
    sheet = replace(
        demo.approval(paraf=paraf),
        kadin=LONG_KADIN if long else demo.KADIN,
        letterhead=letterhead,
        verification_link=LINK,
    )
    return render_approval(sheet)


def disposition() -> bytes:
    letterhead = replace(demo.LETTERHEAD, agency=VERY_LONG_AGENCY)
    return render_disposition(replace(demo.disposition(), letterhead=letterhead))


def report(indicators: int, length: int) -> bytes:
    rows = tuple(
        IndicatorRow(
            marked(f"SS{(i - 1) // 5 + 1:02d}", min(length, 90)),
            marked(f"IK{i:02d}", length),
            "%",
            Decimal(100),
            Decimal(50),
            Decimal(40 + i % 15),
            higher_is_better=i % 4 != 0,
        )
        for i in range(1, indicators + 1)
    )
    long = length > 40
    kadin = LONG_KADIN if long else demo.KADIN
    letterhead = replace(demo.LETTERHEAD, agency=LONG_AGENCY) if long else demo.LETTERHEAD
    return render_report(replace(demo.report(indicators=rows), kadin=kadin, letterhead=letterhead))


def final(indicators: int, officers: int) -> bytes:
    """The report as signed, the approval sheet appended (what goes to the Bupati)."""
    return build_final_report(report(indicators, 120), approval(officers, 120)).report


@dataclass(frozen=True)
class Case:
    make: Callable[[], bytes]  # the .docx, rendered only when the PDFs are made
    kadin: Signatory
    officers: int = 0  # rows of the paraf table
    indicators: int = 0  # rows of Tabel 2.1 and 3.1
    kop: str | None = None  # the agency's name as the kop of the first page prints it


LONG_KOP = LONG_AGENCY.upper()
CASES: Final = {
    "pengesahan_01_pendek": Case(lambda: approval(1, 20), demo.KADIN, officers=1),
    "pengesahan_07_panjang": Case(lambda: approval(7, 120), LONG_KADIN, officers=7, kop=LONG_KOP),
    "pengesahan_14_panjang": Case(
        lambda: approval(14, 120), LONG_KADIN, officers=14, kop=LONG_KOP
    ),
    "laporan_01_pendek": Case(lambda: report(1, 30), demo.KADIN, indicators=1),
    "laporan_25_panjang": Case(lambda: report(25, 120), LONG_KADIN, indicators=25, kop=LONG_KOP),
    "laporan_60_panjang": Case(lambda: report(60, 120), LONG_KADIN, indicators=60, kop=LONG_KOP),
    "disposisi_nama_panjang": Case(disposition, demo.KADIN),
    "final_25_07_panjang": Case(
        lambda: final(25, 7), LONG_KADIN, officers=7, indicators=25, kop=LONG_KOP
    ),
}
NAMES = list(CASES)
# the final report is a report and, from the sheet's page on, an approval sheet
APPROVALS = [n for n in NAMES if n.startswith(("pengesahan", "final"))]
REPORTS = [n for n in NAMES if n.startswith(("laporan", "final"))]
KOPS = [n for n in NAMES if CASES[n].kop is not None]


@dataclass(frozen=True)
class Rendered:
    name: str
    case: Case
    pages: tuple[str, ...]  # each page's text, whitespace collapsed
    lines: tuple[tuple[str, ...], ...]  # each page's text lines, as printed
    pdf: bytes

    def on(self, text: str) -> list[int]:
        """The pages (0-based) whose text holds `text`."""
        return [i for i, page in enumerate(self.pages) if text in page]

    def rows_whole(self, tags: list[str]) -> None:
        """Each row's start and end marks on the same pages: no row split."""
        for tag in tags:
            starts, ends = self.on(f"{tag}A"), self.on(f"{tag}Z")
            assert starts, f"{self.name}: row {tag} not found"
            assert starts == ends, f"{self.name}: row {tag} split: {starts} / {ends}"

    def header_on_every_page(self, header: str, tags: list[str]) -> None:
        """Every page holding a row starts that table's part with its header row."""
        pages = sorted({page for tag in tags for page in self.on(f"{tag}A")})
        for page in pages:
            text = self.pages[page]
            first_row = min(text.index(f"{t}A") for t in tags if f"{t}A" in text)
            assert header in text[:first_row], f"{self.name}: no header on page {page + 1}"

    def together(self, pieces: list[str]) -> int:
        """All pieces on one page (the first page holding the first piece)."""
        where = {piece: self.on(piece) for piece in pieces}
        assert all(where.values()), f"{self.name}: missing {where}"
        page = where[pieces[0]][0]
        assert all(page in found for found in where.values()), f"{self.name}: apart {where}"
        return page


def _page_texts(pdf: bytes) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() or "" for page in reader.pages]
    return (
        tuple(" ".join(text.split()) for text in texts),
        tuple(tuple(" ".join(line.split()) for line in text.splitlines()) for text in texts),
    )


def _keep(name: str, pdf: bytes) -> None:
    """The PDF, and a PNG per page where pdftoppm exists, for a reviewer."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.pdf"
    path.write_bytes(pdf)
    if PDFTOPPM is not None:
        subprocess.run(
            [PDFTOPPM, "-png", "-r", "60", str(path), str(OUTPUT / name)],
            check=False,
            capture_output=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Every case through LibreOffice once, two at a time (the CI machine has two cores)."""

    async def convert_all() -> list[bytes | None]:
        converter = PdfConverter(
            work_root=tmp_path_factory.mktemp("lo"), max_parallel=2, timeout=300
        )
        try:
            return await asyncio.gather(
                *(converter.convert(c.make(), name) for name, c in CASES.items())
            )
        finally:
            converter.close()

    pdfs = asyncio.run(convert_all())
    out: dict[str, Rendered] = {}
    for (name, case), pdf in zip(CASES.items(), pdfs, strict=True):
        assert pdf is not None, f"{name}: LibreOffice made no PDF"
        _keep(name, pdf)
        out[name] = Rendered(name, case, *_page_texts(pdf), pdf)
    return out


def _signature(kadin: Signatory) -> list[str]:
    return [kadin.jabatan.upper(), kadin.name, kadin.pangkat, f"NIP {kadin.nip}"]


# --- every document --------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_no_template_tag_is_left(rendered: dict[str, Rendered], name: str) -> None:
    for number, page in enumerate(rendered[name].pages, start=1):
        assert "{{" not in page and "{%" not in page, f"{name}, page {number}"


# --- the approval sheet ----------------------------------------------------------------------

PARAF_HEADER = "Nama dan NIP"


@pytest.mark.parametrize("name", APPROVALS)
def test_paraf_rows_whole_with_the_header_on_every_page(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    n = doc.case.officers
    tags = [f"{kind}{i:02d}" for i in range(1, n + 1) for kind in ("PN", "PJ")]
    doc.rows_whole(tags)
    doc.header_on_every_page(PARAF_HEADER, tags)


@pytest.mark.parametrize("name", APPROVALS)
def test_signature_block_on_one_page_with_the_last_paraf_row(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    last = f"PN{doc.case.officers:02d}Z"
    doc.together([last, "Ditetapkan di Sukamaju", "pada tanggal", *_signature(doc.case.kadin)])


# --- the report ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_indicator_rows_whole_with_the_header_on_every_page(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    n = doc.case.indicators
    rows = [f"IK{i:02d}" for i in range(1, n + 1)]
    groups = sorted({f"SS{(i - 1) // 5 + 1:02d}" for i in range(1, n + 1)})
    doc.rows_whole(rows + groups)
    doc.header_on_every_page("Indikator Kinerja", rows)
    # Tabel 3.1 (the second time each indicator is printed) has the capaian header
    for i in range(1, n + 1):
        page = doc.on(f"IK{i:02d}A")[-1]
        assert "Capaian (%)" in doc.pages[page], f"{name}: IK{i:02d} without header"


@pytest.mark.parametrize("name", REPORTS)
def test_predikat_distribution_stays_with_its_caption(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    doc.together(["Tabel 3.2 Sebaran Predikat Capaian", "Jumlah Indikator", "Belum dapat diukur"])


@pytest.mark.parametrize("name", REPORTS)
def test_foreword_signature_block_on_one_page(rendered: dict[str, Rendered], name: str) -> None:
    doc = rendered[name]
    page = doc.together(["Sukamaju, 8 Juli 2026", *_signature(doc.case.kadin)])
    assert "KATA PENGANTAR" in doc.pages[page]


# --- the kop ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KOPS)
def test_kop_prints_a_long_agency_name_on_one_line(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    first_page = doc.lines[0]
    assert CASES[name].kop in first_page, first_page[:6]
    assert "PEMERINTAH KABUPATEN SUKAMAJU" in first_page
    # every kop (the final report's appended sheet has its own) prints the name whole
    kops = [lines for lines in doc.lines if "PEMERINTAH KABUPATEN SUKAMAJU" in lines]
    assert all(CASES[name].kop in lines for lines in kops), name
    if name.startswith("final"):
        assert len(kops) == 2, len(kops)  # the cover's and the sheet's


def test_kop_breaks_a_very_long_name_without_an_orphan_word(
    rendered: dict[str, Rendered],
) -> None:
    lines = rendered["disposisi_nama_panjang"].lines[0]
    start = lines.index("PEMERINTAH KABUPATEN SUKAMAJU") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("Jalan"))
    name = lines[start:end]
    assert " ".join(name) == VERY_LONG_AGENCY.upper()
    assert len(name) >= 2 and all(len(line.split()) >= 2 for line in name), name


_TOC_LINE = re.compile(r"^(.*?)\.{3,}\s*(\d*)$")


@pytest.mark.parametrize("name", REPORTS)
def test_toc_numbers_are_the_pages_of_the_headings(
    rendered: dict[str, Rendered], name: str
) -> None:
    doc = rendered[name]
    toc_page = next(i for i, lines in enumerate(doc.lines) if lines[:1] == ("DAFTAR ISI",))
    entries = [m.groups() for line in doc.lines[toc_page] if (m := _TOC_LINE.match(line))]
    assert [title for title, _ in entries][:3] == [
        "KATA PENGANTAR",
        "DAFTAR ISI",
        "BAB I PENDAHULUAN",
    ]
    for title, number in entries:
        if title == "LEMBAR PENGESAHAN":  # appended to the final report, after the signature
            sheet = [i for i in doc.on(title) if i > toc_page]
            assert number == (str(sheet[-1] + 1) if sheet else ""), f"{name}: {number}"
            continue
        if title == "DAFTAR ISI":
            assert number == str(toc_page + 1)
            continue
        # a chapter starts its page; a section is the first page after the TOC showing it
        later = range(toc_page + 1, len(doc.pages))
        if title.startswith("BAB "):
            page = next(i for i in later if doc.pages[i].startswith(title))
        elif title == "KATA PENGANTAR":
            page = next(i for i in range(toc_page) if doc.pages[i].startswith(title))
        else:
            page = next(i for i in later if title in doc.pages[i])
        assert number == str(page + 1), f"{name}: {title} printed {number}, is on {page + 1}"


def test_disposition_signature_block_on_one_page(rendered: dict[str, Rendered]) -> None:
    doc = rendered["disposisi_nama_panjang"]
    doc.together(["Sukamaju, 23 Juni 2026", "Paraf: RW", demo.KADIN.name, "NIP"])


def test_disposition_is_one_sheet_of_paper(rendered: dict[str, Rendered]) -> None:
    """A disposition sheet travels clipped to its letter: one page, so none of its rows
    (the letter's fields, the addressees, the instruction) can be cut at a page break."""
    doc = rendered["disposisi_nama_panjang"]
    assert len(doc.pages) == 1, f"{len(doc.pages)} pages"
    assert "LEMBAR DISPOSISI" in doc.pages[0] and "Sukamaju, 23 Juni 2026" in doc.pages[0]


# --- the QR verification box -----------------------------------------------------------------

FOOT = 0.82  # the QR starts below 82 % of the page's height: in the footer, under the text


@pytest.mark.skipif(not can_render_pages(), reason="no poppler (pdftoppm)")
@pytest.mark.parametrize("name", APPROVALS)
def test_the_qr_is_at_the_foot_of_every_page_of_the_sheet_below_the_signature(
    rendered: dict[str, Rendered], name: str
) -> None:
    """The box sits in the page's footer: at the foot of each page of the approval sheet
    (not on the report's pages before it), decoding to the deep link, and below the
    signature block, never in the signature's space."""
    doc = rendered[name]
    first_sheet_page = doc.on("LEMBAR PENGESAHAN")[-1]
    for page in range(len(doc.pages)):
        codes = qr_codes(doc.pdf, page + 1)
        if page < first_sheet_page:
            assert codes == [], f"{name}: a QR on page {page + 1}, before the sheet"
            continue
        assert [code.text for code in codes] == [LINK], f"{name}, page {page + 1}"
        assert codes[0].top > FOOT, f"{name}, page {page + 1}: QR top at {codes[0].top:.2f}"
        assert "Pindai untuk memeriksa keaslian persetujuan" in doc.pages[page]
    signed = doc.together([f"PN{doc.case.officers:02d}Z", f"NIP {doc.case.kadin.nip}"])
    [nip] = text_tops(doc.pdf, signed + 1, f"NIP {doc.case.kadin.nip}")
    assert qr_codes(doc.pdf, signed + 1)[0].top > nip, f"{name}: the QR is not below the NIP"
