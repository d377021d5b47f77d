"""Getting people into the bot: /start (with or without an invite), /undang, /bahasa, /bantuan.

These handlers come first: they must work for people the bot does not know yet. Who may
invite, what a code is worth and what joining sets off live in `bot.services.invites`; here we
only read the update, call it once, and answer in the asker's language.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler
from telegram.helpers import create_deep_linked_url

from bot.documents import code_of_start_payload
from bot.ptb.context import BotContext
from bot.ptb.menus import publish_menu_of
from bot.runtime import Runtime
from bot.services.invites import (
    NotAllowed,
    Outcome,
    Redemption,
    UnknownOfficer,
    page_of,
)
from bot.views.callbacks import (
    INVITE_PAGE_PATTERN,
    INVITE_PICK_PATTERN,
    LANGUAGE_PATTERN,
    invite_page_callback,
    invite_pick_callback,
    language_callback,
)
from bot.views.commands import menu
from bot.views.fmt import format_deadline, format_time
from bot.views.i18n import SUPPORTED_LANGUAGES
from handlers.common import (
    answer_press,
    identify,
    reply,
    unknown_presser,
    unknown_user,
    wait_for_chat,
)
from handlers.documents import answer_verification

log = logging.getLogger(__name__)

PAGE_SIZE = 8
LANGUAGE_LABELS = {"id": "onboarding.language.indonesian", "en": "onboarding.language.english"}


# -- /start -----------------------------------------------------------------------------


async def on_start(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    user = update.effective_user
    code = code_of_start_payload(context.args[0]) if context.args else None
    if code is not None:  # the QR on a signed document: anyone may verify
        await answer_verification(update, context, lang, code)
        return
    if context.args and user is not None:
        result = await runtime.invites.redeem(user.id, context.args[0])
        await _answer_redemption(update, context, result, lang)
        return
    if officer is None:
        await unknown_user(update, context, lang)
        return
    await _greet(update, runtime, officer, lang)


async def _greet(update: Update, runtime: Runtime, officer: str, lang: str, *before: str) -> None:
    """Welcome a known account, then send what could not reach them before."""
    await runtime.invites.catch_up(officer)
    await reply(update, "\n\n".join([*before, await welcome(runtime, officer, lang)]))


async def welcome(runtime: Runtime, officer_key: str, lang: str) -> str:
    officer = runtime.directory.get(officer_key)
    if officer is None:  # a front-office admin, known only by Telegram id
        admin = runtime.text(lang, "onboarding.welcome_admin", agency=runtime.config.agency.name)
        return "\n\n".join([admin, runtime.text(lang, "onboarding.help_hint")])
    role = next(
        (s.roles[officer.role] for s in runtime.sops.values() if officer.role in s.roles),
        officer.role,
    )
    count = len(await runtime.service.open_tasks_of(officer_key))
    tasks = (
        runtime.text(lang, "onboarding.tasks_waiting", count=count)
        if count
        else runtime.text(lang, "onboarding.no_tasks")
    )
    return "\n\n".join(
        [
            runtime.text(
                lang, "onboarding.welcome", name=officer.name, jabatan=officer.jabatan, role=role
            ),
            tasks,
            runtime.text(lang, "onboarding.help_hint"),
        ]
    )


async def _answer_redemption(
    update: Update, context: BotContext, result: Redemption, lang: str
) -> None:
    runtime = context.runtime
    if result.outcome is Outcome.JOINED and result.officer_key is not None:
        officer = result.officer_key
        lang = await runtime.language_of(officer)
        joined = runtime.text(lang, "onboarding.joined", agency=runtime.config.agency.name)
        await reply(update, "\n\n".join([joined, await welcome(runtime, officer, lang)]))
        await publish_menu_of(context.bot, runtime, officer)
        return
    if result.outcome is Outcome.ALREADY_LINKED and result.officer_key is not None:
        officer = result.officer_key
        name = runtime.directory.name(officer)
        note = runtime.text(lang, "onboarding.already_linked", name=name)
        await _greet(update, runtime, officer, lang, note)
        return
    if result.outcome is Outcome.TOO_MANY_ATTEMPTS and result.retry_at is not None:
        when = format_time(result.retry_at, runtime.tz, lang)
        await reply(update, runtime.text(lang, "onboarding.invite.too_many", time=when))
        return
    key = f"onboarding.invite.{result.outcome.value}"  # a stranger: the contact line, no names
    await reply(update, runtime.text(lang, key, contact=runtime.contact(lang)))


# -- /undang ----------------------------------------------------------------------------


async def on_invite(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    if not runtime.directory.is_admin(officer):
        admins = ", ".join(runtime.directory.name(a) for a in runtime.directory.admins())
        text = runtime.text(lang, "onboarding.invite.not_admin", admins=admins)  # an officer
        await reply(update, text)
        return
    text, keyboard = await invite_page(runtime, lang, 0)
    await reply(update, text, reply_markup=keyboard)


async def invite_page(
    runtime: Runtime, lang: str, number: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of officers to invite, with ‹ › to move between pages."""
    candidates = await runtime.invites.candidates()
    page = page_of(len(candidates), number, PAGE_SIZE)
    rows = []
    for candidate in candidates[page.start : page.stop]:
        name = candidate.officer.name
        label = runtime.plain(lang, "onboarding.invite.joined_mark", name=name)
        button = InlineKeyboardButton(
            label if candidate.joined else name,
            callback_data=invite_pick_callback(candidate.officer.key),
        )
        rows.append([button])
    moves = []
    if page.has_previous:
        label = runtime.plain(lang, "onboarding.invite.previous")
        moves.append(
            InlineKeyboardButton(label, callback_data=invite_page_callback(page.number - 1))
        )
    if page.has_next:
        label = runtime.plain(lang, "onboarding.invite.next")
        moves.append(
            InlineKeyboardButton(label, callback_data=invite_page_callback(page.number + 1))
        )
    if moves:
        rows.append(moves)
    text = runtime.text(lang, "onboarding.invite.choose", page=page.number + 1, pages=page.count)
    return text, InlineKeyboardMarkup(rows)


async def on_invite_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.match is not None
    officer, lang = await _admin_pressing(update, context)
    if officer is None:
        return
    text, keyboard = await invite_page(context.runtime, lang, int(context.match.group(1)))
    await answer_press(query)
    await _edit(query, text, keyboard)


async def on_invite_pick(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.match is not None
    runtime = context.runtime
    admin, lang = await _admin_pressing(update, context)
    if admin is None:
        return
    try:
        issued = await runtime.invites.create(admin, context.match.group(1))
    except NotAllowed:
        await answer_press(query, runtime.plain(lang, "common.not_allowed"), alert=True)
        return
    except UnknownOfficer:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), alert=True)
        return
    officer = runtime.directory.get(issued.officer_key)
    assert officer is not None
    await answer_press(query, runtime.plain(lang, "onboarding.invite.created_answer"))
    await wait_for_chat(update, context, admin)
    await _edit(query, runtime.text(lang, "onboarding.invite.created", name=officer.name), None)
    their = runtime.directory.language(officer.key)
    invitation = runtime.text(
        their,
        "onboarding.invite.message",
        agency=runtime.config.agency.name,
        name=officer.name,
        jabatan=officer.jabatan,
        link=create_deep_linked_url(context.bot.username, issued.code),
        expires=format_deadline(issued.expires_at, runtime.tz, their),
    )
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(invitation, disable_web_page_preview=True)


async def _admin_pressing(update: Update, context: BotContext) -> tuple[str | None, str]:
    """The admin behind a press of the invite list; anyone else gets an answer and None."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_presser(query, runtime, lang)
        return None, lang
    if not runtime.directory.is_admin(officer):
        await answer_press(query, runtime.plain(lang, "common.not_allowed"), alert=True)
        return None, lang
    return officer, lang


# -- /bahasa ----------------------------------------------------------------------------


async def on_language(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    buttons = [
        InlineKeyboardButton(
            runtime.plain(lang, LANGUAGE_LABELS[code]), callback_data=language_callback(code)
        )
        for code in SUPPORTED_LANGUAGES
    ]
    markup = InlineKeyboardMarkup([buttons])
    await reply(update, runtime.text(lang, "common.language_prompt"), reply_markup=markup)


async def on_language_pick(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and context.match is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_presser(query, runtime, lang)
        return
    chosen = context.match.group(1)
    await runtime.set_language(officer, chosen)
    await answer_press(query, runtime.plain(chosen, "common.language_set"))
    await _edit(query, runtime.text(chosen, "common.language_set"), None)
    await publish_menu_of(context.bot, runtime, officer)  # the "/" menu in that language


# -- /bantuan ---------------------------------------------------------------------------


async def on_help(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    holder = runtime.directory.get(officer)
    admin = runtime.directory.is_admin(officer)
    await reply(update, help_text(runtime, lang, admin, holder.role if holder else None))


def help_text(runtime: Runtime, lang: str, admin: bool, role: str | None) -> str:
    """The commands of the officer's menu (`menu`: admins' own apart) and how tasks work."""
    shown = menu(admin, role)

    def lines(admin_only: bool) -> list[str]:
        return [
            runtime.text(
                lang,
                "onboarding.help.line",
                command=c.name,
                description=runtime.plain(lang, c.description_key),
            )
            for c in shown
            if c.admin_only == admin_only
        ]

    parts = [
        runtime.text(lang, "onboarding.help.title"),
        "\n".join([runtime.text(lang, "onboarding.help.commands"), *lines(False)]),
    ]
    if admin:
        parts.append(
            "\n".join([runtime.text(lang, "onboarding.help.admin_commands"), *lines(True)])
        )
    parts.append(
        "\n".join(
            [
                runtime.text(lang, "onboarding.help.tasks_title"),
                runtime.text(lang, "onboarding.help.tasks"),
            ]
        )
    )
    return "\n\n".join(parts)


# -- answering presses -------------------------------------------------------------------


async def _edit(query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Show the outcome on the pressed message; a deleted or unchanged message is fine."""
    if query.message is None:  # a forged press carries no message to edit
        return
    try:
        await query.edit_message_text(text, reply_markup=keyboard, disable_web_page_preview=True)
    except BadRequest as exc:
        message = exc.message.lower()
        if "not modified" not in message and "not found" not in message:
            raise


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    return [
        CommandHandler("start", on_start),
        CommandHandler("undang", on_invite),
        CommandHandler("bahasa", on_language),
        CommandHandler("bantuan", on_help),
        CallbackQueryHandler(on_invite_page, pattern=INVITE_PAGE_PATTERN),
        CallbackQueryHandler(on_invite_pick, pattern=INVITE_PICK_PATTERN),
        CallbackQueryHandler(on_language_pick, pattern=LANGUAGE_PATTERN),
    ]
