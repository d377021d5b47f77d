"""A message on its way to the outbox, before any Telegram type is involved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for the outbox: who gets it and what it says (Telegram-neutral)."""

    officer_key: str | None
    kind: str  # send | edit | document
    payload: Mapping[str, Any]
    task_seq: int | None = None
    chat_id: int | None = None
