"""Capaian kinerja, predikat and budget absorption: pure arithmetic in Decimal.

These numbers end up in a report the Kadin signs, so every edge has an explicit answer
instead of an exception or a float artefact: a realisation not yet in, or a target of 0
where no rule gives it a meaning, gives "no capaian" with the reason printed in the
table, never a ZeroDivisionError or an invented 0 %. A lower-is-better target of 0 is
judged by the configured `TargetZeroRule`, its reason printed beside the figure.
Percentages are rounded half-up to two decimals (the way the officers' own spreadsheets
do it) *before* the predikat is judged, so the table and the rating never disagree
about a value such as 90,995.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from bot.documents.model import BudgetRow, IndicatorRow
from bot.documents.rules import DEFAULT_RULES, CapaianRules, TargetZeroRule

__all__ = [
    "NO_REALISASI",
    "PAGU_ZERO",
    "TARGET_NEGATIVE",
    "TARGET_ZERO",
    "TARGET_ZERO_MET",
    "TARGET_ZERO_MISSED",
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

# The reasons printed in the "keterangan" column: why there is no capaian, or how a
# target of 0 was judged.
TARGET_ZERO: Final = "target 0"
TARGET_ZERO_MET: Final = "target 0 tercapai (realisasi 0), dinilai 100%"
TARGET_ZERO_MISSED: Final = "target 0 tidak tercapai (realisasi di atas 0), dinilai 0%"
TARGET_NEGATIVE: Final = "target negatif"
NO_REALISASI: Final = "belum ada realisasi"
PAGU_ZERO: Final = "pagu 0"


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Capaian:
    """A percentage, or None; `reason` says why there is none or how it was judged."""

    value: Decimal | None
    reason: str | None = None


def compute_capaian(
    target: Decimal,
    realisasi: Decimal | None,
    higher_is_better: bool = True,
    target_zero: TargetZeroRule = TargetZeroRule.BINER,
) -> Capaian:
    """realisasi / target × 100, or (target − (realisasi − target)) / target × 100.

    The lower-is-better formula (PermenPAN-RB 53/2014's for "indikator negatif") can go
    below zero when the realisation is more than twice the target; that is kept, not
    clamped: a negative capaian is what the formula says and it rates Sangat Kurang.
    Above 100 % is kept too (the table shows what was achieved; only the average may be
    capped, see `summarize`). A negative target has no meaningful ratio and is
    reported like an unmeasurable zero one. A lower-is-better target of 0 is met or
    not under `TargetZeroRule.BINER`: realisasi 0 (or less) is 100 %, above 0 is 0 %.
    """
    if target < 0:
        return Capaian(None, TARGET_NEGATIVE)
    binary = target == 0 and not higher_is_better and target_zero is TargetZeroRule.BINER
    if target == 0 and not binary:
        return Capaian(None, TARGET_ZERO)
    if realisasi is None:
        return Capaian(None, NO_REALISASI)
    if binary:
        if realisasi <= 0:
            return Capaian(_round(HUNDRED), TARGET_ZERO_MET)
        return Capaian(_round(Decimal(0)), TARGET_ZERO_MISSED)
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


def evaluate_indicator(row: IndicatorRow, rules: CapaianRules = DEFAULT_RULES) -> IndicatorResult:
    capaian = compute_capaian(
        row.target_triwulan, row.realisasi, row.higher_is_better, rules.target_zero
    )
    return IndicatorResult(row, capaian, rules.bands.predikat(capaian.value))


@dataclass(frozen=True, slots=True)
class CapaianSummary:
    """The sentence above the table and Tabel 3.2: how many indicators, their mean
    capaian, and how many fall in each predikat band (highest first)."""

    count: int
    measured: int
    average: Decimal | None
    predikat: str | None
    distribution: tuple[tuple[str, int], ...]

    @property
    def unmeasured(self) -> int:
        return self.count - self.measured


def summarize(
    results: Iterable[IndicatorResult], rules: CapaianRules = DEFAULT_RULES
) -> CapaianSummary:
    """The mean of the measured capaian, each first capped at `rules.average_cap` when
    one is configured; the distribution counts each indicator's own predikat."""
    items = list(results)
    values = [r.capaian.value for r in items if r.capaian.value is not None]
    cap = rules.average_cap
    counted = [min(v, cap) for v in values] if cap is not None else values
    average = _round(sum(counted, Decimal(0)) / len(counted)) if counted else None
    counts = {band.label: 0 for band in rules.bands.bands}
    for r in items:
        if r.predikat is not None:
            counts[r.predikat] += 1
    return CapaianSummary(
        len(items), len(values), average, rules.bands.predikat(average), tuple(counts.items())
    )


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
