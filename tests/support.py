"""Shared test helpers: the shipped SOP, a roster like a real Dinas, and a case driver."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.sop import Sop
from bot.core.sop_loader import load_sop
from bot.core.timestd import AlwaysOpenCalendar
from bot.core.workflow import (
    Action,
    AuditEvent,
    CaseRequest,
    CaseState,
    Context,
    Effect,
    FileRef,
    Roster,
    RosterEntry,
    Task,
    Transition,
    act,
    start_case,
)

ROOT = Path(__file__).resolve().parent.parent
SOP_PATH = ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

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


def shipped_sop() -> Sop:
    return load_sop(SOP_PATH)


def make_context(sop: Sop | None = None, roster: Roster = ROSTER) -> Context:
    return Context(
        sop=sop or shipped_sop(),
        roster=roster,
        calendar=AlwaysOpenCalendar(),
        lists={"recipients": RECIPIENTS},
    )


def docx_bytes(text: str) -> bytes:
    """A minimal but real .docx (a zip with word/document.xml), the same bytes every time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 7, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def real_docx(text: str) -> bytes:
    """A .docx made by python-docx: LibreOffice converts it and the final report merges it."""
    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _cell_texts(table: Any) -> list[str]:
    parts: list[str] = []
    for row in table.rows:
        seen: set[int] = set()
        for cell in row.cells:
            parts.append(cell.text)
            if id(cell._tc) not in seen:  # a merged cell repeats; its nested tables once
                seen.add(id(cell._tc))
                for nested in cell.tables:
                    parts += _cell_texts(nested)
    return parts


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a .docx, nested tables included (the approval
    sheet's signature block), one per line (what the reader sees)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += _cell_texts(table)
    return "\n".join(parts)


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
        return self._record(act(self.ctx, self.state, actor, action, self.now))

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
    from bot.core.sop import StepKind
    from bot.core.workflow import (
        Approve,
        AttachFile,
        Complete,
        ItemStatus,
        Order,
        Paraf,
        Sign,
        Tick,
    )

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
