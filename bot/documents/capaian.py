"""Capaian kinerja, predikat and budget absorption: pure arithmetic in Decimal.

These numbers end up in a report the Kadin signs, so every edge has an explicit answer
instead of an exception or a float artefact: a target of 0 or a realisation not yet in
gives "no capaian" with the reason printed in the table, never a ZeroDivisionError or
an invented 0 %. Percentages are rounded half-up to two decimals (the way the officers'
own spreadsheets do it) *before* the predikat is judged, so the table and the rating
never disagree about a value such as 90,995.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from bot.documents.model import BudgetRow, IndicatorRow
from bot.documents.predikat import DEFAULT_BANDS, PredikatBands

__all__ = [
    "NO_REALISASI",
    "PAGU_ZERO",
    "TARGET_NEGATIVE",
    "TARGET_ZERO",
    "BudgetResult",
    "BudgetTotals",
    "Capaian",
    "CapaianSummary",
    "IndicatorResult",
    "budget_totals",
    "compute_capaian",
    "evaluate_budget",
    "evaluate_indicator",
    "percent",
    "summarize",
]

HUNDRED: Final = Decimal(100)
_CENT: Final = Decimal("0.01")

# The reasons printed in the "keterangan" column when there is no capaian.
TARGET_ZERO: Final = "target 0"
TARGET_NEGATIVE: Final = "target negatif"
NO_REALISASI: Final = "belum ada realisasi"
PAGU_ZERO: Final = "pagu 0"


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Capaian:
    """A percentage, or None with the reason why there is none."""

    value: Decimal | None
    reason: str | None = None


def compute_capaian(
    target: Decimal, realisasi: Decimal | None, higher_is_better: bool = True
) -> Capaian:
    """realisasi / target × 100, or (target − (realisasi − target)) / target × 100.

    The lower-is-better formula (PermenPAN-RB 53/2014's for "indikator negatif") can go
    below zero when the realisation is more than twice the target; that is kept, not
    clamped: a negative capaian is what the formula says and it rates Sangat Kurang.
    A negative target has no meaningful ratio and is reported like a zero one.
    """
    if target == 0:
        return Capaian(None, TARGET_ZERO)
    if target < 0:
        return Capaian(None, TARGET_NEGATIVE)
    if realisasi is None:
        return Capaian(None, NO_REALISASI)
    gap = realisasi - target
    ratio = realisasi / target if higher_is_better else (target - gap) / target
    return Capaian(_round(ratio * HUNDRED))


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole × 100 rounded to two decimals; None for a zero whole."""
    if whole == 0:
        return None
    return _round(Decimal(part) / Decimal(whole) * HUNDRED)


# --- rows --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    row: IndicatorRow
    capaian: Capaian
    predikat: str | None


def evaluate_indicator(row: IndicatorRow, bands: PredikatBands = DEFAULT_BANDS) -> IndicatorResult:
    capaian = compute_capaian(row.target_triwulan, row.realisasi, row.higher_is_better)
    return IndicatorResult(row, capaian, bands.predikat(capaian.value))


@dataclass(frozen=True, slots=True)
class CapaianSummary:
    """The one sentence above the table: how many indicators, their mean capaian."""

    count: int
    measured: int
    average: Decimal | None
    predikat: str | None


def summarize(
    results: Iterable[IndicatorResult], bands: PredikatBands = DEFAULT_BANDS
) -> CapaianSummary:
    items = list(results)
    values = [r.capaian.value for r in items if r.capaian.value is not None]
    average = _round(sum(values, Decimal(0)) / len(values)) if values else None
    return CapaianSummary(len(items), len(values), average, bands.predikat(average))


@dataclass(frozen=True, slots=True)
class BudgetResult:
    row: BudgetRow
    persen: Decimal | None  # None when the pagu is 0
    sisa: int  # pagu − realisasi; negative when over-spent, shown as such


def evaluate_budget(row: BudgetRow) -> BudgetResult:
    return BudgetResult(row, percent(row.realisasi, row.pagu), row.pagu - row.realisasi)


@dataclass(frozen=True, slots=True)
class BudgetTotals:
    pagu: int
    realisasi: int
    sisa: int
    persen: Decimal | None


def budget_totals(rows: Iterable[BudgetRow]) -> BudgetTotals:
    items = list(rows)
    pagu = sum(r.pagu for r in items)
    realisasi = sum(r.realisasi for r in items)
    return BudgetTotals(pagu, realisasi, pagu - realisasi, percent(realisasi, pagu))
