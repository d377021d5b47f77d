"""What officers read: task messages, their buttons, reminders and notices.

Everything here is rendered from the message catalogue in the officer's language and the
agency's time zone, as Telegram-neutral payloads (HTML text, rows of buttons with their
callback data, files by hash). The sender turns them into Bot API calls.

Button data is written by `bot.views.callbacks` (`t:<case>:<task>:<op>[:<arg>]`).

What officers typed (a return reason, the letter's fields, a skip reason, a proof's
reference, a draft's file name) is marked with `typed` where it is embedded, and every
text and caption built here leaves through `bot.views.textsplit.fit`: a message never
exceeds Telegram's limits, and only the typed parts are ever shortened, never the task's
own lines nor its buttons.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.people import Directory
from bot.core.reminders import DUE, ESCALATE, NUDGE, late_minutes, overdue_number
from bot.core.sop import Step, StepKind
from bot.core.timestd import WorkCalendar
from bot.core.workflow import (
    CaseState,
    CaseStatus,
    Context,
    ItemStatus,
    Task,
    TaskStatus,
    order_candidates,
    undo_deadline,
)
from bot.views import acting as acting_views
from bot.views.callbacks import TaskOp, task_callback, task_detail_callback
from bot.views.fmt import (
    format_date,
    format_deadline,
    format_minutes,
    format_time,
    format_work_duration,
)
from bot.views.i18n import Catalogue, Raw
from bot.views.outgoing import Edit, Message, Outgoing, Send, SendDocument
from bot.views.steps import step_label
from bot.views.textsplit import CAPTION_LIMIT, TEXT_LIMIT, fit, typed

Button = dict[str, str]


class TaskExtras(Protocol):
    """What a feature adds to task messages (the documents: a button, the final report).

    Called while the message is rendered, so it must answer from memory, without I/O.
    """

    def buttons(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> list[list[Button]]: ...

    def attachments(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        lang: str,
        default: list[SendDocument],
    ) -> list[SendDocument]:
        """The file(s) the task message is; `default` is the draft, if any (none on a
        step that `waits_for` a document: the extras supply that document)."""
        ...


class CataloguePresenter:
    def __init__(
        self,
        catalogue: Catalogue,
        people: Directory,
        tz: ZoneInfo,
        calendar: WorkCalendar,
        minutes_per_day: int = 450,
        extras: TaskExtras | None = None,
        list_details: Mapping[str, Mapping[str, tuple[str, str | None]]] | None = None,
    ) -> None:
        """`list_details`: per configured list (a checklist's `items_from`), each item's
        channel and address, printed under it (the distribution's recipients)."""
        self.cat = catalogue
        self.people = people
        self.tz = tz
        self.calendar = calendar
        self.minutes_per_day = minutes_per_day
        self.extras = extras
        self.list_details = list_details or {}

    # -- pieces ----------------------------------------------------------------------

    def _t(self, lang: str, key: str, **params: Any) -> str:
        return self.cat.text(lang, key, **params)

    def _header(self, state: CaseState, step: Step, lang: str) -> str:
        return self._t(
            lang, "task.header", case_code=state.code, number=step.number, title=step.title
        )

    def _when(self, at: datetime, lang: str) -> str:
        return format_deadline(at, self.tz, lang)

    def _fit(self, text: str, state: CaseState, lang: str, limit: int = TEXT_LIMIT) -> str:
        """`text` within `limit`; a shortened typed part points at the case's history."""
        return fit(text, limit, self._t(lang, "typed.more", case_code=state.code))

    def _draft_line(self, ctx: Context, state: CaseState, task: Task, lang: str) -> str:
        """Which file the task is about: the latest draft or, after the signature, the
        signed final report the documents carry in its place (named as what it is)."""
        draft = state.latest_draft
        assert draft is not None
        carried = self._draft_files(ctx, state, task, lang)
        if carried and carried[0] != SendDocument(draft.sha256, draft.filename):
            name = typed(carried[0].filename)
            return self._t(lang, "task.final_report", version=draft.shown, filename=name)
        return self._t(lang, "task.draft", version=draft.shown, filename=typed(draft.filename))

    def _body(
        self, ctx: Context, state: CaseState, task: Task, lang: str, compact: bool = False
    ) -> list[str]:
        """The task's lines; `compact` (a caption) keeps what is asked, by when, on which
        version and why, and leaves the requirements and the standard to "Rincian"."""
        step = ctx.sop.step(task.step_key)
        lines = [self._header(state, step, lang)]
        if step.requirements and not compact:
            lines.append(self._t(lang, "task.needs", items=", ".join(step.requirements)))
        if step.output and not compact:
            lines.append(self._t(lang, "task.output", output=step.output))
        if not compact:
            lines.append(self._t(lang, "task.time_standard", standard=step.time.text))
        lines.append(self._t(lang, "task.deadline", deadline=self._when(task.deadline, lang)))
        if step.kind is StepKind.UPLOAD:  # how the file is handed in (`handlers/uploads.py`)
            lines.append(self._t(lang, "task.how_upload"))
        if step.works_on_draft and state.latest_draft is not None:
            lines.append(self._draft_line(ctx, state, task, lang))
        if step.key == ctx.sop.first.key and state.letter:
            lines += self._letter_lines(state.letter, lang)
        returned = task.data.get("returned")
        if returned and self._last_return(state, task) is None:
            lines.append(
                self._t(
                    lang,
                    "task.returned",
                    name=self.people.name(str(returned.get("by"))),
                    when=self._when(task.created_at, lang),
                    reason=typed(returned.get("reason") or ""),
                )
            )
        return lines

    def _letter_lines(self, letter: Mapping[str, Any], lang: str) -> list[str]:
        """The incoming letter, for the officer who disposes it (the SOP's first step)."""
        fields = ("from", "number", "date", "subject", "agenda", "urgency")
        values = {name: str(letter.get(name) or "-") for name in fields}
        with contextlib.suppress(ValueError):  # a date that is not ISO is shown as typed
            values["date"] = format_date(date.fromisoformat(values["date"]), self.tz, lang)
        values = {name: typed(value) for name, value in values.items()}
        return ["", self._t(lang, "workflow.letter", **values)]

    def _status_line(self, state: CaseState, task: Task, lang: str) -> str | None:
        when = self._when(task.closed_at, lang) if task.closed_at else ""
        name = self.people.name(task.assignee)
        if task.status is TaskStatus.DONE:
            key = {
                "approved": "task.approved",
                "paraf": "task.initialled",
                "signed": "task.signed",
            }.get(task.outcome or "", "task.done")
            if task.outcome == "returned":
                return self._t(
                    lang, "task.returned", name=name, when=when, reason=typed(task.reason or "")
                )
            return self._t(lang, key, name=name, when=when)
        if task.status is TaskStatus.CLAIMED:
            return self._t(lang, "task.claimed", name=self.people.name(task.closed_by or ""))
        if task.status is TaskStatus.WITHDRAWN and task.outcome == "undone":
            name = self.people.name(task.closed_by or "")
            return self._t(lang, "task.withdrawn_undone", name=name)
        if task.status is TaskStatus.WITHDRAWN:
            cause = self._return_by(state, task.closed_by, task.closed_at)
            if cause is not None:
                return self._t(
                    lang,
                    "task.withdrawn_by",
                    name=self.people.name(cause.assignee),
                    reason=typed(cause.reason or ""),
                )
        if task.status in (TaskStatus.WITHDRAWN, TaskStatus.SUPERSEDED, TaskStatus.CANCELLED):
            return self._t(lang, "task.withdrawn")
        return None

    @staticmethod
    def _return_by(state: CaseState, officer: str | None, at: datetime | None) -> Task | None:
        """The return `officer` made at `at` (what withdrew the others' tasks)."""
        for task in reversed(state.tasks):
            if task.outcome == "returned" and task.assignee == officer and task.closed_at == at:
                return task
        return None

    @staticmethod
    def _last_return(state: CaseState, task: Task) -> Task | None:
        """For a task of round 2 or later: the return that sent the case back."""
        if task.round < 2:
            return None
        returns = [
            t
            for t in state.tasks
            if t.outcome == "returned"
            and t.closed_at is not None
            and t.closed_at <= task.created_at
        ]
        return max(returns, key=lambda t: (t.closed_at, t.seq), default=None)

    def _again(self, state: CaseState, task: Task, lang: str) -> str | None:
        """What changed since the last round: who returned it, why, and the new version."""
        back = self._last_return(state, task)
        if back is None:
            return None
        assert back.closed_at is not None
        lines = [
            self._t(
                lang,
                "task.again",
                round=task.round,
                name=self.people.name(back.assignee),
                when=self._when(back.closed_at, lang),
                reason=typed(back.reason or ""),
            )
        ]
        draft = state.latest_draft
        if draft is not None and draft.uploaded_at >= back.closed_at:
            author = self.people.name(draft.uploaded_by)
            lines.append(self._t(lang, "task.new_version", version=draft.shown, name=author))
        elif draft is not None:
            lines.append(self._t(lang, "task.same_version", version=draft.shown))
        return "\n".join(lines)

    def _checklist_lines(self, ctx: Context, state: CaseState, task: Task, lang: str) -> list[str]:
        items = state.checklist(task.step_key, task.round) or []
        spec = ctx.sop.step(task.step_key).checklist
        details = self.list_details.get(spec.items_from or "", {}) if spec else {}
        lines = []
        for item in items:
            mark = {"ticked": "✅", "skipped": "➖"}.get(item.status.value, "⬜")
            typed_part = item.proof_ref or item.reason
            extra = f" — {typed(html.escape(typed_part))}" if typed_part else ""
            lines.append(f"{mark} {html.escape(item.item)}{extra}")
            if item.item in details:
                lines.append(self._where_to(*details[item.item], lang))
        return lines

    def _where_to(self, channel: str, address: str | None, lang: str) -> str:
        """How an item (a recipient) is reached: its channel and, if known, address."""
        key = f"task.channel.{channel.replace('-', '_')}"
        label = self.cat.plain(lang, key) if self.cat.has(key) else channel
        return self._t(
            lang, "task.recipient", channel=label, address=typed(html.escape(address or "-"))
        )

    def _buttons(
        self, ctx: Context, state: CaseState, task: Task, lang: str, mask: int = 0
    ) -> list[list[Button]]:
        """The task's buttons; `mask` is the order step's selection so far."""
        step = ctx.sop.step(task.step_key)
        c, s = state.id, task.seq
        v = state.latest_version or 0

        def b(key: str, op: TaskOp, arg: int | None = None) -> Button:
            return {
                "text": self.cat.plain(lang, f"task.button.{key}"),
                "data": task_callback(c, s, op, arg),
            }

        kind = step.kind
        rows: list[list[Button]] = []
        if kind is StepKind.ACTION:
            rows.append([b("disposition" if step.form else "done", TaskOp.COMPLETE)])
        elif kind is StepKind.CHECKLIST:
            items = state.checklist(step.key, task.round) or []
            for index, item in enumerate(items):
                mark = {"ticked": "✅", "skipped": "➖"}.get(item.status.value, "⬜")
                op = TaskOp.TICK if item.status is ItemStatus.OPEN else TaskOp.UNTICK
                rows.append(
                    [{"text": f"{mark} {item.item}", "data": task_callback(c, s, op, index)}]
                )
            if any(i.status is ItemStatus.OPEN for i in items):
                rows.append([b("continue_without", TaskOp.SKIP)])
            else:
                rows.append([b("done", TaskOp.COMPLETE)])
        elif kind is StepKind.UPLOAD:
            if any(f.task_seq == s and f.purpose == "draft" for f in state.files):
                rows.append([b("send", TaskOp.COMPLETE)])
        elif kind in (StepKind.DECISION, StepKind.PARALLEL_DECISION):
            rows.append([b("approve", TaskOp.APPROVE, v), b("return", TaskOp.RETURN, v)])
        elif kind is StepKind.PARAF:
            row = [b("paraf", TaskOp.PARAF, v)]
            if step.return_to:
                row.append(b("return", TaskOp.RETURN, v))
            rows.append(row)
        elif kind is StepKind.SIGN:
            row = [b("sign", TaskOp.SIGN, v)]
            if step.return_to:
                row.append(b("return", TaskOp.RETURN, v))
            rows.append(row)
        elif kind is StepKind.ORDER:
            rows.extend(self._order_buttons(ctx, state, task, lang, mask))
        if self.extras is not None:
            rows.extend(self.extras.buttons(ctx, state, task, lang))
        return rows

    def order_selection(
        self, ctx: Context, state: CaseState, task: Task, lang: str, mask: int
    ) -> list[list[Button]]:
        """Every button of an order task after a toggle: the names with the selection
        `mask`, and the rest of the task's buttons ("PDF", "Rincian") as they were."""
        buttons = self._buttons(ctx, state, task, lang, mask)
        if self._is_on_file(ctx, state, task, lang):
            buttons.append(self._details_row(state, task, lang))
        return buttons

    def _details_row(self, state: CaseState, task: Task, lang: str) -> list[Button]:
        details = self.cat.plain(lang, "task.button.details")
        return [{"text": details, "data": task_detail_callback(state.id, task.seq)}]

    def _order_buttons(
        self, ctx: Context, state: CaseState, task: Task, lang: str, mask: int
    ) -> list[list[Button]]:
        """Toggle buttons for the officers who may be ordered; the selection is a bitmask."""
        rows = []
        for index, key in enumerate(order_candidates(ctx, ctx.sop.step(task.step_key))):
            on = bool(mask & (1 << index))
            rows.append(
                [
                    {
                        "text": f"{'✅' if on else '⬜'} {self.people.name(key)}",
                        "data": task_callback(
                            state.id, task.seq, TaskOp.ORDER_SELECT, mask ^ (1 << index)
                        ),
                    }
                ]
            )
        rows.append(
            [
                {
                    "text": self.cat.plain(lang, "task.button.order"),
                    "data": task_callback(state.id, task.seq, TaskOp.ORDER, mask),
                }
            ]
        )
        return rows

    def _render_task(
        self, ctx: Context, state: CaseState, task: Task, lang: str, compact: bool = False
    ) -> tuple[str, list[list[Button]]]:
        """The task's text, its typed parts still marked for `fit`, and its buttons;
        `compact` for a caption, the rest behind "Rincian"."""
        lines = self._body(ctx, state, task, lang, compact)
        step = ctx.sop.step(task.step_key)
        if step.kind is StepKind.CHECKLIST:
            lines += ["", *self._checklist_lines(ctx, state, task, lang)]
        status = self._status_line(state, task, lang)
        if status:
            lines += ["", status]
            offer, buttons = self.undo_offer(ctx, state, task, lang)
            return "\n".join(lines + offer), buttons
        buttons = self._buttons(ctx, state, task, lang)
        if compact:
            buttons.append(self._details_row(state, task, lang))
        return "\n".join(lines), buttons

    def _is_on_file(self, ctx: Context, state: CaseState, task: Task, lang: str) -> bool:
        """Whether the task's message is a file with the task as its caption: a step on a
        draft (the draft, or after the signature the final report), or the first step
        with the letter's scan; never a file the officer uploaded themself (their task
        is a text, with room for every line)."""
        file = self._task_file(ctx, state, task, lang)
        return file is not None and not self._own_file(state, task, file.sha256)

    def task_detail(self, ctx: Context, state: CaseState, task: Task, lang: str) -> str:
        """The task's full text ("Rincian"): the SOP's title, requirements and standard."""
        text, _ = self._render_task(ctx, state, task, lang)
        return self._fit(text, state, lang)

    def task_buttons(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> list[list[Button]]:
        """The open task's own buttons (shown again after "Batal" under a question)."""
        return self._buttons(ctx, state, task, lang)

    def sign_question(
        self, state: CaseState, task: Task, version: int | None, lang: str
    ) -> tuple[str, list[list[Button]]]:
        """ "Tanda tangani" asks first: the question (a callback answer, plain text) and
        the two buttons that replace the task's own until one is pressed."""
        c, s = state.id, task.seq
        question = self.cat.plain(lang, "workflow.confirm_sign", version=version or "-")
        return question, [
            [
                {
                    "text": self.cat.plain(lang, "task.button.sign_confirm"),
                    "data": task_callback(c, s, TaskOp.SIGN_CONFIRMED, version),
                },
                {
                    "text": self.cat.plain(lang, "task.button.sign_back"),
                    "data": task_callback(c, s, TaskOp.SIGN_BACK),
                },
            ]
        ]

    def undo_offer(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> tuple[list[str], list[list[Button]]]:
        """Under one's own approval or paraf, just done: until when it may be taken back,
        and the "Urungkan" button, labelled with that time: it stays on the message after
        the window (a press then answers why it no longer can and removes it), so it must
        not promise more than it can."""
        until = undo_deadline(ctx, task)
        if until is None or task.outcome is None:
            return [], []
        when = format_time(until, self.tz, lang)
        line = self._t(lang, "workflow.undo_until", until=when)
        button = {
            "text": self.cat.plain(lang, "task.button.undo", until=when),
            "data": task_callback(state.id, task.seq, TaskOp.UNDO),
        }
        return [line], [[button]]

    # -- Presenter protocol ----------------------------------------------------------

    def task_message(
        self, ctx: Context, state: CaseState, task: Task, lang: str, *, intro: str | None = None
    ) -> list[Outgoing]:
        """The task as ONE message under `intro` (by default "a new task", for a later
        round what changed): on a draft, the draft itself with the task as its caption
        and the buttons under it (the sender turns it into a reply when this chat has the
        file already); otherwise a text."""
        head = intro if intro is not None else self._intro(state, task, lang)
        file = self._task_file(ctx, state, task, lang)
        compact = file is not None and not self._own_file(state, task, file.sha256)
        text, buttons = self._render_task(ctx, state, task, lang, compact)
        text, caption = self._fit_both(f"{head}\n\n{text}", state, lang)
        message: Message = Send(text, buttons, task_message=True)
        if file is not None and compact:
            message = SendDocument(
                file.sha256,
                file.filename,
                text if caption is None else caption,
                buttons,
                task_message=True,
                text=None if caption is None else text,  # when it goes as a reply
            )
        return [Outgoing(task.assignee, message, task_seq=task.seq)]

    def _fit_both(self, text: str, state: CaseState, lang: str) -> tuple[str, str | None]:
        """`text` fitted as a text, and as a caption when that must be shorter (else None):
        a task on a file may still go as a text (a reply to where its chat has the file),
        and only the sender knows which, so a typed reason is cut only where it must."""
        as_text = self._fit(text, state, lang, TEXT_LIMIT)
        as_caption = self._fit(text, state, lang, CAPTION_LIMIT)
        return as_text, None if as_caption == as_text else as_caption

    def _intro(self, state: CaseState, task: Task, lang: str) -> str:
        """Why this task is here: as a stand-in (Plh/Plt) and/or what changed since the
        last round; a plain new task otherwise."""
        why = [
            line
            for line in (
                acting_views.acting_intro(self.cat, self.people, task, lang),
                self._again(state, task, lang),
            )
            if line
        ]
        return "\n".join(why) or self._t(lang, "task.new")

    def _task_file(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> SendDocument | None:
        """The file a task's message is: the draft (or what the documents put in its
        place), or the first step's letter scan; None for a text task."""
        step = ctx.sop.step(task.step_key)
        files = self._draft_files(ctx, state, task, lang)
        scan = state.letter.get("scan_sha256") if step.key == ctx.sop.first.key else None
        if scan:
            files.append(SendDocument(scan, state.letter.get("scan_filename") or "surat_masuk"))
        return files[0] if files else None

    def _draft_files(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> list[SendDocument]:
        """The draft a step works on, or what the documents put in its place (after the
        signature the final report; nothing when it could not be made)."""
        step = ctx.sop.step(task.step_key)
        draft = state.latest_draft
        files: list[SendDocument] = []
        if step.works_on_draft and draft is not None and not step.waits_for:
            files.append(SendDocument(draft.sha256, draft.filename))
        if self.extras is not None:
            files = self.extras.attachments(ctx, state, task, lang, files)
        return files

    @staticmethod
    def _own_file(state: CaseState, task: Task, sha256: str) -> bool:
        """Whether the task's file is one its officer uploaded (never sent back to them)."""
        return any(f.sha256 == sha256 and f.uploaded_by == task.assignee for f in state.files)

    def task_handover(
        self, ctx: Context, state: CaseState, earlier: Task, task: Task, lang: str
    ) -> Outgoing:
        """The card of `earlier` (just closed by its officer's own press) turned into the
        same officer's next `task`: what they did, then what is asked now."""
        intro = self._status_line(state, earlier, lang) or self._t(lang, "task.new")
        offer, undo = self.undo_offer(ctx, state, earlier, lang)  # "Urungkan" stays on it
        acting = acting_views.acting_intro(self.cat, self.people, task, lang)
        intro = "\n".join([intro, *offer, *([acting] if acting else [])])
        compact = self._is_on_file(ctx, state, task, lang)
        text, buttons = self._render_task(ctx, state, task, lang, compact)
        fitted, caption = self._fit_both(f"{intro}\n\n{text}", state, lang)
        edit = Edit(fitted, [*buttons, *undo], task.seq, caption)
        return Outgoing(task.assignee, edit, task_seq=earlier.seq)

    def task_update(
        self, ctx: Context, state: CaseState, task: Task, lang: str, intro: str = ""
    ) -> Outgoing:
        """The task's message as it is now; `intro` first (who holds it now, for a task
        that changed hands), fitted with the rest to Telegram's limits."""
        compact = self._is_on_file(ctx, state, task, lang)
        text, buttons = self._render_task(ctx, state, task, lang, compact)
        fitted, caption = self._fit_both(f"{intro}\n\n{text}" if intro else text, state, lang)
        return Outgoing(task.assignee, Edit(fitted, buttons, caption=caption), task_seq=task.seq)

    def notice(self, officer: str, message: str, params: Mapping[str, Any], lang: str) -> Outgoing:
        return Outgoing(officer, Send(self._t(lang, message, **params)))

    def case_ended(self, ctx: Context, state: CaseState, officer: str, lang: str) -> Outgoing:
        when = self._when(state.finished_at or state.started_at, lang)
        if state.status is CaseStatus.CANCELLED:
            actor = self._canceller(state)
            text = self._t(
                lang,
                "case.cancelled",
                case_code=state.code,
                name=self.people.name(actor),
                when=when,
                reason=typed(state.cancel_reason or ""),
            )
        else:
            elapsed = self.calendar.elapsed(
                state.started_at, state.finished_at or state.started_at
            )
            text = self._t(
                lang,
                "case.finished",
                case_code=state.code,
                when=when,
                duration=format_work_duration(elapsed, self.minutes_per_day, lang),
            )
        return Outgoing(officer, Send(self._fit(text, state, lang)))

    @staticmethod
    def _canceller(state: CaseState) -> str:
        return str(state.data.get("cancelled_by", ""))

    def reminder(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        kind: str,
        now: datetime,
        recipient: str,
        lang: str,
    ) -> Outgoing:
        """The holder's own reminder (nudge, deadline, overdue mornings): it replies to
        the task's message and carries its buttons, so the newest message can be acted on."""
        common = self._reminder_common(ctx, state, task, lang)
        if kind == NUDGE:
            text = self._t(lang, "reminder.half_time", **common)
        elif kind == DUE:
            text = self._t(lang, "reminder.at_deadline", **common)
        elif overdue_number(kind) is not None:
            text = self._t(lang, "reminder.overdue", overdue=self._late(task, now, lang), **common)
        else:
            raise ValueError(f"unknown reminder kind {kind!r}")
        buttons = self._buttons(ctx, state, task, lang) if recipient == task.assignee else []
        return Outgoing(recipient, Send(text, buttons, reminder=kind), task_seq=task.seq)

    def escalation(
        self,
        ctx: Context,
        state: CaseState,
        tasks: Sequence[Task],
        now: datetime,
        recipient: str,
        lang: str,
    ) -> Outgoing:
        """One message to a superior about one late step, naming every late holder."""
        first = tasks[0]
        text = self._t(
            lang,
            "reminder.escalation",
            officer=join_names(self.people, [t.assignee for t in tasks]),
            overdue=self._late(first, now, lang),
            **self._reminder_common(ctx, state, first, lang),
        )
        return Outgoing(recipient, Send(text, reminder=ESCALATE), task_seq=first.seq)

    def nobody_above(
        self, ctx: Context, state: CaseState, tasks: Sequence[Task], now: datetime, lang: str
    ) -> str:
        """For the admins: a late step whose holders have no superior to escalate to."""
        first = tasks[0]
        return self._t(
            lang,
            "reminder.escalation_nobody_above",
            officer=join_names(self.people, [t.assignee for t in tasks]),
            overdue=self._late(first, now, lang),
            **self._reminder_common(ctx, state, first, lang),
        )

    def _reminder_common(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> dict[str, Any]:
        step = ctx.sop.step(task.step_key)
        return {
            "case_code": state.code,
            "number": step.number,
            "title": step_label(step),
            "deadline": self._when(task.deadline, lang),
        }

    def _late(self, task: Task, now: datetime, lang: str) -> str:
        return format_minutes(
            late_minutes(task.deadline, now, self.calendar), self.minutes_per_day, lang
        )

    def handed_over(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        previous: str,
        why: str,
        langs: tuple[str, str],
    ) -> list[Outgoing]:
        """A task changed hands: see `bot.views.acting.handed_over`."""
        return acting_views.handed_over(
            self, self.cat, self.people, ctx, state, task, previous, why, langs
        )


def join_names(people: Directory, keys: Sequence[str]) -> str:
    return ", ".join(people.name(k) for k in keys)


__all__ = ["CataloguePresenter", "Raw", "join_names"]
