"""Which Telegram account belongs to which officer, learned on /start or by invite.

The config lists officers; this table remembers what the bot learned at run time (a
Telegram id bound through an invite, the language chosen, that someone blocked the bot).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import opt_from_iso, to_iso
from storage.query import fetch_all


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
            await self.get_many([officer_key])
        return self._read[officer_key]

    async def get_many(self, officer_keys: Iterable[str]) -> None:
        """Read every account of `officer_keys` not read yet in one query: a transition
        that opens a parallel step asks each Kepala Bidang's language next."""
        wanted = [k for k in dict.fromkeys(officer_keys) if k not in self._read]
        if not wanted:
            return
        marks = ", ".join("?" * len(wanted))
        rows = await fetch_all(
            self.conn,
            f"SELECT * FROM officer_accounts WHERE agency = ? AND officer_key IN ({marks})",
            (self.agency, *wanted),
        )
        self._remember(wanted, rows)

    def _remember(self, wanted: Sequence[str], rows: Iterable[sqlite3.Row]) -> list[Account]:
        """The accounts `rows` hold, kept for this unit of work; `wanted` keys without a
        row are kept as having none."""
        self._read.update(dict.fromkeys(wanted))
        accounts = [_account(row) for row in rows]
        self._read.update((a.officer_key, a) for a in accounts)
        return accounts

    async def all(self) -> list[Account]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM officer_accounts WHERE agency = ? ORDER BY officer_key",
            (self.agency,),
        )
        return self._remember((), rows)

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

    async def officer_for(self, telegram_id: int, *, configured: str | None = None) -> str | None:
        """The officer bound to the account, else `configured` (the officer the config
        names for this Telegram id). Both rows are read in one query and kept, so the
        language asked next (every update asks both) costs no second query."""
        wanted = [configured] if configured is not None and configured not in self._read else []
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM officer_accounts WHERE agency = ? "
            f"AND (telegram_id = ? OR officer_key IN ({', '.join('?' * len(wanted))}))",
            (self.agency, telegram_id, *wanted),
        )
        accounts = self._remember(wanted, rows)
        bound = [a.officer_key for a in accounts if a.telegram_id == telegram_id]
        return bound[0] if bound else configured

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


def _account(row: sqlite3.Row) -> Account:
    return Account(
        officer_key=row["officer_key"],
        telegram_id=row["telegram_id"],
        language=row["language"],
        joined_at=opt_from_iso(row["joined_at"]),
        unreachable_since=opt_from_iso(row["unreachable_since"]),
    )
