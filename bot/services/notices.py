"""What the admins are told when the bot cannot do its job by itself."""

from __future__ import annotations

from bot.services.office import Office
from storage.uow import unit_of_work


async def report_unreachable(office: Office, officer: str, reason: str) -> None:
    """A task could not reach its officer: every admin hears it, in the outbox."""
    now = office.clock.now()
    reason_key = (
        "workflow.unreachable_blocked"
        if "forbidden" in reason
        else ("workflow.unreachable_not_joined")
    )
    async with unit_of_work(office.db, office.agency) as tx:
        for admin in office.directory.admins():
            if admin == officer:
                continue
            account = await tx.accounts.get(admin)
            lang = (account.language if account else None) or office.directory.language(admin)
            text = office.text(
                lang,
                "workflow.officer_unreachable",
                name=office.directory.name(officer),
                reason=office.plain(lang, reason_key),
            )
            await tx.outbox.add("send", {"text": text, "buttons": []}, now, officer_key=admin)
