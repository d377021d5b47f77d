"""The outbox: messages an action caused, committed with it, delivered after the commit.

A row is marked sent only after Telegram said OK, so a crash loses no message; the only
duplicate possible is one delivered in the instant between Telegram's OK and the mark.
Rows for the same task are delivered in id order, which keeps "send the task" before
"edit the task" even across restarts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.codec import dumps, loads, opt_from_iso, to_iso
from storage.query import fetch_all, fetch_one


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    case_id: int | None
    task_seq: int | None
    officer_key: str | None
    chat_id: int | None
    kind: str  # send | edit | document
    payload: Mapping[str, Any]
    attempts: int
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class TaskMessage:
    chat_id: int
    message_id: int
    has_document: bool


@dataclass(frozen=True, slots=True)
class DeliveredFile:
    """A file the bot sent: to whom, for which case, the message that carries it and
    Telegram's id for the file (None when Telegram gave none, or sent before it was kept)."""

    officer_key: str | None
    case_id: int | None
    sha256: str
    chat_id: int
    message_id: int
    file_id: str | None = None


_DELIVERED_COLUMNS = "officer_key, case_id, sha256, chat_id, message_id, file_id"


def recipient(officer_key: str | None, chat_id: int | None) -> str:
    """Whom a row goes to, as one key ("officer:KEY" or "chat:ID"): what the delivery
    worker tracks so that a direct reply waits for that recipient's queue only."""
    return f"officer:{officer_key}" if officer_key is not None else f"chat:{chat_id}"


_INSERT = (
    "INSERT INTO outbox (case_id, task_seq, officer_key, chat_id, kind, payload_json, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A row to queue: its kind and payload (`bot.views.outgoing.encode`) and whom, about
    which case and task, it goes to."""

    kind: str
    payload: Mapping[str, Any]
    officer_key: str | None = None
    chat_id: int | None = None
    case_id: int | None = None
    task_seq: int | None = None

    def values(self, now: datetime) -> tuple[Any, ...]:
        return (
            self.case_id,
            self.task_seq,
            self.officer_key,
            self.chat_id,
            self.kind,
            dumps(self.payload),
            to_iso(now),
        )


class Outbox:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        # Who this transaction queued messages for (told to the delivery worker at commit).
        self.queued_for: set[str] = set()

    async def add(
        self,
        kind: str,
        payload: Mapping[str, Any],
        now: datetime,
        *,
        officer_key: str | None = None,
        chat_id: int | None = None,
        case_id: int | None = None,
        task_seq: int | None = None,
    ) -> int:
        """One row; its id (to ask later whether it was delivered)."""
        row = NewMessage(kind, payload, officer_key, chat_id, case_id, task_seq)
        return await self.add_row(row, now)

    async def add_row(self, row: NewMessage, now: datetime) -> int:
        cur = await self.conn.execute(_INSERT, row.values(now))
        assert cur.lastrowid is not None
        self.queued_for.add(recipient(row.officer_key, row.chat_id))
        return int(cur.lastrowid)

    async def add_many(self, rows: Sequence[NewMessage], now: datetime) -> None:
        """Rows in this order, in one statement: what one decision sends (a task message to
        each Kepala Bidang) costs one hop to SQLite's thread, not one per message."""
        if not rows:
            return
        await self.conn.executemany(_INSERT, [row.values(now) for row in rows])
        self.queued_for.update(recipient(r.officer_key, r.chat_id) for r in rows)

    async def pending(self, limit: int = 100) -> list[OutboxRow]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?",
            (limit,),
        )
        return [_row(r) for r in rows]

    async def all(self) -> list[OutboxRow]:
        rows = await fetch_all(self.conn, "SELECT * FROM outbox ORDER BY id")
        return [_row(r) for r in rows]

    async def fates(self, row_ids: Sequence[int]) -> list[tuple[bool, bool]]:
        """(sent, given up) for each of `row_ids` that exists, in id order."""
        marks = ", ".join("?" for _ in row_ids)
        rows = await fetch_all(
            self.conn,
            f"SELECT sent_at IS NOT NULL, failed_at IS NOT NULL FROM outbox "
            f"WHERE id IN ({marks}) ORDER BY id",
            tuple(row_ids),
        )
        return [(bool(r[0]), bool(r[1])) for r in rows]

    async def mark_sent(
        self, row_id: int, now: datetime, message_id: int | None, chat_id: int | None = None
    ) -> None:
        await self.conn.execute(
            "UPDATE outbox SET sent_at = ?, message_id = ?, chat_id = COALESCE(chat_id, ?), "
            "attempts = attempts + 1 WHERE id = ? AND sent_at IS NULL",
            (to_iso(now), message_id, chat_id, row_id),
        )

    async def record_delivered_file(
        self,
        row: OutboxRow,
        sha256: str,
        chat_id: int,
        message_id: int,
        file_id: str | None,
        now: datetime,
    ) -> None:
        """Index a file as it is marked sent (in the same commit as the mark): which
        message carried it to whom, for a later message that refers to it."""
        await self.conn.execute(
            f"INSERT OR REPLACE INTO delivered_files (outbox_id, {_DELIVERED_COLUMNS}, sent_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.id,
                row.officer_key,
                row.case_id,
                sha256,
                chat_id,
                message_id,
                file_id,
                to_iso(now),
            ),
        )

    async def task_of_message(self, chat_id: int, message_id: int) -> tuple[int, int] | None:
        """The task a message we sent belongs to (task message, its draft, a reminder)."""
        row = await fetch_one(
            self.conn,
            "SELECT case_id, task_seq FROM outbox WHERE chat_id = ? AND message_id = ? "
            "AND case_id IS NOT NULL AND task_seq IS NOT NULL ORDER BY id DESC LIMIT 1",
            (chat_id, message_id),
        )
        return None if row is None else (int(row[0]), int(row[1]))

    async def mark_attempt(self, row_id: int, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error[:500], row_id),
        )

    async def mark_failed(self, row_id: int, now: datetime, error: str) -> None:
        """Give up on a row (e.g. the officer has no Telegram account yet); it stays visible."""
        await self.conn.execute(
            "UPDATE outbox SET failed_at = ?, last_error = ?, attempts = attempts + 1 "
            "WHERE id = ?",
            (to_iso(now), error[:500], row_id),
        )

    async def requeue_failed_for(self, officer_key: str) -> int:
        """An officer joined or unblocked the bot: deliver what they missed."""
        cur = await self.conn.execute(
            "UPDATE outbox SET failed_at = NULL WHERE officer_key = ? AND sent_at IS NULL "
            "AND failed_at IS NOT NULL",
            (officer_key,),
        )
        if cur.rowcount:
            self.queued_for.add(recipient(officer_key, None))
        return cur.rowcount

    # -- retention -------------------------------------------------------------------

    async def prune_delivered(self, sent_before: datetime) -> int:
        """Drop the text of messages delivered before `sent_before`; returns how many.

        Files are indexed when marked sent (`record_delivered_file`); one sent before
        that index was kept is indexed here, before its payload goes. The row stays, small: when
        it went to whom, and which task a reply to it is about (`task_of_message`).
        """
        cutoff = to_iso(sent_before)
        await self.conn.execute(
            "INSERT OR IGNORE INTO delivered_files (outbox_id, officer_key, case_id, sha256, "
            "chat_id, message_id, sent_at) SELECT id, officer_key, case_id, "
            "json_extract(payload_json, '$.sha256'), chat_id, message_id, sent_at FROM outbox "
            "WHERE kind = 'document' AND sent_at IS NOT NULL AND sent_at < ? "
            "AND payload_json != '{}' AND chat_id IS NOT NULL AND message_id IS NOT NULL",
            (cutoff,),
        )
        cur = await self.conn.execute(
            "UPDATE outbox SET payload_json = '{}' "
            "WHERE sent_at IS NOT NULL AND sent_at < ? AND payload_json != '{}'",
            (cutoff,),
        )
        return cur.rowcount

    async def reminder_messages(self, case_id: int, task_seq: int, chat_id: int) -> list[int]:
        """The reminders of a task delivered into a chat (they carry the task's buttons)."""
        rows = await fetch_all(
            self.conn,
            "SELECT message_id FROM outbox WHERE case_id = ? AND task_seq = ? AND chat_id = ? "
            "AND kind = 'send' AND message_id IS NOT NULL "
            "AND json_extract(payload_json, '$.reminder') IS NOT NULL "
            "AND json_extract(payload_json, '$.buttons[0]') IS NOT NULL ORDER BY id",
            (case_id, task_seq, chat_id),
        )
        return [int(r[0]) for r in rows]

    async def delivered_file(self, sha256: str, chat_id: int) -> DeliveredFile | None:
        """The newest message that carried this file to this chat, if any."""
        return await self._newest_delivery("sha256 = ? AND chat_id = ?", (sha256, chat_id))

    async def delivered_to(
        self, officer_key: str, sha256: str, case_id: int | None = None
    ) -> DeliveredFile | None:
        """The newest message that already carried this file to this officer (for this
        case, when `case_id` is given), if any: what a later message can point to instead
        of sending the file again."""
        if case_id is None:
            return await self._newest_delivery(
                "officer_key = ? AND sha256 = ?", (officer_key, sha256)
            )
        return await self._newest_delivery(
            "officer_key = ? AND sha256 = ? AND case_id = ?", (officer_key, sha256, case_id)
        )

    async def _newest_delivery(
        self, where: str, params: tuple[object, ...]
    ) -> DeliveredFile | None:
        row = await fetch_one(
            self.conn,
            f"SELECT {_DELIVERED_COLUMNS} FROM delivered_files WHERE {where} "
            "ORDER BY outbox_id DESC LIMIT 1",
            params,
        )
        if row is None:
            return None
        return DeliveredFile(row[0], row[1], row[2], int(row[3]), int(row[4]), row[5])

    # -- where each task's message lives, so later edits can reach it -----------------

    async def remember_task_message(
        self, case_id: int, task_seq: int, chat_id: int, message_id: int, has_document: bool
    ) -> None:
        await self.conn.execute(
            "INSERT INTO task_messages (case_id, task_seq, chat_id, message_id, has_document) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, task_seq, chat_id) DO UPDATE SET "
            "message_id = excluded.message_id, has_document = excluded.has_document",
            (case_id, task_seq, chat_id, message_id, int(has_document)),
        )

    async def task_message(self, case_id: int, task_seq: int) -> TaskMessage | None:
        row = await fetch_one(
            self.conn,
            "SELECT chat_id, message_id, has_document FROM task_messages "
            "WHERE case_id = ? AND task_seq = ? ORDER BY rowid DESC LIMIT 1",
            (case_id, task_seq),
        )
        if row is None:
            return None
        return TaskMessage(int(row[0]), int(row[1]), bool(row[2]))


def _row(r: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=int(r["id"]),
        case_id=r["case_id"],
        task_seq=r["task_seq"],
        officer_key=r["officer_key"],
        chat_id=r["chat_id"],
        kind=r["kind"],
        payload=loads(r["payload_json"]),
        attempts=int(r["attempts"]),
        sent_at=opt_from_iso(r["sent_at"]),
    )
