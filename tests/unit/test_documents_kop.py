"""The kop's agency name: one line at the largest size that fits, or clean breaks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.documents.kop import (
    AGENCY_MIN_PT,
    AGENCY_PT,
    TEXT_WIDTH_PT,
    FittedLines,
    fit_lines,
    text_width_pt,
)

D = Decimal


def _fits(fitted: FittedLines) -> bool:
    return all(text_width_pt(line, fitted.size_pt) <= TEXT_WIDTH_PT for line in fitted.lines)


def test_widths_are_times_new_roman_bold() -> None:
    # 'D' 1479 + 'I' 797 + ... in units of 2048 per em: "DINAS KESEHATAN" is 9.64 em
    assert round(text_width_pt("DINAS KESEHATAN", D(16)), 1) == D("154.3")
    assert text_width_pt("W", D(10)) == text_width_pt("É", D(10))  # unknown: widest capital
    assert round(TEXT_WIDTH_PT, 1) == D("354.9")  # 12,9 cm less the cell margins


def test_a_short_name_keeps_the_full_size() -> None:
    assert fit_lines("DINAS KESEHATAN", AGENCY_PT, AGENCY_MIN_PT) == FittedLines(
        ("DINAS KESEHATAN",), D(16)
    )


def test_a_long_name_shrinks_to_one_line() -> None:
    name = "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"
    fitted = fit_lines(name, AGENCY_PT, AGENCY_MIN_PT)
    assert fitted == FittedLines((name,), D("14.5"))
    assert _fits(fitted)
    assert text_width_pt(name, fitted.size_pt + D("0.5")) > TEXT_WIDTH_PT  # the largest


@pytest.mark.parametrize(
    "name",
    [
        "DINAS PEMBERDAYAAN PEREMPUAN, PERLINDUNGAN ANAK, PENGENDALIAN PENDUDUK DAN "
        "KELUARGA BERENCANA",
        "BADAN PERENCANAAN PEMBANGUNAN, PENELITIAN DAN PENGEMBANGAN DAERAH",
        "DINAS KOPERASI, USAHA KECIL DAN MENENGAH, PERINDUSTRIAN DAN PERDAGANGAN",
    ],
)
def test_a_name_too_long_for_one_line_breaks_without_an_orphan_word(name: str) -> None:
    fitted = fit_lines(name, AGENCY_PT, AGENCY_MIN_PT)
    assert len(fitted.lines) >= 2
    assert " ".join(fitted.lines) == name
    assert all(len(line.split()) >= 2 for line in fitted.lines)
    assert fitted.size_pt >= AGENCY_MIN_PT and _fits(fitted)


def test_the_two_lines_are_balanced() -> None:
    fitted = fit_lines(
        "BADAN PERENCANAAN PEMBANGUNAN, PENELITIAN DAN PENGEMBANGAN DAERAH",
        AGENCY_PT,
        AGENCY_MIN_PT,
    )
    assert fitted.lines == (
        "BADAN PERENCANAAN PEMBANGUNAN,",
        "PENELITIAN DAN PENGEMBANGAN DAERAH",
    )


def test_configured_lines_are_kept_exactly() -> None:
    lines = ("DINAS KEPENDUDUKAN DAN", "PENCATATAN SIPIL")
    fitted = fit_lines("DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", AGENCY_PT, AGENCY_MIN_PT, lines)
    assert fitted == FittedLines(lines, D(16))
