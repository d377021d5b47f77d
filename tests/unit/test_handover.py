"""Tasks changing hands: a stand-in's routing, hand over and back, an admin's reassignment."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.handover import hand_back, hand_over, reassign
from bot.core.workflow import (
    Approve,
    Paraf,
    Refusal,
    RefusalCode,
    Sign,
    StandIn,
    TaskHandedOver,
    TaskOpened,
    act,
)
from tests.support.engine import T0, CaseDriver, approve_and_paraf, make_context, walk_to_review

PLH = StandIn(officer="sekretaris", kind="plh", letter="800/12/SP/2026", appointment=7)
KABID = StandIn(officer="kabid_2", kind="plh", letter="800/13/SP/2026", appointment=8)


def test_a_new_task_of_an_absent_official_goes_to_the_stand_in() -> None:
    ctx = replace(make_context(), stand_ins={"kadin": PLH})
    d = CaseDriver.start(ctx, actor="admin")
    task = d.state.open_tasks()[0]
    assert task.assignee == "sekretaris"
    assert task.data["acting"] == {
        "for": "kadin",
        "by": "sekretaris",
        "kind": "plh",
        "letter": "800/12/SP/2026",
        "appointment": 7,
    }
    enter = d.events[-1]
    assert enter.data["assignees"] == ["kadin"] and enter.data["acting"] == {"kadin": "sekretaris"}


def test_a_kabid_standing_in_for_another_holds_a_task_per_role() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    d.ctx = replace(d.ctx, stand_ins={"kabid_1": KABID})
    # the parallel review opened before the stand-in: hand the absent Kabid's task over
    moved = hand_over(d.state, "kabid_1", KABID, d.now)
    assert moved is not None
    d.state = moved.state
    mine = [t for t in d.state.open_tasks() if t.assignee == "kabid_2"]
    assert len(mine) == 2
    assert [t.data.get("acting", {}).get("for") for t in mine] == ["kabid_1", None]
    deadlines_before = {t.seq: t.deadline for t in mine}
    # each task is acted on on its own; the audit names both officials on the acting one
    for task in mine:
        d.do("kabid_2", Approve(task.seq, d.version))
    acting_event = next(e for e in d.events if e.task_seq == mine[0].seq and e.action == "approve")
    assert acting_event.actor == "kabid_2" and acting_event.data["acting"]["for"] == "kabid_1"
    assert all(t.deadline == deadlines_before[t.seq] for t in mine)


def test_hand_over_keeps_deadlines_and_tells_both() -> None:
    d = CaseDriver.start()
    before = d.state.open_tasks()[0]
    moved = hand_over(d.state, "kadin", PLH, T0)
    assert moved is not None
    after = moved.state.task(before.seq)
    assert after is not None
    assert after.assignee == "sekretaris" and after.deadline == before.deadline
    assert moved.effects == (TaskHandedOver(before.seq, "kadin", "acting"),)
    assert moved.events[0].action == "hand_over"
    assert moved.events[0].data["acting"]["letter"] == "800/12/SP/2026"
    assert d.state.open_tasks()[0].assignee == "kadin"  # the input is not changed
    assert hand_over(moved.state, "kadin", PLH, T0) is None  # nothing left to move


def test_hand_back_returns_only_that_letter_s_open_tasks() -> None:
    d = CaseDriver.start()
    moved = hand_over(d.state, "kadin", PLH, T0)
    assert moved is not None
    assert hand_back(moved.state, 99, T0) is None
    back = hand_back(moved.state, 7, T0)
    assert back is not None
    task = back.state.open_tasks()[0]
    assert task.assignee == "kadin" and "acting" not in task.data
    assert back.effects == (TaskHandedOver(task.seq, "sekretaris", "acting_end"),)


def test_a_plh_signs_and_the_trail_says_for_whom() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    assert d.step == "tanda_tangan"
    d.ctx = replace(d.ctx, stand_ins={"kadin": PLH})
    moved = hand_over(d.state, "kadin", PLH, d.now)
    assert moved is not None
    d.state = moved.state
    sign = d.do("sekretaris", Sign(d.task_of("sekretaris").seq, d.version))
    event = next(e for e in sign.events if e.action == "sign")
    assert event.actor == "sekretaris"
    assert event.data["acting"]["for"] == "kadin" and event.data["acting"]["kind"] == "plh"


def test_an_admin_reassigns_one_task_to_the_same_role() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    task = d.task_of("kabid_1")
    moved = reassign(d.ctx, d.state, "admin", task.seq, "kabid_3", "Sedang diklat", d.now)
    after = moved.state.task(task.seq)
    assert after is not None and after.assignee == "kabid_3"
    assert after.deadline == task.deadline
    assert after.data["reassigned"] == {
        "from": "kabid_1",
        "by": "admin",
        "reason": "Sedang diklat",
    }
    assert moved.effects == (TaskHandedOver(task.seq, "kabid_1", "reassigned"),)
    assert moved.events[0].action == "reassign" and moved.events[0].reason == "Sedang diklat"
    act(d.ctx, moved.state, "kabid_3", Approve(task.seq, d.version), d.now)


@pytest.mark.parametrize(
    ("actor", "to", "reason", "code"),
    [
        ("kabid_2", "kabid_3", "Sedang diklat", RefusalCode.NOT_ALLOWED),
        ("admin", "kasubag", "Sedang diklat", RefusalCode.NOT_SAME_ROLE),
        ("admin", "kabid_1", "Sedang diklat", RefusalCode.NOT_SAME_ROLE),
        ("admin", "kabid_3", "oke", RefusalCode.REASON_REQUIRED),
    ],
)
def test_a_reassignment_is_refused_with_a_reason(
    actor: str, to: str, reason: str, code: RefusalCode
) -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    task = d.task_of("kabid_1")
    with pytest.raises(Refusal) as caught:
        reassign(d.ctx, d.state, actor, task.seq, to, reason, d.now)
    assert caught.value.code is code


def test_without_stand_ins_nothing_changes() -> None:
    d = CaseDriver.start()
    assert isinstance(d.effects[0], TaskOpened)
    assert "acting" not in d.state.open_tasks()[0].data
    assert "acting" not in d.events[-1].data
