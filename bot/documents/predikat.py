"""Predikat bands: which capaian earns "Sangat Baik" down to "Sangat Kurang".

Configurable per agency (`[documents.predikat]`), checked at start for gaps and overlaps.
Apart from the arithmetic in `capaian` so that the report model can hold its bands
without importing the arithmetic that reads the model's rows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

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
