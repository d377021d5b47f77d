"""Files sent in chat: drafts for a task, proofs for a checklist item.

A file belongs to the task whose message it replies to; otherwise to the sender's only
open task that takes files; otherwise the bot keeps the file and asks which task, one
button per task. Nothing is acknowledged before the bytes are on disk and the new version
is committed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.core.filecheck import (
    DRAFT_KINDS,
    MAX_DOWNLOAD_BYTES,
    MIME_BY_KIND,
    PROOF_KINDS,
    Verdict,
    judge,
    safe_filename,
)
from bot.core.sop import StepKind
from bot.core.workflow import AttachFile, FileRef, ItemState, Refusal, Transition
from bot.crashpoints import crashpoint
from bot.ptb.context import BotContext
from bot.services.workflow_service import FileTask
from bot.views.callbacks import (
    PICK_ITEM_PATTERN,
    PICK_TASK_PATTERN,
    parse_pick_item,
    parse_pick_task,
    pick_item_callback,
    pick_task_callback,
)
from bot.views.fmt import format_file_size
from bot.views.steps import step_label
from handlers.common import (
    answer_press,
    identify,
    refusal_text,
    reply,
    unknown_user,
    wait_for_chat,
)

log = logging.getLogger(__name__)

SELF_HOSTED_LIMIT = 2_000_000_000


def _limit(context: BotContext) -> int:
    """The Bot API lets bots download 20 MB; a self-hosted server in local mode lifts that."""
    return SELF_HOSTED_LIMIT if context.runtime.config.telegram.local_mode else MAX_DOWNLOAD_BYTES


async def receive_file(
    update: Update, context: BotContext, lang: str, *, purpose: str = "draft"
) -> FileRef | None:
    """Download, check and store the message's file; tell the user and return None if refused."""
    runtime = context.runtime
    message = update.effective_message
    if message is None:
        return None
    if message.document is not None:
        media: Any = message.document
        name = safe_filename(message.document.file_name)
    elif message.photo:
        media = message.photo[-1]
        name = f"foto_{message.message_id}.jpg"
    else:
        return None
    size = media.file_size
    limit = _limit(context)
    if size is not None and size > limit:
        await reply(
            update,
            runtime.text(
                lang,
                "file.too_big",
                filename=name,
                size=format_file_size(size, lang),
                limit=format_file_size(limit, lang),
            ),
        )
        return None
    telegram_file = await media.get_file()
    data = bytes(await telegram_file.download_as_bytearray())
    crashpoint("upload.downloaded")
    allowed = DRAFT_KINDS if purpose == "draft" else PROOF_KINDS
    converter = runtime.pdf if runtime.pdf is not None and runtime.pdf.available else None
    verdict = judge(name, data, allowed, can_convert=converter is not None)
    if verdict.ok and verdict.needs_conversion and converter is not None:
        # An old Word (.doc) or OpenDocument (.odt) draft becomes a .docx on receipt.
        converted = await converter.convert(
            data, name, source=verdict.kind or "doc", target="docx"
        )
        if converted is None:
            verdict = Verdict(False, verdict.kind, "cannot_convert")
        else:
            name, data = f"{name.rpartition('.')[0] or name}.docx", converted
            verdict = judge(name, data, allowed)
    if not verdict.ok:
        allowed_text = ", ".join("." + k.replace("jpeg", "jpg") for k in allowed)
        if verdict.problem == "type_refused":
            text = runtime.text(lang, "file.type_refused", filename=name, allowed=allowed_text)
        else:
            text = runtime.text(
                lang, f"upload.{verdict.problem}", filename=name, allowed=allowed_text
            )
        await reply(update, text)
        return None
    assert verdict.kind is not None
    ref = await runtime.service.store_upload(data, name, MIME_BY_KIND[verdict.kind])
    crashpoint("upload.stored")
    return ref


async def on_file(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    message = update.effective_message
    assert message is not None and update.effective_chat is not None
    target = None
    if message.reply_to_message is not None:
        target = await runtime.service.task_of_message(
            update.effective_chat.id, message.reply_to_message.message_id
        )
    candidates = [] if target else await runtime.service.file_tasks(officer)
    if target is None and not candidates:
        await reply(update, runtime.text(lang, "file.no_task"))
        return
    ref = await receive_file(update, context, lang)
    if ref is None:
        return
    if target is None and len(candidates) == 1:
        target = candidates[0].case_id, candidates[0].task_seq
    if target is None:
        await _ask_which_task(update, context, officer, lang, ref, candidates)
        return
    await _attach(update, context, officer, lang, target[0], target[1], ref)


async def _attach(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    case_id: int,
    task_seq: int,
    ref: FileRef,
) -> None:
    runtime = context.runtime
    try:
        ctx, state, task = await runtime.service.task_for(officer, case_id, task_seq)
        items = state.checklist(task.step_key, task.round)
        if ctx.sop.step(task.step_key).kind is StepKind.CHECKLIST and items:
            pending = await _keep_pending(update, context, officer, ref)
            await _ask_which_item(update, context, lang, pending, case_id, task_seq, ref, items)
            return
        transition = await runtime.service.act(officer, case_id, AttachFile(task_seq, ref))
    except Refusal as refusal:
        await reply(update, refusal_text(runtime, lang, refusal))
        return
    step = step_label(ctx.sop.step(task.step_key))
    await _draft_received(update, context, officer, lang, transition, ref, step)


async def _ask_which_item(
    update: Update,
    context: BotContext,
    lang: str,
    pending: int,
    case_id: int,
    task_seq: int,
    ref: FileRef,
    items: Sequence[ItemState],
) -> None:
    """One button per checklist item, each pointing at the waiting file."""
    rows = [
        [
            InlineKeyboardButton(
                i.item[:60], callback_data=pick_item_callback(pending, case_id, task_seq, n)
            )
        ]
        for n, i in enumerate(items)
    ]
    await reply(
        update,
        context.runtime.text(lang, "upload.which_item", filename=ref.filename),
        reply_markup=InlineKeyboardMarkup(rows),
    )


async def _draft_received(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    transition: Transition,
    ref: FileRef,
    step: str,
) -> None:
    """The committed draft is acknowledged with the number the officer reads everywhere
    and the step (short name) it was handed in for."""
    runtime = context.runtime
    crashpoint("upload.committed")
    await wait_for_chat(update, context, officer)  # what the upload queued for them first
    version = transition.state.files[-1].shown
    await reply(
        update,
        runtime.text(
            lang,
            "task.draft_received",
            case_code=transition.state.code,
            step=step,
            version=version,
            filename=ref.filename,
            size=format_file_size(ref.size, lang),
        ),
    )
    crashpoint("upload.acknowledged")


async def _ask_which_task(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    ref: FileRef,
    candidates: list[FileTask],
) -> None:
    runtime = context.runtime
    pending = await _keep_pending(update, context, officer, ref)
    rows = [
        [
            InlineKeyboardButton(
                f"{c.case_code} · {c.step.number}. {step_label(c.step)}"[:60],
                callback_data=pick_task_callback(pending, c.case_id, c.task_seq),
            )
        ]
        for c in candidates
    ]
    await reply(
        update, runtime.text(lang, "file.which_task"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _keep_pending(update: Update, context: BotContext, officer: str, ref: FileRef) -> int:
    """The stored file waits for the sender's choice (which task, which item)."""
    user = update.effective_user
    assert user is not None
    return await context.runtime.service.keep_pending_upload(user.id, officer, ref)


async def on_pick_item(update: Update, context: BotContext) -> None:
    """The checklist item a file was sent for: attach it there (which ticks the item)."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    pick = parse_pick_item(query.data)
    user = update.effective_user
    if officer is None or pick is None or pick.item is None or user is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    try:
        _, state, task = await runtime.service.task_for(officer, pick.case_id, pick.task)
        items = state.checklist(task.step_key, task.round) or []
        item = items[pick.item].item if pick.item < len(items) else None
        attached = None
        if item is not None:
            attached = await runtime.service.attach_pending(officer, user.id, pick, item)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        return
    if attached is None or item is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    _, ref = attached
    await answer_press(query)
    await wait_for_chat(update, context, officer)  # what attaching queued for them first
    await query.edit_message_reply_markup(reply_markup=None)
    await reply(
        update, runtime.text(lang, "upload.item_attached", filename=ref.filename, item=item)
    )


async def on_pick_task(update: Update, context: BotContext) -> None:
    """The task a file was sent for: attach it (one transaction with taking it), or, for a
    checklist, ask which item, the file still waiting under the same buttons' id."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    pick = parse_pick_task(query.data)
    user = update.effective_user
    if officer is None or pick is None or user is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    try:
        ctx, state, task = await runtime.service.task_for(officer, pick.case_id, pick.task)
        items = state.checklist(task.step_key, task.round)
        if ctx.sop.step(task.step_key).kind is StepKind.CHECKLIST and items:
            waiting = await runtime.service.pending_upload(pick.pending, user.id)
            attached = None
        else:
            attached = await runtime.service.attach_pending(officer, user.id, pick)
            waiting = None if attached is None else attached[1]
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        return
    if waiting is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await query.edit_message_reply_markup(reply_markup=None)
    if attached is None:
        assert items
        await _ask_which_item(
            update, context, lang, pick.pending, pick.case_id, pick.task, waiting, items
        )
        return
    step = step_label(ctx.sop.step(task.step_key))
    await _draft_received(update, context, officer, lang, attached[0], waiting, step)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(on_pick_task, pattern=PICK_TASK_PATTERN),
        CallbackQueryHandler(on_pick_item, pattern=PICK_ITEM_PATTERN),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
    ]
