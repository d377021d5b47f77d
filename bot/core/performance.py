"""How each step of a case did against its time standard, rebuilt from the audit trail.

Invariant 4 of the design says the audit log alone is enough to rebuild who did what,
when, and how long each step took against its time standard. This module is that
rebuild, and the reports (/riwayat, the demo's closing summary) use nothing else: it
reads only the trail (`storage.audit.AuditRow`s as stored, or the engine's `AuditEvent`s
fresh from a transition) plus the SOP the case started with (kept by hash in the SOP
snapshots) and the working-time calendar. Never the case's current state, so an answer
is reproducible from the append-only log, and a tampered state row cannot change it.

How the trail is read:

- a step's round starts at its "enter" event and ends at the next "enter", "finish" or
  "cancel" event after it (the next step, the same step again after a return or a new
  draft version, or the end of the case); a round with no such event is still running;
- working time used is `calendar.elapsed_minutes(start, end)`, the standard is
  `calendar.standard_minutes(step.time)`;
- a round is late when it ended after the deadline recorded in its "enter" event (the
  deadline the officers were shown and reminded of), by the working minutes between the
  two. Used-versus-standard and the deadline nearly always agree; they differ only where
  a day standard spans days of different length ("1 hari" from Thursday 15.00 is due on
  Friday 15.00, 420 working minutes later): the recorded deadline is what was promised,
  so it decides. A trail without a recorded deadline falls back to the calendar's;
- who acted, and every return with its reason, come from the other events of that
  step and round (a note added later still lands on its own step and round).

Pure: no I/O, no clock (the caller passes `now` for a case still running).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.sop import Sop
from bot.core.timestd import WorkCalendar
from bot.core.workflow import AuditRecord

__all__ = [
    "CasePerformance",
    "StepAct",
    "StepReturn",
    "StepRun",
    "TrailEvent",
    "case_performance",
]

ENTER = "enter"
FINISH = "finish"
CANCEL = "cancel"
START = "start"
RETURN = "return"
_BOUNDARIES = frozenset({ENTER, FINISH, CANCEL})
_NOT_ACTS = frozenset({ENTER, FINISH, START})


TrailEvent = AuditRecord  # one line of the audit trail


@dataclass(frozen=True, slots=True)
class StepAct:
    """Something an officer did in a round: tick, upload, approve, return, note, ..."""

    at: datetime
    actor: str
    action: str
    task_seq: int | None
    reason: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class StepReturn:
    """A return out of this round: who sent the draft back, why, and to which step."""

    at: datetime
    actor: str
    reason: str
    to_step: str | None


@dataclass(frozen=True, slots=True)
class StepRun:
    """One round of one step: when it ran, against which standard, who acted."""

    step_key: str
    number: int
    title: str
    round: int
    standard: str  # as written in the SOP: "1 hari"
    standard_minutes: int
    started_at: datetime
    deadline: datetime
    ended_at: datetime | None  # None: still running
    ended_by: str | None  # "enter" (went on or back), "finish", "cancel"; None: running
    used_minutes: int  # up to `ended_at`, or up to the time asked about while running
    late_minutes: int  # working minutes past the deadline; 0 when on time
    assignees: tuple[str, ...]
    acts: tuple[StepAct, ...]
    returns: tuple[StepReturn, ...]
    entry_reason: str | None  # why the round began, when a return sent the case here

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def on_time(self) -> bool:
        return self.late_minutes == 0

    @property
    def actors(self) -> tuple[str, ...]:
        """Who acted in this round, in the order they first did."""
        return tuple(dict.fromkeys(act.actor for act in self.acts))


@dataclass(frozen=True, slots=True)
class CasePerformance:
    """Every round in the order it ran, and the case's totals."""

    steps: tuple[StepRun, ...]
    started_at: datetime | None
    ended_at: datetime | None  # None: the case is still open
    ended_by: str | None  # "finish" | "cancel" | None
    used_minutes: int  # the case's working time, start to end (or to `now`)
    standard_minutes: int  # the sum of the standards of every round on the path taken

    @property
    def late_steps(self) -> tuple[StepRun, ...]:
        return tuple(run for run in self.steps if not run.on_time)

    @property
    def over_minutes(self) -> int:
        """Working minutes beyond the summed standards (0 when within them)."""
        return max(0, self.used_minutes - self.standard_minutes)

    @property
    def within_standard(self) -> bool:
        return self.used_minutes <= self.standard_minutes


@dataclass
class _Open:
    """A round being read: filled in as its events go by."""

    enter: TrailEvent
    acts: list[StepAct]
    ended_at: datetime | None = None
    ended_by: str | None = None


def case_performance(
    trail: Sequence[TrailEvent],
    sop: Sop,
    calendar: WorkCalendar,
    now: datetime | None = None,
) -> CasePerformance:
    """Rebuild every round of a case's steps from its trail (oldest event first).

    `sop` must be the SOP the case started with (its snapshot), so that standards are the
    ones in force for that case. `now` ends the running round and the case's working time
    for a case still open; without it they end at the last event in the trail.
    """
    rounds: list[_Open] = []
    by_key: dict[tuple[str, int], _Open] = {}
    current: _Open | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    for event in trail:
        action = event.action
        if action == START and started_at is None:
            started_at = event.at
        if action in _BOUNDARIES and current is not None and current.ended_at is None:
            current.ended_at, current.ended_by = event.at, action
        if action == ENTER:
            current = _Open(event, [])
            rounds.append(current)
            by_key[(event.step_key, event.round)] = current
            continue
        if action in (FINISH, CANCEL):
            ended_at, ended_by = event.at, action
        if action in _NOT_ACTS:
            continue
        owner = by_key.get((event.step_key, event.round))
        if owner is not None:
            owner.acts.append(
                StepAct(
                    at=event.at,
                    actor=event.actor,
                    action=action,
                    task_seq=event.task_seq,
                    reason=event.reason,
                    data=dict(event.data),
                )
            )
    if started_at is None and rounds:
        started_at = rounds[0].enter.at
    last_seen = trail[-1].at if trail else None
    until = ended_at or now or last_seen
    steps = tuple(_run(item, sop, calendar, until) for item in rounds)
    used = calendar.elapsed_minutes(started_at, until) if started_at and until else 0
    return CasePerformance(
        steps=steps,
        started_at=started_at,
        ended_at=ended_at,
        ended_by=ended_by,
        used_minutes=used,
        standard_minutes=sum(run.standard_minutes for run in steps),
    )


def _run(item: _Open, sop: Sop, calendar: WorkCalendar, until: datetime | None) -> StepRun:
    enter = item.enter
    step = sop.step(enter.step_key)
    started = enter.at
    end = item.ended_at or until or started
    deadline = _recorded_deadline(enter.data) or calendar.deadline(started, step.time)
    late = calendar.elapsed_minutes(deadline, end) if end > deadline else 0
    returns = tuple(
        StepReturn(
            at=act.at,
            actor=act.actor,
            reason=act.reason or "",
            to_step=_text_or_none(act.data.get("to")),
        )
        for act in item.acts
        if act.action == RETURN
    )
    return StepRun(
        step_key=step.key,
        number=step.number,
        title=step.title,
        round=enter.round,
        standard=step.time.text,
        standard_minutes=calendar.standard_minutes(step.time),
        started_at=started,
        deadline=deadline,
        ended_at=item.ended_at,
        ended_by=item.ended_by,
        used_minutes=calendar.elapsed_minutes(started, end),
        late_minutes=late,
        assignees=tuple(str(a) for a in enter.data.get("assignees", ())),
        acts=tuple(item.acts),
        returns=returns,
        entry_reason=enter.reason,
    )


def _recorded_deadline(data: Mapping[str, Any]) -> datetime | None:
    raw = data.get("deadline")
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
