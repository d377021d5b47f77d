"""PTB persistence that only reads the open dialogs' states back at start.

A dialog's state and data are written by its handler, through `DialogStore`, in one
transaction before its question is sent; that row is the one record of the dialog.
PTB's own persistence flushes on an interval and after the handlers ran, which a SIGKILL
right after the question beats, so nothing is stored through it: `get_conversations`
hands each persistent `ConversationHandler` the states of its open dialogs, and every
write PTB offers is ignored (the handler already wrote the row, or ended it).
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.services.dialogs import DialogStore

NoData = dict[Any, Any]


class DialogPersistence(BasePersistence[NoData, NoData, NoData]):
    def __init__(self, dialogs: DialogStore) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
        )
        self.dialogs = dialogs

    async def get_conversations(self, name: str) -> ConversationDict:
        states = await self.dialogs.states(name)
        return {key: state for key, state in states.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        return None  # the handler kept (or ended) the dialog's row before answering

    async def get_user_data(self) -> dict[int, NoData]:
        return {}

    async def get_chat_data(self) -> dict[int, NoData]:
        return {}

    async def get_bot_data(self) -> NoData:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_user_data(self, user_id: int, data: NoData) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: NoData) -> None:
        return None

    async def update_bot_data(self, data: NoData) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: NoData) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: NoData) -> None:
        return None

    async def refresh_bot_data(self, bot_data: NoData) -> None:
        return None

    async def flush(self) -> None:
        return None
