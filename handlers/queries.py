"""Looking things up: /tugas, /status, /riwayat, /berkas and the buttons they offer.

Nothing here changes a case. Every registered officer (and front-office admin) may ask;
strangers get the usual "not registered" answer. /status and the case choice are one
message whatever the number of cases, a page at a time (`pg:` buttons edit it in place);
a long history is split under Telegram's limit (`bot.views.textsplit`), the buttons
riding on the last piece. The one write is showing a
task message again: it goes through the outbox like any task message, so the sender
records it as the task's message and later edits reach it instead of the old one.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core.workflow import CaseState, CaseStatus, Refusal
from bot.ptb.context import BotContext
from bot.ptb.markup import keyboard
from bot.runtime import Runtime
from bot.services.compliance import case_chart
from bot.services.workflow_service import DraftUnreadable
from bot.views.callbacks import (
    QUERY_PATTERN,
    PagedView,
    QueryPress,
    page_pattern,
    parse_query,
)
from bot.views.outgoing import Delivery
from bot.views.queries import CASES_OFFERED, STATUS_PAGE_SIZE, Keyboard, QueryViews, TaskItem
from bot.views.textsplit import CAPTION_LIMIT, split_html, visible_length
from handlers.common import (
    answer_press,
    identify,
    page_press,
    pressed,
    refusal_text,
    turn_page,
    unknown_user,
    wait_for_chat,
)

CHOOSE_KEYS = {
    PagedView.HISTORY_CHOICE: "query.choose_history",
    PagedView.FILES_CHOICE: "query.choose_files",
}


def _views(runtime: Runtime, lang: str) -> QueryViews:
    return QueryViews(
        catalogue=runtime.catalogue,
        people=runtime.directory,
        tz=runtime.tz,
        calendar=runtime.calendar,
        minutes_per_day=runtime.calendar.working_minutes_per_day,
        lang=lang,
    )


def _chat_id(update: Update) -> int:
    chat = update.effective_chat or update.effective_user
    assert chat is not None
    return chat.id


async def _send(
    update: Update, context: BotContext, text: str, buttons: Keyboard | None = None
) -> None:
    """The answer in as many messages as it takes; the buttons go with the last one."""
    pieces = split_html(text)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await context.bot.send_message(
            _chat_id(update),
            piece,
            reply_markup=keyboard(buttons) if last else None,
            disable_web_page_preview=True,
        )


async def _officer(update: Update, context: BotContext) -> tuple[str | None, str]:
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
    return officer, lang


# -- commands ---------------------------------------------------------------------------


async def on_tasks(update: Update, context: BotContext) -> None:
    officer, lang = await _officer(update, context)
    if officer is None:
        return
    runtime = context.runtime
    found = await runtime.service.open_tasks_of(officer)
    if not found:
        await _send(update, context, runtime.text(lang, "task.none_pending"))
        return
    items = []
    for state, task in found:
        ctx = await runtime.service.context_for(state)
        items.append(TaskItem(state, task, ctx.sop.step(task.step_key)))
    text, buttons = _views(runtime, lang).task_list(items, runtime.clock.now())
    await _send(update, context, text, buttons)


async def on_status(update: Update, context: BotContext) -> None:
    """Every running case; with a case's code, that case and its timeline chart."""
    officer, lang = await _officer(update, context)
    if officer is None:
        return
    runtime = context.runtime
    if context.args:
        await _case_status(update, context, lang, context.args[0])
        return
    board = await runtime.service.status_board(1, STATUS_PAGE_SIZE)
    text, buttons = _views(runtime, lang).status_board(board, runtime.clock.now())
    await _send(update, context, text, buttons)


async def _case_status(update: Update, context: BotContext, lang: str, code: str) -> None:
    """One case: where it stands (while it runs), then each step's bar against its standard."""
    runtime = context.runtime
    state = await runtime.service.case_by_code(code)
    if state is None:
        await _send(update, context, runtime.text(lang, "case.not_found", case_code=code))
        return
    if state.status is CaseStatus.OPEN:
        sop = (await runtime.service.context_for(state)).sop
        await _send(
            update, context, _views(runtime, lang).case_board(state, sop, runtime.clock.now())
        )
    chart = await case_chart(runtime, state, lang)
    await context.bot.send_photo(
        _chat_id(update), photo=chart.png, caption=html.escape(chart.caption, quote=False)
    )


async def on_page(update: Update, context: BotContext) -> None:
    """Another page of /status or of a case choice, in the message whose button was pressed."""
    query = update.callback_query
    assert query is not None
    pressed = await page_press(update, context)
    if pressed is None:
        return
    press, lang = pressed
    runtime = context.runtime
    views = _views(runtime, lang)
    if press.view is PagedView.STATUS:
        board = await runtime.service.status_board(press.page, STATUS_PAGE_SIZE)
        text, buttons = views.status_board(board, runtime.clock.now())
    else:
        found, number, pages = await runtime.service.case_page(press.page, CASES_OFFERED)
        key = CHOOSE_KEYS[press.view]
        text, buttons = (
            runtime.text(lang, key),
            views.case_choice(found, press.view, number, pages),
        )
    await turn_page(query, text, buttons)


async def on_history(update: Update, context: BotContext) -> None:
    await _by_code(update, context, PagedView.HISTORY_CHOICE)


async def on_files(update: Update, context: BotContext) -> None:
    await _by_code(update, context, PagedView.FILES_CHOICE)


async def _by_code(update: Update, context: BotContext, choice: PagedView) -> None:
    """A command naming a case by its code; without one, offer the cases as buttons, a
    page at a time (running first, then the newest)."""
    officer, lang = await _officer(update, context)
    if officer is None:
        return
    runtime = context.runtime
    op = "h" if choice is PagedView.HISTORY_CHOICE else "b"
    if not context.args:
        found, number, pages = await runtime.service.case_page(1, CASES_OFFERED)
        if not found:
            await _send(update, context, runtime.text(lang, "query.no_cases"))
            return
        buttons = _views(runtime, lang).case_choice(found, choice, number, pages)
        await _send(update, context, runtime.text(lang, CHOOSE_KEYS[choice]), buttons)
        return
    code = context.args[0]
    state = await runtime.service.case_by_code(code)
    if state is None:
        await _send(update, context, runtime.text(lang, "case.not_found", case_code=code))
        return
    await _show(update, context, lang, op, state)


async def _show(update: Update, context: BotContext, lang: str, op: str, state: CaseState) -> None:
    if op == "h":
        await _send_history(update, context, lang, state)
    else:
        await _send_versions(update, context, lang, state)


async def _send_history(update: Update, context: BotContext, lang: str, state: CaseState) -> None:
    runtime = context.runtime
    sop, trail = await runtime.service.history(state)
    text = _views(runtime, lang).history(state, sop, trail, runtime.clock.now())
    await _send(update, context, text)


async def _send_versions(update: Update, context: BotContext, lang: str, state: CaseState) -> None:
    views = _views(context.runtime, lang)
    text, buttons = views.versions(state)
    latest = state.latest_draft
    if latest is not None:
        await _send_version(update, context, views, state, latest.number)
    await _send(update, context, text, buttons)


async def _send_version(
    update: Update, context: BotContext, views: QueryViews, state: CaseState, number: int
) -> None:
    """Send one draft version from the file store; a damaged file is reported, never sent."""
    draft = next((d for d in state.drafts if d.number == number), None)
    if draft is None:
        return
    try:
        data = await context.runtime.service.draft_file(state, draft)
    except DraftUnreadable as unreadable:
        await _send(update, context, views.file_problem(draft, corrupt=unreadable.corrupt))
        return
    caption = views.version_caption(state, draft)
    await context.bot.send_document(
        _chat_id(update),
        document=data,
        filename=draft.filename,
        caption=caption if visible_length(caption) <= CAPTION_LIMIT else None,
    )


# -- buttons ----------------------------------------------------------------------------


async def on_press(update: Update, context: BotContext) -> None:
    pressing = await pressed(update, context, parse_query)
    if pressing is None:
        return
    runtime, query = context.runtime, pressing.query
    officer, lang, press = pressing.officer, pressing.lang, pressing.data
    if press.op == "t":
        await _show_task_again(update, context, officer, lang, press)
        return
    state = await runtime.service.find_case(press.case_id)
    if state is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    if press.op == "f":
        assert press.arg is not None
        views = _views(runtime, lang)
        if not any(d.number == press.arg for d in state.drafts):
            await answer_press(
                query, runtime.plain(lang, "query.answer.no_version", number=press.arg)
            )
            return
        await answer_press(query)
        await wait_for_chat(update, context, officer)
        await _send_version(update, context, views, state, press.arg)
        return
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await _show(update, context, lang, press.op, state)


async def _show_task_again(
    update: Update, context: BotContext, officer: str, lang: str, press: QueryPress
) -> None:
    """Put the task message in the outbox again; delivered, it becomes the task's message.
    The press is answered after the delivery, with its outcome."""
    query = update.callback_query
    assert query is not None and press.arg is not None
    runtime = context.runtime
    try:
        ctx, state, task = await runtime.service.task_for(officer, press.case_id, press.arg)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        return
    header = _views(runtime, lang).resent_header()
    messages = runtime.presenter.task_message(ctx, state, task, lang, intro=header)
    rows = await runtime.service.send(state, messages)
    await runtime.delivered()  # the answer says what became of it: wait for it
    delivery = await runtime.service.delivery(rows)
    await answer_press(query, runtime.plain(lang, _RESEND_ANSWER[delivery]))


_RESEND_ANSWER = {  # the press is answered with what became of the message, not a hope
    Delivery.SENT: "query.answer.resent",
    Delivery.FAILED: "delivery.resend_failed",
    Delivery.PENDING: "delivery.resend_waiting",
}


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("tugas", on_tasks),
        CommandHandler("status", on_status),
        CommandHandler("riwayat", on_history),
        CommandHandler("berkas", on_files),
        CallbackQueryHandler(on_press, pattern=QUERY_PATTERN),
        CallbackQueryHandler(
            on_page,
            pattern=page_pattern(
                PagedView.STATUS, PagedView.HISTORY_CHOICE, PagedView.FILES_CHOICE
            ),
        ),
    ]
