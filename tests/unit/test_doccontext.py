"""From an engine-walked case to the documents' inputs: the paper trail is the audit log's."""

from __future__ import annotations

import io
import tomllib
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from docx import Document

from bot.config import Config, parse_config
from bot.core.sop import StepKind
from bot.core.workflow import (
    Approve,
    AttachFile,
    Complete,
    Order,
    Paraf,
    Return,
    Sign,
    Tick,
)
from bot.documents import (
    DEFAULT_RULES,
    DocumentKind,
    KopSettings,
    PeriodKind,
    SheetData,
    Urgency,
    read_sheet,
    render_approval,
    render_disposition,
    verification_code,
)
from bot.documents import context as doccontext
from demo.stage import DEMO_CONFIG
from tests.support.docs import docx_text
from tests.support.engine import LETTER, T0, CaseDriver, file_ref
from tests.support.paths import ROOT

JAKARTA = ZoneInfo("Asia/Jakarta")
KABID_RETURN = "Capaian indikator APK PAUD belum sesuai data Dapodik"


def demo_config() -> Config:
    """The demo Dinas (same officer keys as the test roster), pointed nowhere."""
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("@TOKEN@", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
        .replace("@BASE_URL@", "http://127.0.0.1:9/bot")
        .replace("@BASE_FILE_URL@", "http://127.0.0.1:9/file/bot")
    )
    return parse_config(tomllib.loads(text), env={}, source=str(DEMO_CONFIG))


CONFIG = demo_config()


def dispose(case: CaseDriver, form: dict[str, str]) -> None:
    case.do("kadin", Complete(case.task_of("kadin").seq, form))


def walk_to_review(case: CaseDriver) -> None:
    """Steps 1-4: the disposition, the material, the concept, the typed draft."""
    dispose(case, {"instruksi": "Susun laporan triwulan II", "catatan": "Libatkan para Kabid"})
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        case.do("sakip_1", Tick(case.task_of("sakip_1").seq, item))
    case.do("sakip_1", Complete(case.task_of("sakip_1").seq))
    seq = case.task_of("sakip_ketua").seq
    case.do("sakip_ketua", AttachFile(seq, file_ref("konsep")))
    case.do("sakip_ketua", Complete(seq))
    seq = case.task_of("staf_1").seq
    case.do("staf_1", AttachFile(seq, file_ref("draf diketik")))
    case.do("staf_1", Complete(seq))


def signed_case_with_a_kabid_return() -> tuple[CaseDriver, dict[str, datetime]]:
    """Round 1 of the Kabid review ends in a return; round 2 leads forward.

    Returns the case and the instants of the forward round's initials.
    """
    case = CaseDriver.start()
    walk_to_review(case)
    case.do("sekretaris", Approve(case.task_of("sekretaris").seq, case.version))
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    case.do("kabid_1", Approve(case.task_of("kabid_1").seq, case.version))
    case.do("kabid_2", Return(case.task_of("kabid_2").seq, KABID_RETURN, case.version))
    returned_at = case.now
    assert case.step == "periksa"
    case.do("sekretaris", Approve(case.task_of("sekretaris").seq, case.version))
    at: dict[str, datetime] = {"return": returned_at}
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    at["sekretaris_6"] = case.now
    for kabid in ("kabid_3", "kabid_1", "kabid_2"):  # not in the config's order
        case.do(kabid, Approve(case.task_of(kabid).seq, case.version))
        at[kabid] = case.now
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    at["sekretaris_8"] = case.now
    case.do("kadin", Sign(case.task_of("kadin").seq, case.version))
    at["signed"] = case.now
    return case, at


@pytest.mark.parametrize("returns", [0, 1, 3, 6])
def test_returns_never_lengthen_the_paraf_list(returns: int) -> None:
    """0 to 6 rounds ending in a return: the sheet lists the forward round only, so its
    length (what the page checks lay out, 1 to 14 officers) does not grow with returns,
    and no return reason is printed."""
    case = CaseDriver.start()
    walk_to_review(case)
    reasons = [f"Alasan pengembalian nomor {i}" for i in range(1, returns + 1)]
    for reason in reasons:
        case.do("sekretaris", Approve(case.task_of("sekretaris").seq, case.version))
        case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
        case.do("kabid_1", Approve(case.task_of("kabid_1").seq, case.version))
        case.do("kabid_2", Return(case.task_of("kabid_2").seq, reason, case.version))
        assert case.step == "periksa"
    case.do("sekretaris", Approve(case.task_of("sekretaris").seq, case.version))
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        case.do(kabid, Approve(case.task_of(kabid).seq, case.version))
    case.do("sekretaris", Paraf(case.task_of("sekretaris").seq, case.version))
    case.do("kadin", Sign(case.task_of("kadin").seq, case.version))
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG)
    assert [p.order for p in sheet.paraf] == [1, 2, 3, 4, 5]
    text = docx_text(render_approval(sheet))
    assert not [reason for reason in reasons if reason in text]


def test_the_paraf_trail_keeps_the_forward_round_in_step_and_config_order() -> None:
    case, at = signed_case_with_a_kabid_return()
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG)

    assert [(p.order, p.name, p.jabatan, p.at) for p in sheet.paraf] == [
        (1, "Sri Wahyuni, S.E., M.M.", "Sekretaris Dinas Pendidikan", at["sekretaris_6"]),
        (2, "Drs. Bambang Hermawan", "Kepala Bidang Pembinaan PAUD", at["kabid_1"]),
        (3, "Dewi Lestari, S.Pd., M.Pd.", "Kepala Bidang Pembinaan SD", at["kabid_2"]),
        (4, "Ir. Yusuf Hidayat", "Kepala Bidang Sarana Prasarana", at["kabid_3"]),
        (5, "Sri Wahyuni, S.E., M.M.", "Sekretaris Dinas Pendidikan", at["sekretaris_8"]),
    ]
    sop = case.ctx.sop
    assert [p.step_title for p in sheet.paraf] == [
        sop.step("paraf_sekretaris").label,
        *[sop.step("periksa_kabid").label] * 3,
        sop.step("paraf_akhir").label,
    ]
    assert sheet.paraf[0].step_title == "Paraf Sekretaris"  # the SOP's short name
    assert [p.nip for p in sheet.paraf] == [
        "19740823 199803 2 006",
        "19700314 199512 1 002",
        "19750520 200012 2 003",
        "19721105 199803 1 005",
        "19740823 199803 2 006",
    ]
    # the return history stays in /riwayat and the case archive, not on the sheet
    assert KABID_RETURN not in docx_text(render_approval(sheet))


def test_the_verification_code_binds_case_signed_draft_and_instant() -> None:
    case, at = signed_case_with_a_kabid_return()
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG)
    draft = case.state.latest_draft
    assert draft is not None
    assert case.state.data["tanda_tangan"]["sha256"] == draft.sha256
    assert sheet.verification_code == verification_code(1, draft.sha256, at["signed"])
    assert (sheet.draft_sha256, sheet.draft_version, sheet.signed_at) == (
        draft.sha256,
        draft.number,
        at["signed"],
    )
    assert (sheet.kadin.name, sheet.kadin.pangkat, sheet.kadin.nip) == (
        "Dr. H. Ahmad Santoso, M.Pd.",
        "Pembina Utama Muda, IV/c",
        "19680512 199303 1 004",
    )
    [event] = doccontext.sign_events(1, case.events)
    assert (event.code, event.signer, event.version) == (
        sheet.verification_code,
        "kadin",
        draft.number,
    )
    text = docx_text(render_approval(sheet))
    assert f"Kode verifikasi: {sheet.verification_code}" in text
    assert "Ditetapkan di Contoh" in text
    names = ["Sri Wahyuni", "Bambang Hermawan", "Dewi Lestari", "Yusuf Hidayat", "Sri Wahyuni"]
    positions, start = [], 0
    for name in names:
        start = text.index(name, start) + 1
        positions.append(start)
    assert positions == sorted(positions)


def test_the_signature_is_read_from_the_sops_sign_step() -> None:
    case, at = signed_case_with_a_kabid_return()
    signed = doccontext.signature(case.ctx.sop, case.state)
    assert signed is not None
    assert (signed.step.key, signed.step.kind, signed.at) == (
        "tanda_tangan",
        StepKind.SIGN,
        at["signed"],
    )
    # The same record under a key that is no sign step of the SOP is no signature.
    case.state.data = {"disposisi": case.state.data["tanda_tangan"]}
    assert doccontext.signature(case.ctx.sop, case.state) is None


def test_an_unsigned_case_has_no_approval_sheet() -> None:
    case = CaseDriver.start()
    walk_to_review(case)
    with pytest.raises(doccontext.DocumentContextError):
        doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG)


def test_the_disposition_carries_the_letter_the_instruction_and_the_next_officers() -> None:
    case = CaseDriver.start()
    dispose(case, {"instruksi": "Susun laporan triwulan II", "catatan": "Libatkan para Kabid"})
    sheet = doccontext.disposition_sheet(
        case.ctx.sop, case.state, case.events, CONFIG, "disposisi"
    )
    letter = sheet.letter
    assert (letter.sender, letter.number, letter.subject, letter.agenda_number) == (
        LETTER["from"],
        LETTER["number"],
        LETTER["subject"],
        LETTER["agenda"],
    )
    assert letter.date == date(2026, 7, 1) and letter.urgency is Urgency.SEGERA
    assert letter.date_received is None  # the test letter has no "received"
    disposition = sheet.disposition
    assert (disposition.instruction, disposition.note) == (
        "Susun laporan triwulan II",
        "Libatkan para Kabid",
    )
    assert disposition.to == (
        "Hendra Gunawan, S.E. (Ketua Tim SAKIP)",
        "Lina Marlina, S.Kom. (Anggota Tim SAKIP)",
    )
    assert disposition.by.name == "Dr. H. Ahmad Santoso, M.Pd."
    assert disposition.at == T0 + timedelta(minutes=5)
    assert doccontext.disposition_audience(case.ctx.sop, case.state, case.events, "disposisi") == [
        "kadin",
        "sakip_ketua",
        "sakip_1",
    ]
    assert doccontext.disposition_source(case.events, "disposisi") == "disposisi#1"


def test_missing_letter_fields_print_a_dash() -> None:
    case = CaseDriver.start()
    case.state.letter = {"number": "005/77/2026"}
    dispose(case, {"instruksi": "Tindak lanjuti"})
    sheet = doccontext.disposition_sheet(
        case.ctx.sop, case.state, case.events, CONFIG, "disposisi"
    )
    letter = sheet.letter
    assert (letter.sender, letter.subject, letter.agenda_number) == ("-", "-", "-")
    assert (letter.date, letter.date_received, letter.urgency) == (None, None, Urgency.BIASA)
    text = docx_text(render_disposition(sheet))
    assert "005/77/2026" in text and "Tindak lanjuti" in text
    document = Document(io.BytesIO(render_disposition(sheet)))
    cells = {
        row.cells[0].text: row.cells[1].text for table in document.tables for row in table.rows
    }
    assert cells["Tanggal surat"] == "-" and cells["Surat dari"] == "-"


def test_the_final_report_goes_to_signer_secretary_and_the_next_step() -> None:
    case, _ = signed_case_with_a_kabid_return()
    audience = doccontext.final_report_audience(case.ctx.sop, case.state, case.events, CONFIG)
    assert audience == ["kadin", "sekretaris", "kasubag"]
    case.do("kasubag", Order(case.task_of("kasubag").seq, ("staf_2",)))
    assert doccontext.final_report_audience(case.ctx.sop, case.state, case.events, CONFIG) == [
        "kadin",
        "sekretaris",
        "kasubag",
    ]


def test_periods_and_file_names() -> None:
    case = CaseDriver.start()
    period = doccontext.report_period(case.ctx.sop, case.state)
    assert (period.label, period.kind, period.number, period.key) == (
        "Triwulan II",
        PeriodKind.TRIWULAN,
        2,
        "TW2",
    )
    semester = CaseDriver.start(period="S1")
    assert doccontext.report_period(semester.ctx.sop, semester.state).key == "S1"
    assert (
        doccontext.file_name(DocumentKind.LAPORAN_KINERJA, case.state, CONFIG, "final", "pdf")
        == "Laporan_Kinerja_TW2_2026_Disdik_final.pdf"
    )


def test_the_standard_report_is_signed_by_the_holder_of_the_sign_step() -> None:
    case = CaseDriver.start()
    data = (ROOT / "templates" / "demo" / "data_capaian.xlsx").read_bytes()
    sheet: SheetData = read_sheet(data, "data_capaian.xlsx")
    report = doccontext.performance_report(
        case.ctx.sop, case.state, CONFIG, sheet, DEFAULT_RULES, date(2026, 7, 6)
    )
    assert report.kadin.name == "Dr. H. Ahmad Santoso, M.Pd."
    assert report.period.title == "TRIWULAN II TAHUN 2026"
    assert report.letterhead.agency == "Dinas Pendidikan"
    assert len(report.indicators) == len(sheet.indicators) > 0
    assert report.indicators[0].target_tahunan == sheet.indicators[0].target_tahunan
    assert isinstance(report.indicators[0].target_tahunan, Decimal)


def test_the_kop_settings_reach_every_letterhead() -> None:
    case, _ = signed_case_with_a_kabid_return()
    kop = KopSettings(name_lines=("Dinas", "Pendidikan"), telephone="(0265) 1", email="a@b.go.id")
    sheet = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG, kop)
    assert (sheet.letterhead.name_lines, sheet.letterhead.telephone) == (
        ("Dinas", "Pendidikan"),
        "(0265) 1",
    )
    assert sheet.letterhead.email == "a@b.go.id" and sheet.letterhead.agency == "Dinas Pendidikan"
    plain = doccontext.approval_sheet(case.ctx.sop, case.state, case.events, CONFIG)
    assert (plain.letterhead.name_lines, plain.letterhead.telephone) == ((), "")
