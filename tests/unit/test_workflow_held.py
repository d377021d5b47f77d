"""A step held for a document (`waits_for`): the order after the signature is sent once the
signed final report is stored, carrying it, and its clock starts then (issue 15).

The engine opens the step's tasks when the signature closes step 9 but sends nothing and
starts no clock; `release` does both when the document worker has stored the report.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.core.workflow import (
    Approve,
    Cancel,
    ClockStarted,
    Order,
    Paraf,
    RenderDocument,
    Sign,
    TaskOpened,
    act,
    held_document,
    release,
)
from tests.support.engine import CaseDriver, approve_and_paraf, walk_to_review


def signed_not_released() -> tuple[CaseDriver, int]:
    """The case just signed, the final report not yet made (seq of the kasubag's task)."""
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    d.tick()
    signed = act(d.ctx, d.state, "kadin", Sign(d.task_of("kadin").seq, d.version), d.now)
    d.state = signed.state
    d.effects, d.events = list(signed.effects), list(signed.events)
    return d, d.task_of("kasubag").seq


def test_the_signature_opens_the_order_step_without_message_or_clock() -> None:
    d, seq = signed_not_released()
    assert d.step == "perintah_distribusi"
    assert held_document(d.state) == "laporan_final"
    assert RenderDocument("laporan_final", "tanda_tangan") in d.effects
    assert not [e for e in d.effects if isinstance(e, TaskOpened | ClockStarted) and e.task == seq]
    assert [e.action for e in d.events if e.action == "enter"] == []  # entered at release


def test_the_stored_report_releases_the_task_with_its_clock_from_then() -> None:
    d, seq = signed_not_released()
    signed_at = d.now
    stored_at = signed_at + timedelta(minutes=3)
    assert release(d.ctx, d.state, "lembar_pengesahan", stored_at) is None

    released = release(d.ctx, d.state, "laporan_final", stored_at)

    assert released is not None
    deadline = d.ctx.calendar.deadline(stored_at, d.ctx.sop.step("perintah_distribusi").time)
    assert deadline == stored_at + timedelta(minutes=10)
    assert released.effects == (TaskOpened(seq), ClockStarted(seq, deadline))
    task = released.state.task(seq)
    assert task is not None and task.is_open
    assert (task.created_at, task.deadline) == (stored_at, deadline)
    [enter] = released.events
    assert (enter.action, enter.at, enter.actor) == ("enter", stored_at, "kadin")
    assert enter.data["assignees"] == ["kasubag"]
    assert enter.data["deadline"] == deadline.isoformat()
    assert held_document(released.state) is None
    assert release(d.ctx, released.state, "laporan_final", stored_at) is None  # once
    assert held_document(d.state) == "laporan_final"  # the input is never changed


def test_a_case_cancelled_while_held_releases_nothing() -> None:
    d, _ = signed_not_released()
    d.tick()
    cancelled = act(d.ctx, d.state, "admin", Cancel("dibatalkan"), d.now)
    assert release(d.ctx, cancelled.state, "laporan_final", d.now) is None


def test_a_sop_without_waits_for_sends_the_next_step_at_once() -> None:
    d = CaseDriver.start()
    sop = d.ctx.sop
    plain = dataclasses.replace(
        sop, steps=tuple(dataclasses.replace(s, waits_for="") for s in sop.steps)
    )
    d = CaseDriver.start(dataclasses.replace(d.ctx, sop=plain))
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    signed = d.do("kadin", Sign(d.task_of("kadin").seq, d.version))
    seq = d.task_of("kasubag").seq
    assert TaskOpened(seq) in signed.effects
    assert held_document(d.state) is None


def test_acting_on_a_held_task_before_its_document_enters_the_step_then() -> None:
    """Found through /tugas before the report is made: the step counts from that act,
    and the report coming later releases nothing (the next step's clock is left alone)."""
    d, seq = signed_not_released()
    d.tick()
    ordered = act(d.ctx, d.state, "kasubag", Order(seq, ("staf_2",)), d.now)
    assert [e.action for e in ordered.events][:2] == ["enter", "order"]
    assert ordered.events[0].step_key == "perintah_distribusi"
    assert held_document(ordered.state) is None
    assert ordered.state.step_key == "distribusi"
    assert release(d.ctx, ordered.state, "laporan_final", d.now) is None
