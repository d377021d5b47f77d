"""The SOP as typed data: what the workflow engine walks.

An SOP is a TOML file (see `templates/sop/`), loaded and validated by `bot.core.sop_loader`.
Nothing in the code may assume a particular SOP: the engine reads step kinds, who is
assigned, where a decision returns to, and the time standard from these objects only.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from bot.core.timestd import TimeStandard


class StepKind(enum.StrEnum):
    """What an officer does at a step; decides the buttons and the actions accepted."""

    ACTION = "action"  # do something, optionally fill a small form, press "done"
    CHECKLIST = "checklist"  # tick every item (or skip it with a reason)
    UPLOAD = "upload"  # send a file, then hand it on
    DECISION = "decision"  # approve or return (with a reason)
    PARALLEL_DECISION = "parallel_decision"  # every assignee approves, or one returns
    PARAF = "paraf"  # initial the draft version shown
    SIGN = "sign"  # sign the draft version shown (the final act)
    ORDER = "order"  # pick the officers who do the next step


class Assign(enum.StrEnum):
    """Who among the holders of the step's role(s) gets the task."""

    ALL = "all"  # every holder, in parallel
    ANY = "any"  # every holder is offered it; the first to act claims it
    LEADER = "leader"  # the holder marked as leader of their team
    CHOSEN = "chosen"  # the officers the previous step's actor picked


DECISION_KINDS = frozenset({StepKind.DECISION, StepKind.PARALLEL_DECISION})
VERSIONED_KINDS = frozenset(
    {StepKind.DECISION, StepKind.PARALLEL_DECISION, StepKind.PARAF, StepKind.SIGN}
)
"""Kinds whose act names the draft version the officer saw."""


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period the SOP serves, e.g. Triwulan II (April-June)."""

    key: str  # "TW2"; also the tail of the case code
    label: str  # "Triwulan II"
    kind: str  # "triwulan" | "semester" | ...
    start_month: int
    end_month: int


@dataclass(frozen=True, slots=True)
class ChecklistSpec:
    """The items of a checklist step.

    `items` are fixed in the SOP (step 2's source documents); `items_from` names a
    list in the configuration instead (step 11's distribution recipients).
    """

    items: tuple[str, ...] = ()
    items_from: str | None = None
    proof_required: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    number: int
    title: str
    roles: tuple[str, ...]
    assign: Assign
    kind: StepKind
    time: TimeStandard
    requirements: tuple[str, ...] = ()
    output: str = ""
    next: str | None = None  # None: the case finishes after this step
    return_to: str | None = None
    accepts_upload: bool = False  # a new draft version may be sent at this step
    works_on_draft: bool = False  # the task message carries the latest draft
    checklist: ChecklistSpec | None = None
    form: tuple[str, ...] = ()  # fields an action step asks for (e.g. a disposition)
    merge_next_paraf: bool = False  # approving also records the next paraf (same officer)
    documents: tuple[str, ...] = ()  # documents rendered when the step is done
    # A document the step before renders (its `documents`): the task is held until it is
    # stored, then sent carrying it, its clock started then (the order after a signature
    # carries the signed report, never the unsigned draft).
    waits_for: str = ""
    note: str = ""
    short: str = ""  # "Paraf Sekretaris": the step's name on documents (at most 40 chars)

    @property
    def label(self) -> str:
        """The short name, or "Langkah N" where the SOP file gives none (agencies' own
        files and open cases' snapshots predate `short`; `check-sop` warns)."""
        return self.short or f"Langkah {self.number}"

    @property
    def chat_name(self) -> str:
        """The name a chat line gives the step: the short name, else the SOP's title (a
        line never says "Langkah 5: Langkah 5")."""
        return self.short or self.title

    @property
    def takes_files(self) -> bool:
        return self.kind is StepKind.UPLOAD or self.accepts_upload

    @property
    def is_versioned(self) -> bool:
        return self.kind in VERSIONED_KINDS

    @property
    def required_fields(self) -> tuple[str, ...]:
        """Form fields that must be filled; a trailing "?" in the SOP marks one optional."""
        return tuple(f for f in self.form if not f.endswith("?"))

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.rstrip("?") for f in self.form)


DEFAULT_UNDO_MINUTES: Final = 2


@dataclass(frozen=True, slots=True)
class Sop:
    key: str
    title: str
    code_prefix: str  # "LKT" -> case codes like LKT-2026-TW2
    version: str
    roles: Mapping[str, str]  # role key -> display name ("kadin" -> "Kepala Dinas")
    periods: tuple[Period, ...]
    steps: tuple[Step, ...]
    # How long an approval or paraf may be taken back ("Urungkan"), while nobody has acted
    # on the next step; 0 switches the undo off. `[sop] undo_minutes` in the file.
    undo_minutes: int = DEFAULT_UNDO_MINUTES
    source_hash: str = ""  # sha256 of the TOML text: each case keeps the SOP it started with
    source_text: str = field(default="", repr=False)

    @property
    def first(self) -> Step:
        return min(self.steps, key=lambda s: s.number)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(f"SOP {self.key} has no step {key!r}")

    def period(self, key: str) -> Period:
        for period in self.periods:
            if period.key == key:
                return period
        raise KeyError(f"SOP {self.key} serves no period {key!r}")

    def case_code(self, year: int, period_key: str) -> str:
        return f"{self.code_prefix}-{year}-{period_key}"
