"""One-time invites that bind a Telegram account to an officer, and failed tries at them.

Only the SHA-256 of an invite code is stored: whoever reads the database (a backup, a
support copy) cannot join as an officer with what they find there. Using an invite is a
conditional UPDATE, so two accounts racing for the same code cannot both win.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import from_iso, opt_from_iso, to_iso
from storage.query import fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class Invite:
    code_hash: str
    officer_key: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: int | None


class Invites:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency

    async def add(
        self,
        code_hash: str,
        officer_key: str,
        created_by: str,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        await self.conn.execute(
            "INSERT INTO invites (code_hash, agency, officer_key, created_by, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (code_hash, self.agency, officer_key, created_by, to_iso(now), to_iso(expires_at)),
        )

    async def get(self, code_hash: str) -> Invite | None:
        row = await fetch_one(
            self.conn,
            "SELECT * FROM invites WHERE agency = ? AND code_hash = ?",
            (self.agency, code_hash),
        )
        return None if row is None else _invite(row)

    async def use(self, code_hash: str, telegram_id: int, now: datetime) -> bool:
        """Mark the invite used by `telegram_id`; False if it was used or expired meanwhile."""
        cur = await self.conn.execute(
            "UPDATE invites SET used_at = ?, used_by = ? WHERE agency = ? AND code_hash = ? "
            "AND used_at IS NULL AND expires_at > ?",
            (to_iso(now), telegram_id, self.agency, code_hash, to_iso(now)),
        )
        return cur.rowcount == 1

    async def open_for(self, officer_key: str, now: datetime) -> list[Invite]:
        """Invites for the officer that could still be used, oldest first."""
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM invites WHERE agency = ? AND officer_key = ? AND used_at IS NULL "
            "AND expires_at > ? ORDER BY created_at, code_hash",
            (self.agency, officer_key, to_iso(now)),
        )
        return [_invite(r) for r in rows]

    async def expire_open_for(self, officer_key: str, now: datetime) -> int:
        """Close the officer's other invites once they joined: a stray link must not rebind."""
        cur = await self.conn.execute(
            "UPDATE invites SET expires_at = ? WHERE agency = ? AND officer_key = ? "
            "AND used_at IS NULL AND expires_at > ?",
            (to_iso(now), self.agency, officer_key, to_iso(now)),
        )
        return cur.rowcount

    # -- failed attempts, for rate limiting guesses ------------------------------------

    async def record_failure(self, telegram_id: int, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO invite_attempts (telegram_id, at) VALUES (?, ?)",
            (telegram_id, to_iso(now)),
        )

    async def failures_since(self, telegram_id: int, since: datetime) -> list[datetime]:
        """When `telegram_id` failed since `since`, oldest first."""
        rows = await fetch_all(
            self.conn,
            "SELECT at FROM invite_attempts WHERE telegram_id = ? AND at >= ? ORDER BY at",
            (telegram_id, to_iso(since)),
        )
        return [from_iso(r[0]) for r in rows]

    async def forget_failures_before(self, before: datetime) -> int:
        """Drop attempts too old to matter, so the table does not grow forever."""
        cur = await self.conn.execute(
            "DELETE FROM invite_attempts WHERE at < ?", (to_iso(before),)
        )
        return cur.rowcount


def _invite(row: sqlite3.Row) -> Invite:
    return Invite(
        code_hash=row["code_hash"],
        officer_key=row["officer_key"],
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        expires_at=from_iso(row["expires_at"]),
        used_at=opt_from_iso(row["used_at"]),
        used_by=row["used_by"],
    )
