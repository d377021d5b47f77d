"""Documents tell the act truthfully: a stand-in signs and initials under their own name,
with "Plh."/"Plt." before the title of the official they stand in for."""

from __future__ import annotations

import tomllib
from dataclasses import replace

from bot.config import Config, parse_config
from bot.core.handover import hand_over
from bot.core.workflow import Approve, Complete, Paraf, Sign, StandIn
from bot.documents import context as doccontext
from bot.documents import render_disposition
from demo.stage import DEMO_CONFIG
from tests.support.docs import docx_text
from tests.support.engine import CaseDriver, walk_to_review

PLH_KABID = StandIn(officer="kabid_2", kind="plh", letter="800/13/SP/2026", appointment=1)
PLT_KADIN = StandIn(officer="sekretaris", kind="plt", letter="800/14/SP/2026", appointment=2)


def demo_config() -> Config:
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("@TOKEN@", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
        .replace("@BASE_URL@", "http://127.0.0.1:9/bot")
        .replace("@BASE_FILE_URL@", "http://127.0.0.1:9/file/bot")
    )
    return parse_config(tomllib.loads(text), env={}, source=str(DEMO_CONFIG))


def signed_by_stand_ins() -> CaseDriver:
    """Kabid 2 initials for the absent Kabid 1 (a task handed over); the Sekretaris signs
    as Plt Kadin (a task opened while the letter was in force)."""
    case = CaseDriver.start()
    walk_to_review(case)
    case.do("sekretaris", Approve(case.task_of("sekretaris").seq, case.version))
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    moved = hand_over(case.state, "kabid_1", PLH_KABID, case.now)
    assert moved is not None
    case.state = moved.state
    # her own review first: on the sheet the Plh's initials still take Kabid 1's place
    for task in reversed([t for t in case.state.open_tasks() if t.assignee == "kabid_2"]):
        case.do("kabid_2", Approve(task.seq, case.version))
    case.do("kabid_3", Approve(case.task_of("kabid_3").seq, case.version))
    case.ctx = replace(case.ctx, stand_ins={"kadin": PLT_KADIN})
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    [sign] = [t for t in case.state.open_tasks() if t.step_key == "tanda_tangan"]
    assert sign.assignee == "sekretaris"
    case.do("sekretaris", Sign(sign.seq, case.version))
    return case


def test_the_plt_signs_with_her_own_name_pangkat_and_nip_under_the_kadin_s_title() -> None:
    config = demo_config()
    case = signed_by_stand_ins()
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, config)
    sekretaris = config.officer("sekretaris")
    assert sheet.kadin.name == sekretaris.name
    assert sheet.kadin.nip == sekretaris.nip_formatted
    assert sheet.kadin.pangkat == sekretaris.pangkat
    assert sheet.kadin.title == "Plt. Kepala Dinas Pendidikan"


def test_a_stand_in_s_paraf_is_under_their_own_name_with_plh_before_the_title() -> None:
    config = demo_config()
    case = signed_by_stand_ins()
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, config)
    kabid = [(p.name, p.jabatan) for p in sheet.paraf][1:4]  # step 7, in config order
    assert kabid == [
        ("Dewi Lestari, S.Pd., M.Pd.", "Plh. Kepala Bidang Pembinaan PAUD"),
        ("Dewi Lestari, S.Pd., M.Pd.", "Kepala Bidang Pembinaan SD"),
        ("Ir. Yusuf Hidayat", "Kepala Bidang Sarana Prasarana"),
    ]
    # the audit names both officials and the letter
    acting = [
        e.data["acting"] for e in case.events if e.action == "approve" and "acting" in e.data
    ]
    assert acting == [
        {
            "for": "kabid_1",
            "by": "kabid_2",
            "kind": "plh",
            "letter": "800/13/SP/2026",
            "appointment": 1,
        }
    ]


def test_a_plh_kadin_s_disposition_is_under_her_own_name_with_plh_before_his_title() -> None:
    """The Kadin's open disposition handed to the Sekretaris as Plh: the lembar disposisi
    says "Plh. Kepala Dinas Pendidikan" over her name and NIP, not her own position."""
    config = demo_config()
    case = CaseDriver.start()
    plh = replace(PLT_KADIN, kind="plh")
    moved = hand_over(case.state, "kadin", plh, case.now)
    assert moved is not None
    case.state = moved.state
    form = {"instruksi": "Susun laporan triwulan II"}
    case.do("sekretaris", Complete(case.task_of("sekretaris").seq, form))
    sheet = doccontext.disposition_sheet(
        case.ctx.sop, case.state, case.events, config, "disposisi"
    )
    by, sekretaris = sheet.disposition.by, config.officer("sekretaris")
    assert (by.name, by.nip) == (sekretaris.name, sekretaris.nip_formatted)
    assert by.title == "Plh. Kepala Dinas Pendidikan"
    text = docx_text(render_disposition(sheet))
    assert f"Plh. Kepala Dinas Pendidikan,\nParaf: SW\n{sekretaris.name}" in text
    assert "Sekretaris Dinas Pendidikan" not in text
    assert doccontext.disposition_audience(case.ctx.sop, case.state, case.events, "disposisi") == [
        "sekretaris",
        "sakip_ketua",
        "sakip_1",
    ]
