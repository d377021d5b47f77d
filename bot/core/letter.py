"""The incoming letter a case starts from: its fields, and which question is still open.

The /mulai dialog keeps its answers in a `LetterDraft` (plain JSON, so a restart in the
middle of the dialog loses nothing). The next question is never remembered, it is
*derived* from what the draft still lacks (`pending`): the SOP, the period, the year, the
letter's fields one by one, its urgency, its scan, and, when whoever starts the case holds
the SOP's first step, that step's form. After a restart, a re-entry or a refused answer
the dialog therefore asks exactly the question that is still open.

The letter is stored under stable keys that the documents read: from, number, date (ISO),
subject, agenda, urgency (one of `URGENCIES`), received (ISO), and scan_sha256 /
scan_filename / scan_mime / scan_size when a scan was sent.
"""

from __future__ import annotations

from typing import Final, TypedDict

from bot.core.sop import Sop, StepKind
from bot.core.workflow import Roster

LETTER_TEXT_FIELDS: Final = ("from", "number", "date", "subject", "agenda")
URGENCIES: Final = ("biasa", "segera", "sangat segera", "rahasia")


class LetterDraft(TypedDict):
    """The answers so far; a question is open while its key is empty or missing."""

    sop: str | None
    period: str | None
    year: int | None
    letter: dict[str, str]  # the stable keys above, filled one by one
    scan_done: bool  # a scan was stored, or the question was skipped
    form_fields: list[str] | None  # the first step's form as the SOP writes it; None: not asked
    form: dict[str, str]  # the answers to `form_fields`, keyed without the "?"


def new_draft() -> LetterDraft:
    return LetterDraft(
        sop=None,
        period=None,
        year=None,
        letter={},
        scan_done=False,
        form_fields=None,
        form={},
    )


def pending(draft: LetterDraft) -> str:
    """The question still open: "sop", "period", "year", a letter field, "urgency",
    "scan", "field" (the first step's form) or, with nothing left, "confirm"."""
    if not draft.get("sop"):
        return "sop"
    if not draft.get("period"):
        return "period"
    if not draft.get("year"):
        return "year"
    letter = draft["letter"]
    for name in LETTER_TEXT_FIELDS:
        if name not in letter:
            return name
    if "urgency" not in letter:
        return "urgency"
    if not draft.get("scan_done"):
        return "scan"
    if open_field(draft) is not None:
        return "field"
    return "confirm"


def open_field(draft: LetterDraft) -> str | None:
    """The next field of the first step's form (as the SOP writes it, "catatan?" if
    optional)."""
    for field in draft.get("form_fields") or ():
        if field.rstrip("?") not in draft["form"]:
            return str(field)
    return None


def choose_sop(draft: LetterDraft, sop: Sop, roster: Roster, officer: str) -> None:
    """Pick the SOP; a holder of its first step also gives that step's form in the dialog,
    so the case starts with step 1 already done."""
    draft["sop"] = sop.key
    first = sop.first
    holds_first = officer in roster.holders(first.roles)
    draft["form_fields"] = (
        list(first.form) if holds_first and first.kind is StepKind.ACTION else None
    )
    draft["form"] = {}
