"""The DAFTAR ISI lines the PDF pass fills: found by style, numbered after the tab."""

from __future__ import annotations

import io

from docx import Document

from bot.documents import demo
from bot.documents.render import render_approval, render_report
from bot.documents.toc import TOC_STYLE, fill_toc, toc_titles

TITLES = [
    "KATA PENGANTAR",
    "DAFTAR ISI",
    "BAB I PENDAHULUAN",
    "1.1 Latar Belakang",
    "1.2 Isu Strategis",
    "1.3 Maksud dan Tujuan",
    "BAB II PERENCANAAN KINERJA",
    "2.1 Perjanjian Kinerja",
    "BAB III AKUNTABILITAS KINERJA",
    "3.1 Capaian Kinerja",
    "3.2 Realisasi Anggaran",
    "3.3 Hambatan dan Kendala",
    "3.4 Upaya yang Telah Dilakukan",
    "3.5 Rencana Tindak Lanjut",
    "BAB IV PENUTUP",
    "LEMBAR PENGESAHAN",
]


def _toc_lines(docx: bytes) -> list[str]:
    document = Document(io.BytesIO(docx))
    return [
        p.text for p in document.paragraphs if p.style is not None and p.style.name == TOC_STYLE
    ]


def test_the_report_lists_its_headings_with_empty_page_numbers() -> None:
    docx = render_report(demo.report())
    assert toc_titles(docx) == TITLES
    assert _toc_lines(docx) == [f"{title}\t" for title in TITLES]


def test_fill_toc_writes_each_number_after_the_tab() -> None:
    docx = render_report(demo.report())
    pages = [2, 3, 4, 4, 4, 4, 5, 5, 6, 6, 7, 7, 7, 7, 8, None]
    filled = fill_toc(docx, pages)
    assert _toc_lines(filled) == [
        f"{title}\t{'' if page is None else page}"
        for title, page in zip(TITLES, pages, strict=True)
    ]
    assert toc_titles(filled) == TITLES  # a second fill finds the same lines
    assert _toc_lines(fill_toc(filled, [1] * len(TITLES))) == [f"{t}\t1" for t in TITLES]


def test_a_document_without_a_toc_or_not_a_docx() -> None:
    assert toc_titles(render_approval(demo.approval())) == []
    assert toc_titles(b"%PDF-1.7") == []
