"""Storage that does not grow without end: delivered messages' text is dropped in time.

The outbox kept every message ever sent, text and buttons included: 86,000 rows, 35 MB
for 1,000 cases. Once a message has been delivered for `[storage] outbox_retention_days`
(30 by default), its text serves no one: the audit trail (`audit_log`) says what was
decided, Telegram holds what was read. What stays is the row (when it went to whom, and
which task a reply to it is about) and, for a file, the index of delivered files
(officer, case, file, chat, message id) through which a later message can refer to a
file already sent. Done document jobs and the sent or cancelled reminders of closed tasks
go after the same period: nothing reads them again. A daily job (`bot.ptb.jobs`) calls
`prune_outbox`, which then gives the room back to the file system
(`Database.reclaim_space`): the file shrinks, it does not only stop growing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services.office import Office
from storage.uow import unit_of_work

log = logging.getLogger(__name__)


async def prune_outbox(office: Office, now: datetime) -> int:
    """Drop what the retention period lets go (see the module); returns how many
    delivered messages lost their text."""
    days = office.config.storage.outbox_retention_days
    cutoff = now - timedelta(days=days)
    async with unit_of_work(office.db, office.agency) as tx:
        pruned = await tx.outbox.prune_delivered(cutoff)
        jobs = await tx.jobs.forget_done(cutoff)
        reminders = await tx.reminders.forget_settled(cutoff)
    if pruned or jobs or reminders:
        log.info(
            "retention (%d days): the text of %d delivered message(s), %d done job(s) and "
            "%d settled reminder(s) dropped",
            days,
            pruned,
            jobs,
            reminders,
        )
        freed = await office.db.reclaim_space()
        log.info("database: %d bytes given back to the file system", freed)
    return pruned
