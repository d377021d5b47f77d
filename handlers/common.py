"""What every handler needs: the typed context, who is asking, and how to answer.

Handlers stay thin: find the officer behind the Telegram *user* (never the chat), call the
service once and answer; the commit wakes the delivery worker, which sends the outbox.
Refusals from the engine become a short answer in the officer's language.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.core.input_limits import over_limit
from bot.core.workflow import Refusal
from bot.ptb.context import BotContext
from bot.ptb.inbox import replaying
from bot.ptb.markup import keyboard
from bot.runtime import Runtime
from bot.views.callbacks import PagePress, parse_page
from bot.views.fmt import format_number
from bot.views.outgoing import Buttons
from bot.views.textsplit import fit

log = logging.getLogger(__name__)


async def identify(update: Update, context: BotContext) -> tuple[str | None, str]:
    """The officer key behind the update's user (None for strangers) and their language."""
    user = update.effective_user
    if user is None:
        return None, "id"
    runtime = context.runtime
    officer, lang = await runtime.identify(user.id)
    if update.callback_query is None:
        # A reply to a message comes after what was queued for this chat before. A press
        # is answered at once (an answer is not a chat message); a press handler that
        # writes to the chat waits itself (`wait_for_chat`).
        await runtime.before_reply(officer, user.id)
    if officer is None or lang is None:
        from bot.views.i18n import resolve_language

        return None, resolve_language(user.language_code)
    return officer, lang


async def wait_for_chat(update: Update, context: BotContext, officer: str | None) -> None:
    """Before a press handler writes to the chat (a prompt, new buttons): what was queued
    for this officer earlier goes first."""
    user = update.effective_user
    await context.runtime.before_reply(officer, user.id if user is not None else None)


async def reply(update: Update, text: str, **kwargs: Any) -> None:
    """Answer in the chat the update came from (HTML, no link previews), fitted to
    Telegram's limit when it echoes what the officer typed (`bot.views.textsplit.typed`)."""
    message = update.effective_message
    if message is not None:
        await message.reply_html(fit(text), disable_web_page_preview=True, **kwargs)


async def refuse_too_long(
    update: Update, runtime: Runtime, lang: str, text: str, limit: int
) -> bool:
    """True, after telling the officer the limit and the length typed, when `text` is
    longer than `limit` (`bot.core.input_limits`); the caller keeps the question open."""
    if not over_limit(text, limit):
        return False
    length, most = format_number(len(text), 0, lang), format_number(limit, 0, lang)
    await reply(update, runtime.text(lang, "typed.too_long", length=length, limit=most))
    return True


async def answer_press(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a press exactly once. One made long ago (e.g. while the bot was down) has
    expired, and one replayed after a crash (`bot.ptb.inbox`) was fetched by the process
    that died: its answer comes as a chat message instead of silence."""
    if replaying():
        if text:
            await query.get_bot().send_message(query.from_user.id, html.escape(text))
        return
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except BadRequest as exc:
        message = exc.message.lower()
        if "query is too old" not in message and "query id is invalid" not in message:
            raise
        if text:
            await query.get_bot().send_message(query.from_user.id, html.escape(text))


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pressed(Generic[T]):
    """A press by a known officer whose callback data parsed."""

    query: CallbackQuery
    officer: str
    lang: str
    data: T


async def pressed(
    update: Update, context: BotContext, parse: Callable[[str | None], T | None]
) -> Pressed[T] | None:
    """Every press handler's prologue: who pressed and what their button says. None when
    the press is refused (a stranger, or data from an older bot that no longer parses),
    already answered so: each refusal is worded once, here."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    data = parse(query.data)
    if officer is None:
        await unknown_presser(query, runtime, lang)
        return None
    if data is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), alert=True)
        return None
    return Pressed(query, officer, lang, data)


async def page_press(update: Update, context: BotContext) -> tuple[PagePress, str] | None:
    """A page button's press, answered, with the presser's language; None when it was
    refused (a stranger, or data that is no page) and already answered so."""
    press = await pressed(update, context, parse_page)
    if press is None:
        return None
    await answer_press(press.query)
    return press.data, press.lang


async def turn_page(query: CallbackQuery, text: str, buttons: Buttons) -> None:
    """Show another page in the message whose page button was pressed. Pressing the
    page already shown (the answer did not change) leaves the message as it is."""
    try:
        await query.edit_message_text(
            text, reply_markup=keyboard(buttons), disable_web_page_preview=True
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


def refusal_text(runtime: Runtime, lang: str, refusal: Refusal) -> str:
    key = f"refusal.{refusal.code.value}"
    details = {k: _show(v) for k, v in refusal.details.items()}
    params = {name: details.get(name, "") for name in runtime.catalogue.placeholders(key)}
    return runtime.plain(lang, key, **params)


def _show(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


# -- dialogs: their record is a row in the bot's database (bot.services.dialogs) -------------


def _dialog_key(update: Update) -> tuple[int, int]:
    """(chat id, user id) of the update: PTB's conversation key in a private chat."""
    user = update.effective_user
    assert user is not None
    chat = update.effective_chat
    return (chat.id if chat is not None else user.id), user.id


async def keep_dialog(
    update: Update, context: BotContext, name: str, state: int, data: Mapping[str, object]
) -> int:
    """Write the dialog (its next state and data) before its question is sent; the state."""
    chat_id, user_id = _dialog_key(update)
    await context.runtime.dialogs.keep(name, chat_id, user_id, state, data)
    return state


async def dialog_data(update: Update, context: BotContext, name: str) -> dict[str, Any] | None:
    """The user's open dialog in conversation `name`, as last kept; None if none is open."""
    if update.effective_user is None:
        return None
    return await context.runtime.dialogs.data(name, update.effective_user.id)


async def end_dialog(update: Update, context: BotContext, name: str) -> dict[str, Any] | None:
    """Close the user's dialog in `name`; what it held, or None when none was open."""
    if update.effective_user is None:
        return None
    return await context.runtime.dialogs.end(name, update.effective_user.id)


def dialog_key(update: Update, name: str) -> tuple[str, int]:
    """The user's dialog in conversation `name`, for an action that closes it as it commits
    (`WorkflowService.act(..., closes=...)`); `dialog_closed` after that commit."""
    assert update.effective_user is not None
    return name, update.effective_user.id


def dialog_closed(context: BotContext, key: tuple[str, int]) -> None:
    context.runtime.dialogs.closed(*key)


async def unknown_user(update: Update, context: BotContext, lang: str) -> None:
    """A message from an account the bot does not know: the contact line, never a name."""
    runtime = context.runtime
    await reply(update, runtime.text(lang, "common.unknown_user", contact=runtime.contact(lang)))


async def unknown_presser(query: CallbackQuery, runtime: Runtime, lang: str) -> None:
    """A press by someone the bot does not know: the contact line, as an alert."""
    text = runtime.plain(lang, "common.unknown_user", contact=runtime.contact(lang))
    await answer_press(query, text, alert=True)
