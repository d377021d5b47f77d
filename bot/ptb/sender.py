"""Delivers the outbox to Telegram, after the commit that wrote it.

Each row is marked sent only after Telegram's OK; a crash in between can at worst send
that one row twice, never lose it. Rows go out in id order, one drain at a time, so a
task message is always sent before its edits. An officer who has not joined yet or who
blocked the bot is reported (once per row) and the row is kept to deliver when they join.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.clock import Clock
from bot.crashpoints import crashpoint
from storage.db import Database
from storage.files import FileCorrupt, FileMissing, FileStore
from storage.outbox import OutboxRow
from storage.uow import reading, unit_of_work

log = logging.getLogger(__name__)

ChatResolver = Callable[[str], Awaitable[int | None]]
UnreachableHandler = Callable[[str, str], Awaitable[None]]
DamagedFileHandler = Callable[[OutboxRow, Exception], Awaitable[None]]


def keyboard(buttons: Any) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row]
        for row in buttons or []
    ]
    return InlineKeyboardMarkup(rows) if rows else None


class NotJoined(Exception):
    """The officer has no Telegram account bound yet."""


class OutboxSender:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        files: FileStore,
        clock: Clock,
        resolve_chat: ChatResolver,
        on_unreachable: UnreachableHandler,
        agency: str = "default",
        on_damaged_file: DamagedFileHandler | None = None,
    ) -> None:
        self.bot = bot
        self.db = db
        self.files = files
        self.clock = clock
        self.resolve_chat = resolve_chat
        self.on_unreachable = on_unreachable
        self.agency = agency
        self.on_damaged_file = on_damaged_file
        self._lock = asyncio.Lock()

    async def drain(self) -> int:
        """Deliver every pending row; returns how many were delivered."""
        delivered = 0
        async with self._lock:
            while True:
                async with reading(self.db, self.agency) as tx:
                    rows = await tx.outbox.pending(limit=50)
                if not rows:
                    return delivered
                for row in rows:
                    outcome = await self._deliver(row)
                    if outcome == "retry-later":
                        return delivered
                    delivered += outcome == "sent"

    async def _deliver(self, row: OutboxRow) -> str:
        try:
            chat_id = row.chat_id
            if chat_id is None and row.officer_key is not None:
                chat_id = await self.resolve_chat(row.officer_key)
            if chat_id is None:
                raise NotJoined(row.officer_key)
            crashpoint("sender.before_send", row.kind)
            message = await self._call(row, chat_id)
        except NotJoined:
            await self._give_up(row, "not joined")
            return "failed"
        except Forbidden as exc:
            await self._give_up(row, f"forbidden: {exc.message}")
            return "failed"
        except RetryAfter as exc:
            log.warning("flood control: retry outbox row %d later (%s)", row.id, exc)
            await self._attempt(row, str(exc))
            return "retry-later"
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest):
                return await self._bad_request(row, exc)
            log.warning("network error on outbox row %d: %s", row.id, exc)
            await self._attempt(row, str(exc))
            return "retry-later"
        except (FileCorrupt, FileMissing) as exc:
            log.error("outbox row %d: stored file unusable, not sent: %s", row.id, exc)
            # The recipient is reachable: the file is what failed, and people must hear it.
            await self._give_up(row, f"file: {exc}", report=self.on_damaged_file is None)
            if self.on_damaged_file is not None:
                await self.on_damaged_file(row, exc)
            return "failed"
        crashpoint("sender.sent_unmarked", row.kind)
        await self._mark_sent(row, message)
        crashpoint("sender.marked", row.kind)
        return "sent"

    async def _bad_request(self, row: OutboxRow, exc: BadRequest) -> str:
        text = exc.message.lower()
        if "not modified" in text:
            await self._mark_sent(row, None)  # the message already shows this
            return "sent"
        log.error("outbox row %d refused by Telegram: %s", row.id, exc.message)
        await self._give_up(row, f"bad request: {exc.message}", report=False)
        return "failed"

    async def _call(self, row: OutboxRow, chat_id: int) -> Message | None:
        payload: Mapping[str, Any] = row.payload
        if row.kind == "send":
            return await self.bot.send_message(
                chat_id,
                payload["text"],
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(payload.get("buttons")),
                disable_web_page_preview=True,
            )
        if row.kind == "document":
            data = await self.files.get(payload["sha256"])
            return await self.bot.send_document(
                chat_id,
                document=data,
                filename=payload["filename"],
                caption=payload.get("caption"),
                parse_mode=ParseMode.HTML,
            )
        if row.kind == "edit":
            return await self._edit(row, payload)
        raise ValueError(f"unknown outbox kind {row.kind!r}")

    async def _edit(self, row: OutboxRow, payload: Mapping[str, Any]) -> Message | None:
        assert row.case_id is not None and row.task_seq is not None
        async with reading(self.db, self.agency) as tx:
            target = await tx.outbox.task_message(row.case_id, row.task_seq)
        if target is None:
            # The task message was never delivered (officer not joined): nothing to edit;
            # when they join they get the pending task afresh.
            return None
        result = await self.bot.edit_message_text(
            payload["text"],
            chat_id=target.chat_id,
            message_id=target.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(payload.get("buttons")),
            disable_web_page_preview=True,
        )
        return result if isinstance(result, Message) else None

    async def _mark_sent(self, row: OutboxRow, message: Message | None) -> None:
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.outbox.mark_sent(
                row.id,
                now,
                message.message_id if message else None,
                message.chat.id if message else None,
            )
            is_task = bool(row.payload.get("task_message"))
            if is_task and message is not None and row.case_id and row.task_seq:
                await tx.outbox.remember_task_message(
                    row.case_id, row.task_seq, message.chat.id, message.message_id, False
                )

    async def _attempt(self, row: OutboxRow, error: str) -> None:
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.outbox.mark_attempt(row.id, error)

    async def _give_up(self, row: OutboxRow, reason: str, *, report: bool = True) -> None:
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.outbox.mark_failed(row.id, now, reason)
            if row.officer_key and report:
                await tx.accounts.mark_unreachable(row.officer_key, now)
        if row.officer_key and report and row.payload.get("task_message"):
            await self.on_unreachable(row.officer_key, reason)
