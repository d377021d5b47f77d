"""Task buttons and the short dialogs they open (return reason, form, proof, skip reason).

One persistent `ConversationHandler`: every task button is an entry point (and a fallback,
so a button pressed in the middle of a dialog starts over cleanly). Buttons that act at
once end the conversation; the ones that need typed input move to a state whose scratch
(which task, which version) is a row in the bot's database, written with the state before
the question is sent (`handlers.common.keep_dialog`): a SIGKILL right after the officer
read "Mohon tuliskan alasan…" loses nothing, and the reason typed after the restart is
taken. An answer whose dialog is not on record is told so and asked to press again.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Final

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.core import input_limits
from bot.core.workflow import (
    Action,
    AttachFile,
    Complete,
    Refusal,
    RefusalCode,
    Return,
    SkipItem,
    Tick,
)
from bot.crashpoints import crashpoint
from bot.ptb.context import BotContext
from bot.runtime import Runtime
from bot.services.task_press import Ask, ConfirmSign, Dialog, KeepTask, Reselect
from bot.views.callbacks import TASK_PATTERN, TaskOp, parse_task
from bot.views.steps import step_label
from handlers import queries
from handlers.common import (
    answer_press,
    dialog_closed,
    dialog_data,
    dialog_key,
    end_dialog,
    identify,
    keep_dialog,
    refusal_text,
    refuse_too_long,
    reply,
    unknown_presser,
    wait_for_chat,
)
from handlers.uploads import receive_file

log = logging.getLogger(__name__)

REASON, FIELD, SKIP, PROOF = range(4)
END = ConversationHandler.END
NAME = "task_dialog"
_STATE_OF: dict[Dialog, int] = {
    Dialog.REASON: REASON,
    Dialog.FORM: FIELD,
    Dialog.SKIP: SKIP,
    Dialog.PROOF: PROOF,
}


async def on_button(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    press = parse_task(query.data)
    await end_dialog(update, context, NAME)  # a press in the middle of a dialog starts over
    if officer is None:
        await unknown_presser(query, runtime, lang)
        return END
    if press is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return END
    crashpoint("button.received")
    try:
        outcome = await runtime.service.press(officer, press)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), True)
        await wait_for_chat(update, context, officer)
        await _strip_stale_buttons(update, refusal)
        return END
    if isinstance(outcome, Ask):
        await wait_for_chat(update, context, officer)
        return await _open_dialog(update, context, lang, outcome, press.arg)
    if isinstance(outcome, Reselect):
        await wait_for_chat(update, context, officer)
        await _show_order_selection(update, context, lang, outcome)
        return END
    if isinstance(outcome, ConfirmSign | KeepTask):
        await wait_for_chat(update, context, officer)
        await _ask_or_restore(update, context, lang, outcome)
        return END
    crashpoint("button.committed")
    done = "workflow.undone" if press.op is TaskOp.UNDO else "workflow.acted"
    await answer_press(query, runtime.plain(lang, done))
    crashpoint("button.answered")
    return END


async def _open_dialog(
    update: Update, context: BotContext, lang: str, ask: Ask, version: int | None
) -> int:
    """Ask for the typed input; the scratch (which task, which version) is on disk first."""
    assert update.callback_query is not None
    runtime = context.runtime
    step, state = ask.step, ask.state
    scratch: dict[str, Any] = {
        "kind": ask.dialog.value,
        "case": state.id,
        "task": ask.task.seq,
        "version": version,
        "code": state.code,
    }
    common = {"case_code": state.code, "number": step.number, "title": step_label(step)}
    await answer_press(update.callback_query)
    if ask.dialog is Dialog.REASON:
        text = runtime.text(lang, "reason.ask", recipient=_recipient(runtime, ask), **common)
    elif ask.dialog is Dialog.FORM:
        scratch["fields"] = list(step.form)
        scratch["values"] = {}
        text = _field_prompt(runtime, lang, step.form[0], common)
        scratch["common"] = common
    elif ask.dialog is Dialog.SKIP:
        scratch["items"] = list(ask.items)
        text = runtime.text(lang, "workflow.ask_skip_reason", items=", ".join(ask.items))
    else:
        scratch["item"] = ask.items[0]
        text = runtime.text(lang, "workflow.ask_proof", item=scratch["item"])
    state_number = await keep_dialog(update, context, NAME, _STATE_OF[ask.dialog], scratch)
    crashpoint("dialog.stored")
    await _send(update, text)
    crashpoint("dialog.prompted")
    return state_number


def _recipient(runtime: Runtime, ask: Ask) -> str:
    """Whom the return reaches, by name; the role when nobody holds it any more."""
    if ask.recipients:
        return ", ".join(runtime.directory.name(k) for k in ask.recipients)
    step = ask.step
    target = ask.ctx.sop.step(step.return_to) if step.return_to else step
    return ", ".join(ask.ctx.sop.roles.get(r, r) for r in target.roles)


def _field_prompt(runtime: Runtime, lang: str, field: str, common: dict[str, Any]) -> str:
    name = field.rstrip("?")
    label_key = f"workflow.field.{name}"
    label = runtime.plain(lang, label_key) if runtime.catalogue.has(label_key) else name
    key = "workflow.ask_field_optional" if field.endswith("?") else "workflow.ask_field"
    return runtime.text(lang, key, field=label, **common)


async def on_reason(update: Update, context: BotContext) -> int:
    scratch = await _scratch(update, context, "reason")
    if scratch is None:
        return await _lost(update, context)
    officer, lang = await identify(update, context)
    text = (update.effective_message.text or "") if update.effective_message else ""
    if await refuse_too_long(update, context.runtime, lang, text, input_limits.REASON):
        return REASON
    action = Return(scratch["task"], text, scratch["version"])
    return await _finish_dialog(update, context, officer, lang, scratch, action, REASON)


async def on_skip_reason(update: Update, context: BotContext) -> int:
    scratch = await _scratch(update, context, "skip")
    if scratch is None:
        return await _lost(update, context)
    officer, lang = await identify(update, context)
    text = (update.effective_message.text or "") if update.effective_message else ""
    runtime = context.runtime
    assert officer is not None
    if await refuse_too_long(update, runtime, lang, text, input_limits.REASON):
        return SKIP
    skips = [SkipItem(scratch["task"], item, text) for item in scratch["items"]]
    key = dialog_key(update, NAME)
    try:
        await runtime.service.act_all(officer, scratch["case"], skips, closes=key)
    except Refusal as refusal:
        if refusal.code is RefusalCode.REASON_REQUIRED:
            await reply(update, refusal_text(runtime, lang, refusal))
            return SKIP
        await reply(update, refusal_text(runtime, lang, refusal))
        await end_dialog(update, context, NAME)
        return END
    dialog_closed(context, key)
    return END


async def on_field(update: Update, context: BotContext) -> int:
    scratch = await _scratch(update, context, "form")
    if scratch is None:
        return await _lost(update, context)
    officer, lang = await identify(update, context)
    runtime = context.runtime
    text = ((update.effective_message.text or "") if update.effective_message else "").strip()
    fields: list[str] = scratch["fields"]
    field = fields[len(scratch["values"])]
    if text == "-" and field.endswith("?"):
        text = ""
    if not text and not field.endswith("?"):
        await reply(update, _field_prompt(runtime, lang, field, scratch["common"]))
        return FIELD
    if await refuse_too_long(update, runtime, lang, text, input_limits.FORM_FIELD):
        return FIELD
    scratch["values"][field.rstrip("?")] = text
    if len(scratch["values"]) < len(fields):
        await keep_dialog(update, context, NAME, FIELD, scratch)
        await reply(
            update, _field_prompt(runtime, lang, fields[len(scratch["values"])], scratch["common"])
        )
        return FIELD
    action = Complete(scratch["task"], dict(scratch["values"]))
    return await _finish_dialog(update, context, officer, lang, scratch, action, FIELD)


async def on_proof_text(update: Update, context: BotContext) -> int:
    scratch = await _scratch(update, context, "proof")
    if scratch is None:
        return await _lost(update, context)
    officer, lang = await identify(update, context)
    text = ((update.effective_message.text or "") if update.effective_message else "").strip()
    if await refuse_too_long(update, context.runtime, lang, text, input_limits.PROOF_REFERENCE):
        return PROOF
    action = Tick(scratch["task"], scratch["item"], proof_ref=text)
    return await _finish_dialog(update, context, officer, lang, scratch, action, PROOF)


async def on_proof_file(update: Update, context: BotContext) -> int:
    scratch = await _scratch(update, context, "proof")
    if scratch is None:
        return await _lost(update, context)
    officer, lang = await identify(update, context)
    if officer is None:
        return END
    ref = await receive_file(update, context, lang, purpose="proof")
    if ref is None:
        return PROOF
    action = AttachFile(scratch["task"], ref, item=scratch["item"])
    return await _finish_dialog(update, context, officer, lang, scratch, action, PROOF)


async def _finish_dialog(
    update: Update,
    context: BotContext,
    officer: str | None,
    lang: str,
    scratch: dict[str, Any],
    action: Action,
    retry_state: int,
) -> int:
    runtime = context.runtime
    if officer is None:
        await end_dialog(update, context, NAME)
        return END
    dialog = dialog_key(update, NAME)
    try:
        await runtime.service.act(officer, scratch["case"], action, closes=dialog)
    except Refusal as refusal:
        if refusal.code in (RefusalCode.REASON_REQUIRED, RefusalCode.FORM_INCOMPLETE):
            await reply(update, refusal_text(runtime, lang, refusal))
            return retry_state
        if refusal.code in (RefusalCode.TASK_CLOSED, RefusalCode.CASE_CLOSED) and isinstance(
            action, Return
        ):
            await runtime.service.add_note(
                officer, scratch["case"], scratch["task"], action.reason
            )
            await reply(
                update, runtime.text(lang, "reason.kept_as_note", case_code=scratch["code"])
            )
        else:
            await reply(update, refusal_text(runtime, lang, refusal))
        await end_dialog(update, context, NAME)
        return END
    dialog_closed(context, dialog)  # in the action's own transaction
    crashpoint("dialog.committed")
    key = "workflow.reason_saved" if isinstance(action, Return) else "workflow.acted"
    await reply(update, runtime.text(lang, key))
    crashpoint("dialog.acknowledged")
    return END


async def on_cancel(update: Update, context: BotContext) -> int:
    _, lang = await identify(update, context)
    runtime = context.runtime
    had = await end_dialog(update, context, NAME) is not None
    await reply(
        update,
        runtime.text(lang, "workflow.dialog_cancelled" if had else "workflow.nothing_to_cancel"),
    )
    return END


async def _show_order_selection(
    update: Update, context: BotContext, lang: str, selection: Reselect
) -> None:
    """Only the buttons change: the officer toggled one name in the order selection (the
    task's other buttons, "PDF" and "Rincian", stay under it)."""
    query = update.callback_query
    assert query is not None
    buttons = context.runtime.presenter.order_selection(
        selection.ctx, selection.state, selection.task, lang, selection.mask
    )
    from bot.ptb.markup import keyboard

    await answer_press(query)
    await query.edit_message_reply_markup(reply_markup=keyboard(buttons))


async def _ask_or_restore(
    update: Update, context: BotContext, lang: str, outcome: ConfirmSign | KeepTask
) -> None:
    """Only the buttons change: the question under "Tanda tangani", or the task's own
    buttons again after "Batal" (nothing is written either way)."""
    query = update.callback_query
    assert query is not None
    presenter = context.runtime.presenter
    if isinstance(outcome, ConfirmSign):
        question, buttons = presenter.sign_question(
            outcome.state, outcome.task, outcome.version, lang
        )
        await answer_press(query, question, True)
    else:
        buttons = presenter.task_buttons(outcome.ctx, outcome.state, outcome.task, lang)
        await answer_press(query)
    from bot.ptb.markup import keyboard

    await query.edit_message_reply_markup(reply_markup=keyboard(buttons))


async def _scratch(update: Update, context: BotContext, kind: str) -> dict[str, Any] | None:
    data = await dialog_data(update, context, NAME)
    return data if data is not None and data.get("kind") == kind else None


async def _lost(update: Update, context: BotContext) -> int:
    """An answer to a dialog with no record: say it was not taken and ask to press again."""
    officer, lang = await identify(update, context)
    await end_dialog(update, context, NAME)
    if officer is not None:
        await reply(update, context.runtime.text(lang, "workflow.dialog_lost"))
        await queries.on_tasks(update, context)  # the list's buttons show each task again
    return END


async def _send(update: Update, text: str) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, parse_mode="HTML", disable_web_page_preview=True)


_TASK_OVER: Final = (
    RefusalCode.ALREADY_DONE,
    RefusalCode.TASK_CLOSED,
    RefusalCode.CASE_CLOSED,
    RefusalCode.TASK_NOT_FOUND,
)
# An undo that can never work again: only its button goes, for the card it sits on may
# carry the officer's next task (its buttons stay).
_UNDO_OVER: Final = (
    RefusalCode.NOT_UNDOABLE,
    RefusalCode.UNDO_EXPIRED,
    RefusalCode.NEXT_STEP_ACTED,
)


async def _strip_stale_buttons(update: Update, refusal: Refusal) -> None:
    """A button that can never work again is removed, so it cannot be pressed again.

    All of them when the whole task is over (an item already ticked leaves the checklist
    usable); a stale "Urungkan" alone, the rest of its message kept.
    """
    query = update.callback_query
    if query is None or query.message is None or not hasattr(query.message, "reply_markup"):
        return
    from telegram import InlineKeyboardMarkup
    from telegram.error import BadRequest

    markup: InlineKeyboardMarkup | None = None
    if refusal.code in _UNDO_OVER:
        rows = getattr(query.message.reply_markup, "inline_keyboard", None) or ()
        kept = [[b for b in row if b.callback_data != query.data] for row in rows]
        markup = InlineKeyboardMarkup([row for row in kept if row]) if any(kept) else None
    elif "item" in refusal.details or refusal.code not in _TASK_OVER:
        return
    try:
        await query.edit_message_reply_markup(reply_markup=markup)
    except BadRequest as exc:
        log.debug("could not strip buttons: %s", exc)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    button = CallbackQueryHandler(on_button, pattern=TASK_PATTERN)
    text = filters.TEXT & ~filters.COMMAND
    return [
        ConversationHandler(
            entry_points=[button],  # type: ignore[list-item]
            states={
                REASON: [MessageHandler(text, on_reason)],
                FIELD: [MessageHandler(text, on_field)],
                SKIP: [MessageHandler(text, on_skip_reason)],
                PROOF: [
                    MessageHandler(text, on_proof_text),
                    MessageHandler(filters.Document.ALL | filters.PHOTO, on_proof_file),
                ],
            },
            fallbacks=[CommandHandler("batal", on_cancel), button],  # type: ignore[list-item]
            name="task_dialog",
            persistent=True,
            allow_reentry=True,
        ),
    ]
