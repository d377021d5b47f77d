"""Properties of the working-time clock over random starts and standards in 2026-2027.

Calendars cover WIB, WITA with Ramadan hours and configured days, and WIT, so the
holiday tables, Ramadan switches, lunch breaks and Friday hours all get exercised.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar_settings import CalendarSettings
from bot.core.timestd import TimeStandard, TimeUnit, parse_time_standard
from bot.core.workclock import WorkingTimeCalendar

RAMADAN_WEEK = {day: ["08:00-12:00", "12:30-15:00"] for day in ("mon", "tue", "wed", "thu")} | {
    "fri": ["08:00-11:30", "12:30-15:30"]
}

_WITA_SETTINGS, _errors = CalendarSettings.from_mapping(
    {
        "timezone": "Asia/Makassar",
        "ramadan": [
            {"start": date(2026, 2, 19), "end": date(2026, 3, 19), **RAMADAN_WEEK},
            {"start": date(2027, 2, 8), "end": date(2027, 3, 9), **RAMADAN_WEEK},
        ],
        "extra_closures": [date(2026, 6, 5), date(2027, 9, 1)],
        "extra_working_days": [date(2026, 3, 7), date(2026, 12, 24), date(2027, 3, 12)],
    }
)
assert _WITA_SETTINGS is not None, _errors

CALENDARS = [
    WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jakarta")),
    WorkingTimeCalendar(_WITA_SETTINGS),
    WorkingTimeCalendar(CalendarSettings(timezone="Asia/Jayapura")),
]

calendars = st.sampled_from(CALENDARS)
starts = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)
standards = st.one_of(
    st.integers(1, 600).map(lambda n: parse_time_standard(f"{n} menit")),
    st.integers(1, 8).map(lambda n: parse_time_standard(f"{n} jam")),
    st.integers(1, 10).map(lambda n: parse_time_standard(f"{n} hari")),
    st.integers(1, 3).map(lambda n: parse_time_standard(f"{n} minggu")),
)


def is_closing_instant(calendar: WorkingTimeCalendar, t: datetime) -> bool:
    return any(end == t for _, end in calendar.intervals(calendar.local_date(t)))


def working_days_between(calendar: WorkingTimeCalendar, first: date, last: date) -> int:
    """Working days in (first, last]."""
    count, d = 0, first + timedelta(days=1)
    while d <= last:
        count += calendar.is_working_day(d)
        d += timedelta(days=1)
    return count


@settings(max_examples=400, deadline=None)
@given(calendar=calendars, start=starts, standard=standards)
def test_deadline_is_working_time_or_a_closing_instant(
    calendar: WorkingTimeCalendar, start: datetime, standard: TimeStandard
) -> None:
    due = calendar.deadline(start, standard)
    assert due.tzinfo is UTC
    assert due > start
    assert calendar.is_working_time(due) or is_closing_instant(calendar, due)
    minutes = standard.minutes_if_minutes_or_hours
    if minutes is not None:
        assert calendar.elapsed_minutes(start, due) == minutes
        assert calendar.elapsed_minutes(start, due) == calendar.standard_minutes(standard)
    else:
        assert standard.unit in (TimeUnit.DAY, TimeUnit.WEEK)
        assert calendar.is_working_day(calendar.local_date(due))
        opened = calendar.local_date(calendar.next_opening(start))
        assert working_days_between(calendar, opened, calendar.local_date(due)) == (
            standard.working_days
        )


@settings(max_examples=300, deadline=None)
@given(calendar=calendars, start=starts, minutes=st.integers(0, 20_000))
def test_add_working_minutes_round_trips_with_elapsed(
    calendar: WorkingTimeCalendar, start: datetime, minutes: int
) -> None:
    end = calendar.add_working_minutes(start, minutes)
    assert calendar.elapsed_minutes(start, end) == minutes
    duration = calendar.elapsed(start, end)
    assert duration.days * calendar.working_minutes_per_day + duration.minutes == minutes
    assert 0 <= duration.minutes < calendar.working_minutes_per_day
    if minutes:
        # The earliest such instant: one minute earlier falls short.
        assert calendar.elapsed_minutes(start, end - timedelta(minutes=1)) == minutes - 1


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, start=starts, n=st.integers(1, 599))
def test_more_minutes_never_come_due_earlier(
    calendar: WorkingTimeCalendar, start: datetime, n: int
) -> None:
    shorter = calendar.deadline(start, parse_time_standard(f"{n} menit"))
    longer = calendar.deadline(start, parse_time_standard(f"{n + 1} menit"))
    assert shorter < longer


@settings(max_examples=200, deadline=None)
@given(calendar=calendars, t=starts)
def test_next_opening_and_next_working_morning(calendar: WorkingTimeCalendar, t: datetime) -> None:
    opening = calendar.next_opening(t)
    assert opening >= t
    assert calendar.is_working_time(opening)
    assert calendar.elapsed_minutes(t, opening) == 0
    assert (opening == t) == calendar.is_working_time(t)
    morning = calendar.next_working_morning(t)
    day = calendar.local_date(morning)
    assert day > calendar.local_date(t)
    assert morning == calendar.intervals(day)[0][0]
    assert working_days_between(calendar, calendar.local_date(t), day) == 1
