"""The working-time clock against real 2026/2027 dates from the `holidays` 0.109 data.

Every expected deadline below was worked out by hand from the office hours and the
holiday list (cuti bersama included), not read back from the implementation.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.core.calendar_settings import (
    DEFAULT_CALENDAR_SETTINGS,
    DEFAULT_OFFICE_HOURS,
    CalendarSettings,
    RamadanPeriod,
)
from bot.core.timestd import TimeStandard, WorkCalendar, WorkDuration, parse_time_standard
from bot.core.workclock import WorkingTimeCalendar

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

CAL = WorkingTimeCalendar()

RAMADAN_2026 = """
timezone = "Asia/Jakarta"

[[ramadan]]
start = 2026-02-19
end = 2026-03-19
mon = ["08:00-12:00", "12:30-15:00"]
tue = ["08:00-12:00", "12:30-15:00"]
wed = ["08:00-12:00", "12:30-15:00"]
thu = ["08:00-12:00", "12:30-15:00"]
fri = ["08:00-11:30", "12:30-15:30"]
"""


def at(y: int, mo: int, d: int, hh: int, mm: int, zone: ZoneInfo = WIB) -> datetime:
    return datetime(y, mo, d, hh, mm, tzinfo=zone)


def std(text: str) -> TimeStandard:
    return parse_time_standard(text)


def calendar_from(toml_text: str) -> WorkingTimeCalendar:
    settings, errors = CalendarSettings.from_mapping(tomllib.loads(toml_text))
    assert errors == []
    assert settings is not None
    return WorkingTimeCalendar(settings)


def settings_errors(data: dict[str, Any]) -> list[str]:
    settings, errors = CalendarSettings.from_mapping(data)
    assert settings is None
    return errors


# --- the defaults -----------------------------------------------------------------------


def test_default_week_is_37_5_hours_and_a_day_is_450_minutes() -> None:
    week = sum(CAL.minutes_per_day(date(2026, 3, 2 + i)) for i in range(7))  # Mon..Sun
    assert week == 37 * 60 + 30
    assert CAL.working_minutes_per_day == 450
    assert CAL.minutes_per_day(date(2026, 3, 6)) == 450  # Friday: other hours, same length
    assert CAL.minutes_per_day(date(2026, 3, 7)) == 0  # Saturday


def test_is_a_work_calendar() -> None:
    calendar: WorkCalendar = CAL  # mypy checks the Protocol here
    assert calendar.standard_minutes(std("2 jam")) == 120


def test_standard_minutes_counts_days_as_nominal_days() -> None:
    assert CAL.standard_minutes(std("45 menit")) == 45
    assert CAL.standard_minutes(std("3 hari")) == 3 * 450
    assert CAL.standard_minutes(std("1 minggu")) == 5 * 450


def test_intervals_are_local_and_aware() -> None:
    monday = date(2026, 3, 2)
    assert CAL.intervals(monday) == [
        (at(2026, 3, 2, 7, 30), at(2026, 3, 2, 12, 0)),
        (at(2026, 3, 2, 13, 0), at(2026, 3, 2, 16, 0)),
    ]
    assert all(start.tzinfo == WIB for start, _ in CAL.intervals(monday))
    assert CAL.intervals(date(2026, 3, 1)) == []  # Sunday


# --- holidays and cuti bersama ----------------------------------------------------------


def test_idul_fitri_2026_with_cuti_bersama_is_closed() -> None:
    closed = [date(2026, 3, d) for d in (18, 19, 20, 23, 24)]  # Wed..Tue, weekend between
    assert [CAL.is_working_day(d) for d in closed] == [False] * 5
    assert CAL.is_working_day(date(2026, 3, 17))
    assert CAL.is_working_day(date(2026, 3, 25))
    assert CAL.holiday_names(date(2026, 3, 23)) == ["Cuti Bersama Hari Raya Idul Fitri"]
    assert CAL.holiday_names(date(2026, 12, 24)) == ["Cuti Bersama Hari Raya Natal"]
    assert CAL.holiday_names(date(2026, 3, 2)) == []


def test_holiday_is_looked_up_by_local_date_not_utc_date() -> None:
    # 24 Dec 18:00 UTC is 25 Dec 01:00 WIB: Christmas, not the cuti bersama day.
    christmas_night = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
    assert CAL.local_date(christmas_night) == date(2026, 12, 25)
    assert CAL.next_opening(christmas_night) == at(2026, 12, 28, 7, 30)


def test_three_days_from_the_friday_before_idul_fitri_2026() -> None:
    # Mon 16 and Tue 17 count; Wed 18 (cuti Nyepi) .. Tue 24 (cuti Idul Fitri) are closed.
    due = CAL.deadline(at(2026, 3, 13, 10, 0), std("3 hari"))
    assert due == at(2026, 3, 25, 10, 0)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 25, 3, 0, tzinfo=UTC)


def test_three_days_from_the_friday_before_idul_fitri_2027() -> None:
    # Closed from Sat 6 to Mon 15 March 2027: Nyepi, cuti, Idul Fitri, cuti, cuti.
    due = CAL.deadline(at(2027, 3, 5, 10, 0), std("3 hari"))
    assert due == at(2027, 3, 18, 10, 0)


def test_one_day_over_christmas_2026() -> None:
    # Thu 24 Dec is cuti bersama, Fri 25 Natal.
    assert CAL.deadline(at(2026, 12, 23, 14, 0), std("1 hari")) == at(2026, 12, 28, 14, 0)


def test_minutes_run_over_a_long_weekend() -> None:
    # Tue 17 March 2026 15:40 + 60 menit: 20 minutes, then closed until Wed 25 March.
    assert CAL.deadline(at(2026, 3, 17, 15, 40), std("60 menit")) == at(2026, 3, 25, 8, 10)


def test_national_holidays_can_be_switched_off() -> None:
    calendar = WorkingTimeCalendar(CalendarSettings(use_national_holidays=False))
    assert calendar.is_working_day(date(2026, 3, 23))
    assert calendar.holiday_names(date(2026, 3, 23)) == []
    assert calendar.missing_cuti_bersama_years(date(2027, 6, 1)) == []


def test_missing_cuti_bersama_years() -> None:
    assert CAL.missing_cuti_bersama_years(date(2026, 6, 1)) == []
    assert CAL.missing_cuti_bersama_years(date(2027, 6, 1)) == [2028]
    assert CAL.missing_cuti_bersama_years(date(2028, 1, 2)) == [2028, 2029]


# --- minutes and hours ------------------------------------------------------------------


def test_ten_minutes_at_15_55_on_a_monday_is_due_07_35_next_morning() -> None:
    assert CAL.deadline(at(2026, 3, 2, 15, 55), std("10 menit")) == at(2026, 3, 3, 7, 35)


def test_thirty_minutes_at_15_50_split_over_two_days() -> None:
    assert CAL.deadline(at(2026, 3, 2, 15, 50), std("30 menit")) == at(2026, 3, 3, 7, 50)


def test_a_deadline_may_fall_on_the_closing_instant() -> None:
    due = CAL.deadline(at(2026, 3, 2, 15, 50), std("10 menit"))
    assert due == at(2026, 3, 2, 16, 0)
    assert not CAL.is_working_time(due)


def test_seconds_are_kept() -> None:
    start = datetime(2026, 3, 2, 15, 50, 30, tzinfo=WIB)
    due = CAL.deadline(start, std("30 menit"))
    assert due == datetime(2026, 3, 3, 7, 50, 30, tzinfo=WIB)
    assert CAL.elapsed_minutes(start, due) == 30


def test_lunch_break_does_not_count() -> None:
    assert CAL.deadline(at(2026, 3, 2, 11, 50), std("30 menit")) == at(2026, 3, 2, 13, 20)
    assert CAL.deadline(at(2026, 3, 2, 12, 15), std("1 jam")) == at(2026, 3, 2, 14, 0)


def test_friday_has_its_own_lunch_break_and_closing_time() -> None:
    friday = (2026, 3, 6)
    assert CAL.deadline(at(*friday, 11, 20), std("30 menit")) == at(*friday, 13, 20)
    assert CAL.deadline(at(*friday, 16, 20), std("30 menit")) == at(2026, 3, 9, 7, 50)
    assert CAL.is_working_time(at(*friday, 16, 15))
    assert not CAL.is_working_time(at(*friday, 11, 45))
    # Monday 16:20 is after closing: counting starts on Tuesday.
    assert CAL.deadline(at(2026, 3, 2, 16, 20), std("30 menit")) == at(2026, 3, 3, 8, 0)


def test_a_task_created_on_a_sunday_starts_on_monday_morning() -> None:
    sunday = at(2026, 3, 1, 10, 0)
    assert not CAL.is_working_day(date(2026, 3, 1))
    assert CAL.next_opening(sunday) == at(2026, 3, 2, 7, 30)
    assert CAL.deadline(sunday, std("2 jam")) == at(2026, 3, 2, 9, 30)
    assert CAL.deadline(sunday, std("1 hari")) == at(2026, 3, 3, 7, 30)
    assert CAL.elapsed_minutes(sunday, at(2026, 3, 2, 9, 30)) == 120


def test_eight_hours_is_more_than_one_working_day() -> None:
    assert CAL.deadline(at(2026, 3, 2, 7, 30), std("8 jam")) == at(2026, 3, 3, 8, 0)


# --- days and weeks ---------------------------------------------------------------------


def test_days_keep_the_local_clock_time() -> None:
    assert CAL.deadline(at(2026, 3, 2, 10, 0), std("3 hari")) == at(2026, 3, 5, 10, 0)


def test_days_are_capped_at_the_target_days_closing_time() -> None:
    # Friday 16:15 is working time, Monday closes at 16:00.
    assert CAL.deadline(at(2026, 3, 6, 16, 15), std("1 hari")) == at(2026, 3, 9, 16, 0)
    # Monday 11:45 + 4 days is Friday 11:45, inside Friday's break: the morning's close.
    assert CAL.deadline(at(2026, 3, 2, 11, 45), std("4 hari")) == at(2026, 3, 6, 11, 30)


def test_days_count_from_the_next_opening_when_started_after_hours() -> None:
    assert CAL.deadline(at(2026, 3, 2, 18, 0), std("1 hari")) == at(2026, 3, 4, 7, 30)
    assert CAL.deadline(at(2026, 3, 2, 12, 30), std("1 hari")) == at(2026, 3, 3, 13, 0)


def test_one_week_is_five_working_days() -> None:
    start = at(2026, 3, 2, 10, 0)
    assert CAL.deadline(start, std("1 minggu")) == at(2026, 3, 9, 10, 0)
    assert CAL.deadline(start, std("1 minggu")) == CAL.deadline(start, std("5 hari"))
    # Across Idul Fitri 2026: Tue 17, Wed 25, Thu 26, Fri 27, Mon 30.
    assert CAL.deadline(at(2026, 3, 16, 10, 0), std("1 pekan")) == at(2026, 3, 30, 10, 0)


# --- Ramadan ----------------------------------------------------------------------------


def test_switch_into_ramadan_hours() -> None:
    calendar = calendar_from(RAMADAN_2026)
    thursday = date(2026, 2, 19)
    assert calendar.intervals(thursday) == [
        (at(2026, 2, 19, 8, 0), at(2026, 2, 19, 12, 0)),
        (at(2026, 2, 19, 12, 30), at(2026, 2, 19, 15, 0)),
    ]
    assert calendar.minutes_per_day(thursday) == 390
    assert calendar.working_minutes_per_day == 450  # durations stay in regular days
    # Wed 18 Feb closes at 16:00 (regular), Thu 19 Feb opens at 08:00 (Ramadan).
    assert calendar.deadline(at(2026, 2, 18, 15, 50), std("30 menit")) == at(2026, 2, 19, 8, 20)
    # 07:45 is before the Ramadan opening: "1 hari" ends at Thursday's opening.
    assert calendar.deadline(at(2026, 2, 18, 7, 45), std("1 hari")) == at(2026, 2, 19, 8, 0)
    # Ramadan lunch break is 12:00-12:30, Friday closes at 15:30.
    assert calendar.deadline(at(2026, 2, 19, 11, 50), std("30 menit")) == at(2026, 2, 19, 12, 50)
    assert calendar.deadline(at(2026, 2, 20, 15, 20), std("30 menit")) == at(2026, 2, 23, 8, 20)


def test_weekdays_a_ramadan_period_leaves_out_keep_their_hours() -> None:
    calendar = calendar_from(
        'timezone = "Asia/Jakarta"\n'
        "[[ramadan]]\nstart = 2026-02-19\nend = 2026-03-19\n"
        'fri = ["08:00-11:30", "12:30-15:30"]\n'
    )
    assert calendar.minutes_per_day(date(2026, 2, 23)) == 450  # Monday: regular
    assert calendar.minutes_per_day(date(2026, 2, 20)) == 390  # Friday: Ramadan
    assert calendar.minutes_per_day(date(2026, 3, 20)) == 0  # after Ramadan: cuti bersama


# --- time zones -------------------------------------------------------------------------


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_same_local_deadline_in_every_zone(zone: ZoneInfo) -> None:
    calendar = WorkingTimeCalendar(CalendarSettings(timezone=zone.key))
    due = calendar.deadline(at(2026, 3, 2, 15, 55, zone), std("10 menit"))
    assert due.astimezone(zone).replace(tzinfo=None) == datetime(2026, 3, 3, 7, 35)


def test_wib_and_wit_deadlines_differ_by_two_hours_in_utc() -> None:
    wib = WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jakarta"))
    wit = WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jayapura"))
    due_wib = wib.deadline(at(2026, 3, 13, 10, 0, WIB), std("3 hari"))
    due_wit = wit.deadline(at(2026, 3, 13, 10, 0, WIT), std("3 hari"))
    assert due_wib == datetime(2026, 3, 25, 3, 0, tzinfo=UTC)
    assert due_wit == datetime(2026, 3, 25, 1, 0, tzinfo=UTC)


def test_the_same_instant_is_working_time_in_one_zone_only() -> None:
    instant = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 07:00 WIB, 09:00 WIT
    assert not WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jakarta")).is_working_time(
        instant
    )
    assert WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jayapura")).is_working_time(instant)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.deadline(datetime(2026, 3, 2, 10, 0), std("1 jam"))
    with pytest.raises(ValueError, match="aware"):
        CAL.elapsed_minutes(datetime(2026, 3, 2, 10, 0), at(2026, 3, 2, 11, 0))


# --- configured closures and working days -----------------------------------------------


def test_extra_closures_close_a_regular_day() -> None:
    calendar = WorkingTimeCalendar(CalendarSettings(extra_closures=frozenset({date(2026, 3, 3)})))
    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.deadline(at(2026, 3, 2, 15, 55), std("10 menit")) == at(2026, 3, 4, 7, 35)
    assert calendar.deadline(at(2026, 3, 2, 10, 0), std("1 hari")) == at(2026, 3, 4, 10, 0)


def test_an_extra_working_saturday_gets_the_reference_weekdays_hours() -> None:
    saturday = date(2026, 3, 7)
    calendar = WorkingTimeCalendar(CalendarSettings(extra_working_days=frozenset({saturday})))
    assert calendar.intervals(saturday) == [
        (at(2026, 3, 7, 7, 30), at(2026, 3, 7, 12, 0)),
        (at(2026, 3, 7, 13, 0), at(2026, 3, 7, 16, 0)),
    ]
    assert calendar.deadline(at(2026, 3, 6, 16, 20), std("30 menit")) == at(2026, 3, 7, 7, 50)
    fridays = WorkingTimeCalendar(
        CalendarSettings(extra_working_days=frozenset({saturday}), reference_weekday=4)
    )
    assert fridays.intervals(saturday)[0][1] == at(2026, 3, 7, 11, 30)


def test_a_cancelled_holiday_keeps_its_own_weekdays_hours() -> None:
    cuti = date(2026, 12, 24)  # Thursday
    calendar = WorkingTimeCalendar(CalendarSettings(extra_working_days=frozenset({cuti})))
    assert calendar.is_working_day(cuti)
    assert calendar.minutes_per_day(cuti) == 450
    assert calendar.holiday_names(cuti) == ["Cuti Bersama Hari Raya Natal"]
    assert calendar.deadline(at(2026, 12, 23, 14, 0), std("1 hari")) == at(2026, 12, 24, 14, 0)


def test_extra_working_day_in_ramadan_uses_ramadan_hours() -> None:
    # Top-level keys go before [[ramadan]]: after it TOML puts them in the period's table.
    calendar = calendar_from("extra_working_days = [2026-02-21]\n" + RAMADAN_2026)
    saturday = calendar.intervals(date(2026, 2, 21))
    assert [(s.time(), e.time()) for s, e in saturday] == [
        (time(8, 0), time(12, 0)),
        (time(12, 30), time(15, 0)),
    ]


# --- instants ---------------------------------------------------------------------------


def test_working_time_is_half_open() -> None:
    assert CAL.is_working_time(at(2026, 3, 2, 7, 30))
    assert not CAL.is_working_time(at(2026, 3, 2, 12, 0))
    assert CAL.next_opening(at(2026, 3, 2, 12, 0)) == at(2026, 3, 2, 13, 0)
    inside = at(2026, 3, 2, 9, 0)
    assert CAL.next_opening(inside) == inside
    assert CAL.next_opening(inside).tzinfo is UTC


def test_next_working_morning_skips_to_the_next_working_date() -> None:
    assert CAL.next_working_morning(at(2026, 3, 2, 6, 0)) == at(2026, 3, 3, 7, 30)
    assert CAL.next_working_morning(at(2026, 3, 6, 9, 0)) == at(2026, 3, 9, 7, 30)
    assert CAL.next_working_morning(at(2026, 3, 17, 9, 0)) == at(2026, 3, 25, 7, 30)
    # 20:00 UTC Sunday is 03:00 WIB Monday: the next morning is Tuesday's.
    sunday_utc = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert CAL.next_working_morning(sunday_utc) == at(2026, 3, 3, 7, 30)


def test_add_working_minutes() -> None:
    start = at(2026, 3, 2, 15, 0)
    assert CAL.add_working_minutes(start, 0) == start
    assert CAL.add_working_minutes(start, 60) == at(2026, 3, 2, 16, 0)
    assert CAL.add_working_minutes(start, 61) == at(2026, 3, 3, 7, 31)
    assert CAL.add_working_minutes(start, 60 + 5 * 450) == at(2026, 3, 9, 16, 0)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_minutes(start, -1)


# --- elapsed ----------------------------------------------------------------------------


def test_elapsed_round_trips_with_deadline() -> None:
    start = at(2026, 3, 2, 10, 0)
    for text, expected in [
        ("90 menit", WorkDuration(0, 90)),
        ("3 hari", WorkDuration(3, 0)),
        ("1 minggu", WorkDuration(5, 0)),
    ]:
        due = CAL.deadline(start, std(text))
        assert CAL.elapsed(start, due) == expected
        assert CAL.elapsed_minutes(start, due) == CAL.standard_minutes(std(text))
    # Wednesday to Monday over a Friday and a weekend is still three working days.
    wednesday = at(2026, 3, 4, 10, 0)
    assert CAL.elapsed(wednesday, CAL.deadline(wednesday, std("3 hari"))) == WorkDuration(3, 0)


def test_elapsed_over_a_weekend_and_backwards() -> None:
    assert CAL.elapsed_minutes(at(2026, 3, 6, 16, 0), at(2026, 3, 9, 8, 0)) == 60
    assert CAL.elapsed(at(2026, 3, 9, 8, 0), at(2026, 3, 6, 16, 0)) == WorkDuration(0, 0)
    assert CAL.elapsed(at(2026, 3, 2, 7, 30), at(2026, 3, 3, 9, 30)) == WorkDuration(1, 120)


def test_elapsed_over_idul_fitri_counts_only_two_days() -> None:
    elapsed = CAL.elapsed(at(2026, 3, 16, 7, 30), at(2026, 3, 25, 7, 30))
    assert elapsed == WorkDuration(2, 0)


# --- settings ---------------------------------------------------------------------------


def test_from_mapping_reads_the_documented_schema() -> None:
    settings, errors = CalendarSettings.from_mapping(
        tomllib.loads(
            """
            timezone = "Asia/Makassar"
            use_national_holidays = true
            extra_closures = [2026-12-31, "2026-04-02"]
            extra_working_days = [2027-01-02]
            reference_weekday = "fri"

            [office_hours]
            mon = ["13:00-16:00", "07:30-12:00"]
            tue = ["07.30-12.00", "13.00-16.00"]
            fri = ["07:30-11:30", "13:00-16:30"]

            [[ramadan]]
            start = 2027-02-08
            end = 2027-03-09
            mon = ["08:00-12:00", "12:30-15:00"]
            """
        )
    )
    assert errors == []
    monday = ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0)))
    friday = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
    ramadan_monday = ((time(8, 0), time(12, 0)), (time(12, 30), time(15, 0)))
    assert settings == CalendarSettings(
        timezone="Asia/Makassar",
        office_hours=(monday, monday, (), (), friday, (), ()),
        ramadan=(
            RamadanPeriod(date(2027, 2, 8), date(2027, 3, 9), (ramadan_monday, *([None] * 6))),
        ),
        extra_closures=frozenset({date(2026, 12, 31), date(2026, 4, 2)}),
        extra_working_days=frozenset({date(2027, 1, 2)}),
        reference_weekday=4,
    )


def test_from_mapping_defaults_everything_but_the_timezone() -> None:
    settings, errors = CalendarSettings.from_mapping({"timezone": "Asia/Jakarta"})
    assert errors == []
    assert settings == DEFAULT_CALENDAR_SETTINGS
    assert settings.office_hours == DEFAULT_OFFICE_HOURS


def test_from_mapping_reports_a_malformed_interval() -> None:
    errors = settings_errors(
        {"timezone": "Asia/Jakarta", "office_hours": {"mon": ["07:30-12:00", "13-16"]}}
    )
    assert errors == ['calendar.office_hours.mon[1]: expected "HH:MM-HH:MM", got "13-16"']


def test_from_mapping_reports_impossible_times() -> None:
    errors = settings_errors(
        {
            "timezone": "Asia/Jakarta",
            "office_hours": {"mon": ["07:30-16:00"], "tue": ["07:30-24:00", 1300]},
        }
    )
    assert errors == [
        'calendar.office_hours.tue[0]: expected "HH:MM-HH:MM", got "07:30-24:00"',
        'calendar.office_hours.tue[1]: expected "HH:MM-HH:MM", got 1300',
    ]


def test_from_mapping_reports_an_unknown_timezone() -> None:
    assert settings_errors({"timezone": "Asia/Jakart"}) == [
        'calendar.timezone: unknown time zone "Asia/Jakart"; expected a time zone such as '
        '"Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT)'
    ]


def test_from_mapping_requires_the_timezone() -> None:
    assert settings_errors({}) == [
        'calendar.timezone: missing; expected a time zone such as "Asia/Jakarta" (WIB), '
        '"Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT)'
    ]


def test_from_mapping_takes_the_agency_timezone() -> None:
    settings, errors = CalendarSettings.from_mapping({}, timezone="Asia/Jayapura")
    assert errors == []
    assert settings == CalendarSettings(timezone="Asia/Jayapura")
    same, errors = CalendarSettings.from_mapping(
        {"timezone": "Asia/Jayapura"}, timezone="Asia/Jayapura"
    )
    assert errors == [] and same == settings
    settings, errors = CalendarSettings.from_mapping(
        {"timezone": "Asia/Jakarta"}, timezone="Asia/Jayapura"
    )
    assert settings is None
    assert errors == [
        'calendar.timezone: "Asia/Jakarta" contradicts the agency\'s time zone '
        '"Asia/Jayapura"; expected the same zone or the key left out'
    ]


def test_from_mapping_reports_overlapping_intervals() -> None:
    errors = settings_errors(
        {"timezone": "Asia/Jakarta", "office_hours": {"mon": ["07:30-12:00", "11:00-16:00"]}}
    )
    assert errors == ['calendar.office_hours.mon: "07:30-12:00" and "11:00-16:00" overlap']


def test_from_mapping_reports_close_before_open() -> None:
    errors = settings_errors(
        {"timezone": "Asia/Jakarta", "office_hours": {"mon": ["16:00-07:30"]}}
    )
    assert errors == [
        "calendar.office_hours.mon[0]: expected the closing time after the opening time, "
        'got "16:00-07:30"'
    ]


def test_from_mapping_reports_ramadan_ending_before_it_starts() -> None:
    data = tomllib.loads(
        'timezone = "Asia/Jakarta"\n'
        '[[ramadan]]\nstart = 2027-02-08\nend = 2027-02-01\nmon = ["08:00-15:00"]\n'
    )
    assert settings_errors(data) == [
        "calendar.ramadan[0].end: expected a date on or after start (2027-02-08), got 2027-02-01"
    ]


def test_from_mapping_reports_ramadan_mistakes() -> None:
    data = tomllib.loads(
        'timezone = "Asia/Jakarta"\n'
        '[[ramadan]]\nstart = 2027-02-08\nend = 2028-03-09\nmon = ["08:00-15:00"]\n'
        '[[ramadan]]\nstart = 2027-02-01\nend = 2027-02-10\nmonday = ["08:00-15:00"]\n'
        "[[ramadan]]\nstart = 2026-02-19\nend = 2026-03-19\n"
        '[[ramadan]]\nend = "19 Maret 2026"\nfri = ["08:00-15:00"]\n'
    )
    assert settings_errors(data) == [
        "calendar.ramadan[1].monday: unknown key; did you mean 'mon'?",
        "calendar.ramadan[3].start: missing; expected a date (YYYY-MM-DD)",
        'calendar.ramadan[3].end: expected a date (YYYY-MM-DD), got "19 Maret 2026"',
        "calendar.ramadan[0]: expected at most 31 days (Ramadan lasts 29 or 30), "
        "got 396 days (2027-02-08..2028-03-09)",
        "calendar.ramadan[1]: expected office hours for at least one weekday (mon..sun)",
        "calendar.ramadan[2]: expected office hours for at least one weekday (mon..sun)",
        "calendar.ramadan[1]: overlaps calendar.ramadan[0] "
        "(2027-02-01..2027-02-10 and 2027-02-08..2028-03-09)",
    ]


def test_from_mapping_reports_every_mistake_at_once() -> None:
    data = {
        "timezone": 7,
        "office_hours": {"monday": ["07:30-16:00"], "fri": "07:30-16:30"},
        "extra_closures": ["24-12-2026", date(2026, 12, 31)],
        "extra_working_days": [date(2026, 12, 31)],
        "reference_weekday": "senin",
        "use_national_holidays": "yes",
        "holidays": True,
    }
    assert settings_errors(data) == [
        "calendar.holidays: unknown key (expected one of: timezone, office_hours, ramadan, "
        "reference_weekday, extra_closures, extra_working_days, use_national_holidays)",
        'calendar.timezone: expected a time zone such as "Asia/Jakarta" (WIB), '
        '"Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT), got 7',
        "calendar.office_hours.monday: unknown key; did you mean 'mon'?",
        'calendar.office_hours.fri: expected a list of "HH:MM-HH:MM" strings, got "07:30-16:30"',
        "calendar.reference_weekday: expected one of mon, tue, wed, thu, fri, sat, sun, "
        'got "senin"',
        'calendar.extra_closures[0]: expected a date (YYYY-MM-DD), got "24-12-2026"',
        'calendar.use_national_holidays: expected true or false, got "yes"',
        "calendar.extra_working_days: 2026-12-31 is also in calendar.extra_closures; "
        "expected each date in one list only",
    ]


def test_from_mapping_reports_a_week_without_office_hours() -> None:
    only_tuesday = {"mon": [], "tue": ["07:30-16:00"]}
    assert settings_errors({"timezone": "Asia/Jakarta", "office_hours": only_tuesday}) == [
        'calendar.reference_weekday: "mon" has no office hours; expected a weekday with '
        "office hours",
    ]
    assert settings_errors({"timezone": "Asia/Jakarta", "office_hours": {}}) == [
        "calendar.office_hours: no weekday has office hours; expected at least one",
    ]


def test_from_mapping_reports_wrong_shapes() -> None:
    errors = settings_errors(
        {
            "timezone": "Asia/Jakarta",
            "office_hours": ["07:30-16:00"],
            "ramadan": {"start": date(2027, 2, 8)},
            "extra_working_days": date(2027, 1, 2),
        }
    )
    assert errors == [
        "calendar.office_hours: expected a table of weekdays (mon..sun), got a list",
        "calendar.ramadan: expected a list of tables ([[calendar.ramadan]]), got a table",
        "calendar.extra_working_days: expected a list of dates (YYYY-MM-DD), got 2027-01-02",
    ]
    settings, errors = CalendarSettings.from_mapping(["not", "a", "table"])  # type: ignore[arg-type]
    assert settings is None
    assert errors == ["calendar: expected a table, got a list"]


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ValueError, match=r"office_hours\.mon: .* overlap"):
        CalendarSettings(
            office_hours=(
                ((time(7, 30), time(12, 0)), (time(11, 0), time(16, 0))),
                *DEFAULT_OFFICE_HOURS[1:],
            )
        )
    with pytest.raises(ValueError, match="unknown time zone"):
        CalendarSettings(timezone="WIB")
