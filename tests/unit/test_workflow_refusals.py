"""Authorization, double presses, stale versions: refused actions change nothing."""

from __future__ import annotations

import copy

import pytest

from bot.core.workflow import (
    Action,
    Approve,
    AttachFile,
    Cancel,
    CaseRequest,
    CaseStatus,
    Complete,
    Order,
    Paraf,
    Refusal,
    RefusalCode,
    Return,
    Sign,
    SkipItem,
    TaskStatus,
    Tick,
    Untick,
    act,
    start_case,
)
from tests.support.engine import (
    LETTER,
    T0,
    CaseDriver,
    approve_and_paraf,
    file_ref,
    make_context,
    walk_to_review,
)


def refused(d: CaseDriver, actor: str, action: Action) -> Refusal:
    before = copy.deepcopy(d.state)
    with pytest.raises(Refusal) as caught:
        act(d.ctx, d.state, actor, action, d.now)
    assert d.state == before, "a refused action must leave the state untouched"
    return caught.value


def every_action(task: int, version: int | None) -> list[Action]:
    return [
        Complete(task, {"instruksi": "x"}),
        Tick(task, "RENSTRA"),
        Untick(task, "RENSTRA"),
        SkipItem(task, "RENSTRA", "tidak ada datanya"),
        AttachFile(task, file_ref("palsu")),
        Approve(task, version),
        Return(task, "saya bukan penanggung jawab"),
        Paraf(task, version),
        Sign(task, version),
        Order(task, ("staf_1",)),
    ]


@pytest.mark.parametrize("outsider", ["kabid_1", "staf_2", "admin", "stranger"])
def test_a_non_assignee_cannot_take_any_action_on_a_task(outsider: str) -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    task = d.task_of("sekretaris").seq
    for action in every_action(task, d.version):
        assert refused(d, outsider, action).code is RefusalCode.NOT_ASSIGNEE


def test_a_double_approve_acts_once_and_answers_already_done() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    task = d.task_of("sekretaris").seq
    d.do("sekretaris", Approve(task, d.version))
    events = len(d.events)
    refusal = refused(d, "sekretaris", Approve(task, d.version))
    assert refusal.code is RefusalCode.ALREADY_DONE
    assert refusal.details["outcome"] == "approved"
    assert len(d.events) == events


def test_approving_a_version_that_was_replaced_is_refused_as_stale() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    task = d.task_of("sekretaris").seq
    seen = d.version
    d.do("sekretaris", AttachFile(task, file_ref("dipertajam")))
    refusal = refused(d, "sekretaris", Approve(task, seen))
    assert refusal.code is RefusalCode.STALE_VERSION
    assert refusal.details == {"seen": seen, "latest": (seen or 0) + 1}


def test_a_kabid_button_of_a_withdrawn_task_is_refused() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    kabid_3 = d.task_of("kabid_3").seq
    d.do("kabid_1", Return(d.task_of("kabid_1").seq, "Perlu perbaikan tabel"))
    refusal = refused(d, "kabid_3", Approve(kabid_3, d.version))
    assert refusal.code is RefusalCode.TASK_CLOSED
    assert refusal.details["status"] == TaskStatus.WITHDRAWN.value


def test_actions_that_do_not_fit_the_step_are_refused() -> None:
    d = CaseDriver.start()
    kadin_task = d.task_of("kadin").seq
    assert refused(d, "kadin", Approve(kadin_task, None)).code is RefusalCode.WRONG_ACTION
    assert refused(d, "kadin", Sign(kadin_task, None)).code is RefusalCode.WRONG_ACTION
    assert refused(d, "kadin", Complete(kadin_task)).code is RefusalCode.FORM_INCOMPLETE
    assert refused(d, "kadin", Tick(kadin_task, "x")).code is RefusalCode.WRONG_ACTION


def test_a_return_needs_a_reason() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    task = d.task_of("sekretaris").seq
    assert refused(d, "sekretaris", Return(task, "  ")).code is RefusalCode.REASON_REQUIRED


def test_an_upload_step_cannot_be_sent_on_without_a_file() -> None:
    d = CaseDriver.start()
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Susun"}))
    task = d.task_of("sakip_1").seq
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        d.do("sakip_1", Tick(task, item))
    d.do("sakip_1", Complete(task))
    assert refused(d, "sakip_ketua", Complete(d.task_of("sakip_ketua").seq)).code is (
        RefusalCode.NO_DRAFT
    )


def test_only_admins_cancel_and_a_cancelled_case_takes_no_more_actions() -> None:
    d = CaseDriver.start()
    task = d.task_of("kadin").seq
    assert refused(d, "kadin", Cancel("salah periode")).code is RefusalCode.NOT_ALLOWED
    assert refused(d, "admin", Cancel("")).code is RefusalCode.REASON_REQUIRED
    d.do("admin", Cancel("Salah periode, dibuat ulang"))
    assert d.state.status is CaseStatus.CANCELLED
    closed = d.state.task(task)
    assert closed is not None and closed.status is TaskStatus.CANCELLED
    assert refused(d, "kadin", Complete(task, {"instruksi": "x"})).code is (
        RefusalCode.CASE_CLOSED
    )


def test_order_must_name_officers_who_can_do_the_next_step() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    d.do("kadin", Sign(d.task_of("kadin").seq, d.version))
    task = d.task_of("kasubag").seq
    assert refused(d, "kasubag", Order(task, ())).code is RefusalCode.INVALID_CHOICE
    assert refused(d, "kasubag", Order(task, ("kabid_1",))).code is RefusalCode.INVALID_CHOICE


def test_only_admins_and_the_first_steps_role_may_start_a_case() -> None:
    ctx = make_context()
    request = CaseRequest(case_id=1, period_key="TW2", year=2026, letter=LETTER)
    with pytest.raises(Refusal) as caught:
        start_case(ctx, request, "staf_1", T0)
    assert caught.value.code is RefusalCode.NOT_ALLOWED
    assert start_case(ctx, request, "admin", T0).state.step_key == "disposisi"
    bad = CaseRequest(case_id=1, period_key="TW9", year=2026, letter=LETTER)
    with pytest.raises(Refusal) as caught:
        start_case(ctx, bad, "admin", T0)
    assert caught.value.code is RefusalCode.UNKNOWN_PERIOD
