"""Every path of the SOP through the pure engine: straight, both return loops, parallel."""

from __future__ import annotations

import pytest

from bot.core.workflow import (
    Approve,
    AttachFile,
    CaseFinished,
    CaseStatus,
    Complete,
    Order,
    Paraf,
    RenderDocument,
    Return,
    Sign,
    SkipItem,
    TaskClosed,
    TaskOpened,
    TaskStatus,
    Tick,
)
from tests.support.engine import (
    CHECKLIST,
    RECIPIENTS,
    CaseDriver,
    approve_and_paraf,
    file_ref,
    type_draft,
    walk_to_review,
)


def walk_from_kabid_to_end(d: CaseDriver) -> None:
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    assert d.step == "paraf_akhir"
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    assert d.step == "tanda_tangan"
    d.do("kadin", Sign(d.task_of("kadin").seq, d.version))
    assert d.step == "perintah_distribusi"
    d.do("kasubag", Order(d.task_of("kasubag").seq, ("staf_2",)))
    assert d.step == "distribusi"
    assert d.open_assignees() == ["staf_2"]
    task = d.task_of("staf_2").seq
    for recipient in RECIPIENTS:
        d.do("staf_2", Tick(task, recipient, proof_ref=f"e-office 12/{recipient}"))
    d.do("staf_2", Complete(task))


def test_straight_path_from_step_1_to_11_finishes_the_case() -> None:
    d = CaseDriver.start()
    assert d.state.code == "LKT-2026-TW2"
    assert d.step == "disposisi"
    walk_to_review(d)
    approve_and_paraf(d)
    assert d.open_assignees() == ["kabid_1", "kabid_2", "kabid_3"]
    walk_from_kabid_to_end(d)

    assert d.state.status is CaseStatus.FINISHED
    assert d.state.open_tasks() == []
    assert any(isinstance(e, CaseFinished) for e in d.effects)
    steps_entered = [e.step_key for e in d.events if e.action == "enter"]
    assert steps_entered == [s.key for s in sorted(d.ctx.sop.steps, key=lambda s: s.number)]
    documents = [e.document for e in d.effects if isinstance(e, RenderDocument)]
    assert documents == ["lembar_disposisi", "lembar_pengesahan", "laporan_final"]
    assert d.state.data["disposisi"] == {"instruksi": "Segera susun laporan", "catatan": ""}
    assert d.state.data["tanda_tangan"]["version"] == 2


def test_step_5_returns_to_the_typist_twice_then_approves() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    for attempt in (1, 2):
        d.do("sekretaris", Return(d.task_of("sekretaris").seq, f"Tabel capaian salah {attempt}"))
        assert d.step == "ketik"
        # The return goes back to the officer who typed it, with the reason.
        assert d.open_assignees() == ["staf_1"]
        returned = d.task_of("staf_1").data["returned"]
        assert returned["reason"] == f"Tabel capaian salah {attempt}"
        assert returned["by"] == "sekretaris"
        type_draft(d, "staf_1", f"draf perbaikan {attempt}")
    assert d.state.rounds["ketik"] == 3
    assert d.state.rounds["periksa"] == 3
    approve_and_paraf(d)
    walk_from_kabid_to_end(d)
    assert d.state.status is CaseStatus.FINISHED
    assert [f.number for f in d.state.drafts] == [1, 2, 3, 4]


def test_one_kabid_returns_others_withdrawn_then_all_are_asked_again() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    first_round = {t.assignee: t.seq for t in d.state.open_tasks()}
    d.do("kabid_1", Approve(first_round["kabid_1"], d.version))
    d.do("kabid_2", Return(first_round["kabid_2"], "Realisasi anggaran bidang kami keliru"))

    assert d.step == "periksa"
    statuses = {t.assignee: t.status for t in d.state.tasks if t.seq in first_round.values()}
    assert statuses == {
        "kabid_1": TaskStatus.DONE,
        "kabid_2": TaskStatus.DONE,
        "kabid_3": TaskStatus.WITHDRAWN,
    }
    withdrawn = [e for e in d.effects if isinstance(e, TaskClosed)][-1]
    assert withdrawn == TaskClosed(first_round["kabid_3"], TaskStatus.WITHDRAWN)
    assert d.task_of("sekretaris").data["returned"]["reason"].startswith("Realisasi")

    # The Sekretaris fixes the draft at once and sends it round again.
    d.do("sekretaris", AttachFile(d.task_of("sekretaris").seq, file_ref("draf diperbaiki")))
    approve_and_paraf(d)
    second_round = {t.assignee: t.seq for t in d.state.open_tasks()}
    assert sorted(second_round) == ["kabid_1", "kabid_2", "kabid_3"]
    assert set(second_round.values()).isdisjoint(first_round.values())
    assert {t.round for t in d.state.open_tasks()} == {2}
    walk_from_kabid_to_end(d)
    assert d.state.status is CaseStatus.FINISHED
    signed = d.state.data["tanda_tangan"]
    assert signed["sha256"] == file_ref("draf diperbaiki").sha256


def test_step_8_waits_for_every_kabid() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    d.do("kabid_1", Approve(d.task_of("kabid_1").seq, d.version))
    d.do("kabid_3", Approve(d.task_of("kabid_3").seq, d.version))
    assert d.step == "periksa_kabid"
    assert d.open_assignees() == ["kabid_2"]
    d.do("kabid_2", Approve(d.task_of("kabid_2").seq, d.version))
    assert d.step == "paraf_akhir"


def test_a_new_version_during_the_kabid_review_asks_every_kabid_again() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    old_version = d.version
    d.do("kabid_1", Approve(d.task_of("kabid_1").seq, old_version))
    d.do("kabid_2", AttachFile(d.task_of("kabid_2").seq, file_ref("koreksi kabid 2")))
    assert d.step == "periksa_kabid"
    assert d.state.round == 2
    assert d.open_assignees() == ["kabid_1", "kabid_2", "kabid_3"]
    assert d.version == (old_version or 0) + 1


def test_any_step_is_claimed_by_the_first_holder_to_act() -> None:
    d = CaseDriver.start()
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Susun"}))
    walk_to_review_from_step_2 = d.task_of("sakip_ketua").seq
    sakip_1_task = d.task_of("sakip_1").seq
    d.do("sakip_ketua", Tick(walk_to_review_from_step_2, "RENSTRA"))
    claimed = d.state.task(sakip_1_task)
    assert claimed is not None
    assert claimed.status is TaskStatus.CLAIMED
    assert claimed.closed_by == "sakip_ketua"


def test_checklist_needs_every_item_or_a_reason_to_go_without() -> None:
    d = CaseDriver.start()
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Susun"}))
    task = d.task_of("sakip_1").seq
    for item in CHECKLIST[:-1]:
        d.do("sakip_1", Tick(task, item))
    from bot.core.workflow import Refusal, RefusalCode

    with pytest.raises(Refusal) as refused:
        d.do("sakip_1", Complete(task))
    assert refused.value.code is RefusalCode.CHECKLIST_INCOMPLETE
    assert refused.value.details["missing"] == ["Laporan Bulanan"]
    with pytest.raises(Refusal) as refused:
        d.do("sakip_1", SkipItem(task, "Laporan Bulanan", ""))
    assert refused.value.code is RefusalCode.REASON_REQUIRED
    d.do("sakip_1", SkipItem(task, "Laporan Bulanan", "Belum terbit dari bidang"))
    d.do("sakip_1", Complete(task))
    assert d.step == "konsep"
    complete = [e for e in d.events if e.action == "complete"][-1]
    assert complete.data["skipped"] == {"Laporan Bulanan": "Belum terbit dari bidang"}


def test_distribution_needs_proof_per_recipient() -> None:
    from bot.core.workflow import Refusal, RefusalCode

    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    d.do("kadin", Sign(d.task_of("kadin").seq, d.version))
    d.do("kasubag", Order(d.task_of("kasubag").seq, ("staf_1", "staf_2")))
    assert d.open_assignees() == ["staf_1", "staf_2"]
    task = d.task_of("staf_1").seq
    with pytest.raises(Refusal) as refused:
        d.do("staf_1", Tick(task, "Bupati"))
    assert refused.value.code is RefusalCode.PROOF_REQUIRED
    d.do("staf_1", AttachFile(task, file_ref("tanda terima", "terima.jpg"), item="Bupati"))
    d.do("staf_1", Tick(task, "Inspektorat", proof_ref="SRIKANDI 800/55"))
    # The team shares one list: the colleague ticks the last recipient and finishes.
    other = d.task_of("staf_2").seq
    d.do("staf_2", Tick(other, "Bappeda", proof_ref="email 2026-07-10"))
    d.do("staf_2", Complete(other))
    assert d.state.status is CaseStatus.FINISHED
    staf_1 = d.state.task(task)
    assert staf_1 is not None and staf_1.status is TaskStatus.CLAIMED


def test_kadin_can_send_the_signed_draft_back_to_the_final_paraf() -> None:
    d = CaseDriver.start()
    walk_to_review(d)
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Approve(d.task_of(kabid).seq, d.version))
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    d.do("kadin", Return(d.task_of("kadin").seq, "Kata pengantar perlu diperbaiki"))
    assert d.step == "paraf_akhir"
    assert d.open_assignees() == ["sekretaris"]


def test_every_assignee_is_told_by_a_task_message_and_a_clock() -> None:
    d = CaseDriver.start()
    opened = [d.state.task(e.task) for e in d.effects if isinstance(e, TaskOpened)]
    assert [t.assignee for t in opened if t is not None] == ["kadin"]
    walk_to_review(d)
    approve_and_paraf(d)
    kabid_tasks = {t.seq for t in d.state.open_tasks()}
    assert kabid_tasks <= {e.task for e in d.effects if isinstance(e, TaskOpened)}
