"""The daily digest: where every open case stands, overdue ones first, in one message.

The Sekretaris (and whoever `[digest] recipients` adds) reads it each working morning
instead of asking around: each open case, its step, who holds it, the working time used
against the SOP's standard, and which officers the bot cannot reach (their tasks wait
unseen). Pure: the caller gathers cases and accounts and passes the time; the job that
sends it, once per working day, lives in `bot.services.scheduling`.

Settings (the ``[digest]`` table of config.toml; both keys may be left out)::

    [digest]
    time = "07:45"            # local time "HH:MM", each working day
    recipients = ["kadin"]    # officer keys, besides every holder of the sekretaris role
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Final
from zoneinfo import ZoneInfo

from bot.config import Officer
from bot.config.fields import Fields, closest
from bot.core.people import Directory
from bot.core.sop import Sop
from bot.core.timestd import WorkCalendar
from bot.core.workflow import CaseState, CaseStatus, Task, TaskStatus
from bot.views.callbacks import detail_callback
from bot.views.fmt import format_date, format_day_date, format_deadline, format_minutes
from bot.views.i18n import Catalogue
from bot.views.textsplit import shorten, split_html
from storage.accounts import Account

__all__ = [
    "DEFAULT_TIME",
    "CaseLine",
    "DigestMessage",
    "DigestRenderer",
    "DigestSettings",
    "DigestView",
    "Unreachable",
    "build_view",
    "digest_recipients",
    "unreachable_officers",
]

DEFAULT_TIME: Final = time(7, 45)
ALWAYS_ROLE: Final = "sekretaris"  # chairs the SAKIP paperwork: always gets the digest
TITLE_LENGTH: Final = 60  # step titles run to 150 characters; the details show them whole
MAX_BUTTONS: Final = 100  # Telegram's limit for one inline keyboard
_KEYS: Final = ("time", "recipients")

Button = dict[str, str]


# --- settings -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSettings:
    time: time = DEFAULT_TIME  # local, naive: read in the agency's zone
    recipients: tuple[str, ...] = ()  # officer keys besides the sekretaris role

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], officer_keys: Collection[str], path: str = "digest"
    ) -> tuple[DigestSettings | None, list[str]]:
        """Read `[digest]`; on any mistake None and one message per mistake."""
        if not isinstance(data, Mapping):
            return None, [f"{path}: expected a table"]
        fields = Fields()
        fields.unknown_keys(data, path, _KEYS)
        errors = fields.errors
        at = fields.local_time(data, path, "time", default=DEFAULT_TIME, example="07:45")
        recipients: list[str] = []
        if "recipients" in data:
            raw = data["recipients"]
            if not isinstance(raw, list):
                errors.append(f'{path}.recipients: expected a list of officer keys ["kadin"]')
            else:
                for index, key in enumerate(raw):
                    where = f"{path}.recipients[{index}]"
                    if not isinstance(key, str):
                        errors.append(f"{where}: expected an officer key, got {key!r}")
                    elif key not in officer_keys:
                        errors.append(
                            f'{where}: no officer has the key "{key}"{_hint(key, officer_keys)}'
                        )
                    elif key not in recipients:
                        recipients.append(key)
        if errors or at is None:
            return None, errors
        return cls(at, tuple(recipients)), []


def _hint(word: str, options: Collection[str]) -> str:
    meant = closest(word, options)
    return f'; did you mean "{meant}"?' if meant else ""


def digest_recipients(settings: DigestSettings, officers: Sequence[Officer]) -> list[str]:
    """Every Sekretaris, then the configured extras; each officer once."""
    keys = [o.key for o in officers if o.role == ALWAYS_ROLE] + list(settings.recipients)
    return list(dict.fromkeys(keys))


# --- what the digest says -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One open case at its current step."""

    case_id: int
    case_code: str
    step_number: int
    step_title: str
    holders: tuple[str, ...]  # officer keys of the step's open tasks
    deadline: datetime
    used_minutes: int  # working minutes since the step's tasks opened
    standard: str  # the time standard as the SOP writes it ("3 hari")
    overdue_minutes: int | None  # working minutes past the deadline; None: not yet due

    @property
    def is_overdue(self) -> bool:
        return self.overdue_minutes is not None


@dataclass(frozen=True, slots=True)
class Unreachable:
    """An officer the bot cannot message: never joined, or Telegram refused (blocked)."""

    officer: str
    since: datetime | None  # None: never joined


@dataclass(frozen=True, slots=True)
class DigestView:
    at: datetime
    cases: tuple[CaseLine, ...]  # overdue first (most overdue first), then by deadline
    unreachable: tuple[Unreachable, ...]

    @property
    def overdue(self) -> list[CaseLine]:
        return [c for c in self.cases if c.is_overdue]

    @property
    def pending(self) -> list[CaseLine]:
        return [c for c in self.cases if not c.is_overdue]


def case_line(
    state: CaseState, sop: Sop, now: datetime, calendar: WorkCalendar
) -> CaseLine | None:
    """Where an open case stands; None when no task is open (nothing anyone must do)."""
    tasks = [t for t in state.open_tasks() if t.step_key == state.step_key] or state.open_tasks()
    if state.status is not CaseStatus.OPEN or not tasks:
        return None
    step = sop.step(tasks[0].step_key)
    opened = min(t.created_at for t in tasks)
    deadline = min(t.deadline for t in tasks)
    return CaseLine(
        case_id=state.id,
        case_code=state.code,
        step_number=step.number,
        step_title=step.title,
        holders=tuple(dict.fromkeys(t.assignee for t in tasks)),
        deadline=deadline,
        used_minutes=calendar.elapsed_minutes(opened, now),
        standard=step.time.text,
        overdue_minutes=calendar.elapsed_minutes(deadline, now) if deadline <= now else None,
    )


def build_view(
    now: datetime,
    calendar: WorkCalendar,
    cases: Iterable[tuple[CaseState, Sop]],
    unreachable: Iterable[Unreachable] = (),
) -> DigestView:
    lines = [line for state, sop in cases if (line := case_line(state, sop, now, calendar))]
    overdue = sorted(
        (c for c in lines if c.is_overdue),
        key=lambda c: (-(c.overdue_minutes or 0), c.deadline, c.case_code),
    )
    pending = sorted(
        (c for c in lines if not c.is_overdue), key=lambda c: (c.deadline, c.case_code)
    )
    return DigestView(now, tuple(overdue + pending), tuple(unreachable))


def unreachable_officers(
    officers: Sequence[Officer], accounts: Mapping[str, Account]
) -> list[Unreachable]:
    """Officers without a Telegram chat, and those Telegram refused (in config order)."""
    found: list[Unreachable] = []
    for officer in officers:
        account = accounts.get(officer.key)
        chat = account.telegram_id if account is not None else None
        if chat is None and officer.telegram_id is None:
            found.append(Unreachable(officer.key, None))
        elif account is not None and account.unreachable_since is not None:
            found.append(Unreachable(officer.key, account.unreachable_since))
    return found


# --- rendering --------------------------------------------------------------------------


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
            lines += [
                "",
                self._t(
                    lang,
                    "daily_digest.detail_cancelled",
                    when=when(at),
                    reason=state.cancel_reason or "",
                ),
            ]
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
