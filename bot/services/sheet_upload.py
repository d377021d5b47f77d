"""The indicator sheet: which tasks offer its upload, its empty template, and taking one in.

The data role (`[documents] data_role`) uploads the indicator/budget spreadsheet at its
upload steps; an accepted sheet is stored and a render job for its standard-format report
is committed with it, which the document worker (`bot.services.document_jobs`) then runs.

Excel writes only the active sheet to a CSV, so an officer who saves /templat's workbook
as CSV sends the Indikator sheet and the Anggaran sheet as two messages. The first is
stored and remembered (its `SheetFile`, kept by the upload dialog); when the other
arrives the two are joined into one workbook in the upload format, which is what gets
stored as the case's sheet, so the standard-format report reads one file as before.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath
from typing import Final

from bot.core.clock import Clock
from bot.core.sop import Step, StepKind
from bot.core.workflow import CaseState, Refusal, RefusalCode
from bot.documents import DocumentKind, write_sheet_template
from bot.documents.context import STANDARD_REPORT
from bot.documents.sheet import INDIKATOR, SheetData, join_parts, read_sheet, sheet_workbook
from bot.services.document_jobs import RENDER
from bot.services.workflow_service import WorkflowService
from storage.db import Database
from storage.dialogs import DialogKey
from storage.documents import Documents
from storage.files import FileStore
from storage.inbox import mark_in_hand_done
from storage.uow import unit_of_work

__all__ = [
    "SHEET_TEMPLATE_NAME",
    "SheetFile",
    "SheetUpload",
    "SheetUploads",
    "assemble",
    "offers_sheet_upload",
    "sheet_template",
]

SHEET_TEMPLATE_NAME: Final = f"Templat_{DocumentKind.DATA_CAPAIAN.value}.xlsx"


def offers_sheet_upload(step: Step, data_role: str) -> bool:
    """The indicator sheet is uploaded at the data role's upload steps: where the
    report's content is written (not where the source papers are merely collected)."""
    return step.kind is StepKind.UPLOAD and data_role in step.roles


@cache
def sheet_template() -> bytes:
    """The empty indicator sheet users download with /templat (made once per process)."""
    with tempfile.TemporaryDirectory(prefix="templat-") as folder:
        path = Path(folder) / SHEET_TEMPLATE_NAME
        write_sheet_template(path)
        return path.read_bytes()


class SheetUploads:
    """Takes in the indicator sheets officers upload for their tasks."""

    def __init__(
        self,
        *,
        db: Database,
        files: FileStore,
        service: WorkflowService,
        clock: Clock,
        data_role: str,
        agency: str = "default",
    ) -> None:
        self.db = db
        self.files = files
        self.service = service
        self.clock = clock
        self.data_role = data_role
        self.agency = agency

    async def case_for(self, officer: str, case_id: int, task_seq: int) -> CaseState:
        """The case whose task `officer` may upload an indicator sheet for; else `Refusal`."""
        ctx, state, task = await self.service.task_for(officer, case_id, task_seq)
        if not offers_sheet_upload(ctx.sop.step(task.step_key), self.data_role):
            raise Refusal(RefusalCode.WRONG_ACTION, step=task.step_key, action="sheet")
        return state

    async def accept(
        self,
        officer: str,
        case_id: int,
        task_seq: int,
        data: bytes,
        filename: str,
        earlier: SheetFile | None = None,
        *,
        closes: DialogKey | None = None,
    ) -> SheetUpload:
        """Store an uploaded indicator sheet and queue its standard-format report.

        One of Excel's two CSV files is stored and returned incomplete (the caller keeps
        its `SheetFile` and passes it as `earlier` with the other). Raises `Refusal` (the
        task is no longer the officer's) or `SheetError` (one problem per message).
        `closes`: the dialog that asked for the sheet, closed in the transaction that
        records a complete one (a crash after it leaves no dialog waiting for a sheet).
        """
        await self.case_for(officer, case_id, task_seq)
        upload = await assemble(self.files, data, filename, earlier)
        if not upload.complete:
            return upload
        stored, now = upload.file, self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            sheet_id = await Documents(tx.conn).add_sheet(
                case_id, task_seq, stored.sha256, stored.filename, stored.size, officer, now
            )
            await tx.jobs.add(
                RENDER, case_id, {"document": STANDARD_REPORT, "sheet": sheet_id}, now
            )
            if closes is not None:
                await tx.dialogs.end(*closes)
            # The sheet is this upload's effect (it has no audit row to say so): replayed
            # after a crash, it would find its dialog closed and be taken for a draft.
            await mark_in_hand_done(tx.conn)
        return upload


@dataclass(frozen=True, slots=True)
class SheetFile:
    """A stored upload: what the dialog remembers of a first CSV until the second comes."""

    sha256: str
    filename: str
    size: int


@dataclass(frozen=True, slots=True)
class SheetUpload:
    """What an upload amounts to: a whole sheet (`complete`) or one half of one."""

    sheet: SheetData
    file: SheetFile
    complete: bool


async def assemble(
    files: FileStore, data: bytes, filename: str, earlier: SheetFile | None
) -> SheetUpload:
    """Reads `data` (raises `SheetError`) and joins it with `earlier` when they are halves.

    A half that repeats the earlier half's section replaces it (the corrected file).
    """
    file = SheetFile(await files.put(data), filename, len(data))  # kept even when refused
    sheet = await asyncio.to_thread(read_sheet, data, filename)
    if sheet.waiting_for() is None:
        return SheetUpload(sheet, file, complete=True)
    if earlier is not None:
        before = await asyncio.to_thread(
            read_sheet, await files.get(earlier.sha256), earlier.filename
        )
        joined = join_parts(before, sheet)
        if joined is not None:
            workbook = await asyncio.to_thread(sheet_workbook, joined)
            first, second = (
                (earlier, file) if before.waiting_for() != INDIKATOR else (file, earlier)
            )
            name = f"{PurePath(first.filename).stem}+{PurePath(second.filename).stem}.xlsx"
            stored = SheetFile(await files.put(workbook), name, len(workbook))
            return SheetUpload(joined, stored, complete=True)
    return SheetUpload(sheet, file, complete=False)
