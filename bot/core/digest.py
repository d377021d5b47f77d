"""What the daily digest says, before any wording: each open case's line and who is unreachable.

Pure: the caller gathers the cases (with the SOP each started with) and what the bot learned
about reaching each officer, and passes the time. The words come from `bot.views.digest`,
the settings and the sending from `bot.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.config import Officer
from bot.core.reminders import escalation_for, late_minutes
from bot.core.sop import Sop, Step
from bot.core.timestd import WorkCalendar
from bot.core.workflow import CaseState, CaseStatus


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One open case at its current step."""

    case_id: int
    case_code: str
    step: Step  # the current step (chat lines name it by its short name)
    holders: tuple[str, ...]  # officer keys of the step's open tasks
    deadline: datetime
    used_minutes: int  # working minutes since the step's tasks opened
    standard: str  # the time standard as the SOP writes it ("3 hari")
    overdue_minutes: int | None  # working minutes past the deadline; None: not yet due
    nobody_above: tuple[str, ...] = ()  # late holders no escalation reaches (the admins do)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_minutes is not None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """An officer the bot cannot message: never joined, or Telegram refused (blocked)."""

    officer: str
    since: datetime | None  # None: never joined


@dataclass(frozen=True, slots=True)
class Reach:
    """What the bot learned at run time about messaging one officer (their account)."""

    chat: int | None  # the Telegram chat bound by an invite or /start; None: none yet
    refused_since: datetime | None  # Telegram refused a message since then (blocked)


@dataclass(frozen=True, slots=True)
class Window:
    """The view holds one page of the cases: which page, and the counts over all of them
    (the bot reads only the page's cases whole; the counts come from storage)."""

    number: int  # from 1
    pages: int
    running: int  # cases with an open task, on every page
    overdue: int  # of them past their deadline


@dataclass(frozen=True, slots=True)
class DigestView:
    at: datetime
    cases: tuple[CaseLine, ...]  # overdue first (most overdue first), then by deadline
    unreachable: tuple[Unreachable, ...]
    audit_head: str | None = None  # "ROW:FINGERPRINT": the audit log's head, kept on paper
    window: Window | None = None  # None: `cases` are all of them, paged by the renderer

    @property
    def overdue(self) -> list[CaseLine]:
        return [c for c in self.cases if c.is_overdue]

    @property
    def pending(self) -> list[CaseLine]:
        return [c for c in self.cases if not c.is_overdue]


def case_line(
    state: CaseState,
    sop: Sop,
    now: datetime,
    calendar: WorkCalendar,
    superior_of: Callable[[str], str | None] | None = None,
) -> CaseLine | None:
    """Where an open case stands; None when no task is open (nothing anyone must do)."""
    tasks = [t for t in state.open_tasks() if t.step_key == state.step_key] or state.open_tasks()
    if state.status is not CaseStatus.OPEN or not tasks:
        return None
    step = sop.step(tasks[0].step_key)
    opened = min(t.created_at for t in tasks)
    deadline = min(t.deadline for t in tasks)
    holders = tuple(dict.fromkeys(t.assignee for t in tasks))
    overdue = late_minutes(deadline, now, calendar) if deadline <= now else None
    return CaseLine(
        case_id=state.id,
        case_code=state.code,
        step=step,
        holders=holders,
        deadline=deadline,
        used_minutes=calendar.elapsed_minutes(opened, now),
        standard=step.time.text,
        overdue_minutes=overdue,
        nobody_above=()
        if overdue is None or superior_of is None
        else escalation_for(holders, superior_of).nobody_above,
    )


def build_view(
    now: datetime,
    calendar: WorkCalendar,
    cases: Iterable[tuple[CaseState, Sop]],
    unreachable: Iterable[Unreachable] = (),
    audit_head: str | None = None,
    superior_of: Callable[[str], str | None] | None = None,
    window: Window | None = None,
) -> DigestView:
    lines = [
        line for state, sop in cases if (line := case_line(state, sop, now, calendar, superior_of))
    ]
    overdue = sorted(
        (c for c in lines if c.is_overdue),
        key=lambda c: (-(c.overdue_minutes or 0), c.deadline, c.case_code),
    )
    pending = sorted(
        (c for c in lines if not c.is_overdue), key=lambda c: (c.deadline, c.case_code)
    )
    return DigestView(now, tuple(overdue + pending), tuple(unreachable), audit_head, window)


def unreachable_officers(
    officers: Sequence[Officer], reach: Mapping[str, Reach]
) -> list[Unreachable]:
    """Officers without a Telegram chat, and those Telegram refused (in config order)."""
    found: list[Unreachable] = []
    for officer in officers:
        known = reach.get(officer.key)
        chat = known.chat if known is not None else None
        if chat is None and officer.telegram_id is None:
            found.append(Unreachable(officer.key, None))
        elif known is not None and known.refused_since is not None:
            found.append(Unreachable(officer.key, known.refused_since))
    return found
