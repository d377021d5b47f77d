"""Files sent in chat: drafts for a task, proofs for a checklist item.

A file belongs to the task whose message it replies to; otherwise to the sender's only
open task that takes files; otherwise the bot keeps the file and asks which task, one
button per task. Nothing is acknowledged before the bytes are on disk and the new version
is committed.
"""

from __future__ import annotations

import logging
import re
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
from bot.core.workflow import AttachFile, FileRef, Refusal
from bot.crashpoints import crashpoint
from bot.ptb.context import BotContext
from bot.views.fmt import format_file_size
from handlers.common import answer, answer_press, identify, refusal_text, reply, unknown_user
from storage.codec import to_iso
from storage.uow import reading, unit_of_work

log = logging.getLogger(__name__)

PICK_PATTERN = re.compile(r"^u:(\d{1,12}):(\d{1,9}):(\d{1,6})$")
ITEM_PATTERN = re.compile(r"^ui:(\d{1,12}):(\d{1,9}):(\d{1,6}):(\d{1,3})$")
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
        async with reading(runtime.db, runtime.agency) as tx:
            target = await tx.outbox.task_of_message(
                update.effective_chat.id, message.reply_to_message.message_id
            )
    candidates = [] if target else await _file_tasks(context, officer)
    if target is None and not candidates:
        await reply(update, runtime.text(lang, "file.no_task"))
        return
    ref = await receive_file(update, context, lang)
    if ref is None:
        return
    if target is None and len(candidates) == 1:
        target = candidates[0][:2]
    if target is None:
        await _ask_which_task(update, context, officer, lang, ref, candidates)
        return
    await _attach(update, context, officer, lang, target[0], target[1], ref)


async def _file_tasks(context: BotContext, officer: str) -> list[tuple[int, int, str]]:
    """The sender's open tasks that take a file, as (case, task, label)."""
    result = []
    for state, task in await context.runtime.service.open_tasks_of(officer):
        ctx = await context.runtime.service.context_for(state)
        step = ctx.sop.step(task.step_key)
        if step.takes_files or step.kind is StepKind.CHECKLIST:
            result.append((state.id, task.seq, f"{state.code} · {step.number}. {step.title}"))
    return result


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
            rows = [
                [
                    InlineKeyboardButton(
                        i.item[:60], callback_data=f"ui:{pending}:{case_id}:{task_seq}:{n}"
                    )
                ]
                for n, i in enumerate(items)
            ]
            await reply(
                update,
                runtime.text(lang, "upload.which_item", filename=ref.filename),
                reply_markup=InlineKeyboardMarkup(rows),
            )
            return
        transition = await runtime.service.act(officer, case_id, AttachFile(task_seq, ref))
    except Refusal as refusal:
        await reply(update, refusal_text(runtime, lang, refusal))
        return
    crashpoint("upload.committed")
    version = transition.state.files[-1].number
    await reply(
        update,
        runtime.text(
            lang,
            "task.draft_received",
            version=version,
            filename=ref.filename,
            size=format_file_size(ref.size, lang),
        ),
    )
    crashpoint("upload.acknowledged")
    await runtime.deliver()


async def _ask_which_task(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    ref: FileRef,
    candidates: list[tuple[int, int, str]],
) -> None:
    runtime = context.runtime
    pending = await _keep_pending(update, context, officer, ref)
    rows = [
        [InlineKeyboardButton(label[:60], callback_data=f"u:{pending}:{case_id}:{seq}")]
        for case_id, seq, label in candidates
    ]
    await reply(
        update, runtime.text(lang, "file.which_task"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def _keep_pending(update: Update, context: BotContext, officer: str, ref: FileRef) -> int:
    """The stored file waits for the sender's choice (which task, which item)."""
    runtime = context.runtime
    user = update.effective_user
    assert user is not None
    async with unit_of_work(runtime.db, runtime.agency) as tx:
        cur = await tx.conn.execute(
            "INSERT INTO pending_uploads (telegram_id, officer_key, sha256, filename, size, mime, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user.id,
                officer,
                ref.sha256,
                ref.filename,
                ref.size,
                ref.mime,
                to_iso(runtime.clock.now()),
            ),
        )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


async def _take_pending(context: BotContext, pending_id: int, telegram_id: int) -> FileRef | None:
    """The waiting file, once: a second press on the same choice finds nothing."""
    runtime = context.runtime
    async with unit_of_work(runtime.db, runtime.agency) as tx:
        cur = await tx.conn.execute(
            "SELECT sha256, filename, size, mime FROM pending_uploads WHERE id = ? "
            "AND telegram_id = ? AND resolved_at IS NULL",
            (pending_id, telegram_id),
        )
        row = await cur.fetchone()
        if row is None:
            return None
        await tx.conn.execute(
            "UPDATE pending_uploads SET resolved_at = ? WHERE id = ?",
            (to_iso(runtime.clock.now()), pending_id),
        )
    return FileRef(sha256=row[0], filename=row[1], size=int(row[2]), mime=row[3])


async def on_pick_item(update: Update, context: BotContext) -> None:
    """The checklist item a file was sent for: attach it there (which ticks the item)."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    match = ITEM_PATTERN.match(query.data or "")
    user = update.effective_user
    if officer is None or match is None or user is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    pending_id, case_id, seq, index = (int(g) for g in match.groups())
    try:
        _, state, task = await runtime.service.task_for(officer, case_id, seq)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        return
    items = state.checklist(task.step_key, task.round) or []
    ref = await _take_pending(context, pending_id, user.id) if index < len(items) else None
    if ref is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return
    await answer_press(query)
    await query.edit_message_reply_markup(reply_markup=None)
    item = items[index].item
    try:
        await runtime.service.act(officer, case_id, AttachFile(seq, ref, item=item))
    except Refusal as refusal:
        await reply(update, refusal_text(runtime, lang, refusal))
        return
    await reply(
        update, runtime.text(lang, "upload.item_attached", filename=ref.filename, item=item)
    )
    await runtime.deliver()


async def on_pick_task(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    match = PICK_PATTERN.match(query.data or "")
    user = update.effective_user
    if officer is None or match is None or user is None:
        await answer(query, runtime.plain(lang, "common.stale_button"), True)
        return
    pending_id, case_id, seq = (int(g) for g in match.groups())
    ref = await _take_pending(context, pending_id, user.id)
    if ref is None:
        await answer(query, runtime.plain(lang, "common.stale_button"), True)
        return
    await answer(query)
    await query.edit_message_reply_markup(reply_markup=None)
    await _attach(update, context, officer, lang, case_id, seq, ref)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CallbackQueryHandler(on_pick_task, pattern=PICK_PATTERN),
        CallbackQueryHandler(on_pick_item, pattern=ITEM_PATTERN),
        MessageHandler(filters.Document.ALL | filters.PHOTO, on_file),
    ]
