"""Delivers the outbox to Telegram, after the commit that wrote it.

Each row is marked sent only after Telegram's OK; a crash in between can at worst send
that one row twice, never lose it. A mark does not wait for the disk (a flush costs about
a millisecond, several per press) except the last of each batch of pending rows: a killed
process loses no mark (it is in the WAL), so at most the one row between OK and mark is
sent twice; a power cut may lose the unflushed marks of the batch in progress (at most
`BATCH` - 1 rows sent twice), never a decision, which always flushes.

Rows go out in id order, one drain at a time, so a task message is always sent before
its edits, each paced under Telegram's flood limits (`bot.ptb.pacing`). An officer who
has not joined yet or who blocked the bot is reported (once per row) and the row is
kept to deliver when they join.

A task's message is its draft when the step works on one (the task as the caption); a
file this chat already received for the case is never sent again: the task goes as text
replying to the message that carried the file (and, should that message be gone, the
file follows as a reply to the task). Every file delivered is indexed at mark time
(`delivered_files`). Reminders reply to their task's message, with its buttons, which
go once the task closes.

A message Telegram refuses for good (400 Bad Request: too long, broken markup) is never
dropped in silence: the sender delivers its minimal form instead (a task's message keeps
its buttons), and the admins hear which message to whom failed and why.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, ReplyParameters
from telegram import Message as TelegramMessage
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.core.clock import Clock
from bot.crashpoints import crashpoint
from bot.ptb.markup import keyboard
from bot.ptb.pacing import Pacer
from bot.views.outgoing import Buttons, Edit, Message, Send, SendDocument, Unreachable, decode
from storage.db import Database
from storage.files import FileCorrupt, FileMissing, FileStore
from storage.outbox import OutboxRow, TaskMessage
from storage.uow import reading, unit_of_work

log = logging.getLogger(__name__)

ChatResolver = Callable[[str], Awaitable[int | None]]
UnreachableHandler = Callable[[str, Unreachable], Awaitable[None]]
DamagedFileHandler = Callable[[OutboxRow, SendDocument, Exception], Awaitable[None]]
MinimalForm = Callable[[OutboxRow, Message], Awaitable[Message | None]]
RefusalHandler = Callable[[OutboxRow, Message, str, bool], Awaitable[None]]


BATCH = 50  # pending rows read at once; the last mark of each batch flushes to disk

# 400s that name the chat rather than the message (a wrong or never-started chat id).
_NO_SUCH_CHAT = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")


class Outcome(enum.Enum):
    """What one delivery attempt came to; RETRY_LATER stops the drain (Telegram is busy)."""

    SENT = enum.auto()
    FAILED = enum.auto()
    RETRY_LATER = enum.auto()


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
        on_damaged_file: DamagedFileHandler,
        minimal_form: MinimalForm,
        on_refused: RefusalHandler,
        agency: str = "default",
        pacer: Pacer | None = None,
    ) -> None:
        """`minimal_form` gives what to send instead of a message Telegram refused (None:
        nothing); `on_refused` is told the refusal and whether the minimal form went out."""
        self.bot = bot
        self.db = db
        self.files = files
        self.clock = clock
        self.resolve_chat = resolve_chat
        self.on_unreachable = on_unreachable
        self.on_damaged_file = on_damaged_file
        self.minimal_form = minimal_form
        self.on_refused = on_refused
        self.agency = agency
        self.pacer = pacer  # None: unpaced (the local stand-in has no flood limits)
        self._lock = asyncio.Lock()

    async def drain(self) -> int:
        """Deliver every pending row; returns how many were delivered."""
        delivered = 0
        async with self._lock:
            while True:
                async with reading(self.db, self.agency) as tx:
                    rows = await tx.outbox.pending(limit=BATCH)
                if not rows:
                    return delivered
                for row in rows:
                    flush = row is rows[-1]
                    outcome = await self._deliver(row, decode(row.kind, row.payload), flush)
                    if outcome is Outcome.RETRY_LATER:
                        return delivered
                    if outcome is Outcome.SENT:
                        delivered += 1

    async def _deliver(self, row: OutboxRow, message: Message, flush: bool) -> Outcome:
        """Send one row; its mark flushes to disk only when `flush` (see the module)."""
        chat_id = row.chat_id
        try:
            if chat_id is None and row.officer_key is not None:
                chat_id = await self.resolve_chat(row.officer_key)
            if chat_id is None:
                raise NotJoined(row.officer_key)
            crashpoint("sender.before_send", row.kind)
            if self.pacer is not None:
                await self.pacer.wait(chat_id)
            sent = await self._call(row, message, chat_id)
        except NotJoined:
            await self._give_up(row, message, "not joined", Unreachable.NOT_JOINED)
            return Outcome.FAILED
        except Forbidden as exc:
            await self._give_up(row, message, f"forbidden: {exc.message}", Unreachable.BLOCKED)
            return Outcome.FAILED
        except BadRequest as exc:
            return await self._bad_request(row, message, exc, chat_id, flush)
        except RetryAfter as exc:
            log.warning("flood control: retry outbox row %d later (%s)", row.id, exc)
            await self._attempt(row, str(exc))
            return Outcome.RETRY_LATER
        except (TimedOut, NetworkError) as exc:
            log.warning("network error on outbox row %d: %s", row.id, exc)
            await self._attempt(row, str(exc))
            return Outcome.RETRY_LATER
        except (FileCorrupt, FileMissing) as exc:
            log.error("outbox row %d: stored file unusable, not sent: %s", row.id, exc)
            # The recipient is reachable: the file is what failed, and people must hear it.
            assert isinstance(message, SendDocument)
            await self.on_damaged_file(row, message, exc)
            if message.task_message and chat_id is not None:
                return await self._task_without_file(row, message, chat_id, f"file: {exc}", flush)
            await self._give_up(row, message, f"file: {exc}", None)
            return Outcome.FAILED
        crashpoint("sender.sent_unmarked", row.kind)
        await self._mark_sent(row, message, sent, flush)
        crashpoint("sender.marked", row.kind)
        return Outcome.SENT

    async def _task_without_file(
        self, row: OutboxRow, message: SendDocument, chat_id: int, error: str, flush: bool
    ) -> Outcome:
        """A task whose file is damaged still reaches its officer: as a text with its
        buttons (the row keeps why its file did not go; the officer and the admins are
        told by `on_damaged_file`)."""
        task = Send(_as_text(message), message.buttons, task_message=True)
        try:
            sent = await self._send_text(chat_id, task.text, task.buttons)
        except TelegramError as again:
            log.error("outbox row %d: the task without its file failed too: %s", row.id, again)
            await self._give_up(row, message, error, None)
            return Outcome.FAILED
        await self._attempt(row, error)
        await self._mark_sent(row, task, sent, flush)
        return Outcome.SENT

    async def _bad_request(
        self,
        row: OutboxRow,
        message: Message,
        exc: BadRequest,
        chat_id: int | None,
        flush: bool,
    ) -> Outcome:
        """Telegram refused `message` for good: send its minimal form, tell the admins."""
        error = exc.message.lower()
        if "not modified" in error:
            await self._mark_sent(row, message, None, flush)  # the message already shows this
            return Outcome.SENT
        if any(words in error for words in _NO_SUCH_CHAT):
            # The chat, not the message, is wrong: no smaller form would get through.
            log.error("outbox row %d: chat refused by Telegram: %s", row.id, exc.message)
            await self._give_up(row, message, f"bad request: {exc.message}", None)
            return Outcome.FAILED
        log.error("outbox row %d refused by Telegram: %s", row.id, exc.message)
        minimal = await self.minimal_form(row, message)
        sent: TelegramMessage | None = None
        delivered = False
        if minimal is not None and chat_id is not None:
            try:
                sent = await self._call(row, minimal, chat_id)
                delivered = True
            except TelegramError as again:
                log.error("outbox row %d: its minimal form failed too: %s", row.id, again)
        if delivered:
            await self._attempt(row, f"bad request: {exc.message} (sent in minimal form)")
            assert minimal is not None
            await self._mark_sent(row, minimal, sent, flush)
        else:
            await self._give_up(row, message, f"bad request: {exc.message}", None)
        await self.on_refused(row, message, exc.message, delivered)
        return Outcome.SENT if delivered else Outcome.FAILED

    async def _call(
        self, row: OutboxRow, message: Message, chat_id: int
    ) -> TelegramMessage | None:
        if isinstance(message, Send):
            return await self._send_text(
                chat_id,
                message.text,
                message.buttons,
                await self._reply_target(row, message, chat_id),
            )
        if isinstance(message, SendDocument):
            return await self._send_file(row, message, chat_id)
        return await self._edit(row, message)

    async def _send_text(
        self, chat_id: int, text: str, buttons: Buttons, reply_to: int | None = None
    ) -> TelegramMessage:
        return await self.bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons),
            disable_web_page_preview=True,
            reply_parameters=_reply(reply_to),
        )

    async def _reply_target(self, row: OutboxRow, message: Send, chat_id: int) -> int | None:
        """A reminder replies to its task's message (when it lives in the same chat); so
        does a task's message shown again (/tugas), pointing at the one it replaces."""
        if not (message.reminder or message.task_message):
            return None
        if row.case_id is None or row.task_seq is None:
            return None
        async with reading(self.db, self.agency) as tx:
            target = await tx.outbox.task_message(row.case_id, row.task_seq)
        # (a row addressed to an officer has its chat resolved only now: `chat_id`)
        return None if target is None or target.chat_id != chat_id else target.message_id

    async def _send_file(
        self, row: OutboxRow, message: SendDocument, chat_id: int
    ) -> TelegramMessage | None:
        """Send a file once per chat and case: a task on a file this chat has goes as
        text replying to the message that carried it; any other copy is not sent."""
        async with reading(self.db, self.agency) as tx:
            earlier = await tx.outbox.delivered_file(message.sha256, chat_id)
        if earlier is not None and earlier.case_id == row.case_id:
            if not message.task_message:
                return None  # the chat has it: marked sent, nothing new in the chat
            sent = await self._send_text(
                chat_id, _as_text(message), message.buttons, earlier.message_id
            )
            if sent.reply_to_message is None:  # the file's message is gone: send it again
                await self._upload(chat_id, message, None, (), sent.message_id, earlier.file_id)
            return sent
        return await self._upload(chat_id, message, message.caption, message.buttons, None)

    async def _upload(
        self,
        chat_id: int,
        message: SendDocument,
        caption: str | None,
        buttons: Buttons,
        reply_to: int | None,
        file_id: str | None = None,
    ) -> TelegramMessage:
        """Send the file; by Telegram's `file_id` when it has one (no upload again)."""
        document: str | bytes = file_id or await self.files.get(message.sha256)
        return await self.bot.send_document(
            chat_id,
            document=document,
            filename=message.filename,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(buttons),
            reply_parameters=_reply(reply_to),
        )

    async def _edit(self, row: OutboxRow, edit: Edit) -> TelegramMessage | None:
        assert row.case_id is not None and row.task_seq is not None
        async with reading(self.db, self.agency) as tx:
            target = await tx.outbox.task_message(row.case_id, row.task_seq)
        if target is None:
            # The task message was never delivered (officer not joined): nothing to edit;
            # when they join they get the pending task afresh.
            return None
        try:
            result = await self._edit_in_place(target, edit)
        except BadRequest as exc:
            if edit.becomes is None or "not modified" in exc.message.lower():
                raise
            # The card to turn into the next task is gone: the task comes as a new text.
            result = await self._send_text(target.chat_id, edit.text, edit.buttons)
            target = TaskMessage(target.chat_id, result.message_id, False)
        if edit.becomes is not None:  # the card is now the officer's next task
            async with unit_of_work(self.db, self.agency) as tx:
                await tx.outbox.remember_task_message(
                    row.case_id,
                    edit.becomes,
                    target.chat_id,
                    target.message_id,
                    target.has_document,
                )
        if not edit.buttons or edit.becomes is not None:
            await self._close_reminders(row.case_id, row.task_seq, target.chat_id)
        return result if isinstance(result, TelegramMessage) else None

    async def _edit_in_place(self, target: TaskMessage, edit: Edit) -> TelegramMessage | bool:
        markup = keyboard(edit.buttons)
        if target.has_document:  # a task on a draft: the task is the file's caption
            return await self.bot.edit_message_caption(
                chat_id=target.chat_id,
                message_id=target.message_id,
                caption=edit.text if edit.caption is None else edit.caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        return await self.bot.edit_message_text(
            edit.text,
            chat_id=target.chat_id,
            message_id=target.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            disable_web_page_preview=True,
        )

    async def _close_reminders(self, case_id: int, task_seq: int, chat_id: int) -> None:
        """The task closed: its reminders lose the buttons they carried."""
        async with reading(self.db, self.agency) as tx:
            reminders = await tx.outbox.reminder_messages(case_id, task_seq, chat_id)
        for message_id in reminders:
            try:
                await self.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
            except BadRequest as exc:  # gone, or already without buttons
                log.info("reminder %d keeps its markup: %s", message_id, exc.message)

    async def _mark_sent(
        self, row: OutboxRow, message: Message, sent: TelegramMessage | None, flush: bool
    ) -> None:
        """Mark `row` sent; a file sent is indexed in the same commit (`delivered_files`)."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency, flush=flush) as tx:
            await tx.outbox.mark_sent(
                row.id,
                now,
                sent.message_id if sent else None,
                sent.chat.id if sent else None,
            )
            if _is_task_message(message) and sent is not None and row.case_id and row.task_seq:
                await tx.outbox.remember_task_message(
                    row.case_id,
                    row.task_seq,
                    sent.chat.id,
                    sent.message_id,
                    sent.document is not None,
                )
            if isinstance(message, SendDocument) and sent is not None:
                file_id = sent.document.file_id if sent.document is not None else None
                await tx.outbox.record_delivered_file(
                    row, message.sha256, sent.chat.id, sent.message_id, file_id, now
                )

    async def _attempt(self, row: OutboxRow, error: str) -> None:
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.outbox.mark_attempt(row.id, error)

    async def _give_up(
        self, row: OutboxRow, message: Message, error: str, cause: Unreachable | None
    ) -> None:
        """Stop trying `row`; with a `cause`, its officer is unreachable (and, for a task
        message, the admins hear it). The row stays, to go out when the officer joins."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.outbox.mark_failed(row.id, now, error)
            if row.officer_key and cause is not None:
                await tx.accounts.mark_unreachable(row.officer_key, now)
        if row.officer_key and cause is not None and _is_task_message(message):
            await self.on_unreachable(row.officer_key, cause)


def _is_task_message(message: Message) -> bool:
    return isinstance(message, Send | SendDocument) and message.task_message


def _reply(message_id: int | None) -> ReplyParameters | None:
    """Reply to `message_id`; should it be gone, the message goes out all the same."""
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


def _as_text(message: SendDocument) -> str:
    """A task that is a file, sent as a text instead (the chat has the file, or the file
    is damaged): its text fitted to a text's limit, not the caption's shorter one."""
    return message.caption or "" if message.text is None else message.text
