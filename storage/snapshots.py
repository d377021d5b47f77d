"""The SOP text each case started with: editing the SOP file changes new cases only."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from storage.codec import to_iso
from storage.query import fetch_one


class Snapshots:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def keep(self, sop_hash: str, sop_key: str, text: str, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO sop_snapshots (hash, sop_key, text, first_used_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (hash) DO NOTHING",
            (sop_hash, sop_key, text, to_iso(now)),
        )

    async def text(self, sop_hash: str) -> str | None:
        row = await fetch_one(
            self.conn, "SELECT text FROM sop_snapshots WHERE hash = ?", (sop_hash,)
        )
        return None if row is None else str(row[0])
