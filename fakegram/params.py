"""Bot API request parameters, typed the way Telegram reads them.

PTB sends form fields in which every non-string value is JSON-encoded text
(`chat_id="42"`, `reply_markup='{"inline_keyboard": ...}'`) and strings go as they are;
other clients send a JSON body with native values. Telegram decides per parameter how to
read it, so the fake does too, instead of guessing from the value.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from fakegram.errors import ApiError, bad_request

_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "link_preview_options",
    }
)

_INT_PARAMS = frozenset(
    {
        "chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "drop_pending_updates",
        "has_spoiler",
    }
)
_INT_RE = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    filename: str | None
    data: bytes = field(repr=False)
    content_type: str | None


class Params:
    """Parameters of one call, with the accessors that apply Telegram's typing."""

    def __init__(self, values: dict[str, Any], files: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.files = files or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return json.dumps(value) if isinstance(value, dict | list) else str(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        if isinstance(value, int):
            return value
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None
        if not math.isfinite(number) or not number.is_integer():
            raise bad_request(f"invalid {name} specified")
        return int(number)

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in {"true", "1"}

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            chat_id = self.get_int(name)
        except ApiError:
            raise bad_request("chat not found") from None
        assert chat_id is not None
        return chat_id

    def normalized(self) -> dict[str, Any]:
        """The parameters as the call log shows them: typed, JSON decoded, uploads summarized."""
        shown: dict[str, Any] = {}
        for name, value in self.values.items():
            if isinstance(value, str) and (
                name in _JSON_PARAMS
                or (name in _INT_PARAMS and _INT_RE.match(value))
                or (name in _BOOL_PARAMS and value in ("true", "false"))
            ):
                with contextlib.suppress(ValueError):
                    value = json.loads(value)
            shown[name] = value
        for name, upload in self.files.items():
            shown[name] = {
                "upload": upload.filename,
                "size": len(upload.data),
                "mime_type": upload.content_type,
            }
        return shown
