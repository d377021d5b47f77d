"""Tasks changing hands without anyone acting on them: a stand-in takes an absent
official's open tasks, gives them back when the Surat Perintah ends, or an admin
reassigns one task to another holder of the same role.

Pure like the engine: each function returns a `Transition` (None when nothing moves).
Deadlines never change: the case waits on the role, not on the person. Only the holder
changes, and each task keeps what it was given for (`data["acting"]`), so a stand-in
who already holds a task of the same parallel step holds a separate one per role.
"""

from __future__ import annotations

import copy
from datetime import datetime

from bot.core.workflow import (
    AuditEvent,
    CaseState,
    CaseStatus,
    Context,
    Effect,
    Refusal,
    RefusalCode,
    StandIn,
    Task,
    TaskHandedOver,
    Transition,
    require_reason,
)

SYSTEM = "system"  # the actor of what the clock causes (a Surat Perintah starting, ending)


def _event(
    state: CaseState, task: Task, actor: str, action: str, now: datetime, **data: object
) -> AuditEvent:
    return AuditEvent(
        at=now,
        actor=actor,
        action=action,
        step_key=task.step_key,
        round=task.round,
        task_seq=task.seq,
        from_state=state.state_label,
        to_state=state.state_label,
        reason=str(data.pop("reason")) if "reason" in data else None,
        data=data,
    )


def hand_over(
    state: CaseState, absent: str, stand_in: StandIn, now: datetime
) -> Transition | None:
    """From the start of a Surat Perintah: the absent official's open tasks go to the
    stand-in (who is told why, by the task message the effect sends)."""
    if state.status is not CaseStatus.OPEN:
        return None
    new = copy.deepcopy(state)
    moved = [t for t in new.open_tasks() if t.assignee == absent]
    if not moved:
        return None
    effects: list[Effect] = []
    events: list[AuditEvent] = []
    for task in moved:
        task.assignee = stand_in.officer
        task.data["acting"] = stand_in.record(absent)
        effects.append(TaskHandedOver(task.seq, absent, "acting"))
        events.append(_event(new, task, SYSTEM, "hand_over", now, acting=task.data["acting"]))
    return Transition(new, tuple(effects), tuple(events))


def hand_back(state: CaseState, appointment: int, now: datetime) -> Transition | None:
    """At the end of a Surat Perintah: the tasks still open go back to the official."""
    if state.status is not CaseStatus.OPEN:
        return None
    new = copy.deepcopy(state)
    moved = [
        t
        for t in new.open_tasks()
        if (t.data.get("acting") or {}).get("appointment") == appointment
    ]
    if not moved:
        return None
    effects: list[Effect] = []
    events: list[AuditEvent] = []
    for task in moved:
        acting = task.data.pop("acting")
        task.data["acting_ended"] = acting  # the act the task was held under, for its notices
        previous, task.assignee = task.assignee, str(acting["for"])
        effects.append(TaskHandedOver(task.seq, previous, "acting_end"))
        events.append(_event(new, task, SYSTEM, "hand_back", now, acting=acting))
    return Transition(new, tuple(effects), tuple(events))


def task_role(ctx: Context, task: Task) -> str | None:
    """The role a task was given for: its official's (the absent one, under a stand-in)."""
    owner = str((task.data.get("acting") or {}).get("for") or task.assignee)
    role = ctx.roster.role_of(owner)
    if role is not None:
        return role
    roles = ctx.sop.step(task.step_key).roles
    return roles[0] if len(roles) == 1 else None


def reassign(
    ctx: Context,
    state: CaseState,
    actor: str,
    seq: int,
    to: str,
    reason: str,
    now: datetime,
) -> Transition:
    """An admin gives one open task to another officer of the same role, with a reason;
    raises `Refusal` (nothing changed) otherwise."""
    if not ctx.roster.is_admin(actor):
        raise Refusal(RefusalCode.NOT_ALLOWED, action="reassign")
    if state.status is not CaseStatus.OPEN:
        raise Refusal(RefusalCode.CASE_CLOSED, status=state.status.value)
    found = state.task(seq)
    if found is None:
        raise Refusal(RefusalCode.TASK_NOT_FOUND, task=seq)
    if not found.is_open:
        raise Refusal(RefusalCode.TASK_CLOSED, task=seq, status=found.status.value)
    role = task_role(ctx, found)
    if to == found.assignee or role is None or ctx.roster.role_of(to) != role:
        raise Refusal(RefusalCode.NOT_SAME_ROLE, task=seq, officer=to, role=role)
    cleaned = require_reason(reason)
    new = copy.deepcopy(state)
    task = new.task(seq)
    assert task is not None
    previous = task.assignee
    task.data.pop("acting", None)
    task.assignee = to
    task.data["reassigned"] = {"from": previous, "by": actor, "reason": cleaned}
    event = _event(
        new, task, actor, "reassign", now, reason=cleaned, **{"from": previous, "to": to}
    )
    return Transition(new, (TaskHandedOver(seq, previous, "reassigned"),), (event,))
