"""What tests read back: immutable snapshots of the fake's state.

The server threads keep changing the live state; handing tests copies taken under the
lock means an assertion never sees a message half-edited by a concurrent bot call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fakegram.formatting import utf16_slice

Button = tuple[str, str | None]
"""An inline button as a user sees it: (text, callback_data); URL buttons have None."""


@dataclass(frozen=True)
class SentFile:
    """A file attached to a message, with its bytes (what the user could download)."""

    file_id: str
    file_unique_id: str
    filename: str | None
    data: bytes = field(repr=False)
    mime_type: str | None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class BotMessage:
    """One message the bot sent into a chat, as it stands now.

    `text` is the text or the caption as the user reads it: HTML tags removed, entities
    decoded, surrounding blanks trimmed; `raw_text` is what the bot passed. `history`
    holds the earlier texts of an edited message, oldest first.
    """

    chat_id: int
    message_id: int
    date: int
    kind: str  # "text" | "document" | "photo"
    text: str
    raw_text: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]]
    keyboard: list[list[Button]]
    reply_keyboard: list[list[str]] | None
    document: SentFile | None
    photo: SentFile | None
    reply_to: int | None
    history: list[str]
    edited: bool
    deleted: bool

    @property
    def buttons(self) -> list[Button]:
        return [button for row in self.keyboard for button in row]

    @property
    def button_texts(self) -> list[str]:
        return [text for text, _ in self.buttons]

    @property
    def callback_data(self) -> list[str]:
        return [data for _, data in self.buttons if data is not None]

    def entity_texts(self, entity_type: str) -> list[str]:
        """The text covered by each entity of a type, e.g. every bold part."""
        return [
            utf16_slice(self.text, e["offset"], e["length"])
            for e in self.entities
            if e["type"] == entity_type
        ]


@dataclass(frozen=True)
class CallbackAnswer:
    """One pressed button and what the bot answered (if it did)."""

    query_id: str
    data: str | None
    message_id: int | None
    answered: bool
    text: str | None
    show_alert: bool
    url: str | None
    answered_at: float | None = None  # when the answer came, on the fake's clock


@dataclass(frozen=True)
class ApiCall:
    """One Bot API request as the fake received it, with the outcome."""

    method: str
    params: dict[str, Any]
    time: float  # on the fake's clock
    ok: bool
    error_code: int | None
    description: str | None
