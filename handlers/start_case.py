"""/mulai starts a case from an incoming letter; /batalkan cancels a running case.

One persistent `ConversationHandler` ("start_case"). Its scratch lives in
`user_data["start_case"]` and is plain JSON, so a restart in the middle of the dialog
loses nothing. The next question is never remembered, it is *derived* from what the
scratch still lacks (`_pending`): the SOP, the period, the year, the letter's fields one
by one, its urgency, its scan, and, when the Kadin starts the case himself, his
disposition. After a restart, a re-entry or a refused answer the bot therefore asks
exactly the question that is still open.

The letter is stored under stable keys that the documents read: from, number, date (ISO),
subject, agenda, urgency (biasa | segera | sangat segera | rahasia), received (ISO), and
scan_sha256 / scan_filename / scan_mime / scan_size when a scan was sent.
"""

from __future__ import annotations

import html
import warnings
from contextlib import suppress
from datetime import date
from typing import Any

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

from bot.core.periods import (
    ordered_periods,
    parse_letter_date,
    plausible_report_year,
    year_choices,
)
from bot.core.sop import Sop, StepKind
from bot.core.workflow import (
    Cancel,
    CaseState,
    CaseStatus,
    Complete,
    Refusal,
    RefusalCode,
    TaskStatus,
    Transition,
    can_start,
)
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
from bot.views.fmt import format_date, format_deadline, format_file_size
from handlers.common import answer_press, identify, refusal_text, reply, unknown_user
from handlers.uploads import receive_file

KEY = "start_case"
END = ConversationHandler.END
SOP, PERIOD, YEAR, TEXT, URGENCY, SCAN, FIELD, CONFIRM, REASON = range(9)

LETTER_TEXT_FIELDS = ("from", "number", "date", "subject", "agenda")
URGENCIES = ("biasa", "segera", "sangat segera", "rahasia")
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


# -- the scratch --------------------------------------------------------------------------


def _scratch(context: BotContext, kind: str = "start") -> dict[str, Any] | None:
    data = context.user_data.get(KEY) if context.user_data is not None else None
    if not isinstance(data, dict) or data.get("kind") != kind:
        return None
    return data


def _keep(context: BotContext, scratch: dict[str, Any]) -> None:
    assert context.user_data is not None
    context.user_data[KEY] = scratch


def _drop(context: BotContext) -> dict[str, Any] | None:
    if context.user_data is None:
        return None
    dropped = context.user_data.pop(KEY, None)
    return dropped if isinstance(dropped, dict) else None


def _pending(scratch: dict[str, Any]) -> str:
    """The question still open; the dialog's state follows from it."""
    if not scratch.get("sop"):
        return "sop"
    if not scratch.get("period"):
        return "period"
    if not scratch.get("year"):
        return "year"
    letter: dict[str, str] = scratch["letter"]
    for name in LETTER_TEXT_FIELDS:
        if name not in letter:
            return name
    if "urgency" not in letter:
        return "urgency"
    if not scratch.get("scan_done"):
        return "scan"
    if _open_field(scratch) is not None:
        return "field"
    return "confirm"


def _open_field(scratch: dict[str, Any]) -> str | None:
    """The next disposition field to ask (as written in the SOP, "catatan?" if optional)."""
    for field in scratch.get("form_fields") or ():
        if field.rstrip("?") not in scratch["form"]:
            return str(field)
    return None


def _today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.tz).date()


def _startable(runtime: Runtime, officer: str) -> list[Sop]:
    return [s for s in runtime.sops.values() if can_start(runtime.service.context(s), officer)]


def _choose_sop(runtime: Runtime, scratch: dict[str, Any], sop: Sop, officer: str) -> None:
    """Pick the SOP; a holder of its first step also gives that step's form in the dialog."""
    scratch["sop"] = sop.key
    first = sop.first
    holds_first = officer in runtime.directory.roster.holders(first.roles)
    scratch["form_fields"] = (
        list(first.form) if holds_first and first.kind is StepKind.ACTION else None
    )
    scratch["form"] = {}


# -- asking -------------------------------------------------------------------------------

Rows = list[list[tuple[str, str]]]


def _question(
    runtime: Runtime, lang: str, scratch: dict[str, Any], officer: str
) -> tuple[str, Rows]:
    """The text and buttons of the open question."""
    pending = _pending(scratch)
    today = _today(runtime)
    if pending == "sop":
        rows = [[(s.title, start_choice("s", s.key))] for s in _startable(runtime, officer)]
        return runtime.text(lang, "start_case.ask_sop"), rows
    sop = runtime.sops[scratch["sop"]]
    if pending == "period":
        periods = ordered_periods(sop.periods, today)
        labels = _suggest_first(runtime, lang, [p.label for p in periods])
        buttons = [
            (label, start_choice("p", p.key)) for label, p in zip(labels, periods, strict=True)
        ]
        return runtime.text(lang, "start_case.ask_period"), _pairs(buttons)
    if pending == "year":
        period = sop.period(scratch["period"])
        years = [str(y) for y in year_choices(period, today)]
        labels = _suggest_first(runtime, lang, years)
        text = runtime.text(lang, "start_case.ask_year", period=period.label)
        return text, [
            [(label, start_choice("y", y)) for label, y in zip(labels, years, strict=True)]
        ]
    if pending == "urgency":
        buttons = [
            (_urgency_label(runtime, lang, u), start_choice("u", str(i)))
            for i, u in enumerate(URGENCIES)
        ]
        return runtime.text(lang, "start_case.ask_urgency"), _pairs(buttons)
    if pending == "scan":
        skip = [[(runtime.plain(lang, "start_case.button.skip"), START_SKIP)]]
        return runtime.text(lang, "start_case.ask_scan"), skip
    if pending == "field":
        field = _open_field(scratch)
        assert field is not None
        label = _field_label(runtime, lang, field)
        if field.endswith("?"):
            skip = [[(runtime.plain(lang, "start_case.button.skip"), START_SKIP)]]
            return runtime.text(lang, "start_case.ask_field_optional", field=label), skip
        return runtime.text(lang, "start_case.ask_field", field=label), []
    if pending == "confirm":
        buttons = [
            (runtime.plain(lang, "start_case.button.start"), START_GO),
            (runtime.plain(lang, "start_case.button.cancel"), START_STOP),
        ]
        return _summary(runtime, lang, scratch, today), [buttons]
    return runtime.text(lang, f"start_case.ask_{pending}"), []


def _suggest_first(runtime: Runtime, lang: str, labels: list[str]) -> list[str]:
    """The first choice is the suggested one, and marked so."""
    marked = [runtime.plain(lang, "start_case.suggested", label=label) for label in labels[:1]]
    return marked + labels[1:]


def _pairs(buttons: list[tuple[str, str]]) -> Rows:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _urgency_label(runtime: Runtime, lang: str, urgency: str) -> str:
    return runtime.plain(lang, f"start_case.urgency.{urgency.replace(' ', '_')}")


def _field_label(runtime: Runtime, lang: str, field: str) -> str:
    name = field.rstrip("?")
    key = f"workflow.field.{name}"
    return runtime.plain(lang, key) if runtime.catalogue.has(key) else name


def _summary(runtime: Runtime, lang: str, scratch: dict[str, Any], today: date) -> str:
    sop = runtime.sops[scratch["sop"]]
    letter: dict[str, str] = scratch["letter"]
    lines = [
        runtime.text(
            lang,
            "start_case.summary",
            sop=sop.title,
            period=sop.period(scratch["period"]).label,
            year=scratch["year"],
            case_code=sop.case_code(scratch["year"], scratch["period"]),
            sender=letter["from"],
            number=letter["number"],
            date=format_date(date.fromisoformat(letter["date"]), runtime.tz, lang),
            subject=letter["subject"],
            agenda=letter["agenda"],
            urgency=_urgency_label(runtime, lang, letter["urgency"]),
            received=format_date(today, runtime.tz, lang),
            scan=letter.get("scan_filename") or runtime.plain(lang, "start_case.no_scan"),
        )
    ]
    if scratch.get("form_fields"):
        lines += ["", runtime.text(lang, "start_case.summary_form")]
        for field in scratch["form_fields"]:
            value = scratch["form"].get(field.rstrip("?")) or "-"
            label = _field_label(runtime, lang, field)
            lines.append(
                runtime.text(
                    lang, "start_case.summary_form_line", field=label.capitalize(), value=value
                )
            )
    lines += ["", runtime.text(lang, "start_case.confirm")]
    return "\n".join(lines)


async def _ask(
    update: Update, context: BotContext, lang: str, officer: str, scratch: dict[str, Any]
) -> int:
    """Send the open question, remember its message (to retire its buttons), go to its state."""
    text, rows = _question(context.runtime, lang, scratch, officer)
    message = await _send(update, text, _markup(rows))
    scratch["prompt"] = [message.chat_id, message.message_id] if rows else None
    _keep(context, scratch)
    pending = _pending(scratch)
    return _STATE_OF.get(pending, TEXT)


def _markup(rows: Rows) -> InlineKeyboardMarkup | None:
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


async def _retire_prompt(context: BotContext, scratch: dict[str, Any] | None) -> None:
    """Take the buttons off the last question, so they cannot be pressed once it is over."""
    prompt = (scratch or {}).get("prompt")
    if not prompt:
        return
    with suppress(BadRequest):  # already without buttons, or deleted by the user
        await context.bot.edit_message_reply_markup(prompt[0], prompt[1], reply_markup=None)


async def _mark_answered(
    update: Update, runtime: Runtime, lang: str, question: str, value: str
) -> None:
    """The pressed question keeps its text, loses its buttons and shows the answer."""
    query = update.callback_query
    assert query is not None
    chosen = runtime.text(lang, "start_case.chosen", value=value)
    with suppress(BadRequest):  # the message is gone: the next question follows anyway
        await query.edit_message_text(
            f"{question}\n{chosen}",
            parse_mode=ParseMode.HTML,
            reply_markup=None,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )


# -- /mulai -------------------------------------------------------------------------------


async def on_start(update: Update, context: BotContext) -> int:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    await _retire_prompt(context, _drop(context))
    if officer is None:
        await unknown_user(update, context, lang)
        return END
    startable = _startable(runtime, officer)
    if not startable:
        await reply(update, runtime.text(lang, "start_case.not_allowed"))
        return END
    scratch: dict[str, Any] = {
        "kind": "start",
        "sop": None,
        "period": None,
        "year": None,
        "letter": {},
        "scan_done": False,
        "form_fields": None,
        "form": {},
    }
    if len(startable) == 1:
        _choose_sop(runtime, scratch, startable[0], officer)
    await reply(update, runtime.text(lang, "start_case.intro"))
    return await _ask(update, context, lang, officer, scratch)


async def on_choice(update: Update, context: BotContext) -> int | None:
    """A button of the SOP, period, year or urgency question."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    match = START_CHOICE_PATTERN.match(query.data or "")
    if officer is None or scratch is None or match is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return END if scratch is None else None
    question, _ = _question(runtime, lang, scratch, officer)
    label = _accept_choice(runtime, lang, officer, scratch, match.group(1), match.group(2))
    if label is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    await answer_press(query)
    await _mark_answered(update, runtime, lang, question, label)
    if match.group(1) == "y":
        return await _after_year(update, context, lang, officer, scratch)
    return await _ask(update, context, lang, officer, scratch)


def _accept_choice(
    runtime: Runtime, lang: str, officer: str, scratch: dict[str, Any], kind: str, value: str
) -> str | None:
    """Store a pressed answer if it answers the open question; its label, else None."""
    pending = _pending(scratch)
    today = _today(runtime)
    if kind == "s" and pending == "sop":
        sop = next((s for s in _startable(runtime, officer) if s.key == value), None)
        if sop is None:
            return None
        _choose_sop(runtime, scratch, sop, officer)
        return sop.title
    if kind == "p" and pending == "period":
        period = next((p for p in runtime.sops[scratch["sop"]].periods if p.key == value), None)
        if period is None:
            return None
        scratch["period"] = period.key
        return period.label
    if kind == "y" and pending == "year" and value.isdigit():
        period = runtime.sops[scratch["sop"]].period(scratch["period"])
        if int(value) not in year_choices(period, today):
            return None
        scratch["year"] = int(value)
        return value
    if kind == "u" and pending == "urgency" and value.isdigit() and int(value) < len(URGENCIES):
        urgency = URGENCIES[int(value)]
        scratch["letter"]["urgency"] = urgency
        return _urgency_label(runtime, lang, urgency)
    return None


async def on_year_text(update: Update, context: BotContext) -> int | None:
    """A year typed instead of pressed (e.g. a report two years late)."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
    typed = _typed(update)
    if not (typed.isdigit() and plausible_report_year(int(typed), _today(runtime))):
        await reply(update, runtime.text(lang, "start_case.year_unreadable", text=typed))
        return None
    await _retire_prompt(context, scratch)
    scratch["year"] = int(typed)
    return await _after_year(update, context, lang, officer, scratch)


async def _after_year(
    update: Update, context: BotContext, lang: str, officer: str, scratch: dict[str, Any]
) -> int:
    """A case already running for this period is said now, not after the whole letter."""
    runtime = context.runtime
    code = runtime.sops[scratch["sop"]].case_code(scratch["year"], scratch["period"])
    running = await runtime.service.case_by_code(code)
    if running is not None and running.status is CaseStatus.OPEN:
        _drop(context)
        await _say_duplicate(update, runtime, lang, code)
        return END
    return await _ask(update, context, lang, officer, scratch)


async def on_text(update: Update, context: BotContext) -> int | None:
    """One of the letter's typed fields: from, number, date, subject, agenda."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
    field = _pending(scratch)
    typed = _typed(update)
    if field not in LETTER_TEXT_FIELDS:
        return await _ask(update, context, lang, officer, scratch)
    if not typed:
        await reply(update, runtime.text(lang, "start_case.empty_answer"))
        return await _ask(update, context, lang, officer, scratch)
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


async def on_scan(update: Update, context: BotContext) -> int | None:
    """The letter's photo or PDF: on disk (content-addressed) before it is acknowledged."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
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


async def on_scan_text(update: Update, context: BotContext) -> int | None:
    """Text at the scan question: "-" skips it like the button, anything else is a mistake."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
    if _typed(update) != SKIP_TYPED:
        await reply(update, runtime.text(lang, "start_case.scan_expected"))
        return None
    await _retire_prompt(context, scratch)
    scratch["scan_done"] = True
    return await _ask(update, context, lang, officer, scratch)


async def on_skip(update: Update, context: BotContext) -> int | None:
    """ "Lewati": no scan, or an optional disposition field left empty."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return END
    pending = _pending(scratch)
    field = _open_field(scratch) if pending == "field" else None
    if pending != "scan" and not (field is not None and field.endswith("?")):
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    question, _ = _question(runtime, lang, scratch, officer)
    if field is not None:
        scratch["form"][field.rstrip("?")] = ""
    else:
        scratch["scan_done"] = True
    await answer_press(query)
    skipped = runtime.plain(lang, "start_case.button.skip")
    await _mark_answered(update, runtime, lang, question, skipped)
    return await _ask(update, context, lang, officer, scratch)


async def on_field(update: Update, context: BotContext) -> int | None:
    """The Kadin's own disposition, asked before the start so step 1 is done at once."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
    field = _open_field(scratch)
    if field is None:
        return await _ask(update, context, lang, officer, scratch)
    typed = _typed(update, keep_lines=True)  # an instruction may be a numbered list
    optional = field.endswith("?")
    if typed == SKIP_TYPED and optional:
        typed = ""
    elif not typed:
        await reply(update, runtime.text(lang, "start_case.empty_answer"))
        return await _ask(update, context, lang, officer, scratch)
    await _retire_prompt(context, scratch)
    scratch["form"][field.rstrip("?")] = typed
    return await _ask(update, context, lang, officer, scratch)


async def on_confirm(update: Update, context: BotContext) -> int | None:
    """ "Mulai" or "Batal" under the summary; the scratch goes either way, so a second
    press of "Mulai" finds no dialog and is answered as a stale button."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = _scratch(context)
    if officer is None or scratch is None or _pending(scratch) != "confirm":
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return END if scratch is None else None
    await answer_press(query)
    await _retire_prompt(context, scratch)
    _drop(context)
    if query.data == START_STOP:
        await reply(update, runtime.text(lang, "start_case.cancelled"))
        return END
    await _launch(update, context, officer, lang, scratch)
    return END


async def _launch(
    update: Update, context: BotContext, officer: str, lang: str, scratch: dict[str, Any]
) -> None:
    """Start the case; the Kadin's disposition completes step 1 right after, in the open."""
    runtime = context.runtime
    letter = {**scratch["letter"], "received": _today(runtime).isoformat()}
    try:
        transition = await runtime.service.start_case(
            officer, scratch["sop"], scratch["period"], scratch["year"], letter
        )
    except CaseCodeTaken as taken:
        await _say_duplicate(update, runtime, lang, taken.code)
        return
    except Refusal as refusal:
        await reply(update, _refusal(runtime, lang, refusal))
        return
    disposed = False
    if scratch.get("form_fields") is not None:
        mine = [t for t in transition.state.open_tasks() if t.assignee == officer]
        if mine:
            form = dict(scratch["form"])
            try:
                transition = await runtime.service.act(
                    officer, transition.state.id, Complete(mine[0].seq, form)
                )
                disposed = True
            except Refusal as refusal:  # the case runs; step 1 waits on its button
                await reply(update, _refusal(runtime, lang, refusal))
    await runtime.deliver()
    await reply(update, _started_text(runtime, lang, transition, disposed))


def _started_text(runtime: Runtime, lang: str, transition: Transition, disposed: bool) -> str:
    state = transition.state
    sop = runtime.sops[state.sop_key]
    key = "start_case.started_disposed" if disposed else "start_case.started"
    lines = [runtime.text(lang, key, case_code=state.code, title=sop.title)]
    waiting = state.open_tasks()
    if waiting:
        step = sop.step(waiting[0].step_key)
        names = ", ".join(dict.fromkeys(runtime.directory.name(t.assignee) for t in waiting))
        deadline = format_deadline(waiting[0].deadline, runtime.tz, lang)
        lines.append(
            runtime.text(
                lang,
                "start_case.next_step",
                number=step.number,
                step=step.title,
                names=names,
                deadline=deadline,
            )
        )
    return "\n".join(lines)


async def _say_duplicate(update: Update, runtime: Runtime, lang: str, code: str) -> None:
    text = runtime.text(lang, "case.already_running", case_code=code)
    await reply(update, f"{text}\n{runtime.text(lang, 'start_case.duplicate_hint')}")


# -- /batalkan ----------------------------------------------------------------------------


async def on_cancel_case(update: Update, context: BotContext) -> int:
    """`/batalkan <kode> [alasan]`: admins only; the reason is asked when not given."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    await _retire_prompt(context, _drop(context))
    if officer is None:
        await unknown_user(update, context, lang)
        return END
    if not runtime.directory.is_admin(officer):
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
    if state.status is not CaseStatus.OPEN:
        refusal = Refusal(RefusalCode.CASE_CLOSED, status=state.status.value)
        await reply(update, _refusal(runtime, lang, refusal))
        return END
    scratch = {"kind": "cancel", "case": state.id, "code": state.code}
    reason = " ".join(args[1:])
    if reason:
        return await _cancel(update, context, officer, lang, scratch, reason)
    return await _ask_reason(update, context, lang, scratch, state)


async def _ask_reason(
    update: Update,
    context: BotContext,
    lang: str,
    scratch: dict[str, Any],
    state: CaseState | None = None,
) -> int:
    runtime = context.runtime
    state = state or await runtime.service.case(scratch["case"])
    title = (await runtime.service.context_for(state)).sop.title
    _keep(context, scratch)
    await reply(
        update, runtime.text(lang, "cancel_case.ask_reason", case_code=state.code, title=title)
    )
    return REASON


async def on_reason(update: Update, context: BotContext) -> int | None:
    officer, lang = await identify(update, context)
    scratch = _scratch(context, "cancel")
    if officer is None or scratch is None:
        return END
    return await _cancel(update, context, officer, lang, scratch, _typed(update))


async def _cancel(
    update: Update,
    context: BotContext,
    officer: str,
    lang: str,
    scratch: dict[str, Any],
    reason: str,
) -> int:
    runtime = context.runtime
    try:
        transition = await runtime.service.act(officer, scratch["case"], Cancel(reason))
    except Refusal as refusal:
        await reply(update, _refusal(runtime, lang, refusal))
        if refusal.code is RefusalCode.REASON_REQUIRED:
            return await _ask_reason(update, context, lang, scratch)
        _drop(context)
        return END
    _drop(context)
    await runtime.deliver()
    state = transition.state
    lines = [
        runtime.text(
            lang, "cancel_case.done", case_code=state.code, reason=state.cancel_reason or ""
        )
    ]
    withdrawn = dict.fromkeys(
        runtime.directory.name(t.assignee) for t in state.tasks if t.status is TaskStatus.CANCELLED
    )
    if withdrawn:
        lines.append(runtime.text(lang, "cancel_case.withdrawn", names=", ".join(withdrawn)))
    await reply(update, "\n".join(lines))
    return END


# -- leaving, and answers out of place ------------------------------------------------------


async def on_abort(update: Update, context: BotContext) -> int:
    """/batal: leave the dialog at any point; nothing is started or cancelled."""
    runtime = context.runtime
    _, lang = await identify(update, context)
    scratch = _drop(context)
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
    cancel = _scratch(context, "cancel")
    if cancel is not None:
        return await _ask_reason(update, context, lang, cancel)
    scratch = _scratch(context)
    if officer is None or scratch is None:
        return END
    if _pending(scratch) in _BUTTON_QUESTIONS:
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
