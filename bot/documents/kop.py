"""The kop (letterhead) lines, laid out before rendering: the agency's name on one line.

The Tata Naskah Dinas of Pemerintah Daerah (Permendagri 1/2023) puts the region's logo on
the left and, beside it, "PEMERINTAH KABUPATEN ...", the agency's name, the address with
telephone and facsimile, the website and e-mail, over a double rule. A long name wrapped
by the word processor ("DINAS KEPENDUDUKAN DAN PENCATATAN / SIPIL") leaves an orphan word
that reviewers send back, and neither Word nor LibreOffice can shrink text to fit. So
the size is chosen here, from the advance widths of the template's kop font (Times New
Roman Bold; Liberation Serif Bold has the same widths): the largest size, down to a
minimum, at which the name fits the kop's text width on one line; below that, the
agency's own line breaks (`[documents.kop] nama_baris`), or a balanced break with at
least two words on every line.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final

__all__ = [
    "AGENCY_MIN_PT",
    "AGENCY_PT",
    "KOP_FONT",
    "KOP_LOGO_WIDTH_CM",
    "KOP_TEXT_WIDTH_CM",
    "NO_KOP",
    "REGION_MIN_PT",
    "REGION_PT",
    "TEXT_WIDTH_PT",
    "FittedLines",
    "KopSettings",
    "fit_lines",
    "text_width_pt",
]

# The kop is a two-column table: the logo cell, then the text cell of this width (the
# template generator builds it from this constant). Word's default cell margins (0.19 cm
# each side) leave the text a little less.
KOP_FONT: Final = "Times New Roman"  # the widths below are of its bold face
KOP_LOGO_WIDTH_CM: Final = 2.6
KOP_TEXT_WIDTH_CM: Final = 12.9
_CELL_MARGINS_CM: Final = 2 * 0.19
_PT_PER_CM: Final = Decimal(72) / Decimal("2.54")
TEXT_WIDTH_PT: Final = (Decimal(str(KOP_TEXT_WIDTH_CM)) - Decimal(str(_CELL_MARGINS_CM))) * (
    _PT_PER_CM
)

AGENCY_PT: Final = Decimal(16)
AGENCY_MIN_PT: Final = Decimal(12)
REGION_PT: Final = Decimal(14)
REGION_MIN_PT: Final = Decimal(11)
_STEP: Final = Decimal("0.5")  # sizes in half points, as Word stores them

# Times New Roman Bold advance widths (units per em 2048) for printable ASCII, in order
# from " " to "~"; other characters count as the widest capital ("W"), so an unusual
# name errs towards a smaller size, never towards a wrapped line.
_UNITS_PER_EM: Final = 2048
# fmt: off
_ADVANCES: Final = (
    512, 682, 1137, 1024, 1024, 2048, 1706, 569, 682, 682, 1024, 1167, 512, 682, 512, 569,
    1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 1024, 682, 682, 1167, 1167, 1167,
    1024, 1905, 1479, 1366, 1479, 1479, 1366, 1251, 1593, 1593, 797, 1024, 1593, 1366,
    1933, 1479, 1593, 1251, 1593, 1479, 1139, 1366, 1479, 1479, 2048, 1479, 1479, 1366,
    682, 569, 682, 1190, 1024, 682, 1024, 1139, 909, 1139, 909, 682, 1024, 1139, 569, 682,
    1139, 569, 1706, 1139, 1024, 1139, 1139, 909, 797, 682, 1139, 1024, 1479, 1024, 1024,
    909, 807, 451, 807, 1065,
)
# fmt: on
_WIDTHS: Final = dict(zip((chr(c) for c in range(32, 127)), _ADVANCES, strict=True))
_WIDEST: Final = max(_WIDTHS.values())


def text_width_pt(text: str, size_pt: Decimal) -> Decimal:
    """The printed width of `text` in Times New Roman Bold at `size_pt`."""
    units = sum(_WIDTHS.get(c, _WIDEST) for c in text)
    return Decimal(units) * size_pt / _UNITS_PER_EM


def _largest_fitting(lines: tuple[str, ...], start: Decimal, minimum: Decimal) -> Decimal | None:
    """The largest size from `start` down to `minimum` (half-point steps) at which every
    line fits the kop's width; None when even `minimum` is too big."""
    widest = max(text_width_pt(line, Decimal(1)) for line in lines)
    if widest == 0:
        return start
    exact = TEXT_WIDTH_PT / widest
    size = min(start, (exact / _STEP).to_integral_value(ROUND_FLOOR) * _STEP)
    return size if size >= minimum else None


@dataclass(frozen=True, slots=True)
class FittedLines:
    lines: tuple[str, ...]
    size_pt: Decimal


def _balanced(words: list[str], count: int) -> tuple[str, ...] | None:
    """`words` in `count` lines of at least two words each, the widest line as narrow as
    possible; None when there are too few words for that."""
    if len(words) < 2 * count:
        return None
    best: tuple[Decimal, tuple[str, ...]] | None = None
    for cuts in itertools.combinations(range(2, len(words) - 1), count - 1):
        bounds = (0, *cuts, len(words))
        if any(b - a < 2 for a, b in itertools.pairwise(bounds)):
            continue
        lines = tuple(" ".join(words[a:b]) for a, b in itertools.pairwise(bounds))
        widest = max(text_width_pt(line, Decimal(1)) for line in lines)
        if best is None or widest < best[0]:
            best = (widest, lines)
    return None if best is None else best[1]


def fit_lines(
    text: str,
    start: Decimal,
    minimum: Decimal,
    configured: tuple[str, ...] = (),
) -> FittedLines:
    """The agency's configured lines when it gave them; else `text` on one line at the
    largest size that fits, down to `minimum`; else the fewest balanced lines without an
    orphan word. Each at the largest size that fits (never below `minimum`: text that
    long wraps where the word processor breaks it)."""
    if configured:
        return FittedLines(configured, _largest_fitting(configured, start, minimum) or minimum)
    one = (text,)
    size = _largest_fitting(one, start, minimum)
    if size is not None:
        return FittedLines(one, size)
    words = text.split()
    for count in range(2, len(words) // 2 + 1):
        lines = _balanced(words, count)
        if lines is None:
            break
        size = _largest_fitting(lines, start, minimum)
        if size is not None:
            return FittedLines(lines, size)
    return FittedLines(one, minimum)


@dataclass(frozen=True, slots=True)
class KopSettings:
    """`[documents.kop]`: what the kop prints besides `[agency]` name, region and address."""

    name_lines: tuple[str, ...] = ()  # the agency's name broken exactly here when too long
    telephone: str = ""
    fax: str = ""
    email: str = ""
    website: str = ""


NO_KOP: Final = KopSettings()
