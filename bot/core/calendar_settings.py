"""The `[calendar]` table of config.toml: which minutes are working minutes for one agency.

Read once at start (`bot.runtime.Runtime.build`) into a frozen `CalendarSettings`, which
`bot.core.workclock.WorkingTimeCalendar` then counts with. Settings schema (every key may
be left out)::

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
`CalendarSettings.from_mapping` reports every mistake at once, each with its key path;
unknown keys and time zones are judged by the rules every table shares
(`bot.config.fields`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from bot.config.fields import Fields, boolean, zone_named

__all__ = [
    "DEFAULT_CALENDAR_SETTINGS",
    "DEFAULT_OFFICE_HOURS",
    "WEEKDAY_KEYS",
    "CalendarSettings",
    "DayHours",
    "Interval",
    "RamadanPeriod",
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


# --- parsing and validation helpers (used by CalendarSettings below) ----------------


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
    if zone_named(name) is None:
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
    entries: dict[int, DayHours | None] = {}
    for key, value in raw.items():
        if key in WEEKDAY_KEYS:
            entries[WEEKDAY_KEYS.index(key)] = _parse_day(value, f"{path}.{key}", errors)
        elif key not in other_keys:
            Fields(errors).unknown_key(path, key, other_keys + WEEKDAY_KEYS)
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
        Fields(errors).unknown_keys(data, path, _TOP_KEYS)

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
            checked = boolean(raw)
            if checked is not None:
                use_national = checked
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
