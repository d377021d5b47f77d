"""Working time: office hours, national holidays, cuti bersama and the agency's time zone.

SOP time standards are working time (Perpres 21/2023: 37.5 hours a week). "30 menit"
given at 15.50 on a Monday is not due at 16.20 but at 07.50 the next working day, and
"3 hari" skips weekends, public holidays and cuti bersama. This module is pure: every
instant is passed in (aware; returned as UTC), nothing is scheduled or stored here.

Settings schema (the ``[calendar]`` table of config.toml; every key may be left out)::

    [calendar]
    timezone = "Asia/Jakarta"             # WIB; "Asia/Makassar" WITA, "Asia/Jayapura" WIT;
                                          # left out: the agency's zone (agency.timezone)
    use_national_holidays = true          # public holidays + cuti bersama (`holidays`)
    extra_closures = [2026-12-31]         # regional holidays, office closures
    extra_working_days = [2027-01-02]     # a cancelled holiday, a Saturday made working
    reference_weekday = "mon"             # its hours are an extra working day's hours when
                                          # the date's own weekday is closed, and its
                                          # length is one "hari" in durations

    [calendar.office_hours]               # left out entirely: the default shown here
    mon = ["07:30-12:00", "13:00-16:00"]  # a weekday left out (or = []) is closed
    tue = ["07:30-12:00", "13:00-16:00"]
    wed = ["07:30-12:00", "13:00-16:00"]
    thu = ["07:30-12:00", "13:00-16:00"]
    fri = ["07:30-11:30", "13:00-16:30"]

    [[calendar.ramadan]]                  # optional; one table per Ramadan
    start = 2027-02-08                    # first day, inclusive
    end = 2027-03-09                      # last day, inclusive (at most 31 days)
    mon = ["08:00-12:00", "12:30-15:00"]  # a weekday left out keeps its regular hours
    fri = ["08:00-11:30", "12:30-15:30"]

Times are "HH:MM-HH:MM" ("HH.MM-HH.MM" is read too), intervals are half-open
[open, close) and must not overlap; dates are TOML dates or "YYYY-MM-DD" strings.
`CalendarSettings.from_mapping` reports every mistake at once, each with its key path.

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

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from bot.core.timestd import TimeStandard, WorkDuration

__all__ = [
    "DEFAULT_CALENDAR_SETTINGS",
    "DEFAULT_OFFICE_HOURS",
    "WEEKDAY_KEYS",
    "CalendarSettings",
    "DayHours",
    "Interval",
    "RamadanPeriod",
    "WorkingTimeCalendar",
]

Interval = tuple[time, time]
"""Office hours (open, close) within one local day; close is exclusive."""
DayHours = tuple[Interval, ...]
"""A day's office intervals, sorted; empty when the office is closed."""

WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""TOML keys of the weekdays, indexed like `date.weekday()`."""

_MON_THU: DayHours = ((time(7, 30), time(12, 0)), (time(13, 0), time(16, 0)))
_FRI: DayHours = ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
DEFAULT_OFFICE_HOURS: tuple[DayHours, ...] = (_MON_THU, _MON_THU, _MON_THU, _MON_THU, _FRI, (), ())
"""37.5 hours a week (Perpres 21/2023) as many regional agencies split them."""

_MAX_RAMADAN_DAYS = 31
_MAX_CLOSED_RUN_DAYS = 400
_INTERVAL_RE = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZONE_HINT = 'such as "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT)'
_TOP_KEYS = (
    "timezone",
    "office_hours",
    "ramadan",
    "reference_weekday",
    "extra_closures",
    "extra_working_days",
    "use_national_holidays",
)
_HOLIDAY_CATEGORIES = ("public", "government")


# --- parsing and validation helpers (used by CalendarSettings below) ----------------


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {t.isoformat()}")
    return t.astimezone(UTC)


def _day_minutes(hours: DayHours) -> int:
    return sum(_minutes(close) - _minutes(open_) for open_, close in hours)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _fmt(interval: Interval) -> str:
    open_, close = interval
    return f"{open_:%H:%M}-{close:%H:%M}"


def _sorted_day(day: DayHours) -> DayHours:
    return tuple(sorted(day))


def _show(value: object) -> str:
    """A config value the way the admin typed it in TOML."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | date | time):
        return str(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _timezone_error(prefix: str, name: str) -> str | None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f'{prefix}timezone: unknown time zone "{name}"; expected a time zone {_ZONE_HINT}'
    return None


def _parse_timezone(
    data: Mapping[str, Any], prefix: str, agency_zone: str | None, errors: list[str]
) -> str | None:
    if "timezone" not in data:
        if agency_zone is None:
            errors.append(f"{prefix}timezone: missing; expected a time zone {_ZONE_HINT}")
            return None
        name = agency_zone
    elif not isinstance(data["timezone"], str):
        errors.append(
            f"{prefix}timezone: expected a time zone {_ZONE_HINT}, got {_show(data['timezone'])}"
        )
        return None
    else:
        name = data["timezone"]
    zone_error = _timezone_error(prefix, name)
    if zone_error:
        errors.append(zone_error)
        return None
    if agency_zone is not None and name != agency_zone:
        errors.append(
            f'{prefix}timezone: "{name}" contradicts the agency\'s time zone "{agency_zone}";'
            " expected the same zone or the key left out"
        )
        return None
    return name


def _parse_interval(raw: object, path: str, errors: list[str]) -> Interval | None:
    match = _INTERVAL_RE.match(raw) if isinstance(raw, str) else None
    if match:
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60:
            return time(h1, m1), time(h2, m2)
    errors.append(f'{path}: expected "HH:MM-HH:MM", got {_show(raw)}')
    return None


def _parse_day(raw: object, path: str, errors: list[str]) -> DayHours | None:
    """A weekday's intervals, or None when any of them is unreadable (already reported)."""
    if not isinstance(raw, list):
        errors.append(f'{path}: expected a list of "HH:MM-HH:MM" strings, got {_show(raw)}')
        return None
    parsed = [_parse_interval(item, f"{path}[{i}]", errors) for i, item in enumerate(raw)]
    intervals = [interval for interval in parsed if interval is not None]
    return tuple(intervals) if len(intervals) == len(parsed) else None


def _parse_week_entries(
    raw: object, path: str, errors: list[str], *, other_keys: tuple[str, ...] = ()
) -> dict[int, DayHours | None] | None:
    """Listed weekdays only; None for a day marks an error already reported."""
    if not isinstance(raw, Mapping):
        errors.append(f"{path}: expected a table of weekdays (mon..sun), got {_show(raw)}")
        return None
    expected = ", ".join(other_keys + WEEKDAY_KEYS)
    entries: dict[int, DayHours | None] = {}
    for key, value in raw.items():
        if key in WEEKDAY_KEYS:
            entries[WEEKDAY_KEYS.index(key)] = _parse_day(value, f"{path}.{key}", errors)
        elif key not in other_keys:
            errors.append(f"{path}.{key}: unknown key; expected one of {expected}")
    return entries


def _parse_week(raw: object, path: str, errors: list[str]) -> tuple[DayHours | None, ...] | None:
    """Seven days, a weekday left out being closed."""
    entries = _parse_week_entries(raw, path, errors)
    if entries is None:
        return None
    return tuple(entries.get(weekday, ()) for weekday in range(7))


def _parse_date(raw: object, path: str, errors: list[str]) -> date | None:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str) and _DATE_RE.match(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    errors.append(f"{path}: expected a date (YYYY-MM-DD), got {_show(raw)}")
    return None


def _parse_dates(
    data: Mapping[str, Any], key: str, prefix: str, errors: list[str]
) -> frozenset[date] | None:
    raw = data.get(key, [])
    if not isinstance(raw, list):
        errors.append(f"{prefix}{key}: expected a list of dates (YYYY-MM-DD), got {_show(raw)}")
        return None
    parsed = [_parse_date(item, f"{prefix}{key}[{i}]", errors) for i, item in enumerate(raw)]
    return frozenset(d for d in parsed if d is not None)


def _parse_ramadan(raw: object, path: str, errors: list[str]) -> list[tuple[int, RamadanPeriod]]:
    """Readable periods with their index in the file, for messages that name them."""
    if not isinstance(raw, list):
        errors.append(f"{path}: expected a list of tables ([[{path}]]), got {_show(raw)}")
        return []
    periods: list[tuple[int, RamadanPeriod]] = []
    for i, item in enumerate(raw):
        item_path = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            errors.append(
                f"{item_path}: expected a table with start, end and weekdays, got {_show(item)}"
            )
            continue
        bounds: list[date | None] = []
        for key in ("start", "end"):
            if key in item:
                bounds.append(_parse_date(item[key], f"{item_path}.{key}", errors))
            else:
                bounds.append(None)
                errors.append(f"{item_path}.{key}: missing; expected a date (YYYY-MM-DD)")
        entries = _parse_week_entries(item, item_path, errors, other_keys=("start", "end"))
        start, end = bounds
        if start is None or end is None or entries is None:
            continue
        if any(day is None for day in entries.values()):
            continue
        hours = tuple(entries.get(weekday) for weekday in range(7))
        periods.append((i, RamadanPeriod(start, end, hours)))
    return periods


def _structural_errors(
    prefix: str,
    week: Sequence[DayHours | None] | None,
    ramadan: Sequence[tuple[int, RamadanPeriod]],
    reference: int | None,
    closures: frozenset[date] | None,
    working: frozenset[date] | None,
) -> list[str]:
    """Mistakes in values that parsed: shared by `from_mapping` and direct construction.

    Days and periods that failed to parse arrive as None (or are absent) and are
    skipped, so one typo is reported once.
    """
    errors: list[str] = []
    if week is not None:
        for weekday, day in enumerate(week):
            if day is not None:
                errors += _day_errors(f"{prefix}office_hours.{WEEKDAY_KEYS[weekday]}", day)
        if all(day is not None for day in week) and not any(week):
            errors.append(
                f"{prefix}office_hours: no weekday has office hours; expected at least one"
            )
        elif reference is not None and week[reference] == ():
            errors.append(
                f'{prefix}reference_weekday: "{WEEKDAY_KEYS[reference]}" has no office hours;'
                " expected a weekday with office hours"
            )
    for i, period in ramadan:
        path = f"{prefix}ramadan[{i}]"
        for weekday, special in enumerate(period.hours):
            if special is not None:
                errors += _day_errors(f"{path}.{WEEKDAY_KEYS[weekday]}", special)
        if period.end < period.start:
            errors.append(
                f"{path}.end: expected a date on or after start ({period.start}), got {period.end}"
            )
        elif (period.end - period.start).days + 1 > _MAX_RAMADAN_DAYS:
            length = (period.end - period.start).days + 1
            errors.append(
                f"{path}: expected at most {_MAX_RAMADAN_DAYS} days (Ramadan lasts 29 or 30),"
                f" got {length} days ({period.start}..{period.end})"
            )
        if all(special is None for special in period.hours):
            errors.append(f"{path}: expected office hours for at least one weekday (mon..sun)")
    ordered = sorted(
        ((i, p) for i, p in ramadan if p.start <= p.end), key=lambda item: item[1].start
    )
    for (i, earlier), (j, later) in itertools.pairwise(ordered):
        if later.start <= earlier.end:
            first, second = sorted((i, j))
            errors.append(
                f"{prefix}ramadan[{second}]: overlaps {prefix}ramadan[{first}] "
                f"({earlier.start}..{earlier.end} and {later.start}..{later.end})"
            )
    if closures is not None and working is not None:
        for d in sorted(closures & working):
            errors.append(
                f"{prefix}extra_working_days: {d} is also in {prefix}extra_closures; "
                "expected each date in one list only"
            )
    return errors


def _day_errors(path: str, day: DayHours) -> list[str]:
    errors: list[str] = []
    valid: list[Interval] = []
    for i, interval in enumerate(day):
        open_, close = interval
        if close <= open_:
            errors.append(
                f"{path}[{i}]: expected the closing time after the opening time, "
                f'got "{_fmt(interval)}"'
            )
        else:
            valid.append(interval)
    valid.sort()
    for earlier, later in itertools.pairwise(valid):
        if later[0] < earlier[1]:
            errors.append(f'{path}: "{_fmt(earlier)}" and "{_fmt(later)}" overlap')
    return errors


@dataclass(frozen=True, slots=True)
class RamadanPeriod:
    """Shorter office hours for the fasting month, decreed anew each year.

    `hours` has one entry per weekday (Monday first); None keeps that weekday's regular
    office hours, so a period only has to name the days whose hours change.
    """

    start: date
    end: date  # inclusive
    hours: tuple[DayHours | None, ...]

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """Everything that decides which minutes are working minutes for one agency.

    Intervals are stored as sorted tuples (not lists) so settings stay immutable once
    validated; construction raises ValueError on the same mistakes `from_mapping`
    reports, so an invalid calendar cannot exist.
    """

    timezone: str = "Asia/Jakarta"
    office_hours: tuple[DayHours, ...] = DEFAULT_OFFICE_HOURS
    ramadan: tuple[RamadanPeriod, ...] = ()
    extra_closures: frozenset[date] = field(default_factory=frozenset)
    extra_working_days: frozenset[date] = field(default_factory=frozenset)
    reference_weekday: int = 0  # Monday, as date.weekday()
    use_national_holidays: bool = True

    def __post_init__(self) -> None:
        errors: list[str] = []
        if len(self.office_hours) != 7:
            errors.append(f"office_hours: expected 7 weekdays, got {len(self.office_hours)}")
        elif any(len(p.hours) != 7 for p in self.ramadan):
            errors.append("ramadan: expected 7 weekdays in every period's hours")
        else:
            object.__setattr__(
                self, "office_hours", tuple(_sorted_day(day) for day in self.office_hours)
            )
            object.__setattr__(
                self,
                "ramadan",
                tuple(
                    RamadanPeriod(
                        p.start,
                        p.end,
                        tuple(None if day is None else _sorted_day(day) for day in p.hours),
                    )
                    for p in self.ramadan
                ),
            )
            zone_error = _timezone_error("", self.timezone)
            if zone_error:
                errors.append(zone_error)
            reference: int | None = self.reference_weekday
            if not 0 <= self.reference_weekday <= 6:
                errors.append(
                    f"reference_weekday: expected 0 (Monday) to 6, got {self.reference_weekday}"
                )
                reference = None
            errors += _structural_errors(
                "",
                self.office_hours,
                list(enumerate(self.ramadan)),
                reference,
                self.extra_closures,
                self.extra_working_days,
            )
        if errors:
            raise ValueError("invalid calendar settings: " + "; ".join(errors))
        object.__setattr__(self, "extra_closures", frozenset(self.extra_closures))
        object.__setattr__(self, "extra_working_days", frozenset(self.extra_working_days))

    @classmethod
    def from_mapping(
        cls,
        data: Mapping[str, Any],
        *,
        timezone: str | None = None,
        path: str = "calendar",
    ) -> tuple[CalendarSettings | None, list[str]]:
        """Read the ``[calendar]`` table; on any mistake return None and every error.

        Reporting all mistakes at once (each with its key path and what was expected)
        saves the admin a fix-restart cycle per typo. `timezone` is the agency's zone
        (config.toml names it once, in ``[agency]``); the table may repeat it but not
        contradict it, and there is no silent default: a Papua office counted in WIB
        would get every deadline two hours wrong.
        """
        if not isinstance(data, Mapping):
            return None, [f"{path}: expected a table, got {_show(data)}"]
        prefix = f"{path}."
        errors: list[str] = []
        for key in data:
            if key not in _TOP_KEYS:
                errors.append(
                    f"{prefix}{key}: unknown key; expected one of {', '.join(_TOP_KEYS)}"
                )

        zone = _parse_timezone(data, prefix, timezone, errors)

        week: tuple[DayHours | None, ...] | None = DEFAULT_OFFICE_HOURS
        if "office_hours" in data:
            week = _parse_week(data["office_hours"], f"{prefix}office_hours", errors)

        ramadan = _parse_ramadan(data.get("ramadan", []), f"{prefix}ramadan", errors)

        reference: int | None = 0
        if "reference_weekday" in data:
            raw = data["reference_weekday"]
            if isinstance(raw, str) and raw.lower() in WEEKDAY_KEYS:
                reference = WEEKDAY_KEYS.index(raw.lower())
            else:
                reference = None
                errors.append(
                    f"{prefix}reference_weekday: expected one of "
                    f"{', '.join(WEEKDAY_KEYS)}, got {_show(raw)}"
                )

        closures = _parse_dates(data, "extra_closures", prefix, errors)
        working = _parse_dates(data, "extra_working_days", prefix, errors)

        use_national = True
        if "use_national_holidays" in data:
            raw = data["use_national_holidays"]
            if isinstance(raw, bool):
                use_national = raw
            else:
                errors.append(
                    f"{prefix}use_national_holidays: expected true or false, got {_show(raw)}"
                )

        errors += _structural_errors(prefix, week, ramadan, reference, closures, working)
        if errors:
            return None, errors
        assert zone is not None and week is not None and reference is not None
        assert closures is not None and working is not None
        settings = cls(
            timezone=zone,
            office_hours=tuple(day or () for day in week),
            ramadan=tuple(period for _, period in ramadan),
            extra_closures=closures,
            extra_working_days=working,
            reference_weekday=reference,
            use_national_holidays=use_national,
        )
        return settings, []


DEFAULT_CALENDAR_SETTINGS = CalendarSettings()


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
