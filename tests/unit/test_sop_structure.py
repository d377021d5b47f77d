"""Structural tests of every SOP we ship, and the facts of the performance-report SOP.

The loader already refuses a broken SOP; these tests walk the loaded graph again with
their own small code, so a loader bug cannot let a shipped file through unnoticed. Every
file in `templates/sop/` is checked (a new SOP gets these tests for free), and so is the
second, small fixture SOP other tests use to prove nothing assumes the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import pytest

from bot.core.sop import DECISION_KINDS, VERSIONED_KINDS, Assign, Period, Sop, StepKind
from bot.core.sop_loader import load_sop
from bot.core.timestd import TimeUnit

ROOT = Path(__file__).resolve().parents[2]
SOP_DIR = ROOT / "templates" / "sop"
SHIPPED = sorted(SOP_DIR.glob("*.toml"))
FIXTURE = ROOT / "tests" / "fixtures" / "sop" / "surat_keluar.toml"
ALL_FILES = [*SHIPPED, FIXTURE]


def _edges(sop: Sop) -> dict[str, list[str]]:
    return {
        step.key: [t for t in (step.next, step.return_to) if t is not None] for step in sop.steps
    }


def _reach(edges: dict[str, list[str]], starts: Iterable[str]) -> set[str]:
    seen = set(starts)
    todo = list(seen)
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.fixture(params=ALL_FILES, ids=lambda path: path.name)
def sop(request: pytest.FixtureRequest) -> Sop:
    path: Path = request.param
    return load_sop(path)


def test_the_performance_report_sop_is_shipped() -> None:
    assert SOP_DIR / "pelaporan_kinerja.toml" in SHIPPED


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: path.name)
def test_loads_without_errors_and_keeps_its_text(path: Path) -> None:
    sop = load_sop(path)

    assert sop.source_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sop.source_text == path.read_text(encoding="utf-8")


def test_the_first_step_is_number_one_and_numbers_run_on(sop: Sop) -> None:
    assert sop.first.number == 1
    assert sop.steps[0] is sop.first
    assert [step.number for step in sop.steps] == list(range(1, len(sop.steps) + 1))


def test_every_step_is_reachable_from_the_first(sop: Sop) -> None:
    reached = _reach(_edges(sop), [sop.first.key])

    assert reached == {step.key for step in sop.steps}


def test_exactly_one_final_step_and_it_is_no_decision(sop: Sop) -> None:
    finals = [step for step in sop.steps if step.next is None]

    assert len(finals) == 1
    assert finals[0].kind not in DECISION_KINDS
    assert finals[0].kind is not StepKind.ORDER


def test_the_final_step_is_reachable_from_every_step(sop: Sop) -> None:
    [final] = [step for step in sop.steps if step.next is None]
    edges = _edges(sop)

    for step in sop.steps:
        assert final.key in _reach(edges, [step.key]), step.key


def test_every_decision_has_both_exits_and_returns_backwards(sop: Sop) -> None:
    keys = {step.key for step in sop.steps}
    decisions = [step for step in sop.steps if step.kind in DECISION_KINDS]
    assert decisions, f"{sop.key} has no decision step: nothing to check"
    for step in decisions:
        assert step.next in keys, step.key
        assert step.return_to in keys, step.key
    for step in sop.steps:
        if step.return_to is not None:
            assert sop.step(step.return_to).number < step.number, step.key


def test_every_step_has_declared_roles(sop: Sop) -> None:
    for step in sop.steps:
        assert step.roles, step.key
        assert set(step.roles) <= set(sop.roles), step.key


def test_every_versioned_step_works_on_the_draft(sop: Sop) -> None:
    versioned = [step for step in sop.steps if step.kind in VERSIONED_KINDS]
    kinds = ", ".join(sorted(kind.value for kind in VERSIONED_KINDS))
    assert versioned, f"{sop.key} has no step of a versioned kind ({kinds}): nothing to check"
    for step in versioned:
        assert step.works_on_draft, step.key


def test_chosen_officers_are_always_picked_by_an_order_step(sop: Sop) -> None:
    # The fixture SOP assigns every step by role on purpose, so an SOP may lack both kinds;
    # but if no file had them, this check would pass without checking anything.
    every_step = [step for path in ALL_FILES for step in load_sop(path).steps]
    assert any(step.kind is StepKind.ORDER for step in every_step), "no SOP has an order step"
    assert any(step.assign is Assign.CHOSEN for step in every_step), "no SOP has a chosen step"
    for step in sop.steps:
        before = [s for s in sop.steps if s.next == step.key]
        if step.assign is Assign.CHOSEN:
            assert before and all(s.kind is StepKind.ORDER for s in before), step.key
        if step.kind is StepKind.ORDER:
            assert step.next is not None
            assert sop.step(step.next).assign is Assign.CHOSEN, step.key


def test_periods_are_distinct_and_within_the_year(sop: Sop) -> None:
    keys = [period.key for period in sop.periods]

    assert keys and len(keys) == len(set(keys))
    for period in sop.periods:
        assert 1 <= period.start_month <= period.end_month <= 12, period.key
        assert sop.case_code(2026, period.key) == f"{sop.code_prefix}-2026-{period.key}"


# -- the performance-report SOP --------------------------------------------------------------


@pytest.fixture
def lkt() -> Sop:
    return load_sop(SOP_DIR / "pelaporan_kinerja.toml")


def test_lkt_has_eleven_steps_in_the_sop_table_order(lkt: Sop) -> None:
    assert [step.key for step in lkt.steps] == [
        "disposisi",
        "kumpul_bahan",
        "konsep",
        "ketik",
        "periksa",
        "paraf_sekretaris",
        "periksa_kabid",
        "paraf_akhir",
        "tanda_tangan",
        "perintah_distribusi",
        "distribusi",
    ]
    assert lkt.code_prefix == "LKT"
    assert set(lkt.roles) == {"kadin", "sekretaris", "kabid", "kasubag", "staf", "tim_sakip"}


def test_lkt_step_7_is_every_kabid_in_parallel_returning_to_step_5(lkt: Sop) -> None:
    step = lkt.steps[6]

    assert step.number == 7
    assert step.kind is StepKind.PARALLEL_DECISION
    assert step.roles == ("kabid",)
    assert step.assign is Assign.ALL
    assert step.return_to == lkt.steps[4].key == "periksa"
    assert step.next == lkt.steps[7].key


def test_lkt_step_5_is_the_secretary_returning_to_step_4(lkt: Sop) -> None:
    step = lkt.steps[4]

    assert step.number == 5
    assert step.kind is StepKind.DECISION
    assert step.roles == ("sekretaris",)
    assert step.return_to == lkt.steps[3].key == "ketik"


def test_lkt_only_the_head_signs_and_initials_come_first(lkt: Sop) -> None:
    signs = [step for step in lkt.steps if step.kind is StepKind.SIGN]
    parafs = [step for step in lkt.steps if step.kind is StepKind.PARAF]

    assert [(s.number, s.roles) for s in signs] == [(9, ("kadin",))]
    assert [s.number for s in parafs] == [6, 8]


@pytest.mark.parametrize(
    ("number", "text", "unit", "amount"),
    [
        (1, "10 menit", TimeUnit.MINUTE, 10),
        (2, "2 jam", TimeUnit.HOUR, 2),
        (3, "1 minggu", TimeUnit.WEEK, 1),
        (4, "3 hari", TimeUnit.DAY, 3),
        (5, "1 hari", TimeUnit.DAY, 1),
        (6, "10 menit", TimeUnit.MINUTE, 10),
        (7, "60 menit", TimeUnit.MINUTE, 60),
        (8, "30 menit", TimeUnit.MINUTE, 30),
        (9, "30 menit", TimeUnit.MINUTE, 30),
        (10, "10 menit", TimeUnit.MINUTE, 10),
        (11, "60 menit", TimeUnit.MINUTE, 60),
    ],
)
def test_lkt_time_standards_are_parsed(
    lkt: Sop, number: int, text: str, unit: TimeUnit, amount: int
) -> None:
    time = lkt.steps[number - 1].time

    assert (time.text, time.unit, time.amount) == (text, unit, amount)


def test_lkt_a_week_is_five_working_days_and_the_total_matches_the_sop(lkt: Sop) -> None:
    times = [step.time for step in lkt.steps]

    assert lkt.steps[2].time.working_days == 5
    assert lkt.steps[3].time.working_days == 3
    # "1 week + 3 days + 1 day + 5 h 30 min of working time" (DOMAIN.md)
    assert sum(t.working_days or 0 for t in times) == 5 + 3 + 1
    assert sum(t.minutes_if_minutes_or_hours or 0 for t in times) == 5 * 60 + 30


def test_lkt_step_2_checks_the_source_documents(lkt: Sop) -> None:
    step = lkt.steps[1]

    assert step.kind is StepKind.CHECKLIST
    assert step.checklist is not None
    assert step.checklist.items == ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan")
    assert step.checklist.items_from is None


def test_lkt_distribution_is_done_by_the_staff_the_kasubag_picks(lkt: Sop) -> None:
    order, distribute = lkt.steps[9], lkt.steps[10]

    assert order.kind is StepKind.ORDER and order.next == distribute.key
    assert distribute.assign is Assign.CHOSEN
    assert distribute.checklist is not None
    assert distribute.checklist.items_from == "recipients"
    assert distribute.checklist.proof_required is True


def test_lkt_periods_are_the_quarters_and_semesters(lkt: Sop) -> None:
    assert lkt.periods == (
        Period("TW1", "Triwulan I", "triwulan", 1, 3),
        Period("TW2", "Triwulan II", "triwulan", 4, 6),
        Period("TW3", "Triwulan III", "triwulan", 7, 9),
        Period("TW4", "Triwulan IV", "triwulan", 10, 12),
        Period("S1", "Semester I", "semester", 1, 6),
        Period("S2", "Semester II", "semester", 7, 12),
    )
    assert lkt.case_code(2026, "TW2") == "LKT-2026-TW2"


# -- the fixture SOP: a different shape on purpose ---------------------------------------------


def test_the_fixture_sop_shares_nothing_with_the_shipped_one(lkt: Sop) -> None:
    letter = load_sop(FIXTURE)

    assert letter.key == "surat_keluar"
    assert letter.code_prefix == "SK"
    assert not set(letter.roles) & set(lkt.roles)
    assert not {s.key for s in letter.steps} & {s.key for s in lkt.steps}
    assert [p.key for p in letter.periods] == [f"M{m:02d}" for m in range(1, 13)]
    assert all(p.start_month == p.end_month for p in letter.periods)
    kinds = [step.kind for step in letter.steps]
    assert kinds == [
        StepKind.UPLOAD,
        StepKind.DECISION,
        StepKind.SIGN,
        StepKind.ACTION,
        StepKind.CHECKLIST,
    ]
    assert letter.step("verifikasi").return_to == "konsep_surat"
    assert letter.step("penomoran").required_fields == ("nomor_surat", "tanggal_surat")
