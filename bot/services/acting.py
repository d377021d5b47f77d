"""Acting officials in the running bot: record a Surat Perintah, hand the absent
official's tasks over when it takes effect and back when it ends, and report tasks whose
holder is gone from the config.

The rules are `bot.core.acting`'s, the moves `bot.core.handover`'s; this service reads
and writes them in one unit of work each, and keeps `WorkflowService.stand_ins` (which
routes new tasks) equal to the appointments handed over and not yet back. `apply_due`
is the scheduled check (`bot.ptb.jobs`): given the injected clock's time, it does what
is due once, however late it runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core.acting import (
    ActingRefusal,
    ActingRefusalCode,
    Appointment,
    Hierarchy,
    check_appointment,
    check_extension,
    ends_at,
    letters_from_mapping,
    next_change,
    starts_at,
)
from bot.core.clock import Clock
from bot.core.handover import hand_back, hand_over
from bot.core.people import Directory
from bot.services.outbox import enqueue, language_of, notify_admins
from bot.services.workflow_service import WorkflowService
from bot.views.acting import jabatan_of, kind_label, orphaned_tasks_text, refusal_text
from bot.views.fmt import format_date, format_deadline
from bot.views.i18n import Catalogue
from bot.views.outgoing import Outgoing, Send
from storage.db import Database
from storage.uow import Tx, reading, unit_of_work

log = logging.getLogger(__name__)


class ActingService:
    def __init__(
        self,
        *,
        db: Database,
        workflow: WorkflowService,
        people: Directory,
        catalogue: Catalogue,
        clock: Clock,
        tz: ZoneInfo,
        agency: str = "default",
        configured: Sequence[Appointment] = (),
    ) -> None:
        self.db = db
        self.workflow = workflow
        self.people = people
        self.cat = catalogue
        self.clock = clock
        self.tz = tz
        self.agency = agency
        self.configured = tuple(configured)  # [[acting.letters]], recorded at start

    def hierarchy(self) -> Hierarchy:
        return Hierarchy(self.people.roster, self.people.superior_role, self.people.superior)

    def _today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    # -- recording -----------------------------------------------------------------------

    async def record(self, actor: str, appointment: Appointment) -> Appointment:
        """Check and keep a Surat Perintah, then hand over at once if it is in force;
        raises `ActingRefusal` (nothing written) when a rule is broken."""
        if not self.people.is_admin(actor):
            raise ActingRefusal(ActingRefusalCode.NOT_ADMIN)
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            existing = await tx.acting.not_ended(self._today())
            check_appointment(appointment, self.hierarchy(), existing)
            stored = await tx.acting.add(replace(appointment, recorded_by=actor), now)
        log.info(
            "Surat Perintah %s: %s %s for %s, %s..%s",
            stored.letter_number,
            stored.kind.value,
            stored.stand_in,
            stored.absent,
            stored.start,
            stored.end,
        )
        await self.apply_due()
        return stored

    async def record_configured(self) -> int:
        """At start: keep the Surat Perintah written in config.toml that are not stored
        yet (by number and absent official); one the stored ones contradict is reported
        to the admins, not recorded. How many were recorded."""
        now = self.clock.now()
        recorded = 0
        async with unit_of_work(self.db, self.agency) as tx:
            existing = await tx.acting.not_ended(self._today())
            stored = {(a.letter_number, a.absent) for a in await tx.acting.every()}
            for letter in self.configured:
                if (letter.letter_number, letter.absent) in stored:
                    continue
                try:
                    check_appointment(letter, self.hierarchy(), existing)
                except ActingRefusal as refusal:
                    log.warning(
                        "config Surat Perintah %s refused: %s", letter.letter_number, refusal.code
                    )
                    await notify_admins(
                        tx, self.people, now, partial(self._refused, letter, refusal)
                    )
                    continue
                existing.append(await tx.acting.add(letter, now))
                recorded += 1
        return recorded

    def _refused(self, letter: Appointment, refusal: ActingRefusal, lang: str) -> str:
        why = refusal_text(self.cat, self.people, self.tz, lang, refusal)
        return self.cat.text(lang, "acting.config_refused", letter=letter.letter_number, why=why)

    async def extend(self, actor: str, appointment_id: int, new_end: date) -> Appointment:
        """Extend a Plt once by at most three months; raises `ActingRefusal` otherwise."""
        if not self.people.is_admin(actor):
            raise ActingRefusal(ActingRefusalCode.NOT_ADMIN)
        async with unit_of_work(self.db, self.agency) as tx:
            found = await tx.acting.get(appointment_id)
            if found is None:
                raise ActingRefusal(
                    ActingRefusalCode.UNKNOWN_APPOINTMENT, appointment=appointment_id
                )
            existing = await tx.acting.not_ended(self._today())
            extended = check_extension(found, new_end, existing)
            await tx.acting.extend(extended)
        return extended

    async def appointments(self) -> list[Appointment]:
        """Those not ended yet, in start order (the CLI lists them)."""
        async with reading(self.db, self.agency) as tx:
            return await tx.acting.not_ended(self._today())

    # -- the scheduled check --------------------------------------------------------------

    async def apply_due(self, now: datetime | None = None) -> int:
        """Hand over what has started and back what has ended; how many tasks moved."""
        now = now or self.clock.now()
        moved = 0
        async with unit_of_work(self.db, self.agency) as tx:
            waiting, running = await tx.acting.pending()
            for a in waiting:
                if starts_at(a, self.tz) > now:
                    continue
                assert a.id is not None
                await tx.acting.mark_handed_over(a.id, now)
                if ends_at(a, self.tz) <= now:  # recorded after it ended: nothing to do
                    await tx.acting.mark_handed_back(a.id, now)
                    continue
                move = partial(hand_over, absent=a.absent, stand_in=a.stand_in_view(), now=now)
                count = await self.workflow.move_open_tasks(tx, move, now)
                await self._tell_started(tx, a, count, now)
                moved += count
                running.append(a)
            still: list[Appointment] = []
            for a in running:
                if ends_at(a, self.tz) > now:
                    still.append(a)
                    continue
                assert a.id is not None
                ident = a.id
                back = partial(hand_back, appointment=ident, now=now)
                count = await self.workflow.move_open_tasks(tx, back, now)
                await tx.acting.mark_handed_back(ident, now)
                await self._tell_ended(tx, a, count, now)
                moved += count
        self.workflow.stand_ins = {a.absent: a.stand_in_view() for a in still}
        return moved

    async def next_change(self) -> datetime | None:
        """When the check must run next: an appointment starting or ending."""
        async with reading(self.db, self.agency) as tx:
            waiting, running = await tx.acting.pending()
        return next_change([*waiting, *running], self.clock.now(), self.tz)

    async def _tell(
        self, tx: Tx, officer: str, key: str, params: Mapping[str, Any], now: datetime
    ) -> None:
        lang = await language_of(tx, self.people, officer)
        text = self.cat.text(lang, key, **self._act(lang, params))
        await enqueue(tx, Outgoing(officer, Send(text)), now)

    def _act(self, lang: str, params: Mapping[str, Any]) -> dict[str, Any]:
        a: Appointment = params["appointment"]
        return {
            "letter": a.letter_number,
            "kind": kind_label(self.cat, lang, a.kind.value),
            "jabatan": jabatan_of(self.people, a.absent),
            "start": format_date(a.start, self.tz, lang),
            "end": format_date(a.end, self.tz, lang),
            "count": params["count"],
            "name": self.people.name(params["name"]),
        }

    async def _tell_started(self, tx: Tx, a: Appointment, count: int, now: datetime) -> None:
        await self._tell(tx, a.absent, "acting.started_absent", _p(a, count, a.stand_in), now)
        await self._tell(tx, a.stand_in, "acting.started_stand_in", _p(a, count, a.absent), now)

    async def _tell_ended(self, tx: Tx, a: Appointment, count: int, now: datetime) -> None:
        await self._tell(tx, a.stand_in, "acting.ended_stand_in", _p(a, count, a.absent), now)
        await self._tell(tx, a.absent, "acting.ended_absent", _p(a, count, a.absent), now)

    # -- officers gone from the config ---------------------------------------------------

    async def report_orphans(self) -> int:
        """At start: name the open tasks whose holder is no longer in the config, to every
        admin (nothing is dropped: an admin reassigns each). How many such tasks."""
        now = self.clock.now()
        gone: dict[str, list[dict[str, Any]]] = {}
        for state, sop in await self.workflow.open_cases_with_sops():
            for task in state.open_tasks():
                if self.people.get(task.assignee) is not None:
                    continue
                gone.setdefault(task.assignee, []).append(
                    {
                        "case_code": state.code,
                        "step": sop.step(task.step_key).number,
                        "seq": task.seq,
                        "deadline": task.deadline,
                    }
                )
        if not gone:
            return 0
        async with unit_of_work(self.db, self.agency) as tx:
            for officer, lines in gone.items():
                log.warning("%s is gone from the config but holds %d tasks", officer, len(lines))
                await notify_admins(tx, self.people, now, partial(self._orphans, officer, lines))
        return sum(len(lines) for lines in gone.values())

    def _orphans(self, officer: str, lines: Sequence[Mapping[str, Any]], lang: str) -> str:
        dated = [
            {**line, "deadline": format_deadline(line["deadline"], self.tz, lang)}
            for line in lines
        ]
        return orphaned_tasks_text(self.cat, lang, officer, dated)


def _p(a: Appointment, count: int, name: str) -> dict[str, Any]:
    return {"appointment": a, "count": count, "name": name}


def configured_letters(config: Config, people: Directory) -> tuple[list[Appointment], list[str]]:
    """`[[acting.letters]]` read and checked against the officers and against each other;
    one line per mistake (the bot does not start with a wrong one)."""
    letters, errors = letters_from_mapping(config.acting)
    hierarchy = Hierarchy(people.roster, people.superior_role, people.superior)
    for index, letter in enumerate(letters):
        try:
            check_appointment(letter, hierarchy, letters[:index])
        except ActingRefusal as refusal:
            details = ", ".join(f"{k}={v}" for k, v in refusal.details.items())
            errors.append(f"acting.letters[{index}]: {refusal.code.value} ({details})")
    return letters, errors
