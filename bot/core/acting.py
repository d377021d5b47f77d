"""Acting officials (Plh/Plt) as the agency records them on paper, and their rules.

A Surat Perintah names an absent official, the officer who stands in, the dates and the
kind: **Plh** (Pelaksana Harian) for a temporary absence such as leave or duty travel,
**Plt** (Pelaksana Tugas) for a vacancy (UU 30/2014 art. 14, SE BKN 1/SE/I/2021). Only
officials holding a position get one; staff and Tim SAKIP members are reassigned plainly.

The rules are pure: `check_appointment` and `check_extension` raise `ActingRefusal`
with a code the chat and the CLI turn into a sentence saying why. Levels come from the
people data: a role's level is its distance from the top of the superior chain
(`[reminders.superior_role]`: the Kadin 0, the Sekretaris 1, a Kabid 2, ...).
"""

from __future__ import annotations

import calendar
import contextlib
import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config.fields import Fields
from bot.core.workflow import Roster, StandIn

POSITION_ROLES: tuple[str, ...] = ("kadin", "sekretaris", "kabid", "kasubag")
# Who appoints the stand-in of an official with nobody above them in the agency (the
# Kadin): the regional head or the regional secretary, on their own letter.
EXTERNAL_APPOINTERS: tuple[str, ...] = ("bupati", "sekda")
PLT_MONTHS = 3  # a Plt period is at most this long, and may be extended once by as much


class ActingKind(enum.StrEnum):
    PLH = "plh"  # Pelaksana Harian: the official is away for a while
    PLT = "plt"  # Pelaksana Tugas: the position is vacant

    @property
    def title_prefix(self) -> str:
        """What goes before the position's title on documents: "Plh." or "Plt."."""
        return "Plh." if self is ActingKind.PLH else "Plt."


@dataclass(frozen=True, slots=True)
class Appointment:
    """One Surat Perintah: who stands in for whom, from when to when (both days included)."""

    kind: ActingKind
    letter_number: str
    letter_date: date
    appointer: str  # an officer key, or one of EXTERNAL_APPOINTERS
    absent: str
    stand_in: str
    start: date
    end: date
    id: int | None = None
    extended: bool = False  # a Plt extended once already
    recorded_by: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def stand_in_view(self) -> StandIn:
        """What the engine needs of it to route a task."""
        assert self.id is not None
        return StandIn(
            officer=self.stand_in,
            kind=self.kind.value,
            letter=self.letter_number,
            appointment=self.id,
        )


class ActingRefusalCode(enum.StrEnum):
    NOT_ADMIN = "not_admin"
    UNKNOWN_APPOINTMENT = "unknown_appointment"
    UNKNOWN_OFFICER = "unknown_officer"
    SELF_APPOINTMENT = "self_appointment"
    NOT_A_POSITION = "not_a_position"
    WRONG_APPOINTER = "wrong_appointer"
    WRONG_LEVEL = "wrong_level"
    DATES_REVERSED = "dates_reversed"
    PLT_TOO_LONG = "plt_too_long"
    LETTER_REQUIRED = "letter_required"
    OVERLAP = "overlap"
    STAND_IN_ABSENT = "stand_in_absent"
    NOT_PLT = "not_plt"
    ALREADY_EXTENDED = "already_extended"
    EXTENSION_TOO_LONG = "extension_too_long"


class ActingRefusal(Exception):
    """An appointment the rules refuse; `code` and `details` say why."""

    def __init__(self, code: ActingRefusalCode, **details: Any) -> None:
        super().__init__(code.value, details)
        self.code = code
        self.details = details


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """The people data the rules read: roles, the superior chain, each officer's superior."""

    roster: Roster
    superior_role: Mapping[str, str | None]
    superior_of: Callable[[str], str | None]
    positions: tuple[str, ...] = POSITION_ROLES

    def level(self, role: str) -> int:
        """Distance from the top of the superior chain (the Kadin is 0)."""
        depth, seen = 0, {role}
        above = self.superior_role.get(role)
        while above is not None and above not in seen:
            depth += 1
            seen.add(above)
            above = self.superior_role.get(above)
        return depth

    def holds_position(self, key: str) -> bool:
        return self.roster.role_of(key) in self.positions


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has none (31 Jan + 1)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_appointment(
    a: Appointment, people: Hierarchy, existing: Sequence[Appointment] = ()
) -> None:
    """Raise `ActingRefusal` if the Surat Perintah breaks a rule; the first broken rule
    is named (in the order an admin would fix them)."""
    roster = people.roster
    for key in (a.absent, a.stand_in):
        if roster.role_of(key) is None:
            raise ActingRefusal(ActingRefusalCode.UNKNOWN_OFFICER, officer=key)
    if a.absent == a.stand_in:
        raise ActingRefusal(ActingRefusalCode.SELF_APPOINTMENT, officer=a.absent)
    if not people.holds_position(a.absent):
        raise ActingRefusal(
            ActingRefusalCode.NOT_A_POSITION,
            officer=a.absent,
            role=roster.role_of(a.absent),
        )
    if not a.letter_number.strip():
        raise ActingRefusal(ActingRefusalCode.LETTER_REQUIRED)
    _check_appointer(a, people)
    _check_level(a, people)
    if a.end < a.start:
        raise ActingRefusal(ActingRefusalCode.DATES_REVERSED, start=a.start, end=a.end)
    if a.kind is ActingKind.PLT and a.end >= add_months(a.start, PLT_MONTHS):
        raise ActingRefusal(
            ActingRefusalCode.PLT_TOO_LONG,
            months=PLT_MONTHS,
            latest=add_months(a.start, PLT_MONTHS) - timedelta(days=1),
        )
    _check_overlap(a, existing)


def _check_appointer(a: Appointment, people: Hierarchy) -> None:
    role = people.roster.role_of(a.absent)
    above = people.superior_role.get(role) if role else None
    if above is None:
        if a.appointer not in EXTERNAL_APPOINTERS:
            raise ActingRefusal(
                ActingRefusalCode.WRONG_APPOINTER,
                appointer=a.appointer,
                expected=EXTERNAL_APPOINTERS,
            )
        return
    expected = people.superior_of(a.absent)
    if a.appointer == a.absent or (
        a.appointer != expected and people.roster.role_of(a.appointer) != above
    ):
        raise ActingRefusal(
            ActingRefusalCode.WRONG_APPOINTER,
            appointer=a.appointer,
            expected=(expected,) if expected else tuple(people.roster.holders([above])),
        )


def _check_level(a: Appointment, people: Hierarchy) -> None:
    """The stand-in holds a position of the same level or one below (a senior official
    does not stand in for a junior one; staff hold no position to act from)."""
    absent_role = people.roster.role_of(a.absent)
    stand_in_role = people.roster.role_of(a.stand_in)
    assert absent_role is not None and stand_in_role is not None
    gap = people.level(stand_in_role) - people.level(absent_role)
    if gap not in (0, 1) or not people.holds_position(a.stand_in):
        raise ActingRefusal(ActingRefusalCode.WRONG_LEVEL, officer=a.stand_in, role=stand_in_role)


def _overlaps(a: Appointment, b: Appointment) -> bool:
    return a.start <= b.end and b.start <= a.end


def _check_overlap(a: Appointment, existing: Sequence[Appointment]) -> None:
    for other in existing:
        if (other.id is not None and other.id == a.id) or not _overlaps(a, other):
            continue
        if other.absent == a.absent:
            raise ActingRefusal(
                ActingRefusalCode.OVERLAP, officer=a.absent, letter=other.letter_number
            )
        if other.absent == a.stand_in:
            raise ActingRefusal(
                ActingRefusalCode.STAND_IN_ABSENT, officer=a.stand_in, letter=other.letter_number
            )


def check_extension(
    a: Appointment, new_end: date, existing: Sequence[Appointment] = ()
) -> Appointment:
    """A Plt extended once, by at most `PLT_MONTHS` more; the extended appointment."""
    if a.kind is not ActingKind.PLT:
        raise ActingRefusal(ActingRefusalCode.NOT_PLT, letter=a.letter_number)
    if a.extended:
        raise ActingRefusal(ActingRefusalCode.ALREADY_EXTENDED, letter=a.letter_number)
    latest = add_months(a.end, PLT_MONTHS)
    if new_end <= a.end or new_end > latest:
        raise ActingRefusal(
            ActingRefusalCode.EXTENSION_TOO_LONG, months=PLT_MONTHS, end=a.end, latest=latest
        )
    extended = replace(a, end=new_end, extended=True)
    _check_overlap(extended, existing)
    return extended


# -- when an appointment takes effect --------------------------------------------------------


def starts_at(a: Appointment, tz: ZoneInfo) -> datetime:
    """The first instant of the start day: from then the stand-in holds the tasks."""
    return datetime.combine(a.start, time(0), tz)


def ends_at(a: Appointment, tz: ZoneInfo) -> datetime:
    """The first instant after the end day: then the open tasks go back."""
    return datetime.combine(a.end + timedelta(days=1), time(0), tz)


def next_change(
    appointments: Sequence[Appointment], now: datetime, tz: ZoneInfo
) -> datetime | None:
    """The next instant an appointment starts or ends after `now` (the check wakes then)."""
    moments = [m for a in appointments for m in (starts_at(a, tz), ends_at(a, tz)) if m > now]
    return min(moments, default=None)


# -- Surat Perintah written in config.toml ([[acting.letters]]) --------------------------------

_LETTER_KEYS = ("kind", "number", "date", "appointer", "absent", "stand_in", "start", "end")


def letters_from_mapping(data: Mapping[str, Any]) -> tuple[list[Appointment], list[str]]:
    """Read `[acting]` (its `[[acting.letters]]` blocks); one message per mistake. The
    rules are checked later, against the officers (`check_appointment`)."""
    fields = Fields()
    fields.unknown_keys(data, "acting", ("letters",))
    blocks = fields.table_list(data, "letters", required=False) or []
    letters: list[Appointment] = []
    for index, block in enumerate(b for _, b in blocks):
        where = f"acting.letters[{index}]"
        fields.unknown_keys(block, where, _LETTER_KEYS)
        kind = fields.choice(block, where, "kind", ActingKind, None)
        names = ("number", "appointer", "absent", "stand_in")
        text = {k: fields.string(block, where, k, required=True) for k in names}
        days = {k: _day(fields, block, where, k) for k in ("date", "start", "end")}
        if kind is None or None in text.values() or None in days.values():
            continue
        letters.append(
            Appointment(
                kind=kind,
                letter_number=str(text["number"]),
                letter_date=_known(days["date"]),
                appointer=str(text["appointer"]),
                absent=str(text["absent"]),
                stand_in=str(text["stand_in"]),
                start=_known(days["start"]),
                end=_known(days["end"]),
                recorded_by="config",
            )
        )
    return letters, fields.errors


def _day(fields: Fields, block: Mapping[str, Any], where: str, key: str) -> date | None:
    """A TOML date (`2026-07-06`) or the same as a string."""
    value = block.get(key)
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    if value is None:
        fields.missing(f"{where}.{key}")
    else:
        fields.fail(f"{where}.{key}", f"expected a date such as 2026-07-06, got {value!r}")
    return None


def _known(day: date | None) -> date:
    assert day is not None
    return day
