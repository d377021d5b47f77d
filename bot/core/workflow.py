"""The pure workflow engine: case state + actor + action + time -> new state + effects.

This module imports neither `telegram` nor `aiosqlite`. It is handed everything it needs
(the SOP the case started with, the roster of officers, a working-time calendar, the
current instant) and returns a `Transition`: the new `CaseState`, the audit events that
explain it, and the effects the outside world must carry out (send a task message, start
a clock, render a document). The caller persists all three in one transaction.

Refusals are exceptions (`Refusal`) carrying a typed code, raised before anything is
changed: the input state is never mutated, a refused action leaves no trace but its
answer to the user.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.sop import Assign, Sop, Step, StepKind
from bot.core.timestd import WorkCalendar

# ---------------------------------------------------------------------------------------
# State


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    WITHDRAWN = "withdrawn"  # another assignee returned the case (parallel step)
    CLAIMED = "claimed"  # another holder of an "any" task acted first
    SUPERSEDED = "superseded"  # a new draft version restarted a parallel round
    CANCELLED = "cancelled"  # the case was cancelled


class ItemStatus(enum.StrEnum):
    OPEN = "open"
    TICKED = "ticked"
    SKIPPED = "skipped"


@dataclass(slots=True)
class Task:
    """One officer's share of one round of one step."""

    seq: int
    step_key: str
    round: int
    assignee: str
    created_at: datetime
    deadline: datetime
    status: TaskStatus = TaskStatus.OPEN
    closed_at: datetime | None = None
    outcome: str | None = None  # what closed it: completed, approved, returned, ...
    reason: str | None = None
    version: int | None = None  # the draft version the officer acted on
    closed_by: str | None = None  # for claimed/withdrawn tasks: who caused it
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status is TaskStatus.OPEN


@dataclass(frozen=True, slots=True)
class FileVersion:
    """A file a user sent, stored content-addressed.

    `number` counts every file of the case (drafts, proofs, attachments) and is the
    file's identity in buttons, audit rows and storage; `draft_number` counts the drafts
    alone and is what officers read ("versi 1" is the first draft, whatever proof files
    came before it). None for a file that is no draft."""

    number: int
    sha256: str
    filename: str
    size: int
    mime: str
    uploaded_by: str
    uploaded_at: datetime
    step_key: str
    task_seq: int | None
    purpose: str = "draft"  # draft | proof | letter | sheet
    item: str | None = None  # for a checklist item's proof
    draft_number: int | None = None

    @property
    def shown(self) -> int:
        """The number officers read: the draft's count, else the file's number."""
        return self.number if self.draft_number is None else self.draft_number


@dataclass(slots=True)
class ItemState:
    item: str
    status: ItemStatus = ItemStatus.OPEN
    by: str | None = None
    at: datetime | None = None
    reason: str | None = None  # why it was skipped
    proof_file: int | None = None  # number of the FileVersion that proves it
    proof_ref: str | None = None  # an e-mail / e-office reference instead of a file


@dataclass(slots=True)
class CaseState:
    id: int
    sop_key: str
    sop_hash: str
    code: str
    period_key: str
    year: int
    started_by: str
    started_at: datetime
    letter: dict[str, str]
    status: CaseStatus = CaseStatus.OPEN
    step_key: str = ""
    rounds: dict[str, int] = field(default_factory=dict)
    tasks: list[Task] = field(default_factory=list)
    files: list[FileVersion] = field(default_factory=list)
    checklists: dict[str, list[ItemState]] = field(default_factory=dict)  # "step#round"
    chosen: dict[str, list[str]] = field(default_factory=dict)  # step -> officer keys
    data: dict[str, Any] = field(default_factory=dict)  # per-step results (disposition)
    finished_at: datetime | None = None
    cancel_reason: str | None = None
    next_seq: int = 1

    def clone(self) -> CaseState:
        """A copy the engine may change freely: what `copy.deepcopy` gives (the engine
        copies the state on every action), in a fraction of its time, since datetimes,
        enums and `FileVersion`s never change and are shared."""
        tasks = []
        for task in self.tasks:
            twin = copy.copy(task)
            twin.data = copy.deepcopy(task.data) if task.data else {}
            tasks.append(twin)
        return replace(
            self,
            letter=dict(self.letter),
            rounds=dict(self.rounds),
            tasks=tasks,
            files=list(self.files),
            checklists={k: [copy.copy(i) for i in v] for k, v in self.checklists.items()},
            chosen={k: list(v) for k, v in self.chosen.items()},
            data=copy.deepcopy(self.data),
        )

    @property
    def round(self) -> int:
        return self.rounds.get(self.step_key, 0)

    def task(self, seq: int) -> Task | None:
        for task in self.tasks:
            if task.seq == seq:
                return task
        return None

    def current_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.step_key == self.step_key and t.round == self.round]

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.is_open]

    @property
    def drafts(self) -> list[FileVersion]:
        return [f for f in self.files if f.purpose == "draft"]

    @property
    def latest_draft(self) -> FileVersion | None:
        drafts = self.drafts
        return drafts[-1] if drafts else None

    def shown_version(self, number: int | None) -> int | None:
        """The number officers read for the file whose identity is `number`."""
        found = next((f for f in self.files if f.number == number), None)
        return found.shown if found is not None else number

    @property
    def latest_version(self) -> int | None:
        latest = self.latest_draft
        return latest.number if latest else None

    def checklist(self, step_key: str, round_: int) -> list[ItemState] | None:
        return self.checklists.get(checklist_key(step_key, round_))

    @property
    def state_label(self) -> str:
        """A compact label of where the case is, used in the audit log's from/to columns."""
        if self.status is not CaseStatus.OPEN:
            return self.status.value
        return f"{self.step_key}#{self.round}"


def checklist_key(step_key: str, round_: int) -> str:
    return f"{step_key}#{round_}"


# ---------------------------------------------------------------------------------------
# Who holds which role


@dataclass(frozen=True, slots=True)
class RosterEntry:
    key: str
    role: str
    leader: bool = False


@dataclass(frozen=True, slots=True)
class Roster:
    """The officers as the engine sees them: keys, roles, leaders, in config order."""

    officers: tuple[RosterEntry, ...]
    admins: frozenset[str] = frozenset()

    def holders(self, roles: Sequence[str]) -> list[str]:
        return [o.key for o in self.officers if o.role in roles]

    def leader(self, roles: Sequence[str]) -> str | None:
        for officer in self.officers:
            if officer.role in roles and officer.leader:
                return officer.key
        return None

    def role_of(self, key: str) -> str | None:
        for officer in self.officers:
            if officer.key == key:
                return officer.role
        return None

    def is_admin(self, key: str) -> bool:
        return key in self.admins


@dataclass(frozen=True, slots=True)
class StandIn:
    """Who holds an absent official's tasks, and on which Surat Perintah (`bot.core.acting`)."""

    officer: str
    kind: str  # "plh" | "plt"
    letter: str  # the Surat Perintah's number
    appointment: int

    def record(self, absent: str) -> dict[str, Any]:
        """What a task (and every audit event on it) keeps of the act: both officials."""
        return {
            "for": absent,
            "by": self.officer,
            "kind": self.kind,
            "letter": self.letter,
            "appointment": self.appointment,
        }


@dataclass(frozen=True, slots=True)
class Context:
    """What the engine needs beside the case: the SOP, people, calendar and lists, and the
    stand-ins in force (absent official's key -> who holds their tasks)."""

    sop: Sop
    roster: Roster
    calendar: WorkCalendar
    lists: Mapping[str, Sequence[str]] = field(default_factory=dict)  # e.g. "recipients"
    stand_ins: Mapping[str, StandIn] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Actions


@dataclass(frozen=True, slots=True)
class FileRef:
    sha256: str
    filename: str
    size: int
    mime: str


@dataclass(frozen=True, slots=True)
class Complete:
    """Finish an action, upload or checklist step ("Disposisikan", "Kirim", "Selesai")."""

    task: int
    form: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Tick:
    task: int
    item: str
    proof_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Untick:
    task: int
    item: str


@dataclass(frozen=True, slots=True)
class SkipItem:
    """Go on without an item ("lanjut tanpa"), with the reason why it is missing."""

    task: int
    item: str
    reason: str


@dataclass(frozen=True, slots=True)
class AttachFile:
    """A file sent for a task: a new draft version, or an item's proof (`item` set)."""

    task: int
    file: FileRef
    item: str | None = None


@dataclass(frozen=True, slots=True)
class Approve:
    task: int
    version: int | None


@dataclass(frozen=True, slots=True)
class Return:
    task: int
    reason: str
    version: int | None = None


@dataclass(frozen=True, slots=True)
class Paraf:
    task: int
    version: int | None


@dataclass(frozen=True, slots=True)
class Sign:
    task: int
    version: int | None


@dataclass(frozen=True, slots=True)
class Order:
    task: int
    officers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Cancel:
    reason: str


@dataclass(frozen=True, slots=True)
class Undo:
    """Take back one's own approval or paraf ("Urungkan"): a slip of the finger is not a
    decision. Allowed within the SOP's `undo_minutes` while nobody has acted on the next
    step; the next step's tasks are withdrawn and the task is open again."""

    task: int


TaskAction = Complete | Tick | Untick | SkipItem | AttachFile | Approve | Return | Paraf | Sign
Action = TaskAction | Order | Cancel | Undo

UNDOABLE_OUTCOMES: frozenset[str] = frozenset({"approved", "paraf"})

MIN_REASON_LENGTH = 5


# ---------------------------------------------------------------------------------------
# Refusals


class RefusalCode(enum.StrEnum):
    CASE_CLOSED = "case_closed"
    TASK_NOT_FOUND = "task_not_found"
    NOT_ASSIGNEE = "not_assignee"
    ALREADY_DONE = "already_done"
    TASK_CLOSED = "task_closed"
    WRONG_ACTION = "wrong_action"
    STALE_VERSION = "stale_version"
    NO_DRAFT = "no_draft"
    REASON_REQUIRED = "reason_required"
    FORM_INCOMPLETE = "form_incomplete"
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    PROOF_REQUIRED = "proof_required"
    UNKNOWN_ITEM = "unknown_item"
    INVALID_CHOICE = "invalid_choice"
    NOT_ALLOWED = "not_allowed"
    NOBODY_ASSIGNABLE = "nobody_assignable"
    UNKNOWN_PERIOD = "unknown_period"
    NOT_SAME_ROLE = "not_same_role"
    NOT_UNDOABLE = "not_undoable"  # not an approval or paraf of one's own, or merged
    UNDO_EXPIRED = "undo_expired"  # the SOP's undo_minutes have passed
    NEXT_STEP_ACTED = "next_step_acted"  # someone has acted since: the press stands


class Refusal(Exception):
    """An action the engine will not carry out; nothing was changed."""

    def __init__(self, code: RefusalCode, **details: Any) -> None:
        super().__init__(code.value, details)
        self.code = code
        self.details = details

    def __str__(self) -> str:
        extra = ", ".join(f"{k}={v!r}" for k, v in self.details.items())
        return f"{self.code.value}({extra})" if extra else self.code.value


# ---------------------------------------------------------------------------------------
# Effects and audit events


@dataclass(frozen=True, slots=True)
class TaskOpened:
    """Send the task message to its assignee."""

    task: int


@dataclass(frozen=True, slots=True)
class TaskUpdated:
    """Re-render the task message (a tick, a new draft version)."""

    task: int


@dataclass(frozen=True, slots=True)
class TaskClosed:
    """Edit the task message to say what happened and remove its buttons."""

    task: int
    status: TaskStatus


@dataclass(frozen=True, slots=True)
class TaskHandedOver:
    """A task changed hands (a stand-in, its return, a reassignment): the officer who
    held it sees it read-only and learns who holds it; the new holder gets it, told why."""

    task: int
    previous: str
    why: str  # "acting" | "acting_end" | "reassigned"


@dataclass(frozen=True, slots=True)
class ClockStarted:
    task: int
    deadline: datetime


@dataclass(frozen=True, slots=True)
class ClockStopped:
    task: int


@dataclass(frozen=True, slots=True)
class ClockResumed:
    """A task open again after an undo: its reminders not yet sent count again."""

    task: int


@dataclass(frozen=True, slots=True)
class Notify:
    """A message outside a task: a return's reason, a finished or cancelled case."""

    officer: str
    message: str  # catalogue key
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RenderDocument:
    document: str  # e.g. "lembar_disposisi"
    step_key: str


@dataclass(frozen=True, slots=True)
class CaseFinished:
    pass


@dataclass(frozen=True, slots=True)
class CaseCancelled:
    reason: str


Effect = (
    TaskOpened
    | TaskHandedOver
    | TaskUpdated
    | TaskClosed
    | ClockStarted
    | ClockStopped
    | ClockResumed
    | Notify
    | RenderDocument
    | CaseFinished
    | CaseCancelled
)


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One line of the append-only trail: enough to rebuild who did what and when."""

    at: datetime
    actor: str
    action: str
    step_key: str
    round: int
    task_seq: int | None
    from_state: str
    to_state: str
    reason: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


class AuditRecord(Protocol):
    """What readers of the trail need: both `AuditEvent` and the stored `AuditRow` fit."""

    @property
    def at(self) -> datetime: ...

    @property
    def actor(self) -> str: ...

    @property
    def action(self) -> str: ...

    @property
    def step_key(self) -> str: ...

    @property
    def round(self) -> int: ...

    @property
    def task_seq(self) -> int | None: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Transition:
    state: CaseState
    effects: tuple[Effect, ...]
    events: tuple[AuditEvent, ...]


# ---------------------------------------------------------------------------------------
# The engine


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """What starting a case needs besides the context."""

    case_id: int
    period_key: str
    year: int
    letter: Mapping[str, str]


def can_start(ctx: Context, actor: str) -> bool:
    """Admins and holders of the first step's role may start a case."""
    return ctx.roster.is_admin(actor) or actor in ctx.roster.holders(ctx.sop.first.roles)


def can_cancel(roster: Roster, actor: str) -> bool:
    """Only admins may cancel a case (whatever its SOP)."""
    return roster.is_admin(actor)


def start_case(ctx: Context, request: CaseRequest, actor: str, now: datetime) -> Transition:
    if not can_start(ctx, actor):
        raise Refusal(RefusalCode.NOT_ALLOWED, action="start")
    try:
        ctx.sop.period(request.period_key)
    except KeyError:
        raise Refusal(RefusalCode.UNKNOWN_PERIOD, period=request.period_key) from None
    state = CaseState(
        id=request.case_id,
        sop_key=ctx.sop.key,
        sop_hash=ctx.sop.source_hash,
        code=ctx.sop.case_code(request.year, request.period_key),
        period_key=request.period_key,
        year=request.year,
        started_by=actor,
        started_at=now,
        letter=dict(request.letter),
    )
    run = _Run(ctx, state, actor, now)
    run.event("start", None, data={"period": request.period_key, "year": request.year})
    run.enter(ctx.sop.first)
    return run.finish()


def act(ctx: Context, state: CaseState, actor: str, action: Action, now: datetime) -> Transition:
    """Apply one officer's action to a case; raise `Refusal` if it may not happen."""
    if state.status is not CaseStatus.OPEN:
        raise Refusal(RefusalCode.CASE_CLOSED, status=state.status.value)
    if isinstance(action, Cancel):
        return _cancel(ctx, state, actor, action, now)
    if isinstance(action, Undo):
        return _undo(ctx, state, actor, action, now)
    run = _Run(ctx, state.clone(), actor, now)
    task = run.own_open_task(action.task)
    step = ctx.sop.step(task.step_key)
    if held_document(run.state) is not None:
        _unhold(run)  # acted on before its document came (found in /tugas): it counts now
    handler = _HANDLERS.get(type(action))
    assert handler is not None
    handler(run, step, task, action)
    return run.finish()


def act_all(
    ctx: Context, state: CaseState, actor: str, actions: Sequence[Action], now: datetime
) -> Transition:
    """Several actions as one (every open item skipped with one reason): all of them
    happen or, at the first `Refusal`, none. A task updated by several is updated once."""
    effects: list[Effect] = []
    events: list[AuditEvent] = []
    for action in actions:
        transition = act(ctx, state, actor, action, now)
        state = transition.state
        effects += [
            e for e in transition.effects if not (isinstance(e, TaskUpdated) and e in effects)
        ]
        events += transition.events
    return Transition(state, tuple(effects), tuple(events))


def require_open_task(state: CaseState, actor: str, seq: int) -> Task:
    """The task `actor` may act on, or the `Refusal` acting on it would meet.

    Lets a dialog (asking a return's reason, say) refuse before it asks anything.
    """
    if state.status is not CaseStatus.OPEN:
        raise Refusal(RefusalCode.CASE_CLOSED, status=state.status.value)
    return _own_open_task(state, actor, seq)


def _own_open_task(state: CaseState, actor: str, seq: int) -> Task:
    task = state.task(seq)
    if task is None:
        raise Refusal(RefusalCode.TASK_NOT_FOUND, task=seq)
    if task.assignee != actor:
        raise Refusal(RefusalCode.NOT_ASSIGNEE, task=seq)
    if task.status is TaskStatus.DONE:
        raise Refusal(RefusalCode.ALREADY_DONE, task=seq, outcome=task.outcome)
    if not task.is_open:
        raise Refusal(RefusalCode.TASK_CLOSED, task=seq, status=task.status.value)
    return task


def return_recipients(ctx: Context, state: CaseState, step: Step) -> list[str]:
    """Who a return from `step` reaches (the prompt names them, the engine assigns them).

    The assignees of the `return_to` step; for an "any" step only whoever did it last,
    while they still hold the role: they know the draft. Empty when nobody can take it.
    """
    target = ctx.sop.step(step.return_to) if step.return_to else step
    assignees = _assignees(ctx, state, target)
    if target.assign is Assign.ANY:
        previous = _last_doer(state, target.key)
        if previous in assignees:
            return [previous]
    return assignees


def order_candidates(ctx: Context, step: Step) -> list[str]:
    """Who an order step may send the case to: the next step's role holders, in config
    order (the order-selection buttons number them in this order)."""
    return ctx.roster.holders(ctx.sop.step(step.next).roles) if step.next else []


def _assignees(ctx: Context, state: CaseState, step: Step) -> list[str]:
    if step.assign is Assign.CHOSEN:
        return list(state.chosen.get(step.key, []))
    if step.assign is Assign.LEADER:
        leader = ctx.roster.leader(step.roles)
        return [leader] if leader else []
    return ctx.roster.holders(step.roles)


def _last_doer(state: CaseState, step_key: str) -> str | None:
    done = [t for t in state.tasks if t.step_key == step_key and t.status is TaskStatus.DONE]
    done = [t for t in done if t.outcome]
    return done[-1].assignee if done else None


def note(state: CaseState, actor: str, seq: int, text: str, now: datetime) -> AuditEvent:
    """A remark kept in the trail without changing the case (a reason typed too late)."""
    task = state.task(seq)
    return AuditEvent(
        at=now,
        actor=actor,
        action="note",
        step_key=task.step_key if task else state.step_key,
        round=task.round if task else state.round,
        task_seq=seq if task else None,
        from_state=state.state_label,
        to_state=state.state_label,
        reason=" ".join(text.split()),
    )


def nudge_event(state: CaseState, actor: str, holders: Sequence[str], now: datetime) -> AuditEvent:
    """The Sekretaris's "Ingatkan" under the digest: who was nudged about the open step,
    kept in the trail (the case does not change)."""
    return AuditEvent(
        at=now,
        actor=actor,
        action="nudge",
        step_key=state.step_key,
        round=state.round,
        task_seq=None,
        from_state=state.state_label,
        to_state=state.state_label,
        data={"holders": list(holders)},
    )


def _cancel(
    ctx: Context, state: CaseState, actor: str, action: Cancel, now: datetime
) -> Transition:
    if not can_cancel(ctx.roster, actor):
        raise Refusal(RefusalCode.NOT_ALLOWED, action="cancel")
    reason = require_reason(action.reason)
    run = _Run(ctx, state.clone(), actor, now)
    for task in run.state.open_tasks():
        run.close(task, TaskStatus.CANCELLED, outcome="cancelled", reason=reason, closed_by=actor)
    before = run.state.state_label
    run.state.data["cancelled_by"] = actor
    run.state.status = CaseStatus.CANCELLED
    run.state.cancel_reason = reason
    run.state.finished_at = now
    run.event("cancel", None, reason=reason, from_state=before)
    run.effects.append(CaseCancelled(reason))
    return run.finish()


HELD = "held"
"""`CaseState.data` key of a step entered but held for a document (`Step.waits_for`)."""


def held_document(state: CaseState) -> str | None:
    """The document the current step's tasks are held for, if any (no message, no
    clock yet)."""
    held = state.data.get(HELD)
    return str(held["document"]) if held else None


def release(ctx: Context, state: CaseState, document: str, now: datetime) -> Transition | None:
    """`document` is stored: the tasks held for it (`Step.waits_for`) are sent now,
    carrying it, with their clock and their "enter" in the trail starting now (the
    standard counts from when there is something to act on). None when nothing waits
    for it, e.g. the case was cancelled meanwhile."""
    if state.status is not CaseStatus.OPEN or held_document(state) != document:
        return None
    run = _Run(ctx, state.clone(), str(state.data[HELD]["actor"]), now)
    _unhold(run)
    return run.finish()


def _unhold(run: _Run) -> None:
    """Send the held tasks in `run`: their messages, clocks and "enter" from `run.now`."""
    held = run.state.data.pop(HELD)
    step = run.ctx.sop.step(str(held["step"]))
    deadline = run.ctx.calendar.deadline(run.now, step.time)
    for task in run.state.tasks:
        if task.step_key == step.key and task.round == held["round"] and task.is_open:
            task.created_at, task.deadline = run.now, deadline
            run.effects.append(TaskOpened(task.seq))
            run.effects.append(ClockStarted(task.seq, deadline))
    data = {**held["data"], "deadline": deadline.isoformat(), "released_by": held["document"]}
    run.event("enter", None, data=data, reason=held.get("reason"), actor=str(held["actor"]))


def undo_deadline(ctx: Context, task: Task) -> datetime | None:
    """Until when `task`'s approval or paraf may be taken back; None when it never may
    (not such an outcome, merged with the next step's paraf, or the SOP switched it off)."""
    if task.status is not TaskStatus.DONE or task.outcome not in UNDOABLE_OUTCOMES:
        return None
    if task.closed_at is None or ctx.sop.undo_minutes <= 0 or task.data.get("merged"):
        return None
    return task.closed_at + timedelta(minutes=ctx.sop.undo_minutes)


def _undo(ctx: Context, state: CaseState, actor: str, action: Undo, now: datetime) -> Transition:
    task = state.task(action.task)
    if task is None:
        raise Refusal(RefusalCode.TASK_NOT_FOUND, task=action.task)
    if task.assignee != actor:
        raise Refusal(RefusalCode.NOT_ASSIGNEE, task=action.task)
    until = undo_deadline(ctx, task)
    if until is None:
        raise Refusal(RefusalCode.NOT_UNDOABLE, task=action.task, outcome=task.outcome)
    if now > until:
        raise Refusal(RefusalCode.UNDO_EXPIRED, minutes=ctx.sop.undo_minutes)
    step = ctx.sop.step(task.step_key)
    withdraw = _untouched_next_round(ctx, state, task, step)
    if withdraw is None:
        raise Refusal(RefusalCode.NEXT_STEP_ACTED, task=action.task)
    run = _Run(ctx, state.clone(), actor, now)
    mine = run.state.task(task.seq)
    assert mine is not None
    for seq in withdraw:
        other = run.state.task(seq)
        assert other is not None
        run.close(other, TaskStatus.WITHDRAWN, outcome="undone", closed_by=actor)
    run.state.step_key = step.key
    reopened = [mine] + [
        t
        for t in run.state.tasks
        if t.step_key == step.key
        and t.round == task.round
        and t.status is TaskStatus.CLAIMED
        and t.closed_by == actor
        and t.closed_at == task.closed_at
    ]
    undone = mine.outcome
    for again in reopened:
        again.status, again.closed_at, again.outcome = TaskStatus.OPEN, None, None
        again.reason, again.version, again.closed_by = None, None, None
        run.effects.append(TaskUpdated(again.seq))
        run.effects.append(ClockResumed(again.seq))
    run.event("undo", mine, data={"undone": undone, "withdrawn": list(withdraw)})
    return run.finish()


def _untouched_next_round(
    ctx: Context, state: CaseState, task: Task, step: Step
) -> list[int] | None:
    """The open tasks to withdraw for an undo of `task` (none while its own step is still
    waiting for others), or None when the press can no longer be taken back: a newer
    draft, a later round, or anyone's action on the step that followed."""
    if task.version != state.latest_version:
        return None
    if state.step_key == step.key:
        return [] if state.round == task.round else None
    if step.next is None or state.step_key != step.next:
        return None
    if state.rounds.get(step.key, 0) != task.round:
        return None
    following = state.current_tasks()
    if not following or any(not t.is_open for t in following):
        return None
    seqs = {t.seq for t in following}
    if any(f.task_seq in seqs for f in state.files):
        return None
    items = state.checklist(state.step_key, state.round) or []
    if any(i.status is not ItemStatus.OPEN for i in items):
        return None
    return [t.seq for t in following]


def require_reason(reason: str) -> str:
    cleaned = " ".join(reason.split())
    if len(cleaned) < MIN_REASON_LENGTH:
        raise Refusal(RefusalCode.REASON_REQUIRED, minimum=MIN_REASON_LENGTH)
    return cleaned


class _Run:
    """The working copy of one transition: state being changed, effects and events."""

    def __init__(self, ctx: Context, state: CaseState, actor: str, now: datetime) -> None:
        self.ctx = ctx
        self.state = state
        self.actor = actor
        self.now = now
        self.effects: list[Effect] = []
        self.events: list[AuditEvent] = []
        self._label_before = state.state_label if state.step_key else "new"

    # -- bookkeeping ---------------------------------------------------------------

    def finish(self) -> Transition:
        return Transition(self.state, tuple(self.effects), tuple(self.events))

    def event(
        self,
        action: str,
        task: Task | None,
        *,
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
        from_state: str | None = None,
        actor: str | None = None,
    ) -> None:
        before = from_state if from_state is not None else self._label_before
        if task is not None and "acting" in task.data:
            # Who acted and for whom, on which Surat Perintah: the trail names both.
            data = {**(data or {}), "acting": task.data["acting"]}
        self.events.append(
            AuditEvent(
                at=self.now,
                actor=actor or self.actor,
                action=action,
                step_key=task.step_key if task else self.state.step_key,
                round=task.round if task else self.state.round,
                task_seq=task.seq if task else None,
                from_state=before,
                to_state=self.state.state_label,
                reason=reason,
                data=dict(data or {}),
            )
        )
        self._label_before = self.state.state_label

    def own_open_task(self, seq: int) -> Task:
        return _own_open_task(self.state, self.actor, seq)

    def close(
        self,
        task: Task,
        status: TaskStatus,
        *,
        outcome: str,
        reason: str | None = None,
        version: int | None = None,
        closed_by: str | None = None,
    ) -> None:
        task.status = status
        task.closed_at = self.now
        task.outcome = outcome
        task.reason = reason
        task.version = version
        task.closed_by = closed_by
        self.effects.append(ClockStopped(task.seq))
        self.effects.append(TaskClosed(task.seq, status))

    def step_done(self, step: Step) -> bool:
        """After a task closed as done: is the whole round done?

        With `assign = "all"` every holder must finish; otherwise one finishing is
        enough and the other holders' tasks close as done by that officer.
        """
        still_open = [t for t in self.state.current_tasks() if t.is_open]
        if step.assign is Assign.ALL and still_open:
            return False
        for other in still_open:
            self.close(other, TaskStatus.CLAIMED, outcome="claimed", closed_by=self.actor)
        return True

    def claim(self, step: Step, task: Task) -> None:
        """The first action on an "any" task withdraws it from the other holders."""
        if step.assign is not Assign.ANY:
            return
        for other in self.state.current_tasks():
            if other.seq != task.seq and other.is_open:
                self.close(other, TaskStatus.CLAIMED, outcome="claimed", closed_by=self.actor)

    # -- moving between steps --------------------------------------------------------

    def enter(
        self,
        step: Step,
        *,
        returned_from: Step | None = None,
        reason: str | None = None,
    ) -> list[Task]:
        if returned_from is not None:
            assignees = return_recipients(self.ctx, self.state, returned_from)
        else:
            assignees = _assignees(self.ctx, self.state, step)
        if not assignees:
            raise Refusal(RefusalCode.NOBODY_ASSIGNABLE, step=step.key, roles=step.roles)
        state = self.state
        state.step_key = step.key
        state.rounds[step.key] = state.rounds.get(step.key, 0) + 1
        round_ = state.rounds[step.key]
        deadline = self.ctx.calendar.deadline(self.now, step.time)
        held = self._held_for(step)
        if step.kind is StepKind.CHECKLIST and step.checklist is not None:
            items = list(step.checklist.items)
            if step.checklist.items_from:
                items = list(self.ctx.lists.get(step.checklist.items_from, ()))
            state.checklists[checklist_key(step.key, round_)] = [ItemState(i) for i in items]
        opened: list[Task] = []
        acting: dict[str, str] = {}
        for officer in assignees:
            stand_in = self.ctx.stand_ins.get(officer)
            task = Task(
                seq=state.next_seq,
                step_key=step.key,
                round=round_,
                assignee=stand_in.officer if stand_in else officer,
                created_at=self.now,
                deadline=deadline,
            )
            if stand_in is not None:
                task.data["acting"] = stand_in.record(officer)
                acting[officer] = stand_in.officer
            if returned_from is not None:
                task.data["returned"] = {
                    "from_step": returned_from.key,
                    "by": self.actor,
                    "reason": reason,
                }
            state.next_seq += 1
            state.tasks.append(task)
            opened.append(task)
            if not held:
                self.effects.append(TaskOpened(task.seq))
                self.effects.append(ClockStarted(task.seq, deadline))
        data: dict[str, Any] = {"assignees": assignees, "deadline": deadline.isoformat()}
        if acting:
            data["acting"] = acting
        if held:  # sent, timed and entered in the trail by `release`
            state.data[HELD] = {
                "document": held,
                "step": step.key,
                "round": round_,
                "actor": self.actor,
                "reason": reason,
                "data": data,
            }
        else:
            self.event("enter", None, data=data, reason=reason)
        return opened

    def _held_for(self, step: Step) -> str:
        """The document `step`'s tasks wait for: its `waits_for`, when this very
        transition renders it (a step entered again later finds it made already)."""
        rendering = {e.document for e in self.effects if isinstance(e, RenderDocument)}
        return step.waits_for if step.waits_for in rendering else ""

    def advance(self, step: Step) -> None:
        """The step is done: render its documents, then go on or finish the case."""
        for document in step.documents:
            self.effects.append(RenderDocument(document, step.key))
        if step.next is None:
            self.state.status = CaseStatus.FINISHED
            self.state.finished_at = self.now
            self.event("finish", None)
            self.effects.append(CaseFinished())
            return
        self.enter(self.ctx.sop.step(step.next))

    def send_back(self, step: Step, reason: str) -> None:
        assert step.return_to is not None
        target = self.ctx.sop.step(step.return_to)
        self.enter(target, returned_from=step, reason=reason)

    def require_version(self, version: int | None) -> int | None:
        latest = self.state.latest_version
        if version != latest:
            raise Refusal(RefusalCode.STALE_VERSION, seen=version, latest=latest)
        return latest

    def require_draft(self, step: Step) -> int:
        latest = self.state.latest_version
        if latest is None:
            raise Refusal(RefusalCode.NO_DRAFT, step=step.key)
        return latest


# -- per-action handlers -------------------------------------------------------------


def _wrong(step: Step, action: object) -> Refusal:
    return Refusal(RefusalCode.WRONG_ACTION, step=step.key, action=type(action).__name__)


def _on_complete(run: _Run, step: Step, task: Task, action: Complete) -> None:
    if step.kind is StepKind.ACTION:
        missing = [f for f in step.required_fields if not action.form.get(f, "").strip()]
        if missing:
            raise Refusal(RefusalCode.FORM_INCOMPLETE, missing=missing)
        values = {name: action.form.get(name, "").strip() for name in step.field_names}
        run.state.data[step.key] = values
        data: dict[str, Any] = {"form": values}
    elif step.kind is StepKind.UPLOAD:
        mine = [f for f in run.state.drafts if f.task_seq == task.seq]
        if not mine:
            raise Refusal(RefusalCode.NO_DRAFT, step=step.key)
        data = {"version": mine[-1].number}
    elif step.kind is StepKind.CHECKLIST:
        items = run.state.checklist(step.key, task.round) or []
        open_items = [i.item for i in items if i.status is ItemStatus.OPEN]
        if open_items:
            raise Refusal(RefusalCode.CHECKLIST_INCOMPLETE, missing=open_items)
        data = {
            "ticked": [i.item for i in items if i.status is ItemStatus.TICKED],
            "skipped": {i.item: i.reason for i in items if i.status is ItemStatus.SKIPPED},
        }
    else:
        raise _wrong(step, action)
    run.claim(step, task)
    run.close(task, TaskStatus.DONE, outcome="completed", version=data.get("version"))
    run.event("complete", task, data=data)
    if run.step_done(step):
        run.advance(step)


def _checklist_item(run: _Run, step: Step, task: Task, item: str) -> ItemState:
    if step.kind is not StepKind.CHECKLIST:
        raise Refusal(RefusalCode.WRONG_ACTION, step=step.key, action="checklist")
    for state in run.state.checklist(step.key, task.round) or []:
        if state.item == item:
            return state
    raise Refusal(RefusalCode.UNKNOWN_ITEM, item=item)


def _on_tick(run: _Run, step: Step, task: Task, action: Tick) -> None:
    item = _checklist_item(run, step, task, action.item)
    proof_ref = (action.proof_ref or "").strip() or item.proof_ref
    needs_proof = step.checklist is not None and step.checklist.proof_required
    if needs_proof and item.proof_file is None and not proof_ref:
        raise Refusal(RefusalCode.PROOF_REQUIRED, item=action.item)
    if item.status is ItemStatus.TICKED and proof_ref == item.proof_ref:
        raise Refusal(RefusalCode.ALREADY_DONE, item=action.item)
    run.claim(step, task)
    item.status = ItemStatus.TICKED
    item.by, item.at, item.reason, item.proof_ref = run.actor, run.now, None, proof_ref
    run.effects.append(TaskUpdated(task.seq))
    run.event("tick", task, data={"item": action.item, "proof_ref": proof_ref})


def _on_untick(run: _Run, step: Step, task: Task, action: Untick) -> None:
    item = _checklist_item(run, step, task, action.item)
    if item.status is ItemStatus.OPEN:
        raise Refusal(RefusalCode.ALREADY_DONE, item=action.item)
    item.status, item.by, item.at, item.reason = ItemStatus.OPEN, run.actor, run.now, None
    run.effects.append(TaskUpdated(task.seq))
    run.event("untick", task, data={"item": action.item})


def _on_skip(run: _Run, step: Step, task: Task, action: SkipItem) -> None:
    item = _checklist_item(run, step, task, action.item)
    reason = require_reason(action.reason)
    if item.status is not ItemStatus.OPEN:
        raise Refusal(RefusalCode.ALREADY_DONE, item=action.item)
    run.claim(step, task)
    item.status, item.by, item.at, item.reason = ItemStatus.SKIPPED, run.actor, run.now, reason
    run.effects.append(TaskUpdated(task.seq))
    run.event("skip_item", task, reason=reason, data={"item": action.item})


def _on_attach(run: _Run, step: Step, task: Task, action: AttachFile) -> None:
    state = run.state
    if action.item is not None:
        item = _checklist_item(run, step, task, action.item)
        number = len(state.files) + 1
        state.files.append(_version(run, step, task, action.file, number, "proof", item.item))
        run.claim(step, task)
        item.proof_file = number
        if item.status is not ItemStatus.TICKED:  # the file is the item: it is there
            item.status, item.by, item.at, item.reason = (
                ItemStatus.TICKED,
                run.actor,
                run.now,
                None,
            )
        run.effects.append(TaskUpdated(task.seq))
        run.event("attach_proof", task, data={"item": item.item, "file": number})
        return
    if not step.takes_files:
        raise _wrong(step, action)
    number = len(state.files) + 1
    draft = _version(run, step, task, action.file, number, "draft", None)
    state.files.append(replace(draft, draft_number=len(state.drafts) + 1))
    run.claim(step, task)
    run.event(
        "upload",
        task,
        data={"version": number, "sha256": action.file.sha256, "filename": action.file.filename},
    )
    if step.kind is StepKind.PARALLEL_DECISION:
        # Nobody approves a draft they did not see: a new version asks everyone again.
        for other in state.current_tasks():
            if other.is_open:
                run.close(other, TaskStatus.SUPERSEDED, outcome="superseded", closed_by=run.actor)
        run.enter(step, reason=None)
        return
    for other in state.current_tasks():
        if other.is_open:
            run.effects.append(TaskUpdated(other.seq))


def _version(
    run: _Run, step: Step, task: Task, ref: FileRef, number: int, purpose: str, item: str | None
) -> FileVersion:
    return FileVersion(
        number=number,
        sha256=ref.sha256,
        filename=ref.filename,
        size=ref.size,
        mime=ref.mime,
        uploaded_by=run.actor,
        uploaded_at=run.now,
        step_key=step.key,
        task_seq=task.seq,
        purpose=purpose,
        item=item,
    )


def _on_approve(run: _Run, step: Step, task: Task, action: Approve) -> None:
    if step.kind not in (StepKind.DECISION, StepKind.PARALLEL_DECISION):
        raise _wrong(step, action)
    version = run.require_version(action.version)
    run.claim(step, task)
    run.close(task, TaskStatus.DONE, outcome="approved", version=version)
    run.event("approve", task, data={"version": version})
    if not run.step_done(step):
        return
    if step.merge_next_paraf and step.next is not None:
        _advance_with_merged_paraf(run, step, task, version)
        return
    run.advance(step)


def _advance_with_merged_paraf(run: _Run, step: Step, approved: Task, version: int | None) -> None:
    """One press records the approval and the next step's paraf when one officer holds both."""
    assert step.next is not None
    paraf_step = run.ctx.sop.step(step.next)
    for document in step.documents:
        run.effects.append(RenderDocument(document, step.key))
    opened = run.enter(paraf_step)
    mine = [t for t in opened if t.assignee == run.actor]
    if not mine:
        return
    task = mine[0]
    run.claim(paraf_step, task)
    run.close(task, TaskStatus.DONE, outcome="paraf", version=version)
    task.data["merged"] = True  # one press made both: neither is taken back alone
    approved.data["merged"] = True
    run.event("paraf", task, data={"version": version, "merged_with": step.key})
    if run.step_done(paraf_step):
        run.advance(paraf_step)


def _on_return(run: _Run, step: Step, task: Task, action: Return) -> None:
    if step.return_to is None:
        raise _wrong(step, action)
    reason = require_reason(action.reason)
    if action.version is not None:
        run.require_version(action.version)
    run.claim(step, task)
    run.close(task, TaskStatus.DONE, outcome="returned", reason=reason, version=action.version)
    for other in run.state.current_tasks():
        if other.is_open:
            run.close(other, TaskStatus.WITHDRAWN, outcome="withdrawn", closed_by=run.actor)
    run.event("return", task, reason=reason, data={"to": step.return_to})
    run.send_back(step, reason)


def _on_paraf(run: _Run, step: Step, task: Task, action: Paraf) -> None:
    if step.kind is not StepKind.PARAF:
        raise _wrong(step, action)
    run.require_draft(step)
    version = run.require_version(action.version)
    run.claim(step, task)
    run.close(task, TaskStatus.DONE, outcome="paraf", version=version)
    run.event("paraf", task, data={"version": version})
    if run.step_done(step):
        run.advance(step)


def _on_sign(run: _Run, step: Step, task: Task, action: Sign) -> None:
    if step.kind is not StepKind.SIGN:
        raise _wrong(step, action)
    run.require_draft(step)
    version = run.require_version(action.version)
    draft = run.state.latest_draft
    assert draft is not None
    run.claim(step, task)
    run.close(task, TaskStatus.DONE, outcome="signed", version=version)
    run.state.data[step.key] = {
        "version": version,
        "sha256": draft.sha256,
        "at": run.now.isoformat(),
    }
    run.event("sign", task, data={"version": version, "sha256": draft.sha256})
    if run.step_done(step):
        run.advance(step)


def _on_order(run: _Run, step: Step, task: Task, action: Order) -> None:
    if step.kind is not StepKind.ORDER or step.next is None:
        raise _wrong(step, action)
    next_step = run.ctx.sop.step(step.next)
    eligible = order_candidates(run.ctx, step)
    chosen = list(dict.fromkeys(action.officers))
    if not chosen or any(o not in eligible for o in chosen):
        raise Refusal(RefusalCode.INVALID_CHOICE, chosen=chosen, eligible=eligible)
    run.claim(step, task)
    run.state.chosen[next_step.key] = chosen
    run.close(task, TaskStatus.DONE, outcome="ordered")
    run.event("order", task, data={"officers": chosen})
    if run.step_done(step):
        run.advance(step)


_HANDLERS: dict[type, Any] = {
    Complete: _on_complete,
    Tick: _on_tick,
    Untick: _on_untick,
    SkipItem: _on_skip,
    AttachFile: _on_attach,
    Approve: _on_approve,
    Return: _on_return,
    Paraf: _on_paraf,
    Sign: _on_sign,
    Order: _on_order,
}
