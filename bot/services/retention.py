"""Storage that does not grow without end: delivered messages' text is dropped in time.

The outbox kept every message ever sent, text and buttons included: 86,000 rows, 35 MB
for 1,000 cases. Once a message has been delivered for `[storage] outbox_retention_days`
(30 by default), its text serves no one: the audit trail (`audit_log`) says what was
decided, Telegram holds what was read. What stays is the row (when it went to whom, and
which task a reply to it is about) and, for a file, the index of delivered files
(officer, case, file, chat, message id) through which a later message can refer to a
file already sent. A daily job (`bot.ptb.jobs`) calls `prune_outbox`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.services.office import Office
from storage.uow import unit_of_work

log = logging.getLogger(__name__)


async def prune_outbox(office: Office, now: datetime) -> int:
    """Drop the text of messages delivered more than the retention period ago."""
    days = office.config.storage.outbox_retention_days
    async with unit_of_work(office.db, office.agency) as tx:
        pruned = await tx.outbox.prune_delivered(now - timedelta(days=days))
    if pruned:
        log.info(
            "outbox: dropped the text of %d message(s) delivered over %d days ago", pruned, days
        )
    return pruned
