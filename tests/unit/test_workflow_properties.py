"""Random walks through the engine, checking DESIGN.md's invariants after every action."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.core.sop import StepKind
from bot.core.workflow import (
    Action,
    Approve,
    AttachFile,
    Cancel,
    CaseState,
    CaseStatus,
    Complete,
    Context,
    ItemStatus,
    Order,
    Paraf,
    Refusal,
    Return,
    Sign,
    SkipItem,
    TaskStatus,
    Tick,
    Transition,
    Untick,
    act,
)
from tests.support.engine import RECIPIENTS, ROSTER, CaseDriver, file_ref

Draw = Callable[[st.SearchStrategy[Any]], Any]

ACTORS = [o.key for o in ROSTER.officers] + ["admin", "stranger"]
ITEMS = ["RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan", *RECIPIENTS, "nonsense"]


def sensible_action(ctx: Context, state: CaseState, draw: Draw) -> tuple[str, Action]:
    """What a diligent officer would do next, with returns now and then."""
    task = draw(st.sampled_from(state.open_tasks()))
    step = ctx.sop.step(task.step_key)
    version = state.latest_version
    seq = task.seq
    action: Action
    if step.kind is StepKind.ACTION:
        action = Complete(seq, {"instruksi": "Susun laporan"})
    elif step.kind is StepKind.CHECKLIST:
        items = state.checklist(step.key, task.round) or []
        pending = [i.item for i in items if i.status is ItemStatus.OPEN]
        if not pending:
            action = Complete(seq)
        elif draw(st.integers(0, 9)) == 0:
            action = SkipItem(seq, pending[0], "Belum tersedia")
        else:
            action = Tick(seq, pending[0], proof_ref="SRIKANDI 1")
    elif step.kind is StepKind.UPLOAD:
        uploaded = any(f.task_seq == seq for f in state.files)
        if uploaded and draw(st.booleans()):
            action = Complete(seq)
        else:
            action = AttachFile(seq, file_ref(draw(st.sampled_from(["a", "b", "c", "d"]))))
    elif step.kind in (StepKind.DECISION, StepKind.PARALLEL_DECISION):
        roll = draw(st.integers(0, 9))
        if roll == 0:
            action = Return(seq, "Perlu perbaikan data", version)
        elif roll == 1 and step.accepts_upload:
            action = AttachFile(seq, file_ref(draw(st.sampled_from(["e", "f"]))))
        else:
            action = Approve(seq, version)
    elif step.kind is StepKind.PARAF:
        action = Paraf(seq, version)
    elif step.kind is StepKind.SIGN:
        roll = draw(st.integers(0, 9))
        action = Return(seq, "Perbaiki kata pengantar") if roll == 0 else Sign(seq, version)
    else:
        action = Order(seq, tuple(draw(st.sampled_from([["staf_1"], ["staf_1", "staf_2"]]))))
    return task.assignee, action


def candidate_actions(ctx: Context, state: CaseState, draw: Draw) -> tuple[str, Action]:
    """Mostly sensible actions, sometimes plausible ones, sometimes anybody with junk."""
    open_tasks = state.open_tasks()
    if open_tasks and draw(st.integers(0, 9)) < 6:
        return sensible_action(ctx, state, draw)
    all_seqs = [t.seq for t in state.tasks] + [999]
    if open_tasks and draw(st.integers(0, 9)) < 8:
        task = draw(st.sampled_from(open_tasks))
        actor = task.assignee
        seq = task.seq
    else:
        actor = draw(st.sampled_from(ACTORS))
        seq = draw(st.sampled_from(all_seqs))
    latest = state.latest_version
    version = draw(st.sampled_from([latest, latest, None, (latest or 0) - 1, 77]))
    item = draw(st.sampled_from(ITEMS))
    reason = draw(st.sampled_from(["Perlu perbaikan data", "", "ok"]))
    kind = draw(st.integers(0, 11))
    action: Action
    if kind == 0:
        action = Complete(seq, {"instruksi": draw(st.sampled_from(["Susun", ""]))})
    elif kind == 1:
        action = Tick(seq, item, proof_ref=draw(st.sampled_from([None, "SRIKANDI 1"])))
    elif kind == 2:
        action = Untick(seq, item)
    elif kind == 3:
        action = SkipItem(seq, item, reason)
    elif kind == 4:
        content = draw(st.sampled_from(["a", "b", "c"]))
        action = AttachFile(seq, file_ref(content), item=draw(st.sampled_from([None, item])))
    elif kind == 5:
        action = Approve(seq, version)
    elif kind == 6:
        action = Return(seq, reason, draw(st.sampled_from([None, version])))
    elif kind == 7:
        action = Paraf(seq, version)
    elif kind == 8:
        action = Sign(seq, version)
    elif kind == 9:
        staff = draw(st.lists(st.sampled_from(["staf_1", "staf_2", "kabid_1"]), max_size=2))
        action = Order(seq, tuple(staff))
    elif kind == 10 and draw(st.integers(0, 60)) == 0:
        actor = draw(st.sampled_from(["admin", "kadin"]))
        action = Cancel(reason)
    else:
        action = Complete(seq)
    return actor, action


def check_invariants(before: CaseState, t: Transition) -> None:
    state = t.state
    # 1. A case is always at exactly one step (or one parallel set of tasks of it).
    open_tasks = state.open_tasks()
    if state.status is CaseStatus.OPEN:
        assert open_tasks, "an open case must have at least one open task"
        assert {(x.step_key, x.round) for x in open_tasks} == {(state.step_key, state.round)}
        assignees = [x.assignee for x in open_tasks]
        assert len(assignees) == len(set(assignees)), "one task per officer per round"
    else:
        assert not open_tasks
    # Tasks are never lost or renumbered; closed tasks never reopen or change outcome.
    seqs = [x.seq for x in state.tasks]
    assert len(seqs) == len(set(seqs))
    for old in before.tasks:
        new = state.task(old.seq)
        assert new is not None
        if not old.is_open:
            assert (new.status, new.outcome, new.version) == (
                old.status,
                old.outcome,
                old.version,
            )
    # Files are append-only.
    assert state.files[: len(before.files)] == before.files
    # Rounds only grow.
    for step, round_ in before.rounds.items():
        assert state.rounds[step] >= round_
    # 3/4. Every transition leaves an audit trail of what happened.
    assert t.events
    # Approvals, parafs and signatures name the latest draft at the time they were made.
    for x in state.tasks:
        was = before.task(x.seq)
        newly_done = x.status is TaskStatus.DONE and (was is None or was.is_open)
        if newly_done and x.outcome in {"approved", "paraf", "signed"}:
            assert x.version == before.latest_version


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data())
def test_random_walks_keep_the_invariants(data: st.DataObject) -> None:
    d = CaseDriver.start()
    for _ in range(150):
        if d.state.status is not CaseStatus.OPEN:
            break
        actor, action = candidate_actions(d.ctx, d.state, data.draw)
        before = copy.deepcopy(d.state)
        d.tick(1)
        try:
            transition = act(d.ctx, d.state, actor, action, d.now)
        except Refusal:
            assert d.state == before, f"refused {action} by {actor} changed the state"
            continue
        assert d.state == before, "the engine must not mutate its input"
        check_invariants(before, transition)
        d.state = transition.state
        d.events.extend(transition.events)
    event(f"reached: {d.state.status.value} {d.state.step_key}")
