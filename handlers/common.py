"""What every handler needs: the typed context, who is asking, and how to answer.

Handlers stay thin: find the officer behind the Telegram *user* (never the chat), call the
service once and answer; the commit wakes the delivery worker, which sends the outbox.
Refusals from the engine become a short answer in the officer's language.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import BadRequest

from bot.core.workflow import Refusal
from bot.ptb.context import BotContext
from bot.runtime import Runtime

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
    """Answer in the chat the update came from (HTML, no link previews)."""
    message = update.effective_message
    if message is not None:
        await message.reply_html(text, disable_web_page_preview=True, **kwargs)


async def answer_press(query: CallbackQuery, text: str | None = None, alert: bool = False) -> None:
    """Answer a press exactly once. One made long ago (e.g. while the bot was down) has
    expired: its answer comes as a chat message instead of silence."""
    try:
        await query.answer(text[:200] if text else None, show_alert=alert)
    except BadRequest as exc:
        message = exc.message.lower()
        if "query is too old" not in message and "query id is invalid" not in message:
            raise
        if text:
            await query.get_bot().send_message(query.from_user.id, html.escape(text))


def refusal_text(runtime: Runtime, lang: str, refusal: Refusal) -> str:
    key = f"refusal.{refusal.code.value}"
    details = {k: _show(v) for k, v in refusal.details.items()}
    params = {name: details.get(name, "") for name in runtime.catalogue.placeholders(key)}
    return runtime.plain(lang, key, **params)


def _show(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def admin_names(runtime: Runtime) -> str:
    """Whom a stranger should ask to be let in (typed or pressed, the same names)."""
    return ", ".join(runtime.directory.name(a) for a in runtime.directory.admins()) or "admin"


async def unknown_user(update: Update, context: BotContext, lang: str) -> None:
    runtime = context.runtime
    await reply(update, runtime.text(lang, "common.unknown_user", admins=admin_names(runtime)))


async def unknown_presser(query: CallbackQuery, runtime: Runtime, lang: str) -> None:
    """A press by someone the bot does not know: whom to ask, as an alert."""
    text = runtime.plain(lang, "common.unknown_user", admins=admin_names(runtime))
    await answer_press(query, text, alert=True)
