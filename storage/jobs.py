"""Durable background jobs (rendering documents, converting to PDF).

An action that needs a document rendered commits a job row with its state change; a
worker runs the job after the commit and marks it done. A crash in between only means
the job runs again at start-up, so rendering must be idempotent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.codec import dumps, loads, to_iso
from storage.query import fetch_all


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    case_id: int | None
    payload: Mapping[str, Any]
    attempts: int


_INSERT = "INSERT INTO jobs (kind, case_id, payload_json, created_at) VALUES (?, ?, ?, ?)"


class Jobs:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.queued = False  # this transaction added a job (the worker runs it after commit)

    async def add(
        self, kind: str, case_id: int | None, payload: Mapping[str, Any], now: datetime
    ) -> int:
        cur = await self.conn.execute(_INSERT, (kind, case_id, dumps(payload), to_iso(now)))
        assert cur.lastrowid is not None
        self.queued = True
        return int(cur.lastrowid)

    async def add_many(
        self, jobs: Sequence[tuple[str, int | None, Mapping[str, Any]]], now: datetime
    ) -> None:
        """(kind, case, payload) each, in one statement (a PDF copy for each Kepala Bidang)."""
        if not jobs:
            return
        at = to_iso(now)
        rows = [(kind, case_id, dumps(payload), at) for kind, case_id, payload in jobs]
        await self.conn.executemany(_INSERT, rows)
        self.queued = True

    async def pending(self, limit: int = 20) -> list[Job]:
        rows = await fetch_all(
            self.conn, "SELECT * FROM jobs WHERE done_at IS NULL ORDER BY id LIMIT ?", (limit,)
        )
        return [_job(r) for r in rows]

    async def done(self, job_id: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE jobs SET done_at = ?, attempts = attempts + 1 WHERE id = ?",
            (to_iso(now), job_id),
        )

    async def failed(self, job_id: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE jobs SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], job_id),
        )

    async def forget_done(self, done_before: datetime) -> int:
        """Drop jobs done before `done_before` (retention): a done job is never read
        again; what it made is in `documents` and the file store."""
        cur = await self.conn.execute(
            "DELETE FROM jobs WHERE done_at IS NOT NULL AND done_at < ?", (to_iso(done_before),)
        )
        return cur.rowcount


def _job(r: sqlite3.Row) -> Job:
    return Job(
        id=int(r["id"]),
        kind=r["kind"],
        case_id=r["case_id"],
        payload=loads(r["payload_json"]),
        attempts=int(r["attempts"]),
    )
