"""Reminder rows: the database, not the scheduler, knows what is due and what was sent.

A reminder is planned when a task's clock starts, cancelled when it stops, and marked
sent in the same transaction that puts its message in the outbox. `tick(now)` reads
`due(now)`; APScheduler only wakes it at `next_due()`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.codec import from_iso, opt_from_iso, to_iso
from storage.query import fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class ReminderRow:
    id: int
    case_id: int
    task_seq: int
    kind: str
    due_at: datetime
    sent_at: datetime | None


class Reminders:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.planned = False  # this transaction planned reminders (the tick is re-planned)

    async def plan(
        self, case_id: int, task_seq: int, items: Iterable[tuple[str, datetime]]
    ) -> None:
        """Add reminders; one of a kind per task, so planning twice changes nothing."""
        await self.plan_many([(case_id, task_seq, kind, at) for kind, at in items])

    async def plan_many(self, rows: Sequence[tuple[int, int, str, datetime]]) -> None:
        """(case, task, kind, due) each, in one statement: the reminders of every task a
        decision opens (three Kepala Bidang on a paraf)."""
        if not rows:
            return
        await self.conn.executemany(
            "INSERT INTO reminders (case_id, task_seq, kind, due_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (case_id, task_seq, kind) DO NOTHING",
            [(case_id, seq, kind, to_iso(at)) for case_id, seq, kind, at in rows],
        )
        self.planned = True

    async def cancel_for_task(self, case_id: int, task_seq: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE reminders SET cancelled_at = ? WHERE case_id = ? AND task_seq = ? "
            "AND sent_at IS NULL AND cancelled_at IS NULL",
            (to_iso(now), case_id, task_seq),
        )

    async def resume_for_task(self, case_id: int, task_seq: int) -> None:
        """A task open again (an undo): the reminders its closing cancelled are due again;
        one whose time has passed goes out at the next tick, as it would have."""
        await self.conn.execute(
            "UPDATE reminders SET cancelled_at = NULL WHERE case_id = ? AND task_seq = ? "
            "AND sent_at IS NULL AND cancelled_at IS NOT NULL",
            (case_id, task_seq),
        )
        self.planned = True

    async def skip(self, reminder_id: int, now: datetime) -> None:
        """A reminder that lost its meaning (a half-time nudge after the deadline)."""
        await self.conn.execute(
            "UPDATE reminders SET cancelled_at = ? WHERE id = ? AND sent_at IS NULL",
            (to_iso(now), reminder_id),
        )

    async def due(self, now: datetime, limit: int = 500) -> list[ReminderRow]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM reminders WHERE sent_at IS NULL AND cancelled_at IS NULL "
            "AND due_at <= ? ORDER BY due_at, id LIMIT ?",
            (to_iso(now), limit),
        )
        return [_row(r) for r in rows]

    async def next_due(self) -> datetime | None:
        row = await fetch_one(
            self.conn,
            "SELECT MIN(due_at) FROM reminders WHERE sent_at IS NULL AND cancelled_at IS NULL",
        )
        return None if row is None or row[0] is None else from_iso(row[0])

    async def mark_sent(self, reminder_id: int, now: datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE reminders SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
            (to_iso(now), reminder_id),
        )
        return cur.rowcount == 1

    async def for_task(self, case_id: int, task_seq: int) -> list[ReminderRow]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM reminders WHERE case_id = ? AND task_seq = ? ORDER BY due_at, id",
            (case_id, task_seq),
        )
        return [_row(r) for r in rows]

    async def forget_settled(self, settled_before: datetime) -> int:
        """Drop the reminders of closed tasks that were sent or cancelled before
        `settled_before` (retention): nothing plans or reads them again (a closed task
        gets no reminder, and the audit log says what was decided)."""
        cutoff = to_iso(settled_before)
        cur = await self.conn.execute(
            "DELETE FROM reminders WHERE (sent_at < ? OR cancelled_at < ?) AND EXISTS ("
            "SELECT 1 FROM tasks WHERE tasks.case_id = reminders.case_id "
            "AND tasks.seq = reminders.task_seq AND tasks.status != 'open')",
            (cutoff, cutoff),
        )
        return cur.rowcount


def _row(r: sqlite3.Row) -> ReminderRow:
    return ReminderRow(
        id=int(r["id"]),
        case_id=int(r["case_id"]),
        task_seq=int(r["task_seq"]),
        kind=r["kind"],
        due_at=from_iso(r["due_at"]),
        sent_at=opt_from_iso(r["sent_at"]),
    )
