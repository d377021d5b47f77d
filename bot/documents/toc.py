"""DAFTAR ISI page numbers in the PDF, by rendering twice.

`soffice --convert-to` never updates an index, and a TOC field set to update when opened
makes Word ask every reader. So the report's table of contents is plain paragraphs in
the "Daftar Isi" style, each "title<TAB>page" with the page empty; after a first PDF, each
title's page is read from the PDF (the first page after the TOC showing that heading),
written into the page run, and the PDF is made again. Filling in numbers does not change
the layout (the numbers sit at the right-hand tab stop of lines that exist already), so
the second PDF's headings are on the pages the first one showed.

Printed page numbers count from the cover (the footer's PAGE field), so page n of the
PDF is printed as n.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

__all__ = ["TOC_STYLE", "fill_toc", "heading_pages", "toc_titles"]

log = logging.getLogger(__name__)

TOC_STYLE: Final = "Daftar Isi"


def _toc_paragraphs(document: DocxDocument) -> list[Paragraph]:
    return [
        p
        for p in document.paragraphs
        if p.style is not None and p.style.name == TOC_STYLE and "\t" in p.text
    ]


def toc_titles(docx: bytes) -> list[str]:
    """The titles the TOC lists, in order; [] for a document without one (or unreadable)."""
    if not docx.startswith(b"PK"):
        return []
    try:
        document = Document(io.BytesIO(docx))
    except Exception:  # python-docx/lxml raise many types on odd files; no TOC then
        log.warning("could not read the document for its table of contents", exc_info=True)
        return []
    return [" ".join(p.text.split("\t")[0].split()) for p in _toc_paragraphs(document)]


def _normalized(text: str) -> str:
    return " " + " ".join(text.split()) + " "


def heading_pages(pdf: bytes, titles: Sequence[str]) -> list[int | None]:
    """The printed page of each title: the first page at or after the previous title's
    that shows it, not counting the TOC's own pages (those showing most titles); the
    TOC's heading itself is on the TOC's first page. None where a heading is missing."""
    pages = [_normalized(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]
    wanted = [_normalized(t) for t in titles]
    toc = {i for i, page in enumerate(pages) if 2 * sum(t in page for t in wanted) > len(wanted)}
    found: list[int | None] = []
    start = 0
    for title in wanted:
        page = next(
            (i for i in range(start, len(pages)) if i not in toc and title in pages[i]),
            None,
        )
        if page is None and toc and pages[min(toc)].startswith(title):
            page = min(toc)  # "DAFTAR ISI": the heading of the TOC's own page
        if page is not None:
            start = page
        found.append(None if page is None else page + 1)
    return found


def _set_page(paragraph: Paragraph, number: str) -> None:
    """Puts `number` after the line's last tab, in the run that follows it (a restyled
    template re-saved by Word or LibreOffice may have merged or dropped that run)."""
    runs = paragraph.runs
    tab_at = max(i for i, run in enumerate(runs) if "\t" in run.text)
    tab_run = runs[tab_at]
    head, _, _ = tab_run.text.rpartition("\t")
    tab_run.text = head + "\t"
    after = runs[tab_at + 1 :]
    if after:
        after[0].text = number
        for run in after[1:]:
            run.text = ""
    else:
        paragraph.add_run(number)


def fill_toc(docx: bytes, pages: Sequence[int | None]) -> bytes:
    """The document with each TOC line's page number set (blank where unknown)."""
    document = Document(io.BytesIO(docx))
    for paragraph, page in zip(_toc_paragraphs(document), pages, strict=True):
        _set_page(paragraph, "" if page is None else str(page))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
