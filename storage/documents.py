"""Generated documents and uploaded indicator sheets: what the bot made, from what, when.

The bytes live in the content-addressed `FileStore`; a row here says what they are (the
disposition, the final report, ...), in which format, and what they were made from
(`source`). One row per (case, kind, format, source): a job that runs again after a
crash finds its document already made and does not make or send it a second time.

Indicator sheets (the Tim SAKIP's capaian/budget spreadsheet) are data the report is
computed from, not a version of the report, so they never enter the case's draft list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import from_iso, to_iso
from storage.query import fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    case_id: int
    kind: str  # lembar_disposisi | lembar_pengesahan | laporan_final | laporan_baku
    format: str  # docx | pdf | bin
    sha256: str
    filename: str
    source: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IndicatorSheet:
    id: int
    case_id: int
    task_seq: int | None
    sha256: str
    filename: str
    size: int
    uploaded_by: str
    uploaded_at: datetime


class Documents:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def add(
        self,
        case_id: int,
        kind: str,
        fmt: str,
        sha256: str,
        filename: str,
        source: str,
        now: datetime,
    ) -> int:
        cur = await self.conn.execute(
            "INSERT INTO documents (case_id, kind, format, sha256, filename, source, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, kind, fmt, sha256, filename, source, to_iso(now)),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    async def find(self, case_id: int, kind: str, fmt: str, source: str) -> StoredDocument | None:
        row = await fetch_one(
            self.conn,
            "SELECT * FROM documents WHERE case_id = ? AND kind = ? AND format = ? AND source = ?",
            (case_id, kind, fmt, source),
        )
        return None if row is None else _document(row)

    async def get(self, document_id: int) -> StoredDocument | None:
        row = await fetch_one(self.conn, "SELECT * FROM documents WHERE id = ?", (document_id,))
        return None if row is None else _document(row)

    async def for_case(self, case_id: int) -> list[StoredDocument]:
        rows = await fetch_all(
            self.conn, "SELECT * FROM documents WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [_document(r) for r in rows]

    async def of_kinds(self, kinds: Sequence[str]) -> list[StoredDocument]:
        """Every document of these kinds, oldest first (to rebuild an index at start)."""
        marks = ", ".join("?" for _ in kinds)
        rows = await fetch_all(
            self.conn, f"SELECT * FROM documents WHERE kind IN ({marks}) ORDER BY id", tuple(kinds)
        )
        return [_document(r) for r in rows]

    # -- indicator sheets -----------------------------------------------------------------

    async def add_sheet(
        self,
        case_id: int,
        task_seq: int | None,
        sha256: str,
        filename: str,
        size: int,
        uploaded_by: str,
        now: datetime,
    ) -> int:
        cur = await self.conn.execute(
            "INSERT INTO indicator_sheets (case_id, task_seq, sha256, filename, size, "
            "uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (case_id, task_seq, sha256, filename, size, uploaded_by, to_iso(now)),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    async def sheet(self, sheet_id: int) -> IndicatorSheet | None:
        row = await fetch_one(
            self.conn, "SELECT * FROM indicator_sheets WHERE id = ?", (sheet_id,)
        )
        return None if row is None else _sheet(row)

    async def sheets_of(self, case_id: int) -> list[IndicatorSheet]:
        rows = await fetch_all(
            self.conn, "SELECT * FROM indicator_sheets WHERE case_id = ? ORDER BY id", (case_id,)
        )
        return [_sheet(r) for r in rows]


def _document(r: sqlite3.Row) -> StoredDocument:
    return StoredDocument(
        id=int(r["id"]),
        case_id=int(r["case_id"]),
        kind=r["kind"],
        format=r["format"],
        sha256=r["sha256"],
        filename=r["filename"],
        source=r["source"],
        created_at=from_iso(r["created_at"]),
    )


def _sheet(r: sqlite3.Row) -> IndicatorSheet:
    return IndicatorSheet(
        id=int(r["id"]),
        case_id=int(r["case_id"]),
        task_seq=r["task_seq"],
        sha256=r["sha256"],
        filename=r["filename"],
        size=int(r["size"]),
        uploaded_by=r["uploaded_by"],
        uploaded_at=from_iso(r["uploaded_at"]),
    )
