"""Uploaded files are judged by their bytes; names are only shown, never used as paths."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.core.filecheck import (
    DRAFT_KINDS,
    PROOF_KINDS,
    SHEET_KINDS,
    judge,
    safe_filename,
    sniff,
    zip_bomb,
)


def office(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    inner = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner, "<x/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("laporan.docx", "laporan.docx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sari\\draf TW2.docx", "draf TW2.docx"),
        ("draf\x00\x07\u202e.docx", "draf.docx"),
        ("", "berkas"),
        (None, "berkas"),
        ("...", "berkas"),
        ("a" * 300 + ".docx", "a" * 115 + ".docx"),
    ],
)
def test_safe_filename(name: str | None, expected: str) -> None:
    assert safe_filename(name) == expected


def test_sniff_reads_the_content_not_the_name() -> None:
    assert sniff(b"%PDF-1.7 ...") == "pdf"
    assert sniff(office("docx")) == "docx"
    assert sniff(office("xlsx")) == "xlsx"
    assert sniff(b"\xff\xd8\xff\xe0....") == "jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "png"
    assert sniff(b"hello") is None


def test_a_zip_bomb_is_refused() -> None:
    bomb = office("docx", {"word/media/huge.bin": b"\0" * 210_000_000})
    assert len(bomb) < 1_000_000
    assert zip_bomb(bomb)
    assert judge("bom.docx", bomb, DRAFT_KINDS).problem == "unsafe"
    assert not zip_bomb(office("docx"))


@pytest.mark.parametrize(
    ("name", "data", "allowed", "ok", "problem"),
    [
        ("draf.docx", office("docx"), DRAFT_KINDS, True, None),
        ("draf.pdf", b"%PDF-1.4 x", DRAFT_KINDS, True, None),
        ("draf.docx", b"%PDF-1.4 x", DRAFT_KINDS, False, "not_what_it_claims"),
        ("draf.docx", b"not a zip at all", DRAFT_KINDS, False, "not_what_it_claims"),
        ("draf.exe", b"MZ\x90\x00", DRAFT_KINDS, False, "type_refused"),
        ("draf.docx", b"", DRAFT_KINDS, False, "empty"),
        ("foto.jpg", b"\xff\xd8\xff\xe0 x", PROOF_KINDS, True, None),
        ("foto.jpg", b"\xff\xd8\xff\xe0 x", DRAFT_KINDS, False, "type_refused"),
        ("data.xlsx", office("xlsx"), SHEET_KINDS, True, None),
        ("data.csv", b"indikator;target\nA;1\n", SHEET_KINDS, True, None),
        ("lama.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 x", DRAFT_KINDS, False, "cannot_convert"),
    ],
)
def test_judge(
    name: str, data: bytes, allowed: tuple[str, ...], ok: bool, problem: str | None
) -> None:
    verdict = judge(name, data, allowed)
    assert (verdict.ok, verdict.problem) == (ok, problem)


def test_an_old_word_file_is_accepted_for_conversion_where_libreoffice_exists() -> None:
    verdict = judge(
        "lama.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 x", DRAFT_KINDS, can_convert=True
    )
    assert verdict.ok and verdict.needs_conversion
