"""Two kinds of failure: what Telegram answers the bot, and what a test did wrong.

They are kept apart so that a Bot API error reaches PTB as an HTTP answer, while a test
that presses a button that isn't there fails loudly in the test itself.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API error answer: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(
        self, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


class FakeUsageError(RuntimeError):
    """A test asked a fake user to do something a real user cannot do."""


class ButtonNotFound(FakeUsageError, LookupError):
    """The message carries no such button (any more): a real user could not press it."""
