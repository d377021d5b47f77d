"""The SOP compliance figures, from the fixture history's audit trail alone."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from bot.core.compliance import (
    AuditPeriod,
    ComplianceReport,
    StepFigures,
    Wait,
    compliance_report,
    parse_audit_period,
)
from tests.support.compliance_history import CALENDAR, ZONE, fixture_trails
from tests.support.local_time import at_local


async def report_for(period: AuditPeriod) -> ComplianceReport:
    return compliance_report(await fixture_trails(), period, CALENDAR, ZONE)


def steps_of(report: ComplianceReport) -> dict[str, StepFigures]:
    [sop] = report.sops
    return {step.step_key: step for step in sop.steps}


async def test_the_third_quarter_counts_every_round_that_ended_in_it() -> None:
    report = await report_for(AuditPeriod(2026, 3))
    [sop] = report.sops
    steps = steps_of(report)
    assert sop.sop_key == "pelaporan_kinerja" and sop.cases == 7  # not the June case
    assert [s.number for s in sop.steps] == list(range(1, 12))
    # runs: 6 cases end; the case left waiting at step 5 counts steps 1-4 only; the
    # returns of LKT-2026-S1 run steps 4, 6 and 7 twice and step 5 three times.
    runs = {key: step.runs for key, step in steps.items()}
    assert runs == {
        "disposisi": 7,
        "kumpul_bahan": 7,
        "konsep": 7,
        "ketik": 8,
        "periksa": 8,
        "paraf_sekretaris": 7,
        "periksa_kabid": 7,
        "paraf_akhir": 6,
        "tanda_tangan": 6,
        "perintah_distribusi": 6,
        "distribusi": 6,
    }


async def test_durations_are_working_minutes_across_a_weekend_and_a_holiday() -> None:
    steps = steps_of(await report_for(AuditPeriod(2026, 3)))

    # disposisi: six rounds of 10 minutes and one of 130 (LKT-2026-TW2), which the Plh
    # Kadin (the Sekretaris) closed after taking it over at 09.00: it waited on her.
    disposisi = steps["disposisi"]
    assert (disposisi.median_minutes, disposisi.max_minutes) == (10.0, 130)
    assert (disposisi.within, disposisi.standard_minutes) == (6, 10)
    assert disposisi.share_within == Fraction(6, 7)
    assert disposisi.waits_on == (Wait("sekretaris", 1, 120),)

    # kumpul_bahan: Friday 15.10 to Monday 08.40 is 80 + 70 working minutes, 30 late.
    kumpul = steps["kumpul_bahan"]
    assert (kumpul.max_minutes, kumpul.standard_minutes, kumpul.within) == (150, 120, 6)
    assert kumpul.waits_on == (Wait("sakip_ketua", 1, 30),)

    # periksa: Friday 15.00 to Tuesday 10.00 over the 17 August holiday is 90 + 150
    # minutes, within "1 hari" (450); the other seven rounds took 10 minutes each.
    periksa = steps["periksa"]
    assert (periksa.median_minutes, periksa.max_minutes) == (10.0, 240)
    assert (periksa.within, periksa.standard_minutes) == (8, 450)
    assert periksa.waits_on == ()

    # periksa_kabid: 100 and 70 minutes against 60, both closed by kabid_3.
    kabid = steps["periksa_kabid"]
    assert (kabid.median_minutes, kabid.max_minutes, kabid.within) == (10.0, 100, 5)
    assert kabid.waits_on == (Wait("kabid_3", 2, 50),)

    # tanda_tangan: 45 minutes against 30, signed by the Kadin himself (LKT-2025-TW1);
    # the Plh's signature on LKT-2026-TW2 took 10 minutes and waits on nobody.
    sign = steps["tanda_tangan"]
    assert (sign.max_minutes, sign.within, sign.runs) == (45, 5, 6)
    assert sign.waits_on == (Wait("kadin", 1, 15),)

    # Every other step took 10 minutes every time, within its standard.
    for key in ("konsep", "ketik", "paraf_sekretaris", "paraf_akhir", "distribusi"):
        step = steps[key]
        assert (step.median_minutes, step.max_minutes, step.within) == (10.0, 10, step.runs)


async def test_the_stand_in_period_is_in_the_audit_rows_under_both_officials() -> None:
    """LKT-2026-TW2: the Kadin's open disposition goes to the Plh at 09.00 (a row by the
    system naming both and the Surat Perintah); her disposition and her signature (step 9,
    routed to her on entry) carry the act; the rounds' figures are hers."""
    trail = (await fixture_trails())[1].trail
    acting = {"for": "kadin", "by": "sekretaris", "kind": "plh", "letter": "800/7/SP/2026"}
    [moved] = [e for e in trail if e.action == "hand_over"]
    left_at = at_local(2026, 7, 13, 9, 0)
    assert (moved.actor, moved.step_key, moved.at) == ("system", "disposisi", left_at)
    assert moved.data["acting"] == {**acting, "appointment": 1}
    kadin_steps = [e for e in trail if e.step_key in ("disposisi", "tanda_tangan")]
    closing = [e for e in kadin_steps if e.action in ("complete", "sign")]
    assert [(e.actor, e.action) for e in closing] == [
        ("sekretaris", "complete"),
        ("sekretaris", "sign"),
    ]
    for event in closing:
        assert event.data["acting"] == {**acting, "appointment": 1}
    [entered] = [e for e in trail if e.action == "enter" and e.step_key == "tanda_tangan"]
    assert entered.data["acting"] == {"kadin": "sekretaris"}
    # The Kadin started the case before he left, and did nothing else in it.
    kadin_rows = [(e.action, e.step_key) for e in trail if e.actor == "kadin"]
    assert kadin_rows == [("start", ""), ("enter", "disposisi")]


async def test_returns_are_counted_at_the_decision_that_made_them() -> None:
    steps = steps_of(await report_for(AuditPeriod(2026, 3)))
    assert steps["periksa"].returns_to == (("ketik", 1),)
    assert steps["periksa_kabid"].returns_to == (("periksa", 1),)
    assert sum(step.returns for step in steps.values()) == 2


async def test_the_judgement_follows_the_threshold_and_the_slowest_steps_name_who() -> None:
    report = await report_for(AuditPeriod(2026, 3))
    [sop] = report.sops
    steps = steps_of(report)
    assert steps["disposisi"].judged_good(80) is True  # 6/7 = 85.7 %
    assert steps["disposisi"].judged_good(90) is False
    assert steps["periksa_kabid"].judged_good(80) is False  # 5/7 = 71.4 %
    assert steps["periksa"].judged_good(100) is True
    slowest = sop.slowest()
    assert [(s.step_key, s.late_minutes) for s in slowest] == [
        ("disposisi", 120),
        ("periksa_kabid", 50),
        ("kumpul_bahan", 30),
    ]


async def test_a_period_holds_only_the_rounds_that_ended_in_it() -> None:
    june = await report_for(AuditPeriod(2026, 2))
    [sop] = june.sops
    assert sop.cases == 1 and {s.runs for s in sop.steps} == {1}
    assert june.runs == 11
    year = await report_for(AuditPeriod(2026))
    assert year.runs == 11 + (await report_for(AuditPeriod(2026, 3))).runs
    assert (await report_for(AuditPeriod(2025))).sops == ()


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("", AuditPeriod(2026)),
        ("2026", AuditPeriod(2026)),
        ("2025", AuditPeriod(2025)),
        ("2026-TW2", AuditPeriod(2026, 2)),
        ("2026 q3", AuditPeriod(2026, 3)),
        ("TW II 2026", AuditPeriod(2026, 2)),
        ("triwulan 1 2026", AuditPeriod(2026, 1)),
        ("2026 TW4", None),  # has not begun on 7 September
        ("2027", None),
        ("1999", None),
        ("kemarin", None),
        ("2026-TW5", None),
    ],
)
def test_periods_as_people_type_them(text: str, period: AuditPeriod | None) -> None:
    today = date(2026, 9, 7)
    assert parse_audit_period(text, today) == period


def test_a_period_knows_its_days() -> None:
    assert AuditPeriod(2026, 2).first_day == date(2026, 4, 1)
    assert AuditPeriod(2026, 2).last_day == date(2026, 6, 30)
    assert AuditPeriod(2026).last_day == date(2026, 12, 31)
    assert AuditPeriod(2026, 2).key == "2026-TW2" and AuditPeriod(2026).key == "2026"
