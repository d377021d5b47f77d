"""Reporting periods and typed dates: what /mulai proposes and what it accepts.

A quarterly report is written after its quarter is over, so the period to propose is the
one that ended most recently: on 6 July that is Triwulan II of this year, on 10 January
Triwulan IV of last year. These are pure functions of the agency's today and the SOP's
periods, tested without a clock or a bot.

Front-office staff copy a letter's date the way it is printed ("1 Juli 2026") or the way
they type dates elsewhere ("1/7/2026", "2026-07-01"); all of these are accepted, day
first, as Indonesian dates are written.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.sop import Period

__all__ = [
    "PeriodChoice",
    "default_period",
    "last_end",
    "ordered_periods",
    "parse_letter_date",
    "plausible_report_year",
    "year_choices",
]

YEARS_BACK = 5
"""How far back a typed report year may go (a late report, never a typo like 2062)."""


@dataclass(frozen=True, slots=True)
class PeriodChoice:
    period: Period
    year: int


def last_end(period: Period, today: date) -> date:
    """The last day of the latest run of `period` that is over before `today`.

    On its own last day a period is still running: 30 June belongs to Triwulan II.
    """
    end = _month_end(today.year, period.end_month)
    return end if end < today else _month_end(today.year - 1, period.end_month)


def default_period(periods: Sequence[Period], today: date) -> PeriodChoice | None:
    """The period that ended most recently, with its year.

    When two end together (Triwulan II and Semester I on 30 June) the shorter one wins:
    the quarterly report is the routine one. Otherwise the SOP's order decides.
    """
    if not periods:
        return None
    best = max(periods, key=lambda p: (last_end(p, today), -_span(p)))
    return PeriodChoice(best, last_end(best, today).year)


def ordered_periods(periods: Sequence[Period], today: date) -> list[Period]:
    """The SOP's periods for buttons: the default first, the rest in the SOP's order."""
    choice = default_period(periods, today)
    if choice is None:
        return []
    return [choice.period, *(p for p in periods if p.key != choice.period.key)]


def year_choices(period: Period, today: date) -> list[int]:
    """Years offered for `period`: the year of its latest end first, then this and last year."""
    default = last_end(period, today).year
    return [default, *(y for y in (today.year, today.year - 1) if y != default)]


def plausible_report_year(year: int, today: date) -> bool:
    """A year typed instead of pressed: recent, and not beyond next year."""
    return today.year - YEARS_BACK <= year <= today.year + 1


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _span(period: Period) -> int:
    return period.end_month - period.start_month + 1


# -- dates as people type them -------------------------------------------------------------

_MONTHS: dict[str, int] = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "agu", "agt", "ags", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
_WEEKDAY = re.compile(
    r"^(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*,?\s*"
)
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$")
_WORDS = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]+(\d{4})$")


def parse_letter_date(text: str) -> date | None:
    """A date as printed on a letter or typed by hand, or None if it cannot be read.

    "1/7/2026", "01-07-2026", "1.7.26" (day first), "2026-07-01", "1 Juli 2026",
    "Rabu, 1 Juli 2026", "1 Jul 2026", "1 July 2026". Impossible dates (31/2) are None.
    """
    cleaned = _WEEKDAY.sub("", " ".join(text.lower().split()))
    if match := _ISO.match(cleaned):
        year, month, day = (int(g) for g in match.groups())
    elif match := _NUMERIC.match(cleaned):
        day, month = int(match.group(1)), int(match.group(2))
        year = _full_year(match.group(3))
    elif match := _WORDS.match(cleaned):
        named = _MONTHS.get(match.group(2))
        if named is None:
            return None
        day, month, year = int(match.group(1)), named, int(match.group(3))
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(digits: str) -> int:
    """Two-digit years are this century's: letters answered now are not from 1926."""
    return 2000 + int(digits) if len(digits) == 2 else int(digits)
