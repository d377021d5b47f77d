"""A second SOP, with other roles, steps and periods, runs through the same engine."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.sop_loader import load_sop, parse_sop
from bot.core.workflow import (
    Approve,
    CaseRequest,
    CaseStatus,
    Refusal,
    RefusalCode,
    Return,
    act,
    start_case,
)
from tests.support.engine import LETTER_ROSTER, T0, CaseDriver, make_context, next_happy_action
from tests.support.paths import FIXTURES, SOP_PATH


def test_the_letter_sop_runs_to_the_end_with_a_return() -> None:
    sop = load_sop(FIXTURES / "sop" / "surat_keluar.toml")
    ctx = make_context(sop, LETTER_ROSTER)
    request = CaseRequest(case_id=7, period_key="M07", year=2026, letter={})
    transition = start_case(ctx, request, "admin", T0)
    state = transition.state
    assert state.code == "SK-2026-M07"
    assert [t.assignee for t in state.open_tasks()] == ["penulis"]
    returned = False
    for _ in range(40):
        if state.status is not CaseStatus.OPEN:
            break
        actor, action = next_happy_action(ctx, state)
        if isinstance(action, Approve) and not returned:
            action = Return(action.task, "Kop surat salah", action.version)
            returned = True
        state = act(ctx, state, actor, action, T0).state
    assert state.status is CaseStatus.FINISHED
    assert state.rounds == {
        "konsep_surat": 2,
        "verifikasi": 2,
        "ttd_pimpinan": 1,
        "penomoran": 1,
        "kirim": 1,
    }
    assert state.data["penomoran"] == {
        "nomor_surat": "isian nomor_surat",
        "tanggal_surat": "isian tanggal_surat",
        "keterangan": "isian keterangan",
    }


def test_nobody_holding_a_role_is_refused_not_a_lost_case() -> None:
    sop = load_sop(FIXTURES / "sop" / "surat_keluar.toml")
    roster = dataclasses.replace(LETTER_ROSTER, officers=LETTER_ROSTER.officers[1:])
    ctx = make_context(sop, roster)
    with pytest.raises(Refusal) as refused:
        start_case(ctx, CaseRequest(1, "M01", 2026, {}), "admin", T0)
    assert refused.value.code is RefusalCode.NOBODY_ASSIGNABLE


def test_one_press_records_approval_and_paraf_when_the_sop_merges_them() -> None:
    text = SOP_PATH.read_text(encoding="utf-8").replace(
        "merge_next_paraf = false", "merge_next_paraf = true"
    )
    sop = parse_sop(text, "merged.toml")
    d = CaseDriver.start(make_context(sop))
    while d.step != "periksa":
        d.do(*next_happy_action(d.ctx, d.state))
    d.do("sekretaris", Approve(d.task_of("sekretaris").seq, d.version))
    assert d.step == "periksa_kabid"
    paraf = [e for e in d.events if e.action == "paraf"]
    assert len(paraf) == 1
    assert paraf[0].step_key == "paraf_sekretaris" and paraf[0].actor == "sekretaris"
    assert paraf[0].data["merged_with"] == "periksa"
