"""The Bot API methods the fake answers, with Telegram's limits and error wording.

Each method reads its parameters with Telegram's typing (see `params`), changes the
`World` under its lock and returns the `result` object real Telegram would return. Every
refusal is an `ApiError` carrying the real status code and description, so PTB raises the
same exception class (`BadRequest`, `Forbidden`, `RetryAfter`, ...) as in production.
"""

from __future__ import annotations

import mimetypes
import re
import struct
import time
from collections import deque
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from fakegram.errors import ApiError, bad_request, forbidden, not_found
from fakegram.formatting import EntityParseError, parse_html, strip_text, utf16_len
from fakegram.params import Params, Upload
from fakegram.records import ApiCall
from fakegram.state import (
    DEFAULT_UPDATE_TYPES,
    Chat,
    Failure,
    Message,
    ScopeKey,
    StoredFile,
    World,
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ANSWER_TEXT = 200
MAX_DOWNLOAD = 20_000_000
MAX_UPLOAD = 50 * 1024 * 1024
MAX_POLL_TIMEOUT = 50.0  # Telegram caps long polling; keeps a stray client from parking forever

QUERY_TOO_OLD = "query is too old and response timeout expired or query id is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_USER_LINK_RE = re.compile(r"^tg://user\?id=(\d+)$")
UNIMPLEMENTED = frozenset(
    {
        "sendmediagroup",
        "forwardmessage",
        "copymessage",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "pinchatmessage",
        "unpinchatmessage",
        "deletemessages",
        "getchatmember",
        "getchatadministrators",
        "banchatmember",
        "answerinlinequery",
        "setchatmenubutton",
        "setmydescription",
        "setmyshortdescription",
        "setmyname",
        "close",
        "logout",
    }
)
"""Real methods the fake leaves out: they get a 404 that says so instead of a bare one."""
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")
_FILE_DIRS = {"document": "documents", "photo": "photos", "sticker": "stickers", "voice": "voice"}

Handler = Callable[[Params], Any]


def _failure_error(failure: Failure) -> ApiError:
    parameters = {"retry_after": failure.retry_after} if failure.retry_after else None
    return ApiError(failure.code, failure.description, parameters)


def default_failure_description(code: int, retry_after: int | None) -> str:
    if code == 429:
        return f"Too Many Requests: retry after {retry_after}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(code, "Error")


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height for PNGs (cheap to read); a plausible camera size otherwise."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 1280, 960


class BotApi:
    """Dispatches Bot API calls by (case-insensitive) method name onto the world."""

    def __init__(self, world: World) -> None:
        self.w = world
        methods: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "getFile": self.get_file,
            "sendChatAction": self.send_chat_action,
            "getChat": self.get_chat,
        }
        self._methods = {name.lower(): (name, handler) for name, handler in methods.items()}

    def canonical(self, method: str) -> str | None:
        entry = self._methods.get(method.lower())
        return entry[0] if entry else None

    def call(self, method: str, params: Params) -> Any:
        """Run one call: injected failures, bookkeeping for waits, and the call log."""
        w = self.w
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        polling = name == "getUpdates"
        with w.cond:
            started = w.clock()
            queue = w.failures.get(name.lower())
            failure = queue.popleft() if queue else None
            if not polling:
                w.in_flight += 1
                w.touch()
        error: ApiError | None = None
        try:
            if entry is None and method.lower() in UNIMPLEMENTED:
                raise ApiError(404, f"Not Found: {method} is not implemented by the fake")
            if entry is None:
                raise not_found()
            if failure is not None and not failure.applied:
                raise _failure_error(failure)
            result = entry[1](params)
            if failure is not None:
                raise _failure_error(failure)
            return result
        except ApiError as exc:
            error = exc
            raise
        except Exception as exc:
            error = ApiError(500, f"Internal Server Error: fake failed: {exc!r}")
            raise
        finally:
            with w.cond:
                if not polling:
                    w.in_flight -= 1
                    w.touch()
                w.calls.append(
                    ApiCall(
                        method=name,
                        params=params.normalized(),
                        time=started,
                        ok=error is None,
                        error_code=error.code if error else None,
                        description=error.description if error else None,
                    )
                )
                w.changed()

    def inject_failure(self, method: str, failure: Failure, times: int) -> None:
        name = (self.canonical(method) or method).lower()
        with self.w.cond:
            self.w.failures.setdefault(name, deque()).extend(failure for _ in range(times))

    # --- shared checks ----------------------------------------------------------------

    def _chat(self, p: Params) -> Chat:
        chat_id = p.chat_id()
        chat = self.w.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    @staticmethod
    def _check_reachable(chat: Chat) -> None:
        if chat.user is None:
            return
        if chat.user.blocked:
            raise forbidden("bot was blocked by the user")
        if not chat.user.started:
            raise forbidden("bot can't initiate conversation with a user")

    def _writable_chat(self, p: Params) -> Chat:
        chat = self._chat(p)
        self._check_reachable(chat)
        return chat

    def _formatted(
        self, p: Params, field: str, entities_field: str, limit: int, too_long: str
    ) -> tuple[str, list[dict[str, Any]], str] | None:
        """(plain text, entities, source) of a text or caption, or None when absent."""
        source = p.get_str(field)
        if source is None:
            return None
        given = p.get_json(entities_field)
        parse_mode = (p.get_str("parse_mode") or "").lower()
        if given is not None:
            text, entities = source, self._given_entities(given)
        elif parse_mode == "html":
            try:
                text, entities = parse_html(source)
            except EntityParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif parse_mode in ("", "markdown", "markdownv2"):
            # Markdown is passed through unchecked: this project formats with HTML.
            text, entities = source, []
        else:
            raise bad_request("unsupported parse_mode")
        text, entities = strip_text(text, [self._mention(e) for e in entities])
        if utf16_len(text) > limit:  # Telegram counts UTF-16 code units, as entities do
            raise bad_request(too_long)
        return text, entities, source

    @staticmethod
    def _given_entities(given: Any) -> list[dict[str, Any]]:
        if not isinstance(given, list) or not all(
            isinstance(e, dict)
            and isinstance(e.get("type"), str)
            and isinstance(e.get("offset"), int)
            and isinstance(e.get("length"), int)
            for e in given
        ):
            raise bad_request("can't parse entities JSON object")
        return [dict(e) for e in given]

    def _mention(self, entity: dict[str, Any]) -> dict[str, Any]:
        """`<a href="tg://user?id=42">` names a user: Telegram turns it into a text_mention."""
        url = str(entity.get("url", "")) if entity.get("type") == "text_link" else ""
        match = _USER_LINK_RE.match(url)
        user = self.w.users.get(int(match.group(1))) if match else None
        if user is None:
            return entity
        return {
            "type": "text_mention",
            "offset": entity["offset"],
            "length": entity["length"],
            "user": self.w.user_json(user),
        }

    def _text(self, p: Params) -> tuple[str, list[dict[str, Any]], str]:
        formatted = self._formatted(p, "text", "entities", MAX_TEXT, "message is too long")
        if formatted is None or not formatted[0]:
            raise bad_request("message text is empty")
        return formatted

    def _caption(self, p: Params) -> tuple[str | None, list[dict[str, Any]], str | None]:
        formatted = self._formatted(
            p, "caption", "caption_entities", MAX_CAPTION, "message caption is too long"
        )
        if formatted is None or not formatted[0]:
            return None, [], None
        return formatted

    @staticmethod
    def _check_button(button: Any) -> dict[str, Any]:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not (
                1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
                raise bad_request("BUTTON_URL_INVALID")
        return dict(button)

    def _markup(self, p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = p.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse inline keyboard markup JSON object")
            cleaned = [[self._check_button(b) for b in row] for row in rows]
            cleaned = [row for row in cleaned if row]
            return {"inline_keyboard": cleaned} if cleaned else None
        if inline_only:
            raise bad_request("inline keyboard expected")
        if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return dict(markup)

    def _reply_to(self, p: Params, chat: Chat) -> Message | None:
        params = p.get_json("reply_parameters")
        if isinstance(params, dict):
            message_id = params.get("message_id")
            allow = bool(params.get("allow_sending_without_reply"))
        else:
            message_id = p.get_int("reply_to_message_id")
            allow = p.get_bool("allow_sending_without_reply")
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return target

    def _message(self, p: Params, missing: str) -> tuple[Chat, Message]:
        if p.get_str("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(p)
        message_id = p.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        msg = chat.messages.get(message_id)
        if msg is None or msg.deleted:
            raise bad_request(missing)
        return chat, msg

    def _upload(self, upload: Upload, kind: str) -> StoredFile:
        data = upload.data
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo":
            if not data.startswith(_IMAGE_MAGIC) and not (
                data[:4] == b"RIFF" and data[8:12] == b"WEBP"
            ):
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = _image_size(data)
            return self.w.new_file("photo", data, width=width, height=height)
        filename = upload.filename
        mime = upload.content_type or (mimetypes.guess_type(filename)[0] if filename else None)
        return self.w.new_file(
            kind, data, file_name=filename, mime_type=mime or "application/octet-stream"
        )

    def _input_file(self, p: Params, field: str, kind: str) -> StoredFile:
        upload = p.files.get(field)
        reference = p.get_str(field)
        if upload is None and reference and reference.startswith("attach://"):
            upload = p.files.get(reference.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {reference} not found")
        if upload is not None:
            return self._upload(upload, kind)
        if not reference:
            raise bad_request(f"there is no {field} in the request")
        if reference.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        stored = self.w.files.get(reference)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}"
            )
        return stored

    # --- methods ----------------------------------------------------------------------

    def get_me(self, p: Params) -> dict[str, Any]:
        return {
            **self.w.bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def get_updates(self, p: Params) -> list[dict[str, Any]]:
        w = self.w
        offset = p.get_int("offset")
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = min(max(p.get_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        allowed = p.get_json("allowed_updates")
        with w.cond:
            if w.webhook_url:
                raise ApiError(409, CONFLICT_WEBHOOK)
            w.poll_generation += 1
            generation = w.poll_generation
            w.changed()  # an older long poll still waiting is now superseded
            if isinstance(allowed, list):
                w.allowed_updates = frozenset(str(a) for a in allowed) or DEFAULT_UPDATE_TYPES
            before = len(w.updates)
            if offset is not None and offset > 0:
                w.updates = [u for u in w.updates if u.update_id >= offset]
            elif offset is not None and offset < 0:
                w.updates = w.updates[offset:]
            if len(w.updates) != before:
                w.touch()
            deadline = time.monotonic() + timeout
            w.parked_polls += 1
            try:
                while not w.updates and not w.closing:
                    if generation != w.poll_generation:
                        raise ApiError(409, CONFLICT_POLL)
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    w.cond.wait(left)
            finally:
                w.parked_polls -= 1
            batch = w.updates[:limit]
            if batch:
                w.touch()
            return [u.json() for u in batch]

    def set_webhook(self, p: Params) -> bool:
        url = p.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        with self.w.cond:
            self.w.webhook_url = url
            if p.get_bool("drop_pending_updates"):
                self.w.updates.clear()
        return True

    def delete_webhook(self, p: Params) -> bool:
        with self.w.cond:
            self.w.webhook_url = ""
            if p.get_bool("drop_pending_updates"):
                self.w.updates.clear()
        return True

    def get_webhook_info(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            return {
                "url": self.w.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": len(self.w.updates),
            }

    def scope_key(self, scope: Any) -> ScopeKey:
        if scope is None:
            return ("default", None, None)
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = str(scope["type"])
        chat_id: int | None = None
        user_id: int | None = None
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._chat(Params({"chat_id": scope.get("chat_id")}))
            chat_id = chat.id
        if kind == "chat_member":
            user_id = Params({"user_id": scope.get("user_id")}).get_int("user_id")
            if user_id not in self.w.users:
                raise bad_request("user not found")
        return (kind, chat_id, user_id)

    def set_my_commands(self, p: Params) -> bool:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not _COMMAND_RE.match(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        with self.w.cond:
            key = (self.scope_key(p.get_json("scope")), p.get_str("language_code") or "")
            if cleaned:
                self.w.commands[key] = cleaned
            else:
                self.w.commands.pop(key, None)
        return True

    def get_my_commands(self, p: Params) -> list[dict[str, str]]:
        with self.w.cond:
            key = (self.scope_key(p.get_json("scope")), p.get_str("language_code") or "")
            return [dict(c) for c in self.w.commands.get(key, [])]

    def delete_my_commands(self, p: Params) -> bool:
        with self.w.cond:
            key = (self.scope_key(p.get_json("scope")), p.get_str("language_code") or "")
            self.w.commands.pop(key, None)
        return True

    def send_message(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            chat = self._writable_chat(p)
            text, entities, source = self._text(p)
            markup = self._markup(p)
            reply_to = self._reply_to(p, chat)
            msg = self.w.add_message(
                chat,
                None,
                text=text,
                entities=entities,
                raw=source,
                parse_mode=p.get_str("parse_mode"),
                reply_markup=markup,
                reply_to=reply_to,
            )
            return self.w.message_json(msg)

    def edit_message_text(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            chat, msg = self._message(p, "message to edit not found")
            self._check_reachable(chat)
            if not msg.from_bot:
                raise bad_request("message can't be edited")
            if msg.text is None:
                raise bad_request("there is no text in the message to edit")
            text, entities, source = self._text(p)
            markup = self._markup(p, inline_only=True)
            if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
                raise bad_request(NOT_MODIFIED)
            if text != msg.text:
                msg.history.append(msg.text)
            msg.text, msg.entities, msg.raw = text, entities, source
            msg.parse_mode = p.get_str("parse_mode")
            msg.reply_markup = markup
            msg.edit_date = self.w.now()
            return self.w.message_json(msg)

    def edit_message_caption(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            chat, msg = self._message(p, "message to edit not found")
            self._check_reachable(chat)
            if not msg.from_bot:
                raise bad_request("message can't be edited")
            if not msg.has_media:
                raise bad_request("there is no caption in the message to edit")
            caption, entities, source = self._caption(p)
            markup = self._markup(p, inline_only=True)
            current = (msg.caption, msg.caption_entities, msg.reply_markup)
            if (caption, entities, markup) == current:
                raise bad_request(NOT_MODIFIED)
            if caption != msg.caption:
                msg.history.append(msg.caption or "")
            msg.caption, msg.caption_entities, msg.raw = caption, entities, source
            msg.parse_mode = p.get_str("parse_mode")
            msg.reply_markup = markup
            msg.edit_date = self.w.now()
            return self.w.message_json(msg)

    def edit_message_reply_markup(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            chat, msg = self._message(p, "message to edit not found")
            self._check_reachable(chat)
            if not msg.from_bot:
                raise bad_request("message can't be edited")
            markup = self._markup(p, inline_only=True)
            if markup == msg.reply_markup:
                raise bad_request(NOT_MODIFIED)
            msg.reply_markup = markup
            return self.w.message_json(msg)

    def delete_message(self, p: Params) -> bool:
        with self.w.cond:
            chat = self._chat(p)
            message_id = p.get_int("message_id")
            msg = chat.messages.get(message_id) if message_id is not None else None
            if msg is None or msg.deleted:
                raise bad_request("message to delete not found")
            msg.deleted = True
            return True

    def answer_callback_query(self, p: Params) -> bool:
        w = self.w
        with w.cond:
            query = w.queries.get(p.get_str("callback_query_id") or "")
            text = p.get_str("text")
            if text is not None and len(text) > MAX_ANSWER_TEXT:
                raise bad_request("MESSAGE_TOO_LONG")
            if (
                query is None
                or query.answered
                or query.expired
                or w.clock() - query.created > w.callback_query_ttl
            ):
                raise bad_request(QUERY_TOO_OLD)
            query.answered = True
            query.answered_at = w.clock()
            query.text = text or None
            query.show_alert = p.get_bool("show_alert")
            query.url = p.get_str("url")
            return True

    def _send_media(self, p: Params, field: str) -> dict[str, Any]:
        with self.w.cond:
            chat = self._writable_chat(p)
            caption, entities, source = self._caption(p)
            markup = self._markup(p)
            reply_to = self._reply_to(p, chat)
            stored = self._input_file(p, field, field)
            msg = self.w.add_message(
                chat,
                None,
                caption=caption,
                caption_entities=entities,
                raw=source,
                parse_mode=p.get_str("parse_mode"),
                reply_markup=markup,
                reply_to=reply_to,
                **{field: stored},
            )
            return self.w.message_json(msg)

    def send_document(self, p: Params) -> dict[str, Any]:
        return self._send_media(p, "document")

    def send_photo(self, p: Params) -> dict[str, Any]:
        return self._send_media(p, "photo")

    def get_file(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            stored = self.w.files.get(p.get_str("file_id") or "")
            if stored is None:
                raise bad_request("invalid file_id")
            if len(stored.data) > MAX_DOWNLOAD:
                raise bad_request("file is too big")
            if stored.file_path is None:
                suffix = PurePosixPath(stored.file_name or "").suffix
                if stored.kind == "photo":
                    suffix = ".jpg"
                elif not suffix and stored.mime_type:
                    suffix = mimetypes.guess_extension(stored.mime_type) or ""
                stored.file_path = f"{_FILE_DIRS[stored.kind]}/file_{self.w.seq()}{suffix}"
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
                "file_path": stored.file_path,
            }

    def file_by_path(self, path: str) -> bytes | None:
        with self.w.cond:
            for stored in self.w.files.values():
                if stored.file_path == path:
                    return stored.data
            return None

    def send_chat_action(self, p: Params) -> bool:
        with self.w.cond:
            self._writable_chat(p)
            if p.get_str("action") not in _CHAT_ACTIONS:
                raise bad_request("wrong parameter action in request")
            return True

    def get_chat(self, p: Params) -> dict[str, Any]:
        with self.w.cond:
            chat = self._chat(p)
            return {
                **self.w.chat_json(chat),
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
