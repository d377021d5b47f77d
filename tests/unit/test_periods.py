"""The period /mulai proposes, the years it offers, and the letter dates it can read."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.periods import (
    default_period,
    last_end,
    ordered_periods,
    parse_letter_date,
    plausible_report_year,
    year_choices,
)
from bot.core.sop import Period
from tests.support.engine import shipped_sop

PERIODS = shipped_sop().periods  # TW1-TW4, then S1 and S2
SEMESTERS = (
    Period("S1", "Semester I", "semester", 1, 6),
    Period("S2", "Semester II", "semester", 7, 12),
)


def period(key: str) -> Period:
    return next(p for p in PERIODS if p.key == key)


@pytest.mark.parametrize(
    ("today", "key", "year"),
    [
        (date(2026, 7, 6), "TW2", 2026),  # TW2 and S1 both ended on 30 June: the quarter
        (date(2026, 1, 10), "TW4", 2025),  # the quarter just ended is last year's
        (date(2026, 6, 30), "TW1", 2026),  # on its last day a quarter is still running
        (date(2026, 7, 1), "TW2", 2026),
        (date(2026, 10, 5), "TW3", 2026),  # not S1, which ended earlier
        (date(2026, 12, 31), "TW3", 2026),
        (date(2026, 4, 1), "TW1", 2026),
    ],
)
def test_the_default_is_the_quarter_just_ended(today: date, key: str, year: int) -> None:
    choice = default_period(PERIODS, today)
    assert choice is not None
    assert (choice.period.key, choice.year) == (key, year)


@pytest.mark.parametrize(
    ("today", "key", "year"),
    [
        (date(2026, 7, 6), "S1", 2026),
        (date(2026, 1, 10), "S2", 2025),
        (date(2026, 10, 5), "S1", 2026),
        (date(2026, 6, 30), "S2", 2025),
    ],
)
def test_an_sop_of_semesters_defaults_to_the_semester_just_ended(
    today: date, key: str, year: int
) -> None:
    choice = default_period(SEMESTERS, today)
    assert choice is not None
    assert (choice.period.key, choice.year) == (key, year)


def test_an_sop_without_periods_has_no_default() -> None:
    assert default_period((), date(2026, 7, 6)) is None
    assert ordered_periods((), date(2026, 7, 6)) == []


def test_the_buttons_show_the_default_first_then_the_sop_order() -> None:
    keys = [p.key for p in ordered_periods(PERIODS, date(2026, 7, 6))]
    assert keys == ["TW2", "TW1", "TW3", "TW4", "S1", "S2"]
    keys = [p.key for p in ordered_periods(PERIODS, date(2026, 1, 10))]
    assert keys == ["TW4", "TW1", "TW2", "TW3", "S1", "S2"]


def test_last_end_is_the_end_of_the_latest_run_already_over() -> None:
    assert last_end(period("TW4"), date(2026, 7, 6)) == date(2025, 12, 31)
    assert last_end(period("TW1"), date(2026, 7, 6)) == date(2026, 3, 31)
    assert last_end(period("TW1"), date(2026, 3, 31)) == date(2025, 3, 31)


@pytest.mark.parametrize(
    ("key", "today", "years"),
    [
        ("TW2", date(2026, 7, 6), [2026, 2025]),
        ("TW4", date(2026, 7, 6), [2025, 2026]),  # last year's TW4 first: this one runs
        ("TW4", date(2026, 1, 10), [2025, 2026]),
        ("S2", date(2026, 12, 31), [2025, 2026]),
    ],
)
def test_years_offer_the_periods_own_year_first(key: str, today: date, years: list[int]) -> None:
    assert year_choices(period(key), today) == years


def test_a_typed_year_must_be_recent() -> None:
    today = date(2026, 7, 6)
    assert plausible_report_year(2026, today)
    assert plausible_report_year(2021, today)
    assert plausible_report_year(2027, today)
    assert not plausible_report_year(2020, today)
    assert not plausible_report_year(2062, today)


@pytest.mark.parametrize(
    "text",
    [
        "1/7/2026",
        "01/07/2026",
        "01-07-2026",
        "1.7.2026",
        "1/7/26",
        "2026-07-01",
        "2026/7/1",
        "1 Juli 2026",
        "01 juli 2026",
        "1 JULI 2026",
        "1 Jul 2026",
        "1 Jul. 2026",
        "1-Jul-2026",
        "1 July 2026",
        "Rabu, 1 Juli 2026",
        "  1   Juli   2026 ",
    ],
)
def test_letter_dates_are_read_day_first_in_every_usual_shape(text: str) -> None:
    assert parse_letter_date(text) == date(2026, 7, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17 Agustus 2025", date(2025, 8, 17)),
        ("5 Agt 2025", date(2025, 8, 5)),
        ("30 Nopember 2025", date(2025, 11, 30)),
        ("2 Mei 2026", date(2026, 5, 2)),
        ("31 Desember 2025", date(2025, 12, 31)),
        ("29/2/2028", date(2028, 2, 29)),
    ],
)
def test_indonesian_month_names_and_spellings(text: str, expected: date) -> None:
    assert parse_letter_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "kemarin",
        "31/02/2026",  # no such day
        "1/13/2026",  # no 13th month: day first, so not 13 January
        "29/2/2026",
        "1 Juloi 2026",
        "2026",
        "1 Juli",
        "1/7",
        "Juli 1 2026",
    ],
)
def test_unreadable_dates_are_none(text: str) -> None:
    assert parse_letter_date(text) is None
