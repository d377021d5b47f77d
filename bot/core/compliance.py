"""How well the agency kept its SOPs' time standards over a year or a quarter.

The inspectorate asks each year for the monitoring form of PermenPAN-RB 35/2012: per
procedure, whether it "berjalan dengan baik", with the figures behind the judgement. This
module computes those figures from the audit trail alone, through the same rebuild that
/riwayat uses (`bot.core.performance.case_performance`, working time on the agency's
calendar), so any past period can be rebuilt and a changed case row changes nothing.

What counts in a period: every round of a step that ENDED inside it (its closing event's
local date between the period's first and last day), whatever period the case reports
on. A round still running has no duration yet; a round ended by cancelling the case did
not finish its step; neither is counted. Per SOP and step:

- runs: the rounds counted; a step run again after a return counts each round;
- median and maximum working minutes taken, the standard, and how many rounds were
  done within it (`StepRun.on_time`: by the deadline recorded when the round began);
- returns: how often the step's decision sent the case back, and to which step;
- who it waits on: for every round over its standard, the officer whose act closed the
  round (the last approver of a parallel step), with the rounds and working minutes
  past the standard. The officer is the audit row's actor, so a stand-in (Plh/Plt)
  who acted shows under their own name, never the absent official's.

Who may ask for the report (`MAY_ASK_ROLES`, besides the admins): the officers holding
the roles that answer for the SOPs' keeping. The chat's answer and its command menu both
read it, so nobody is shown a command they would be refused.

The judgement (`StepFigures.judged_good`) compares the share within standard with a
threshold the agency configures (`[documents] ambang_kepatuhan`).

Pure: the caller passes the trails with the SOP each case started with, and the calendar.
"""

from __future__ import annotations

import re
import statistics
from calendar import monthrange
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Final
from zoneinfo import ZoneInfo

from bot.core.performance import FINISH, StepRun, TrailEvent, case_performance
from bot.core.sop import Sop
from bot.core.timestd import WorkCalendar

__all__ = [
    "MAY_ASK_ROLES",
    "AuditPeriod",
    "CaseTrail",
    "ComplianceReport",
    "SopFigures",
    "StepFigures",
    "Wait",
    "compliance_report",
    "parse_audit_period",
]

MAY_ASK_ROLES: Final = frozenset({"kadin", "sekretaris"})  # the Kepala Dinas, the Sekretaris
ENTER = "enter"
NOTE = "note"
_COUNTED_ENDINGS = frozenset({ENTER, FINISH})
_QUARTER_MONTHS = 3
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True, slots=True)
class AuditPeriod:
    """A calendar year, or one of its quarters (`quarter` 1-4)."""

    year: int
    quarter: int | None = None

    @property
    def first_day(self) -> date:
        month = 1 if self.quarter is None else (self.quarter - 1) * _QUARTER_MONTHS + 1
        return date(self.year, month, 1)

    @property
    def last_day(self) -> date:
        month = 12 if self.quarter is None else self.quarter * _QUARTER_MONTHS
        return date(self.year, month, monthrange(self.year, month)[1])

    @property
    def key(self) -> str:
        """ "2026" or "2026-TW2": the CLI's argument and the file name's part."""
        return str(self.year) if self.quarter is None else f"{self.year}-TW{self.quarter}"

    def holds(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


_PERIOD = re.compile(
    r"^(?:(?P<year>\d{4})[\s\-/]*(?:(?:q|tw|triwulan)\s*(?P<q1>[1-4]|iv|i{1,3}))?"
    r"|(?:q|tw|triwulan)\s*(?P<q2>[1-4]|iv|i{1,3})[\s\-/]*(?P<year2>\d{4}))$"
)


def parse_audit_period(text: str, today: date) -> AuditPeriod | None:
    """ "2026", "2026-TW2", "2026 Q2", "TW II 2026", "triwulan 2 2026"; "" is this year.

    None for anything else, or a year that is not plausible (before 2000 or after this
    year: a report on a period that has not begun is a typo).
    """
    cleaned = " ".join(text.lower().split())
    if not cleaned:
        return AuditPeriod(today.year)
    match = _PERIOD.match(cleaned)
    if match is None:
        return None
    year = int(match.group("year") or match.group("year2"))
    raw_quarter = match.group("q1") or match.group("q2")
    quarter = None
    if raw_quarter is not None:
        quarter = int(raw_quarter) if raw_quarter.isdigit() else _ROMAN[raw_quarter]
    if not 2000 <= year <= today.year:
        return None
    period = AuditPeriod(year, quarter)
    return period if period.first_day <= today else None


@dataclass(frozen=True, slots=True)
class CaseTrail:
    """One case's audit trail (oldest first) with the SOP it started with."""

    case_id: int
    sop: Sop
    trail: Sequence[TrailEvent]


@dataclass(frozen=True, slots=True)
class Wait:
    """An officer whose act closed rounds that ran over their standard."""

    officer: str
    rounds: int
    late_minutes: int


@dataclass(frozen=True, slots=True)
class StepFigures:
    step_key: str
    number: int
    title: str
    standard: str  # as the SOP writes it: "1 hari"
    standard_minutes: int
    runs: int
    within: int  # rounds done within the standard
    median_minutes: float | None  # None: not run in the period
    max_minutes: int | None
    returns_to: tuple[tuple[str, int], ...]  # (step returned to, times), most first
    waits_on: tuple[Wait, ...]  # the most late minutes first

    @property
    def returns(self) -> int:
        return sum(count for _, count in self.returns_to)

    @property
    def share_within(self) -> Fraction | None:
        """Rounds within the standard over rounds run; None when the step did not run."""
        return Fraction(self.within, self.runs) if self.runs else None

    @property
    def late_minutes(self) -> int:
        return sum(wait.late_minutes for wait in self.waits_on)

    def judged_good(self, threshold_percent: int) -> bool | None:
        """ "Berjalan dengan baik" when at least `threshold_percent` of its rounds were
        within the standard; None when the step did not run (nothing to judge)."""
        share = self.share_within
        return None if share is None else share * 100 >= threshold_percent


@dataclass(frozen=True, slots=True)
class SopFigures:
    sop_key: str
    title: str
    cases: int  # cases with at least one round counted
    steps: tuple[StepFigures, ...]  # in the SOP's order

    def slowest(self, limit: int = 3) -> tuple[StepFigures, ...]:
        """The steps with rounds over their standard, the most working minutes late first."""
        late = [step for step in self.steps if step.late_minutes]
        late.sort(key=lambda step: (-step.late_minutes, step.number))
        return tuple(late[:limit])


@dataclass(frozen=True, slots=True)
class ComplianceReport:
    period: AuditPeriod
    sops: tuple[SopFigures, ...]  # SOPs with at least one case in the period, by key

    @property
    def runs(self) -> int:
        return sum(step.runs for sop in self.sops for step in sop.steps)


def compliance_report(
    cases: Iterable[CaseTrail],
    period: AuditPeriod,
    calendar: WorkCalendar,
    zone: ZoneInfo,
) -> ComplianceReport:
    """The figures of every SOP and step for the rounds that ended within `period`."""
    by_sop: dict[str, list[tuple[CaseTrail, list[StepRun]]]] = defaultdict(list)
    for case in sorted(cases, key=lambda c: c.case_id):
        performance = case_performance(case.trail, case.sop, calendar)
        counted = [
            run
            for run in performance.steps
            if run.ended_at is not None
            and run.ended_by in _COUNTED_ENDINGS
            and period.holds(run.ended_at.astimezone(zone).date())
        ]
        if counted:
            by_sop[case.sop.key].append((case, counted))
    return ComplianceReport(
        period=period,
        sops=tuple(_sop_figures(key, by_sop[key], calendar) for key in sorted(by_sop)),
    )


def _sop_figures(
    key: str, cases: Sequence[tuple[CaseTrail, list[StepRun]]], calendar: WorkCalendar
) -> SopFigures:
    latest = cases[-1][0].sop  # the newest case's SOP names and orders the steps
    runs_by_step: dict[str, list[StepRun]] = defaultdict(list)
    for _, runs in cases:
        for run in runs:
            runs_by_step[run.step_key].append(run)
    current = {step.key: step for step in latest.steps}
    order = list(current)
    order += sorted(k for k in runs_by_step if k not in current)  # steps since removed
    steps = []
    for step_key in order:
        runs = runs_by_step.get(step_key, [])
        step = current.get(step_key)
        if step is not None:
            number, title, standard = step.number, step.title, step.time.text
            standard_minutes = calendar.standard_minutes(step.time)
        else:
            last = runs[-1]
            number, title, standard = last.number, last.title, last.standard
            standard_minutes = last.standard_minutes
        steps.append(_step_figures(step_key, number, title, standard, standard_minutes, runs))
    return SopFigures(sop_key=key, title=latest.title, cases=len(cases), steps=tuple(steps))


def _step_figures(
    step_key: str,
    number: int,
    title: str,
    standard: str,
    standard_minutes: int,
    runs: Sequence[StepRun],
) -> StepFigures:
    used = [run.used_minutes for run in runs]
    returns: Counter[str] = Counter()
    for run in runs:
        for back in run.returns:
            returns[back.to_step or ""] += 1
    late_rounds: Counter[str] = Counter()
    late_minutes: Counter[str] = Counter()
    for run in runs:
        if run.on_time:
            continue
        closer = _closed_by(run)
        if closer is not None:
            late_rounds[closer] += 1
            late_minutes[closer] += run.late_minutes
    waits = sorted(
        (Wait(officer, late_rounds[officer], late_minutes[officer]) for officer in late_rounds),
        key=lambda w: (-w.late_minutes, -w.rounds, w.officer),
    )
    return StepFigures(
        step_key=step_key,
        number=number,
        title=title,
        standard=standard,
        standard_minutes=standard_minutes,
        runs=len(runs),
        within=sum(1 for run in runs if run.on_time),
        median_minutes=float(statistics.median(used)) if used else None,
        max_minutes=max(used) if used else None,
        returns_to=tuple(sorted(returns.items(), key=lambda item: (-item[1], item[0]))),
        waits_on=tuple(waits),
    )


def _closed_by(run: StepRun) -> str | None:
    """The officer whose act ended the round: the last act before its end, a note added
    afterwards aside. None for a round no officer acted in."""
    end = run.ended_at
    acts = [a for a in run.acts if a.action != NOTE and (end is None or a.at <= end)]
    return acts[-1].actor if acts else None
