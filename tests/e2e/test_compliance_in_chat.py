"""/kepatuhan through the running bot: the fixture history in its database, the summary,
the chart and the .docx with the figures of that history; who may ask; `/status <case>`
with its timeline chart."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from docx import Document

from bot.core.acting import ActingKind, Appointment
from bot.core.clock import FakeClock
from bot.core.compliance import AuditPeriod, compliance_report
from bot.core.workflow import Action, AttachFile, CaseState
from bot.documents.timeline import compliance_timeline, render_timeline
from bot.views.i18n import Catalogue
from demo.stage import STAGE_TOKEN, Stage, stage, write_stage_config
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.support.chat import says
from tests.support.compliance_history import (
    CALENDAR,
    PLANS,
    ZONE,
    CasePlan,
    Leave,
    Office,
    build_history,
    fixture_trails,
)
from tests.support.docs import docx_text, tiny_docx
from tests.support.engine import LETTER
from tests.support.local_time import JAKARTA, at_local

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ASKED_AT = at_local(2026, 10, 1, 9, 0)  # Thursday, after the third quarter


class ServiceOffice(Office):
    """A case of the plan walked through the running bot's service, on its clock."""

    def __init__(self, st: Stage, state: CaseState) -> None:
        self.st, self.case_id = st, state.id

    @classmethod
    async def start(cls, st: Stage, plan: CasePlan) -> ServiceOffice:
        clock(st).set(plan.start)
        await st.runtime.acting.apply_due()  # the scheduled check: a past leave has ended
        transition = await st.runtime.service.start_case(
            "kadin", "pelaporan_kinerja", plan.period, plan.year, LETTER
        )
        office = cls(st, transition.state)
        office.ctx = await st.runtime.service.context_for(transition.state)
        return office

    async def state(self) -> CaseState:
        return await self.st.runtime.service.case(self.case_id)

    async def act(self, actor: str, action: Action, at: datetime) -> None:
        clock(self.st).set(at)
        await self.st.runtime.service.act(actor, self.case_id, action)
        await self.st.runtime.deliver()

    async def attach(self, action: AttachFile) -> AttachFile:
        data = tiny_docx(f"draf {action.file.sha256[:8]}")
        ref = await self.st.runtime.service.store_upload(data, "draf.docx", DOCX)
        return AttachFile(action.task, ref)

    async def appoint(self, leave: Leave) -> None:
        """The Sekretaris (an admin) records the Surat Perintah as /wakil does; it is in
        force at once, so the open task moves now."""
        clock(self.st).set(leave.at)
        day = leave.at.astimezone(JAKARTA).date()
        letter = Appointment(
            kind=ActingKind.PLH,
            letter_number=leave.letter,
            letter_date=day,
            appointer="sekda",
            absent=leave.absent,
            stand_in=leave.stand_in,
            start=day,
            end=day,
        )
        stored = await self.st.runtime.acting.record("sekretaris", letter)
        assert stored.id == leave.appointment
        await self.st.runtime.deliver()


def clock(st: Stage) -> FakeClock:
    assert isinstance(st.runtime.clock, FakeClock)
    return st.runtime.clock


@asynccontextmanager
async def office_with_history(folder: Path) -> AsyncIterator[Stage]:
    """The demo office (PDF copies off: eight signed reports need none) with the
    fixture's eight cases in its database, asked on 1 October 2026."""
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        path = write_stage_config(folder, fake)
        path.write_text(path.read_text(encoding="utf-8") + "\n[documents]\npdf = false\n")
        async with stage(folder, FakeClock(PLANS[0].start), fake) as st:

            async def starter(plan: CasePlan) -> Office:
                return await ServiceOffice.start(st, plan)

            await build_history(starter)
            clock(st).set(ASKED_AT)
            # The case left waiting since July is overdue: its reminders go out now,
            # not in the middle of an answer the test reads.
            await st.runtime.service.tick()
            await st.runtime.deliver()
            await st.settle()
            yield st
    finally:
        fake.stop()


async def chart_of_the_fixture(caption: str) -> bytes:
    """The third quarter's chart drawn from the fixture history walked in the engine."""
    report = compliance_report(await fixture_trails(), AuditPeriod(2026, 3), CALENDAR, ZONE)
    [sop] = report.sops
    per_day = CALENDAR.working_minutes_per_day
    return render_timeline(compliance_timeline(caption, sop, Catalogue.load(), "id", per_day))


async def ask(st: Stage, user: FakeUser, text: str) -> list[BotMessage]:
    before = len(user.transcript)
    user.send_text(text)
    await st.settle(limit=60)
    return user.transcript[before:]


async def test_the_kadin_gets_the_summary_the_chart_and_the_monitoring_form(
    tmp_path: Path,
) -> None:
    async with office_with_history(tmp_path) as st:
        kadin = st.user("kadin")
        answer = await ask(st, kadin, "/kepatuhan 2026-TW3")
        assert len(answer) == 3, [(m.kind, m.text[:80]) for m in answer]
        summary, photo, document = answer

        assert summary.kind == "text"
        assert summary.text.startswith("Kepatuhan SOP — Triwulan III Tahun 2026")
        assert (
            "SOP Pelaporan Kinerja: 7 proses, 75 kali langkah dijalankan, 70 di antaranya "
            "dalam standar waktu (93,33%)."
        ) in summary.text
        assert "tidak berjalan dengan baik: 1 langkah" in summary.text
        assert "Langkah 1: Memerintahkan" in summary.text
        # The slowest step waited on the Plh Kadin, who held it: her name, not the
        # absent Kadin's (whose own late signature is not among the three slowest).
        assert "menunggu Sri Wahyuni, S.E., M.M." in summary.text
        assert "Ahmad Santoso" not in summary.text
        assert "menunggu Ir. Yusuf Hidayat" in summary.text
        assert len(summary.text) <= 4096

        assert photo.kind == "photo"
        assert photo.photo is not None and photo.photo.data.startswith(b"\x89PNG")
        assert photo.text.startswith("Median waktu kerja per langkah")
        # The chart is the fixture history's: the same figures, walked through the pure
        # engine, draw the very same picture (each bar a step's median working minutes).
        fixture_chart = await chart_of_the_fixture(photo.text)
        assert photo.photo.data == fixture_chart

        assert document.kind == "document"
        assert document.document is not None
        assert document.document.filename == "Laporan_Kepatuhan_SOP_TW3_2026_Disdik.docx"
        data = kadin.downloaded_document(document)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            media = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
        assert fixture_chart in media  # the same chart, embedded in the .docx
        docx = Document(io.BytesIO(data))
        form, annex = (t for t in docx.tables if len(t.columns) in (6, 9))
        body = [[c.text for c in row.cells] for row in form.rows][2:]
        verdicts = ["baik" if r[2] == "✓" else "tidak" if r[3] == "✓" else "-" for r in body]
        assert verdicts == ["baik"] * 6 + ["tidak"] + ["baik"] * 4
        assert "Ir. Yusuf Hidayat (2×, 50 menit)" in body[6][4]
        first = [c.text for c in annex.rows[1].cells]
        assert first[2:] == [
            "7",
            "10 menit",
            "2 jam 10 menit",
            "10 menit",
            "85,71%",
            "0",
            "Sri Wahyuni, S.E., M.M. (1×, 2 jam)",
        ]
        sign = [c.text for c in annex.rows[9].cells]
        assert sign[2] == "6" and sign[8] == "Dr. H. Ahmad Santoso, M.Pd. (1×, 15 menit)"

        # The documents of the stand-in period tell the act: the Plh Kadin disposed and
        # signed LKT-2026-TW2 under "Plh." and her own name; the Kadin signed LKT-2025-TW1.
        sek = st.user("sekretaris")
        sheets = {
            m.document.filename: docx_text(sek.downloaded_document(m))
            for m in sek.transcript
            if m.document is not None and (m.document.filename or "").startswith("Lembar_")
        }
        plh = st.config.officer("sekretaris")
        disposed = sheets["Lembar_Disposisi_TW2_2026_Disdik.docx"]
        assert f"Plh. Kepala Dinas Pendidikan,\nParaf: SW\n{plh.name}" in disposed
        signed = sheets["Lembar_Pengesahan_TW2_2026_Disdik.docx"]
        assert "Plh. KEPALA DINAS PENDIDIKAN" in signed and plh.nip_formatted in signed
        own = sheets["Lembar_Pengesahan_TW1_2025_Disdik.docx"]
        assert "Plh." not in own and st.config.officer("kadin").name in own

        # /status with a code: a finished case is its chart alone; a running one is
        # where it stands, then its chart.
        [finished] = await ask(st, kadin, "/status LKT-2026-S2")
        assert finished.kind == "photo" and finished.photo is not None
        assert finished.photo.data.startswith(b"\x89PNG")
        assert finished.text == says("chart.case_caption", case_code="LKT-2026-S2")
        running, chart = await ask(st, kadin, "/status LKT-2025-TW2")
        assert running.kind == "text" and "LKT-2025-TW2 · Langkah 5" in running.text
        assert chart.kind == "photo"
        [unknown] = await ask(st, kadin, "/status LKT-1999-TW1")
        assert unknown.text == says("case.not_found", case_code="LKT-1999-TW1")


async def test_only_admins_the_kadin_and_the_sekretaris_may_ask(tmp_path: Path) -> None:
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        async with stage(tmp_path, FakeClock(ASKED_AT), fake) as st:
            [refused] = await ask(st, st.user("staf_1"), "/kepatuhan")
            assert refused.text == says("compliance.not_allowed")
            [unknown] = await ask(st, st.user("sekretaris"), "/kepatuhan kemarin")
            assert unknown.text == says("compliance.bad_period", text="kemarin")
            [empty, document] = await ask(st, st.user("sekretaris"), "/kepatuhan 2026")  # no case
            assert empty.text.endswith(says("compliance.none", period="Tahun 2026"))
            assert document.kind == "document"
    finally:
        fake.stop()


async def test_the_cli_writes_the_same_report_from_the_database(tmp_path: Path) -> None:
    """`python -m bot kepatuhan 2026-TW3` on the office's data: the .docx and the chart."""
    async with office_with_history(tmp_path):
        pass  # the bot stopped: its database holds the history
    out = tmp_path / "laporan"
    command = [sys.executable, "-m", "bot", "kepatuhan", "2026-TW3", "--config",
               str(tmp_path / "config.toml"), "--out", str(out)]  # fmt: skip
    done = await asyncio.to_thread(
        subprocess.run, command, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "SOP Pelaporan Kinerja: 7 proses, 75 kali langkah dijalankan" in done.stdout
    report = out / "Laporan_Kepatuhan_SOP_TW3_2026_Disdik.docx"
    assert report.is_file() and (out / f"{report.stem}_grafik_1.png").is_file()
    form = next(t for t in Document(str(report)).tables if len(t.columns) == 6)
    assert [c.text for c in form.rows[8].cells][3] == "✓"  # step 7: not working well
