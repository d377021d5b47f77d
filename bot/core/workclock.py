"""Working time: office hours, national holidays, cuti bersama and the agency's time zone.

SOP time standards are working time (Perpres 21/2023: 37.5 hours a week). "30 menit"
given at 15.50 on a Monday is not due at 16.20 but at 07.50 the next working day, and
"3 hari" skips weekends, public holidays and cuti bersama. This module is pure: every
instant is passed in (aware; returned as UTC), nothing is scheduled or stored here.

The settings (office hours, Ramadan hours, closures, the zone) are the ``[calendar]``
table, read by `bot.core.calendar_settings`.

Counting rules (pinned by tests/unit/test_workclock*.py):

- Minutes and hours count only inside office hours; a task started outside them starts
  counting at the next opening. A deadline may fall exactly on a closing instant
  (15.50 + "10 menit" = 16.00 the same day, not 07.30 the day after): the officer has
  the whole interval, and the closing instant is the honest answer.
- "N hari" is the same local clock time N working days later, counted from the next
  opening if the task arrived outside office hours. When that clock time is not working
  time on the target day (a shorter Friday or Ramadan day, a lunch break) the deadline
  is the last closing instant before it, or the day's first opening if there is none;
  either way no working minute is lost or gained. "N minggu" is 5N working days.
- `elapsed` expresses working minutes as whole nominal working days (the reference
  weekday's regular length, 450 minutes by default) plus the remainder, so a duration
  does not change meaning with the days it happened to span (short Ramadan days,
  Friday's different hours).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot.core.calendar_settings import DEFAULT_CALENDAR_SETTINGS, CalendarSettings, DayHours
from bot.core.timestd import TimeStandard, WorkDuration

__all__ = ["WorkingTimeCalendar"]

_MAX_CLOSED_RUN_DAYS = 400
_HOLIDAY_CATEGORIES = ("public", "government")


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {t.isoformat()}")
    return t.astimezone(UTC)


def _day_minutes(hours: DayHours) -> int:
    return sum(_minutes(close) - _minutes(open_) for open_, close in hours)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True)
class _Day:
    intervals: tuple[tuple[datetime, datetime], ...]  # aware UTC, sorted
    length: timedelta


class WorkingTimeCalendar:
    """The `WorkCalendar` of the running bot: office hours, holidays, one time zone.

    Day layouts and holiday tables are cached (per date, per year), so a deadline weeks
    away costs a loop over days and intervals, never over minutes.
    """

    def __init__(self, settings: CalendarSettings = DEFAULT_CALENDAR_SETTINGS) -> None:
        self._settings = settings
        self._zone = ZoneInfo(settings.timezone)
        self._days: dict[date, _Day] = {}
        self._national: dict[int, holidays.HolidayBase] = {}
        self._nominal = _day_minutes(settings.office_hours[settings.reference_weekday])

    @property
    def settings(self) -> CalendarSettings:
        return self._settings

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def working_minutes_per_day(self) -> int:
        """One nominal "hari" in minutes: what durations are expressed in."""
        return self._nominal

    # --- days ---------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        return bool(self._day(d).intervals)

    def holiday_names(self, d: date) -> list[str]:
        """Names of the national holidays and cuti bersama on `d` (Indonesian).

        Names are given even when the agency works that day (an extra working day), so
        a message can say which holiday was cancelled; configured closures have none.
        """
        if not self._settings.use_national_holidays:
            return []
        return list(self._holidays(d.year).get_list(d))

    def intervals(self, d: date) -> list[tuple[datetime, datetime]]:
        """The office intervals of local date `d`, as aware datetimes in the agency zone."""
        return [
            (start.astimezone(self._zone), end.astimezone(self._zone))
            for start, end in self._day(d).intervals
        ]

    def minutes_per_day(self, d: date) -> int:
        return int(self._day(d).length.total_seconds() // 60)

    def local_date(self, t: datetime) -> date:
        return _utc(t).astimezone(self._zone).date()

    def missing_cuti_bersama_years(self, today: date) -> list[int]:
        """Of this year and the next, those without cuti bersama in the `holidays` data.

        Cuti bersama are decreed yearly and arrive only with a new package release; an
        empty year means deadlines there will run through collective leave until the
        package is upgraded or the days are configured as extra closures. An agency that
        does not use national holidays gets no warning.
        """
        if not self._settings.use_national_holidays:
            return []
        missing = []
        for year in (today.year, today.year + 1):
            decreed = holidays.country_holidays(
                "ID", years=year, categories=("government",), language="id"
            )
            if len(decreed) == 0:
                missing.append(year)
        return missing

    # --- instants -----------------------------------------------------------------

    def is_working_time(self, t: datetime) -> bool:
        t = _utc(t)
        return any(start <= t < end for start, end in self._day(self.local_date(t)).intervals)

    def next_opening(self, t: datetime) -> datetime:
        """`t` itself (as UTC) inside working time, else the next opening instant."""
        t = _utc(t)
        for d in self._days_from(self.local_date(t)):
            for start, end in self._day(d).intervals:
                if t < end:
                    return max(start, t)
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def next_working_morning(self, t: datetime) -> datetime:
        """The first opening of the first working day after `t`'s local date.

        Overdue reminders go out once each working morning; keying on the local date
        (not on `t` + 24 h) keeps them at opening time whatever time the last one went.
        """
        for d in self._days_from(self.local_date(t) + timedelta(days=1)):
            day = self._day(d)
            if day.intervals:
                return day.intervals[0][0]
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The earliest instant by which `minutes` working minutes have passed since `start`.

        Exact fits end on the closing instant rather than the next opening (see the
        module docstring); zero minutes returns `start` unchanged.
        """
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        start = _utc(start)
        remaining = timedelta(minutes=minutes)
        if not remaining:
            return start
        first = self.local_date(start)
        for d in self._days_from(first):
            day = self._day(d)
            if d > first and remaining > day.length:
                remaining -= day.length
                continue
            for open_, close in day.intervals:
                if close <= start:
                    continue
                begin = max(open_, start)
                available = close - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable: _days_from never ends")  # pragma: no cover

    # --- WorkCalendar -------------------------------------------------------------

    def deadline(self, start: datetime, standard: TimeStandard) -> datetime:
        minutes = standard.minutes_if_minutes_or_hours
        if minutes is not None:
            return self.add_working_minutes(start, minutes)
        days = standard.working_days
        assert days is not None
        return self.add_working_days(start, days)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local clock time `days` working days later (rules: module docstring)."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        begin = self.next_opening(start)
        local = begin.astimezone(self._zone)
        target = local.date()
        counted = 0
        for d in self._days_from(target + timedelta(days=1)):
            if counted == days:
                break
            if self._day(d).intervals:
                counted += 1
                target = d
        if days == 0:
            return begin
        wanted = datetime.combine(target, local.timetz()).astimezone(UTC)
        intervals = self._day(target).intervals
        if any(open_ <= wanted < close for open_, close in intervals):
            return wanted
        closings = [close for _, close in intervals if close <= wanted]
        return max(closings) if closings else intervals[0][0]

    def elapsed(self, start: datetime, end: datetime) -> WorkDuration:
        """Working time as nominal working days plus the remaining minutes."""
        total = self.elapsed_minutes(start, end)
        return WorkDuration(days=total // self._nominal, minutes=total % self._nominal)

    def elapsed_minutes(self, start: datetime, end: datetime) -> int:
        """Whole working minutes in [start, end); 0 when end is not after start."""
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0
        first, last = self.local_date(start), self.local_date(end)
        total = timedelta()
        d = first
        while d <= last:
            day = self._day(d)
            if first < d < last:
                total += day.length
            else:
                for open_, close in day.intervals:
                    lo, hi = max(open_, start), min(close, end)
                    if hi > lo:
                        total += hi - lo
            d += timedelta(days=1)
        return int(total.total_seconds() // 60)

    def standard_minutes(self, standard: TimeStandard) -> int:
        minutes = standard.minutes_if_minutes_or_hours
        if minutes is not None:
            return minutes
        days = standard.working_days
        assert days is not None
        return days * self._nominal

    # --- internals ----------------------------------------------------------------

    def _days_from(self, first: date) -> Iterable[date]:
        """Dates from `first` on; gives up only after a year without one working day."""
        d = first
        closed_run = 0
        while closed_run <= _MAX_CLOSED_RUN_DAYS:
            yield d
            closed_run = 0 if self._day(d).intervals else closed_run + 1
            d += timedelta(days=1)
        raise RuntimeError(f"no working day between {first} and {d}: check the calendar settings")

    def _day(self, d: date) -> _Day:
        cached = self._days.get(d)
        if cached is None:
            hours = self._hours(d)
            intervals = tuple(
                (
                    datetime.combine(d, open_, tzinfo=self._zone).astimezone(UTC),
                    datetime.combine(d, close, tzinfo=self._zone).astimezone(UTC),
                )
                for open_, close in hours
            )
            length = sum((close - open_ for open_, close in intervals), timedelta())
            cached = self._days[d] = _Day(intervals, length)
        return cached

    def _hours(self, d: date) -> DayHours:
        settings = self._settings
        if d in settings.extra_closures:
            return ()
        period = next((p for p in settings.ramadan if p.covers(d)), None)

        def hours_of(weekday: int) -> DayHours:
            if period is not None:
                special = period.hours[weekday]
                if special is not None:
                    return special
            return settings.office_hours[weekday]

        own = hours_of(d.weekday())
        if d in settings.extra_working_days:
            return (
                own
                or hours_of(settings.reference_weekday)
                or settings.office_hours[settings.reference_weekday]
            )
        if own and settings.use_national_holidays and d in self._holidays(d.year):
            return ()
        return own

    def _holidays(self, year: int) -> holidays.HolidayBase:
        table = self._national.get(year)
        if table is None:
            table = self._national[year] = holidays.country_holidays(
                "ID", years=year, categories=_HOLIDAY_CATEGORIES, language="id"
            )
        return table
