"""The application service: one call per user intention, one transaction per call.

Handlers (Telegram), the reminder tick and the demo all go through here. Each call reads
the case inside a unit of work, asks the pure engine for a transition, and commits the
new state, its audit events, its reminder rows and the messages it causes (the outbox)
together. Delivery to Telegram happens after the commit, by `bot.ptb.sender`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.handover import reassign
from bot.core.reminders import (
    DUE,
    ESCALATE,
    NUDGE,
    ReminderPolicy,
    escalation_for,
    next_overdue,
    overdue_number,
    plan_task_reminders,
)
from bot.core.sop import Sop, Step, StepKind
from bot.core.sop_loader import parse_sop
from bot.core.timestd import WorkCalendar
from bot.core.workflow import (
    Action,
    AttachFile,
    CaseCancelled,
    CaseFinished,
    CaseRequest,
    CaseState,
    CaseStatus,
    ClockResumed,
    ClockStarted,
    ClockStopped,
    Complete,
    Context,
    Effect,
    FileRef,
    FileVersion,
    Notify,
    Refusal,
    RefusalCode,
    RenderDocument,
    Roster,
    StandIn,
    Task,
    TaskClosed,
    TaskHandedOver,
    TaskOpened,
    TaskStatus,
    TaskUpdated,
    Transition,
    Undo,
    act,
    act_all,
    can_cancel,
    can_start,
    note,
    release,
    require_open_task,
    start_case,
)
from bot.crashpoints import crashpoint
from bot.services.outbox import enqueue, enqueue_all, language_of, notify_admins
from bot.services.task_press import (
    Acted,
    Ask,
    ConfirmSign,
    KeepTask,
    PressOutcome,
    Rebutton,
    Reselect,
    decide,
)
from bot.views.callbacks import FilePick, TaskOp, TaskPress
from bot.views.outgoing import Delivery, Outgoing
from bot.views.paging import Board, Page, counted_page
from storage.audit import AuditRow
from storage.cases import BoardRow, CaseNotFound, CaseSummary, DuplicateOpenCase
from storage.db import Database
from storage.dialogs import DialogKey
from storage.files import FileCorrupt, FileMissing, FileStore
from storage.uow import Tx, reading, unit_of_work

log = logging.getLogger(__name__)


class Presenter(Protocol):
    """Turns engine effects into messages. Rendering lives outside the pure core."""

    def task_message(
        self, ctx: Context, state: CaseState, task: Task, lang: str
    ) -> list[Outgoing]: ...

    def task_update(self, ctx: Context, state: CaseState, task: Task, lang: str) -> Outgoing: ...

    def task_handover(
        self, ctx: Context, state: CaseState, earlier: Task, task: Task, lang: str
    ) -> Outgoing: ...

    def notice(
        self, officer: str, message: str, params: Mapping[str, Any], lang: str
    ) -> Outgoing: ...

    def case_ended(self, ctx: Context, state: CaseState, officer: str, lang: str) -> Outgoing: ...

    def reminder(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        kind: str,
        now: datetime,
        recipient: str,
        lang: str,
    ) -> Outgoing: ...

    def escalation(
        self,
        ctx: Context,
        state: CaseState,
        tasks: Sequence[Task],
        now: datetime,
        recipient: str,
        lang: str,
    ) -> Outgoing: ...

    def nobody_above(
        self, ctx: Context, state: CaseState, tasks: Sequence[Task], now: datetime, lang: str
    ) -> str: ...

    def handed_over(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        previous: str,
        why: str,
        langs: tuple[str, str],
    ) -> list[Outgoing]: ...


class People(Protocol):
    """What the service needs to know about officers beyond the engine's roster."""

    roster: Roster

    def language(self, officer_key: str) -> str: ...

    def superior(self, officer_key: str) -> str | None: ...

    def admins(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class FileTask:
    """An open task of the sender that takes a file (a draft, or a checklist item's proof)."""

    case_id: int
    task_seq: int
    case_code: str
    step: Step


@dataclass(slots=True)
class _Queued:
    """What one transition sends and asks to be made, written in one statement each."""

    messages: list[Outgoing] = field(default_factory=list)
    jobs: list[tuple[str, int | None, Mapping[str, Any]]] = field(default_factory=list)
    reminders: list[tuple[int, int, str, datetime]] = field(default_factory=list)

    async def write_reminders(self, tx: Tx) -> None:
        """The reminders planned so far; before a clock is stopped or resumed, so that
        the rows change in the order the effects say."""
        await tx.reminders.plan_many(self.reminders)
        self.reminders.clear()


class CaseCodeTaken(RuntimeError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Started:
    """A case just started, with its first step done at once when that was asked for."""

    transition: Transition  # the last one written: the first step's, when it was done
    disposed: bool  # the first step was done with the form given
    refused: Refusal | None  # why the form was refused: the case runs, step 1 waits


class DraftUnreadable(RuntimeError):
    """A stored draft version cannot be sent: damaged (`corrupt`) or gone from the disk."""

    def __init__(self, draft: FileVersion, *, corrupt: bool) -> None:
        super().__init__(f"version {draft.number} ({draft.sha256})")
        self.corrupt = corrupt


class WorkflowService:
    def __init__(
        self,
        *,
        db: Database,
        files: FileStore,
        sops: Mapping[str, Sop],
        people: People,
        calendar: WorkCalendar,
        clock: Clock,
        presenter: Presenter,
        policy: ReminderPolicy | None = None,
        lists: Mapping[str, Sequence[str]] | None = None,
        agency: str = "default",
    ) -> None:
        self.db = db
        self.files = files
        self.sops = dict(sops)
        self.people = people
        self.calendar = calendar
        self.clock = clock
        self.presenter = presenter
        self.policy = policy or ReminderPolicy()
        self.lists = dict(lists or {})
        self.agency = agency
        self._snapshots: dict[str, Sop] = {s.source_hash: s for s in self.sops.values()}
        # The stand-ins in force (absent official -> who holds their tasks), kept by
        # `bot.services.acting` as Surat Perintah take effect and end.
        self.stand_ins: dict[str, StandIn] = {}

    # -- contexts -----------------------------------------------------------------------

    def context(self, sop: Sop) -> Context:
        return Context(
            sop=sop,
            roster=self.people.roster,
            calendar=self.calendar,
            lists=self.lists,
            stand_ins=dict(self.stand_ins),
        )

    @staticmethod
    async def _case_for_action(tx: Tx, case_id: int, task_seq: int | None) -> CaseState:
        """A case named by a button: an unknown id is refused like an unknown task."""
        try:
            return await tx.cases.get(case_id)
        except CaseNotFound:
            raise Refusal(RefusalCode.TASK_NOT_FOUND, task=task_seq) from None

    async def _sop_of(self, tx: Tx, state: CaseState) -> Sop:
        """The SOP the case started with, even if the file has been edited since."""
        cached = self._snapshots.get(state.sop_hash)
        if cached is not None:
            return cached
        text = await tx.snapshots.text(state.sop_hash)
        if text is None:
            raise RuntimeError(f"case {state.code}: SOP snapshot {state.sop_hash} is missing")
        sop = parse_sop(text, f"{state.sop_key} (snapshot {state.sop_hash[:8]})")
        self._snapshots[state.sop_hash] = sop
        return sop

    async def context_for(self, state: CaseState) -> Context:
        async with reading(self.db, self.agency) as tx:
            return self.context(await self._sop_of(tx, state))

    # -- commands -----------------------------------------------------------------------

    async def start_case(
        self,
        actor: str,
        sop_key: str,
        period_key: str,
        year: int,
        letter: Mapping[str, str],
    ) -> Transition:
        started = await self.start_from_letter(actor, sop_key, period_key, year, letter)
        return started.transition

    async def start_from_letter(
        self,
        actor: str,
        sop_key: str,
        period_key: str,
        year: int,
        letter: Mapping[str, str],
        first_form: Mapping[str, str] | None = None,
        *,
        closes: DialogKey | None = None,
    ) -> Started:
        """Start a case; with `first_form`, `actor` also completes their step 1 task with it,
        in the same transaction (the Kadin who starts a case disposes it in the dialog).
        `closes`: the /mulai dialog, closed in that transaction too.

        A refused form leaves the case started and step 1 waiting on its button. Raises
        `CaseCodeTaken` when the period's case is already running.
        """
        sop = self.sops[sop_key]
        ctx = self.context(sop)
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            case_id = await tx.cases.next_id()
            request = CaseRequest(case_id=case_id, period_key=period_key, year=year, letter=letter)
            transition = start_case(ctx, request, actor, now)
            await tx.snapshots.keep(sop.source_hash, sop.key, sop.source_text, now)
            try:
                await tx.cases.save(transition.state, now)
            except DuplicateOpenCase as exc:
                raise CaseCodeTaken(exc.code) from None
            await tx.audit.append(case_id, transition.events)
            await self._apply(tx, ctx, transition, now)
            started = Started(transition, disposed=False, refused=None)
            mine = [t for t in transition.state.open_tasks() if t.assignee == actor]
            if first_form is not None and mine:
                disposition = Complete(mine[0].seq, dict(first_form))
                try:
                    done = act(ctx, transition.state, actor, disposition, now)
                except Refusal as refusal:
                    started = Started(transition, disposed=False, refused=refusal)
                else:
                    await tx.cases.save(done.state, now)
                    await tx.audit.append(case_id, done.events)
                    await self._apply(tx, ctx, done, now)
                    started = Started(done, disposed=True, refused=None)
            if closes is not None:
                await tx.dialogs.end(*closes)
            crashpoint("service.before_commit", "StartCase")
        log.info("case %s started by %s", transition.state.code, actor)
        return started

    async def check_period_free(self, sop_key: str, period_key: str, year: int) -> None:
        """Raise `CaseCodeTaken` when this period's case is running already (asked early, so
        the letter is not typed in vain; `start_from_letter` decides again)."""
        code = self.sops[sop_key].case_code(year, period_key)
        async with reading(self.db, self.agency) as tx:
            running = await tx.cases.find_by_code(code)
        if running is not None and running.status is CaseStatus.OPEN:
            raise CaseCodeTaken(code)

    def may_cancel(self, officer: str) -> bool:
        """Whether `officer` may cancel cases at all (asked before the case and the reason)."""
        return can_cancel(self.people.roster, officer)

    def startable_sops(self, officer: str) -> list[Sop]:
        """The SOPs `officer` may start a case of (admins, and holders of the first step)."""
        return [s for s in self.sops.values() if can_start(self.context(s), officer)]

    async def act(
        self, actor: str, case_id: int, action: Action, *, closes: DialogKey | None = None
    ) -> Transition:
        """Apply an action; raises `bot.core.workflow.Refusal` (nothing written) when refused.
        `closes`: the dialog that asked for it, closed in the same transaction (a crash
        after the commit leaves no dialog open for a finished action)."""
        seq = getattr(action, "task", None)
        return await self._transact(
            case_id,
            seq,
            type(action).__name__,
            lambda ctx, state, now: act(ctx, state, actor, action, now),
            closes,
        )

    async def act_all(
        self,
        actor: str,
        case_id: int,
        actions: Sequence[Action],
        *,
        closes: DialogKey | None = None,
    ) -> Transition:
        """Several actions in one transaction: all of them, or none if one is refused."""
        seq = getattr(actions[0], "task", None) if actions else None
        name = "+".join(dict.fromkeys(type(a).__name__ for a in actions))
        return await self._transact(
            case_id,
            seq,
            name,
            lambda ctx, state, now: act_all(ctx, state, actor, actions, now),
            closes,
        )

    async def _transact(
        self,
        case_id: int,
        task_seq: int | None,
        name: str,
        engine: Callable[[Context, CaseState, datetime], Transition],
        closes: DialogKey | None = None,
    ) -> Transition:
        """Read the case, ask the engine, commit state, audit, reminders and outbox (and
        close the dialog that asked for the action)."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            state = await self._case_for_action(tx, case_id, task_seq)
            ctx = self.context(await self._sop_of(tx, state))
            transition = await self._record(tx, ctx, state, name, engine, now)
            if closes is not None:
                await tx.dialogs.end(*closes)
        crashpoint("service.committed", name)
        return transition

    async def _record(
        self,
        tx: Tx,
        ctx: Context,
        state: CaseState,
        name: str,
        engine: Callable[[Context, CaseState, datetime], Transition],
        now: datetime,
    ) -> Transition:
        """Ask the engine, then write state, audit, reminders and outbox in `tx`."""
        crashpoint("service.before_engine", name)
        transition = engine(ctx, state, now)
        await tx.cases.save(transition.state, now)
        await tx.audit.append(state.id, transition.events)
        await self._apply(tx, ctx, transition, now)
        crashpoint("service.before_commit", name)
        return transition

    async def press(self, actor: str, press: TaskPress) -> PressOutcome:
        """A task button: act at once, or say which dialog or selection it opens.

        One transaction: the case is read once, the press decided and its action written
        in the same unit of work (a press pays one disk flush, not a read and a write).
        Raises `Refusal` (nothing written) when the task or the action is refused.
        """
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            state = await self._case_for_action(tx, press.case_id, press.task)
            ctx = self.context(await self._sop_of(tx, state))
            if press.op is TaskOp.UNDO:  # names a task already done, so no open-task check
                decided: Action | Ask | Rebutton = Undo(press.task)
            else:
                decided = decide(press, ctx, state, require_open_task(state, actor, press.task))
            if isinstance(decided, Ask | Reselect | ConfirmSign | KeepTask):
                return decided  # nothing written: the commit of an empty transaction
            name = type(decided).__name__
            transition = await self._record(
                tx, ctx, state, name, lambda c, s, t: act(c, s, actor, decided, t), now
            )
        crashpoint("service.committed", name)
        return Acted(transition)

    async def reassign(
        self, actor: str, case_id: int, task_seq: int, to: str, reason: str
    ) -> Transition:
        """An admin gives one task to another holder of its role; both are told.
        Raises `Refusal` (nothing written) when refused."""
        return await self._transact(
            case_id,
            task_seq,
            "reassign",
            lambda ctx, state, now: reassign(ctx, state, actor, task_seq, to, reason, now),
        )

    async def move_open_tasks(
        self, tx: Tx, move: Callable[[CaseState], Transition | None], now: datetime
    ) -> int:
        """Apply a hand-over (`bot.core.handover`) to every running case in `tx`, with its
        audit, reminders and messages; how many tasks changed hands."""
        moved = 0
        for state in await tx.cases.open_states():
            ctx = self.context(await self._sop_of(tx, state))
            transition = move(state)
            if transition is None:
                continue
            await tx.cases.save(transition.state, now)
            await tx.audit.append(state.id, transition.events)
            await self._apply(tx, ctx, transition, now)
            moved += len(transition.events)
        return moved

    async def release_held(self, tx: Tx, case_id: int, document: str, now: datetime) -> bool:
        """`document` was just stored in `tx`: send the tasks held for it (`Step.waits_for`),
        their clocks and "enter" starting now, in the same transaction; whether any were."""
        state = await tx.cases.get(case_id)
        ctx = self.context(await self._sop_of(tx, state))
        transition = release(ctx, state, document, now)
        if transition is None:
            return False
        await tx.cases.save(transition.state, now)
        await tx.audit.append(state.id, transition.events)
        await self._apply(tx, ctx, transition, now)
        return True

    async def add_note(self, actor: str, case_id: int, task_seq: int, text: str) -> None:
        """Keep a remark in the audit trail (e.g. a reason for a task withdrawn meanwhile)."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            state = await tx.cases.get(case_id)
            await tx.audit.append(case_id, [note(state, actor, task_seq, text, now)])

    async def task_for(
        self, actor: str, case_id: int, task_seq: int
    ) -> tuple[Context, CaseState, Task]:
        """The case and task `actor` may act on now; raises `Refusal` otherwise."""
        async with reading(self.db, self.agency) as tx:
            state = await self._case_for_action(tx, case_id, task_seq)
            ctx = self.context(await self._sop_of(tx, state))
        return ctx, state, require_open_task(state, actor, task_seq)

    async def store_upload(self, data: bytes, filename: str, mime: str) -> FileRef:
        """Put the bytes on disk first: an upload is stored before anyone is told so."""
        sha = await self.files.put(data)
        return FileRef(sha256=sha, filename=filename, size=len(data), mime=mime)

    async def keep_pending_upload(self, telegram_id: int, officer: str, ref: FileRef) -> int:
        """A stored file waits for its sender's choice (which task, which item)."""
        async with unit_of_work(self.db, self.agency) as tx:
            return await tx.pending_uploads.keep(telegram_id, officer, ref, self.clock.now())

    async def pending_upload(self, pending_id: int, telegram_id: int) -> FileRef | None:
        """The file still waiting for its sender's choice; None once it was attached."""
        async with reading(self.db, self.agency) as tx:
            return await tx.pending_uploads.peek(pending_id, telegram_id)

    async def attach_pending(
        self, actor: str, telegram_id: int, pick: FilePick, item: str | None = None
    ) -> tuple[Transition, FileRef] | None:
        """Attach the waiting file where its sender picked, taking it in the same
        transaction: a crash leaves the file both waiting and unattached, or attached and
        taken, never taken and lost. None when it is no longer waiting (a second press on
        the same choice); raises `Refusal` (the file keeps waiting) when refused."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            ref = await tx.pending_uploads.take(pick.pending, telegram_id, now)
            if ref is None:
                return None
            action = AttachFile(pick.task, ref, item=item)
            state = await self._case_for_action(tx, pick.case_id, pick.task)
            ctx = self.context(await self._sop_of(tx, state))
            transition = await self._record(
                tx, ctx, state, "AttachFile", lambda c, s, t: act(c, s, actor, action, t), now
            )
        crashpoint("service.committed", "AttachFile")
        return transition, ref

    async def task_of_message(self, chat_id: int, message_id: int) -> tuple[int, int] | None:
        """(case, task) of a message the bot sent (a file replying to it is for that task)."""
        async with reading(self.db, self.agency) as tx:
            return await tx.outbox.task_of_message(chat_id, message_id)

    async def file_tasks(self, officer: str) -> list[FileTask]:
        """The officer's open tasks that take a file, read at once."""
        async with reading(self.db, self.agency) as tx:
            result: list[FileTask] = []
            for state, task in await self._open_tasks_of(tx, officer):
                step = (await self._sop_of(tx, state)).step(task.step_key)
                if step.takes_files or step.kind is StepKind.CHECKLIST:
                    result.append(FileTask(state.id, task.seq, state.code, step))
            return result

    # -- effects -> rows ----------------------------------------------------------------

    async def send(self, state: CaseState, messages: Sequence[Outgoing]) -> list[int]:
        """Put ready messages about a case in the outbox (e.g. a task message shown again);
        their outbox ids, to ask `delivery` about them once delivered."""
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            return [await enqueue(tx, out, now, case_id=state.id) for out in messages]

    async def delivery(self, row_ids: Sequence[int]) -> Delivery:
        """Whether the messages `send` queued reached Telegram: one given up (refused even
        in its minimal form) makes FAILED, one still waiting (Telegram busy) PENDING."""
        async with reading(self.db, self.agency) as tx:
            fates = await tx.outbox.fates(row_ids)
        if any(failed for _, failed in fates):
            return Delivery.FAILED
        if all(sent for sent, _ in fates):
            return Delivery.SENT
        return Delivery.PENDING

    async def _apply(self, tx: Tx, ctx: Context, transition: Transition, now: datetime) -> None:
        state = transition.state
        await tx.accounts.get_many(self._addressees(state, transition.effects))
        handovers = await self._handovers(tx, state, transition.effects)
        queued = _Queued()
        for effect in transition.effects:
            await self._apply_one(tx, ctx, state, effect, now, handovers, queued)
        await queued.write_reminders(tx)
        await enqueue_all(tx, queued.messages, now, case_id=state.id)
        await tx.jobs.add_many(queued.jobs, now)

    def _addressees(self, state: CaseState, effects: Sequence[Effect]) -> list[str]:
        """Everyone the effects write to, whose languages `_apply_one` asks one by one:
        read together, in one query (three Kepala Bidang and the Sekretaris on a paraf)."""
        keys: list[str] = []
        for effect in effects:
            if isinstance(effect, TaskOpened | TaskUpdated | TaskClosed | TaskHandedOver):
                task = state.task(effect.task)
                keys += [task.assignee] if task is not None else []
            if isinstance(effect, TaskHandedOver):
                keys.append(effect.previous)
            elif isinstance(effect, Notify):
                keys.append(effect.officer)
            elif isinstance(effect, CaseFinished | CaseCancelled):
                keys += self._case_audience(state)
        return keys

    @staticmethod
    async def _handovers(tx: Tx, state: CaseState, effects: Sequence[Effect]) -> dict[int, int]:
        """New task -> the task whose message it takes over.

        When an officer's own press closes their task and opens their next one (the
        Sekretaris approves, then initials), the card they pressed turns into the next
        step instead of a new message arriving: one card, updated in place. Not when a
        new draft came in meanwhile and the card is the old draft's file.
        """
        closed = [
            task
            for effect in effects
            if isinstance(effect, TaskClosed) and effect.status is TaskStatus.DONE
            for task in (state.task(effect.task),)
            if task is not None and task.outcome != "returned"
        ]
        pairs: dict[int, int] = {}
        for effect in effects:
            new = state.task(effect.task) if isinstance(effect, TaskOpened) else None
            if new is None:
                continue
            old = next(
                (t for t in closed if t.assignee == new.assignee and t.seq not in pairs.values()),
                None,
            )
            if old is None:
                continue
            held = await tx.outbox.task_message(state.id, old.seq)
            draft = state.latest_draft
            fresh = draft is not None and draft.uploaded_at > old.created_at
            if held is not None and not (held.has_document and fresh):
                pairs[new.seq] = old.seq
        return pairs

    async def _apply_one(
        self,
        tx: Tx,
        ctx: Context,
        state: CaseState,
        effect: Effect,
        now: datetime,
        handovers: Mapping[int, int],
        queued: _Queued,
    ) -> None:
        """What the effects write goes to `queued`, written together after (reminders
        before any clock stop or resume, in effect order)."""
        presenter = self.presenter
        send = queued.messages
        if isinstance(effect, TaskOpened | TaskUpdated | TaskClosed):
            task = state.task(effect.task)
            assert task is not None
            lang = await language_of(tx, self.people, task.assignee)
            if isinstance(effect, TaskOpened):
                earlier = state.task(handovers[task.seq]) if task.seq in handovers else None
                if earlier is not None:
                    send.append(presenter.task_handover(ctx, state, earlier, task, lang))
                else:
                    send += presenter.task_message(ctx, state, task, lang)
                pdf = self._draft_pdf_job(ctx, state, task)
                if pdf is not None:
                    queued.jobs.append(("draft_pdf", state.id, pdf))
            elif task.seq in handovers.values():
                pass  # its message becomes the next task's (`_handovers`)
            else:
                send.append(presenter.task_update(ctx, state, task, lang))
        elif isinstance(effect, TaskHandedOver):
            task = state.task(effect.task)
            assert task is not None
            langs = (
                await language_of(tx, self.people, effect.previous),
                await language_of(tx, self.people, task.assignee),
            )
            send += presenter.handed_over(ctx, state, task, effect.previous, effect.why, langs)
        elif isinstance(effect, ClockStarted):
            task = state.task(effect.task)
            assert task is not None
            step = ctx.sop.step(task.step_key)
            planned = plan_task_reminders(
                task.created_at, effect.deadline, step.time, self.calendar, self.policy
            )
            queued.reminders += [(state.id, task.seq, kind, at) for kind, at in planned]
        elif isinstance(effect, ClockStopped):
            await queued.write_reminders(tx)
            await tx.reminders.cancel_for_task(state.id, effect.task, now)
        elif isinstance(effect, ClockResumed):
            await queued.write_reminders(tx)
            await tx.reminders.resume_for_task(state.id, effect.task)
        elif isinstance(effect, Notify):
            lang = await language_of(tx, self.people, effect.officer)
            send.append(presenter.notice(effect.officer, effect.message, effect.params, lang))
        elif isinstance(effect, RenderDocument):
            job = {"document": effect.document, "step": effect.step_key}
            queued.jobs.append(("render", state.id, job))
        elif isinstance(effect, CaseFinished | CaseCancelled):
            for officer in self._case_audience(state):
                lang = await language_of(tx, self.people, officer)
                send.append(presenter.case_ended(ctx, state, officer, lang))

    @staticmethod
    def _draft_pdf_job(ctx: Context, state: CaseState, task: Task) -> dict[str, Any] | None:
        """Who must approve, initial or sign a .docx draft may read it as PDF on a phone:
        the copy is made ahead, after the commit (where LibreOffice exists), and sent
        when they press "PDF" (`handlers/on_demand.py`). The job's payload, if any."""
        step = ctx.sop.step(task.step_key)
        draft = state.latest_draft
        if not (step.is_versioned and step.works_on_draft and draft is not None):
            return None
        if not draft.filename.lower().endswith(".docx"):
            return None
        return {
            "version": draft.number,
            "shown": draft.shown,
            "sha256": draft.sha256,
            "filename": draft.filename,
            "case_code": state.code,
        }

    def _case_audience(self, state: CaseState) -> list[str]:
        """Who hears that a case ended: whoever started it and everyone who worked on it."""
        audience = [state.started_by]
        audience += [t.assignee for t in state.tasks if t.outcome not in (None, "claimed")]
        known = {o.key for o in self.people.roster.officers}
        return [o for o in dict.fromkeys(audience) if o in known]

    # -- reminders ------------------------------------------------------------------------

    async def tick(self, now: datetime | None = None) -> int:
        """Send every reminder that is due, once; returns how many went into the outbox.

        Reminders due outside office hours wait for the next opening: the tick does
        nothing then, and the scheduler wakes it again at the opening.
        """
        now = now or self.clock.now()
        if not self.calendar.is_working_time(now):
            return 0
        sent = 0
        async with unit_of_work(self.db, self.agency) as tx:
            cache: dict[int, CaseState] = {}
            # One late step escalates once, however many officers hold it ("any" steps).
            late_steps: dict[tuple[int, str, int], list[tuple[int, Task]]] = {}
            for row in await tx.reminders.due(now):
                state = cache.get(row.case_id)
                if state is None:
                    state = cache[row.case_id] = await tx.cases.get(row.case_id)
                task = state.task(row.task_seq)
                if task is None or not task.is_open:
                    await tx.reminders.cancel_for_task(row.case_id, row.task_seq, now)
                    continue
                if row.kind == NUDGE and task.deadline <= now:
                    await tx.reminders.skip(row.id, now)  # the deadline message says more
                    continue
                if row.kind == ESCALATE:
                    step = (row.case_id, task.step_key, task.round)
                    late_steps.setdefault(step, []).append((row.id, task))
                    continue
                if row.kind in (NUDGE, DUE) or overdue_number(row.kind) is not None:
                    ctx = self.context(await self._sop_of(tx, state))
                    lang = await language_of(tx, self.people, task.assignee)
                    out = self.presenter.reminder(
                        ctx, state, task, row.kind, now, task.assignee, lang
                    )
                    await enqueue(tx, out, now, case_id=state.id)
                    sent += 1
                await tx.reminders.mark_sent(row.id, now)
                following = next_overdue(row.kind, now, self.calendar, self.policy)
                if following is not None:
                    await tx.reminders.plan(row.case_id, row.task_seq, [following])
                crashpoint("tick.before_commit")
            for (case_id, _, _), late in late_steps.items():
                tasks = [task for _, task in late]
                sent += await self._escalate(tx, cache[case_id], tasks, now)
                for reminder_id, _ in late:
                    await tx.reminders.mark_sent(reminder_id, now)
                crashpoint("tick.before_commit")
        if sent:
            crashpoint("tick.committed")
        return sent

    async def _escalate(self, tx: Tx, state: CaseState, tasks: list[Task], now: datetime) -> int:
        """One message per superior naming the late holders below them; the admins hear
        of holders with nobody above (the Kadin), since no escalation would reach anyone."""
        ctx = self.context(await self._sop_of(tx, state))
        plan = escalation_for([t.assignee for t in tasks], self.people.superior)
        sent = 0
        for superior, holders in plan.by_superior.items():
            lang = await language_of(tx, self.people, superior)
            late = [t for t in tasks if t.assignee in holders]
            out = self.presenter.escalation(ctx, state, late, now, superior, lang)
            await enqueue(tx, out, now, case_id=state.id)
            sent += 1
        if plan.nobody_above:
            top = [t for t in tasks if t.assignee in plan.nobody_above]
            sent += await notify_admins(
                tx,
                self.people,
                now,
                lambda lang: self.presenter.nobody_above(ctx, state, top, now, lang),
                skip=top[0].assignee if len(top) == 1 else None,
            )
        return sent

    async def next_wakeup(self) -> datetime | None:
        async with reading(self.db, self.agency) as tx:
            return await tx.reminders.next_due()

    # -- queries --------------------------------------------------------------------------

    async def case(self, case_id: int) -> CaseState:
        async with reading(self.db, self.agency) as tx:
            return await tx.cases.get(case_id)

    async def find_case(self, case_id: int) -> CaseState | None:
        """The case with this id; None for an id no case has (e.g. a forged button)."""
        async with reading(self.db, self.agency) as tx:
            try:
                return await tx.cases.get(case_id)
            except CaseNotFound:
                return None

    async def case_by_code(self, code: str) -> CaseState | None:
        async with reading(self.db, self.agency) as tx:
            return await tx.cases.find_by_code(code)

    async def case_page(self, page: int, size: int) -> tuple[list[CaseSummary], int, int]:
        """Page `page` (from 1; past the end, the last) of every case, running first, then
        the newest: the cases on it, its number and how many pages there are."""
        async with reading(self.db, self.agency) as tx:
            number, count = counted_page(await tx.cases.count(), page, size)
            return await tx.cases.summaries((number - 1) * size, size), number, count

    async def history(self, state: CaseState) -> tuple[Sop, list[AuditRow]]:
        """The SOP the case started with and its audit trail, oldest event first."""
        async with reading(self.db, self.agency) as tx:
            trail = await tx.audit.for_case(state.id)
            return await self._sop_of(tx, state), trail

    async def all_trails(self) -> list[tuple[CaseState, Sop, list[AuditRow]]]:
        """Every case with the SOP it started with and its audit trail, in one read (the
        compliance report rebuilds any period from these)."""
        async with reading(self.db, self.agency) as tx:
            found = []
            for case_id in await tx.cases.all_ids():
                state = await tx.cases.get(case_id)
                found.append(
                    (state, await self._sop_of(tx, state), await tx.audit.for_case(case_id))
                )
            return found

    async def draft_file(self, state: CaseState, draft: FileVersion) -> bytes:
        """A draft version's bytes, checked against their hash; raises `DraftUnreadable`."""
        try:
            return await self.files.get(draft.sha256)
        except (FileCorrupt, FileMissing) as exc:
            log.error("case %s version %d not sent: %s", state.code, draft.number, exc)
            raise DraftUnreadable(draft, corrupt=isinstance(exc, FileCorrupt)) from exc

    async def open_cases(self) -> list[CaseState]:
        async with reading(self.db, self.agency) as tx:
            return await tx.cases.open_states()

    async def digest_board(self, page: int, size: int) -> Board:
        """Page `page` of the running cases the digest shows, by deadline then code: its
        order, the overdue first and the most overdue on top (working minutes past a
        deadline only grow as the deadline is earlier). One read; only the page's cases
        are read whole."""
        async with reading(self.db, self.agency) as tx:
            rows = sorted(await tx.cases.digest_board(), key=_board_order)
            return await self._board(tx, rows, page, size)

    async def status_board(self, page: int, size: int) -> Board:
        """Page `page` of every running case as /status orders them (by the deadline of
        the step it is at, then code; those with none last), in one read."""
        async with reading(self.db, self.agency) as tx:
            rows = sorted(await tx.cases.status_board(), key=_board_order)
            return await self._board(tx, rows, page, size)

    async def _board(self, tx: Tx, rows: list[BoardRow], page: int, size: int) -> Board:
        number, count = counted_page(len(rows), page, size)
        chosen = rows[(number - 1) * size : number * size]
        states = await tx.cases.states([row.id for row in chosen])
        shown = [(state, await self._sop_of(tx, state)) for state in states]
        return Board(rows, Page(shown, number, count))

    async def open_cases_with_sops(self) -> list[tuple[CaseState, Sop]]:
        """Every running case with the SOP it started with, in one read (the start-up
        check for tasks whose officer left the config)."""
        async with reading(self.db, self.agency) as tx:
            return [
                (state, await self._sop_of(tx, state)) for state in await tx.cases.open_states()
            ]

    async def open_tasks_of(self, officer: str) -> list[tuple[CaseState, Task]]:
        async with reading(self.db, self.agency) as tx:
            return await self._open_tasks_of(tx, officer)

    @staticmethod
    async def _open_tasks_of(tx: Tx, officer: str) -> list[tuple[CaseState, Task]]:
        cases: dict[int, CaseState] = {}
        result: list[tuple[CaseState, Task]] = []
        for case_id, seq in await tx.cases.open_task_refs(officer):
            if case_id not in cases:
                cases[case_id] = await tx.cases.get(case_id)
            task = cases[case_id].task(seq)
            if task is not None:
                result.append((cases[case_id], task))
        return result


_NEVER = datetime.max.replace(tzinfo=UTC)  # a case with no deadline sorts after every other


def _board_order(row: BoardRow) -> tuple[datetime, str]:
    return (row.deadline or _NEVER, row.code)
