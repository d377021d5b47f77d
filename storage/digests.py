"""Which days' digests went out (V3 `digest_runs`), so a restart never sends one twice.

The row is written in the same unit of work as the digest's outbox rows: either both
are there or neither, and a second run on the same day finds the row and stops.
"""

from __future__ import annotations

from datetime import date, datetime

import aiosqlite

from storage.codec import to_iso
from storage.query import fetch_one


class DigestRuns:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency

    async def done(self, day: date) -> bool:
        sql = "SELECT 1 FROM digest_runs WHERE agency = ? AND day = ?"
        return await fetch_one(self.conn, sql, (self.agency, day.isoformat())) is not None

    async def claim(self, day: date, now: datetime) -> bool:
        """Record `day`'s digest as sent; False when it already was (send nothing then)."""
        cur = await self.conn.execute(
            "INSERT INTO digest_runs (agency, day, done_at) VALUES (?, ?, ?) "
            "ON CONFLICT (agency, day) DO NOTHING",
            (self.agency, day.isoformat(), to_iso(now)),
        )
        return cur.rowcount == 1
