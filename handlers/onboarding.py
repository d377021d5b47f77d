"""Placeholder: filled in by its feature."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return []
