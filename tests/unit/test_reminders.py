"""Which reminders a task gets and when, and how `[reminders]` mistakes are reported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.core.reminders import (
    DEFAULT_SUPERIOR_ROLE,
    DUE,
    ESCALATE,
    NUDGE,
    Escalation,
    ReminderPolicy,
    escalation_for,
    late_minutes,
    next_overdue,
    plan_task_reminders,
)
from bot.core.timestd import parse_time_standard
from bot.core.workclock import WorkingTimeCalendar
from tests.support.local_time import JAKARTA, at_local

CALENDAR = WorkingTimeCalendar()


def local(planned: list[tuple[str, datetime]]) -> list[tuple[str, str]]:
    return [(kind, at.astimezone(JAKARTA).strftime("%a %d %b %H.%M")) for kind, at in planned]


def plan(start: datetime, standard: str, policy: ReminderPolicy | None = None) -> list:
    time = parse_time_standard(standard)
    deadline = CALENDAR.deadline(start, time)
    return local(plan_task_reminders(start, deadline, time, CALENDAR, policy or ReminderPolicy()))


# --- planning ----------------------------------------------------------------------------


def test_a_three_day_task_gets_a_half_time_nudge_its_deadline_and_one_escalation() -> None:
    # Tue 7 July 09.00 + "3 hari": half is 675 working minutes (Wed 13.45), the deadline
    # Fri 09.00, the escalation three working days (1350 minutes) after the deadline.
    assert plan(at_local(2026, 7, 7, 9, 0), "3 hari") == [
        (NUDGE, "Wed 08 Jul 13.45"),
        (DUE, "Fri 10 Jul 09.00"),
        (ESCALATE, "Wed 15 Jul 09.00"),
    ]


def test_standards_under_a_day_get_no_nudge_and_at_least_an_hours_grace() -> None:
    # "2 jam" at 08.05: due 10.05; the grace is the standard itself, across lunch.
    assert plan(at_local(2026, 7, 6, 8, 5), "2 jam") == [
        (DUE, "Mon 06 Jul 10.05"),
        (ESCALATE, "Mon 06 Jul 13.05"),
    ]
    # "10 menit": the grace is the one-hour minimum, not ten minutes.
    assert plan(at_local(2026, 7, 6, 9, 0), "10 menit") == [
        (DUE, "Mon 06 Jul 09.10"),
        (ESCALATE, "Mon 06 Jul 10.10"),
    ]


def test_a_task_given_late_in_the_day_escalates_the_next_morning() -> None:
    # 15.50 + "10 menit" is due at closing, 16.00; the hour of grace is Tuesday's first.
    assert plan(at_local(2026, 7, 6, 15, 50), "10 menit") == [
        (DUE, "Mon 06 Jul 16.00"),
        (ESCALATE, "Tue 07 Jul 08.30"),
    ]


def test_the_policy_switches_parts_off_and_changes_percentages() -> None:
    quiet = ReminderPolicy(nudge_percent=0, escalate=False)
    assert plan(at_local(2026, 7, 7, 9, 0), "3 hari", quiet) == [(DUE, "Fri 10 Jul 09.00")]
    eager = ReminderPolicy(nudge_percent=20, grace_percent=0, grace_minimum_minutes=30)
    assert plan(at_local(2026, 7, 7, 9, 0), "1 hari", eager) == [
        (NUDGE, "Tue 07 Jul 10.30"),
        (DUE, "Wed 08 Jul 09.00"),
        (ESCALATE, "Wed 08 Jul 09.30"),
    ]


# --- the overdue mornings ----------------------------------------------------------------


def test_overdue_reminders_come_each_following_working_morning() -> None:
    sent = at_local(2026, 7, 10, 9, 0)  # the deadline reminder, Friday
    kind, at = next_overdue(DUE, sent, CALENDAR, ReminderPolicy()) or ("", sent)
    assert (kind, at.astimezone(JAKARTA)) == ("overdue:1", at_local(2026, 7, 13, 7, 30))
    # Friday 14 August: Monday the 17th is Independence Day, so Tuesday is next.
    following = next_overdue("overdue:4", at_local(2026, 8, 14, 7, 30), CALENDAR, ReminderPolicy())
    assert following == ("overdue:5", at_local(2026, 8, 18, 7, 30))


def test_a_deadline_announced_at_the_opening_is_not_followed_by_a_second_message_then() -> None:
    # The deadline fell at Monday's closing; its reminder went out Tuesday 07.30. The
    # first overdue reminder belongs to Wednesday morning, not to that same instant.
    sent = at_local(2026, 7, 7, 7, 30)
    assert next_overdue(DUE, sent, CALENDAR, ReminderPolicy()) == (
        "overdue:1",
        at_local(2026, 7, 8, 7, 30),
    )


def test_nothing_follows_a_nudge_an_escalation_or_a_policy_without_mornings() -> None:
    sent = at_local(2026, 7, 10, 9, 0)
    assert next_overdue(NUDGE, sent, CALENDAR, ReminderPolicy()) is None
    assert next_overdue(ESCALATE, sent, CALENDAR, ReminderPolicy()) is None
    assert next_overdue(DUE, sent, CALENDAR, ReminderPolicy(overdue_mornings=False)) is None


# --- `[reminders]` -------------------------------------------------------------------------


def test_an_empty_table_gives_the_defaults_of_the_issue() -> None:
    policy, errors = ReminderPolicy.from_mapping({})
    assert errors == []
    assert policy == ReminderPolicy()
    assert policy is not None and dict(policy.superior_role) == {
        "staf": "kasubag",
        "kasubag": "sekretaris",
        "tim_sakip": "sekretaris",
        "kabid": "sekretaris",
        "sekretaris": "kadin",
        "kadin": None,
    }


def test_a_full_table_is_read() -> None:
    policy, errors = ReminderPolicy.from_mapping(
        {
            "nudge_percent": 0,
            "at_deadline": True,
            "overdue_mornings": False,
            "grace_percent": 50,
            "grace_minimum_minutes": 30,
            "escalate": True,
            "superior_role": {"staf": "kabid", "kadin": "", "bendahara": "sekretaris"},
        }
    )
    assert errors == []
    assert policy is not None
    assert (policy.nudge_percent, policy.overdue_mornings, policy.grace_percent) == (0, False, 50)
    assert policy.superior_role["staf"] == "kabid"
    assert policy.superior_role["kadin"] is None
    assert policy.superior_role["bendahara"] == "sekretaris"
    assert policy.superior_role["kabid"] == DEFAULT_SUPERIOR_ROLE["kabid"]  # kept


@pytest.mark.parametrize(
    ("table", "error"),
    [
        (
            {"nudge": 50},
            "reminders.nudge: unknown key (expected one of: nudge_percent, at_deadline, "
            "overdue_mornings, grace_percent, grace_minimum_minutes, escalate, superior_role)",
        ),
        (
            {"nudge_percent": 100},
            "reminders.nudge_percent: expected 0 (no nudge) to 99, got 100",
        ),
        (
            {"grace_percent": -5},
            "reminders.grace_percent: expected a non-negative integer, got -5",
        ),
        (
            {"grace_minimum_minutes": "60"},
            "reminders.grace_minimum_minutes: expected a non-negative integer, got '60'",
        ),
        (
            {"nudge_percent": True},
            "reminders.nudge_percent: expected a non-negative integer, got True",
        ),
        ({"escalate": "ya"}, "reminders.escalate: expected true or false, got 'ya'"),
        (
            {"superior_role": ["staf", "kasubag"]},
            "reminders.superior_role: expected a table of role = role",
        ),
        (
            {"superior_role": {"staf": 3}},
            'reminders.superior_role.staf: expected a role key or "", got 3',
        ),
        (
            {"superior_role": {"kabid": "kabid"}},
            "reminders.superior_role.kabid: a role cannot be its own superior; "
            'name the role above it, or "" for nobody',
        ),
    ],
)
def test_each_mistake_is_reported_with_its_key(table: dict[str, Any], error: str) -> None:
    policy, errors = ReminderPolicy.from_mapping(table)
    assert policy is None
    assert errors == [error]


def test_every_mistake_is_reported_at_once() -> None:
    policy, errors = ReminderPolicy.from_mapping(
        {"nudge_percent": 150, "escalate": 1, "typo": True}
    )
    assert policy is None
    assert errors == [
        "reminders.typo: unknown key (expected one of: nudge_percent, at_deadline, "
        "overdue_mornings, grace_percent, grace_minimum_minutes, escalate, superior_role)",
        "reminders.nudge_percent: expected 0 (no nudge) to 99, got 150",
        "reminders.escalate: expected true or false, got 1",
    ]


# --- lateness and whom an escalation reaches --------------------------------------------


def test_lateness_agrees_with_the_deadline_shown_to_the_minute() -> None:
    # Due "15.10" (15.10.42), reminded at "07.30" the next working morning: the officer
    # counts 50 minutes from 15.10 to the 16.00 closing; the seconds must not make it 49.
    deadline = at_local(2026, 7, 6, 15, 10).replace(second=42)
    morning = at_local(2026, 7, 7, 7, 30).replace(second=5)
    assert CALENDAR.elapsed_minutes(deadline, morning) == 49  # what the seconds would say
    assert late_minutes(deadline, morning, CALENDAR) == 50
    assert late_minutes(deadline, at_local(2026, 7, 6, 15, 11), CALENDAR) == 1
    assert late_minutes(deadline, deadline, CALENDAR) == 0


def test_one_escalation_per_superior_names_every_late_holder() -> None:
    superiors = {"staf_1": "kasubag", "staf_2": "kasubag", "kabid_1": "sekretaris"}
    plan_ = escalation_for(["staf_1", "staf_2", "staf_1"], superiors.get)
    assert plan_ == Escalation(by_superior={"kasubag": ("staf_1", "staf_2")}, nobody_above=())
    plan_ = escalation_for(["staf_1", "kabid_1"], superiors.get)
    assert plan_.by_superior == {"kasubag": ("staf_1",), "sekretaris": ("kabid_1",)}


def test_the_officer_at_the_top_has_nobody_to_escalate_to() -> None:
    plan_ = escalation_for(["kadin"], {"sekretaris": "kadin"}.get)
    assert plan_ == Escalation(by_superior={}, nobody_above=("kadin",))
