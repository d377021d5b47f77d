"""Taking back an approval or paraf ("Urungkan"): every path through the pure engine.

Within the SOP's `undo_minutes` (2 by default) and while nobody has acted on the next
step, the officer's task is open again, the next step's tasks are withdrawn (their
clocks stopped) and the trail records an undo. Anything else is refused, nothing changed.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.core.workflow import (
    Approve,
    AttachFile,
    ClockResumed,
    ClockStopped,
    Paraf,
    Refusal,
    RefusalCode,
    Return,
    Sign,
    TaskClosed,
    TaskStatus,
    TaskUpdated,
    Undo,
    undo_deadline,
)
from tests.support.engine import (
    CaseDriver,
    approve_and_paraf,
    file_ref,
    make_context,
    shipped_sop,
    walk_to_review,
)


def at_review() -> CaseDriver:
    d = CaseDriver.start()
    walk_to_review(d)
    return d


def undo(d: CaseDriver, actor: str, seq: int, minutes: int = 1) -> None:
    d.tick(minutes - 5)  # `do` adds its own five minutes
    d.do(actor, Undo(seq))


def test_the_sop_gives_two_minutes_by_default() -> None:
    assert shipped_sop().undo_minutes == 2


def test_an_approval_taken_back_reopens_the_task_and_withdraws_the_next_step() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    paraf = d.task_of("sekretaris")
    assert d.step == "paraf_sekretaris"

    undo(d, "sekretaris", seq)

    assert d.step == "periksa"
    task = d.state.task(seq)
    assert task is not None and task.is_open and task.outcome is None
    withdrawn = d.state.task(paraf.seq)
    assert withdrawn is not None and withdrawn.status is TaskStatus.WITHDRAWN
    assert withdrawn.outcome == "undone" and withdrawn.closed_by == "sekretaris"
    last = d.events[-1]
    assert (last.action, last.actor, last.task_seq) == ("undo", "sekretaris", seq)
    assert last.data == {"undone": "approved", "withdrawn": [paraf.seq]}
    effects = d.effects[-5:]
    assert ClockStopped(paraf.seq) in effects  # the next step's reminders are cancelled
    assert TaskClosed(paraf.seq, TaskStatus.WITHDRAWN) in effects
    assert TaskUpdated(seq) in effects and ClockResumed(seq) in effects
    # ... and the approval can be given again, which opens the next step anew.
    d.do("sekretaris", Approve(seq, d.version))
    assert d.step == "paraf_sekretaris"
    assert d.state.round == 2  # the withdrawn round stays in the history


def test_a_paraf_taken_back_withdraws_every_kabid() -> None:
    d = at_review()
    d.do("sekretaris", Approve(d.task_of("sekretaris").seq, d.version))
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Paraf(seq, d.version))
    kabids = [t.seq for t in d.state.open_tasks()]
    assert len(kabids) == 3

    undo(d, "sekretaris", seq)

    assert d.step == "paraf_sekretaris"
    assert [t.seq for t in d.state.open_tasks()] == [seq]
    for kabid in kabids:
        task = d.state.task(kabid)
        assert task is not None and task.status is TaskStatus.WITHDRAWN
    assert d.events[-1].data == {"undone": "paraf", "withdrawn": kabids}


def test_one_kabid_takes_back_while_the_others_still_decide() -> None:
    d = at_review()
    approve_and_paraf(d)
    seq = d.task_of("kabid_1").seq
    d.do("kabid_1", Approve(seq, d.version))

    undo(d, "kabid_1", seq)

    assert d.step == "periksa_kabid"
    assert d.open_assignees() == ["kabid_1", "kabid_2", "kabid_3"]
    assert d.events[-1].data == {"undone": "approved", "withdrawn": []}


def test_the_last_kabid_takes_back_and_the_final_paraf_is_withdrawn() -> None:
    d = at_review()
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    seq = d.task_of("kabid_3").seq
    d.do("kabid_3", Approve(seq, d.version))
    assert d.step == "paraf_akhir"
    final = d.task_of("sekretaris").seq

    undo(d, "kabid_3", seq)

    assert d.step == "periksa_kabid"
    assert d.open_assignees() == ["kabid_3"]  # the other two approvals stand
    task = d.state.task(final)
    assert task is not None and task.status is TaskStatus.WITHDRAWN


def test_an_earlier_kabid_may_take_back_after_the_last_one_moved_the_case_on() -> None:
    """Acting on the same step is not acting on the next one."""
    d = at_review()
    approve_and_paraf(d)
    seq = d.task_of("kabid_1").seq
    d.do("kabid_1", Approve(seq, d.version))
    d.tick(-4)
    for kabid in ("kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
        d.tick(-5)
    assert d.step == "paraf_akhir"
    undo(d, "kabid_1", seq)
    assert d.step == "periksa_kabid"
    assert d.open_assignees() == ["kabid_1"]


def test_after_a_return_by_another_kabid_the_approval_stands() -> None:
    d = at_review()
    approve_and_paraf(d)
    seq = d.task_of("kabid_1").seq
    d.do("kabid_1", Approve(seq, d.version))
    d.tick(-5)
    d.do("kabid_2", Return(d.task_of("kabid_2").seq, "Angka capaian keliru", d.version))
    assert d.step == "periksa"
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("kabid_1", Undo(seq))
    assert refused.value.code is RefusalCode.NEXT_STEP_ACTED


def test_once_the_next_step_acted_the_press_stands() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    d.tick(-5)
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    before = d.state
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(seq))
    assert refused.value.code is RefusalCode.NEXT_STEP_ACTED
    assert d.state is before


def test_a_new_draft_on_the_next_step_counts_as_acting() -> None:
    d = at_review()
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    seq = d.task_of("kabid_3").seq
    d.do("kabid_3", Approve(seq, d.version))
    d.tick(-5)
    final = d.task_of("sekretaris").seq
    d.do("sekretaris", AttachFile(final, file_ref("perbaikan akhir")))
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("kabid_3", Undo(seq))
    assert refused.value.code is RefusalCode.NEXT_STEP_ACTED


def test_after_the_window_the_press_stands() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    task = d.state.task(seq)
    assert task is not None and task.closed_at is not None
    assert undo_deadline(d.ctx, task) == task.closed_at + timedelta(minutes=2)
    d.now = task.closed_at + timedelta(minutes=2, seconds=1) - timedelta(minutes=5)
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(seq))
    assert refused.value.code is RefusalCode.UNDO_EXPIRED
    assert refused.value.details == {"minutes": 2}


def test_exactly_at_two_minutes_it_may_still_be_taken_back() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    undo(d, "sekretaris", seq, minutes=2)
    assert d.step == "periksa"


def test_only_ones_own_approval_or_paraf_can_be_taken_back() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("kabid_1", Undo(seq))
    assert refused.value.code is RefusalCode.NOT_ASSIGNEE
    typed = [t for t in d.state.tasks if t.step_key == "ketik"][-1]
    with pytest.raises(Refusal) as refused:
        d.do(typed.assignee, Undo(typed.seq))  # a completed upload is no approval
    assert refused.value.code is RefusalCode.NOT_UNDOABLE
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(999))
    assert refused.value.code is RefusalCode.TASK_NOT_FOUND


def test_an_open_task_has_nothing_to_take_back() -> None:
    d = at_review()
    seq = d.task_of("sekretaris").seq
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(seq))
    assert refused.value.code is RefusalCode.NOT_UNDOABLE


def test_a_signature_is_never_taken_back() -> None:
    d = at_review()
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    seq = d.task_of("kadin").seq
    d.do("kadin", Sign(seq, d.version))
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("kadin", Undo(seq))
    assert refused.value.code is RefusalCode.NOT_UNDOABLE


def test_the_sop_can_switch_the_undo_off() -> None:
    ctx = make_context(dataclasses.replace(shipped_sop(), undo_minutes=0))
    d = CaseDriver.start(ctx)
    walk_to_review(d)
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(seq))
    assert refused.value.code is RefusalCode.NOT_UNDOABLE


def test_an_approval_merged_with_the_paraf_is_not_taken_back_alone() -> None:
    sop = shipped_sop()
    steps = tuple(
        dataclasses.replace(s, merge_next_paraf=True) if s.key == "periksa" else s
        for s in sop.steps
    )
    d = CaseDriver.start(make_context(dataclasses.replace(sop, steps=steps)))
    walk_to_review(d)
    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(seq, d.version))
    assert d.step == "periksa_kabid"
    d.tick(-5)
    with pytest.raises(Refusal) as refused:
        d.do("sekretaris", Undo(seq))
    assert refused.value.code is RefusalCode.NOT_UNDOABLE
