"""What a task button means, decided once: an engine action, a dialog, or a new selection.

The handler only reads the press and shows the outcome. Which dialog a button opens (a
return needs its reason, a disposition its form, a proof-required item its proof), what
an item that is no longer open means, and whom an order selection names are rules of the
SOP's steps, so they live here, next to the service that applies the action.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.core.sop import Step, StepKind
from bot.core.workflow import (
    Action,
    Approve,
    CaseState,
    Complete,
    Context,
    ItemStatus,
    Order,
    Paraf,
    Refusal,
    RefusalCode,
    Sign,
    Task,
    Tick,
    Transition,
    Untick,
    order_candidates,
    return_recipients,
)
from bot.views.callbacks import TaskOp, TaskPress


class Dialog(enum.StrEnum):
    """The typed input a button needs before anything can happen."""

    REASON = "reason"  # why a draft goes back
    FORM = "form"  # the fields of an action step (a disposition)
    SKIP = "skip"  # why the open checklist items are skipped
    PROOF = "proof"  # the proof of a proof-required checklist item


@dataclass(frozen=True, slots=True)
class Acted:
    """The press was an action, and it is committed."""

    transition: Transition


@dataclass(frozen=True, slots=True)
class Ask:
    """The press opens a dialog; what its prompt needs comes along.

    `items`: the open items (SKIP) or the one item (PROOF); `recipients`: whom a return
    reaches (REASON), officer keys, empty when nobody holds the role any more.
    """

    dialog: Dialog
    ctx: Context
    state: CaseState
    task: Task
    items: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()

    @property
    def step(self) -> Step:
        return self.ctx.sop.step(self.task.step_key)


@dataclass(frozen=True, slots=True)
class Reselect:
    """An order-selection toggle: nothing happens but new buttons for the new `mask`."""

    ctx: Context
    state: CaseState
    task: Task
    mask: int


@dataclass(frozen=True, slots=True)
class ConfirmSign:
    """ "Tanda tangani" asks first: nothing happens but the buttons become the question
    ("Ya, tanda tangani" / "Batal"); `version` is the one the officer saw."""

    ctx: Context
    state: CaseState
    task: Task
    version: int | None


@dataclass(frozen=True, slots=True)
class KeepTask:
    """ "Batal" under a question: the task's own buttons again, nothing done."""

    ctx: Context
    state: CaseState
    task: Task


PressOutcome = Acted | Ask | Reselect | ConfirmSign | KeepTask
Rebutton = Reselect | ConfirmSign | KeepTask  # only the message's buttons change


def decide(
    press: TaskPress, ctx: Context, state: CaseState, task: Task
) -> Action | Ask | Rebutton:
    """Map a button on a task `actor` may act on to an action, a dialog or a reselection."""
    step = ctx.sop.step(task.step_key)
    op, seq, arg = press.op, press.task, press.arg
    if op is TaskOp.APPROVE:
        return Approve(seq, arg)
    if op is TaskOp.PARAF:
        return Paraf(seq, arg)
    if op is TaskOp.SIGN:
        return ConfirmSign(ctx, state, task, arg)
    if op is TaskOp.SIGN_CONFIRMED:
        return Sign(seq, arg)
    if op is TaskOp.SIGN_BACK:
        return KeepTask(ctx, state, task)
    if op is TaskOp.RETURN:
        recipients = tuple(return_recipients(ctx, state, step))
        return Ask(Dialog.REASON, ctx, state, task, recipients=recipients)
    if op is TaskOp.COMPLETE:
        if step.kind is StepKind.ACTION and step.form:
            return Ask(Dialog.FORM, ctx, state, task)
        return Complete(seq)
    if op is TaskOp.SKIP:
        items = state.checklist(task.step_key, task.round) or []
        pending = tuple(i.item for i in items if i.status is ItemStatus.OPEN)
        return Ask(Dialog.SKIP, ctx, state, task, items=pending)
    if op in (TaskOp.TICK, TaskOp.UNTICK):
        return _checklist_press(op, arg, ctx, state, task, step)
    if op is TaskOp.ORDER_SELECT:
        return Reselect(ctx, state, task, arg or 0)
    if op is TaskOp.ORDER:
        eligible = order_candidates(ctx, step)
        chosen = tuple(k for i, k in enumerate(eligible) if (arg or 0) & (1 << i))
        return Order(seq, chosen)
    raise Refusal(RefusalCode.WRONG_ACTION, action=op)


def _checklist_press(
    op: TaskOp, index: int | None, ctx: Context, state: CaseState, task: Task, step: Step
) -> Action | Ask:
    """The button says what it does (tick "⬜", untick "✅"), so a double tap or an old
    keyboard repeats the same intention and is answered "already done"."""
    items = state.checklist(task.step_key, task.round) or []
    if index is None or index >= len(items):
        raise Refusal(RefusalCode.UNKNOWN_ITEM, item=index)
    item = items[index]
    if op is TaskOp.UNTICK:
        return Untick(task.seq, item.item)
    if item.status is not ItemStatus.OPEN:
        raise Refusal(RefusalCode.ALREADY_DONE, item=item.item)
    if step.checklist is not None and step.checklist.proof_required:
        return Ask(Dialog.PROOF, ctx, state, task, items=(item.item,))
    return Tick(task.seq, item.item)
