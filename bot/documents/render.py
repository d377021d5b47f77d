"""Filling the .docx templates, assembling the final report, naming the files.

Every render follows the same recipe (PITFALLS.md, docxtpl): a fresh `DocxTemplate` per
document, `StrictUndefined` so a variable an agency's restyled template misspells fails
loudly instead of printing nothing, and `autoescape=True` so an "&" or "<" in a letter's
subject cannot corrupt document.xml. All formatting (Indonesian dates, separators,
Rupiah, Roman numerals) happens here in Python through `bot.views.fmt`; the templates only
place finished strings, so restyling in Word never touches a number format.

Rendering is CPU-bound (about 60 ms for a 50-indicator report): call it from handlers
through `asyncio.to_thread` so the bot keeps answering meanwhile.
"""

from __future__ import annotations

import copy
import enum
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import segno
from babel.dates import get_month_names
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.section import _Footer
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage, RichText
from jinja2 import Environment, StrictUndefined, TemplateError

from bot.documents.capaian import (
    budget_totals,
    evaluate_budget,
    evaluate_indicator,
    summarize,
)
from bot.documents.kop import (
    AGENCY_MIN_PT,
    AGENCY_PT,
    KOP_FONT,
    REGION_MIN_PT,
    REGION_PT,
    FittedLines,
    fit_lines,
)
from bot.documents.model import (
    ApprovalSheet,
    DispositionSheet,
    Letterhead,
    PerformanceReport,
    PeriodKind,
    ReportPeriod,
    Signatory,
    Urgency,
)
from bot.documents.rules import CapaianRules, TargetZeroRule
from bot.views.fmt import (
    format_date,
    format_day_date,
    format_number,
    format_percent,
    format_rupiah,
    format_time,
)

__all__ = [
    "TEMPLATE_DIR",
    "TEMPLATE_FILES",
    "DocumentError",
    "DocumentKind",
    "DraftFormat",
    "FinalReport",
    "approval_context",
    "build_final_report",
    "capaian_note",
    "detect_draft_format",
    "disposition_context",
    "document_filename",
    "initials",
    "render_approval",
    "render_disposition",
    "render_report",
    "report_context",
    "template_path",
]

log = logging.getLogger(__name__)

TEMPLATE_DIR: Final = Path(__file__).resolve().parents[2] / "templates"

# A `date` has no zone; fmt still asks for one (it converts datetimes). Any will do.
_NO_ZONE: Final = ZoneInfo("UTC")
_PLACEHOLDER: Final = "(Bagian ini belum diisi oleh Tim SAKIP.)"
_DASH: Final = "-"
_MAX_DRAFT_UNCOMPRESSED: Final = 300 * 1024 * 1024


class DocumentError(Exception):
    """A template could not be rendered (a restyled template with a broken tag, say)."""


class DocumentKind(enum.StrEnum):
    """What a file is; the value starts its file name."""

    LAPORAN_KINERJA = "Laporan_Kinerja"
    LEMBAR_PENGESAHAN = "Lembar_Pengesahan"
    LEMBAR_DISPOSISI = "Lembar_Disposisi"
    DATA_CAPAIAN = "Data_Capaian"


TEMPLATE_FILES: Final = {
    DocumentKind.LAPORAN_KINERJA: "laporan_kinerja.docx",
    DocumentKind.LEMBAR_PENGESAHAN: "lembar_pengesahan.docx",
    DocumentKind.LEMBAR_DISPOSISI: "lembar_disposisi.docx",
}


def template_path(kind: DocumentKind, template_dir: Path | None = None) -> Path:
    return (template_dir or TEMPLATE_DIR) / TEMPLATE_FILES[kind]


# --- file names ----------------------------------------------------------------------------


def _name_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")


def document_filename(
    kind: DocumentKind | str,
    period_key: str,
    year: int,
    agency_short: str,
    suffix: str = "",
    ext: str = "docx",
) -> str:
    """ "Laporan_Kinerja_TW2_2026_Dinkes_final.pdf": what the file is, readable in any
    chat or folder listing, and safe on every file system (ASCII, no spaces)."""
    parts = [
        _name_part(str(kind)),
        _name_part(period_key),
        str(year),
        _name_part(agency_short),
        _name_part(suffix),
    ]
    extension = re.sub(r"[^a-z0-9]", "", ext.lower())
    stem = "_".join(p for p in parts if p)
    return f"{stem}.{extension}" if extension else stem


# --- text helpers --------------------------------------------------------------------------

# Characters XML 1.0 forbids (lxml refuses them; docxtpl would produce a corrupt file),
# plus \a and \f, which docxtpl would turn into paragraphs and page breaks.
_ILLEGAL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def _prose(text: str, placeholder: str = _PLACEHOLDER) -> str:
    """Paragraphs separated by blank lines become real Word paragraphs (docxtpl's "\\a")."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", clean_text(text)) if p.strip()]
    return "\a".join(paragraphs) if paragraphs else placeholder


_NAME_PREFIXES: Final = frozenset(
    {"h", "hj", "dr", "drs", "dra", "ir", "prof", "apt", "ns", "ners", "drg", "kh"}
)


def initials(name: str) -> str:
    """ "dr. Hj. Ratna Wulandari, M.Kes." -> "RW": the paraf printed on a disposition.

    Academic degrees follow the first comma, honorifics end in a dot (or are the usual
    undotted ones); neither is part of a person's initials.
    """
    core = name.split(",")[0]
    words = [
        w
        for w in core.split()
        if not w.endswith(".") and w.strip(".").lower() not in _NAME_PREFIXES
    ]
    letters = "".join(w[0].upper() for w in words if w[0].isalpha())
    return letters or clean_text(name)[:2].upper()


def _number(value: Decimal | None) -> str:
    """As many decimals as the data has (up to four): targets are "90", "47,5", "0,125"."""
    if value is None:
        return _DASH
    exponent = value.normalize().as_tuple().exponent
    digits = min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0
    return format_number(value, digits=digits)


def _percent_cell(value: Decimal | None) -> str:
    return _DASH if value is None else format_number(value, digits=2)


def _when(at: datetime, tz: ZoneInfo, *, day: bool = False) -> str:
    """ "8 Juli 2026, 09.05 WIB" (or with the weekday for the signature itself)."""
    shown = format_day_date(at, tz) if day else format_date(at, tz)
    return f"{shown}, {format_time(at, tz)}"


def _signatory(s: Signatory) -> dict[str, str]:
    return {
        "name": clean_text(s.name),
        "pangkat": clean_text(s.pangkat),
        "nip": clean_text(s.nip),
        "jabatan": clean_text(s.title),
    }


def _title_upper(s: Signatory) -> str:
    """The position in capitals as signed; a stand-in's "Plh."/"Plt." stays as written."""
    upper = clean_text(s.jabatan).upper()
    return f"{s.acting} {upper}" if s.acting else upper


def _logo(tpl: DocxTemplate, path: Path | None, height_mm: int) -> InlineImage | str:
    """The coat of arms, or "" when none is configured or the file has gone missing.

    A missing logo must not stop a report the Kadin is waiting for; it is logged.
    """
    if path is None:
        return ""
    if not path.is_file():
        log.warning("logo %s not found; rendering without it", path)
        return ""
    return InlineImage(tpl, str(path), height=Mm(height_mm))


def _fitted(fitted: FittedLines) -> RichText:
    """Lines at the size `kop.fit_lines` chose, in the font its widths are of."""
    rt = RichText()
    rt.add("\n".join(fitted.lines), bold=True, size=int(fitted.size_pt * 2), font=KOP_FONT)
    return rt


def _joined(parts: list[tuple[str, str]]) -> str:
    return ", ".join(f"{label} {value}".strip() for label, value in parts if value)


def kop_context(tpl: DocxTemplate, letterhead: Letterhead, logo_mm: int) -> dict[str, Any]:
    """The kop's lines as Permendagri 1/2023 orders them; the region and the agency's
    name fitted to the kop's width (see `bot.documents.kop`)."""
    region = clean_text(letterhead.region)
    full_region = region if region.lower().startswith("pemerintah") else f"Pemerintah {region}"
    agency = clean_text(letterhead.agency).upper()
    lines = tuple(clean_text(line).upper() for line in letterhead.name_lines if clean_text(line))
    return {
        "logo": _logo(tpl, letterhead.logo, logo_mm),
        "kop_region": full_region.upper(),
        "kop_region_line": _fitted(fit_lines(full_region.upper(), REGION_PT, REGION_MIN_PT)),
        "kop_agency": agency,
        "kop_agency_lines": _fitted(fit_lines(agency, AGENCY_PT, AGENCY_MIN_PT, lines)),
        "kop_address": _joined(
            [
                ("", clean_text(letterhead.address)),
                ("Telepon", clean_text(letterhead.telephone)),
                ("Faksimile", clean_text(letterhead.fax)),
            ]
        ),
        "kop_contact": _joined(
            [("Laman", clean_text(letterhead.website)), ("Pos-el", clean_text(letterhead.email))]
        ),
        "region": region,
        "agency": clean_text(letterhead.agency),
        "city": clean_text(letterhead.city),
    }


_PERIOD_MONTHS: Final = {PeriodKind.TRIWULAN: 3, PeriodKind.SEMESTER: 6}


def _months(period: ReportPeriod) -> tuple[str, str]:
    size = _PERIOD_MONTHS[period.kind]
    last = period.number * size
    names = get_month_names("wide", locale="id")
    return str(names[last - size + 1]), str(names[last])


def _next_period(period: ReportPeriod) -> ReportPeriod:
    count = 12 // _PERIOD_MONTHS[period.kind]
    if period.number < count:
        return ReportPeriod.of(period.kind, period.number + 1, period.year)
    return ReportPeriod.of(period.kind, 1, period.year + 1)


# --- contexts ------------------------------------------------------------------------------


def disposition_context(sheet: DispositionSheet, tpl: DocxTemplate) -> dict[str, Any]:
    letter, disp, tz = sheet.letter, sheet.disposition, sheet.tz
    boxes = [
        ("☑" if letter.urgency == u else "☐") + " " + u.value
        for u in (Urgency.SANGAT_SEGERA, Urgency.SEGERA, Urgency.RAHASIA)
    ]
    to = [clean_text(t) for t in disp.to if clean_text(t)]
    return {
        **kop_context(tpl, sheet.letterhead, 22),
        "letter": {
            "sender": clean_text(letter.sender),
            "number": clean_text(letter.number),
            "date": format_date(letter.date, tz) if letter.date else _DASH,
            "date_received": (
                format_date(letter.date_received, tz) if letter.date_received else _DASH
            ),
            "agenda_number": clean_text(letter.agenda_number),
            "subject": clean_text(letter.subject),
        },
        "urgency_boxes": "\n".join(boxes),
        "disposition_to": to or [_DASH],
        "instruction": _prose(disp.instruction, _DASH),
        "note": _prose(disp.note, _DASH),
        "due": format_date(disp.due, tz) if disp.due else _DASH,
        "disposition_date": format_date(disp.at, tz),
        "disposition_time": format_time(disp.at, tz),
        "by": _signatory(disp.by),
        "by_initials": initials(disp.by.name),
    }


def capaian_note(rules: CapaianRules) -> str:
    """The note under Tabel 3.1: how each figure was computed under this agency's rules,
    so a reader checking the table (an Inspektorat auditor) needs no other document."""
    parts = [
        "Indikator bertanda (↓) semakin rendah realisasinya semakin baik; capaiannya "
        "dihitung (target − (realisasi − target)) / target × 100."
    ]
    if rules.target_zero is TargetZeroRule.BINER:
        parts.append(
            "Indikator bertanda (↓) dengan target 0 dinilai tercapai atau tidak: realisasi 0 "
            "berarti capaian 100%, realisasi di atas 0 berarti capaian 0%; indikator lain "
            "dengan target 0 tidak dapat diukur capaiannya."
        )
    else:
        parts.append("Indikator dengan target 0 tidak dapat diukur capaiannya.")
    if rules.average_cap is None:
        parts.append("Capaian di atas 100% ditampilkan dan dirata-ratakan sebagaimana dihitung.")
    else:
        parts.append(
            "Capaian di atas 100% ditampilkan sebagaimana dihitung; dalam rata-rata, capaian "
            f"setiap indikator dihitung paling tinggi {_number(rules.average_cap)}%."
        )
    return " ".join(parts)


def report_context(report: PerformanceReport, tpl: DocxTemplate) -> dict[str, Any]:
    period, rules = report.period, report.rules
    kop = kop_context(tpl, report.letterhead, 40)
    label, year = clean_text(period.label), str(period.year)
    results = [evaluate_indicator(row, rules) for row in report.indicators]
    summary = summarize(results, rules)

    plan_rows: list[dict[str, str]] = []
    capaian_rows: list[dict[str, str]] = []
    previous: str | None = None
    for no, result in enumerate(results, start=1):
        row = result.row
        sasaran = clean_text(row.sasaran_strategis)
        shown_sasaran = "" if sasaran == previous else sasaran  # grouped, like merged cells
        previous = sasaran
        indikator = clean_text(row.indikator) + ("" if row.higher_is_better else " (↓)")
        notes = [n for n in (clean_text(row.keterangan), result.capaian.reason or "") if n]
        plan_rows.append(
            {
                "no": str(no),
                "sasaran": shown_sasaran,
                "indikator": indikator,
                "satuan": clean_text(row.satuan),
                "target_tahunan": _number(row.target_tahunan),
            }
        )
        capaian_rows.append(
            {
                "sasaran": shown_sasaran,
                "indikator": indikator,
                "satuan": clean_text(row.satuan),
                "target_tahunan": _number(row.target_tahunan),
                "target_triwulan": _number(row.target_triwulan),
                "realisasi": _number(row.realisasi),
                "capaian": _percent_cell(result.capaian.value),
                "predikat": result.predikat or _DASH,
                "keterangan": "; ".join(notes),
            }
        )

    agency = kop["agency"]
    if summary.count == 0:
        capaian_summary = "Belum ada data indikator kinerja untuk periode ini."
    elif summary.average is None:
        capaian_summary = (
            f"Dari {summary.count} indikator kinerja {agency}, belum ada yang dapat diukur "
            f"capaiannya pada {label} Tahun {year}; alasannya tercantum pada kolom Keterangan."
        )
    else:
        capaian_summary = (
            f"Dari {summary.count} indikator kinerja {agency}, {summary.measured} indikator "
            f"dapat diukur capaiannya pada {label} Tahun {year} dengan rata-rata capaian "
            f"{format_percent(summary.average)} (predikat {summary.predikat})."
        )
        if summary.unmeasured:
            capaian_summary += (
                f" Sebanyak {summary.unmeasured} indikator belum dapat diukur; alasannya "
                "tercantum pada kolom Keterangan."
            )

    budget = [evaluate_budget(row) for row in report.budget]
    totals = budget_totals(report.budget)
    if budget:
        persen = format_percent(totals.persen) if totals.persen is not None else _DASH
        budget_summary = (
            f"Pagu anggaran {agency} Tahun {year} sebesar {format_rupiah(totals.pagu)} dengan "
            f"realisasi sampai dengan {label} sebesar {format_rupiah(totals.realisasi)} "
            f"({persen}), sehingga sisa anggaran {format_rupiah(totals.sisa)}."
        )
    else:
        budget_summary = "Belum ada data realisasi anggaran untuk periode ini."

    first_month, last_month = _months(period)
    narrative = report.narrative
    return {
        **kop,
        "period_label": label,
        "period_title": clean_text(period.title),
        "period_months": f"{first_month} – {last_month} {year}",
        "period_months_lower": f"periode {first_month} sampai dengan {last_month} {year}",
        "next_period_label": _next_period(period).label,
        "year": year,
        "kadin": _signatory(report.kadin),
        "kadin_jabatan_upper": _title_upper(report.kadin),
        "foreword_date": format_date(report.date, _NO_ZONE),
        "latar_belakang": _prose(narrative.latar_belakang),
        "isu_strategis": _prose(narrative.isu_strategis),
        "perencanaan": _prose(narrative.perencanaan),
        "analisis": _prose(narrative.analisis, ""),
        "hambatan": _prose(narrative.hambatan),
        "upaya": _prose(narrative.upaya),
        "rencana": _prose(narrative.rencana),
        "penutup": _prose(narrative.penutup, ""),
        "plan_rows": plan_rows,
        "capaian_rows": capaian_rows,
        "capaian_summary": capaian_summary,
        "predikat_legend": rules.bands.describe(),
        "capaian_note": capaian_note(rules),
        "predikat_counts": [{"label": k, "count": str(v)} for k, v in summary.distribution],
        "unmeasured_count": str(summary.unmeasured),
        "budget_rows": [
            {
                "program": clean_text(b.row.program_kegiatan),
                "pagu": format_rupiah(b.row.pagu),
                "realisasi": format_rupiah(b.row.realisasi),
                "persen": _percent_cell(b.persen),
                "sisa": format_rupiah(b.sisa),
            }
            for b in budget
        ],
        "budget_total": {
            "pagu": format_rupiah(totals.pagu),
            "realisasi": format_rupiah(totals.realisasi),
            "persen": _percent_cell(totals.persen),
            "sisa": format_rupiah(totals.sisa),
        },
        "budget_summary": budget_summary,
    }


def _paraf_mark(name: str, step: str) -> RichText:
    """The Paraf cell: the officer's initials where the pen would go, and what was
    initialled (the step's short name) small beneath."""
    rt = RichText()
    rt.add(initials(name), bold=True, size=22)
    rt.add("\n" + step, size=15)
    return rt


def approval_context(sheet: ApprovalSheet, tpl: DocxTemplate) -> dict[str, Any]:
    tz = sheet.tz
    title = clean_text(sheet.document_title)
    paraf = [
        {
            "no": str(p.order),
            "jabatan": clean_text(p.jabatan),
            "name": clean_text(p.name),
            "nip": f"NIP {clean_text(p.nip)}" if clean_text(p.nip) else "",
            "mark": _paraf_mark(clean_text(p.name), clean_text(p.step_title)),
            "when": _when(p.at, tz),
        }
        for p in sorted(sheet.paraf, key=lambda p: (p.order, p.at))
    ]
    signed_when = _when(sheet.signed_at, tz, day=True)
    return {
        **kop_context(tpl, sheet.letterhead, 22),
        "document_title": title,
        "document_title_upper": title.upper(),
        "case_code": clean_text(sheet.case_code),
        "period_label": clean_text(sheet.period.label),
        "year": str(sheet.period.year),
        "draft_label": _DASH if sheet.draft_version is None else f"versi {sheet.draft_version}",
        "draft_sha256": clean_text(sheet.draft_sha256).lower(),
        # the last row shares an unsplittable row with the signature block
        "paraf_rest": paraf[:-1],
        "paraf_last": paraf[-1] if paraf else None,
        "kadin": _signatory(sheet.kadin),
        "kadin_jabatan_upper": _title_upper(sheet.kadin),
        "signed_date": format_date(sheet.signed_at, tz),
        "signed_when": signed_when,
        "approval_wording": sheet.approval_wording.replace("{waktu}", signed_when),
        "verification_code": clean_text(sheet.verification_code),
        "verification_qr": _qr(tpl, sheet.verification_link),
    }


_QR_WIDTH_MM: Final = 24  # a phone reads it from 30 cm; small beside a 15 cm text block


def _qr(tpl: DocxTemplate, link: str | None) -> InlineImage | str:
    """The deep link as a QR image (segno; medium error correction survives a smudge)."""
    if link is None:
        return ""
    png = io.BytesIO()
    segno.make_qr(link, error="m").save(png, kind="png", scale=8, border=4)
    png.seek(0)
    return InlineImage(tpl, png, width=Mm(_QR_WIDTH_MM))


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cached:
    stamp: tuple[int, int]
    data: bytes


_template_cache: dict[Path, _Cached] = {}


def _template(path: Path) -> DocxTemplate:
    """A fresh DocxTemplate over the template's bytes, read from disk only when changed.

    Fresh per render (replacements never leak between documents); the bytes are cached
    by modification time and size, so an agency's restyled template is picked up
    without a restart.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise DocumentError(f"template {path} cannot be read: {exc}") from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _template_cache.get(path)
    if cached is None or cached.stamp != stamp:
        cached = _Cached(stamp, path.read_bytes())
        _template_cache[path] = cached
    return DocxTemplate(io.BytesIO(cached.data))


def render_template(path: Path, build: Callable[[DocxTemplate], Mapping[str, Any]]) -> bytes:
    tpl = _template(path)
    context = build(tpl)
    try:
        tpl.render(
            dict(context), jinja_env=Environment(undefined=StrictUndefined), autoescape=True
        )
    except TemplateError as exc:
        where = " / ".join(getattr(exc, "docx_context", None) or [])
        near = f" near: {where}" if where else ""
        raise DocumentError(f"template {path.name}: {type(exc).__name__}: {exc}{near}") from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def render_disposition(sheet: DispositionSheet, *, template: Path | None = None) -> bytes:
    path = template or template_path(DocumentKind.LEMBAR_DISPOSISI)
    return render_template(path, lambda tpl: disposition_context(sheet, tpl))


def render_report(report: PerformanceReport, *, template: Path | None = None) -> bytes:
    path = template or template_path(DocumentKind.LAPORAN_KINERJA)
    return render_template(path, lambda tpl: report_context(report, tpl))


def render_approval(sheet: ApprovalSheet, *, template: Path | None = None) -> bytes:
    path = template or template_path(DocumentKind.LEMBAR_PENGESAHAN)
    return render_template(path, lambda tpl: approval_context(sheet, tpl))


# --- the final report ----------------------------------------------------------------------


class DraftFormat(enum.StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    OTHER = "bin"  # .doc, .odt, ...: kept as uploaded, never rewritten


def detect_draft_format(data: bytes) -> DraftFormat:
    """By content, not by the uploader's file name (a renamed .doc stays a .doc)."""
    if data.startswith(b"%PDF-"):
        return DraftFormat.PDF
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DraftFormat.DOCX
        except (zipfile.BadZipFile, ValueError, EOFError):
            pass
    return DraftFormat.OTHER


@dataclass(frozen=True, slots=True)
class FinalReport:
    """What goes out after the signature.

    For a .docx draft, `report` is the draft with the approval sheet appended (one
    file, one print job) and `approval_sheet` is None. For a PDF (or any other) draft
    nothing is rewritten: `report` is the draft exactly as signed (its sha256 is in the
    verification code) and `approval_sheet` is the sheet as its own .docx.
    """

    report: bytes
    report_format: DraftFormat
    approval_sheet: bytes | None

    @property
    def sheet_appended(self) -> bool:
        return self.approval_sheet is None

    def files(
        self, period_key: str, year: int, agency_short: str, report_ext: str | None = None
    ) -> list[tuple[str, bytes]]:
        """(file name, bytes) pairs in the order they should be sent."""
        ext = report_ext or self.report_format.value
        out = [
            (
                document_filename(
                    DocumentKind.LAPORAN_KINERJA, period_key, year, agency_short, "final", ext
                ),
                self.report,
            )
        ]
        if self.approval_sheet is not None:
            out.append(
                (
                    document_filename(
                        DocumentKind.LEMBAR_PENGESAHAN, period_key, year, agency_short
                    ),
                    self.approval_sheet,
                )
            )
        return out


def _declared_size(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def build_final_report(draft: bytes, approval_sheet: bytes) -> FinalReport:
    """Appends the approval sheet (rendered .docx) to the signed draft when it is a .docx.

    The sheet starts a section of its own (see `_append_sheet`), so it keeps its page
    setup and its footer (the verification box) and takes the draft's styles (docxcompose
    keeps the master's). A .docx that cannot be composed
    (damaged, or absurdly large once inflated) is handled like a PDF rather than
    failing: the Kadin has signed, the report must go out.
    """
    fmt = detect_draft_format(draft)
    if fmt is not DraftFormat.DOCX:
        return FinalReport(draft, fmt, approval_sheet)
    try:
        if _declared_size(draft) > _MAX_DRAFT_UNCOMPRESSED:
            raise ValueError("draft too large once uncompressed")
        out = io.BytesIO()
        _append_sheet(draft, approval_sheet).save(out)
    except Exception:  # python-docx/docxcompose/lxml raise many types on odd files
        log.exception("could not append the approval sheet to the draft; sending it apart")
        return FinalReport(draft, DraftFormat.DOCX, approval_sheet)
    return FinalReport(out.getvalue(), DraftFormat.DOCX, None)


def _append_sheet(draft: bytes, approval_sheet: bytes) -> DocxDocument:
    """The draft, then the approval sheet in a section of its own.

    docxcompose copies a document's body only: the sheet's footer, where the QR
    verification box sits at the page foot, would be lost and the draft's footer
    (its page numbers, say) printed under the sheet instead. So the draft's last section
    is closed where the draft ends (its properties move into a last paragraph, which
    also starts the sheet on a new page), the document's final section takes the sheet's
    page setup, and its footer gets the sheet's footer with the QR picture re-linked.
    The draft's running header is not carried onto the sheet, which has its own kop.
    """
    from docx import Document
    from docxcompose.composer import Composer

    master, sheet = Document(io.BytesIO(draft)), Document(io.BytesIO(approval_sheet))
    body = master.element.body
    sheet_section = copy.deepcopy(sheet.sections[0]._sectPr)
    for reference in sheet_section.xpath("w:headerReference|w:footerReference"):
        sheet_section.remove(reference)
    # a draft without section properties has the defaults; the sheet's page is as good
    draft_section = body.sectPr if body.sectPr is not None else copy.deepcopy(sheet_section)
    master.add_paragraph()._p.get_or_add_pPr().append(draft_section)
    body.append(sheet_section)
    composer = Composer(master)
    composer.append(sheet)
    section = master.sections[-1]
    kinds = [(section.header, section.footer, sheet.sections[0].footer)]
    if master.settings.odd_and_even_pages_header_footer:
        kinds.append(
            (section.even_page_header, section.even_page_footer, sheet.sections[0].footer)
        )
    for header, footer, source in kinds:
        header.is_linked_to_previous = False  # an empty header of its own
        footer.is_linked_to_previous = False
        _copy_footer(source, footer)
    return composer.doc


def _copy_footer(source: _Footer, target: _Footer) -> None:
    """`source`'s content into `target` (another package), its pictures re-linked."""
    element = target._element
    for child in list(element):
        element.remove(child)
    for child in source._element:
        element.append(copy.deepcopy(child))
    source_part, target_part = source.part, target.part
    for blip in element.xpath(".//a:blip[@r:embed]"):
        image = source_part.related_parts[blip.get(qn("r:embed"))]
        new_rid, _ = target_part.get_or_add_image(io.BytesIO(image.blob))
        blip.set(qn("r:embed"), new_rid)
