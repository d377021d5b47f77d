"""What the admins are told when the bot cannot do its job by itself."""

from __future__ import annotations

from bot.services.office import Office
from bot.services.outbox import notify_admins
from bot.views.outgoing import Unreachable
from storage.uow import unit_of_work

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
