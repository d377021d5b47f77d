"""A message on its way to the outbox, before any Telegram type is involved.

What a message says is one of three typed shapes (`Send`, `Edit`, `SendDocument`), so a
caller cannot misspell a key or forget one. The outbox stores each as a kind and a JSON
payload; `encode` and `decode` are the only two places that know that on-disk form.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Buttons = Sequence[Sequence[Mapping[str, str]]]  # rows of {"text": ..., "data": ...}


@dataclass(frozen=True, slots=True)
class Send:
    """A new text message.

    `task_message` marks a task's own message (later `Edit`s go to it, and an officer who
    cannot be reached for it is reported); `reminder` and `digest` record which reminder
    or which day's digest it is.
    """

    text: str
    buttons: Buttons = ()
    task_message: bool = False
    reminder: str | None = None
    digest: str | None = None


@dataclass(frozen=True, slots=True)
class Edit:
    """The new text and buttons of a task's message, wherever that message was delivered.

    The sender edits a text message's text, or a document's caption (a task on a draft is
    the draft itself): only the sender knows which the delivered message is, so a task's
    text comes fitted to both limits, `caption` the same shortened to a caption's (None:
    `text` fits either). `becomes` hands the message on to the officer's next task (its
    seq): pressed, the card turns into the next step instead of a new message arriving.
    """

    text: str
    buttons: Buttons = ()
    becomes: int | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class SendDocument:
    """A stored file (by its hash) sent under a name, with an optional caption.

    As a task's message (`task_message`) the caption is the task and the buttons go
    under it. A file this chat already received for the case is never sent again: a task
    message goes as text replying to the message that carried it (see the sender), and
    then `text` is what it says: the task fitted to a text's limit, not a caption's
    (None: the caption).
    """

    sha256: str
    filename: str
    caption: str | None = None
    buttons: Buttons = ()
    task_message: bool = False
    text: str | None = None


Message = Send | Edit | SendDocument


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for the outbox: who gets it and what it says (Telegram-neutral)."""

    officer_key: str | None
    message: Message
    task_seq: int | None = None
    chat_id: int | None = None


class Unreachable(enum.Enum):
    """Why a message could not reach its officer: the sender finds it, the admins hear it."""

    NOT_JOINED = enum.auto()  # no Telegram account bound yet
    BLOCKED = enum.auto()  # Telegram refused: the officer blocked the bot (or never started it)


class Delivery(enum.Enum):
    """Where messages put in the outbox are now: all delivered, one given up, or waiting."""

    SENT = enum.auto()
    FAILED = enum.auto()
    PENDING = enum.auto()


# -- the outbox's on-disk form ----------------------------------------------------------

SEND = "send"
EDIT = "edit"
DOCUMENT = "document"


def encode(message: Message) -> tuple[str, dict[str, Any]]:
    """The outbox row's kind and JSON payload for a message (the inverse of `decode`)."""
    if isinstance(message, SendDocument):
        payload: dict[str, Any] = {"sha256": message.sha256, "filename": message.filename}
        if message.caption is not None:
            payload["caption"] = message.caption
        if message.buttons:
            payload["buttons"] = _rows(message.buttons)
        if message.task_message:
            payload["task_message"] = True
        if message.text is not None:
            payload["text"] = message.text
        return DOCUMENT, payload
    payload = {"text": message.text, "buttons": _rows(message.buttons)}
    if isinstance(message, Edit):
        if message.becomes is not None:
            payload["becomes"] = message.becomes
        if message.caption is not None:
            payload["caption"] = message.caption
        return EDIT, payload
    if message.task_message:
        payload["task_message"] = True
    if message.reminder is not None:
        payload["reminder"] = message.reminder
    if message.digest is not None:
        payload["digest"] = message.digest
    return SEND, payload


def decode(kind: str, payload: Mapping[str, Any]) -> Message:
    """The message an outbox row holds; raises ValueError for a kind no version wrote."""
    if kind == SEND:
        return Send(
            text=str(payload["text"]),
            buttons=_rows(payload.get("buttons") or ()),
            task_message=bool(payload.get("task_message")),
            reminder=payload.get("reminder"),
            digest=payload.get("digest"),
        )
    if kind == EDIT:
        becomes = payload.get("becomes")
        return Edit(
            text=str(payload["text"]),
            buttons=_rows(payload.get("buttons") or ()),
            becomes=None if becomes is None else int(becomes),
            caption=payload.get("caption"),
        )
    if kind == DOCUMENT:
        return SendDocument(
            sha256=str(payload["sha256"]),
            filename=str(payload["filename"]),
            caption=payload.get("caption"),
            buttons=_rows(payload["buttons"]) if payload.get("buttons") else (),
            task_message=bool(payload.get("task_message")),
            text=payload.get("text"),
        )
    raise ValueError(f"unknown outbox kind {kind!r}")


def _rows(buttons: Buttons) -> list[list[dict[str, str]]]:
    return [[dict(button) for button in row] for row in buttons]
