"""The inbox: every update Telegram hands over, on disk before the bot acts on it.

In polling mode Telegram forgets an update once the next getUpdates confirms it, which
PTB sends as soon as the update is in its queue, long before a handler has finished; in
webhook mode once the bot answers 200. An update in hand when the process dies would be
lost. So the queue's `put` appends the update here first (`append`), on a connection of
its own with `synchronous=NORMAL`: the append survives a killed process (SIGKILL, the
OOM killer), not a power cut, and costs no fsync on the path of every update.

An update is done in the same transaction as its effect: a unit of work that appends to
the audit trail, or moves on a dialog (an answer kept is an effect: replayed, it would
be taken as the next question's answer), while the update is in hand marks it
(`mark_in_hand_done`), so a crash either leaves both or neither. An update without such
an effect (a query, answered again if it is replayed; a press or command that opens a
dialog, which replayed opens it and asks its question again) is marked when its handling
ends (`done`). At
start, before polling, the unfinished ones are replayed (`take_unfinished`), each once
per start and never also as Telegram's second delivery of it; one whose replay was cut
short `MAX_REPLAYS` times is given up (logged), so an update that kills the bot cannot
keep it from starting. Updates are
keyed by `update_id` and never assumed to grow (Telegram restarts the numbering at
random after a quiet week); a done row is kept a day, longer than Telegram keeps an
unconfirmed update, so one delivered twice is handled once.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import aiosqlite

from storage.query import fetch_all

log = logging.getLogger(__name__)

MAX_REPLAYS: Final = 3  # starts an unfinished update is replayed in before it is given up
KEEP_DONE: Final = "-1 day"  # SQLite modifier: Telegram keeps an unconfirmed update 24 h
_NOW: Final = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"  # Telegram's time, not the bot's clock


@dataclass(slots=True)
class InHand:
    """The update being handled. Shared by every task started while it is in hand, so
    `active` turns off for all of them when its handling ends."""

    update_id: int
    replay: bool = False
    active: bool = True
    done: bool = False  # marked done in its effect's transaction


_IN_HAND: ContextVar[InHand | None] = ContextVar("update_in_hand", default=None)


def hold(update_id: int, *, replay: bool) -> InHand:
    """This task now handles `update_id` (set by the first handler group)."""
    hand = InHand(update_id, replay)
    _IN_HAND.set(hand)
    return hand


def in_hand() -> InHand | None:
    """The update this task is handling, if any."""
    hand = _IN_HAND.get()
    return hand if hand is not None and hand.active else None


def let_go() -> InHand | None:
    """Handling ended: the update is no longer in hand; what was."""
    hand = in_hand()
    if hand is not None:
        hand.active = False
    _IN_HAND.set(None)
    return hand


async def mark_in_hand_done(conn: aiosqlite.Connection) -> None:
    """Inside an open transaction with an effect: the update in hand is done with it."""
    hand = in_hand()
    if hand is None or hand.done:
        return
    await conn.execute(
        f"UPDATE inbox SET done_at = {_NOW} WHERE update_id = ? AND done_at IS NULL",
        (hand.update_id,),
    )
    hand.done = True


class Inbox:
    """The inbox table, written through its own connection (see the module's note)."""

    def __init__(self, path: Path, *, timeout: float = 10.0) -> None:
        self.path = path
        self._timeout = timeout
        self._conn: aiosqlite.Connection | None = None
        self.appends = 0  # rows appended by this process (benchmarks count them apart)

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the inbox is not open")
        return self._conn

    async def open(self) -> None:
        """Open after the database (its migrations create the table)."""
        if self._conn is not None:
            return
        conn = await aiosqlite.connect(self.path, isolation_level=None, timeout=self._timeout)
        await conn.execute("PRAGMA synchronous=NORMAL")  # survives SIGKILL, not power loss
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def append(self, update_id: int, body_json: str) -> bool:
        """Store the update; False when it is already here (delivered twice). One hop
        to SQLite's thread (`RETURNING`, read whole): this is on every update's path."""
        stored = await fetch_all(
            self.conn,
            "INSERT OR IGNORE INTO inbox (update_id, body_json, received_at) "
            f"VALUES (?, ?, {_NOW}) RETURNING update_id",
            (update_id, body_json),
        )
        fresh = bool(stored)
        if fresh:
            self.appends += 1
        return fresh

    async def done(self, hand: InHand) -> None:
        """Handling ended without an effect that marked it: mark it now."""
        if hand.done:
            return
        await self.conn.execute(
            f"UPDATE inbox SET done_at = {_NOW} WHERE update_id = ? AND done_at IS NULL",
            (hand.update_id,),
        )
        hand.done = True

    async def prune(self) -> int:
        """Forget updates done over a day ago (at start and daily); how many."""
        cur = await self.conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < "
            f"strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '{KEEP_DONE}')"
        )
        pruned = cur.rowcount
        await cur.close()
        return pruned

    async def take_unfinished(self) -> list[tuple[int, str]]:
        """At start: (update_id, body) of each update to replay, in arrival order, counted
        as replayed; one whose replays were all cut short (it may be what kills the bot) is
        given up and logged."""
        conn = self.conn
        await conn.execute("BEGIN IMMEDIATE")
        try:
            rows = await fetch_all(
                conn,
                "SELECT update_id FROM inbox WHERE done_at IS NULL AND replays >= ?",
                (MAX_REPLAYS,),
            )
            given_up = [int(r[0]) for r in rows]
            await conn.execute(
                f"UPDATE inbox SET done_at = {_NOW}, gave_up = 1 "
                "WHERE done_at IS NULL AND replays >= ?",
                (MAX_REPLAYS,),
            )
            rows = await fetch_all(
                conn, "SELECT update_id, body_json FROM inbox WHERE done_at IS NULL ORDER BY id"
            )
            todo = [(int(r[0]), str(r[1])) for r in rows]
            await conn.execute("UPDATE inbox SET replays = replays + 1 WHERE done_at IS NULL")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        for update_id in given_up:
            log.error(
                "update %d was cut short in %d replays: given up (the sender gets no answer)",
                update_id,
                MAX_REPLAYS,
            )
        return todo
