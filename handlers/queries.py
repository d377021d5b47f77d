"""Looking things up: /tugas, /status, /riwayat, /berkas and the buttons they offer.

Nothing here changes a case. Every registered officer (and front-office admin) may ask;
strangers get the usual "not registered" answer. Long answers are split under Telegram's
limit (`bot.views.textsplit`), the buttons riding on the last piece. The one write is showing a
task message again: it goes through the outbox like any task message, so the sender
records it as the task's message and later edits reach it instead of the old one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.core.workflow import CaseState, Refusal
from bot.ptb.context import BotContext
from bot.ptb.markup import keyboard
from bot.runtime import Runtime
from bot.services.workflow_service import DraftUnreadable
from bot.views.callbacks import QUERY_PATTERN, QueryPress, parse_query
from bot.views.outgoing import Send
from bot.views.queries import CASES_OFFERED, Keyboard, QueryViews, TaskItem
from bot.views.textsplit import CAPTION_LIMIT, split_html, visible_length
from handlers.common import answer_press, identify, refusal_text, unknown_user


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
    officer, lang = await _officer(update, context)
    if officer is None:
        return
    runtime = context.runtime
    cases = []
    for state in await runtime.service.open_cases():
        cases.append((state, (await runtime.service.context_for(state)).sop))
    text = _views(runtime, lang).status_board(cases, runtime.clock.now())
    await _send(update, context, text)


async def on_history(update: Update, context: BotContext) -> None:
    await _by_code(update, context, "h", "query.choose_history")


async def on_files(update: Update, context: BotContext) -> None:
    await _by_code(update, context, "b", "query.choose_files")


async def _by_code(update: Update, context: BotContext, op: str, choose_key: str) -> None:
    """A command naming a case by its code; without one, offer the cases as buttons."""
    officer, lang = await _officer(update, context)
    if officer is None:
        return
    runtime = context.runtime
    if not context.args:
        states = await runtime.service.recent_cases(CASES_OFFERED)
        if not states:
            await _send(update, context, runtime.text(lang, "query.no_cases"))
            return
        buttons = _views(runtime, lang).case_choice(states, op)
        await _send(update, context, runtime.text(lang, choose_key), buttons)
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
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    press = parse_query(query.data)
    if officer is None:
        admins = ", ".join(runtime.directory.name(a) for a in runtime.directory.admins())
        await answer_press(query, runtime.plain(lang, "common.unknown_user", admins=admins), True)
        return
    if press is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
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
        await _send_version(update, context, views, state, press.arg)
        return
    await answer_press(query)
    await _show(update, context, lang, press.op, state)


async def _show_task_again(
    update: Update, context: BotContext, officer: str, lang: str, press: QueryPress
) -> None:
    """Put the task message in the outbox again; delivered, it becomes the task's message."""
    query = update.callback_query
    assert query is not None and press.arg is not None
    runtime = context.runtime
    try:
        ctx, state, task = await runtime.service.task_for(officer, press.case_id, press.arg)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        return
    header = _views(runtime, lang).resent_header()
    text, _ = runtime.presenter.render_task(ctx, state, task, lang)
    messages = []
    for out in runtime.presenter.task_message(ctx, state, task, lang):
        if isinstance(out.message, Send) and out.message.task_message:
            out = replace(out, message=replace(out.message, text=f"{header}\n\n{text}"))
        messages.append(out)
    await runtime.service.send(state, messages)
    await answer_press(query, runtime.plain(lang, "query.answer.resent"))


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("tugas", on_tasks),
        CommandHandler("status", on_status),
        CommandHandler("riwayat", on_history),
        CommandHandler("berkas", on_files),
        CallbackQueryHandler(on_press, pattern=QUERY_PATTERN),
    ]
