"""What the /mulai and /batalkan dialogs show: each open question, the summary, the outcome.

Telegram-neutral, like `bot.views.queries`: text in the reader's language plus rows of
buttons, each button given as (label, answer). The answer is the value the button gives
the open question (an SOP key, a period key, a year, an urgency's index, or `SKIP`, `GO`,
`STOP`); how it rides in a button's callback data is the handler's business. Which
question is open is `bot.core.letter`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final
from zoneinfo import ZoneInfo

from bot.core.letter import URGENCIES, LetterDraft, open_field, pending
from bot.core.people import Directory
from bot.core.periods import ordered_periods, year_choices
from bot.core.sop import Sop
from bot.core.workflow import CaseState, TaskStatus
from bot.views.fmt import format_date, format_deadline
from bot.views.i18n import Catalogue
from bot.views.textsplit import fit, typed

SKIP: Final = "skip"  # no scan, or an optional field of the first step left empty
GO: Final = "go"  # start the case as summarised
STOP: Final = "no"  # start nothing

Rows = list[list[tuple[str, str]]]  # (label, answer) per button


@dataclass(frozen=True, slots=True)
class Prompt:
    text: str
    rows: Rows


@dataclass(frozen=True, slots=True)
class StartCaseViews:
    catalogue: Catalogue
    people: Directory
    tz: ZoneInfo
    lang: str

    def _t(self, key: str, **params: object) -> str:
        return self.catalogue.text(self.lang, key, **params)

    def _p(self, key: str, **params: object) -> str:
        return self.catalogue.plain(self.lang, key, **params)

    # -- the questions ---------------------------------------------------------------

    def question(
        self, draft: LetterDraft, sops: Mapping[str, Sop], startable: Sequence[Sop], today: date
    ) -> Prompt:
        """The text and buttons of the open question."""
        asked = pending(draft)
        if asked == "sop":
            return Prompt(self._t("start_case.ask_sop"), [[(s.title, s.key)] for s in startable])
        assert draft["sop"] is not None
        sop = sops[draft["sop"]]
        if asked == "period":
            periods = ordered_periods(sop.periods, today)
            labels = self._suggest_first([p.label for p in periods])
            buttons = [(label, p.key) for label, p in zip(labels, periods, strict=True)]
            return Prompt(self._t("start_case.ask_period"), _pairs(buttons))
        if asked == "year":
            assert draft["period"] is not None
            period = sop.period(draft["period"])
            years = [str(y) for y in year_choices(period, today)]
            labels = self._suggest_first(years)
            text = self._t("start_case.ask_year", period=period.label)
            return Prompt(text, [list(zip(labels, years, strict=True))])
        if asked == "urgency":
            buttons = [(self.urgency_label(u), str(i)) for i, u in enumerate(URGENCIES)]
            return Prompt(self._t("start_case.ask_urgency"), _pairs(buttons))
        if asked == "scan":
            return Prompt(self._t("start_case.ask_scan"), [[(self.skip_label(), SKIP)]])
        if asked == "field":
            field = open_field(draft)
            assert field is not None
            label = self.field_label(field)
            if field.endswith("?"):
                text = self._t("start_case.ask_field_optional", field=label)
                return Prompt(text, [[(self.skip_label(), SKIP)]])
            return Prompt(self._t("start_case.ask_field", field=label), [])
        if asked == "confirm":
            buttons = [
                (self._p("start_case.button.start"), GO),
                (self._p("start_case.button.cancel"), STOP),
            ]
            return Prompt(self.summary(draft, sop, today), [buttons])
        return Prompt(self._t(f"start_case.ask_{asked}"), [])

    def _suggest_first(self, labels: list[str]) -> list[str]:
        """The first choice is the suggested one, and marked so."""
        marked = [self._p("start_case.suggested", label=label) for label in labels[:1]]
        return marked + labels[1:]

    def answered(self, question: str, label: str) -> str:
        """A pressed question keeps its text and shows the answer under it."""
        return f"{question}\n{self._t('start_case.chosen', value=label)}"

    def skip_label(self) -> str:
        return self._p("start_case.button.skip")

    def urgency_label(self, urgency: str) -> str:
        return self._p(f"start_case.urgency.{urgency.replace(' ', '_')}")

    def field_label(self, field: str) -> str:
        name = field.rstrip("?")
        key = f"workflow.field.{name}"
        return self._p(key) if self.catalogue.has(key) else name

    def summary(self, draft: LetterDraft, sop: Sop, today: date) -> str:
        """Everything the case will start with, before "Mulai" is pressed."""
        letter, period, year = draft["letter"], draft["period"], draft["year"]
        assert period is not None and year is not None
        lines = [
            self._t(
                "start_case.summary",
                sop=sop.title,
                period=sop.period(period).label,
                year=year,
                case_code=sop.case_code(year, period),
                sender=typed(letter["from"]),
                number=typed(letter["number"]),
                date=format_date(date.fromisoformat(letter["date"]), self.tz, self.lang),
                subject=typed(letter["subject"]),
                agenda=typed(letter["agenda"]),
                urgency=self.urgency_label(letter["urgency"]),
                received=format_date(today, self.tz, self.lang),
                scan=letter.get("scan_filename") or self._p("start_case.no_scan"),
            )
        ]
        if draft.get("form_fields"):
            lines += ["", self._t("start_case.summary_form")]
            for field in draft["form_fields"] or ():
                value = typed(draft["form"].get(field.rstrip("?")) or "-")
                label = self.field_label(field)
                lines.append(
                    self._t("start_case.summary_form_line", field=label.capitalize(), value=value)
                )
        lines += ["", self._t("start_case.confirm")]
        return fit("\n".join(lines))  # no case yet, so no history to point at

    # -- the outcomes ----------------------------------------------------------------

    def started(self, state: CaseState, sop: Sop, disposed: bool) -> str:
        """The case's code, and who holds the step it waits on now."""
        key = "start_case.started_disposed" if disposed else "start_case.started"
        lines = [self._t(key, case_code=state.code, title=sop.title)]
        waiting = state.open_tasks()
        if waiting:
            step = sop.step(waiting[0].step_key)
            names = ", ".join(dict.fromkeys(self.people.name(t.assignee) for t in waiting))
            lines.append(
                self._t(
                    "start_case.next_step",
                    number=step.number,
                    step=step.title,
                    names=names,
                    deadline=format_deadline(waiting[0].deadline, self.tz, self.lang),
                )
            )
        return "\n".join(lines)

    def duplicate(self, code: str) -> str:
        """The period's case runs already: say so, and what to do instead."""
        running = self._t("case.already_running", case_code=code)
        return f"{running}\n{self._t('start_case.duplicate_hint')}"

    def cancelled(self, state: CaseState) -> str:
        """A case cancelled, with its reason and whose tasks were withdrawn."""
        lines = [
            self._t(
                "cancel_case.done", case_code=state.code, reason=typed(state.cancel_reason or "")
            )
        ]
        withdrawn = dict.fromkeys(
            self.people.name(t.assignee) for t in state.tasks if t.status is TaskStatus.CANCELLED
        )
        if withdrawn:
            lines.append(self._t("cancel_case.withdrawn", names=", ".join(withdrawn)))
        return fit("\n".join(lines), more=self._t("typed.more", case_code=state.code))


def _pairs(buttons: list[tuple[str, str]]) -> Rows:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
