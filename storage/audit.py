"""The append-only audit trail, hash-chained so that tampering is detectable.

Each row's hash covers its content and the previous row's hash. Plain SHA-256 only shows
an accident: whoever can write the database file can edit a row and recompute the rest.
So from a marker row (`KEYED_MARKER`, written at the first start with a key) on, each
hash is an HMAC-SHA-256 under the audit key, which lives outside the database
(`storage.audit_key`); rows before the marker stay verified as they were written. The
head's row id and fingerprint (an `Anchor`) go into every backup manifest and daily
digest, outside the database, so a log cut short or rewritten with the key is caught
too (`python -m bot verify-audit --anchor ID:FINGERPRINT`).

This module only ever INSERTs and SELECTs on `audit_log`; a test greps the code base for
anything else.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import aiosqlite

from bot.core.workflow import AuditEvent
from storage.codec import dumps, from_iso, loads, to_iso
from storage.query import fetch_all, fetch_one

GENESIS = "0" * 64
KEYED_MARKER: Final = "audit_chain_keyed"  # the action of the row the keyed chain starts at
SYSTEM: Final = "system"
FINGERPRINT_HEX: Final = 20  # 80 bits of the head's hash: enough to anchor, short to copy


class AuditKeyMissing(RuntimeError):
    """The chain is keyed but the database was opened without its key: a plain row would
    break it, so nothing is appended."""


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


@dataclass(frozen=True, slots=True)
class Anchor:
    """A row id and the start of its hash, written down outside the database."""

    row_id: int
    fingerprint: str

    @classmethod
    def of(cls, row_id: int, row_hash: str) -> Anchor:
        return cls(row_id, row_hash[:FINGERPRINT_HEX])

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """ "ID:FINGERPRINT" as the manifests and digests print it; ValueError otherwise."""
        row_id, sep, fingerprint = text.strip().partition(":")
        fingerprint = fingerprint.strip().lower()
        if (
            not sep
            or not row_id.strip().isdigit()
            or len(fingerprint) < FINGERPRINT_HEX
            or any(c not in "0123456789abcdef" for c in fingerprint)
        ):
            raise ValueError(
                f"{text!r}: expected ROW:FINGERPRINT, e.g. 42:{'0' * FINGERPRINT_HEX} "
                f"(at least {FINGERPRINT_HEX} hexadecimal digits)"
            )
        return cls(int(row_id), fingerprint)

    def __str__(self) -> str:
        return f"{self.row_id}:{self.fingerprint}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What verifying the chain found; `first_bad` is the first row it fails at."""

    rows: int
    problems: list[str] = field(default_factory=list)
    first_bad: int | None = None
    keyed_from: int | None = None  # the marker row's id; None: the chain is plain
    head: Anchor | None = None


def plain_digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of a row before the keyed chain (and all anyone can recompute)."""
    return hashlib.sha256((prev_hash + dumps(fields)).encode()).hexdigest()


def keyed_digest(key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of a row of the keyed chain: only the key's holder can produce it."""
    return hmac.new(key, (prev_hash + dumps(fields)).encode(), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """Names a key without revealing it, so a wrong key is told apart from tampering."""
    return hmac.new(key, b"sopbot audit key id", hashlib.sha256).hexdigest()[:16]


_FIELDS: Final = (
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


def row_fields(row: Mapping[str, Any] | sqlite3.Row) -> dict[str, Any]:
    """The stored columns a row's hash covers."""
    return {k: row[k] for k in _FIELDS}


class AuditLog:
    """Appends to and reads the trail; `key` is None only where the chain is not keyed."""

    def __init__(
        self, conn: aiosqlite.Connection, agency: str = "default", key: bytes | None = None
    ) -> None:
        self.conn = conn
        self.agency = agency
        self.key = key
        self.appended = 0  # rows appended through this object (an effect, for the inbox)

    async def _last_hash(self) -> str:
        row = await fetch_one(self.conn, "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        return str(row[0]) if row else GENESIS

    async def is_keyed(self) -> bool:
        """Whether the keyed chain has started (its marker row exists)."""
        sql = "SELECT 1 FROM audit_log WHERE action = ? LIMIT 1"
        return await fetch_one(self.conn, sql, (KEYED_MARKER,)) is not None

    async def start_keyed_chain(self, now: datetime) -> bool:
        """Write the marker row once; every row after it is keyed. True if written now."""
        if self.key is None:
            raise AuditKeyMissing("the keyed chain needs the audit key")
        if await self.is_keyed():
            return False
        marker = AuditEvent(
            at=now,
            actor=SYSTEM,
            action=KEYED_MARKER,
            step_key="",
            round=0,
            task_seq=None,
            from_state="plain",
            to_state="keyed",
            data={"key_id": key_id(self.key)},
        )
        await self.append(None, [marker])
        return True

    async def append(self, case_id: int | None, events: Iterable[AuditEvent]) -> None:
        """Chain the events to the newest row and write them in one statement."""
        events = list(events)
        if not events:
            return
        if self.key is None and await self.is_keyed():
            raise AuditKeyMissing("the audit chain is keyed: open the database with its key")
        prev = await self._last_hash()
        rows: list[dict[str, Any]] = []
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
            if self.key is not None:
                digest = keyed_digest(self.key, prev, fields)
            else:
                digest = plain_digest(prev, fields)
            rows.append({**fields, "prev_hash": prev, "hash": digest})
            prev = digest
        await self.conn.executemany(
            "INSERT INTO audit_log (agency, case_id, at, actor, action, step_key, round, "
            "task_seq, from_state, to_state, reason, data_json, prev_hash, hash) VALUES "
            "(:agency, :case_id, :at, :actor, :action, :step_key, :round, :task_seq, "
            ":from_state, :to_state, :reason, :data_json, :prev_hash, :hash)",
            rows,
        )
        self.appended += len(rows)

    async def for_case(self, case_id: int) -> list[AuditRow]:
        sql = "SELECT * FROM audit_log WHERE case_id = ? ORDER BY id"
        return [_row(r) for r in await fetch_all(self.conn, sql, (case_id,))]

    async def head(self) -> Anchor | None:
        """The newest row as an anchor to write down outside the database."""
        row = await fetch_one(self.conn, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        return None if row is None else Anchor.of(int(row[0]), str(row[1]))

    async def verify(self, anchors: Sequence[Anchor] = ()) -> ChainReport:
        """Check every row's link and hash (keyed from the marker on) and each anchor."""
        check = _ChainCheck(self.key)
        async with self.conn.execute("SELECT * FROM audit_log ORDER BY id") as cur:
            async for r in cur:
                check.row(r)
        return check.report(anchors)


class _ChainCheck:
    """Walks the rows in id order; the first problem names the first row that fails."""

    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.prev = GENESIS
        self.rows = 0
        self.problems: list[str] = []
        self.first_bad: int | None = None
        self.keyed_from: int | None = None
        self.unverifiable = False
        self.hashes: dict[int, str] = {}

    def fail(self, row_id: int, problem: str) -> None:
        self.problems.append(f"audit row {row_id}: {problem}")
        if self.first_bad is None:
            self.first_bad = row_id

    def row(self, r: sqlite3.Row) -> None:
        row_id = int(r["id"])
        self.rows += 1
        self.hashes[row_id] = str(r["hash"])
        if r["prev_hash"] != self.prev:
            self.fail(row_id, "chain broken before this row")
        if self.keyed_from is None and r["action"] == KEYED_MARKER:
            self.keyed_from = row_id
            if self.key is None:
                self.unverifiable = True
                self.fail(row_id, "the chain is keyed from here; the audit key is needed")
            elif loads(r["data_json"]).get("key_id") != key_id(self.key):
                self.unverifiable = True
                self.fail(row_id, "the chain was keyed with another key than the one given")
        if self.unverifiable:
            pass  # reported once at the marker; the rest cannot be checked
        elif self.keyed_from is not None:
            assert self.key is not None
            if keyed_digest(self.key, r["prev_hash"], row_fields(r)) != r["hash"]:
                self.fail(row_id, "content does not match its keyed hash")
        elif plain_digest(r["prev_hash"], row_fields(r)) != r["hash"]:
            self.fail(row_id, "content does not match its hash")
        self.prev = r["hash"]

    def report(self, anchors: Sequence[Anchor]) -> ChainReport:
        if self.key is not None and self.keyed_from is None and self.rows:
            self.problems.append(
                "no keyed chain although there is an audit key: the marker row is gone, "
                "so the log was rewritten without the key"
            )
        for anchor in anchors:
            stored = self.hashes.get(anchor.row_id)
            if stored is None:
                self.problems.append(f"anchor {anchor}: row {anchor.row_id} is missing")
            elif not stored.startswith(anchor.fingerprint):
                self.problems.append(
                    f"anchor {anchor}: row {anchor.row_id} is not the row anchored; "
                    f"the log was rewritten at or before row {anchor.row_id}"
                )
        head = max(self.hashes, default=None)
        return ChainReport(
            rows=self.rows,
            problems=self.problems,
            first_bad=self.first_bad,
            keyed_from=self.keyed_from,
            head=None if head is None else Anchor.of(head, self.hashes[head]),
        )


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


def head_anchor(database: Path) -> Anchor | None:
    """The newest row of a database file (a backup's copy) as an anchor; None when it has
    no audit row (or no audit log at all: not the bot's database)."""
    conn = sqlite3.connect(database)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'"
        ).fetchone():
            return None
        row = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return None if row is None else Anchor.of(int(row[0]), str(row[1]))


async def verify_audit(
    database: Path, key: bytes | None, anchors: Sequence[Anchor] = ()
) -> ChainReport:
    """The audit log's chain checked with `key` (None: no key found), read without writing."""
    async with aiosqlite.connect(database) as conn:
        conn.row_factory = aiosqlite.Row
        return await AuditLog(conn, key=key).verify(anchors)
