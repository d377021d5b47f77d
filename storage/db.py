"""The SQLite database: connection set-up, migrations and the unit of work.

One process owns the database through one aiosqlite connection. PTB runs handlers and
jobs concurrently on one event loop, and a connection is one transaction for everybody
who shares it, so every unit of work holds an `asyncio.Lock` from `BEGIN IMMEDIATE` to
`COMMIT`: two actions never interleave, and another task's commit can never commit our
half-done writes. Nothing awaits Telegram while a transaction is open.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import aiosqlite

from bot.core.clock import Clock
from storage.audit import AuditLog
from storage.audit_key import AuditKeyError, AuditKeySource
from storage.migrations import MIGRATIONS
from storage.query import fetch_all, fetch_one

log = logging.getLogger(__name__)

MIN_SQLITE: Final = (3, 38, 0)  # RETURNING (3.35) and JSON built in (3.38)


_INCREMENTAL = 2  # PRAGMA auto_vacuum: 0 none, 1 full, 2 incremental


class DatabaseError(RuntimeError):
    """The database cannot be used (corrupt, newer schema, ...); the bot must not start."""


class Database:
    """The single connection to the bot's SQLite file."""

    def __init__(
        self,
        path: Path,
        *,
        timeout: float = 10.0,
        audit_key: AuditKeySource | None = None,
        clock: Clock | None = None,
    ) -> None:
        """`audit_key`: where the bot's audit key is (created at the first open), so the
        chain is keyed; None only for tools and tests that never need it."""
        self.path = path
        self._timeout = timeout
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._key_source = audit_key
        self._clock = clock
        self.audit_key: bytes | None = None
        # Told after a unit of work that queued work for after its commit, with the
        # recipients of its outbox rows (see `storage.uow.unit_of_work`).
        self.on_queued: Callable[[frozenset[str]], None] | None = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseError("the database is not open")
        return self._conn

    async def open(self) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise DatabaseError(
                f"SQLite {sqlite3.sqlite_version} is too old: the bot needs "
                f"{'.'.join(map(str, MIN_SQLITE))} or newer (RETURNING, the JSON functions)"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=self._timeout)
        conn.row_factory = aiosqlite.Row
        self._conn = conn
        try:
            await self._configure(conn)
            await self._migrate(conn)
            await self._key_audit_chain(conn)
        except BaseException:
            await self.close()
            raise

    async def ensure_open(self) -> None:
        """Open on first use: PTB's persistence reads before `post_init` runs."""
        if self._conn is None:
            await self.open()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @staticmethod
    async def _configure(conn: aiosqlite.Connection) -> None:
        # These pragmas are ignored inside a transaction: set them before any write.
        # auto_vacuum takes effect in a new file (set before its first table) or at the
        # next VACUUM (`reclaim_space`): freed pages can then be given back.
        await conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        # FULL: a committed decision survives a power cut, not only a killed process.
        await conn.execute("PRAGMA synchronous=FULL")
        row = await fetch_one(conn, "PRAGMA foreign_keys")
        if row is None or row[0] != 1:
            raise DatabaseError("SQLite refused to enable foreign keys")

    async def integrity_check(self) -> list[str]:
        """Problems `PRAGMA integrity_check` reports; empty when the file is sound."""
        rows = await fetch_all(self.conn, "PRAGMA integrity_check")
        problems = [str(r[0]) for r in rows]
        return [] if problems == ["ok"] else problems

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        row = await fetch_one(conn, "PRAGMA user_version")
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise DatabaseError(
                f"{self.path} has schema version {current}, newer than this bot "
                f"({len(MIGRATIONS)}): upgrade the bot or restore an older backup"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            log.info("migrating %s to schema version %d", self.path, version)
            # One transaction per migration: the schema and user_version move together.
            await conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _statements(script):
                    await conn.execute(statement)
                await conn.execute(f"PRAGMA user_version = {version}")
                await conn.execute("COMMIT")
            except BaseException:
                await conn.execute("ROLLBACK")
                raise

    async def _key_audit_chain(self, conn: aiosqlite.Connection) -> None:
        """Load (or at the first start create) the audit key; start the keyed chain once.

        A keyed chain whose key is gone is refused rather than keyed anew: a new key would
        make every earlier keyed row look forged, and the admin must decide (README)."""
        if self._key_source is None:
            return
        log_ = AuditLog(conn)
        if await log_.is_keyed():
            try:
                key = self._key_source.load()
            except AuditKeyError as exc:
                raise DatabaseError(str(exc)) from None
            if key is None:
                raise DatabaseError(
                    f"{self.path}: the audit log is keyed but its key is missing "
                    f"({self._key_source.file}): restore the key from your backup of it, "
                    "see README 'The audit key'"
                )
            self.audit_key = key
            return
        try:
            self.audit_key = self._key_source.load_or_create()
        except (AuditKeyError, OSError) as exc:
            raise DatabaseError(str(exc)) from None
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await AuditLog(conn, key=self.audit_key).start_keyed_chain(now)
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def transaction(self, *, flush: bool = True) -> AsyncIterator[aiosqlite.Connection]:
        """One unit of work: `BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` on any error.

        `flush=False` commits without waiting for the disk (`synchronous=NORMAL`): the
        commit survives a killed process (it is in the WAL), not a power cut until the
        next flushing commit, which flushes it too. Only for marks that, if lost, cost a
        message sent twice (`bot.ptb.sender`); decisions always flush."""
        async with self._lock:
            conn = self.conn
            if not flush:
                await conn.execute("PRAGMA synchronous=NORMAL")
            try:
                await conn.execute("BEGIN IMMEDIATE")
                yield conn
                await conn.execute("COMMIT")
            except BaseException:
                await _end_transaction(conn)
                raise
            finally:
                if not flush:
                    await conn.execute("PRAGMA synchronous=FULL")

    async def reclaim_space(self) -> int:
        """Give the room freed by the outbox prune back to the file system, so the file
        shrinks instead of only ceasing to grow; returns the bytes given back.

        A pruned row shrinks in place: its page is left part empty, and new rows (always
        at the end of the table) never fill it. So when a quarter or more of the file is
        empty room, the file is rewritten (VACUUM: about a second for 30 MB, once in a
        while, from the daily job); otherwise only whole empty pages are freed
        (`PRAGMA incremental_vacuum`, this bot's files are made `auto_vacuum=INCREMENTAL`).
        The WAL is then checkpointed and truncated, where the shrink lands on disk.
        """
        async with self._lock:
            conn = self.conn
            size = await self._pragma(conn, "page_size")
            before = await self._pragma(conn, "page_count")
            if await self._empty_bytes(conn, size) * 4 >= before * size:
                await conn.execute("VACUUM")
            elif await self._pragma(conn, "auto_vacuum") == _INCREMENTAL:
                await fetch_all(conn, "PRAGMA incremental_vacuum")  # a row per step: all run
            await fetch_all(conn, "PRAGMA wal_checkpoint(TRUNCATE)")
            after = await self._pragma(conn, "page_count")
        return max(0, before - after) * size

    async def _empty_bytes(self, conn: aiosqlite.Connection, page_size: int) -> int:
        """Room in the file that holds no data: free pages and the unused part of pages
        in use (`dbstat`; without it, the free pages only)."""
        free = await self._pragma(conn, "freelist_count") * page_size
        try:
            row = await fetch_one(conn, "SELECT COALESCE(SUM(unused), 0) FROM dbstat")
        except sqlite3.OperationalError:  # SQLite built without the dbstat table
            return free
        return free + (int(row[0]) if row is not None else 0)

    @staticmethod
    async def _pragma(conn: aiosqlite.Connection, name: str) -> int:
        row = await fetch_one(conn, f"PRAGMA {name}")
        return int(row[0]) if row is not None else 0

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read: waits for any unit of work in progress to finish."""
        async with self._lock:
            yield self.conn

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self.reading() as conn:
            return await fetch_all(conn, sql, params)


async def _end_transaction(conn: aiosqlite.Connection) -> None:
    """Leave the shared connection outside any transaction, whatever went wrong.

    A unit of work can fail at its `BEGIN`, in its body or at its `COMMIT`, and it can be
    cancelled while a statement is queued (a stop, a timeout): aiosqlite still runs a
    queued statement when its caller is gone, so a `BEGIN` awaited by a cancelled task
    runs after all. A transaction left open makes every later `BEGIN` fail ("cannot
    start a transaction within a transaction"): no decision could be stored again until
    a restart. The `ROLLBACK` is queued after whatever ran, and is harmless when nothing
    is open."""
    try:
        await conn.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "no transaction is active" not in str(exc):
            raise


def _statements(script: str) -> list[str]:
    """Split a migration script into whole statements (a trigger body holds semicolons)."""
    statements: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements
