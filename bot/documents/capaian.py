"""Capaian kinerja, predikat and budget absorption: pure arithmetic in Decimal.

These numbers end up in a report the Kadin signs, so every edge has an explicit answer
instead of an exception or a float artefact: a target of 0 or a realisation not yet in
gives "no capaian" with the reason printed in the table, never a ZeroDivisionError or
an invented 0 %. Percentages are rounded half-up to two decimals (the way the officers'
own spreadsheets do it) *before* the predikat is judged, so the table and the rating
never disagree about a value such as 90,995.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from bot.documents.model import BudgetRow, IndicatorRow

__all__ = [
    "DEFAULT_BANDS",
    "NO_REALISASI",
    "PAGU_ZERO",
    "TARGET_NEGATIVE",
    "TARGET_ZERO",
    "Band",
    "BudgetResult",
    "BudgetTotals",
    "Capaian",
    "CapaianSummary",
    "IndicatorResult",
    "PredikatBands",
    "PredikatBandsError",
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


# --- predikat bands ----------------------------------------------------------------------


class PredikatBandsError(ValueError):
    """Every problem of a band configuration at once, so one edit fixes them all."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class Band:
    label: str
    minimum: Decimal | None  # None: the catch-all bottom band ("<= 50")
    maximum: Decimal | None = None  # shown in the legend only; the top band is open


_NUM: Final = r"-?\d+(?:[.,]\d+)?"
_RANGE_RE: Final = re.compile(rf"^({_NUM})\s*(?:-|–|—|s\.?d\.?|sampai)\s*({_NUM})$", re.I)
_AT_LEAST_RE: Final = re.compile(rf"^(?:>=|≥)\s*({_NUM})$|^({_NUM})\s*\+$")
_AT_MOST_RE: Final = re.compile(rf"^(?:<=|≤)\s*({_NUM})$")


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _parse_band(label: str, spec: object) -> tuple[Band | None, str | None]:
    """One band from its configured value: a lower bound, "91-100", ">=91" or "<=50"."""
    if isinstance(spec, bool):
        return None, f'predikat "{label}": batas {spec!r} bukan angka'
    if isinstance(spec, int | float | Decimal):
        try:
            value = Decimal(str(spec))
        except InvalidOperation:
            return None, f'predikat "{label}": batas {spec!r} bukan angka'
        if not value.is_finite():
            return None, f'predikat "{label}": batas {spec!r} bukan angka'
        return Band(label, value), None
    if not isinstance(spec, str):
        return None, (
            f'predikat "{label}": batas harus angka atau teks seperti "76-90", '
            f'">=91" atau "<=50", bukan {type(spec).__name__}'
        )
    text = spec.strip()
    if m := _RANGE_RE.match(text):
        low, high = _dec(m[1]), _dec(m[2])
        if low > high:
            return None, (
                f'predikat "{label}": batas bawah {m[1]} lebih besar dari batas atas {m[2]}'
            )
        return Band(label, low, high), None
    if m := _AT_LEAST_RE.match(text):
        return Band(label, _dec(m[1] or m[2])), None
    if m := _AT_MOST_RE.match(text):
        return Band(label, None, _dec(m[1])), None
    if re.fullmatch(_NUM, text):
        return Band(label, _dec(text)), None
    return None, (
        f'predikat "{label}": "{spec}" tidak dapat dibaca; tulis seperti "76-90", ">=91", '
        '"<=50" atau satu angka batas bawah'
    )


def _fmt_bound(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")


@dataclass(frozen=True, slots=True)
class PredikatBands:
    """Rating bands, highest first. Each band starts at its minimum (inclusive).

    A value between two written bands (90,50 between "76-90" and "91-100") falls into
    the lower one, as "76 ≤ R < 91" in the Permendagri 86/2017 tables; a capaian above
    the top band's maximum (105 %) still rates as the top band; anything below the
    lowest minimum rates as the lowest band.
    """

    bands: tuple[Band, ...]

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> PredikatBands:
        """Reads `[predikat]` of the configuration: label = "91-100" / ">=91" / "<=50" / 91.

        Raises PredikatBandsError listing every problem (unreadable bound, overlap, gap,
        two bottom bands, fewer than two bands).
        """
        if not isinstance(mapping, Mapping):
            raise PredikatBandsError(
                [f"predikat: harus tabel label = batas, bukan {type(mapping).__name__}"]
            )
        problems: list[str] = []
        parsed: list[Band] = []
        for raw_label, spec in mapping.items():
            label = str(raw_label).strip()
            if not label:
                problems.append("predikat: ada label kosong")
                continue
            band, problem = _parse_band(label, spec)
            if problem:
                problems.append(problem)
            elif band is not None:
                parsed.append(band)
        if len(mapping) < 2:
            problems.append("predikat: paling sedikit dua predikat diperlukan")
        bottoms = [b.label for b in parsed if b.minimum is None]
        if len(bottoms) > 1:
            names = ", ".join(f'"{n}"' for n in bottoms)
            problems.append(f"predikat: lebih dari satu predikat terbawah (<=): {names}")
        seen: dict[Decimal, str] = {}
        for b in parsed:
            if b.minimum is None:
                continue
            if b.minimum in seen:
                problems.append(
                    f'predikat "{b.label}": batas bawah {_fmt_bound(b.minimum)} '
                    f'sama dengan predikat "{seen[b.minimum]}"'
                )
            seen.setdefault(b.minimum, b.label)
        if problems:
            raise PredikatBandsError(problems)

        lowest = Decimal("-Infinity")
        ordered = sorted(parsed, key=lambda b: lowest if b.minimum is None else b.minimum)
        ordered.reverse()
        for higher, lower in itertools.pairwise(ordered):
            assert higher.minimum is not None  # only the last band can be the bottom one
            if lower.maximum is None:
                continue
            if lower.maximum >= higher.minimum:
                problems.append(
                    f'predikat "{lower.label}" ({_fmt_bound(lower.maximum)}) tumpang tindih '
                    f'dengan "{higher.label}" (mulai {_fmt_bound(higher.minimum)})'
                )
            elif higher.minimum - lower.maximum > 1:
                problems.append(
                    f'predikat: celah antara {_fmt_bound(lower.maximum)} ("{lower.label}") '
                    f'dan {_fmt_bound(higher.minimum)} ("{higher.label}")'
                )
        if problems:
            raise PredikatBandsError(problems)
        return cls(tuple(ordered))

    def predikat(self, capaian: Decimal | None) -> str | None:
        if capaian is None:
            return None
        for band in self.bands:
            if band.minimum is None or capaian >= band.minimum:
                return band.label
        return self.bands[-1].label

    def describe(self) -> str:
        """The legend under the table: "91–100 Sangat Baik; …; ≤50 Sangat Kurang"."""
        parts: list[str] = []
        for i, band in enumerate(self.bands):
            if band.minimum is None:
                upper = band.maximum if band.maximum is not None else None
                text = f"≤{_fmt_bound(upper)}" if upper is not None else "lainnya"
            elif i == 0:
                text = (
                    f"{_fmt_bound(band.minimum)}–{_fmt_bound(band.maximum)}"
                    if band.maximum is not None
                    else f"≥{_fmt_bound(band.minimum)}"
                )
            elif band.maximum is not None:
                text = f"{_fmt_bound(band.minimum)}–{_fmt_bound(band.maximum)}"
            else:
                higher_min = self.bands[i - 1].minimum
                assert higher_min is not None
                text = f"{_fmt_bound(band.minimum)}–<{_fmt_bound(higher_min)}"
            parts.append(f"{text} {band.label}")
        return "; ".join(parts)


DEFAULT_BANDS: Final = PredikatBands.from_mapping(
    {
        "Sangat Baik": "91-100",
        "Baik": "76-90",
        "Cukup": "66-75",
        "Kurang": "51-65",
        "Sangat Kurang": "<=50",
    }
)


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
