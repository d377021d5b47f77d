"""A task button is decided once, by the service: an action, a dialog or a new selection.

Callback data on the wire never changes (old buttons in officers' chats keep working);
skipping the open checklist items is one transaction, all or nothing.
"""

from __future__ import annotations

import pytest

from bot.core.workflow import (
    Approve,
    Complete,
    ItemStatus,
    Order,
    Paraf,
    Refusal,
    RefusalCode,
    Sign,
    SkipItem,
    TaskUpdated,
    Tick,
    Untick,
    act_all,
    order_candidates,
)
from bot.services.task_press import Ask, Dialog, Reselect, decide
from bot.views.callbacks import TaskOp, TaskPress, parse_task, task_callback
from tests.support.engine import CHECKLIST, CaseDriver, approve_and_paraf, walk_to_review


def at_checklist() -> CaseDriver:
    d = CaseDriver.start()
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Segera susun laporan"}))
    assert d.step == "kumpul_bahan"
    return d


def press(d: CaseDriver, officer: str, op: TaskOp, arg: int | None = None) -> object:
    task = d.task_of(officer)
    return decide(TaskPress(d.state.id, task.seq, op, arg), d.ctx, d.state, task)


def test_the_wire_format_of_task_buttons_is_unchanged() -> None:
    assert task_callback(1, 5, TaskOp.APPROVE, 2) == "t:1:5:ap:2"
    assert task_callback(12, 3, TaskOp.COMPLETE) == "t:12:3:ok"
    assert [op.value for op in TaskOp] == [
        "ap",
        "pf",
        "sg",
        "rt",
        "ok",
        "sk",
        "ck",
        "uk",
        "os",
        "od",
        "sy",
        "sn",
        "un",
    ]
    assert parse_task("t:1:5:os:6") == TaskPress(1, 5, TaskOp.ORDER_SELECT, 6)
    assert parse_task("t:1:1:zz:9") == TaskPress(1, 1, None, 9)
    assert parse_task("t:1:5:AP") is None
    with pytest.raises(ValueError, match="64 bytes"):
        task_callback(10**60, 1, TaskOp.APPROVE)


def test_an_unknown_op_is_a_wrong_action() -> None:
    d = at_checklist()
    task = d.task_of("sakip_1")
    with pytest.raises(Refusal) as refused:
        decide(TaskPress(1, task.seq, None, None), d.ctx, d.state, task)
    assert refused.value.code is RefusalCode.WRONG_ACTION


def test_checklist_buttons_tick_untick_and_refuse_an_item_no_longer_open() -> None:
    d = at_checklist()
    assert press(d, "sakip_1", TaskOp.TICK, 0) == Tick(d.task_of("sakip_1").seq, CHECKLIST[0])
    d.do("sakip_1", Tick(d.task_of("sakip_1").seq, CHECKLIST[0]))
    with pytest.raises(Refusal) as refused:
        press(d, "sakip_1", TaskOp.TICK, 0)
    assert refused.value.code is RefusalCode.ALREADY_DONE
    assert press(d, "sakip_1", TaskOp.UNTICK, 0) == Untick(d.task_of("sakip_1").seq, CHECKLIST[0])
    with pytest.raises(Refusal) as refused:
        press(d, "sakip_1", TaskOp.TICK, len(CHECKLIST))
    assert refused.value.code is RefusalCode.UNKNOWN_ITEM
    skip = press(d, "sakip_1", TaskOp.SKIP)
    assert isinstance(skip, Ask) and skip.dialog is Dialog.SKIP
    assert skip.items == tuple(CHECKLIST[1:])


def test_buttons_that_need_typed_input_open_their_dialog() -> None:
    d = CaseDriver.start()
    form = press(d, "kadin", TaskOp.COMPLETE)
    assert isinstance(form, Ask) and form.dialog is Dialog.FORM
    walk_to_review(d)
    back = press(d, "sekretaris", TaskOp.RETURN, d.version)
    assert isinstance(back, Ask) and back.dialog is Dialog.REASON
    assert back.recipients == ("staf_1",)  # who typed the draft
    assert press(d, "sekretaris", TaskOp.APPROVE, d.version) == Approve(
        d.task_of("sekretaris").seq, d.version
    )


def test_order_selection_and_order_use_the_same_candidates_as_the_engine() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    d.do("kadin", Sign(d.task_of("kadin").seq, d.version))
    assert d.step == "perintah_distribusi"
    step = d.ctx.sop.step(d.step)
    assert order_candidates(d.ctx, step) == ["staf_1", "staf_2"]
    selection = press(d, "kasubag", TaskOp.ORDER_SELECT, 0b10)
    assert isinstance(selection, Reselect) and selection.mask == 0b10
    assert press(d, "kasubag", TaskOp.ORDER, 0b10) == Order(d.task_of("kasubag").seq, ("staf_2",))


def test_skipping_the_open_items_is_all_or_nothing() -> None:
    d = at_checklist()
    seq = d.task_of("sakip_1").seq
    d.do("sakip_1", SkipItem(seq, CHECKLIST[1], "Belum terbit"))
    skips = [SkipItem(seq, item, "Belum ada") for item in CHECKLIST[:2]]
    with pytest.raises(Refusal) as refused:
        act_all(d.ctx, d.state, "sakip_1", skips, d.now)
    assert refused.value.code is RefusalCode.ALREADY_DONE
    items = d.state.checklist("kumpul_bahan", 1) or []
    assert items[0].status is ItemStatus.OPEN  # the first skip did not happen either
    open_items = [i.item for i in items if i.status is ItemStatus.OPEN]
    done = act_all(
        d.ctx, d.state, "sakip_1", [SkipItem(seq, i, "Belum ada") for i in open_items], d.now
    )
    skipped = done.state.checklist("kumpul_bahan", 1) or []
    assert all(i.status is not ItemStatus.OPEN for i in skipped)
    assert [e.action for e in done.events] == ["skip_item"] * len(open_items)
    assert [e for e in done.effects if isinstance(e, TaskUpdated)] == [TaskUpdated(seq)]
