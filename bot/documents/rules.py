"""The agency's capaian rules: predikat bands, the target-0 rule and the average's cap.

Practice differs between Pemda, so each choice that is not arithmetic is configured
(`[documents]`) and printed in the report's note under the table: a reader checking the
figures sees which rule made them. Apart from the arithmetic in `capaian`, like the
bands, so that the report model can carry the rules without importing what reads it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from bot.documents.predikat import DEFAULT_BANDS, PredikatBands

__all__ = ["DEFAULT_RULES", "CapaianRules", "TargetZeroRule"]


class TargetZeroRule(enum.StrEnum):
    """How a lower-is-better indicator with target 0 ("jumlah temuan") is judged.

    A ratio to 0 does not exist, yet "no findings" is the most common target of such an
    indicator. `BINER` (the default) judges it as met or not: realisasi 0 is 100 %, above
    0 is 0 %. `TIDAK_DIUKUR` leaves it unmeasured, as some Inspektorat prefer. A
    higher-is-better indicator with target 0 is unmeasurable under either rule.
    """

    BINER = "biner"
    TIDAK_DIUKUR = "tidak_diukur"


@dataclass(frozen=True, slots=True)
class CapaianRules:
    bands: PredikatBands = DEFAULT_BANDS
    target_zero: TargetZeroRule = TargetZeroRule.BINER
    # Each capaian counts at most this much in the average (100: over-achievement does
    # not hide an under-achieving indicator). None: averaged as computed. The table
    # always shows each capaian as computed.
    average_cap: Decimal | None = None


DEFAULT_RULES: Final = CapaianRules()
