"""Small facts the bot must remember across restarts, one text value per key.

For things too small for a table of their own: when the scheduler first ran, which
holiday-data warnings the admins already got this year. Keys carry the agency, since the
V1 `kv` table does not.
"""

from __future__ import annotations

import aiosqlite

from storage.query import fetch_one


class KeyValues:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency

    def _key(self, key: str) -> str:
        return f"{self.agency}:{key}"

    async def get(self, key: str) -> str | None:
        row = await fetch_one(self.conn, "SELECT value FROM kv WHERE key = ?", (self._key(key),))
        return None if row is None else str(row[0])

    async def put(self, key: str, value: str) -> None:
        await self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (self._key(key), value),
        )

    async def put_if_absent(self, key: str, value: str) -> bool:
        """Remember `value` unless the key is already set; True when this call set it.

        Inside a unit of work this is a once-only latch: of two concurrent callers
        exactly one sees True, so a warning guarded by it goes out once.
        """
        cur = await self.conn.execute(
            "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (self._key(key), value),
        )
        return cur.rowcount == 1
