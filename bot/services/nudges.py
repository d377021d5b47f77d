"""The digest's "Ingatkan": the Sekretaris nudges the holders of one case's open step.

One press, one transaction: who holds the open step is read, each holder not nudged
about this case within the last `NUDGE_INTERVAL` gets one message, and the nudge is kept
in the audit trail (action "nudge", the holders nudged). The trail is also what the rate
limit reads, so a restart or a second Sekretaris pressing the same button changes
nothing: a holder hears at most one nudge per case per hour, on top of the bot's own
reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.core.workflow import CaseStatus, nudge_event
from bot.services.office import Office
from bot.services.outbox import enqueue, language_of
from bot.services.scheduling import renderer
from bot.views.outgoing import Outgoing, Send
from storage.cases import CaseNotFound
from storage.uow import unit_of_work

NUDGE_INTERVAL: Final = timedelta(hours=1)  # per holder and case: a nudge, not a siren


@dataclass(frozen=True, slots=True)
class Nudged:
    """What a press did: `sent` were nudged now; `waiting` had one since `next_at`
    minus the interval (None: nobody was held back)."""

    sent: tuple[str, ...]
    waiting: tuple[str, ...]
    next_at: datetime | None


async def nudge_holders(office: Office, actor: str, case_id: int) -> Nudged | None:
    """Nudge the open step's holders of `case_id`; None when the case has no open task."""
    known = await office.service.find_case(case_id)
    if known is None:
        return None
    sop = (await office.service.context_for(known)).sop  # a case keeps its SOP
    now = office.clock.now()
    people = office.service.people
    async with unit_of_work(office.db, office.agency) as tx:
        try:
            state = await tx.cases.get(case_id)
        except CaseNotFound:
            return None
        holders = list(dict.fromkeys(t.assignee for t in state.current_tasks() if t.is_open))
        if state.status is not CaseStatus.OPEN or not holders:
            return None
        last: dict[str, datetime] = {}
        for row in await tx.audit.for_case(case_id):
            if row.action == "nudge":
                for holder in row.data.get("holders", ()):
                    last[str(holder)] = row.at
        since = now - NUDGE_INTERVAL
        sent = [h for h in holders if last.get(h, since) <= since]
        waiting = [h for h in holders if h not in sent]
        next_at = min(last[h] for h in waiting) + NUDGE_INTERVAL if waiting else None
        if not sent:
            return Nudged((), tuple(waiting), next_at)
        render = renderer(office)
        for holder in sent:
            lang = await language_of(tx, people, holder)
            text = render.nudge(state, sop, actor, lang)
            seq = next(t.seq for t in state.current_tasks() if t.assignee == holder and t.is_open)
            await enqueue(tx, Outgoing(holder, Send(text), task_seq=seq), now, case_id=case_id)
        await tx.audit.append(case_id, [nudge_event(state, actor, sent, now)])
    return Nudged(tuple(sent), tuple(waiting), next_at)
