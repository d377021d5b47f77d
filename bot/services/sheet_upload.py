"""The indicator sheet: which tasks offer its upload, its empty template, and taking one in.

The data role (`[documents] data_role`) uploads the indicator/budget spreadsheet at its
upload steps; an accepted sheet is stored and a render job for its standard-format report
is committed with it, which the document worker (`bot.services.document_jobs`) then runs.
"""

from __future__ import annotations

import asyncio
import tempfile
from functools import cache
from pathlib import Path
from typing import Final

from bot.core.clock import Clock
from bot.core.sop import Step, StepKind
from bot.core.workflow import CaseState, Refusal, RefusalCode
from bot.documents import DocumentKind, SheetData, read_sheet, write_sheet_template
from bot.documents.context import STANDARD_REPORT
from bot.services.document_jobs import RENDER
from bot.services.workflow_service import WorkflowService
from storage.db import Database
from storage.documents import Documents
from storage.files import FileStore
from storage.uow import unit_of_work

__all__ = ["SHEET_TEMPLATE_NAME", "SheetUploads", "offers_sheet_upload", "sheet_template"]

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
        self, officer: str, case_id: int, task_seq: int, data: bytes, filename: str
    ) -> SheetData:
        """Store an uploaded indicator sheet and queue its standard-format report.

        Raises `Refusal` (the task is no longer the officer's) or `SheetError` (one
        problem per message); the bytes are on disk before either is known.
        """
        await self.case_for(officer, case_id, task_seq)
        sha = await self.files.put(data)
        sheet = await asyncio.to_thread(read_sheet, data, filename)
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            sheet_id = await Documents(tx.conn).add_sheet(
                case_id, task_seq, sha, filename, len(data), officer, now
            )
            await tx.jobs.add(
                RENDER, case_id, {"document": STANDARD_REPORT, "sheet": sheet_id}, now
            )
        return sheet
