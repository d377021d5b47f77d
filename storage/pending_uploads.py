"""Files kept while their sender picks the task (or checklist item) they are for.

A file sent without context is stored first and acknowledged only once it is attached;
the row here is what the pick buttons point at. A pick takes the row once: a second press
on the same choice finds nothing.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.workflow import FileRef
from storage.codec import to_iso
from storage.query import fetch_one


class PendingUploads:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def keep(self, telegram_id: int, officer_key: str, ref: FileRef, now: datetime) -> int:
        """The id the pick buttons carry."""
        cur = await self.conn.execute(
            "INSERT INTO pending_uploads (telegram_id, officer_key, sha256, filename, size, mime, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (telegram_id, officer_key, ref.sha256, ref.filename, ref.size, ref.mime, to_iso(now)),
        )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

    async def peek(self, pending_id: int, telegram_id: int) -> FileRef | None:
        """The waiting file, left waiting (its sender still has to pick the item)."""
        row = await fetch_one(
            self.conn,
            "SELECT sha256, filename, size, mime FROM pending_uploads WHERE id = ? "
            "AND telegram_id = ? AND resolved_at IS NULL",
            (pending_id, telegram_id),
        )
        return None if row is None else FileRef(row[0], row[1], int(row[2]), row[3])

    async def take(self, pending_id: int, telegram_id: int, now: datetime) -> FileRef | None:
        """The waiting file, once, and only for the account that sent it."""
        row = await fetch_one(
            self.conn,
            "SELECT sha256, filename, size, mime FROM pending_uploads WHERE id = ? "
            "AND telegram_id = ? AND resolved_at IS NULL",
            (pending_id, telegram_id),
        )
        if row is None:
            return None
        await self.conn.execute(
            "UPDATE pending_uploads SET resolved_at = ? WHERE id = ?", (to_iso(now), pending_id)
        )
        return FileRef(sha256=row[0], filename=row[1], size=int(row[2]), mime=row[3])
