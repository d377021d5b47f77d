"""/wakil records a Surat Perintah for a Plh/Plt; /alihkan reassigns one task.

/wakil walks an admin through the letter as it is on paper: the kind, the absent
official, the stand-in, who signed it (buttons), then its number and date and the
period (typed). The dialog is a row of the bot's own (`bot.services.dialogs`), kept
before each question. The rules are checked when everything is known; a refusal says
which rule and why, and ends the dialog (the admin begins again with the letter fixed).
"""

from __future__ import annotations

import html
import re
import warnings
from datetime import date
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

from bot.core.acting import (
    EXTERNAL_APPOINTERS,
    ActingKind,
    ActingRefusal,
    Appointment,
)
from bot.core.workflow import Refusal
from bot.ptb.context import BotContext
from bot.ptb.jobs import plan_acting
from bot.ptb.markup import keyboard
from bot.runtime import Runtime
from bot.views import acting as views
from bot.views.callbacks import ACTING_CHOICE_PATTERN
from bot.views.outgoing import Buttons
from handlers.common import (
    answer_press,
    end_dialog,
    identify,
    keep_dialog,
    refusal_text,
    reply,
    unknown_user,
)

KEY = "acting"
END = ConversationHandler.END
CHOOSE, LETTER, DATES = range(3)
_DATE = r"(\d{4}-\d{2}-\d{2})"
_LETTER_PATTERN = re.compile(rf"^(\S.*?)\s+{_DATE}$")
_DATES_PATTERN = re.compile(rf"^{_DATE}\s+{_DATE}$")

# -- /alihkan -------------------------------------------------------------------------------


async def on_reassign(update: Update, context: BotContext) -> None:
    """`/alihkan <case code> <task number> <officer key> <reason>`: the engine checks who
    may and to whom; both officers are told by the hand-over messages."""
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    args = list(context.args or [])
    if len(args) < 4 or not args[1].isdigit():
        await reply(update, runtime.text(lang, "acting.reassign_usage"))
        return
    code, seq, to, reason = args[0], int(args[1]), args[2], " ".join(args[3:])
    state = await runtime.service.case_by_code(code)
    if state is None:
        await reply(update, runtime.text(lang, "acting.reassign_no_case", case_code=code))
        return
    task = state.task(seq)
    previous = task.assignee if task is not None else ""
    try:
        await runtime.service.reassign(officer, state.id, seq, to, reason)
    except Refusal as refusal:
        await reply(update, html.escape(refusal_text(runtime, lang, refusal), quote=False))
        return
    await runtime.delivered()
    names = runtime.directory
    await reply(
        update,
        runtime.text(
            lang,
            "acting.reassign_done",
            seq=seq,
            case_code=state.code,
            old=names.name(previous),
            new=names.name(to),
        ),
    )


# -- /wakil ---------------------------------------------------------------------------------


async def on_start(update: Update, context: BotContext) -> int:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    await end_dialog(update, context, KEY)
    if officer is None:
        await unknown_user(update, context, lang)
        return END
    if not runtime.directory.is_admin(officer):
        await reply(update, runtime.text(lang, "acting.refused_not_admin"))
        return END
    return await _ask(update, context, lang, {"ask": "k"})


async def _ask(update: Update, context: BotContext, lang: str, scratch: dict[str, Any]) -> int:
    """Keep the dialog, then ask its next question."""
    runtime = context.runtime
    people, cat = runtime.directory, runtime.catalogue
    ask = scratch["ask"]
    buttons: Buttons = ()
    if ask == "k":
        text, buttons = runtime.text(lang, "acting.ask_kind"), views.kind_buttons(cat, lang)
    elif ask == "a":
        text = runtime.text(lang, "acting.ask_absent")
        buttons = views.officer_buttons(people, "a", _position_holders(runtime))
    elif ask == "s":
        kind = views.kind_label(cat, lang, scratch["k"])
        jabatan = views.jabatan_of(people, scratch["a"])
        text = runtime.text(lang, "acting.ask_stand_in", kind=kind, jabatan=jabatan)
        holders = [k for k in _position_holders(runtime) if k != scratch["a"]]
        buttons = views.officer_buttons(people, "s", holders)
    elif ask == "p":
        text = runtime.text(lang, "acting.ask_appointer")
        buttons = views.appointer_buttons(cat, people, lang, _appointers(runtime, scratch["a"]))
    elif ask == "letter":
        text = runtime.text(lang, "acting.ask_letter")
    else:
        text = runtime.text(lang, "acting.ask_dates")
    state = CHOOSE if buttons else (LETTER if ask == "letter" else DATES)
    await keep_dialog(update, context, KEY, state, scratch)
    await reply(update, text, reply_markup=keyboard(buttons))
    return state


def _position_holders(runtime: Runtime) -> list[str]:
    hierarchy = runtime.acting.hierarchy()
    return [o.key for o in runtime.directory.in_order() if hierarchy.holds_position(o.key)]


def _appointers(runtime: Runtime, absent: str) -> list[str]:
    """Who may sign the letter: the Bupati or the Sekda for the head of the agency, else
    the holders of the role above (the official's own superior first)."""
    people = runtime.directory
    officer = people.get(absent)
    above = people.superior_role.get(officer.role) if officer is not None else None
    if above is None:
        return list(EXTERNAL_APPOINTERS)
    own = people.superior(absent)
    holders = [o.key for o in people.in_order() if o.role == above]
    return list(dict.fromkeys([*([own] if own else []), *holders]))


_NEXT = {"k": "a", "a": "s", "s": "p", "p": "letter"}


async def on_choice(update: Update, context: BotContext) -> int | None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = await _scratch(update, context)
    match = ACTING_CHOICE_PATTERN.match(query.data or "")
    if officer is None or scratch is None or match is None or match.group(1) != scratch["ask"]:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        return None
    await answer_press(query)
    await query.edit_message_reply_markup(reply_markup=None)
    question, value = match.group(1), match.group(2)
    if question == "k" and value not in {k.value for k in ActingKind}:
        return None
    scratch = {**scratch, question: value, "ask": _NEXT[question]}
    return await _ask(update, context, lang, scratch)


async def on_text(update: Update, context: BotContext) -> int | None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    scratch = await _scratch(update, context)
    if officer is None or scratch is None:
        return END
    message = update.effective_message
    typed = " ".join((message.text or "").split()) if message is not None else ""
    if scratch["ask"] == "letter":
        found = _LETTER_PATTERN.match(typed)
        parsed = _dates(found.group(2)) if found else None
        if found is None or parsed is None:
            await reply(update, runtime.text(lang, "acting.bad_letter"))
            return None
        scratch = {**scratch, "number": found.group(1), "letter_date": found.group(2)}
        return await _ask(update, context, lang, {**scratch, "ask": "dates"})
    found = _DATES_PATTERN.match(typed)
    period = _dates(found.group(1), found.group(2)) if found else None
    if period is None:
        await reply(update, runtime.text(lang, "acting.bad_dates"))
        return None
    await end_dialog(update, context, KEY)
    appointment = Appointment(
        kind=ActingKind(scratch["k"]),
        letter_number=scratch["number"],
        letter_date=date.fromisoformat(scratch["letter_date"]),
        appointer=scratch["p"],
        absent=scratch["a"],
        stand_in=scratch["s"],
        start=period[0],
        end=period[1],
    )
    people, cat, tz = runtime.directory, runtime.catalogue, runtime.tz
    try:
        stored = await runtime.acting.record(officer, appointment)
    except ActingRefusal as refusal:
        await reply(update, html.escape(views.refusal_text(cat, people, tz, lang, refusal)))
        return END
    await plan_acting(context.application, runtime)
    await runtime.delivered()
    await reply(update, views.recorded_text(cat, people, tz, lang, stored))
    return END


def _dates(*texts: str) -> list[date] | None:
    try:
        return [date.fromisoformat(t) for t in texts]
    except ValueError:
        return None


async def _scratch(update: Update, context: BotContext) -> dict[str, Any] | None:
    user = update.effective_user
    if user is None:
        return None
    return await context.runtime.dialogs.data(KEY, user.id)


async def on_abort(update: Update, context: BotContext) -> int:
    _, lang = await identify(update, context)
    await end_dialog(update, context, KEY)
    await reply(update, context.runtime.text(lang, "acting.cancelled"))
    return END


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    text = filters.TEXT & ~filters.COMMAND
    return [
        CommandHandler("alihkan", on_reassign),
        ConversationHandler(
            entry_points=[CommandHandler("wakil", on_start)],
            states={
                CHOOSE: [CallbackQueryHandler(on_choice, pattern=ACTING_CHOICE_PATTERN)],
                LETTER: [MessageHandler(text, on_text)],
                DATES: [MessageHandler(text, on_text)],
            },
            fallbacks=[
                CommandHandler("batal", on_abort),
                CallbackQueryHandler(on_choice, pattern=ACTING_CHOICE_PATTERN),
            ],
            name=KEY,
            persistent=True,
            allow_reentry=True,
        ),
    ]
