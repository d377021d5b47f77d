"""Generates the .docx templates in `templates/` and the sample files in `templates/demo/`.

The .docx files are the source an agency restyles in Word; this script is how they were
first made and how they can be made again (`python scripts/make_templates.py`), e.g.
after a change of context variables. It overwrites the templates, so an agency's own
restyled copies belong under another name or in version control.

Conventions every template follows (see PITFALLS.md, docxtpl):

* explicit fonts with metric-compatible free packages (Arial -> Liberation Sans,
  Times New Roman -> Liberation Serif) on every style and on the document defaults,
  theme fonts removed, so LibreOffice lays the PDF out like Word does;
* `{%tr for ... %}` / `{%tr endfor %}` alone in their own table rows, `{%p if ... %}`
  alone in their own paragraphs, spaces inside every delimiter;
* text in Indonesian, A4 paper, language set to id-ID for Word's spell-checker.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.documents import demo  # noqa: E402
from bot.documents.kop import KOP_LOGO_WIDTH_CM, KOP_TEXT_WIDTH_CM  # noqa: E402
from bot.documents.sheet import write_sheet  # noqa: E402
from bot.documents.toc import TOC_STYLE  # noqa: E402

TEMPLATES = ROOT / "templates"
DEMO = TEMPLATES / "demo"

SANS = "Arial"
SERIF = "Times New Roman"
BODY_PT = 11
TABLE_PT = 9

Line = tuple[str, dict[str, Any]]  # a signature block's line: text and options

# --- document-wide setup ------------------------------------------------------------------


def _set_rfonts(rpr: Any, font: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)


def _fix_styles(doc: Any, font: str) -> None:
    """Replaces every theme font (Calibri/Cambria) by `font`, and headings' blue by black."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr, font)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "id-ID")
    for rfonts in styles.iter(qn("w:rFonts")):
        parent = rfonts.getparent()
        _set_rfonts(parent, font)
    for color in styles.iter(qn("w:color")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
        color.set(qn("w:val"), "000000")
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for name, size, align in (
        ("Heading 1", 13, WD_ALIGN_PARAGRAPH.CENTER),
        ("Heading 2", 11, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        style = doc.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.alignment = align
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
        style.paragraph_format.keep_with_next = True


def new_document(font: str = SANS) -> Any:
    doc = Document()
    _fix_styles(doc, font)
    _page(doc.sections[0], landscape=False)
    props = doc.core_properties
    props.author = ""
    props.comments = ""
    props.language = "id-ID"
    # The python-docx template ships with one empty paragraph; start from nothing.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


# --- small builders ------------------------------------------------------------------------


def para(
    container: Any,
    text: str = "",
    *,
    bold: bool = False,
    size: float | None = None,
    align: Any = None,
    font: str | None = None,
    style: str | None = None,
    space_after: float | None = None,
    space_before: float | None = None,
    indent_cm: float | None = None,
    underline: bool = False,
    italic: bool = False,
    keep_with_next: bool = False,
) -> Any:
    p = container.add_paragraph(style=style) if style else container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            _set_rfonts(run._r.get_or_add_rPr(), font)
    fmt = p.paragraph_format
    if align is not None:
        fmt.alignment = align
    if space_after is not None:
        fmt.space_after = Pt(space_after)
    if space_before is not None:
        fmt.space_before = Pt(space_before)
    if indent_cm is not None:
        fmt.left_indent = Cm(indent_cm)
    if keep_with_next:
        fmt.keep_with_next = True
    return p


def tag(container: Any, text: str) -> Any:
    """A paragraph holding only a docxtpl `{%p ... %}` tag (removed at render time)."""
    return para(container, text, space_after=0)


def _cell_margins_zero(p: Any) -> None:
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    p.paragraph_format.line_spacing = 1.0


def cell_text(
    cell: Any,
    text: str,
    *,
    bold: bool = False,
    size: float = TABLE_PT,
    align: Any = None,
) -> Any:
    p = cell.paragraphs[0]
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.font.size = Pt(size)
    if align is not None:
        p.paragraph_format.alignment = align
    _cell_margins_zero(p)
    return p


def cell_para(cell: Any, text: str, *, bold: bool = False, size: float = TABLE_PT) -> Any:
    p = cell.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.font.size = Pt(size)
    _cell_margins_zero(p)
    return p


def table(doc: Any, widths_cm: list[float], *, grid: bool = True, container: Any = None) -> Any:
    """A table of fixed column widths in the body, or nested in `container` (a cell)."""
    t = (container or doc).add_table(rows=0, cols=len(widths_cm))
    if grid:
        t.style = doc.styles["Table Grid"]
    t.autofit = False
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(t.columns, widths_cm, strict=True):
        column.width = Cm(width)
    return t


def add_row(t: Any, widths_cm: list[float]) -> Any:
    """A row that never splits across pages (`w:cantSplit`, which Word and LibreOffice
    both honour): a paraf row or an indicator cut in two is what reviewers send back."""
    row = t.add_row()
    for cell, width in zip(row.cells, widths_cm, strict=True):
        cell.width = Cm(width)
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return row


def repeat_header(row: Any) -> None:
    """Marks a header row to repeat on every page (it never splits, as every row)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def keep_with_next(rows: Any) -> None:
    """Every paragraph of `rows` keeps with the next one: the rows stay on the page of
    what follows them (the next row, or the table after the last one)."""
    for row in rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True


def keep_together(t: Any) -> None:
    """A small table (up to ~8 rows) on one page, and with the caption before it."""
    keep_with_next(list(t.rows)[:-1])


def shade(cell: Any, fill: str = "D9D9D9") -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def header_row(t: Any, widths: list[float], labels: list[str]) -> None:
    """The shaded header: repeated on every page, never alone at a page foot."""
    row = add_row(t, widths)
    repeat_header(row)
    keep_with_next([row])
    for cell, label in zip(row.cells, labels, strict=True):
        cell_text(cell, label, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        shade(cell)


def _tag_row(t: Any, widths: list[float], text: str) -> None:
    cell_text(add_row(t, widths).cells[0], text)


def _data_row(t: Any, widths: list[float], cells: list[tuple[str, Any]]) -> Any:
    data = add_row(t, widths)
    for cell, (text, align) in zip(data.cells, cells, strict=True):
        cell_text(cell, text, align=align)
    return data


def loop_rows(t: Any, widths: list[float], loop: str, cells: list[tuple[str, Any]]) -> Any:
    """The three-row shape docxtpl repeats: `{%tr for %}`, the data row, `{%tr endfor %}`."""
    _tag_row(t, widths, f"{{%tr for {loop} %}}")
    data = _data_row(t, widths, cells)
    _tag_row(t, widths, "{%tr endfor %}")
    return data


def _no_borders_no_margins(cell: Any) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tcpr.append(borders)
    margins = OxmlElement("w:tcMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tcpr.append(margins)


def last_row_with_signature(
    doc: Any,
    t: Any,
    widths: list[float],
    last: str,
    cells: list[tuple[str, Any]],
    signature: list[Line],
) -> None:
    """The table's last data row and the signature block in one row that cannot split.

    Keep-with-next from a table's last row to what follows is ignored by LibreOffice
    (the page check caught "KEPALA DINAS" alone on the next page), so the last row is
    a nested table inside one borderless, unsplittable row, followed there by the
    signature block; `{%p if last %}` drops the nested row when there is none.
    """
    row = add_row(t, widths)
    merged = row.cells[0].merge(row.cells[-1])
    _no_borders_no_margins(merged)
    tag_p = merged.paragraphs[0]
    tag_p.add_run(f"{{%p if {last} %}}")
    _cell_margins_zero(tag_p)
    nested = table(doc, widths, container=merged)
    _data_row(nested, widths, cells)
    endif_p = merged.paragraphs[-1]
    endif_p.add_run("{%p endif %}")
    _cell_margins_zero(endif_p)
    signature_block(doc, signature, container=merged)
    _cell_margins_zero(merged.paragraphs[-1])


def bottom_rule(p: Any) -> None:
    """The double line under a letterhead (thick over thin)."""
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap")
    bottom.set(qn("w:sz"), "18")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    border.append(bottom)
    ppr.append(border)


def page_break(doc: Any) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def page_field(p: Any) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    p._p.append(fld)


def _page(section: Any, landscape: bool) -> None:
    short, long = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
    section.left_margin, section.right_margin = (
        (Cm(2.5), Cm(2.5)) if landscape else (Cm(3), Cm(2.5))
    )


def landscape_section(doc: Any) -> None:
    """A new section on a new page in landscape; footers stay linked to the first one."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    _page(section, landscape=True)


def portrait_section(doc: Any) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    _page(section, landscape=False)


def letterhead(doc: Any) -> None:
    """The kop (Permendagri 1/2023): the logo (if any) beside "PEMERINTAH ...", the
    agency's name, address with telephone and facsimile, website and e-mail, over a
    double rule. The region and the name come as RichText at the size
    `bot.documents.kop` fitted to this cell's width, so the name never wraps."""
    widths = [KOP_LOGO_WIDTH_CM, KOP_TEXT_WIDTH_CM]
    t = table(doc, widths, grid=False)
    row = add_row(t, widths)
    cell_text(row.cells[0], "{{ logo }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    right = row.cells[1]
    center = WD_ALIGN_PARAGRAPH.CENTER
    p = cell_text(right, "", align=center)
    p.add_run("{{r kop_region_line }}")
    p = cell_para(right, "")
    p.paragraph_format.alignment = center
    p.add_run("{{r kop_agency_lines }}")
    p = cell_para(right, "{{ kop_address }}", size=9)
    p.paragraph_format.alignment = center
    p = cell_para(right, "{{ kop_contact }}", size=9)
    p.paragraph_format.alignment = center
    rule = para(doc, "", space_after=6)
    bottom_rule(rule)


def signature_block(
    doc: Any, lines: list[Line], *, space_before: float = 10, container: Any = None
) -> Any:
    """The signature block on the right half: one borderless one-row table whose row
    cannot split, so place and date, jabatan, the space to sign, name, pangkat and NIP
    always share a page (paragraph keep-with-next chains alone did not hold)."""
    widths = [7.5, 8.0]
    t = table(doc, widths, grid=False, container=container)
    row = add_row(t, widths)
    cell = row.cells[1]
    first = cell.paragraphs[0]
    for i, (text, options) in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        if text:
            run = p.add_run(text)
            run.bold = options.get("bold") or None
            run.italic = options.get("italic") or None
            run.underline = options.get("underline") or None
            run.font.size = Pt(options.get("size", BODY_PT))
        fmt = p.paragraph_format
        fmt.space_before = Pt(options.get("space_before", space_before if i == 0 else 0))
        fmt.space_after = Pt(options.get("space_after", 0))
        fmt.line_spacing = 1.0
    return t


def kadin_signature(place_and_date: list[str]) -> list[Line]:
    """Place and date, the Kadin's jabatan, room to sign, name, pangkat, NIP."""
    return [
        *[(line, {}) for line in place_and_date],
        ("{{ kadin_jabatan_upper }},", {"bold": True}),
        ("", {"space_after": 36}),
        ("{{ kadin.name }}", {"bold": True, "underline": True}),
        ("{{ kadin.pangkat }}", {}),
        ("NIP {{ kadin.nip }}", {}),
    ]


# --- Lembar Disposisi ---------------------------------------------------------------------


def lembar_disposisi() -> Any:
    doc = new_document()
    letterhead(doc)
    para(
        doc, "LEMBAR DISPOSISI", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8
    )
    widths = [3.2, 4.6, 3.2, 4.5]
    t = table(doc, widths)
    fields = [
        ("Surat dari", "{{ letter.sender }}", "Diterima tanggal", "{{ letter.date_received }}"),
        ("Nomor surat", "{{ letter.number }}", "Nomor agenda", "{{ letter.agenda_number }}"),
        ("Tanggal surat", "{{ letter.date }}", "Sifat", "{{ urgency_boxes }}"),
    ]
    for a, b, c, d in fields:
        row = add_row(t, widths)
        for cell, text, bold in zip(
            row.cells, (a, b, c, d), (True, False, True, False), strict=True
        ):
            cell_text(cell, text, bold=bold, size=10)
    row = add_row(t, widths)
    cell_text(row.cells[0], "Perihal", bold=True, size=10)
    merged = row.cells[1].merge(row.cells[3])
    cell_text(merged, "{{ letter.subject }}", size=10)
    keep_together(t)

    para(doc, "", space_after=4)
    widths2 = [7.8, 7.7]
    t2 = table(doc, widths2)
    row = add_row(t2, widths2)
    left, right = row.cells
    cell_text(left, "Diteruskan kepada Sdr.:", bold=True, size=10)
    tag(left, "{%p for name in disposition_to %}")
    cell_para(left, "{{ loop.index }}. {{ name }}", size=10)
    tag(left, "{%p endfor %}")
    cell_text(right, "Isi disposisi / instruksi:", bold=True, size=10)
    cell_para(right, "{{ instruction }}", size=10)
    row = add_row(t2, widths2)
    merged = row.cells[0].merge(row.cells[1])
    cell_text(merged, "Catatan:", bold=True, size=10)
    cell_para(merged, "{{ note }}", size=10)
    row = add_row(t2, widths2)
    merged = row.cells[0].merge(row.cells[1])
    cell_text(merged, "Batas waktu: {{ due }}", size=10)
    keep_together(t2)

    signature_block(
        doc,
        [
            ("{{ city }}, {{ disposition_date }}", {}),
            ("pukul {{ disposition_time }}", {}),
            ("{{ by.jabatan }},", {"bold": True, "space_after": 6}),
            ("Paraf: {{ by_initials }}", {"bold": True, "size": 14, "space_after": 6}),
            ("{{ by.name }}", {"bold": True, "underline": True}),
            ("NIP {{ by.nip }}", {}),
        ],
    )
    para(
        doc,
        "Disposisi ini dicatat secara elektronik; paraf di atas menggantikan paraf basah.",
        size=8,
        italic=True,
        space_before=6,
    )
    return doc


# --- Laporan Kinerja ------------------------------------------------------------------------

_PLAN_LABELS = ["No", "Sasaran Strategis", "Indikator Kinerja", "Satuan", "Target Tahunan"]
_ACHIEVEMENT_LABELS = [
    "Sasaran Strategis",
    "Indikator Kinerja",
    "Satuan",
    "Target Tahunan",
    "Target {{ period_label }}",
    "Realisasi",
    "Capaian (%)",
    "Predikat",
    "Keterangan",
]
_BUDGET_LABELS = ["Program/Kegiatan", "Pagu (Rp)", "Realisasi (Rp)", "%", "Sisa (Rp)"]


def laporan_kinerja() -> Any:
    doc = new_document()
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    footer = section.footer.paragraphs[0]
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run("Laporan Kinerja {{ period_label }} Tahun {{ year }} – halaman ")
    run.font.size = Pt(8)
    page_field(footer)

    center = WD_ALIGN_PARAGRAPH.CENTER
    left = WD_ALIGN_PARAGRAPH.LEFT
    right = WD_ALIGN_PARAGRAPH.RIGHT
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY

    # Cover
    para(doc, "", space_after=60)
    para(
        doc, "LAPORAN KINERJA {{ period_title }}", bold=True, size=16, align=center, space_after=6
    )
    para(doc, "{{ period_months }}", size=12, align=center, space_after=48)
    tag(doc, "{%p if logo %}")
    para(doc, "{{ logo }}", align=center, space_after=48)
    tag(doc, "{%p endif %}")
    para(doc, "{{ kop_agency }}", bold=True, size=16, align=center, space_after=4, space_before=60)
    para(doc, "{{ kop_region }}", bold=True, size=14, align=center, space_after=4)
    para(doc, "{{ year }}", bold=True, size=14, align=center)

    # Kata Pengantar
    h = para(doc, "KATA PENGANTAR", style="Heading 1")
    h.paragraph_format.page_break_before = True
    para(
        doc,
        "Puji syukur kami panjatkan ke hadirat Tuhan Yang Maha Esa atas tersusunnya "
        "Laporan Kinerja {{ period_label }} Tahun {{ year }} {{ agency }} {{ region }}.",
        align=justify,
    )
    para(
        doc,
        "Laporan ini merupakan wujud akuntabilitas pelaksanaan tugas dan fungsi "
        "{{ agency }} sebagaimana diamanatkan Peraturan Presiden Nomor 29 Tahun 2014 "
        "tentang Sistem Akuntabilitas Kinerja Instansi Pemerintah dan Peraturan Menteri "
        "PANRB Nomor 53 Tahun 2014, serta menjadi bahan evaluasi dan perbaikan kinerja "
        "pada periode berikutnya.",
        align=justify,
    )
    para(
        doc,
        "Kami menyampaikan terima kasih kepada semua pihak yang telah membantu "
        "penyusunan laporan ini.",
        align=justify,
        space_after=12,
    )
    signature_block(doc, kadin_signature(["{{ city }}, {{ foreword_date }}"]), space_before=0)

    # Daftar Isi: "title<TAB>page"; the PDF gets the page numbers (bot.documents.toc)
    h = para(doc, "DAFTAR ISI", style="Heading 1")
    h.paragraph_format.page_break_before = True
    toc_style = doc.styles.add_style(TOC_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    toc_style.base_style = doc.styles["Normal"]
    toc_style.paragraph_format.tab_stops.add_tab_stop(
        Cm(15.4), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )
    for line, indent in [
        ("KATA PENGANTAR", 0.0),
        ("DAFTAR ISI", 0.0),
        ("BAB I PENDAHULUAN", 0.0),
        ("1.1 Latar Belakang", 0.8),
        ("1.2 Isu Strategis", 0.8),
        ("1.3 Maksud dan Tujuan", 0.8),
        ("BAB II PERENCANAAN KINERJA", 0.0),
        ("2.1 Perjanjian Kinerja", 0.8),
        ("BAB III AKUNTABILITAS KINERJA", 0.0),
        ("3.1 Capaian Kinerja", 0.8),
        ("3.2 Realisasi Anggaran", 0.8),
        ("3.3 Hambatan dan Kendala", 0.8),
        ("3.4 Upaya yang Telah Dilakukan", 0.8),
        ("3.5 Rencana Tindak Lanjut", 0.8),
        ("BAB IV PENUTUP", 0.0),
        ("LEMBAR PENGESAHAN", 0.0),
    ]:
        p = para(doc, line, indent_cm=indent, space_after=2, bold=indent == 0.0, style=TOC_STYLE)
        p.add_run("\t")
        p.add_run("")

    # BAB I
    h = para(doc, "BAB I\nPENDAHULUAN", style="Heading 1")
    h.paragraph_format.page_break_before = True
    para(doc, "1.1 Latar Belakang", style="Heading 2")
    para(doc, "{{ latar_belakang }}", align=justify)
    para(doc, "1.2 Isu Strategis", style="Heading 2")
    para(doc, "{{ isu_strategis }}", align=justify)
    para(doc, "1.3 Maksud dan Tujuan", style="Heading 2")
    para(
        doc,
        "Laporan Kinerja {{ period_label }} Tahun {{ year }} disusun untuk memberikan "
        "informasi kinerja yang terukur atas capaian sasaran strategis {{ agency }} "
        "{{ region }} pada {{ period_months_lower }}, sebagai bahan evaluasi dan "
        "pengambilan keputusan untuk periode berikutnya.",
        align=justify,
    )

    # BAB II
    h = para(doc, "BAB II\nPERENCANAAN KINERJA", style="Heading 1")
    h.paragraph_format.page_break_before = True
    para(doc, "2.1 Perjanjian Kinerja", style="Heading 2")
    para(doc, "{{ perencanaan }}", align=justify)
    para(
        doc,
        "Tabel 2.1 Perjanjian Kinerja Tahun {{ year }}",
        bold=True,
        align=center,
        space_before=6,
        keep_with_next=True,
    )
    widths = [1.0, 4.4, 5.9, 2.2, 2.0]
    t = table(doc, widths)
    header_row(t, widths, _PLAN_LABELS)
    loop_rows(
        t,
        widths,
        "r in plan_rows",
        [
            ("{{ r.no }}", center),
            ("{{ r.sasaran }}", left),
            ("{{ r.indikator }}", left),
            ("{{ r.satuan }}", center),
            ("{{ r.target_tahunan }}", right),
        ],
    )

    # BAB III: landscape, so the nine-column table reads without wrapped numbers
    landscape_section(doc)
    para(doc, "BAB III\nAKUNTABILITAS KINERJA", style="Heading 1")
    para(doc, "3.1 Capaian Kinerja", style="Heading 2")
    para(doc, "{{ capaian_summary }}", align=justify)
    para(
        doc,
        "Tabel 3.1 Capaian Kinerja {{ period_label }} Tahun {{ year }}",
        bold=True,
        align=center,
        space_before=6,
        keep_with_next=True,
    )
    widths = [3.6, 5.4, 2.0, 1.9, 1.9, 1.9, 1.9, 2.2, 3.9]
    t = table(doc, widths)
    header_row(t, widths, _ACHIEVEMENT_LABELS)
    loop_rows(
        t,
        widths,
        "r in capaian_rows",
        [
            ("{{ r.sasaran }}", left),
            ("{{ r.indikator }}", left),
            ("{{ r.satuan }}", center),
            ("{{ r.target_tahunan }}", right),
            ("{{ r.target_triwulan }}", right),
            ("{{ r.realisasi }}", right),
            ("{{ r.capaian }}", right),
            ("{{ r.predikat }}", center),
            ("{{ r.keterangan }}", left),
        ],
    )
    para(
        doc,
        "Predikat capaian: {{ predikat_legend }}. {{ capaian_note }}",
        size=8,
        italic=True,
        space_before=2,
    )

    para(
        doc,
        "Tabel 3.2 Sebaran Predikat Capaian",
        bold=True,
        align=center,
        space_before=6,
        keep_with_next=True,
    )
    widths = [5.0, 3.0]
    t = table(doc, widths)
    header_row(t, widths, ["Predikat", "Jumlah Indikator"])
    loop_rows(
        t,
        widths,
        "b in predikat_counts",
        [
            ("{{ b.label }}", left),
            ("{{ b.count }}", center),
        ],
    )
    row = add_row(t, widths)
    cell_text(row.cells[0], "Belum dapat diukur", align=left)
    cell_text(row.cells[1], "{{ unmeasured_count }}", align=center)
    keep_together(t)

    para(doc, "{{ analisis }}", align=justify, space_before=6)

    para(doc, "3.2 Realisasi Anggaran", style="Heading 2")
    para(doc, "{{ budget_summary }}", align=justify)
    para(
        doc,
        "Tabel 3.3 Realisasi Anggaran {{ period_label }} Tahun {{ year }}",
        bold=True,
        align=center,
        space_before=6,
        keep_with_next=True,
    )
    widths = [10.2, 4.0, 4.0, 2.0, 4.0]
    t = table(doc, widths)
    header_row(t, widths, _BUDGET_LABELS)
    loop_rows(
        t,
        widths,
        "b in budget_rows",
        [
            ("{{ b.program }}", left),
            ("{{ b.pagu }}", right),
            ("{{ b.realisasi }}", right),
            ("{{ b.persen }}", right),
            ("{{ b.sisa }}", right),
        ],
    )
    row = add_row(t, widths)
    for cell, text, align in zip(
        row.cells,
        [
            "Jumlah",
            "{{ budget_total.pagu }}",
            "{{ budget_total.realisasi }}",
            "{{ budget_total.persen }}",
            "{{ budget_total.sisa }}",
        ],
        [center, right, right, right, right],
        strict=True,
    ):
        cell_text(cell, text, bold=True, align=align)
        shade(cell, "F2F2F2")

    para(doc, "3.3 Hambatan dan Kendala", style="Heading 2")
    para(doc, "{{ hambatan }}", align=justify)
    para(doc, "3.4 Upaya yang Telah Dilakukan", style="Heading 2")
    para(doc, "{{ upaya }}", align=justify)
    para(doc, "3.5 Rencana Tindak Lanjut {{ next_period_label }}", style="Heading 2")
    para(doc, "{{ rencana }}", align=justify)

    # BAB IV
    portrait_section(doc)
    para(doc, "BAB IV\nPENUTUP", style="Heading 1")
    para(doc, "{{ penutup }}", align=justify)
    para(
        doc,
        "Laporan Kinerja {{ period_label }} Tahun {{ year }} ini diharapkan menjadi "
        "bahan evaluasi untuk meningkatkan kinerja {{ agency }} {{ region }} pada periode "
        "berikutnya.",
        align=justify,
        space_after=12,
    )
    return doc


# --- Lembar Pengesahan ----------------------------------------------------------------------


def lembar_pengesahan() -> Any:
    doc = new_document()
    letterhead(doc)
    center = WD_ALIGN_PARAGRAPH.CENTER
    left = WD_ALIGN_PARAGRAPH.LEFT
    para(doc, "LEMBAR PENGESAHAN", bold=True, size=13, align=center, space_after=2)
    para(doc, "{{ document_title_upper }}", bold=True, size=11, align=center, space_after=10)

    widths = [4.0, 0.4, 11.1]
    t = table(doc, widths, grid=False)
    for label, value in [
        ("Kode berkas", "{{ case_code }}"),
        ("Periode", "{{ period_label }} Tahun {{ year }}"),
        ("Versi draf", "{{ draft_label }}"),
        ("Sidik draf (SHA-256)", "{{ draft_sha256 }}"),
    ]:
        row = add_row(t, widths)
        cell_text(row.cells[0], label, size=10)
        cell_text(row.cells[1], ":", size=10)
        cell_text(row.cells[2], value, size=10)
    keep_together(t)

    para(doc, "Paraf Koordinasi", bold=True, space_before=10, keep_with_next=True)
    widths = [1.0, 4.4, 4.8, 2.7, 2.6]
    t = table(doc, widths)
    header_row(t, widths, ["No", "Jabatan", "Nama dan NIP", "Paraf", "Tanggal"])

    def paraf_cells(p: str) -> list[tuple[str, Any]]:
        return [
            (f"{{{{ {p}.no }}}}", center),
            (f"{{{{ {p}.jabatan }}}}", left),
            (f"{{{{ {p}.name }}}}\n{{{{ {p}.nip }}}}", left),
            (f"{{{{r {p}.mark }}}}", center),
            (f"{{{{ {p}.when }}}}", left),
        ]

    loop_rows(t, widths, "p in paraf_rest", paraf_cells("p"))
    last_row_with_signature(
        doc,
        t,
        widths,
        "paraf_last",
        paraf_cells("paraf_last"),
        [
            ("Ditetapkan di {{ city }}", {}),
            ("pada tanggal {{ signed_date }}", {"space_after": 6}),
            ("{{ kadin_jabatan_upper }},", {"bold": True}),
            ("{{ approval_wording }}", {"italic": True, "size": 9, "space_before": 8}),
            ("", {"space_after": 8}),
            ("{{ kadin.name }}", {"bold": True, "underline": True}),
            ("{{ kadin.pangkat }}", {}),
            ("NIP {{ kadin.nip }}", {"space_after": 10}),
        ],
    )

    para(doc, "", space_before=0, space_after=0)  # a body ends with a paragraph
    verification_box(doc)
    return doc


def verification_box(doc: Any) -> None:
    """The QR and its code in a bordered box in the page's footer, apart from the signature.

    At the page foot, never in the signature space, so nobody takes the QR for a
    certified electronic signature (TTE); in the footer, so it is at the foot of every
    page of the sheet whatever the number of paraf rows, and never pushed onto a page of
    its own. `bot.documents.render.build_final_report` carries this footer over to the
    sheet's pages when it appends the sheet to a report.
    """
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    holder = footer.paragraphs[0]
    widths = [3.0, 12.5]
    t = footer.add_table(rows=0, cols=len(widths), width=Cm(sum(widths)))
    t.style = doc.styles["Table Grid"]
    t.autofit = False
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(t.columns, widths, strict=True):
        column.width = Cm(width)
    row = add_row(t, widths)
    qr = row.cells[0].paragraphs[0]
    qr.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _cell_margins_zero(qr)
    qr.add_run("{{ verification_qr }}")
    text = row.cells[1]
    cell_text(text, "Pindai untuk memeriksa keaslian persetujuan", bold=True)
    p = cell_para(text, "Kode verifikasi: ")
    run = p.add_run("{{ verification_code }}")
    run.bold = True
    run.font.size = Pt(13)
    run.font.name = "Courier New"
    _set_rfonts(run._r.get_or_add_rPr(), "Courier New")
    note = cell_para(
        text,
        "Kode ini terikat pada kode berkas, sidik draf yang disetujui dan waktu "
        "persetujuan; dokumen yang diubah setelah disetujui tidak cocok dengan kode ini. "
        "Persetujuan ini dicatat oleh aplikasi dan bukan tanda tangan elektronik "
        "tersertifikasi (TTE); periksa dengan memindai kode QR atau mengetik "
        "/verifikasi diikuti kode ini kepada bot.",
        size=8,
    )
    for r in note.runs:
        r.italic = True
    # a footer ends with a paragraph: the empty one python-docx made goes after the box
    holder._p.getparent().remove(holder._p)
    footer._element.append(holder._p)
    _cell_margins_zero(holder)


# --- Laporan Kepatuhan SOP ------------------------------------------------------------------


def laporan_kepatuhan() -> Any:
    """Per SOP the monitoring form of PermenPAN-RB 35/2012 (No, Prosedur, Penilaian
    terhadap penerapan: berjalan / tidak berjalan dengan baik, Catatan hasil penilaian,
    Tindakan yang harus diambil) and the timeline chart; the figures in the annex."""
    doc = new_document()
    letterhead(doc)
    center = WD_ALIGN_PARAGRAPH.CENTER
    left = WD_ALIGN_PARAGRAPH.LEFT
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(doc, "LAPORAN MONITORING PENERAPAN SOP", bold=True, size=13, align=center)
    para(doc, "{{ period_label_upper }}", bold=True, size=11, align=center, space_after=10)
    para(doc, "{{ introduction }}", align=justify, space_after=8)

    tag(doc, "{%p for sop in sops %}")
    para(doc, "{{ sop.heading }}", style="Heading 2")
    para(doc, "Formulir Monitoring SOP", bold=True, size=10, keep_with_next=True)
    widths = [0.9, 4.6, 1.6, 1.6, 4.2, 2.6]
    t = table(doc, widths)
    top = add_row(t, widths)
    repeat_header(top)
    keep_with_next([top])
    labels = [
        "No",
        "Prosedur",
        "Penilaian terhadap penerapan",
        "",
        "Catatan hasil penilaian",
        "Tindakan yang harus diambil",
    ]
    for cell, label in zip(top.cells, labels, strict=True):
        if label:
            cell_text(cell, label, bold=True, align=center)
        shade(cell)
    top.cells[2].merge(top.cells[3])
    header_row(t, widths, ["", "", "Berjalan dengan baik", "Tidak berjalan dengan baik", "", ""])
    loop_rows(
        t,
        widths,
        "row in sop.rows",
        [
            ("{{ row.no }}", center),
            ("{{ row.prosedur }}", left),
            ("{{ row.baik }}", center),
            ("{{ row.tidak_baik }}", center),
            ("{{ row.catatan }}", left),
            ("{{ row.tindakan }}", left),
        ],
    )
    para(doc, "", space_after=4)
    para(doc, "{{ sop.chart }}", align=center, space_after=2, keep_with_next=True)
    para(doc, "{{ sop.chart_caption }}", italic=True, size=9, align=center, space_after=10)
    tag(doc, "{%p endfor %}")

    h = para(doc, "LAMPIRAN: WAKTU KERJA PER LANGKAH", style="Heading 2")
    h.paragraph_format.page_break_before = True
    para(doc, "{{ annex_note }}", size=9, align=justify, space_after=6)
    tag(doc, "{%p for sop in sops %}")
    para(doc, "{{ sop.heading }}", bold=True, size=10, keep_with_next=True)
    widths = [0.8, 4.0, 1.3, 1.6, 1.6, 1.6, 1.5, 1.2, 1.9]
    t = table(doc, widths)
    header_row(
        t,
        widths,
        [
            "No",
            "Langkah",
            "Jumlah",
            "Median",
            "Terlama",
            "Standar waktu",
            "Dalam standar",
            "Kembali",
            "Menunggu",
        ],
    )
    loop_rows(
        t,
        widths,
        "row in sop.annex",
        [
            ("{{ row.no }}", center),
            ("{{ row.langkah }}", left),
            ("{{ row.runs }}", center),
            ("{{ row.median }}", center),
            ("{{ row.longest }}", center),
            ("{{ row.standard }}", center),
            ("{{ row.share }}", center),
            ("{{ row.returns }}", center),
            ("{{ row.waits }}", left),
        ],
    )
    para(doc, "", space_after=8)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ generated }}", italic=True, size=8, space_before=6)
    return doc


# --- sample files ---------------------------------------------------------------------------


def _png(width: int, height: int, pixel: Any) -> bytes:
    """A PNG with no imaging library: the stand-in coat of arms for the demo letterhead."""
    raw = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _shield(x: int, y: int) -> tuple[int, int, int]:
    # A green shield with a gold band on white: recognisably "a logo" in the demo.
    size = 96
    half = size / 2
    width = half - 6 if y < size * 0.55 else (size - y) * 1.05
    inside = abs(x - half) < width
    if not inside or y < 6:
        return (255, 255, 255)
    if 40 <= y <= 52:
        return (212, 175, 55)
    return (20, 110, 60)


def write_samples() -> list[Path]:
    DEMO.mkdir(parents=True, exist_ok=True)
    written = []
    sheet = DEMO / "data_capaian.xlsx"
    write_sheet(sheet, demo.INDICATORS, demo.BUDGET)
    written.append(sheet)
    logo = DEMO / "logo_contoh.png"
    logo.write_bytes(_png(96, 96, _shield))
    written.append(logo)
    return written


def main() -> int:
    TEMPLATES.mkdir(parents=True, exist_ok=True)
    outputs = {
        "lembar_disposisi.docx": lembar_disposisi(),
        "laporan_kinerja.docx": laporan_kinerja(),
        "lembar_pengesahan.docx": lembar_pengesahan(),
        "laporan_kepatuhan.docx": laporan_kepatuhan(),
    }
    for name, doc in outputs.items():
        doc.save(str(TEMPLATES / name))
        print(f"wrote {TEMPLATES / name}")
    for path in write_samples():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
