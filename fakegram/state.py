"""The fake's world: users, chats, messages, files and the update queue, behind one lock.

Everything here is touched by HTTP handler threads (the bot's calls, long polls that
sleep on the condition) and by the test (acting as users, waiting). One re-entrant
condition guards it all; every change bumps a version and wakes both thread waiters
and asyncio waiters, so tests wait for events instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fakegram.errors import FakeUsageError
from fakegram.records import ApiCall, BotMessage, CallbackAnswer, SentFile

T = TypeVar("T")
ScopeKey = tuple[str, int | None, int | None]
"""A command scope as (type, chat_id, user_id), e.g. ("chat", 42, None)."""

DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
"""What Telegram sends when allowed_updates is unset or empty (no chat_member, reactions)."""


@dataclass
class UserState:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    started: bool = False
    blocked: bool = False


@dataclass
class Chat:
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    user: UserState | None = None  # the other side of a private chat
    privacy_mode: bool = True
    admins: set[int] = field(default_factory=set)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "document" | "photo" | "sticker" | "voice"
    data: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    file_path: str | None = None

    def snapshot(self) -> SentFile:
        return SentFile(
            file_id=self.file_id,
            file_unique_id=self.file_unique_id,
            filename=self.file_name,
            data=self.data,
            mime_type=self.mime_type,
            width=self.width,
            height=self.height,
        )


@dataclass
class Message:
    chat: Chat
    message_id: int
    sender: UserState | None  # None: the bot
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    raw: str | None = None  # text or caption exactly as the bot sent it
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # sticker, voice, location
    reply_to: Message | None = None
    edit_date: int | None = None
    history: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender is None

    @property
    def has_media(self) -> bool:
        return self.document is not None or self.photo is not None

    @property
    def visible_text(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    def snapshot(self) -> BotMessage:
        markup = self.reply_markup or {}
        keyboard = [
            [(str(b.get("text", "")), b.get("callback_data")) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        reply_keyboard = None
        if "keyboard" in markup:
            reply_keyboard = [
                [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
                for row in markup["keyboard"]
            ]
        return BotMessage(
            chat_id=self.chat.id,
            message_id=self.message_id,
            date=self.date,
            kind="document" if self.document else "photo" if self.photo else "text",
            text=self.visible_text,
            raw_text=self.raw,
            parse_mode=self.parse_mode,
            entities=[
                dict(e)
                for e in (self.entities if self.text is not None else self.caption_entities)
            ],
            keyboard=keyboard,
            reply_keyboard=reply_keyboard,
            document=self.document.snapshot() if self.document else None,
            photo=self.photo.snapshot() if self.photo else None,
            reply_to=self.reply_to.message_id if self.reply_to else None,
            history=list(self.history),
            edited=self.edit_date is not None,
            deleted=self.deleted,
        )


@dataclass
class Query:
    id: str
    user: UserState
    message: Message | None
    data: str | None
    created: float
    answered: bool = False
    answered_at: float | None = None  # on the fake's clock
    expired: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None

    def snapshot(self) -> CallbackAnswer:
        return CallbackAnswer(
            query_id=self.id,
            data=self.data,
            message_id=self.message.message_id if self.message else None,
            answered=self.answered,
            text=self.text,
            show_alert=self.show_alert,
            url=self.url,
            answered_at=self.answered_at,
        )


@dataclass
class Failure:
    code: int
    description: str
    retry_after: int | None
    applied: bool  # the call takes effect, only the answer is an error


@dataclass
class PendingUpdate:
    update_id: int
    kind: str
    payload: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


class World:
    """All state of one fake Telegram, for one bot token."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str,
        bot_name: str,
        clock: Callable[[], float],
        callback_query_ttl: float,
    ) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_name = bot_name
        self.clock = clock
        self.callback_query_ttl = callback_query_ttl
        self.users: dict[int, UserState] = {}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.updates: list[PendingUpdate] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.queries: dict[str, Query] = {}
        self.commands: dict[tuple[ScopeKey, str], list[dict[str, str]]] = {}
        self.calls: list[ApiCall] = []
        self.failures: dict[str, deque[Failure]] = {}
        self.webhook_url = ""
        self.poll_generation = 0
        self.closing = False
        self.in_flight = 0
        self.parked_polls = 0
        self.version = 0
        self.last_activity = time.monotonic()
        self._seq = 0
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    # --- identifiers and clocks -------------------------------------------------------

    def now(self) -> int:
        return int(self.clock())

    def seq(self) -> int:
        with self.cond:
            self._seq += 1
            return self._seq

    def new_file(self, kind: str, data: bytes, **attrs: Any) -> StoredFile:
        prefix = {"document": "BQAC", "photo": "AgAC", "sticker": "CAAC", "voice": "AwAC"}[kind]
        n = self.seq()
        stored = StoredFile(
            file_id=f"{prefix}{n:05d}{secrets.token_hex(10)}",
            file_unique_id=f"AgAD{n:05d}",
            kind=kind,
            data=data,
            **attrs,
        )
        self.files[stored.file_id] = stored
        return stored

    def chat_instance(self, chat: Chat) -> str:
        return str((chat.id * 2654435761 + self.bot_id) % (2**62))

    # --- JSON as the Bot API serializes it --------------------------------------------

    def bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_name,
            "username": self.bot_username,
        }

    @staticmethod
    def user_json(user: UserState) -> dict[str, Any]:
        data: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
        if user.last_name:
            data["last_name"] = user.last_name
        if user.username:
            data["username"] = user.username
        if user.language_code:
            data["language_code"] = user.language_code
        return data

    @staticmethod
    def chat_json(chat: Chat) -> dict[str, Any]:
        if chat.user is not None:
            data: dict[str, Any] = {
                "id": chat.id,
                "type": "private",
                "first_name": chat.user.first_name,
            }
            if chat.user.last_name:
                data["last_name"] = chat.user.last_name
            if chat.user.username:
                data["username"] = chat.user.username
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.type == "group":
            data["all_members_are_administrators"] = False
        return data

    @staticmethod
    def file_json(stored: StoredFile) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.kind == "photo":
            data["width"] = stored.width or 0
            data["height"] = stored.height or 0
        if stored.file_name is not None:
            data["file_name"] = stored.file_name
        if stored.mime_type is not None:
            data["mime_type"] = stored.mime_type
        return data

    def message_json(self, msg: Message, *, with_reply: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "from": self.bot_json() if msg.sender is None else self.user_json(msg.sender),
            "chat": self.chat_json(msg.chat),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.caption is not None:
            data["caption"] = msg.caption
            if msg.caption_entities:
                data["caption_entities"] = msg.caption_entities
        if msg.document is not None:
            data["document"] = self.file_json(msg.document)
        if msg.photo is not None:
            data["photo"] = [self.file_json(msg.photo)]
        data.update(msg.extra)
        if msg.reply_markup is not None and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        if with_reply and msg.reply_to is not None and not msg.reply_to.deleted:
            data["reply_to_message"] = self.message_json(msg.reply_to, with_reply=False)
        return data

    # --- messages and updates ---------------------------------------------------------

    def add_message(self, chat: Chat, sender: UserState | None, **fields: Any) -> Message:
        msg = Message(
            chat=chat, message_id=chat.next_message_id, sender=sender, date=self.now(), **fields
        )
        chat.next_message_id += 1
        chat.messages[msg.message_id] = msg
        return msg

    def private_chat(self, user: UserState) -> Chat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = Chat(id=user.id, type="private", user=user)
            self.chats[user.id] = chat
        return chat

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update; like Telegram, types excluded by allowed_updates are never made."""
        with self.cond:
            if kind not in self.allowed_updates:
                self.changed()
                return None
            update = PendingUpdate(self.next_update_id, kind, payload)
            self.next_update_id += 1
            self.updates.append(update)
            self.touch()
            self.changed()
            return update.update_id

    # --- waking waiters ---------------------------------------------------------------

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    def changed(self) -> None:
        """Wake every waiter; called with the lock held after any change or bot call."""
        self.version += 1
        self.cond.notify_all()
        for loop, event in list(self._async_waiters):
            with contextlib.suppress(RuntimeError):  # that loop is already closed
                loop.call_soon_threadsafe(event.set)

    def _idle_left(self, quiet: float) -> float | None:
        """Seconds of quiet still needed before idle; None while work is outstanding."""
        if self.updates or self.in_flight:
            return None
        return quiet - (time.monotonic() - self.last_activity)

    def _timeout(self, what: str, timeout: float) -> TimeoutError:
        recent = ", ".join(
            f"{c.method}{'' if c.ok else f'->{c.error_code}'}"
            for c in self.calls[-8:]
            if c.method != "getUpdates"
        )
        return TimeoutError(
            f"{what} timed out after {timeout}s; pending updates: {len(self.updates)}, "
            f"calls in flight: {self.in_flight}, recent bot calls: [{recent}]"
        )

    @staticmethod
    def _refuse_inside_loop(name: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise FakeUsageError(
            f"{name}() would block the event loop (and a bot running on it); "
            f"use `await fake.{name.removesuffix('_sync')}(...)` in async code"
        )

    def wait_for_sync(self, predicate: Callable[[], T], timeout: float, recheck: float) -> T:
        """The predicate runs without the lock, so it may do anything, even wait on the bot."""
        self._refuse_inside_loop("wait_for_sync")
        deadline = time.monotonic() + timeout
        while True:
            with self.cond:
                seen = self.version
            value = predicate()
            if value:
                return value
            left = deadline - time.monotonic()
            with self.cond:
                if left <= 0:
                    raise self._timeout("wait_for_sync", timeout)
                if self.version == seen:  # nothing changed while the predicate ran
                    self.cond.wait(min(left, recheck))

    def wait_idle_sync(self, timeout: float, quiet: float) -> None:
        self._refuse_inside_loop("wait_idle_sync")
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                needed = self._idle_left(quiet)
                if needed is not None and needed <= 0:
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._timeout("wait_idle_sync", timeout)
                self.cond.wait(left if needed is None else min(left, needed))

    async def _wait_async(
        self, check: Callable[[], tuple[bool, T, float | None]], what: str, limit: float
    ) -> T:
        """Re-run `check` on the caller's loop after every change until it says done.

        `check` returns (done, value, wake_within): the last bounds the sleep when a
        condition depends on time passing rather than on a change.
        """
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        with self.cond:
            self._async_waiters.add(waiter)
        try:
            deadline = loop.time() + limit
            while True:
                event.clear()
                done, value, wake_within = check()
                if done:
                    return value
                left = deadline - loop.time()
                if left <= 0:
                    with self.cond:
                        raise self._timeout(what, limit)
                sleep = left if wake_within is None else max(min(left, wake_within), 0.001)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), sleep)
        finally:
            with self.cond:
                self._async_waiters.discard(waiter)

    def wait_for(self, predicate: Callable[[], T], timeout: float, recheck: float) -> Awaitable[T]:
        def check() -> tuple[bool, T, float | None]:
            value = predicate()
            return bool(value), value, recheck

        return self._wait_async(check, "wait_for", timeout)

    def wait_idle(self, timeout: float, quiet: float) -> Awaitable[None]:
        def check() -> tuple[bool, None, float | None]:
            with self.cond:
                needed = self._idle_left(quiet)
            return needed is not None and needed <= 0, None, needed

        return self._wait_async(check, "wait_idle", timeout)
