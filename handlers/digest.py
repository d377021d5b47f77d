"""`/ringkasan` (the daily digest on demand), its page buttons (`pg:d:<page>`, also under
the daily digest) and the digest's detail buttons (`dg:<case>`).

Any registered officer may ask: the digest shows where cases stand, nothing secret, and
an officer waiting on a colleague benefits as much as the Sekretaris.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.ptb.context import BotContext
from bot.ptb.markup import keyboard
from bot.runtime import Runtime
from bot.services.digest import may_nudge
from bot.services.nudges import nudge_holders
from bot.services.scheduling import case_details, digest_message
from bot.views.callbacks import (
    DETAIL_PATTERN,
    NUDGE_PATTERN,
    PagedView,
    page_pattern,
    parse_detail,
    parse_nudge,
)
from bot.views.fmt import format_time
from handlers.common import (
    answer_press,
    identify,
    page_press,
    pressed,
    reply,
    turn_page,
    unknown_user,
    wait_for_chat,
)


async def on_ringkasan(update: Update, context: BotContext) -> None:
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    runtime = context.runtime
    nudge = may_nudge(runtime.config.officers, officer)
    message = await digest_message(runtime, runtime.clock.now(), lang, nudge=nudge)
    await reply(update, message.text, reply_markup=keyboard(message.buttons))


async def on_page(update: Update, context: BotContext) -> None:
    """Another page of the digest, as of now, in the message whose button was pressed."""
    query = update.callback_query
    assert query is not None
    pressed = await page_press(update, context)
    if pressed is None:
        return
    press, lang = pressed
    runtime = context.runtime
    officer, _ = await identify(update, context)
    nudge = officer is not None and may_nudge(runtime.config.officers, officer)
    message = await digest_message(runtime, runtime.clock.now(), lang, press.page, nudge)
    await turn_page(query, message.text, message.buttons)


async def on_detail(update: Update, context: BotContext) -> None:
    press = await pressed(update, context, parse_detail)
    if press is None:
        return
    runtime, lang = context.runtime, press.lang
    texts = await case_details(runtime, press.data, runtime.clock.now(), lang)
    if texts is None:
        await answer_press(press.query, runtime.plain(lang, "daily_digest.not_found"), True)
        return
    await answer_press(press.query)
    await wait_for_chat(update, context, press.officer)
    for text in texts:
        await reply(update, text)


async def on_nudge(update: Update, context: BotContext) -> None:
    """ "Ingatkan" under the digest: one nudge to the holders, answered with who heard it."""
    press = await pressed(update, context, parse_nudge)
    if press is None:
        return
    runtime, lang = context.runtime, press.lang
    if not may_nudge(runtime.config.officers, press.officer):
        refused = runtime.plain(lang, "daily_digest.nudge_not_allowed")
        await answer_press(press.query, refused, alert=True)
        return
    answer = await _nudge_answer(runtime, lang, press.officer, press.data)
    await answer_press(press.query, answer, alert=True)


async def _nudge_answer(runtime: Runtime, lang: str, officer: str, case_id: int) -> str:
    """Nudge the case's holders; the answer says who heard it and who waits for the hour."""
    done = await nudge_holders(runtime, officer, case_id)
    if done is None:
        return runtime.plain(lang, "daily_digest.nudge_nobody")
    names = runtime.directory.name
    sent = ", ".join(names(k) for k in done.sent)
    waiting = ", ".join(names(k) for k in done.waiting)
    if not done.sent:
        assert done.next_at is not None
        return runtime.plain(
            lang,
            "daily_digest.nudge_too_soon",
            waiting=waiting,
            next=format_time(done.next_at, runtime.tz, lang),
        )
    if done.waiting:
        return runtime.plain(lang, "daily_digest.nudge_sent_some", names=sent, waiting=waiting)
    return runtime.plain(lang, "daily_digest.nudge_sent", names=sent)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("ringkasan", on_ringkasan),
        CallbackQueryHandler(on_detail, pattern=DETAIL_PATTERN),
        CallbackQueryHandler(on_nudge, pattern=NUDGE_PATTERN),
        CallbackQueryHandler(on_page, pattern=page_pattern(PagedView.DIGEST)),
    ]
