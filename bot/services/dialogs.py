"""The open dialogs of the chat: each kept in the bot's database before its question goes out.

A dialog (a return reason, the /mulai letter, an indicator sheet) asks a question and
waits. Its data and state are written here, in one transaction, BEFORE the question is
sent: whatever the officer has seen, a restart still knows. This is the one record of a
dialog; PTB's conversation states are read back from it at start (`states`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.clock import Clock
from storage.db import Database
from storage.dialogs import OpenDialog
from storage.uow import reading, unit_of_work


class DialogStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        # Which dialogs are open, for the conversations read at start (`states`): this
        # process is the only writer, so a press with no dialog open costs no transaction
        # (a press is one read and one write; closing nothing must not add a third).
        self._loaded: set[str] = set()
        self._open: set[tuple[str, int]] = set()

    def _surely_closed(self, name: str, user_id: int) -> bool:
        return name in self._loaded and (name, user_id) not in self._open

    async def keep(
        self, name: str, chat_id: int, user_id: int, state: int, data: Mapping[str, object]
    ) -> None:
        """Open or move on the user's dialog; on disk when this returns.

        One this process knows to be closed (`_surely_closed`) is opened by the update in
        hand: that update stays unfinished until its handling ends, after the question
        (a crash before that replays it, and the question is asked). Any other keep moves
        the dialog on, and finishes the update with it."""
        opens = self._surely_closed(name, user_id)
        async with unit_of_work(self.db) as tx:
            dialog = OpenDialog(name, chat_id, user_id, state, dict(data))
            await tx.dialogs.keep(dialog, self.clock.now(), opens=opens)
        self._open.add((name, user_id))

    async def data(self, name: str, user_id: int) -> dict[str, Any] | None:
        """The open dialog's data; None when the user has none open in `name`."""
        if self._surely_closed(name, user_id):
            return None
        async with reading(self.db) as tx:
            dialog = await tx.dialogs.get(name, user_id)
        return None if dialog is None else dialog.data

    async def end(self, name: str, user_id: int) -> dict[str, Any] | None:
        """Close the dialog; its data, or None when none was open."""
        if self._surely_closed(name, user_id):
            return None
        async with unit_of_work(self.db) as tx:
            dialog = await tx.dialogs.get(name, user_id)
            if dialog is not None:
                await tx.dialogs.end(name, user_id)
        self._open.discard((name, user_id))
        return None if dialog is None else dialog.data

    def closed(self, name: str, user_id: int) -> None:
        """The dialog was closed in an action's own transaction (`WorkflowService.act`)."""
        self._open.discard((name, user_id))

    async def states(self, name: str) -> dict[tuple[int, int], int]:
        """(chat id, user id) -> state of every open dialog of `name` (read at start)."""
        await self.db.ensure_open()
        async with reading(self.db) as tx:
            states = await tx.dialogs.states(name)
        self._open |= {(name, user_id) for _, user_id in states}
        self._loaded.add(name)
        return states
