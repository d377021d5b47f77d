"""`/ringkasan` (the daily digest on demand) and the digest's detail buttons (`dg:<case>`).

Any registered officer may ask: the digest shows where cases stand, nothing secret, and
an officer waiting on a colleague benefits as much as the Sekretaris.
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import CallbackQuery, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.digest import DETAIL_PATTERN
from bot.scheduling import case_details, digest_messages
from bot.sender import keyboard
from handlers.common import BotContext, QueryExpired, answer, identify, reply, unknown_user


async def on_ringkasan(update: Update, context: BotContext) -> None:
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    runtime = context.runtime
    for message in await digest_messages(runtime, runtime.clock.now(), lang):
        await reply(update, message.text, reply_markup=keyboard(message.buttons))


async def on_detail(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    match = DETAIL_PATTERN.match(query.data or "")
    if officer is None:
        names = ", ".join(runtime.directory.name(a) for a in runtime.directory.admins())
        await _answer(query, runtime.plain(lang, "common.unknown_user", admins=names or "admin"))
        return
    if match is None:
        await _answer(query, runtime.plain(lang, "common.stale_button"))
        return
    texts = await case_details(runtime, int(match.group(1)), runtime.clock.now(), lang)
    if texts is None:
        await _answer(query, runtime.plain(lang, "daily_digest.not_found"))
        return
    await _answer(query, None)
    for text in texts:
        await reply(update, text)


async def _answer(query: CallbackQuery, text: str | None) -> None:
    # Pressed long ago (the bot was down): the query has expired, but the reply still helps.
    with contextlib.suppress(QueryExpired):
        await answer(query, text, alert=text is not None)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("ringkasan", on_ringkasan),
        CallbackQueryHandler(on_detail, pattern=DETAIL_PATTERN),
    ]
