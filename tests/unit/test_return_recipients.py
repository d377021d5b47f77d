"""Whom a return reaches is decided once: the prompt's names are the engine's assignees.

The "Kembalikan" prompt says whom the draft goes back to before the reason is typed; the
engine then opens the tasks. Both ask `return_recipients`, and for the shipped SOPs it
names exactly whom the prompt used to name (whoever did the earlier step last).
"""

from __future__ import annotations

from bot.core.sop import Sop
from bot.core.sop_loader import load_sop
from bot.core.workflow import (
    Approve,
    CaseRequest,
    CaseState,
    CaseStatus,
    Context,
    Paraf,
    Return,
    Roster,
    Sign,
    TaskOpened,
    TaskStatus,
    act,
    return_recipients,
    start_case,
)
from tests.support.engine import (
    LETTER,
    LETTER_ROSTER,
    T0,
    make_context,
    next_happy_action,
    shipped_sop,
)
from tests.support.paths import FIXTURES


def previous_prompt_rule(ctx: Context, state: CaseState, step_key: str) -> list[str]:
    """What the prompt named before: the last officer who did the earlier step."""
    step = ctx.sop.step(step_key)
    target = ctx.sop.step(step.return_to) if step.return_to else step
    done = [t for t in state.tasks if t.step_key == target.key and t.status is TaskStatus.DONE]
    return [done[-1].assignee] if done else []


def check_every_return(sop: Sop, roster: Roster | None, period: str) -> int:
    """Walk a case to the end, returning once at every step that can return; at every
    open task that could return, the prompt's recipients are whom the engine assigns."""
    ctx = make_context(sop, roster) if roster else make_context(sop)
    request = CaseRequest(case_id=1, period_key=period, year=2026, letter=LETTER)
    state = start_case(ctx, request, "admin", T0).state
    returned: set[str] = set()
    checked = 0
    for _ in range(80):
        if state.status is not CaseStatus.OPEN:
            break
        for task in state.open_tasks():
            step = ctx.sop.step(task.step_key)
            if step.return_to is None:
                continue
            recipients = return_recipients(ctx, state, step)
            assert recipients == previous_prompt_rule(ctx, state, step.key), step.key
            back = act(ctx, state, task.assignee, Return(task.seq, "Perbaiki", None), T0)
            opened = [back.state.task(e.task) for e in back.effects if isinstance(e, TaskOpened)]
            assert [t.assignee for t in opened if t is not None] == recipients, step.key
            checked += 1
        actor, action = next_happy_action(ctx, state)
        step_key = state.open_tasks()[0].step_key
        returnable = ctx.sop.step(step_key).return_to is not None
        if isinstance(action, Approve | Paraf | Sign) and step_key not in returned and returnable:
            returned.add(step_key)
            action = Return(action.task, "Tabel salah", action.version)
        state = act(ctx, state, actor, action, T0).state
    assert state.status is CaseStatus.FINISHED
    return checked


def test_the_prompt_names_whom_the_engine_assigns_in_the_shipped_sop() -> None:
    assert check_every_return(shipped_sop(), None, "TW2") >= 8


def test_the_prompt_names_whom_the_engine_assigns_in_the_letter_sop() -> None:
    sop = load_sop(FIXTURES / "sop" / "surat_keluar.toml")
    assert check_every_return(sop, LETTER_ROSTER, "M07") >= 2
