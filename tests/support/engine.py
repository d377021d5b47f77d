"""A case walked through the pure engine: the shipped SOP, a roster like a real Dinas, a driver."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.core.sop import Sop, StepKind
from bot.core.sop_loader import load_sop
from bot.core.timestd import AlwaysOpenCalendar
from bot.core.workflow import (
    Action,
    Approve,
    AttachFile,
    AuditEvent,
    CaseRequest,
    CaseState,
    Complete,
    Context,
    Effect,
    FileRef,
    ItemStatus,
    Order,
    Paraf,
    RenderDocument,
    Roster,
    RosterEntry,
    Sign,
    Task,
    Tick,
    Transition,
    act,
    release,
    start_case,
)
from tests.support.paths import SOP_PATH

T0 = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB

ROSTER = Roster(
    officers=(
        RosterEntry("kadin", "kadin"),
        RosterEntry("sekretaris", "sekretaris"),
        RosterEntry("kabid_1", "kabid"),
        RosterEntry("kabid_2", "kabid"),
        RosterEntry("kabid_3", "kabid"),
        RosterEntry("kasubag", "kasubag"),
        RosterEntry("staf_1", "staf"),
        RosterEntry("staf_2", "staf"),
        RosterEntry("sakip_ketua", "tim_sakip", leader=True),
        RosterEntry("sakip_1", "tim_sakip"),
    ),
    admins=frozenset({"admin"}),
)

RECIPIENTS = ("Bupati", "Inspektorat", "Bappeda")

LETTER = {
    "from": "Bupati Contoh",
    "number": "050/123/2026",
    "date": "2026-07-01",
    "subject": "Penyampaian Laporan Kinerja Triwulan II",
    "agenda": "0456",
    "urgency": "segera",
}

# The second SOP's office (tests/fixtures/sop/surat_keluar.toml).
LETTER_ROSTER = Roster(
    officers=(
        RosterEntry("penulis", "pengonsep"),
        RosterEntry("pemeriksa", "verifikator"),
        RosterEntry("camat", "pimpinan"),
        RosterEntry("agenda", "agendaris"),
    ),
    admins=frozenset({"admin"}),
)


def shipped_sop() -> Sop:
    return load_sop(SOP_PATH)


def documents_made(ctx: Context, transition: Transition, now: datetime) -> Transition | None:
    """What the document worker does after the commit, at once: every document the
    transition renders is stored, which releases the tasks held for it (`waits_for`)."""
    state, released = transition.state, None
    for effect in transition.effects:
        if isinstance(effect, RenderDocument):
            released = release(ctx, state, effect.document, now) or released
            state = released.state if released is not None else state
    return released


def make_context(sop: Sop | None = None, roster: Roster = ROSTER) -> Context:
    return Context(
        sop=sop or shipped_sop(),
        roster=roster,
        calendar=AlwaysOpenCalendar(),
        lists={"recipients": RECIPIENTS},
    )


def file_ref(content: str, name: str = "draf.docx") -> FileRef:
    data = content.encode()
    return FileRef(
        sha256=hashlib.sha256(data).hexdigest(),
        filename=name,
        size=len(data),
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@dataclass
class CaseDriver:
    """Walks a case through the engine the way officers would, keeping the history."""

    ctx: Context
    state: CaseState
    now: datetime = T0
    effects: list[Effect] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)

    @classmethod
    def start(
        cls, ctx: Context | None = None, actor: str = "kadin", period: str = "TW2"
    ) -> CaseDriver:
        ctx = ctx or make_context()
        request = CaseRequest(case_id=1, period_key=period, year=2026, letter=LETTER)
        transition = start_case(ctx, request, actor, T0)
        driver = cls(ctx, transition.state)
        driver._record(transition)
        return driver

    def _record(self, transition: Transition) -> Transition:
        self.state = transition.state
        self.effects.extend(transition.effects)
        self.events.extend(transition.events)
        return transition

    def tick(self, minutes: int = 5) -> None:
        self.now += timedelta(minutes=minutes)

    def do(self, actor: str, action: Action) -> Transition:
        self.tick()
        transition = self._record(act(self.ctx, self.state, actor, action, self.now))
        released = documents_made(self.ctx, transition, self.now)
        if released is not None:
            self._record(released)
        return transition

    def task_of(self, officer: str) -> Task:
        mine = [t for t in self.state.open_tasks() if t.assignee == officer]
        assert len(mine) == 1, f"{officer} has {len(mine)} open tasks at {self.state.step_key}"
        return mine[0]

    @property
    def step(self) -> str:
        return self.state.step_key

    @property
    def version(self) -> int | None:
        return self.state.latest_version

    def open_assignees(self) -> list[str]:
        return sorted(t.assignee for t in self.state.open_tasks())


def next_happy_action(ctx: Context, state: CaseState) -> tuple[str, Action]:
    """The next action on the straight path, as a diligent officer would take it."""
    task = state.open_tasks()[0]
    step = ctx.sop.step(task.step_key)
    seq, version = task.seq, state.latest_version
    if step.kind is StepKind.ACTION:
        form = {name: f"isian {name}" for name in step.field_names}
        if "instruksi" in form:
            form["instruksi"] = "Segera susun laporan"
        return task.assignee, Complete(seq, form)
    if step.kind is StepKind.CHECKLIST:
        items = state.checklist(step.key, task.round) or []
        pending = [i.item for i in items if i.status is ItemStatus.OPEN]
        if pending:
            return task.assignee, Tick(seq, pending[0], proof_ref=f"SRIKANDI/{pending[0]}")
        return task.assignee, Complete(seq)
    if step.kind is StepKind.UPLOAD:
        if any(f.task_seq == seq for f in state.files):
            return task.assignee, Complete(seq)
        return task.assignee, AttachFile(seq, file_ref(f"{step.key} round {task.round}"))
    if step.kind in (StepKind.DECISION, StepKind.PARALLEL_DECISION):
        return task.assignee, Approve(seq, version)
    if step.kind is StepKind.PARAF:
        return task.assignee, Paraf(seq, version)
    if step.kind is StepKind.SIGN:
        return task.assignee, Sign(seq, version)
    assert step.next is not None
    staff = ctx.roster.holders(ctx.sop.step(step.next).roles)
    return task.assignee, Order(seq, (staff[-1],))


# -- walking the straight path in the engine ------------------------------------------------

CHECKLIST = ["RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"]


def walk_to_review(d: CaseDriver) -> None:
    """Steps 1-4: disposition, checklist, concept, typed draft."""
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Segera susun laporan"}))
    assert d.step == "kumpul_bahan"
    task = d.task_of("sakip_1").seq
    for item in CHECKLIST:
        d.do("sakip_1", Tick(task, item))
    d.do("sakip_1", Complete(task))
    assert d.step == "konsep"
    task = d.task_of("sakip_ketua").seq
    d.do("sakip_ketua", AttachFile(task, file_ref("konsep v1", "konsep.docx")))
    d.do("sakip_ketua", Complete(task))
    assert d.step == "ketik"
    type_draft(d, "staf_1", "draf diketik")


def type_draft(d: CaseDriver, typist: str, content: str) -> None:
    task = d.task_of(typist).seq
    d.do(typist, AttachFile(task, file_ref(content)))
    d.do(typist, Complete(task))
    assert d.step == "periksa"


def approve_and_paraf(d: CaseDriver) -> None:
    d.do("sekretaris", Approve(d.task_of("sekretaris").seq, d.version))
    assert d.step == "paraf_sekretaris"
    d.do("sekretaris", Paraf(d.task_of("sekretaris").seq, d.version))
    assert d.step == "periksa_kabid"
