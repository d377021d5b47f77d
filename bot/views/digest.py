"""The daily digest and a case's details in an officer's language, from the catalogue.

Telegram-neutral: messages are HTML text under Telegram's limit plus buttons as plain
dicts, which the outbox carries and the sender turns into a keyboard. The view model they
render is `bot.core.digest`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.core.digest import CaseLine, DigestView, Unreachable
from bot.core.people import Directory
from bot.core.sop import Sop
from bot.core.timestd import WorkCalendar
from bot.core.workflow import CaseState, CaseStatus, Task, TaskStatus
from bot.views.callbacks import detail_callback
from bot.views.fmt import format_date, format_day_date, format_deadline, format_minutes
from bot.views.i18n import Catalogue
from bot.views.textsplit import fit, shorten, split_html, typed

TITLE_LENGTH: Final = 60  # step titles run to 150 characters; the details show them whole
MAX_BUTTONS: Final = 100  # Telegram's limit for one inline keyboard

Button = dict[str, str]


@dataclass(frozen=True, slots=True)
class DigestMessage:
    text: str
    buttons: list[list[Button]]


class DigestRenderer:
    """The digest and a case's details in an officer's language, from the catalogue."""

    def __init__(
        self,
        catalogue: Catalogue,
        people: Directory,
        tz: ZoneInfo,
        calendar: WorkCalendar,
        minutes_per_day: int = 450,
    ) -> None:
        self.cat = catalogue
        self.people = people
        self.tz = tz
        self.calendar = calendar
        self.minutes_per_day = minutes_per_day

    def _t(self, lang: str, key: str, **params: object) -> str:
        return self.cat.text(lang, key, **params)

    def _duration(self, minutes: int, lang: str) -> str:
        return format_minutes(minutes, self.minutes_per_day, lang)

    def _names(self, keys: Sequence[str]) -> str:
        return ", ".join(self.people.name(k) for k in keys)

    def digest(self, view: DigestView, lang: str) -> list[DigestMessage]:
        """The digest as messages under Telegram's limit; the buttons ride on the last."""
        lines = [self._t(lang, "digest.title", date=format_day_date(view.at, self.tz, lang))]
        if not view.cases:
            lines += ["", self._t(lang, "digest.empty")]
        elif view.overdue:
            lines += ["", self._t(lang, "digest.overdue_heading")]
            for case in view.overdue:
                lines += self._case(case, lang)
        else:
            lines += ["", self._t(lang, "digest.all_on_time")]
        if view.pending:
            lines += ["", self._t(lang, "digest.pending_heading")]
            for case in view.pending:
                lines += self._case(case, lang)
        if view.unreachable:
            lines += ["", self._t(lang, "daily_digest.unreachable_heading")]
            lines += [self._unreachable(u, lang) for u in view.unreachable]
        pieces = split_html("\n".join(lines))
        buttons = [
            [
                {
                    "text": self.cat.plain(lang, "daily_digest.button", case_code=c.case_code),
                    "data": detail_callback(c.case_id),
                }
            ]
            for c in view.cases[:MAX_BUTTONS]
        ]
        return [DigestMessage(p, []) for p in pieces[:-1]] + [DigestMessage(pieces[-1], buttons)]

    def _case(self, case: CaseLine, lang: str) -> list[str]:
        common = {
            "case_code": case.case_code,
            "number": case.step_number,
            "title": shorten(case.step_title, TITLE_LENGTH),
            "officer": self._names(case.holders),
        }
        if case.overdue_minutes is not None:
            head = self._t(
                lang,
                "digest.line_overdue",
                overdue=self._duration(case.overdue_minutes, lang),
                **common,
            )
        else:
            deadline = format_deadline(case.deadline, self.tz, lang)
            head = self._t(lang, "digest.line", deadline=deadline, **common)
        used = self._t(
            lang,
            "daily_digest.used",
            used=self._duration(case.used_minutes, lang),
            standard=case.standard,
        )
        return [head, used]

    def _unreachable(self, item: Unreachable, lang: str) -> str:
        name = self.people.name(item.officer)
        if item.since is None:
            return self._t(lang, "daily_digest.not_joined", name=name)
        return self._t(
            lang, "daily_digest.blocked", name=name, since=format_date(item.since, self.tz, lang)
        )

    # -- a case's details (the digest's button) -------------------------------------

    def case_details(self, state: CaseState, sop: Sop, now: datetime, lang: str) -> list[str]:
        """Every step the case went through and where it is now, as message texts."""

        def when(at: datetime) -> str:
            return format_deadline(at, self.tz, lang)

        lines = [
            self._t(lang, "daily_digest.detail_title", case_code=state.code, sop_title=sop.title),
            self._t(
                lang,
                "daily_digest.detail_started",
                name=self.people.name(state.started_by),
                when=when(state.started_at),
            ),
            "",
        ]
        for task in state.tasks:
            line = self._task_line(task, sop, now, lang)
            if line is not None:
                lines.append(line)
        if state.status is CaseStatus.FINISHED and state.finished_at is not None:
            lines += [
                "",
                self._t(lang, "daily_digest.detail_finished", when=when(state.finished_at)),
            ]
        elif state.status is CaseStatus.CANCELLED:
            at = state.finished_at or state.started_at
            line = self._t(
                lang,
                "daily_digest.detail_cancelled",
                when=when(at),
                reason=typed(state.cancel_reason or ""),
            )
            lines += ["", fit(line, more=self._t(lang, "typed.more", case_code=state.code))]
        return split_html("\n".join(lines))

    def _task_line(self, task: Task, sop: Sop, now: datetime, lang: str) -> str | None:
        step = sop.step(task.step_key)
        common: dict[str, object] = {
            "number": step.number,
            "title": step.title,
            "officer": self.people.name(task.assignee),
        }
        if task.is_open:
            if task.deadline <= now:
                overdue = self.calendar.elapsed_minutes(task.deadline, now)
                return self._t(
                    lang,
                    "daily_digest.detail_overdue",
                    overdue=self._duration(overdue, lang),
                    deadline=format_deadline(task.deadline, self.tz, lang),
                    **common,
                )
            return self._t(
                lang,
                "daily_digest.detail_open",
                deadline=format_deadline(task.deadline, self.tz, lang),
                used=self._duration(self.calendar.elapsed_minutes(task.created_at, now), lang),
                standard=step.time.text,
                **common,
            )
        if task.status is not TaskStatus.DONE or task.closed_at is None:
            return None  # withdrawn, claimed by a colleague, superseded: nothing was done
        closed = format_deadline(task.closed_at, self.tz, lang)
        if task.outcome == "returned":
            return self._t(lang, "daily_digest.detail_returned", when=closed, **common)
        used = self.calendar.elapsed_minutes(task.created_at, task.closed_at)
        return self._t(
            lang,
            "daily_digest.detail_done",
            when=closed,
            used=self._duration(used, lang),
            standard=step.time.text,
            **common,
        )
