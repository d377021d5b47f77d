"""`/kepatuhan [year|quarter]`: the SOP compliance report as a summary, charts and a .docx.

Who may ask is the service's rule (`bot.services.compliance.may_ask`: admins, the Kepala
Dinas and the Sekretaris); everyone else is told so. Without an argument the report is
of this year so far; "2026-TW2", "TW II 2026" and the like name a quarter.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.core.compliance import parse_audit_period
from bot.ptb.context import BotContext
from bot.services.compliance import build_compliance, may_ask, today
from handlers.common import identify, reply, unknown_user


async def on_kepatuhan(update: Update, context: BotContext) -> None:
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    runtime = context.runtime
    if not may_ask(runtime, officer):
        await reply(update, runtime.text(lang, "compliance.not_allowed"))
        return
    typed = " ".join(context.args or [])
    period = parse_audit_period(typed, today(runtime))
    if period is None:
        await reply(update, runtime.text(lang, "compliance.bad_period", text=typed))
        return
    answer = await build_compliance(runtime, period, lang)
    chat = update.effective_chat
    assert chat is not None
    await reply(update, answer.summary)
    for chart in answer.charts:
        caption = html.escape(chart.caption, quote=False)  # plain text under HTML parse mode
        await context.bot.send_photo(chat.id, photo=chart.png, caption=caption)
    await context.bot.send_document(chat.id, document=answer.document, filename=answer.filename)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [CommandHandler("kepatuhan", on_kepatuhan)]
