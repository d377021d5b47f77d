"""An indicator sheet upload, which may come as the two CSV files Excel saves.

Excel writes only the active sheet to a CSV, so an officer who saves /templat's workbook
as CSV sends the Indikator sheet and the Anggaran sheet as two messages. The first is
stored and remembered (its `SheetFile`, kept by the upload dialog); when the other
arrives the two are joined into one workbook in the upload format, which is what gets
stored as the case's sheet, so the standard-format report reads one file as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import PurePath

from bot.documents.sheet import (
    INDIKATOR,
    SheetData,
    join_parts,
    read_sheet,
    sheet_workbook,
)
from storage.files import FileStore

__all__ = ["SheetFile", "SheetUpload", "assemble"]


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
