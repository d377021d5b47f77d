"""Time standards ("10 menit", "3 hari", "1 minggu") and the calendar interface they need.

The SOP states each step's time standard ("mutu baku waktu") in words. We keep the words
exactly as written (they are shown to officers) next to a parsed amount and unit. What a
unit means in wall-clock time is the calendar's business: a working-time calendar counts
"3 hari" as three working days, the 24/7 stand-in as 72 hours. The workflow core only
asks a `WorkCalendar` for deadlines, so it never needs to know office hours or holidays.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


class TimeUnit(enum.StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


_UNIT_WORDS: dict[str, TimeUnit] = {
    "menit": TimeUnit.MINUTE,
    "minute": TimeUnit.MINUTE,
    "minutes": TimeUnit.MINUTE,
    "jam": TimeUnit.HOUR,
    "hour": TimeUnit.HOUR,
    "hours": TimeUnit.HOUR,
    "hari": TimeUnit.DAY,
    "day": TimeUnit.DAY,
    "days": TimeUnit.DAY,
    "minggu": TimeUnit.WEEK,
    "pekan": TimeUnit.WEEK,
    "week": TimeUnit.WEEK,
    "weeks": TimeUnit.WEEK,
}

_PATTERN = re.compile(r"^\s*(\d{1,4})\s*([A-Za-z]+)\s*$")


class TimeStandardError(ValueError):
    """The text is not a time standard we can count."""


@dataclass(frozen=True, slots=True)
class TimeStandard:
    """A step's time standard: the words as written and what they mean."""

    text: str
    amount: int
    unit: TimeUnit

    @property
    def minutes_if_minutes_or_hours(self) -> int | None:
        """Minutes for sub-day standards (counted inside office hours), else None."""
        if self.unit is TimeUnit.MINUTE:
            return self.amount
        if self.unit is TimeUnit.HOUR:
            return self.amount * 60
        return None

    @property
    def working_days(self) -> int | None:
        """Working days for day and week standards ("1 minggu" = 5 hari), else None."""
        if self.unit is TimeUnit.DAY:
            return self.amount
        if self.unit is TimeUnit.WEEK:
            return self.amount * 5
        return None

    @property
    def is_day_or_more(self) -> bool:
        return self.unit in (TimeUnit.DAY, TimeUnit.WEEK)


def parse_time_standard(text: str) -> TimeStandard:
    """Parse "10 menit", "2 Jam", "1 minggu", "3 days"; reject anything else."""
    match = _PATTERN.match(text)
    if not match:
        raise TimeStandardError(f'expected "<number> <menit|jam|hari|minggu>", got "{text}"')
    amount = int(match.group(1))
    word = match.group(2).lower()
    unit = _UNIT_WORDS.get(word)
    if unit is None:
        raise TimeStandardError(
            f'unknown time unit "{match.group(2)}" in "{text}" (use menit, jam, hari or minggu)'
        )
    if amount <= 0:
        raise TimeStandardError(f'a time standard must be positive, got "{text}"')
    return TimeStandard(text=text.strip(), amount=amount, unit=unit)


@dataclass(frozen=True, slots=True)
class WorkDuration:
    """Working time between two instants: whole working days plus working minutes.

    A working day is a full day of office hours; `minutes` is the remainder, always
    less than one working day of that calendar.
    """

    days: int
    minutes: int

    @property
    def is_zero(self) -> bool:
        return self.days == 0 and self.minutes == 0


class WorkCalendar(Protocol):
    """What the workflow core and the reminders need to know about time."""

    def deadline(self, start: datetime, standard: TimeStandard) -> datetime:
        """The instant (aware, UTC) by which a task started at `start` is due."""
        ...

    def elapsed(self, start: datetime, end: datetime) -> WorkDuration:
        """Working time between two instants."""
        ...

    def elapsed_minutes(self, start: datetime, end: datetime) -> int:
        """Working minutes between two instants (for comparing against a standard)."""
        ...

    def standard_minutes(self, standard: TimeStandard) -> int:
        """How many working minutes a standard amounts to."""
        ...

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The instant `minutes` working minutes after `start`."""
        ...

    def next_working_morning(self, t: datetime) -> datetime:
        """The opening instant of the first working day after `t`'s local date."""
        ...

    def is_working_time(self, t: datetime) -> bool:
        """Whether the office is open at `t`."""
        ...


class AlwaysOpenCalendar:
    """A 24/7 calendar: every minute is a working minute, a day is 24 hours.

    Used by unit tests of the workflow core and wherever working time does not matter;
    the working-time calendar (`bot.core.workclock`) replaces it in the running bot.
    """

    def deadline(self, start: datetime, standard: TimeStandard) -> datetime:
        return start + timedelta(minutes=self.standard_minutes(standard))

    def elapsed(self, start: datetime, end: datetime) -> WorkDuration:
        total = self.elapsed_minutes(start, end)
        return WorkDuration(days=total // 1440, minutes=total % 1440)

    def elapsed_minutes(self, start: datetime, end: datetime) -> int:
        return max(0, int((end - start).total_seconds() // 60))

    def standard_minutes(self, standard: TimeStandard) -> int:
        minutes = standard.minutes_if_minutes_or_hours
        if minutes is not None:
            return minutes
        days = standard.working_days
        assert days is not None
        return days * 1440

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        return start + timedelta(minutes=minutes)

    def next_working_morning(self, t: datetime) -> datetime:
        midnight = t.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight + timedelta(days=1)

    def is_working_time(self, t: datetime) -> bool:
        return True
