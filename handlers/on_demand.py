"""Buttons that send something on demand: "Rincian" (a task's full text, replying to the
pressed message, once per press), "PDF" (a copy of a .docx to read on a phone) and the
standard-format report (each file once per chat: a second press says it is there).

A PDF copy not made yet is queued for the presser and follows once converted.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.ptb.context import BotContext
from bot.services.on_demand import NotAParticipant, Pressed
from bot.views.callbacks import (
    DOCUMENT_PATTERN,
    DRAFT_PDF_PATTERN,
    TASK_DETAIL_PATTERN,
    parse_document,
    parse_draft_pdf,
    parse_task_detail,
)
from handlers.common import answer_press, identify, pressed, unknown_presser, wait_for_chat


async def on_task_detail(update: Update, context: BotContext) -> None:
    press = await pressed(update, context, parse_task_detail)
    if press is None:
        return
    runtime, query = context.runtime, press.query
    officer, lang, (case_id, task_seq) = press.officer, press.lang, press.data
    state = await runtime.service.find_case(case_id)
    task = state.task(task_seq) if state is not None else None
    if state is None or task is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), alert=True)
        return
    if task.assignee != officer and not runtime.directory.is_admin(officer):
        await answer_press(query, runtime.plain(lang, "common.not_your_task"), alert=True)
        return
    ctx = await runtime.service.context_for(state)
    text = runtime.presenter.task_detail(ctx, state, task, lang)
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await context.bot.send_message(
        query.from_user.id,
        text,
        parse_mode=ParseMode.HTML,
        disable_web_page_preview=True,
        reply_parameters=_under(query),
    )


async def on_file(update: Update, context: BotContext) -> None:
    """A file goes through the outbox (indexed as delivered, so never sent twice); the
    press is answered with what happens: nothing to say, being made, or already there."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_presser(query, runtime, lang)
        return
    draft = parse_draft_pdf(query.data)
    document = parse_document(query.data)
    try:
        if draft is not None:
            pressed = await runtime.on_demand.draft_pdf(officer, *draft)
        elif document is not None:
            pressed = await runtime.on_demand.document(officer, *document)
        else:
            raise LookupError(query.data)
    except NotAParticipant:
        await answer_press(query, runtime.plain(lang, "common.not_your_task"), alert=True)
        return
    except LookupError:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), alert=True)
        return
    if pressed is Pressed.MAKING:
        await answer_press(query, runtime.plain(lang, "documents.on_demand.pdf_coming"))
    elif pressed is Pressed.ALREADY_THERE:
        await answer_press(query, runtime.plain(lang, "documents.on_demand.already_there"))
    else:
        await answer_press(query)


def _under(query: CallbackQuery) -> ReplyParameters | None:
    message = query.message
    if message is None:
        return None
    return ReplyParameters(message.message_id, allow_sending_without_reply=True)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(on_task_detail, pattern=TASK_DETAIL_PATTERN),
        CallbackQueryHandler(on_file, pattern=DRAFT_PDF_PATTERN),
        CallbackQueryHandler(on_file, pattern=DOCUMENT_PATTERN),
    ]
