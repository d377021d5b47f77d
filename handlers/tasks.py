"""Task buttons and the short dialogs they open (return reason, form, proof, skip reason).

One persistent `ConversationHandler`: every task button is an entry point (and a fallback,
so a button pressed in the middle of a dialog starts over cleanly). Buttons that act at
once end the conversation; the ones that need typed input move to a state whose scratch
(which task, which version) lives in `user_data`, persisted with the conversation so a
restart between the press and the typed reason loses nothing.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass
from typing import Any

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

from bot.core.sop import Step, StepKind
from bot.core.workflow import (
    Action,
    Approve,
    AttachFile,
    CaseState,
    Complete,
    Context,
    ItemStatus,
    Order,
    Paraf,
    Refusal,
    RefusalCode,
    Return,
    Sign,
    SkipItem,
    Task,
    TaskStatus,
    Tick,
    Untick,
)
from bot.crashpoints import crashpoint
from bot.ptb.context import BotContext
from bot.runtime import Runtime
from handlers.common import answer_press, identify, refusal_text, reply
from handlers.uploads import receive_file

log = logging.getLogger(__name__)

PATTERN = re.compile(r"^t:(\d{1,9}):(\d{1,6}):([a-z]{2})(?::(\d{1,12}))?$")
REASON, FIELD, SKIP, PROOF = range(4)
END = ConversationHandler.END
DIALOG = "dialog"


@dataclass(frozen=True, slots=True)
class Press:
    case_id: int
    task: int
    op: str
    arg: int | None


def parse(data: str | None) -> Press | None:
    match = PATTERN.match(data or "")
    if match is None:
        return None
    arg = match.group(4)
    return Press(
        int(match.group(1)), int(match.group(2)), match.group(3), int(arg) if arg else None
    )


async def on_button(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    press = parse(query.data)
    _clear(context)
    if officer is None:
        await _answer(update, runtime.plain(lang, "common.unknown_user", admins="admin"), True)
        return END
    if press is None:
        await _answer(update, runtime.plain(lang, "common.stale_button"), True)
        return END
    crashpoint("button.received")
    try:
        ctx, state, task = await runtime.service.task_for(officer, press.case_id, press.task)
        step = ctx.sop.step(task.step_key)
        action, dialog = _decide(press, ctx, state, task, step)
        if dialog is not None:
            return await _open_dialog(update, context, lang, dialog, press, ctx, state, task)
        if action is None:  # a selection toggle: only the buttons change
            await _show_order_selection(update, context, lang, press)
            return END
        await runtime.service.act(officer, press.case_id, action)
    except Refusal as refusal:
        await _answer(update, refusal_text(runtime, lang, refusal), True)
        await _strip_stale_buttons(update, refusal)
        return END
    crashpoint("button.committed")
    await _answer(update, runtime.plain(lang, "workflow.acted"))
    crashpoint("button.answered")
    await runtime.deliver()
    return END


def _decide(
    press: Press, ctx: Context, state: CaseState, task: Task, step: Step
) -> tuple[Action | None, str | None]:
    """Map a button to an engine action, or to the dialog that must collect input first."""
    op, seq, arg = press.op, press.task, press.arg
    if op == "ap":
        return Approve(seq, arg), None
    if op == "pf":
        return Paraf(seq, arg), None
    if op == "sg":
        return Sign(seq, arg), None
    if op == "rt":
        return None, "reason"
    if op == "ok":
        if step.kind is StepKind.ACTION and step.form:
            return None, "form"
        return Complete(seq), None
    if op == "sk":
        return None, "skip"
    if op in ("ck", "uk"):
        # The button says what it does (tick "⬜", untick "✅"), so a double tap or an
        # old keyboard repeats the same intention and is answered "already done".
        items = state.checklist(task.step_key, task.round) or []
        if arg is None or arg >= len(items):
            raise Refusal(RefusalCode.UNKNOWN_ITEM, item=arg)
        item = items[arg]
        if op == "uk":
            return Untick(seq, item.item), None
        if item.status is not ItemStatus.OPEN:
            raise Refusal(RefusalCode.ALREADY_DONE, item=item.item)
        if step.checklist is not None and step.checklist.proof_required:
            return None, "proof"
        return Tick(seq, item.item), None
    if op == "os":
        return None, None
    if op == "od":
        eligible = ctx.roster.holders(ctx.sop.step(step.next).roles) if step.next else []
        chosen = tuple(k for i, k in enumerate(eligible) if (arg or 0) & (1 << i))
        return Order(seq, chosen), None
    raise Refusal(RefusalCode.WRONG_ACTION, action=op)


async def _open_dialog(
    update: Update,
    context: BotContext,
    lang: str,
    dialog: str,
    press: Press,
    ctx: Context,
    state: CaseState,
    task: Task,
) -> int:
    runtime = context.runtime
    step = ctx.sop.step(task.step_key)
    scratch: dict[str, Any] = {
        "kind": dialog,
        "case": press.case_id,
        "task": press.task,
        "version": press.arg,
        "code": state.code,
    }
    common = {"case_code": state.code, "number": step.number, "title": step.title}
    await _answer(update, None)
    if dialog == "reason":
        back_to = _return_recipient(context, ctx, state, step)
        text = runtime.text(lang, "reason.ask", recipient=back_to, **common)
        next_state = REASON
    elif dialog == "form":
        scratch["fields"] = list(step.form)
        scratch["values"] = {}
        text = _field_prompt(runtime, lang, step.form[0], common)
        scratch["common"] = common
        next_state = FIELD
    elif dialog == "skip":
        items = state.checklist(task.step_key, task.round) or []
        pending = [i.item for i in items if i.status is ItemStatus.OPEN]
        scratch["items"] = pending
        text = runtime.text(lang, "workflow.ask_skip_reason", items=", ".join(pending))
        next_state = SKIP
    else:
        items = state.checklist(task.step_key, task.round) or []
        scratch["item"] = items[press.arg or 0].item
        text = runtime.text(lang, "workflow.ask_proof", item=scratch["item"])
        next_state = PROOF
    assert context.user_data is not None
    context.user_data[DIALOG] = scratch
    await _send(update, text)
    crashpoint("dialog.prompted")
    return next_state


def _return_recipient(context: BotContext, ctx: Context, state: CaseState, step: Step) -> str:
    """Who a return reaches: whoever did the earlier step last, else its role."""
    target = ctx.sop.step(step.return_to) if step.return_to else step
    done = [t for t in state.tasks if t.step_key == target.key and t.status is TaskStatus.DONE]
    if done:
        return context.runtime.directory.name(done[-1].assignee)
    return ", ".join(ctx.sop.roles.get(r, r) for r in target.roles)


def _field_prompt(runtime: Runtime, lang: str, field: str, common: dict[str, Any]) -> str:
    name = field.rstrip("?")
    label_key = f"workflow.field.{name}"
    label = runtime.plain(lang, label_key) if runtime.catalogue.has(label_key) else name
    key = "workflow.ask_field_optional" if field.endswith("?") else "workflow.ask_field"
    return runtime.text(lang, key, field=label, **common)


async def on_reason(update: Update, context: BotContext) -> int:
    scratch = _scratch(context, "reason")
    if scratch is None:
        return END
    officer, lang = await identify(update, context)
    text = (update.effective_message.text or "") if update.effective_message else ""
    action = Return(scratch["task"], text, scratch["version"])
    return await _finish_dialog(update, context, officer, lang, scratch, action, REASON)


async def on_skip_reason(update: Update, context: BotContext) -> int:
    scratch = _scratch(context, "skip")
    if scratch is None:
        return END
    officer, lang = await identify(update, context)
    text = (update.effective_message.text or "") if update.effective_message else ""
    runtime = context.runtime
    assert officer is not None
    try:
        for item in scratch["items"]:
            await runtime.service.act(
                officer, scratch["case"], SkipItem(scratch["task"], item, text)
            )
    except Refusal as refusal:
        if refusal.code is RefusalCode.REASON_REQUIRED:
            await reply(update, refusal_text(runtime, lang, refusal))
            await runtime.deliver()
            return SKIP
        await reply(update, refusal_text(runtime, lang, refusal))
    _clear(context)
    await runtime.deliver()
    return END


async def on_field(update: Update, context: BotContext) -> int:
    scratch = _scratch(context, "form")
    if scratch is None:
        return END
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
    scratch["values"][field.rstrip("?")] = text
    assert context.user_data is not None
    context.user_data[DIALOG] = scratch
    if len(scratch["values"]) < len(fields):
        await reply(
            update, _field_prompt(runtime, lang, fields[len(scratch["values"])], scratch["common"])
        )
        return FIELD
    action = Complete(scratch["task"], dict(scratch["values"]))
    return await _finish_dialog(update, context, officer, lang, scratch, action, FIELD)


async def on_proof_text(update: Update, context: BotContext) -> int:
    scratch = _scratch(context, "proof")
    if scratch is None:
        return END
    officer, lang = await identify(update, context)
    text = (update.effective_message.text or "") if update.effective_message else ""
    action = Tick(scratch["task"], scratch["item"], proof_ref=text.strip())
    return await _finish_dialog(update, context, officer, lang, scratch, action, PROOF)


async def on_proof_file(update: Update, context: BotContext) -> int:
    scratch = _scratch(context, "proof")
    if scratch is None:
        return END
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
        _clear(context)
        return END
    try:
        await runtime.service.act(officer, scratch["case"], action)
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
        _clear(context)
        return END
    crashpoint("dialog.committed")
    _clear(context)
    key = "workflow.reason_saved" if isinstance(action, Return) else "workflow.acted"
    await reply(update, runtime.text(lang, key))
    crashpoint("dialog.acknowledged")
    await runtime.deliver()
    return END


async def on_cancel(update: Update, context: BotContext) -> int:
    _, lang = await identify(update, context)
    runtime = context.runtime
    had = context.user_data is not None and context.user_data.get(DIALOG) is not None
    _clear(context)
    await reply(
        update,
        runtime.text(lang, "workflow.dialog_cancelled" if had else "workflow.nothing_to_cancel"),
    )
    return END


async def _show_order_selection(
    update: Update, context: BotContext, lang: str, press: Press
) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, _ = await identify(update, context)
    assert officer is not None
    ctx, state, task = await runtime.service.task_for(officer, press.case_id, press.task)
    buttons = runtime.presenter.order_buttons(ctx, state, task, lang, press.arg or 0)
    from bot.ptb.markup import keyboard

    await _answer(update, None)
    await query.edit_message_reply_markup(reply_markup=keyboard(buttons))


def _scratch(context: BotContext, kind: str) -> dict[str, Any] | None:
    data = context.user_data.get(DIALOG) if context.user_data is not None else None
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    return data


def _clear(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DIALOG, None)


async def _answer(update: Update, text: str | None, alert: bool = False) -> None:
    """Answer the press (`answer_press`: an expired one is answered in the chat)."""
    assert update.callback_query is not None
    await answer_press(update.callback_query, text, alert)


async def _send(update: Update, text: str) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, parse_mode="HTML", disable_web_page_preview=True)


async def _strip_stale_buttons(update: Update, refusal: Refusal) -> None:
    """A button that can never work again is removed, so it cannot be pressed again.

    Only when the whole task is over: an item already ticked leaves the checklist usable.
    """
    if "item" in refusal.details or refusal.code not in (
        RefusalCode.ALREADY_DONE,
        RefusalCode.TASK_CLOSED,
        RefusalCode.CASE_CLOSED,
        RefusalCode.TASK_NOT_FOUND,
    ):
        return
    query = update.callback_query
    if query is None or query.message is None or not hasattr(query.message, "reply_markup"):
        return
    from telegram.error import BadRequest

    try:
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        log.debug("could not strip buttons: %s", exc)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    button = CallbackQueryHandler(on_button, pattern=PATTERN)
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
