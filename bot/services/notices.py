"""What the admins are told when the bot cannot do its job by itself."""

from __future__ import annotations

from dataclasses import replace

from bot.services.office import Office
from bot.services.outbox import language_of, notify_admins
from bot.views.i18n import DEFAULT_LANGUAGE
from bot.views.outgoing import Edit, Message, SendDocument, Unreachable
from storage.outbox import OutboxRow
from storage.uow import Tx, reading, unit_of_work

_REASON_KEYS = {
    Unreachable.BLOCKED: "workflow.unreachable_blocked",
    Unreachable.NOT_JOINED: "workflow.unreachable_not_joined",
}


async def report_unreachable(office: Office, officer: str, cause: Unreachable) -> None:
    """A task could not reach its officer: every admin hears it, in the outbox."""
    name = office.directory.name(officer)
    async with unit_of_work(office.db, office.agency) as tx:
        await notify_admins(
            tx,
            office.directory,
            office.clock.now(),
            lambda lang: office.text(
                lang,
                "workflow.officer_unreachable",
                name=name,
                reason=office.plain(lang, _REASON_KEYS[cause]),
            ),
            skip=officer,
        )


async def minimal_form(office: Office, row: OutboxRow, message: Message) -> Message | None:
    """What to send instead of a message Telegram refused for good (400).

    A text keeps its buttons and its role (a task's message stays the task's message,
    so later edits still reach it) under one short sentence naming the case; so does a
    task that is a file (under a short caption); another file goes without its caption;
    a file refused as such has no smaller form.
    """
    if isinstance(message, SendDocument) and not message.task_message:
        return replace(message, caption=None) if message.caption else None
    async with reading(office.db, office.agency) as tx:
        code = await _case_code(tx, row)
        lang = await _language(tx, office, row)
    if code is None:
        text = office.text(lang, "delivery.minimal_general")
    else:
        text = office.text(lang, "delivery.minimal", case_code=code)
    if isinstance(message, Edit):
        return Edit(text, message.buttons, message.becomes)
    if isinstance(message, SendDocument):
        return replace(message, caption=text, text=None)
    return replace(message, text=text)


async def report_refused(
    office: Office, row: OutboxRow, message: Message, error: str, minimal_sent: bool
) -> None:
    """Telegram refused a message for good: every admin hears which, to whom, and why
    (but its recipient, so a refused notice to one admin cannot echo back and forth)."""
    name = office.directory.name(row.officer_key) if row.officer_key else str(row.chat_id)
    async with unit_of_work(office.db, office.agency) as tx:
        code = await _case_code(tx, row) or "-"
        await notify_admins(
            tx,
            office.directory,
            office.clock.now(),
            lambda lang: office.text(
                lang,
                "delivery.refused_admin",
                what=_what(office, lang, message),
                name=name,
                case_code=code,
                row=row.id,
                error=error,
                outcome=office.plain(
                    lang, "delivery.outcome_minimal" if minimal_sent else "delivery.outcome_lost"
                ),
            ),
            skip=row.officer_key,  # their own message failed: the others can act on it
        )


def _what(office: Office, lang: str, message: Message) -> str:
    if isinstance(message, SendDocument) and not message.task_message:
        return office.plain(lang, "delivery.what_document", filename=message.filename)
    if isinstance(message, Edit):
        return office.plain(lang, "delivery.what_edit")
    return office.plain(
        lang, "delivery.what_task" if message.task_message else "delivery.what_text"
    )


async def _case_code(tx: Tx, row: OutboxRow) -> str | None:
    return None if row.case_id is None else (await tx.cases.get(row.case_id)).code


async def _language(tx: Tx, office: Office, row: OutboxRow) -> str:
    if row.officer_key is None:
        return DEFAULT_LANGUAGE
    return await language_of(tx, office.directory, row.officer_key)
