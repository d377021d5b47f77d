"""Which Telegram account belongs to which officer, learned on /start or by invite.

The config lists officers; this table remembers what the bot learned at run time (a
Telegram id bound through an invite, the language chosen, that someone blocked the bot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import opt_from_iso, to_iso


@dataclass(frozen=True, slots=True)
class Account:
    officer_key: str
    telegram_id: int | None
    language: str | None
    joined_at: datetime | None
    unreachable_since: datetime | None


class Accounts:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency
        # Read once per unit of work: an action that opens a parallel step writes a task
        # message and reminders for each Kepala Bidang, each asking their language.
        # The repository lives for one transaction, and every write here forgets it.
        self._read: dict[str, Account | None] = {}

    async def get(self, officer_key: str) -> Account | None:
        if officer_key not in self._read:
            self._read[officer_key] = await self._get(officer_key)
        return self._read[officer_key]

    async def _get(self, officer_key: str) -> Account | None:
        async with self.conn.execute(
            "SELECT * FROM officer_accounts WHERE agency = ? AND officer_key = ?",
            (self.agency, officer_key),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return Account(
            officer_key=row["officer_key"],
            telegram_id=row["telegram_id"],
            language=row["language"],
            joined_at=opt_from_iso(row["joined_at"]),
            unreachable_since=opt_from_iso(row["unreachable_since"]),
        )

    async def all(self) -> list[Account]:
        async with self.conn.execute(
            "SELECT officer_key FROM officer_accounts WHERE agency = ? ORDER BY officer_key",
            (self.agency,),
        ) as cur:
            keys = [r[0] for r in await cur.fetchall()]
        accounts = [await self.get(k) for k in keys]
        return [a for a in accounts if a is not None]

    async def bind(self, officer_key: str, telegram_id: int, now: datetime) -> None:
        """Link a Telegram account to an officer (an account serves one officer only)."""
        self._read.clear()
        await self.conn.execute(
            "UPDATE officer_accounts SET telegram_id = NULL "
            "WHERE agency = ? AND telegram_id = ? AND officer_key <> ?",
            (self.agency, telegram_id, officer_key),
        )
        await self.conn.execute(
            "INSERT INTO officer_accounts (agency, officer_key, telegram_id, joined_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (agency, officer_key) DO UPDATE SET "
            "telegram_id = excluded.telegram_id, joined_at = excluded.joined_at, "
            "unreachable_since = NULL",
            (self.agency, officer_key, telegram_id, to_iso(now)),
        )

    async def officer_for(self, telegram_id: int) -> str | None:
        async with self.conn.execute(
            "SELECT officer_key FROM officer_accounts WHERE agency = ? AND telegram_id = ?",
            (self.agency, telegram_id),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def set_language(self, officer_key: str, language: str) -> None:
        self._read.clear()
        await self.conn.execute(
            "INSERT INTO officer_accounts (agency, officer_key, language) VALUES (?, ?, ?) "
            "ON CONFLICT (agency, officer_key) DO UPDATE SET language = excluded.language",
            (self.agency, officer_key, language),
        )

    async def mark_unreachable(self, officer_key: str, now: datetime) -> None:
        self._read.clear()
        await self.conn.execute(
            "UPDATE officer_accounts SET unreachable_since = COALESCE(unreachable_since, ?) "
            "WHERE agency = ? AND officer_key = ?",
            (to_iso(now), self.agency, officer_key),
        )
