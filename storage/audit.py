"""The append-only audit trail, hash-chained so that tampering is detectable.

Each row's hash covers its content and the previous row's hash. This module only ever
INSERTs and SELECTs on `audit_log`; a test greps the code base for anything else.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.workflow import AuditEvent
from storage.codec import dumps, from_iso, loads, to_iso

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    case_id: int | None
    at: datetime
    actor: str
    action: str
    step_key: str
    round: int
    task_seq: int | None
    from_state: str
    to_state: str
    reason: str | None
    data: Mapping[str, Any]
    prev_hash: str
    hash: str


def _digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + dumps(fields)).encode()).hexdigest()


def _fields(row: sqlite3.Row) -> dict[str, Any]:
    keys = (
        "agency",
        "case_id",
        "at",
        "actor",
        "action",
        "step_key",
        "round",
        "task_seq",
        "from_state",
        "to_state",
        "reason",
        "data_json",
    )
    return {k: row[k] for k in keys}


class AuditLog:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency

    async def _last_hash(self) -> str:
        async with self.conn.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else GENESIS

    async def append(self, case_id: int | None, events: Iterable[AuditEvent]) -> None:
        prev = await self._last_hash()
        for event in events:
            fields = {
                "agency": self.agency,
                "case_id": case_id,
                "at": to_iso(event.at),
                "actor": event.actor,
                "action": event.action,
                "step_key": event.step_key,
                "round": event.round,
                "task_seq": event.task_seq,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "reason": event.reason,
                "data_json": dumps(event.data),
            }
            digest = _digest(prev, fields)
            await self.conn.execute(
                "INSERT INTO audit_log (agency, case_id, at, actor, action, step_key, round, "
                "task_seq, from_state, to_state, reason, data_json, prev_hash, hash) VALUES "
                "(:agency, :case_id, :at, :actor, :action, :step_key, :round, :task_seq, "
                ":from_state, :to_state, :reason, :data_json, :prev_hash, :hash)",
                {**fields, "prev_hash": prev, "hash": digest},
            )
            prev = digest

    async def for_case(self, case_id: int) -> list[AuditRow]:
        async with self.conn.execute(
            "SELECT * FROM audit_log WHERE case_id = ? ORDER BY id", (case_id,)
        ) as cur:
            return [_row(r) for r in await cur.fetchall()]

    async def verify(self) -> list[str]:
        """Problems in the hash chain (empty when intact): edited, deleted or inserted rows."""
        problems: list[str] = []
        prev = GENESIS
        async with self.conn.execute("SELECT * FROM audit_log ORDER BY id") as cur:
            async for r in cur:
                if r["prev_hash"] != prev:
                    problems.append(f"audit row {r['id']}: chain broken before this row")
                if _digest(r["prev_hash"], _fields(r)) != r["hash"]:
                    problems.append(f"audit row {r['id']}: content does not match its hash")
                prev = r["hash"]
        return problems


def _row(r: sqlite3.Row) -> AuditRow:
    return AuditRow(
        id=int(r["id"]),
        case_id=r["case_id"],
        at=from_iso(r["at"]),
        actor=r["actor"],
        action=r["action"],
        step_key=r["step_key"],
        round=int(r["round"]),
        task_seq=r["task_seq"],
        from_state=r["from_state"],
        to_state=r["to_state"],
        reason=r["reason"],
        data=loads(r["data_json"]),
        prev_hash=r["prev_hash"],
        hash=r["hash"],
    )


async def verify_audit(database: Path) -> tuple[int, list[str]]:
    """(rows, problems) of the audit log's hash chain, read without writing anything."""
    async with aiosqlite.connect(database) as conn:
        conn.row_factory = aiosqlite.Row
        async with conn.execute("SELECT COUNT(*) FROM audit_log") as cur:
            row = await cur.fetchone()
        problems = await AuditLog(conn).verify()
    return (int(row[0]) if row else 0), problems
