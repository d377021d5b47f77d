"""Open dialogs: the question a Telegram user was asked and what they answered so far.

One row per open dialog (per conversation and user), written before its question is
sent, so an answer typed after a crash finds its dialog. The row holds the dialog's
state (the `ConversationHandler` state number) with its data: it is the one record of
the dialog, and PTB reads the states back from here at start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.codec import to_iso
from storage.query import fetch_all, fetch_one

DialogKey = tuple[str, int]
"""(conversation name, Telegram user id): which open dialog."""


@dataclass(frozen=True, slots=True)
class OpenDialog:
    name: str  # the conversation: "task_dialog", "start_case", "sheet_upload"
    chat_id: int
    user_id: int
    state: int
    data: dict[str, Any]


class Dialogs:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.moved = 0  # dialogs moved on through this object (an effect of the update)

    async def keep(self, dialog: OpenDialog, now: datetime, *, opens: bool = False) -> None:
        """Open the dialog, or move it on (a user has one open dialog per conversation).

        `opens`: the update in hand opened it (a button, a command), which, replayed after
        a crash, opens it again and asks again: not an effect that makes the update done
        (see `storage.inbox`). Moving it on (an answer taken) is: replayed, the answer
        would be taken as the next question's."""
        if not opens:
            self.moved += 1
        await self.conn.execute(
            "INSERT INTO dialogs (name, user_id, chat_id, state, data_json, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name, user_id) DO UPDATE SET "
            "chat_id = excluded.chat_id, state = excluded.state, "
            "data_json = excluded.data_json, updated_at = excluded.updated_at",
            (
                dialog.name,
                dialog.user_id,
                dialog.chat_id,
                dialog.state,
                json.dumps(dialog.data, ensure_ascii=False),
                to_iso(now),
            ),
        )

    async def get(self, name: str, user_id: int) -> OpenDialog | None:
        row = await fetch_one(
            self.conn,
            "SELECT chat_id, state, data_json FROM dialogs WHERE name = ? AND user_id = ?",
            (name, user_id),
        )
        if row is None:
            return None
        return OpenDialog(name, int(row[0]), user_id, int(row[1]), json.loads(row[2]))

    async def end(self, name: str, user_id: int) -> bool:
        """Close the dialog; False when none was open."""
        cur = await self.conn.execute(
            "DELETE FROM dialogs WHERE name = ? AND user_id = ?", (name, user_id)
        )
        return cur.rowcount > 0

    async def states(self, name: str) -> dict[tuple[int, int], int]:
        """Every open dialog of the conversation: (chat id, user id) -> state."""
        rows = await fetch_all(
            self.conn, "SELECT chat_id, user_id, state FROM dialogs WHERE name = ?", (name,)
        )
        return {(int(r[0]), int(r[1])): int(r[2]) for r in rows}
