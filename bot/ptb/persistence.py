"""PTB persistence backed by the bot's SQLite file: short dialogs survive a restart.

Only conversation states and `user_data` (the scratch of a dialog in progress, e.g. which
task a reason is for) are stored; the SOP's own state never lives here. PTB writes
persistence on an interval; `bot.app` also flushes after every update, so a dialog step
the user saw acknowledged is on disk.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database

UserData = dict[Any, Any]


class SqlitePersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 5) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, UserData]:
        await self.db.ensure_open()
        rows = await self.db.fetchall("SELECT user_id, data_json FROM ptb_user_data")
        return {int(r[0]): json.loads(r[1]) for r in rows}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self.db.ensure_open()
        rows = await self.db.fetchall(
            "SELECT key_json, state_json FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(r[0])): json.loads(r[1]) for r in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        key_json = json.dumps(list(key))
        async with self.db.transaction() as conn:
            if new_state is None:
                await conn.execute(
                    "DELETE FROM ptb_conversations WHERE name = ? AND key_json = ?",
                    (name, key_json),
                )
            else:
                await conn.execute(
                    "INSERT INTO ptb_conversations (name, key_json, state_json) VALUES (?, ?, ?) "
                    "ON CONFLICT (name, key_json) DO UPDATE SET state_json = excluded.state_json",
                    (name, key_json, json.dumps(new_state)),
                )

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO ptb_user_data (user_id, data_json) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET data_json = excluded.data_json",
                (user_id, json.dumps(data)),
            )

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None
