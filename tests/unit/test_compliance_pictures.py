"""The timeline chart and the compliance .docx, drawn from the fixture history."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import UTC, datetime

from docx import Document
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from bot.core.compliance import AuditPeriod, compliance_report
from bot.core.people import Directory
from bot.core.performance import case_performance
from bot.documents.compliance import ComplianceDocument, render_compliance
from bot.documents.model import Letterhead
from bot.documents.timeline import (
    OVERDUE_COLOUR,
    USED_COLOUR,
    USED_GID,
    case_timeline,
    compliance_timeline,
    draw_timeline,
    render_timeline,
)
from bot.views.i18n import Catalogue
from tests.support.compliance_history import CALENDAR, ZONE, fixture_trails

CATALOGUE = Catalogue.load()
PER_DAY = CALENDAR.working_minutes_per_day


def used_bars(figure: object) -> list[Rectangle]:
    [ax] = figure.axes  # type: ignore[attr-defined]
    bars = [p for p in ax.patches if str(p.get_gid() or "").startswith(USED_GID + ":")]
    return sorted(bars, key=lambda p: int(p.get_gid().split(":")[1]))


async def test_each_bar_is_the_working_minutes_of_its_round_and_overdue_bars_are_red() -> None:
    trails = await fixture_trails()
    case = trails[4]  # LKT-2026-S2: kabid_3 approves step 7 after 100 minutes
    performance = case_performance(case.trail, case.sop, CALENDAR)
    timeline = case_timeline("LKT-2026-S2", performance, CATALOGUE, "id", PER_DAY)
    bars = used_bars(draw_timeline(timeline))

    assert [round(bar.get_width()) for bar in bars] == [10] * 6 + [100] + [10] * 4
    red = [i for i, bar in enumerate(bars) if bar.get_facecolor() == to_rgba(OVERDUE_COLOUR)]
    green = [i for i, bar in enumerate(bars) if bar.get_facecolor() == to_rgba(USED_COLOUR)]
    assert red == [6] and len(green) == 10


async def test_a_return_and_a_weekend_show_on_the_case_chart() -> None:
    trails = await fixture_trails()
    returned = trails[3]  # LKT-2026-S1: returned at step 5 and at step 7
    timeline = case_timeline(
        "S1", case_performance(returned.trail, returned.sop, CALENDAR), CATALOGUE, "id", PER_DAY
    )
    assert [bar.returns for bar in timeline.bars].count(1) == 2
    assert len(used_bars(draw_timeline(timeline))) == 16  # 11 steps, 5 of them again
    weekend = trails[2]  # LKT-2026-TW3: step 2 from Friday 15.10 to Monday 08.40
    bars = used_bars(
        draw_timeline(
            case_timeline(
                "TW3",
                case_performance(weekend.trail, weekend.sop, CALENDAR),
                CATALOGUE,
                "id",
                PER_DAY,
            )
        )
    )
    assert round(bars[1].get_width()) == 150
    assert bars[1].get_facecolor() == to_rgba(OVERDUE_COLOUR)


async def test_the_period_chart_shows_each_steps_median() -> None:
    report = compliance_report(await fixture_trails(), AuditPeriod(2026, 3), CALENDAR, ZONE)
    [sop] = report.sops
    timeline = compliance_timeline("TW3", sop, CATALOGUE, "id", PER_DAY)
    bars = used_bars(draw_timeline(timeline))
    assert [bar.get_width() for bar in bars] == [10.0] * 11
    assert [b.longest for b in timeline.bars][:3] == [130, 150, 10]
    assert render_timeline(timeline).startswith(b"\x89PNG")


def _directory() -> Directory:
    return Directory(())


async def test_the_docx_holds_the_monitoring_form_the_chart_and_the_annex() -> None:
    report = compliance_report(await fixture_trails(), AuditPeriod(2026, 3), CALENDAR, ZONE)
    [sop] = report.sops
    chart = render_timeline(compliance_timeline("TW3", sop, CATALOGUE, "id", PER_DAY))
    document = ComplianceDocument(
        report=report,
        period_label="Triwulan III Tahun 2026",
        threshold=80,
        letterhead=Letterhead(
            region="Kabupaten Contoh", agency="Dinas Contoh", address="Jl. A", city="Contoh"
        ),
        people=_directory(),
        minutes_per_day=PER_DAY,
        charts={sop.sop_key: chart},
        chart_captions={sop.sop_key: "Median waktu kerja per langkah"},
        generated_at=datetime(2026, 10, 1, 1, 0, tzinfo=UTC),
        tz=ZONE,
    )
    data = render_compliance(document)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert any(name.startswith("word/media/") for name in archive.namelist())
    docx = Document(io.BytesIO(data))
    form, annex = (t for t in docx.tables if len(t.columns) in (6, 9))
    rows = [[cell.text for cell in row.cells] for row in form.rows]
    assert rows[0][:3] == ["No", "Prosedur", "Penilaian terhadap penerapan"]
    assert rows[1][2:4] == ["Berjalan dengan baik", "Tidak berjalan dengan baik"]
    body = rows[2:]
    assert len(body) == 11
    verdicts = ["baik" if r[2] == "✓" else "tidak" if r[3] == "✓" else "-" for r in body]
    # 6/7 disposisi (85,7 %) good; 6/7 kumpul_bahan good; 5/7 periksa_kabid (71,4 %)
    # not; 5/6 tanda_tangan (83,3 %) good.
    assert verdicts == ["baik"] * 6 + ["tidak"] + ["baik"] * 4
    assert body[6][4].startswith(
        "Dijalankan 7 kali; 5 kali (71,43%) dalam standar waktu 60 menit; median 10 menit, "
        "terlama 1 jam 40 menit. Dikembalikan 1 kali ke langkah 5."
    )
    assert "kabid_3 (2×, 50 menit)" in body[6][4]
    assert body[6][5].startswith("Telaah penyebab keterlambatan bersama kabid_3")
    annex_rows = [[cell.text for cell in row.cells] for row in annex.rows][1:]
    assert annex_rows[0] == [
        "1",
        sop.steps[0].title,
        "7",
        "10 menit",
        "2 jam 10 menit",
        "10 menit",
        "85,71%",
        "0",
        "sekretaris (1×, 2 jam)",  # the Plh Kadin held the late disposition
    ]
    assert annex_rows[8][2] == "6" and annex_rows[8][8] == "kadin (1×, 15 menit)"
    assert annex_rows[4][2:8] == ["8", "10 menit", "4 jam", "1 hari", "100,00%", "1"]


def test_the_bot_starts_without_importing_matplotlib() -> None:
    """The chart's library is loaded when a chart is drawn, not when the bot starts."""
    probe = (
        "import sys, bot.app, bot.cli, handlers.compliance, handlers.queries; "
        "sys.exit('matplotlib' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0
