"""Telegram's inline keyboard for the Telegram-neutral rows of buttons the views build."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.views.outgoing import Buttons


def keyboard(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
    """The markup for rows of `{"text", "data"}` buttons; None (no keyboard) for no rows."""
    rows = [
        [InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row]
        for row in buttons or []
    ]
    return InlineKeyboardMarkup(rows) if rows else None
