"""The daily digest and a case's details in an officer's language, from the catalogue.

Telegram-neutral: a message is HTML text under Telegram's limit plus buttons as plain
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
from bot.views.callbacks import PagedView, detail_callback, nudge_callback
from bot.views.fmt import format_date, format_day_date, format_deadline, format_minutes
from bot.views.i18n import Catalogue
from bot.views.paging import Page, footer, nav_row, page_of
from bot.views.steps import step_label
from bot.views.textsplit import fit, shorten, split_html, typed

TITLE_LENGTH: Final = 60  # step titles run to 150 characters; the details show them whole
DIGEST_PAGE_SIZE: Final = 8  # cases per page: eight of the longest fit in one message

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

    def digest(
        self, view: DigestView, lang: str, page: int = 1, nudge: bool = False
    ) -> DigestMessage:
        """One message however many cases run: the counts, then one page of cases (the
        overdue first, the most overdue on top), "page x of y", the buttons of the cases
        shown and the buttons that turn the page (`pg:d:<page>`). Who cannot be reached
        is said on the first page. `page` turns a view of every case; a view of one page
        (`DigestView.window`, what the bot reads) is that page."""
        lines = [self._t(lang, "digest.title", date=format_day_date(view.at, self.tz, lang))]
        shown, running, overdue = _shown(view, page)
        if not running:
            lines += ["", self._t(lang, "digest.empty")]
        else:
            lines.append(
                self._t(
                    lang,
                    "digest.counts",
                    count=running,
                    late=overdue,
                    on_time=running - overdue,
                )
            )
            if not overdue and shown.is_first:
                lines += ["", self._t(lang, "digest.all_on_time")]
        for heading, late in (("digest.overdue_heading", True), ("digest.pending_heading", False)):
            cases = [c for c in shown.items if c.is_overdue is late]
            if cases:
                lines += ["", self._t(lang, heading)]
                for case in cases:
                    lines += self._case(case, lang)
        if view.unreachable and shown.is_first:
            lines += ["", self._t(lang, "daily_digest.unreachable_heading")]
            lines += [self._unreachable(u, lang) for u in view.unreachable]
        if view.audit_head is not None:
            # Printed or forwarded, the digest keeps the audit head outside the database.
            lines += ["", self._t(lang, "daily_digest.audit_head", head=view.audit_head)]
        page_line = footer(self.cat, lang, shown.number, shown.count)
        if page_line is not None:
            lines += ["", page_line]
        buttons = [self._case_buttons(c, lang, nudge) for c in shown.items]
        turn = nav_row(self.cat, lang, PagedView.DIGEST, shown.number, shown.count)
        if turn:
            buttons.append(turn)
        # A page is short by design; only an absurdly long list of unreachable officers
        # could pass the limit, and then the lines that do not fit are left out.
        return DigestMessage(split_html("\n".join(lines))[0], buttons)

    def _case_buttons(self, case: CaseLine, lang: str, nudge: bool) -> list[Button]:
        """ "Rincian" for everyone; "Ingatkan" beside it for whoever may nudge (`nudge`)."""
        row = [
            {
                "text": self.cat.plain(lang, "daily_digest.button", case_code=case.case_code),
                "data": detail_callback(case.case_id),
            }
        ]
        if nudge:
            row.append(
                {
                    "text": self.cat.plain(lang, "daily_digest.nudge_button"),
                    "data": nudge_callback(case.case_id),
                }
            )
        return row

    def nudge(self, state: CaseState, sop: Sop, sender: str, lang: str) -> str:
        """What a holder reads when the Sekretaris presses "Ingatkan"."""
        step = sop.step(state.step_key)
        deadline = min((t.deadline for t in state.current_tasks() if t.is_open), default=None)
        return self._t(
            lang,
            "daily_digest.nudge",
            name=self.people.name(sender),
            case_code=state.code,
            number=step.number,
            title=step_label(step),
            deadline=format_deadline(deadline, self.tz, lang) if deadline else "-",
        )

    def _case(self, case: CaseLine, lang: str) -> list[str]:
        common = {
            "case_code": case.case_code,
            "number": case.step.number,
            "title": shorten(step_label(case.step), TITLE_LENGTH),
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
        if case.nobody_above:
            above = self._t(
                lang, "daily_digest.nobody_above", officer=self._names(case.nobody_above)
            )
            return [head, used, above]
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
            "title": step_label(step),
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


def _shown(view: DigestView, page: int) -> tuple[Page[CaseLine], int, int]:
    """(the page shown, cases running, of them overdue): a view of every case is paged
    here; a view of one page (`window`) says where it is and the counts over all."""
    window = view.window
    if window is None:
        return page_of(view.cases, page, DIGEST_PAGE_SIZE), len(view.cases), len(view.overdue)
    return Page(view.cases, window.number, window.pages), window.running, window.overdue
