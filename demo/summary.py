"""The demo's closing summary: each step against its standard, and the documents produced.

The step table is `bot.core.performance` read over the case's audit trail, the same rebuild
the bot's own reports use; the documents are copied out of the content-addressed file
store under the names the officers received them by, so they can be opened directly. The
SOP compliance report of the year closes the list, built as /kepatuhan builds it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bot.core.compliance import AuditPeriod
from bot.core.performance import CasePerformance, StepRun, case_performance
from bot.core.workflow import CaseState
from bot.runtime import Runtime
from bot.services.compliance import build_compliance
from bot.views.fmt import format_minutes
from demo.console import WIDTH
from storage.documents import Documents, StoredDocument
from storage.uow import reading

__all__ = ["DocumentCopy", "copy_documents", "performance_of", "step_table", "write_compliance"]

_TITLE: Final = 40  # characters of a step title in the table


@dataclass(frozen=True, slots=True)
class DocumentCopy:
    kind: str  # lembar_disposisi | laporan_baku | ... | laporan_kepatuhan | grafik_kepatuhan
    format: str  # docx | pdf | png
    path: Path
    size: int


async def performance_of(runtime: Runtime, state: CaseState) -> CasePerformance:
    """The case's steps as its audit trail tells them, with the SOP it started with."""
    sop = (await runtime.service.context_for(state)).sop
    async with reading(runtime.db, runtime.agency) as tx:
        trail = await tx.audit.for_case(state.id)
    return case_performance(trail, sop, runtime.calendar, runtime.clock.now())


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def step_table(
    runtime: Runtime, performance: CasePerformance, lang: str, name: Callable[[str], str]
) -> list[str]:
    """One line per round of a step: working time used, standard, on time or not.

    `name` gives how an officer is called (for who returned a draft).
    """
    per_day = runtime.calendar.working_minutes_per_day

    def duration(minutes: int) -> str:
        return format_minutes(minutes, per_day, lang)

    header = f"{'':>3} {'Langkah':<{_TITLE}}  {'Waktu kerja':<22} {'Baku':<9} Keterangan"
    rule = "─" * WIDTH
    lines = [header, rule]
    for run in performance.steps:
        again = f" (putaran {run.round})" if run.round > 1 else ""
        title = _cell(run.title, _TITLE - len(again)) + again
        lines.append(
            f"{run.number:>2}. {title:<{_TITLE}}  {duration(run.used_minutes):<22} "
            f"{run.standard:<9} {_verdict(run, duration, name)}"
        )
    lines.append(rule)
    lines.append(
        f"Seluruh proses: {duration(performance.used_minutes)} waktu kerja "
        f"(jumlah mutu baku semua putaran: {duration(performance.standard_minutes)})"
    )
    return lines


def _verdict(run: StepRun, duration: Callable[[int], str], name: Callable[[str], str]) -> str:
    if run.running:
        return "masih berjalan"
    parts = [] if run.on_time else [f"terlambat {duration(run.late_minutes)}"]
    parts += [f"dikembalikan oleh {name(r.actor)}" for r in run.returns]
    return "; ".join(parts) or "tepat waktu"


async def copy_documents(runtime: Runtime, state: CaseState, folder: Path) -> list[DocumentCopy]:
    """Write every document the bot generated for the case into `folder`, by its real name.

    A document made twice (a rerun after a return) keeps its newest version.
    """
    async with reading(runtime.db, runtime.agency) as tx:
        stored: list[StoredDocument] = await Documents(tx.conn).for_case(state.id)
    copies: dict[Path, DocumentCopy] = {}
    for document in stored:
        data = await runtime.files.get(document.sha256)
        target = folder / Path(document.filename).name
        await asyncio.to_thread(_write, target, data)
        copies[target] = DocumentCopy(document.kind, document.format, target, len(data))
    return list(copies.values())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def write_compliance(runtime: Runtime, lang: str, folder: Path) -> list[DocumentCopy]:
    """This year's SOP compliance report and its charts, as /kepatuhan sends them, into
    `folder` (the demo's closing documents)."""
    today = runtime.calendar.local_date(runtime.clock.now())
    answer = await build_compliance(runtime, AuditPeriod(today.year), lang)
    target = folder / answer.filename
    await asyncio.to_thread(_write, target, answer.document)
    copies = [DocumentCopy("laporan_kepatuhan", "docx", target, len(answer.document))]
    for index, chart in enumerate(answer.charts, start=1):
        picture = folder / f"{target.stem}_grafik_{index}.png"
        await asyncio.to_thread(_write, picture, chart.png)
        copies.append(DocumentCopy("grafik_kepatuhan", "png", picture, len(chart.png)))
    return copies
