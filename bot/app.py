"""The composition root: the PTB `Application`, its handlers, jobs and lifecycle.

Handler order is visible here in one place:
  group -1  guards (private chats only, edited messages)
  group  0  the feature modules' handlers, then a fallback for anything else
  group 99  mark the update handled (a dialog's row was written before its question)
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import partial
from types import ModuleType
from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.crashpoints import crashpoint
from bot.ptb import jobs
from bot.ptb.context import RUNTIME_KEY, BotApp, BotContext
from bot.ptb.delivery import DeliveryWorker
from bot.ptb.inbox import InboxQueue
from bot.ptb.menus import publish_menus
from bot.ptb.pacing import Pacer
from bot.ptb.persistence import DialogPersistence
from bot.ptb.sender import OutboxSender
from bot.runtime import Runtime
from bot.services.backup import report_damaged_file
from bot.services.notices import minimal_form, report_refused, report_unreachable
from handlers import common as handler_common
from handlers import tasks as tasks_handlers
from handlers.common import identify, reply

log = logging.getLogger(__name__)

FINAL_DRAIN_SECONDS = 10


def feature_modules() -> Sequence[ModuleType]:
    """Every handler module, in the order their handlers are tried."""
    from handlers import (
        acting,
        compliance,
        digest,
        documents,
        on_demand,
        onboarding,
        queries,
        start_case,
        tasks,
        uploads,
    )

    # onboarding first: /start and invites must work for people not yet known.
    return (
        onboarding,
        start_case,
        queries,
        digest,
        compliance,
        tasks,
        acting,
        on_demand,
        documents,
        uploads,
    )


def build_application(
    runtime: Runtime,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    rate_limit: bool = True,
    local_mode: bool = False,
    freeze_heap: bool = False,
) -> BotApp:
    """`freeze_heap`: once started, move what was built at start out of the garbage
    collector's way (the live bot, one per process; not the tests' many per process)."""
    builder: Any = (
        ApplicationBuilder()
        .token(token)
        .update_queue(InboxQueue(runtime.inbox))
        .context_types(ContextTypes(context=BotContext))
        .persistence(DialogPersistence(runtime.dialogs))
        .defaults(Defaults(tzinfo=runtime.tz, parse_mode=ParseMode.HTML))
        .post_init(partial(_post_init, paced=rate_limit, freeze_heap=freeze_heap))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    if local_mode:
        builder = builder.local_mode(True)
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    app: BotApp = builder.build()
    app.bot_data[RUNTIME_KEY] = runtime
    app.add_handler(TypeHandler(Update, _guard), group=-1)
    for module in feature_modules():
        for handler in module.get_handlers():
            app.add_handler(handler, group=0)
    # /batal outside every dialog (each dialog's own /batal comes first): nothing to cancel.
    app.add_handler(CommandHandler("batal", tasks_handlers.on_cancel), group=0)
    app.add_handler(CallbackQueryHandler(_unknown_press), group=0)
    app.add_handler(MessageHandler(filters.ALL, _fallback), group=0)
    app.add_handler(TypeHandler(Update, _mark_handled), group=99)
    app.add_error_handler(_on_error)
    return app


# -- lifecycle ------------------------------------------------------------------------------


async def _post_init(app: BotApp, *, paced: bool, freeze_heap: bool = False) -> None:
    """Open the database, build the sender (paced under Telegram's flood limits unless
    talking to the local stand-in), and start the jobs.

    `freeze_heap`: what start built (the configuration, the SOPs, the message catalogue,
    the holiday calendars, PTB itself) lives as long as the process. A full collection
    scanned all of it on the path of whichever press triggered it, tens of milliseconds;
    `gc.freeze` leaves it out of every later collection."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    await runtime.db.ensure_open()
    await runtime.inbox.open()
    crashpoint("startup.db_open")
    runtime.sender = OutboxSender(
        app.bot,
        runtime.db,
        runtime.files,
        runtime.clock,
        resolve_chat=runtime.chat_of,
        on_unreachable=lambda officer, cause: report_unreachable(runtime, officer, cause),
        on_damaged_file=lambda row, doc, exc: report_damaged_file(runtime, row, doc, exc),
        minimal_form=lambda row, message: minimal_form(runtime, row, message),
        on_refused=lambda row, message, error, sent: report_refused(
            runtime, row, message, error, sent
        ),
        agency=runtime.agency,
        pacer=Pacer() if paced else None,
    )
    runtime.wakeup = lambda: jobs.plan_wakeup(app, runtime)
    if runtime.docjobs is not None:  # documents a crash left unmade are made now
        await runtime.docjobs.start(app.bot.username)
    courier = DeliveryWorker(runtime.deliver_pass)
    runtime.courier = courier
    runtime.db.on_queued = courier.queued  # every commit that queued work wakes it
    courier.start()
    await publish_menus(app.bot, runtime)
    jobs.start_jobs(app, runtime)  # tick, outbox retry, digest, holiday check, backup
    # Before polling: the updates a crash left unfinished are the first to be handled.
    await _inbox(app).replay(app.bot)
    if freeze_heap:
        gc.collect()
        gc.freeze()


async def _post_stop(app: BotApp) -> None:
    """SIGTERM/SIGINT: the update in hand and the jobs are done; deliver what they left
    (bounded: a Telegram outage must not hold the stop; the rows wait on disk)."""
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    courier, runtime.courier = runtime.courier, None
    runtime.db.on_queued = None
    if isinstance(courier, DeliveryWorker):
        await courier.stop(FINAL_DRAIN_SECONDS)


async def _post_shutdown(app: BotApp) -> None:
    runtime: Runtime = app.bot_data[RUNTIME_KEY]
    if runtime.docjobs is not None:
        await runtime.docjobs.close()
    await runtime.inbox.close()
    await runtime.db.close()


@asynccontextmanager
async def running(
    app: BotApp, *, poll_interval: float = 0.0, poll_timeout: int = 1
) -> AsyncIterator[BotApp]:
    """Run the application inside an existing event loop (tests, the demo, the crash rig).

    `run_polling` owns its loop and calls the hooks itself; here we call them as it would.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=poll_interval, timeout=poll_timeout)
    await app.start()
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


# -- guards and fallbacks -------------------------------------------------------------------


def _inbox(app: Any) -> InboxQueue:
    """The application's update queue, the inbox's (`build_application` gave it)."""
    queue = app.update_queue
    assert isinstance(queue, InboxQueue)
    return queue


async def _guard(update: Update, context: BotContext) -> None:
    """The bot works in private chats only; edits of old messages are not acted upon."""
    runtime = context.runtime
    _inbox(context.application).take(update)
    if runtime.courier is not None:  # delivery waits until this update is handled
        runtime.courier.hold()
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        _, lang = await identify(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(runtime.plain(lang, "common.private_only"))
        elif update.message is not None:
            await reply(update, runtime.text(lang, "common.private_only"))
        await _handled(update, context)
        raise ApplicationHandlerStop
    if update.edited_message is not None:
        _, lang = await identify(update, context)
        await reply(update, runtime.text(lang, "guard.edited"))
        await _handled(update, context)
        raise ApplicationHandlerStop
    query = update.callback_query
    if query is not None and not query.data:  # PTB hands a data-less press to any pattern
        _, lang = await identify(update, context)
        await handler_common.answer_press(query, runtime.plain(lang, "common.stale_button"), True)
        await _handled(update, context)
        raise ApplicationHandlerStop


async def _fallback(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    message = update.effective_message
    if message is None:
        return
    if officer is None:
        await handler_common.unknown_user(update, context, lang)
        return
    if message.text and message.text.startswith("/"):
        await reply(update, runtime.text(lang, "guard.unknown_command"))
    elif message.text:
        await reply(update, runtime.text(lang, "workflow.text_not_understood"))
    else:
        await reply(update, runtime.text(lang, "guard.unsupported"))


async def _unknown_press(update: Update, context: BotContext) -> None:
    """Every press gets an answer, even a forged or malformed one that no handler took."""
    query = update.callback_query
    assert query is not None
    _, lang = await identify(update, context)
    stale = context.runtime.plain(lang, "common.stale_button")
    await handler_common.answer_press(query, stale, True)


async def _mark_handled(update: Update, context: BotContext) -> None:
    await _handled(update, context)


async def _handled(update: Update, context: BotContext) -> None:
    runtime = context.runtime
    await _inbox(context.application).settle()
    runtime.last_update_id = max(runtime.last_update_id, update.update_id)
    if runtime.courier is not None:
        runtime.courier.release()


async def _on_error(update: object, context: BotContext) -> None:
    """Log where and why; tell the user something went wrong, without internals."""
    log.error("error while handling %s", update, exc_info=context.error)
    if context.runtime.courier is not None:  # an update that failed holds nothing back
        context.runtime.courier.release()
    if not isinstance(update, Update):
        return  # a job: the log is the place
    try:
        _, lang = await identify(update, context)
        text = context.runtime.text(lang, "common.error")
        query = update.callback_query
        if query is not None:
            try:
                await query.answer(context.runtime.plain(lang, "common.error")[:200])
            except Exception:  # already answered or expired: the chat message below says it
                log.debug("could not answer the query after an error", exc_info=True)
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # the error report must never raise
        log.exception("could not tell the user about the error")
