"""The SOP compliance report (`/kepatuhan`, `python -m bot kepatuhan`) and a case's chart.

One read of every case's trail with the SOP it started with, the figures from
`bot.core.compliance`, then the pictures and the .docx, rendered off the event loop
(matplotlib and docxtpl are CPU-bound). Who may ask in chat is decided here (`may_ask`):
the admins, and the officers holding the roles that answer for the SOPs' keeping, the
Kepala Dinas and the Sekretaris (`bot.core.compliance.MAY_ASK_ROLES`, which the command
menu reads too, so only they see /kepatuhan). The CLI is run by whoever holds the
server, so it asks nobody.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Protocol

from bot.core.compliance import (
    MAY_ASK_ROLES,
    AuditPeriod,
    CaseTrail,
    ComplianceReport,
    compliance_report,
)
from bot.core.performance import case_performance
from bot.core.workflow import CaseState
from bot.documents import DocumentSettings
from bot.documents.compliance import (
    ComplianceDocument,
    compliance_filename,
    render_compliance,
)
from bot.documents.context import letterhead
from bot.documents.timeline import case_timeline, compliance_timeline, render_timeline
from bot.services.office import Office
from bot.views.compliance import ComplianceViews, period_label

__all__ = [
    "Chart",
    "ComplianceAnswer",
    "ComplianceOffice",
    "build_compliance",
    "case_chart",
    "may_ask",
]

DOCUMENT_LANGUAGE: Final = "id"  # the inspectorate files the report in Indonesian


class ComplianceOffice(Office, Protocol):
    document_settings: DocumentSettings | None  # [documents]: the threshold, the templates


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    caption: str  # plain text


@dataclass(frozen=True, slots=True)
class ComplianceAnswer:
    report: ComplianceReport
    summary: str  # HTML, within one message
    filename: str
    document: bytes
    charts: tuple[Chart, ...]  # one per SOP in the report


def may_ask(office: Office, officer: str) -> bool:
    """Admins, the Kepala Dinas and the Sekretaris (whoever holds those roles)."""
    if office.directory.is_admin(officer):
        return True
    holder = office.directory.get(officer)
    return holder is not None and holder.role in MAY_ASK_ROLES


def today(office: Office) -> date:
    return office.calendar.local_date(office.clock.now())


async def build_compliance(
    office: ComplianceOffice, period: AuditPeriod, lang: str
) -> ComplianceAnswer:
    """The report of `period` as the chat and the CLI deliver it."""
    trails = [
        CaseTrail(state.id, sop, trail) for state, sop, trail in await office.service.all_trails()
    ]
    settings = office.document_settings or DocumentSettings()
    report = compliance_report(trails, period, office.calendar, office.tz)
    return await asyncio.to_thread(_render, office, settings, report, lang, office.clock.now())


def _render(
    office: ComplianceOffice,
    settings: DocumentSettings,
    report: ComplianceReport,
    lang: str,
    now: datetime,
) -> ComplianceAnswer:
    catalogue = office.catalogue
    per_day = office.calendar.working_minutes_per_day

    def charts_in(language: str) -> dict[str, Chart]:
        label = period_label(catalogue, language, report.period)
        drawn = {}
        for sop in report.sops:
            caption = catalogue.plain(
                language, "compliance.chart_caption", sop_title=sop.title, period=label
            )
            timeline = compliance_timeline(caption, sop, catalogue, language, per_day)
            drawn[sop.sop_key] = Chart(render_timeline(timeline), caption)
        return drawn

    doc_charts = charts_in(DOCUMENT_LANGUAGE)
    chat_charts = doc_charts if lang == DOCUMENT_LANGUAGE else charts_in(lang)
    document = ComplianceDocument(
        report=report,
        period_label=period_label(catalogue, DOCUMENT_LANGUAGE, report.period),
        threshold=settings.compliance_threshold,
        letterhead=letterhead(office.config, settings.kop),
        people=office.directory,
        minutes_per_day=per_day,
        charts={key: chart.png for key, chart in doc_charts.items()},
        chart_captions={key: chart.caption for key, chart in doc_charts.items()},
        generated_at=now,
        tz=office.tz,
    )
    views = ComplianceViews(catalogue, office.directory, per_day, lang)
    return ComplianceAnswer(
        report=report,
        summary=views.summary(report, settings.compliance_threshold),
        filename=compliance_filename(document, office.config.agency.short_name),
        document=render_compliance(document, settings.template_dir),
        charts=tuple(chat_charts[sop.sop_key] for sop in report.sops),
    )


async def case_chart(office: Office, state: CaseState, lang: str) -> Chart:
    """The timeline of one case so far (`/status <case>`)."""
    sop, trail = await office.service.history(state)
    now = office.clock.now()
    catalogue = office.catalogue
    performance = case_performance(trail, sop, office.calendar, now)
    title = catalogue.plain(lang, "chart.case_title", case_code=state.code)
    timeline = case_timeline(
        title, performance, catalogue, lang, office.calendar.working_minutes_per_day
    )
    png = await asyncio.to_thread(render_timeline, timeline)
    return Chart(png, catalogue.plain(lang, "chart.case_caption", case_code=state.code))
