"""Acting as Telegram users and groups, and reading what they received.

Each action turns into the exact update Telegram would queue for the bot (a message with
entities, a callback query carrying the whole current message, an edited message, a
my_chat_member change). Actions that a real client could not perform, such as pressing a
button that is not on the message, raise `FakeUsageError` in the test instead of sending
something the bot could never receive; `forge_callback` exists for deliberately forged
presses.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from fakegram.errors import ButtonNotFound, FakeUsageError
from fakegram.formatting import utf16_len
from fakegram.records import BotMessage, CallbackAnswer
from fakegram.state import Chat, Message, Query, UserState, World

MessageRef = BotMessage | int
"""A message as tests hold it: a transcript record, or a message id in the user's chat."""

_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<!\S)@[A-Za-z0-9_]{5,32}")
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
JAKARTA = (-6.1754, 106.8272)


def text_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's clients attach to typed text: commands and mentions."""
    found: list[dict[str, Any]] = []
    for pattern, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention")):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sorted(found, key=lambda e: e["offset"])


class _ChatView:
    """Reading a chat's bot messages; shared by private chats and groups."""

    def __init__(self, world: World, chat: Chat) -> None:
        self._w = world
        self._chat = chat

    @property
    def chat_id(self) -> int:
        return self._chat.id

    @property
    def transcript(self) -> list[BotMessage]:
        """Every message the bot sent into this chat, in order, deleted ones flagged."""
        with self._w.cond:
            return [m.snapshot() for m in self._chat.messages.values() if m.from_bot]

    def last_message(self) -> BotMessage | None:
        """The bot's latest message still present, or None (handy as a wait predicate)."""
        live = [m for m in self.transcript if not m.deleted]
        return live[-1] if live else None

    def messages_with_buttons(self) -> list[BotMessage]:
        return [m for m in self.transcript if m.keyboard and not m.deleted]

    def message(self, message_id: int) -> BotMessage:
        with self._w.cond:
            msg = self._chat.messages.get(message_id)
            if msg is None or not msg.from_bot:
                raise FakeUsageError(f"chat {self._chat.id} has no bot message {message_id}")
            return msg.snapshot()


class FakeGroup(_ChatView):
    """A group chat the bot is a member of."""

    @property
    def id(self) -> int:
        return self._chat.id

    @property
    def title(self) -> str:
        return self._chat.title or ""

    @property
    def privacy_mode(self) -> bool:
        return self._chat.privacy_mode

    def add_admin(self, user: FakeUser) -> None:
        """Make a user an administrator (it changes which command scopes they see)."""
        with self._w.cond:
            self._chat.admins.add(user.id)


class FakeUser(_ChatView):
    """One Telegram user and their private chat with the bot."""

    def __init__(self, world: World, state: UserState, chat: Chat) -> None:
        super().__init__(world, chat)
        self._state = state

    def __repr__(self) -> str:
        return f"FakeUser(id={self.id}, first_name={self.first_name!r})"

    @property
    def id(self) -> int:
        return self._state.id

    @property
    def first_name(self) -> str:
        return self._state.first_name

    @property
    def username(self) -> str | None:
        return self._state.username

    @property
    def language_code(self) -> str | None:
        return self._state.language_code

    @property
    def has_started(self) -> bool:
        return self._state.started

    @property
    def has_blocked(self) -> bool:
        return self._state.blocked

    # --- sending ----------------------------------------------------------------------

    def _resolve(self, chat: Chat, ref: MessageRef | None) -> Message | None:
        if ref is None:
            return None
        message_id = ref if isinstance(ref, int) else ref.message_id
        if isinstance(ref, BotMessage) and ref.chat_id != chat.id:
            raise FakeUsageError(f"message {message_id} is in chat {ref.chat_id}, not {chat.id}")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise FakeUsageError(f"chat {chat.id} has no message {message_id}")
        return msg

    def _send(self, chat: Chat, reply_to: MessageRef | None, **fields: Any) -> int:
        w = self._w
        with w.cond:
            if chat.user is not None:
                if self._state.blocked:
                    raise FakeUsageError(f"{self!r} blocked the bot; call unblock_bot() first")
                self._state.started = True
            reply = self._resolve(chat, reply_to)
            msg = w.add_message(chat, self._state, reply_to=reply, **fields)
            if self._bot_sees(msg):
                w.enqueue("message", w.message_json(msg))
            else:
                w.changed()
            return msg.message_id

    def _bot_sees(self, msg: Message) -> bool:
        """Privacy mode: in groups the bot only gets commands, replies to it and mentions."""
        chat = msg.chat
        if chat.user is not None or not chat.privacy_mode:
            return True
        text = msg.text or ""
        return (
            text.startswith("/")
            or (msg.reply_to is not None and msg.reply_to.from_bot)
            or f"@{self._w.bot_username}".lower() in text.lower()
        )

    def send_text(self, text: str, reply_to: MessageRef | None = None) -> int:
        """Type a message to the bot; returns its message id."""
        return self._send(self._chat, reply_to, text=text, entities=text_entities(text))

    def start(self, payload: str | None = None) -> int:
        """Press Start, optionally through a deep link `t.me/<bot>?start=<payload>`."""
        if payload is not None and not _PAYLOAD_RE.match(payload):
            raise FakeUsageError(f"deep-link payload {payload!r} is not 1-64 of A-Z a-z 0-9 _ -")
        return self.send_text("/start" if payload is None else f"/start {payload}")

    def send_text_in_group(
        self, group: FakeGroup, text: str, reply_to: MessageRef | None = None
    ) -> int:
        return self._send(group._chat, reply_to, text=text, entities=text_entities(text))

    def send_document(
        self,
        filename: str,
        data: bytes,
        caption: str | None = None,
        reply_to: MessageRef | None = None,
        mime_type: str | None = None,
    ) -> int:
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._w.cond:
            stored = self._w.new_file("document", data, file_name=filename, mime_type=mime)
            return self._send(self._chat, reply_to, document=stored, caption=caption)

    def send_photo(
        self, data: bytes, caption: str | None = None, width: int = 1280, height: int = 960
    ) -> int:
        with self._w.cond:
            stored = self._w.new_file("photo", data, width=width, height=height)
            return self._send(self._chat, None, photo=stored, caption=caption)

    def send_sticker(self, emoji: str = "👍") -> int:
        with self._w.cond:
            stored = self._w.new_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
            sticker = {
                **self._w.file_json(stored),
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
            }
            return self._send(self._chat, None, extra={"sticker": sticker})

    def send_voice(self, data: bytes = b"OggS\x00\x02", duration: int = 2) -> int:
        with self._w.cond:
            stored = self._w.new_file("voice", data, mime_type="audio/ogg")
            voice = {**self._w.file_json(stored), "duration": duration}
            return self._send(self._chat, None, extra={"voice": voice})

    def send_location(self, latitude: float = JAKARTA[0], longitude: float = JAKARTA[1]) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self._send(self._chat, None, extra={"location": location})

    def edit_text(self, message: MessageRef, new_text: str) -> None:
        """Edit one of the user's own text messages (the bot gets `edited_message`)."""
        w = self._w
        with w.cond:
            msg = self._resolve(self._chat, message)
            if msg is None or msg.sender is not self._state or msg.text is None:
                raise FakeUsageError("a user can only edit their own text messages")
            msg.history.append(msg.text)
            msg.text, msg.entities = new_text, text_entities(new_text)
            msg.edit_date = w.now()
            w.enqueue("edited_message", w.message_json(msg))

    # --- buttons ----------------------------------------------------------------------

    def _chat_of(self, message: MessageRef) -> Chat:
        if isinstance(message, BotMessage):
            chat = self._w.chats.get(message.chat_id)
            if chat is None:
                raise FakeUsageError(f"no chat {message.chat_id}")
            return chat
        return self._chat

    def press(self, message: MessageRef, callback_data: str) -> str:
        """Press the button carrying `callback_data`; returns the callback query id."""
        with self._w.cond:
            chat = self._chat_of(message)
            msg = self._resolve_for_press(chat, message)
            available = [d for _, d in msg.snapshot().buttons if d is not None]
            if callback_data not in available:
                raise ButtonNotFound(
                    f"message {msg.message_id} has no button with callback_data "
                    f"{callback_data!r}; it has {available}"
                )
            return self._callback(chat, msg, msg.message_id, callback_data)

    def press_button(self, message: MessageRef, text: str) -> str:
        """Press the button labelled `text`; returns the callback query id."""
        with self._w.cond:
            chat = self._chat_of(message)
            msg = self._resolve_for_press(chat, message)
            buttons = msg.snapshot().buttons
            for label, data in buttons:
                if label == text and data is not None:
                    return self._callback(chat, msg, msg.message_id, data)
            raise ButtonNotFound(
                f"message {msg.message_id} has no callback button {text!r}; it has "
                f"{[label for label, _ in buttons]}"
            )

    def _resolve_for_press(self, chat: Chat, message: MessageRef) -> Message:
        message_id = message if isinstance(message, int) else message.message_id
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise ButtonNotFound(f"message {message_id} is gone; its buttons cannot be pressed")
        return msg

    def forge_callback(self, data: str | None, message_id: int | None = None) -> str:
        """Send a callback query no button produced (a tampered or stale client).

        With a message id of a message that no longer exists the query carries an
        inaccessible message (`date` 0), as Telegram sends for deleted messages.
        """
        with self._w.cond:
            msg = self._chat.messages.get(message_id) if message_id is not None else None
            if msg is not None and msg.deleted:
                msg = None
            return self._callback(self._chat, msg, message_id, data)

    def _callback(
        self, chat: Chat, msg: Message | None, message_id: int | None, data: str | None
    ) -> str:
        w = self._w
        query_id = str(w.bot_id * 10**9 + w.seq())
        payload: dict[str, Any] = {
            "id": query_id,
            "from": w.user_json(self._state),
            "chat_instance": w.chat_instance(chat),
        }
        if msg is not None:
            payload["message"] = w.message_json(msg)
        elif message_id is not None:
            payload["message"] = {"chat": w.chat_json(chat), "message_id": message_id, "date": 0}
        if data is not None:
            payload["data"] = data
        w.queries[query_id] = Query(
            id=query_id, user=self._state, message=msg, data=data, created=w.clock()
        )
        w.enqueue("callback_query", payload)
        return query_id

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """One record per pressed button, in order, with the bot's answer if any."""
        with self._w.cond:
            return [q.snapshot() for q in self._w.queries.values() if q.user is self._state]

    def callback_answer(self, query_id: str) -> CallbackAnswer:
        with self._w.cond:
            return self._w.queries[query_id].snapshot()

    # --- blocking ---------------------------------------------------------------------

    def _member_change(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        w = self._w
        payload = {
            "chat": w.chat_json(self._chat),
            "from": w.user_json(self._state),
            "date": w.now(),
            "old_chat_member": {"user": w.bot_json(), **old},
            "new_chat_member": {"user": w.bot_json(), **new},
        }
        w.enqueue("my_chat_member", payload)

    def block_bot(self) -> None:
        """Block the bot: its messages now fail with 403 and it gets my_chat_member."""
        with self._w.cond:
            if not self._state.blocked:
                self._state.blocked = True
                self._member_change({"status": "member"}, {"status": "kicked", "until_date": 0})

    def unblock_bot(self) -> None:
        with self._w.cond:
            if self._state.blocked:
                self._state.blocked = False
                self._member_change({"status": "kicked", "until_date": 0}, {"status": "member"})

    # --- files ------------------------------------------------------------------------

    def downloaded_document(self, message: MessageRef) -> bytes:
        """The bytes of the document the bot sent in `message`, as the user would save it."""
        with self._w.cond:
            msg = self._chat_of(message).messages.get(
                message if isinstance(message, int) else message.message_id
            )
            if msg is None or msg.document is None:
                raise FakeUsageError(f"message {message!r} carries no document")
            return msg.document.data
