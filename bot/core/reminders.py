"""Which reminders a task gets, and when (pure: the calendar decides what time means).

For every open task: a nudge when part of the standard has elapsed (standards of a day or
more only), one at the deadline, one each working morning while overdue, and one
escalation to the officer's superior after the deadline plus a grace period. A step held
by several officers escalates once per superior, naming every late holder; a holder with
nobody above (the Kadin) is reported to the admins instead. The rows live in the
database; `bot.services.workflow_service.WorkflowService.tick` sends what is due.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config.fields import Fields, boolean, whole_number
from bot.core.timestd import TimeStandard, WorkCalendar

NUDGE = "nudge"
DUE = "due"
ESCALATE = "escalate"
OVERDUE_PREFIX = "overdue:"

_KEYS = (
    "nudge_percent",
    "at_deadline",
    "overdue_mornings",
    "grace_percent",
    "grace_minimum_minutes",
    "escalate",
    "superior_role",
)
DEFAULT_SUPERIOR_ROLE: Mapping[str, str | None] = {
    "staf": "kasubag",
    "kasubag": "sekretaris",
    "tim_sakip": "sekretaris",
    "kabid": "sekretaris",
    "sekretaris": "kadin",
    "kadin": None,
}


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    nudge_percent: int = 50  # of the standard, for standards of a day or more; 0: none
    at_deadline: bool = True
    overdue_mornings: bool = True
    grace_percent: int = 100  # escalation after deadline + max(this % of standard, minimum)
    grace_minimum_minutes: int = 60
    escalate: bool = True
    superior_role: Mapping[str, str | None] = field(
        default_factory=lambda: dict(DEFAULT_SUPERIOR_ROLE)
    )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> tuple[ReminderPolicy | None, list[str]]:
        """Read `[reminders]` from the config; one message per mistake."""
        fields = Fields()
        fields.unknown_keys(data, "reminders", _KEYS)
        errors = fields.errors
        values: dict[str, Any] = {}
        for key in ("nudge_percent", "grace_percent", "grace_minimum_minutes"):
            if key in data:
                value = data[key]
                if whole_number(value, 0) is None:
                    errors.append(
                        f"reminders.{key}: expected a non-negative integer, got {value!r}"
                    )
                elif key == "nudge_percent" and value >= 100:
                    errors.append(f"reminders.{key}: expected 0 (no nudge) to 99, got {value}")
                else:
                    values[key] = value
        for key in ("at_deadline", "overdue_mornings", "escalate"):
            if key in data:
                if boolean(data[key]) is None:
                    errors.append(f"reminders.{key}: expected true or false, got {data[key]!r}")
                else:
                    values[key] = data[key]
        if "superior_role" in data:
            table = data["superior_role"]
            if not isinstance(table, Mapping):
                errors.append("reminders.superior_role: expected a table of role = role")
            else:
                merged: dict[str, str | None] = dict(DEFAULT_SUPERIOR_ROLE)
                for role, superior in table.items():
                    if not isinstance(superior, str):
                        errors.append(
                            f'reminders.superior_role.{role}: expected a role key or "", '
                            f"got {superior!r}"
                        )
                    elif superior == role:
                        # Role-based escalation skips the officer, so this would escalate
                        # to a colleague of the same rank: a typo, not a hierarchy.
                        errors.append(
                            f"reminders.superior_role.{role}: a role cannot be its own "
                            'superior; name the role above it, or "" for nobody'
                        )
                    else:
                        merged[str(role)] = superior or None
                values["superior_role"] = merged
        if errors:
            return None, errors
        return cls(**values), []


def overdue_kind(n: int) -> str:
    return f"{OVERDUE_PREFIX}{n}"


def overdue_number(kind: str) -> int | None:
    if not kind.startswith(OVERDUE_PREFIX):
        return None
    return int(kind.removeprefix(OVERDUE_PREFIX))


def plan_task_reminders(
    created_at: datetime,
    deadline: datetime,
    standard: TimeStandard,
    calendar: WorkCalendar,
    policy: ReminderPolicy,
) -> list[tuple[str, datetime]]:
    """The reminders a task gets when its clock starts (overdue mornings come later)."""
    planned: list[tuple[str, datetime]] = []
    standard_minutes = calendar.standard_minutes(standard)
    if standard.is_day_or_more and policy.nudge_percent:
        nudge_at = calendar.add_working_minutes(
            created_at, standard_minutes * policy.nudge_percent // 100
        )
        if nudge_at < deadline:
            planned.append((NUDGE, nudge_at))
    if policy.at_deadline:
        planned.append((DUE, deadline))
    if policy.escalate:
        grace = max(standard_minutes * policy.grace_percent // 100, policy.grace_minimum_minutes)
        planned.append((ESCALATE, calendar.add_working_minutes(deadline, grace)))
    return planned


def next_overdue(
    sent_kind: str, sent_at: datetime, calendar: WorkCalendar, policy: ReminderPolicy
) -> tuple[str, datetime] | None:
    """After the deadline reminder or a morning one, the next working morning's reminder.

    Counted from when the reminder actually went out, not from when it fell due: a
    deadline at closing time is announced at the next opening, and a reminder held back
    while the bot was down goes out at start; counting from the due time would put the
    next morning's reminder at that same instant (or a burst of them) instead of the
    following morning.
    """
    if not policy.overdue_mornings:
        return None
    if sent_kind == DUE:
        n = 1
    else:
        previous = overdue_number(sent_kind)
        if previous is None:
            return None
        n = previous + 1
    return overdue_kind(n), calendar.next_working_morning(sent_at)


def late_minutes(deadline: datetime, now: datetime, calendar: WorkCalendar) -> int:
    """Working minutes past the deadline, as the officer can check them: the deadline is
    shown to the minute ("15.10") and so is the reminder's time, so both are taken at
    their minute. Counting from the deadline's seconds would say "49 menit" for a task
    due "15.10" and reminded at "16.00", one minute less than anyone reading it counts."""
    return calendar.elapsed_minutes(_to_the_minute(deadline), _to_the_minute(now))


def _to_the_minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class Escalation:
    """Who hears that one step is late: each superior about the holders below them (one
    message each), and the holders with nobody above, whom only the admins can chase."""

    by_superior: Mapping[str, tuple[str, ...]]
    nobody_above: tuple[str, ...]


def escalation_for(holders: Sequence[str], superior_of: Callable[[str], str | None]) -> Escalation:
    """Group the late holders of one step by superior, in the holders' order.

    A holder who is a superior of another late holder is late too: they are told through
    their own line, not asked to chase themselves."""
    late = list(dict.fromkeys(holders))
    by_superior: dict[str, list[str]] = {}
    nobody_above: list[str] = []
    for holder in late:
        superior = superior_of(holder)
        if superior is None:
            nobody_above.append(holder)
        elif superior not in late:
            by_superior.setdefault(superior, []).append(holder)
    return Escalation(
        by_superior={k: tuple(v) for k, v in by_superior.items()},
        nobody_above=tuple(nobody_above),
    )
