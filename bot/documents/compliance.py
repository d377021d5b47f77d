"""The SOP compliance report as a .docx: the monitoring form per SOP, its chart, the annex.

PermenPAN-RB 35/2012 asks the agency to monitor each SOP with a form whose columns are
No, Prosedur, Penilaian terhadap penerapan ("berjalan dengan baik" / "tidak berjalan
dengan baik"), Catatan hasil penilaian and Tindakan yang harus diambil. Each step of
the SOP is a procedure row; the judgement is the share of its runs within the time
standard against the agency's threshold (`[documents] ambang_kepatuhan`), the note
gives the figures it rests on, and the action names whom the late runs waited on. The
annex table has every figure; the chart (`bot.documents.timeline`) sits under the form.

The document is in Indonesian whatever the reader's language, as the inspectorate files
it; the template is `templates/laporan_kepatuhan.docx` (or the agency's own copy in its
`[documents] templates` folder).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from bot.core.compliance import ComplianceReport, SopFigures, StepFigures
from bot.core.people import Directory
from bot.documents.model import Letterhead
from bot.documents.render import (
    TEMPLATE_DIR,
    clean_text,
    document_filename,
    kop_context,
    render_template,
)
from bot.views.fmt import format_date, format_minutes, format_percent, format_time

__all__ = ["COMPLIANCE_TEMPLATE", "ComplianceDocument", "compliance_filename", "render_compliance"]

COMPLIANCE_TEMPLATE: Final = "laporan_kepatuhan.docx"
CHART_WIDTH_MM: Final = 160
_TICK: Final = "✓"
_DASH: Final = "-"


@dataclass(frozen=True, slots=True)
class ComplianceDocument:
    report: ComplianceReport
    period_label: str  # "Triwulan III Tahun 2026"
    threshold: int  # percent of runs within the standard for "berjalan dengan baik"
    letterhead: Letterhead
    people: Directory
    minutes_per_day: int
    charts: Mapping[str, bytes]  # SOP key -> the timeline chart (PNG)
    chart_captions: Mapping[str, str]
    generated_at: datetime
    tz: ZoneInfo


def compliance_filename(doc: ComplianceDocument, agency_short: str) -> str:
    """ "Laporan_Kepatuhan_SOP_TW3_2026_Dinkes.docx" ("..._SOP_2026_..." for a year)."""
    period = doc.report.period
    quarter = "" if period.quarter is None else f"TW{period.quarter}"
    return document_filename("Laporan_Kepatuhan_SOP", quarter, period.year, agency_short)


def _duration(doc: ComplianceDocument, minutes: float | None) -> str:
    return _DASH if minutes is None else format_minutes(round(minutes), doc.minutes_per_day)


def _share(step: StepFigures) -> str:
    share = step.share_within
    return _DASH if share is None else format_percent(float(share * 100))


def _waits(doc: ComplianceDocument, step: StepFigures) -> str:
    return "; ".join(
        f"{doc.people.name(w.officer)} ({w.rounds}×, {_duration(doc, w.late_minutes)})"
        for w in step.waits_on
    )


def _returns(doc: ComplianceDocument, sop: SopFigures, step: StepFigures) -> str:
    numbers = {s.step_key: s.number for s in sop.steps}
    return ", ".join(
        f"{count} kali ke langkah {numbers.get(target, target)}"
        for target, count in step.returns_to
    )


def _note(doc: ComplianceDocument, sop: SopFigures, step: StepFigures) -> str:
    if not step.runs:
        return "Tidak dijalankan pada periode ini."
    parts = [
        f"Dijalankan {step.runs} kali; {step.within} kali ({_share(step)}) dalam standar "
        f"waktu {step.standard}; median {_duration(doc, step.median_minutes)}, terlama "
        f"{_duration(doc, step.max_minutes)}."
    ]
    if step.returns:
        parts.append(f"Dikembalikan {_returns(doc, sop, step)}.")
    if step.waits_on:
        parts.append(f"Melewati standar saat menunggu {_waits(doc, step)}.")
    return " ".join(parts)


def _action(doc: ComplianceDocument, step: StepFigures, good: bool | None) -> str:
    if good is None:
        return _DASH
    if good:
        return "Pertahankan penerapan."
    names = "; ".join(doc.people.name(w.officer) for w in step.waits_on)
    who = f" bersama {names}" if names else ""
    return (
        f"Telaah penyebab keterlambatan{who}; bila beban kerjanya memang lebih lama, "
        "usulkan penyesuaian standar waktu dalam SOP."
    )


def _sop_context(doc: ComplianceDocument, sop: SopFigures, tpl: DocxTemplate) -> dict[str, Any]:
    rows, annex = [], []
    for no, step in enumerate(sop.steps, start=1):
        good = step.judged_good(doc.threshold)
        title = clean_text(step.title)
        rows.append(
            {
                "no": str(no),
                "prosedur": title,
                "baik": _TICK if good is True else "",
                "tidak_baik": _TICK if good is False else "",
                "catatan": _note(doc, sop, step),
                "tindakan": _action(doc, step, good),
            }
        )
        annex.append(
            {
                "no": str(step.number),
                "langkah": title,
                "runs": str(step.runs),
                "median": _duration(doc, step.median_minutes),
                "longest": _duration(doc, step.max_minutes),
                "standard": step.standard,
                "share": _share(step),
                "returns": str(step.returns),
                "waits": _waits(doc, step) or _DASH,
            }
        )
    chart = doc.charts.get(sop.sop_key)
    return {
        "heading": f"{clean_text(sop.title)} ({sop.cases} proses)",
        "rows": rows,
        "annex": annex,
        "chart": (InlineImage(tpl, io.BytesIO(chart), width=Mm(CHART_WIDTH_MM)) if chart else ""),
        "chart_caption": doc.chart_captions.get(sop.sop_key, "") if chart else "",
    }


def compliance_context(doc: ComplianceDocument, tpl: DocxTemplate) -> dict[str, Any]:
    period = doc.report.period
    introduction = (
        f"Laporan ini menilai penerapan SOP pada {doc.period_label} "
        f"({format_date(period.first_day, doc.tz)} sampai dengan "
        f"{format_date(period.last_day, doc.tz)}) menurut Peraturan Menteri PANRB Nomor 35 "
        "Tahun 2012. Setiap langkah yang selesai dalam periode ini dihitung dari jejak audit "
        "aplikasi dalam waktu kerja (jam kerja, tanpa hari libur dan cuti bersama). Suatu "
        f"langkah dinilai berjalan dengan baik bila sekurang-kurangnya {doc.threshold}% "
        "pelaksanaannya selesai dalam standar waktu."
    )
    if not doc.report.sops:
        introduction += " Tidak ada langkah SOP yang selesai pada periode ini."
    when = doc.generated_at
    return {
        **kop_context(tpl, doc.letterhead, 22),
        "period_label_upper": doc.period_label.upper(),
        "introduction": introduction,
        "annex_note": (
            "Median dan terlama: waktu kerja yang terpakai. Dalam standar: bagian pelaksanaan "
            "yang selesai sebelum batas waktunya. Menunggu: pejabat atau pegawai yang "
            "tindakannya menutup pelaksanaan yang melewati standar, dengan jumlah dan waktu "
            "kerja lewat standar."
        ),
        "sops": [_sop_context(doc, sop, tpl) for sop in doc.report.sops],
        "generated": (
            f"Disusun otomatis dari jejak audit pada {format_date(when, doc.tz)} pukul "
            f"{format_time(when, doc.tz)}."
        ),
    }


def render_compliance(doc: ComplianceDocument, template_dir: Path | None = None) -> bytes:
    """The .docx; the agency's own template when its templates folder has one."""
    path = (template_dir or TEMPLATE_DIR) / COMPLIANCE_TEMPLATE
    if not path.is_file():
        path = TEMPLATE_DIR / COMPLIANCE_TEMPLATE
    return render_template(path, lambda tpl: compliance_context(doc, tpl))
