"""/mulai starts a case from an incoming letter; /batalkan cancels a running case.

One persistent `ConversationHandler` ("start_case"). Its scratch is plain JSON kept as
a row in the bot's database (`handlers.common.keep_dialog`) before each question is sent,
so a restart in the middle of the dialog, even a SIGKILL just after a question arrived,
loses nothing; an answer whose dialog is not on record is told to start again. The next
question is never remembered: `bot.core.letter` derives it from what the scratch still
lacks, so after a restart, a re-entry or a refused answer the bot asks exactly the
question that is still open. What each question shows is
`bot.views.start_case`; starting the case (with step 1 done at once when its holder
starts it) is one service call, and whether a case may be cancelled is the engine's word.
"""

from __future__ import annotations

import functools
import html
import warnings
from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from datetime import date
from typing import Any, Literal, NotRequired, TypedDict, cast

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
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
from bot.core.letter import (
    LETTER_TEXT_FIELDS,
    URGENCIES,
    LetterDraft,
    choose_sop,
    new_draft,
    open_field,
    pending,
)
from bot.core.periods import parse_letter_date, plausible_report_year, year_choices
from bot.core.workflow import Cancel, CaseState, Refusal, RefusalCode
from bot.crashpoints import crashpoint
from bot.ptb.context import BotContext
from bot.runtime import Runtime
from bot.services.workflow_service import CaseCodeTaken
from bot.views.callbacks import (
    START_ANY_PATTERN,
    START_CHOICE_PATTERN,
    START_GO,
    START_SKIP,
    START_STOP,
    start_choice,
    start_choice_pattern,
)
from bot.views.fmt import format_date, format_file_size
from bot.views.start_case import GO, SKIP, STOP, Prompt, StartCaseViews
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
    unknown_user,
    wait_for_chat,
)
from handlers.uploads import receive_file

KEY = "start_case"
END = ConversationHandler.END
SOP, PERIOD, YEAR, TEXT, URGENCY, SCAN, FIELD, CONFIRM, REASON = range(9)

SKIP_TYPED = "-"

_STATE_OF = {
    "sop": SOP,
    "period": PERIOD,
    "year": YEAR,
    "urgency": URGENCY,
    "scan": SCAN,
    "field": FIELD,
    "confirm": CONFIRM,
}
_BUTTON_QUESTIONS = frozenset({"sop", "period", "year", "urgency", "confirm"})


_QUESTION_OF_KIND = {"s": "sop", "p": "period", "y": "year", "u": "urgency"}
_KIND_OF_QUESTION = {question: kind for kind, question in _QUESTION_OF_KIND.items()}
_DATA_OF_ANSWER = {SKIP: START_SKIP, GO: START_GO, STOP: START_STOP}


def _button_data(question: str, answer: str) -> str:
    """The callback data of a button that gives `answer` to the open `question`."""
    kind = _KIND_OF_QUESTION.get(question)
    return start_choice(kind, answer) if kind is not None else _DATA_OF_ANSWER[answer]


# -- the scratch --------------------------------------------------------------------------


class StartScratch(LetterDraft):
    """/mulai: the letter's answers so far, and the question whose buttons are live."""

    kind: Literal["start"]
    prompt: NotRequired[list[int] | None]  # [chat id, message id] of the open question


class CancelScratch(TypedDict):
    """/batalkan waiting for the reason."""

    kind: Literal["cancel"]
    case: int
    code: str


async def _start_scratch(update: Update, context: BotContext) -> StartScratch | None:
    data = await dialog_data(update, context, KEY)
    return cast(StartScratch, data) if data is not None and data.get("kind") == "start" else None


async def _cancel_scratch(update: Update, context: BotContext) -> CancelScratch | None:
    data = await dialog_data(update, context, KEY)
    return cast(CancelScratch, data) if data is not None and data.get("kind") == "cancel" else None


async def _drop(update: Update, context: BotContext) -> dict[str, Any] | None:
    return await end_dialog(update, context, KEY)


async def _lost(update: Update, context: BotContext, lang: str) -> int:
    """An answer to a dialog with no record: say it was not taken, and how to begin again."""
    await _drop(update, context)
    await reply(update, context.runtime.text(lang, "start_case.lost"))
    return END


NextState = Coroutine[Any, Any, int | None]  # the dialog's next state; None: stay
DialogStep = Callable[[Update, BotContext, str, str, StartScratch], NextState]


def _in_dialog(step: DialogStep) -> Callable[[Update, BotContext], NextState]:
    """Identify the officer and fetch the /mulai scratch before `step`; without either the
    dialog is over (a press on it is answered as stale, an answer is told it was lost)."""

    @functools.wraps(step)
    async def handle(update: Update, context: BotContext) -> int | None:
        officer, lang = await identify(update, context)
        scratch = await _start_scratch(update, context)
        if officer is None or scratch is None:
            if update.callback_query is not None:
                stale = context.runtime.plain(lang, "common.stale_button")
                await answer_press(update.callback_query, stale, True)
            elif officer is not None:
                return await _lost(update, context, lang)
            return END
        return await step(update, context, officer, lang, scratch)

    return handle


def _today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.tz).date()


def _views(runtime: Runtime, lang: str) -> StartCaseViews:
    return StartCaseViews(runtime.catalogue, runtime.directory, runtime.tz, lang)


# -- asking -------------------------------------------------------------------------------


def _prompt(runtime: Runtime, lang: str, officer: str, scratch: StartScratch) -> Prompt:
    startable = runtime.service.startable_sops(officer)
    return _views(runtime, lang).question(scratch, runtime.sops, startable, _today(runtime))


async def _ask(
    update: Update, context: BotContext, lang: str, officer: str, scratch: StartScratch
) -> int:
    """Keep the dialog on disk, send the open question, remember its message (to retire its
    buttons), go to its state."""
    prompt = _prompt(context.runtime, lang, officer, scratch)
    question = pending(scratch)
    rows = [[(label, _button_data(question, a)) for label, a in row] for row in prompt.rows]
    state = _STATE_OF.get(question, TEXT)
    scratch["prompt"] = None  # the previous question's buttons are retired by now
    await keep_dialog(update, context, KEY, state, scratch)
    crashpoint("dialog.stored", KEY)
    message = await _send(update, prompt.text, _markup(rows))
    crashpoint("dialog.prompted", KEY)
    if rows:
        scratch["prompt"] = [message.chat_id, message.message_id]
        await keep_dialog(update, context, KEY, state, scratch)
    return state


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def _send(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
    chat = update.effective_chat
    assert chat is not None
    return await chat.send_message(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )


async def _retire_prompt(context: BotContext, scratch: Mapping[str, object] | None) -> None:
    """Take the buttons off the last question, so they cannot be pressed once it is over."""
    prompt = (scratch or {}).get("prompt")
    if not isinstance(prompt, list) or not prompt:
        return
    with suppress(BadRequest):  # already without buttons, or deleted by the user
        await context.bot.edit_message_reply_markup(prompt[0], prompt[1], reply_markup=None)


async def _mark_answered(update: Update, views: StartCaseViews, question: str, value: str) -> None:
    """The pressed question keeps its text, loses its buttons and shows the answer."""
    query = update.callback_query
    assert query is not None
    with suppress(BadRequest):  # the message is gone: the next question follows anyway
        await query.edit_message_text(
            views.answered(question, value),
            parse_mode=ParseMode.HTML,
            reply_markup=None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )


# -- /mulai -------------------------------------------------------------------------------


async def on_start(update: Update, context: BotContext) -> int:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    await _retire_prompt(context, await _drop(update, context))
    if officer is None:
        await unknown_user(update, context, lang)
        return END
    startable = runtime.service.startable_sops(officer)
    if not startable:
        await reply(update, runtime.text(lang, "start_case.not_allowed"))
        return END
    scratch: StartScratch = {"kind": "start", **new_draft()}
    if len(startable) == 1:
        choose_sop(scratch, startable[0], runtime.directory.roster, officer)
    await reply(update, runtime.text(lang, "start_case.intro"))
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_choice(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """A button of the SOP, period, year or urgency question."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    match = START_CHOICE_PATTERN.match(query.data or "")
    if match is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    question = _prompt(runtime, lang, officer, scratch).text
    asked = _QUESTION_OF_KIND[match.group(1)]
    label = _accept_choice(runtime, lang, officer, scratch, asked, match.group(2))
    if label is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await _mark_answered(update, _views(runtime, lang), question, label)
    if asked == "year":
        return await _after_year(update, context, lang, officer, scratch)
    return await _ask(update, context, lang, officer, scratch)


def _accept_choice(
    runtime: Runtime, lang: str, officer: str, scratch: StartScratch, question: str, value: str
) -> str | None:
    """Store a pressed answer if it answers the open question; its label, else None."""
    if question != pending(scratch):
        return None
    if question == "sop":
        startable = runtime.service.startable_sops(officer)
        sop = next((s for s in startable if s.key == value), None)
        if sop is None:
            return None
        choose_sop(scratch, sop, runtime.directory.roster, officer)
        return sop.title
    assert scratch["sop"] is not None
    sop = runtime.sops[scratch["sop"]]
    if question == "period":
        period = next((p for p in sop.periods if p.key == value), None)
        if period is None:
            return None
        scratch["period"] = period.key
        return period.label
    if question == "year" and value.isdigit():
        assert scratch["period"] is not None
        if int(value) not in year_choices(sop.period(scratch["period"]), _today(runtime)):
            return None
        scratch["year"] = int(value)
        return value
    if question == "urgency" and value.isdigit() and int(value) < len(URGENCIES):
        urgency = URGENCIES[int(value)]
        scratch["letter"]["urgency"] = urgency
        return _views(runtime, lang).urgency_label(urgency)
    return None


@_in_dialog
async def on_year_text(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """A year typed instead of pressed (e.g. a report two years late)."""
    runtime = context.runtime
    typed = _typed(update)
    if await refuse_too_long(update, runtime, lang, typed, input_limits.YEAR):
        return None
    if not (typed.isdigit() and plausible_report_year(int(typed), _today(runtime))):
        await reply(update, runtime.text(lang, "start_case.year_unreadable", text=typed))
        return None
    await _retire_prompt(context, scratch)
    scratch["year"] = int(typed)
    return await _after_year(update, context, lang, officer, scratch)


async def _after_year(
    update: Update, context: BotContext, lang: str, officer: str, scratch: StartScratch
) -> int:
    """A case already running for this period is said now, not after the whole letter."""
    runtime = context.runtime
    sop, period, year = scratch["sop"], scratch["period"], scratch["year"]
    assert sop is not None and period is not None and year is not None
    try:
        await runtime.service.check_period_free(sop, period, year)
    except CaseCodeTaken as taken:
        await _drop(update, context)
        await reply(update, _views(runtime, lang).duplicate(taken.code))
        return END
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_text(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """One of the letter's typed fields: from, number, date, subject, agenda."""
    runtime = context.runtime
    field = pending(scratch)
    typed = _typed(update)
    if field not in LETTER_TEXT_FIELDS:
        return await _ask(update, context, lang, officer, scratch)
    if not typed:
        await reply(update, runtime.text(lang, "start_case.empty_answer"))
        return await _ask(update, context, lang, officer, scratch)
    if await refuse_too_long(update, runtime, lang, typed, input_limits.LETTER[field]):
        return None
    if field == "date":
        parsed = parse_letter_date(typed)
        if parsed is None:
            await reply(update, runtime.text(lang, "start_case.date_unreadable", text=typed))
            return None
        if parsed > _today(runtime):
            when = format_date(parsed, runtime.tz, lang)
            await reply(update, runtime.text(lang, "start_case.date_in_future", date=when))
            return None
        typed = parsed.isoformat()
    scratch["letter"][field] = typed
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_scan(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """The letter's photo or PDF: on disk (content-addressed) before it is acknowledged."""
    runtime = context.runtime
    ref = await receive_file(update, context, lang, purpose="proof")
    if ref is None:
        return None  # receive_file said why; the question stays open
    await _retire_prompt(context, scratch)
    scratch["letter"].update(
        scan_sha256=ref.sha256,
        scan_filename=ref.filename,
        scan_mime=ref.mime,
        scan_size=str(ref.size),
    )
    scratch["scan_done"] = True
    size = format_file_size(ref.size, lang)
    await reply(
        update, runtime.text(lang, "start_case.scan_stored", filename=ref.filename, size=size)
    )
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_scan_text(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """Text at the scan question: "-" skips it like the button, anything else is a mistake."""
    if _typed(update) != SKIP_TYPED:
        await reply(update, context.runtime.text(lang, "start_case.scan_expected"))
        return None
    await _retire_prompt(context, scratch)
    scratch["scan_done"] = True
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_skip(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """ "Lewati": no scan, or an optional disposition field left empty."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    asked = pending(scratch)
    field = open_field(scratch) if asked == "field" else None
    if asked != "scan" and not (field is not None and field.endswith("?")):
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    question = _prompt(runtime, lang, officer, scratch).text
    if field is not None:
        scratch["form"][field.rstrip("?")] = ""
    else:
        scratch["scan_done"] = True
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    views = _views(runtime, lang)
    await _mark_answered(update, views, question, views.skip_label())
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_field(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """The Kadin's own disposition, asked before the start so step 1 is done at once."""
    field = open_field(scratch)
    if field is None:
        return await _ask(update, context, lang, officer, scratch)
    typed = _typed(update, keep_lines=True)  # an instruction may be a numbered list
    optional = field.endswith("?")
    if typed == SKIP_TYPED and optional:
        typed = ""
    elif not typed:
        await reply(update, context.runtime.text(lang, "start_case.empty_answer"))
        return await _ask(update, context, lang, officer, scratch)
    elif await refuse_too_long(update, context.runtime, lang, typed, input_limits.FORM_FIELD):
        return None
    await _retire_prompt(context, scratch)
    scratch["form"][field.rstrip("?")] = typed
    return await _ask(update, context, lang, officer, scratch)


@_in_dialog
async def on_confirm(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> int | None:
    """ "Mulai" or "Batal" under the summary; the scratch goes either way, so a second
    press of "Mulai" finds no dialog and is answered as a stale button."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    if pending(scratch) != "confirm":
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await _retire_prompt(context, scratch)
    if query.data == START_STOP:
        await _drop(update, context)
        await reply(update, runtime.text(lang, "start_case.cancelled"))
        return END
    await _launch(update, context, officer, lang, scratch)
    return END


async def _launch(
    update: Update, context: BotContext, officer: str, lang: str, scratch: StartScratch
) -> None:
    """Start the case; the Kadin's disposition completes step 1 in the same call, and the
    dialog closes in its transaction (a crash after it leaves no /mulai question open)."""
    runtime = context.runtime
    views = _views(runtime, lang)
    sop, period, year = scratch["sop"], scratch["period"], scratch["year"]
    assert sop is not None and period is not None and year is not None
    letter = {**scratch["letter"], "received": _today(runtime).isoformat()}
    first_form = dict(scratch["form"]) if scratch["form_fields"] is not None else None
    dialog = dialog_key(update, KEY)
    try:
        started = await runtime.service.start_from_letter(
            officer, sop, period, year, letter, first_form, closes=dialog
        )
    except CaseCodeTaken as taken:
        await _drop(update, context)
        await reply(update, views.duplicate(taken.code))
        return
    except Refusal as refusal:
        await _drop(update, context)
        await reply(update, _refusal(runtime, lang, refusal))
        return
    dialog_closed(context, dialog)
    crashpoint("dialog.committed", KEY)
    if started.refused is not None:  # the case runs; step 1 waits on its button
        await reply(update, _refusal(runtime, lang, started.refused))
    await runtime.delivered()  # the summary comes after the case's first messages
    state = started.transition.state
    await reply(update, views.started(state, runtime.sops[state.sop_key], started.disposed))


# -- /batalkan ----------------------------------------------------------------------------


async def on_cancel_case(update: Update, context: BotContext) -> int:
    """`/batalkan <kode> [alasan]`: the reason is asked when not given; the engine says
    who may cancel and whether the case still runs."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    await _retire_prompt(context, await _drop(update, context))
    if officer is None:
        await unknown_user(update, context, lang)
        return END
    if not runtime.service.may_cancel(officer):
        await reply(update, runtime.text(lang, "cancel_case.not_allowed"))
        return END
    args = list(context.args or [])
    if not args:
        await reply(update, runtime.text(lang, "cancel_case.usage"))
        return END
    state = await runtime.service.case_by_code(args[0])
    if state is None:
        await reply(update, runtime.text(lang, "case.not_found", case_code=args[0]))
        return END
    scratch: CancelScratch = {"kind": "cancel", "case": state.id, "code": state.code}
    reason = " ".join(args[1:]) or None
    return await _cancel(update, context, officer, lang, scratch, reason, state)


async def _ask_reason(
    update: Update,
    context: BotContext,
    lang: str,
    scratch: CancelScratch,
    state: CaseState | None = None,
) -> int:
    runtime = context.runtime
    state = state or await runtime.service.case(scratch["case"])
    title = (await runtime.service.context_for(state)).sop.title
    await keep_dialog(update, context, KEY, REASON, scratch)
    crashpoint("dialog.stored", KEY)
    await reply(
        update, runtime.text(lang, "cancel_case.ask_reason", case_code=state.code, title=title)
    )
    crashpoint("dialog.prompted", KEY)
    return REASON


async def on_reason(update: Update, context: BotContext) -> int | None:
    officer, lang = await identify(update, context)
    scratch = await _cancel_scratch(update, context)
    if officer is None:
        return END
    if scratch is None:
        return await _lost(update, context, lang)
    return await _cancel(update, context, officer, lang, scratch, _typed(update))


async def _cancel(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    scratch: CancelScratch,
    reason: str | None,
    state: CaseState | None = None,
) -> int:
    """Cancel with `reason`. None: none given yet, so the engine's demand for one (after
    it checked that the case still runs) is a question, not a refusal; one over the limit
    is refused and asked again."""
    runtime = context.runtime
    if reason is not None and await refuse_too_long(
        update, runtime, lang, reason, input_limits.REASON
    ):
        return await _ask_reason(update, context, lang, scratch, state)
    dialog = dialog_key(update, KEY)
    try:
        transition = await runtime.service.act(
            officer, scratch["case"], Cancel(reason or ""), closes=dialog
        )
    except Refusal as refusal:
        if refusal.code is RefusalCode.REASON_REQUIRED:
            if reason is not None:
                await reply(update, _refusal(runtime, lang, refusal))
            return await _ask_reason(update, context, lang, scratch, state)
        await reply(update, _refusal(runtime, lang, refusal))
        await _drop(update, context)
        return END
    dialog_closed(context, dialog)
    await runtime.delivered()  # the summary says whose tasks were withdrawn: done now
    await reply(update, _views(runtime, lang).cancelled(transition.state))
    return END


# -- leaving, and answers out of place ------------------------------------------------------


async def on_abort(update: Update, context: BotContext) -> int:
    """/batal: leave the dialog at any point; nothing is started or cancelled."""
    runtime = context.runtime
    _, lang = await identify(update, context)
    scratch = await _drop(update, context)
    await _retire_prompt(context, scratch)
    if scratch is not None and scratch.get("kind") == "cancel":
        text = runtime.text(lang, "cancel_case.kept", case_code=scratch.get("code", ""))
    else:
        text = runtime.text(lang, "start_case.cancelled")
    await reply(update, text)
    return END


async def on_out_of_place(update: Update, context: BotContext) -> int | None:
    """A message the open question cannot take: point at the buttons, or ask again."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    cancel = await _cancel_scratch(update, context)
    if cancel is not None:
        return await _ask_reason(update, context, lang, cancel)
    scratch = await _start_scratch(update, context)
    if officer is None:
        return END
    if scratch is None:
        return await _lost(update, context, lang)
    if pending(scratch) in _BUTTON_QUESTIONS:
        await reply(update, runtime.text(lang, "start_case.use_buttons"))
        return None
    await _retire_prompt(context, scratch)
    return await _ask(update, context, lang, officer, scratch)


async def on_stale_press(update: Update, context: BotContext) -> None:
    """A button of an earlier question: it changes nothing (the dialog stays where it is)."""
    query = update.callback_query
    assert query is not None
    _, lang = await identify(update, context)
    await answer_press(query, context.runtime.plain(lang, "common.stale_button"), True)


def _typed(update: Update, *, keep_lines: bool = False) -> str:
    """The message's text, trimmed; one line unless the lines carry meaning."""
    message = update.effective_message
    text = (message.text or "") if message is not None else ""
    return text.strip() if keep_lines else " ".join(text.split())


def _refusal(runtime: Runtime, lang: str, refusal: Refusal) -> str:
    return html.escape(refusal_text(runtime, lang, refusal), quote=False)


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    # Buttons carry their question in the callback data and are re-checked against the
    # open question, so a press on an older message cannot answer the wrong one.
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    text = filters.TEXT & ~filters.COMMAND
    files = filters.Document.ALL | filters.PHOTO
    return [
        ConversationHandler(
            entry_points=[
                CommandHandler("mulai", on_start),
                CommandHandler("batalkan", on_cancel_case),
            ],
            states={
                SOP: [CallbackQueryHandler(on_choice, pattern=start_choice_pattern("s"))],
                PERIOD: [CallbackQueryHandler(on_choice, pattern=start_choice_pattern("p"))],
                YEAR: [
                    CallbackQueryHandler(on_choice, pattern=start_choice_pattern("y")),
                    MessageHandler(text, on_year_text),
                ],
                TEXT: [MessageHandler(text, on_text)],
                URGENCY: [CallbackQueryHandler(on_choice, pattern=start_choice_pattern("u"))],
                SCAN: [
                    MessageHandler(files, on_scan),
                    MessageHandler(text, on_scan_text),
                    CallbackQueryHandler(on_skip, pattern=f"^{START_SKIP}$"),
                ],
                FIELD: [
                    MessageHandler(text, on_field),
                    CallbackQueryHandler(on_skip, pattern=f"^{START_SKIP}$"),
                ],
                CONFIRM: [
                    CallbackQueryHandler(on_confirm, pattern=f"^({START_GO}|{START_STOP})$")
                ],
                REASON: [MessageHandler(text, on_reason)],
            },
            fallbacks=[
                CommandHandler("batal", on_abort),
                CallbackQueryHandler(on_stale_press, pattern=START_ANY_PATTERN),
                MessageHandler(~filters.COMMAND, on_out_of_place),
            ],
            name=KEY,
            persistent=True,
            allow_reentry=True,
        )
    ]
