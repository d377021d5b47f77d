"""Word files to upload and ways to read them back.

Three kinds of .docx, each for its own purpose:
- `tiny_docx`: a zip with a `word/document.xml` and nothing else. Enough for the bot's
  file check and for byte-for-byte comparison; LibreOffice cannot convert it.
- `real_docx`: one paragraph written by python-docx, for tests that convert or merge it.
- `report_docx`: a real report with a heading, made once per text so that every upload of
  it carries the same bytes (python-docx stamps the time into the zip): the crash rig
  compares runs, and the hostile-file tests compare stored files.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


def tiny_docx(text: str) -> bytes:
    """A minimal but real .docx (a zip with word/document.xml), the same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def real_docx(text: str) -> bytes:
    """A .docx made by python-docx: LibreOffice converts it and the final report merges it."""
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def report_docx(text: str) -> bytes:
    """A real .docx (Word can open it, and the final report can merge it); made once, so
    every run of the case uploads the same bytes."""
    document = Document()
    document.add_heading("Laporan Kinerja Triwulan II", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell_texts(table: Any) -> list[str]:
    parts: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            parts.append(cell.text)
            if id(cell._tc) not in seen:  # a merged cell repeats; its nested tables once
                seen.add(id(cell._tc))
                for nested in cell.tables:
                    parts += _cell_texts(nested)
    return parts


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, nested tables included (the approval
    sheet's signature block), then each section's footer (its verification box), one
    per line (what the reader sees)."""
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += _cell_texts(table)
    for footer in section_footers(data):  # the approval sheet's verification box
        parts += footer
    return "\n".join(parts)


def _blocks(container: Any) -> list[Paragraph | Table]:
    out: list[Paragraph | Table] = []
    for child in container.iter_inner_content():
        out.append(child)
    return out


def _walk(container: Any, texts: list[str]) -> None:
    for block in _blocks(container):
        if isinstance(block, Paragraph):
            texts.append(block.text)
        else:
            for row in block.rows:
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats
                        continue
                    seen.add(id(cell._tc))
                    _walk(cell, texts)


def paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text in document order, table cells included (row by row)."""
    texts: list[str] = []
    _walk(Document(io.BytesIO(data)), texts)
    return texts


def section_footers(data: bytes) -> list[list[str]]:
    """Each section's footer (the one on its ordinary pages) as `paragraphs` reads a body;
    a footer linked to the previous section's reads as that one."""
    out: list[list[str]] = []
    for section in Document(io.BytesIO(data)).sections:
        texts: list[str] = []
        _walk(section.footer, texts)
        out.append(texts)
    return out


def comparable(data: bytes) -> list[str]:
    """Non-empty paragraph texts with whitespace collapsed: for comparing two renders."""
    return [" ".join(p.split()) for p in paragraphs(data) if p.strip()]
