"""Documents in chat: the indicator sheet upload, /templat and /verifikasi.

"Unggah data capaian" (on the data role's upload task) opens a short persistent dialog
("sheet_upload") that takes the next spreadsheet the officer sends. The file is stored
and read by `bot.services.sheet_upload`; a sheet with mistakes gets every problem listed
(row and column each) and the dialog stays open for the corrected file. A file that is not a
spreadsheet closes the dialog and is handled as an ordinary upload (a draft, most
likely), so a forgotten dialog never swallows a draft.

Registered before `handlers.uploads`: while the dialog is open its file handler sees the
document first.
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

from bot.core.filecheck import SHEET_KINDS, extension, judge, safe_filename
from bot.core.workflow import Refusal
from bot.documents import SheetError, SheetLimits, SheetProblem, normalize_verification_code
from bot.ptb.context import BotContext
from bot.runtime import Runtime
from bot.services.sheet_upload import SHEET_TEMPLATE_NAME, SheetFile, sheet_template
from bot.services.verification import Verification
from bot.views import acting as acting_views
from bot.views.callbacks import SHEET_PATTERN, parse_sheet
from bot.views.fmt import format_deadline, format_file_size
from bot.views.i18n import Raw
from handlers import uploads
from handlers.common import (
    answer_press,
    dialog_closed,
    dialog_data,
    dialog_key,
    end_dialog,
    identify,
    keep_dialog,
    refusal_text,
    reply,
    unknown_user,
    wait_for_chat,
)

log = logging.getLogger(__name__)

SHEET = 0
END = ConversationHandler.END
NAME: Final = "sheet_upload"
MAX_PROBLEMS_SHOWN: Final = 30  # one line each; the rest are counted (4096-char messages)


# -- the indicator sheet -----------------------------------------------------------------------


async def on_upload_button(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    officer, lang = await identify(update, context)
    pressed = parse_sheet(query.data)
    if officer is None or pressed is None:
        await answer_press(query, runtime.plain(lang, "common.stale_button"), alert=True)
        return END
    case_id, task_seq = pressed
    try:
        state = await runtime.sheet_uploads.case_for(officer, case_id, task_seq)
    except Refusal as refusal:
        await answer_press(query, refusal_text(runtime, lang, refusal), alert=True)
        return END
    await answer_press(query)
    await wait_for_chat(update, context, officer)
    await keep_dialog(update, context, NAME, SHEET, {"case": case_id, "task": task_seq})
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(runtime.text(lang, "documents.sheet.ask", case_code=state.code))
    return SHEET


async def on_sheet_file(update: Update, context: BotContext) -> int:
    runtime = context.runtime
    officer, lang = await identify(update, context)
    message = update.effective_message
    scratch = await dialog_data(update, context, NAME)
    document = message.document if message is not None else None
    name = safe_filename(document.file_name if document is not None else None)
    if officer is None or document is None or not scratch or extension(name) not in SHEET_KINDS:
        # not a sheet for this dialog (a draft, most likely): an upload
        await end_dialog(update, context, NAME)
        await uploads.on_file(update, context)
        return END
    limit = SheetLimits().max_file_bytes
    if document.file_size is not None and document.file_size > limit:
        size, most = format_file_size(document.file_size, lang), format_file_size(limit, lang)
        await reply(
            update,
            runtime.text(lang, "documents.sheet.too_big", filename=name, size=size, limit=most),
        )
        return SHEET
    data = bytes(await (await document.get_file()).download_as_bytearray())
    if not judge(name, data, SHEET_KINDS).ok:
        await reply(update, runtime.text(lang, "documents.sheet.not_a_sheet", filename=name))
        return SHEET
    dialog = dialog_key(update, NAME)
    try:
        upload = await runtime.sheet_uploads.accept(
            officer,
            int(scratch["case"]),
            int(scratch["task"]),
            data,
            name,
            _earlier(scratch),
            closes=dialog,
        )
    except Refusal as refusal:
        await end_dialog(update, context, NAME)
        await reply(update, refusal_text(runtime, lang, refusal))
        return END
    except SheetError as error:
        await reply(update, _problems_text(context, lang, name, error.problems))
        return SHEET
    sheet = upload.sheet
    if sheet.waiting_for() is not None:  # one of Excel's two CSV files: keep it for the other
        file = upload.file
        part = {"sha256": file.sha256, "filename": file.filename, "size": file.size}
        await keep_dialog(update, context, NAME, SHEET, {**scratch, "part": part})
        key = "indicators" if sheet.budget else "budget"
        rows = len(sheet.indicators) + len(sheet.budget)
        await reply(
            update,
            runtime.text(lang, f"documents.sheet.waiting_for_{key}", filename=name, rows=rows),
        )
        return SHEET
    dialog_closed(context, dialog)  # in the sheet's own transaction
    await reply(
        update,
        runtime.text(
            lang,
            "documents.sheet.received",
            filename=upload.file.filename,
            indicators=len(sheet.indicators),
            programs=len(sheet.budget),
        ),
    )
    return END


def _earlier(scratch: dict[str, Any]) -> SheetFile | None:
    """The first of Excel's two CSV files, when the dialog holds one."""
    part = scratch.get("part")
    if not part:
        return None
    return SheetFile(str(part["sha256"]), str(part["filename"]), int(part["size"]))


def _problems_text(
    context: BotContext, lang: str, name: str, problems: tuple[SheetProblem, ...]
) -> str:
    """Each problem in the uploader's language (`documents.sheet.error.*`), one a line."""
    runtime = context.runtime
    lines = [runtime.text(lang, "documents.sheet.problems", filename=name)]
    lines += [
        runtime.text(
            lang,
            "documents.sheet.problem",
            problem=Raw(runtime.text(lang, f"documents.sheet.error.{p.key.value}", **p.values)),
        )
        for p in problems[:MAX_PROBLEMS_SHOWN]
    ]
    hidden = len(problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(runtime.text(lang, "documents.sheet.more_problems", count=hidden))
    return "\n".join(lines)


async def on_cancel(update: Update, context: BotContext) -> int:
    _, lang = await identify(update, context)
    await end_dialog(update, context, NAME)
    await reply(update, context.runtime.text(lang, "documents.sheet.cancelled"))
    return END


# -- /templat ----------------------------------------------------------------------------------


async def on_template(update: Update, context: BotContext) -> None:
    officer, lang = await identify(update, context)
    if officer is None:
        await unknown_user(update, context, lang)
        return
    message = update.effective_message
    if message is None:
        return
    await message.reply_document(
        document=sheet_template(),
        filename=SHEET_TEMPLATE_NAME,
        caption=context.runtime.text(lang, "documents.template_caption"),
    )


# -- /verifikasi -------------------------------------------------------------------------------


async def on_verify(update: Update, context: BotContext) -> None:
    """Anyone may verify (an auditor need not be an officer); see `answer_verification`."""
    runtime = context.runtime
    _, lang = await identify(update, context)
    typed = " ".join(context.args or []).strip()
    if not typed:
        await reply(update, runtime.text(lang, "documents.verify.usage"))
        return
    code = normalize_verification_code(typed)
    if code is None:
        await reply(update, runtime.text(lang, "documents.verify.not_a_code", text=typed[:40]))
        return
    await answer_verification(update, context, lang, code)


async def answer_verification(update: Update, context: BotContext, lang: str, code: str) -> None:
    """What the paper itself shows, for a typed code or the QR's `/start v_<code>`.

    Open to any Telegram account, so limited per account (`Verifier.lookups`).
    """
    runtime = context.runtime
    verifier = runtime.verifier
    user = update.effective_user
    if user is None or not verifier.lookups.allow(user.id, runtime.clock.now()):
        await reply(update, runtime.text(lang, "documents.verify.too_many"))
        return
    found = await verifier.verify(code)
    if found is None:
        await reply(update, runtime.text(lang, "documents.verify.not_found", code=code))
        return
    signer = runtime.directory.get(found.signer)
    lines = [
        runtime.text(
            lang,
            "documents.verify.found",
            code=code,
            case_code=found.case_code,
            period=found.period,
            version="-" if found.version is None else found.version,
            draft_sha256=found.draft_sha256,
            name=signer.name if signer else found.signer,
            jabatan=_signed_as(runtime, lang, found, signer.jabatan if signer else "-"),
            when=format_deadline(found.signed_at, runtime.tz, lang),
        )
    ]
    lines += [
        runtime.text(lang, "documents.verify.final_file", filename=name, sha256=sha)
        for name, sha in found.final_files
    ] or [runtime.text(lang, "documents.verify.no_final_file")]
    if found.superseded:
        lines.append(runtime.text(lang, "documents.verify.superseded"))
    await reply(update, "\n".join(lines))


def get_handlers() -> list[BaseHandler[Any, Any, Any]]:
    warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
    button = CallbackQueryHandler(on_upload_button, pattern=SHEET_PATTERN)
    return [
        CommandHandler("verifikasi", on_verify),
        CommandHandler("templat", on_template),
        ConversationHandler(
            entry_points=[button],  # type: ignore[list-item]
            states={SHEET: [MessageHandler(filters.Document.ALL, on_sheet_file)]},
            fallbacks=[CommandHandler("batal", on_cancel), button],  # type: ignore[list-item]
            name=NAME,
            persistent=True,
            allow_reentry=True,
        ),
    ]


def _signed_as(runtime: Runtime, lang: str, found: Verification, jabatan: str) -> str:
    """The signer's title as signed: "Plh. Kepala Dinas ..." for a stand-in."""
    if found.signer_acting is None:
        return jabatan
    kind, absent = found.signer_acting
    title = acting_views.jabatan_of(runtime.directory, absent)
    return f"{acting_views.kind_label(runtime.catalogue, lang, kind)} {title}"
