"""What /tugas, /status, /riwayat and /berkas show, rendered from the message catalogue.

Pure: given cases, the audit trail, the time and the reader's language, it returns HTML
text and rows of buttons (Telegram-neutral, like `bot.views.presenter`). Fetching the data and
sending the answer are the handlers' job (`handlers.queries`); splitting a long answer
under Telegram's limit is `bot.views.textsplit`'s.

Button data (`q:<op>:<case>[:<arg>]`) is written by `bot.views.callbacks`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.handover import SYSTEM
from bot.core.people import Directory
from bot.core.performance import CasePerformance, StepRun, TrailEvent, case_performance
from bot.core.sop import Sop, Step
from bot.core.timestd import WorkCalendar
from bot.core.workflow import CaseState, CaseStatus, FileVersion, Task, TaskStatus
from bot.views import acting as acting_views
from bot.views.callbacks import PagedView, QueryOp, query_callback
from bot.views.fmt import format_datetime_short, format_deadline, format_file_size, format_minutes
from bot.views.i18n import Catalogue, Raw
from bot.views.paging import Board, Page, footer, nav_row
from bot.views.steps import step_label
from bot.views.textsplit import shorten
from storage.cases import BoardRow, CaseSummary

TITLE_IN_TABLE = 60  # characters of a step title in the performance table
CASES_OFFERED = 10  # cases per page when a command given no code offers them as buttons
STATUS_PAGE_SIZE = 8  # running cases per page of /status
VERSIONS_PER_ROW = 3

Button = dict[str, str]
Keyboard = list[list[Button]]


@dataclass(frozen=True, slots=True)
class TaskItem:
    """One open task of the reader, with the step it belongs to (from the case's SOP)."""

    state: CaseState
    task: Task
    step: Step


@dataclass(frozen=True, slots=True)
class QueryViews:
    catalogue: Catalogue
    people: Directory
    tz: ZoneInfo
    calendar: WorkCalendar
    minutes_per_day: int
    lang: str

    # -- pieces ------------------------------------------------------------------------

    def _t(self, key: str, **params: object) -> str:
        return self.catalogue.text(self.lang, key, **params)

    def _p(self, key: str, **params: object) -> str:
        return self.catalogue.plain(self.lang, key, **params)

    def _duration(self, minutes: int) -> str:
        return format_minutes(minutes, self.minutes_per_day, self.lang)

    def _when(self, at: datetime) -> str:
        return format_datetime_short(at, self.tz, self.lang)

    def _deadline(self, at: datetime) -> str:
        return format_deadline(at, self.tz, self.lang)

    def _names(self, keys: Sequence[str]) -> str:
        # "; ": names carry commas of their own ("Dewi Lestari, S.Pd., M.Pd.").
        return "; ".join(self.people.name(k) for k in keys)

    def _late(self, deadline: datetime, now: datetime) -> int:
        """Working minutes past `deadline` (0 while not yet, or not in working time)."""
        return self.calendar.elapsed_minutes(deadline, now) if now > deadline else 0

    # -- /tugas ----------------------------------------------------------------------

    def task_list(self, items: Sequence[TaskItem], now: datetime) -> tuple[str, Keyboard]:
        """Overdue tasks first (the longest overdue on top), then by deadline."""
        ordered = sorted(
            items, key=lambda i: (self._late(i.task.deadline, now) == 0, i.task.deadline)
        )
        blocks = [self._t("query.tasks.title", count=len(items))]
        buttons: Keyboard = []
        for item in ordered:
            state, task, step = item.state, item.task, item.step
            common = {
                "case_code": state.code,
                "number": step.number,
                "title": step_label(step),
                "deadline": self._deadline(task.deadline),
            }
            late = self._late(task.deadline, now)
            if late:
                blocks.append(
                    self._t("query.tasks.item_overdue", late=self._duration(late), **common)
                )
            else:
                blocks.append(self._t("query.tasks.item", **common))
            label = self._p("query.button.task", case_code=state.code, number=step.number)
            buttons.append(
                [{"text": label, "data": query_callback(QueryOp.TASK, state.id, task.seq)}]
            )
        blocks.append(self._t("query.tasks.hint"))
        return "\n\n".join(blocks), buttons

    def resent_header(self) -> str:
        return self._t("query.tasks.resent")

    # -- /status ---------------------------------------------------------------------

    def status_board(self, board: Board, now: datetime) -> tuple[str, Keyboard]:
        """One message: how many run and how many are late, then a page of cases (storage
        orders them by deadline: the late ones first, the most overdue on top); page
        buttons for the rest."""
        if not board.rows:
            return self._t("query.status.none"), []
        running = len(board.rows)
        late = self._late_count([row.deadline for row in board.rows], now)
        shown = board.page
        blocks = [
            self._t("query.status.title", count=running)
            + "\n"
            + self._t("query.status.counts", late=late, on_time=running - late)
        ]
        blocks += [self._case_status(state, sop, now) for state, sop in shown.items]
        page_line = footer(self.catalogue, self.lang, shown.number, shown.count)
        if page_line is not None:
            blocks.append(page_line)
        turn = nav_row(self.catalogue, self.lang, PagedView.STATUS, shown.number, shown.count)
        return "\n\n".join(blocks), [turn] if turn else []

    def case_board(self, state: CaseState, sop: Sop, now: datetime) -> str:
        """/status of one running case: the board of that case alone."""
        current = state.current_tasks()
        row = BoardRow(state.id, state.code, current[0].deadline if current else None)
        text, _ = self.status_board(Board([row], Page([(state, sop)], 1, 1)), now)
        return text

    def _late_count(self, deadlines: Sequence[datetime | None], now: datetime) -> int:
        """How many of these deadlines (earliest first, None last) are late. Working
        minutes past a deadline only grow as it is earlier, so the late ones come first:
        found by halving, a few walks of the calendar instead of one per case."""
        low, high = 0, len(deadlines)
        while low < high:
            middle = (low + high) // 2
            deadline = deadlines[middle]
            if deadline is not None and self._late(deadline, now):
                low = middle + 1
            else:
                high = middle
        return low

    def _case_status(self, state: CaseState, sop: Sop, now: datetime) -> str:
        step = sop.step(state.step_key)
        lines = [
            self._t(
                "query.status.case",
                case_code=state.code,
                number=step.number,
                title=step_label(step),
            )
        ]
        current = state.current_tasks()
        waiting = [t.assignee for t in current if t.is_open]
        done = [t.assignee for t in current if t.status is TaskStatus.DONE]
        if done:
            lines.append(
                self._t("query.status.split", done=self._names(done), waiting=self._names(waiting))
            )
        else:
            lines.append(self._t("query.status.holders", names=self._names(waiting)))
        if current:
            started = min(t.created_at for t in current)
            deadline = current[0].deadline
            late = self._late(deadline, now)
            common = {
                "used": self._duration(self.calendar.elapsed_minutes(started, now)),
                "standard": step.time.text,
                "deadline": self._deadline(deadline),
            }
            if late:
                lines.append(
                    self._t("query.status.time_late", late=self._duration(late), **common)
                )
            else:
                lines.append(self._t("query.status.time", **common))
        return "\n".join(lines)

    # -- /riwayat --------------------------------------------------------------------

    def history(
        self, state: CaseState, sop: Sop, trail: Sequence[TrailEvent], now: datetime
    ) -> str:
        """The trail, one line per event, then how each step did against its standard."""
        title = self._t(
            "query.history.title",
            case_code=state.code,
            sop_title=sop.title,
            period=_period_label(sop, state.period_key),
            year=state.year,
        )
        lines = [self._trail_line(event, sop) for event in trail]
        performance = case_performance(trail, sop, self.calendar, now)
        table = self.performance_table(performance)
        return "\n\n".join([title, "\n".join(lines), table])

    def _trail_line(self, event: TrailEvent, sop: Sop) -> str:
        when = self._when(event.at)
        data = event.data
        if event.action == "enter":
            common = {
                "when": when,
                "number": _step_number(sop, event.step_key),
                "step": _step_name(sop, event.step_key),
                "names": self._names([str(a) for a in data.get("assignees", ())]),
                "deadline": self._recorded_deadline(data.get("deadline")),
            }
            if event.round > 1:
                return self._t("query.history.entered_again", round=event.round, **common)
            return self._t("query.history.entered", **common)
        if event.action == "finish":
            return self._t("query.history.finished", when=when)
        what = Raw(self._acting(event, self._what(event, sop)))
        name = (
            self._t("query.history.system")
            if event.actor == SYSTEM
            else self.people.name(event.actor)
        )
        if event.action == "start" or not event.step_key:
            return self._t("query.history.line_case", when=when, name=name, what=what)
        number = _step_number(sop, event.step_key)
        return self._t("query.history.line", when=when, number=number, name=name, what=what)

    def _recorded_deadline(self, raw: object) -> str:
        try:
            return self._when(datetime.fromisoformat(str(raw)))
        except ValueError:
            return "-"

    def _what(self, event: TrailEvent, sop: Sop) -> str:
        """The action in words, with what it carried (item, version, reason, ...)."""
        action, data, reason = event.action, event.data, event.reason or ""
        key = f"query.action.{action}"
        if action == "complete":
            form = data.get("form") or {}
            details = "; ".join(
                f"{self._field_label(name)}: {form[name]}"
                for name in _in_form_order(sop, event.step_key, form)
                if form[name]
            )
            if details:
                return self._t("query.action.complete_form", details=details)
            if data.get("version") is not None:
                return self._t("query.action.complete_version", version=data["version"])
            return self._t(key)
        if action == "tick" and data.get("proof_ref"):
            return self._t("query.action.tick_ref", item=data["item"], reference=data["proof_ref"])
        if action in ("tick", "untick", "attach_proof"):
            return self._t(key, item=data.get("item", ""))
        if action == "skip_item":
            return self._t(key, item=data.get("item", ""), reason=reason)
        if action == "upload":
            return self._t(key, version=data.get("version"), filename=data.get("filename", ""))
        if action in ("approve", "paraf", "sign"):
            if data.get("version") is not None:
                return self._t(key, version=data["version"])
            if action == "approve":  # a decision on a step without a draft
                return self._t("query.action.approve_plain")
        if action == "return":
            to_number = _step_number(sop, str(data.get("to", "")))
            return self._t(key, to_number=to_number, reason=reason)
        if action == "order":
            return self._t(key, names=self._names([str(o) for o in data.get("officers", ())]))
        if action == "undo":
            undone = self._t(f"query.action.undone_{data.get('undone')}")
            return self._t(key, what=Raw(undone))
        if action in ("cancel", "note"):
            return self._t(key, reason=reason)
        if action == "start":
            return self._t(key)
        if action in ("hand_over", "hand_back"):
            acting = data.get("acting") or {}
            return self._t(
                key,
                official=self.people.name(str(acting.get("for"))),
                stand_in=self.people.name(str(acting.get("by"))),
                kind=acting_views.kind_label(self.catalogue, self.lang, str(acting.get("kind"))),
                letter=acting.get("letter") or "",
            )
        if action == "reassign":
            old, new = (self.people.name(str(data.get(k))) for k in ("from", "to"))
            return self._t(key, old=old, new=new, reason=reason)
        return self._t("query.action.other", action=action)

    def _acting(self, event: TrailEvent, what: str) -> str:
        """An act by a stand-in says as whose Plh/Plt, on which letter."""
        acting = event.data.get("acting")
        if not isinstance(acting, Mapping) or event.action in ("hand_over", "hand_back"):
            return what
        return self._t(
            "query.action.acting",
            what=Raw(what),
            kind=acting_views.kind_label(self.catalogue, self.lang, str(acting.get("kind"))),
            jabatan=acting_views.jabatan_of(self.people, str(acting.get("for"))),
            letter=acting.get("letter") or "",
        )

    def _field_label(self, name: str) -> str:
        key = f"workflow.field.{name}"
        return self._p(key) if self.catalogue.has(key) else name

    def performance_table(self, performance: CasePerformance) -> str:
        """One line per round of a step, and the case's totals (also for the demo)."""
        lines = [self._t("query.perf.title")]
        lines += [self._performance_row(run) for run in performance.steps]
        totals = {
            "used": self._duration(performance.used_minutes),
            "standard": self._duration(performance.standard_minutes),
            "late_count": len(performance.late_steps),
        }
        key = "query.perf.total" if performance.ended_at else "query.perf.total_running"
        lines.append(self._t(key, **totals))
        return "\n".join(lines)

    def _performance_row(self, run: StepRun) -> str:
        late = self._duration(run.late_minutes)
        if run.running:
            verdict = self._t(
                "query.perf.running_late" if run.late_minutes else "query.perf.running", late=late
            )
        elif run.late_minutes:
            verdict = self._t("query.perf.late", late=late)
        else:
            verdict = self._t("query.perf.on_time")
        common = {
            "number": run.number,
            "title": shorten(run.title, TITLE_IN_TABLE),
            "standard": run.standard,
            "used": self._duration(run.used_minutes),
            "verdict": Raw(verdict),
        }
        if run.round > 1:
            return self._t("query.perf.row_round", round=run.round, **common)
        return self._t("query.perf.row", **common)

    # -- /berkas ---------------------------------------------------------------------

    def versions(self, state: CaseState) -> tuple[str, Keyboard]:
        """Every draft version, newest marked; buttons fetch the older ones."""
        drafts = state.drafts
        if not drafts:
            return self._t("query.files.none", case_code=state.code), []
        lines = [self._t("query.files.title", case_code=state.code)]
        for draft in drafts:
            key = "query.files.item_latest" if draft is drafts[-1] else "query.files.item"
            lines.append(
                self._t(
                    key,
                    number=draft.shown,
                    filename=draft.filename,
                    name=self.people.name(draft.uploaded_by),
                    when=self._when(draft.uploaded_at),
                    size=format_file_size(draft.size, self.lang),
                )
            )
        older = drafts[:-1]
        buttons: Keyboard = []
        for start in range(0, len(older), VERSIONS_PER_ROW):
            buttons.append(
                [
                    {
                        "text": self._p("query.button.version", number=d.shown),
                        "data": query_callback(QueryOp.FILE, state.id, d.number),
                    }
                    for d in older[start : start + VERSIONS_PER_ROW]
                ]
            )
        if older:
            lines.append(self._t("query.files.hint"))
        return "\n".join(lines), buttons

    def version_caption(self, state: CaseState, draft: FileVersion) -> str:
        return self._t(
            "query.files.caption",
            case_code=state.code,
            number=draft.shown,
            filename=draft.filename,
        )

    def file_problem(self, draft: FileVersion, *, corrupt: bool) -> str:
        key = "query.files.corrupt" if corrupt else "query.files.missing"
        return self._t(key, number=draft.shown, filename=draft.filename)

    # -- choosing a case -------------------------------------------------------------

    def case_choice(
        self, cases: Sequence[CaseSummary], view: PagedView, page: int, pages: int
    ) -> Keyboard:
        """A page of the cases as buttons (storage orders them: running first, then the
        newest), and the buttons to the other pages."""
        op = QueryOp.HISTORY if view is PagedView.HISTORY_CHOICE else QueryOp.VERSIONS
        key = {
            CaseStatus.OPEN: "query.button.case_open",
            CaseStatus.FINISHED: "query.button.case_finished",
            CaseStatus.CANCELLED: "query.button.case_cancelled",
        }
        buttons: Keyboard = [
            [{"text": self._p(key[c.status], case_code=c.code), "data": query_callback(op, c.id)}]
            for c in cases
        ]
        turn = nav_row(self.catalogue, self.lang, view, page, pages)
        return [*buttons, turn] if turn else buttons


def _step_name(sop: Sop, step_key: str) -> str:
    try:
        return step_label(sop.step(step_key))
    except KeyError:
        return step_key


def _step_number(sop: Sop, step_key: str) -> int | str:
    try:
        return sop.step(step_key).number
    except KeyError:
        return step_key


def _in_form_order(sop: Sop, step_key: str, form: Mapping[str, object]) -> list[str]:
    """The fields as the SOP lists them (the trail stores them sorted by name)."""
    try:
        order = sop.step(step_key).field_names
    except KeyError:
        order = ()
    return [n for n in order if n in form] + sorted(n for n in form if n not in order)


def _period_label(sop: Sop, period_key: str) -> str:
    try:
        return sop.period(period_key).label
    except KeyError:
        return period_key
