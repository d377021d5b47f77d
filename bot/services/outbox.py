"""Putting messages in the outbox, inside the caller's transaction.

Every service that tells someone something goes through here: `enqueue` is the one place
a typed message becomes an outbox row, `language_of` the one rule for which language an
officer reads, and `notify_admins` the one way every admin hears the same news.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.views.outgoing import Outgoing, Send, encode
from storage.outbox import NewMessage
from storage.uow import Tx


class Officers(Protocol):
    """What choosing a language and finding the admins needs of the directory."""

    def language(self, officer_key: str) -> str: ...

    def admins(self) -> Sequence[str]: ...


def _row(out: Outgoing, case_id: int | None) -> NewMessage:
    kind, payload = encode(out.message)
    return NewMessage(kind, payload, out.officer_key, out.chat_id, case_id, out.task_seq)


async def enqueue(tx: Tx, out: Outgoing, now: datetime, *, case_id: int | None = None) -> int:
    """Add one message to the outbox; it is delivered after `tx` commits."""
    return await tx.outbox.add_row(_row(out, case_id), now)


async def enqueue_all(
    tx: Tx, outs: Sequence[Outgoing], now: datetime, *, case_id: int | None = None
) -> None:
    """Add messages to the outbox in this order, in one statement."""
    await tx.outbox.add_many([_row(out, case_id) for out in outs], now)


async def language_of(tx: Tx, people: Officers, officer: str) -> str:
    """The officer's language: what they chose in the bot, else what the config says."""
    account = await tx.accounts.get(officer)
    if account is not None and account.language:
        return account.language
    return people.language(officer)


async def notify_admins(
    tx: Tx,
    people: Officers,
    now: datetime,
    text: Callable[[str], str],
    *,
    skip: str | None = None,
) -> int:
    """Tell every admin (but `skip`, who hears it otherwise) `text(language)`; returns how many."""
    told = 0
    for admin in people.admins():
        if admin == skip:
            continue
        lang = await language_of(tx, people, admin)
        await enqueue(tx, Outgoing(officer_key=admin, message=Send(text(lang))), now)
        told += 1
    return told
