"""/verifikasi: from a verification code printed on an approval sheet back to its signature.

Nothing but the audit log decides whether a code is genuine: every sign event is
recomputed into its code (a Dinas signs a few reports a year), and the final reports
stored for that code are listed with their hashes so a printed copy can be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.core.ratelimit import SlidingWindow
from bot.core.workflow import CaseState
from bot.documents import context as doccontext
from bot.documents.context import FINAL_REPORT, period_in_words
from bot.services.workflow_service import WorkflowService
from storage.db import Database
from storage.documents import Documents, StoredDocument
from storage.uow import reading

__all__ = ["Verification", "Verifier"]

VERIFY_LIMIT: Final = 10
VERIFY_WINDOW: Final = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Verification:
    """A signature found by its code, and what it produced."""

    code: str
    case_code: str
    period: str  # "Triwulan II Tahun 2026"
    version: int | None
    draft_sha256: str
    signer: str
    signer_acting: tuple[str, str] | None  # ("plh"/"plt", the absent official) for a stand-in
    signed_at: datetime
    superseded: bool  # signed again later: this paper is not the approved version
    final_files: tuple[tuple[str, str], ...]  # (file name, sha256)


class Verifier:
    """Finds the signature behind a verification code."""

    def __init__(self, *, db: Database, service: WorkflowService, agency: str = "default") -> None:
        self.db = db
        self.service = service
        self.agency = agency
        # Anyone may verify (an auditor need not be an officer): a few lookups per account
        # per ten minutes.
        self.lookups = SlidingWindow(VERIFY_LIMIT, VERIFY_WINDOW)

    async def verify(self, code: str) -> Verification | None:
        """The signature `code` was derived from, found in the audit log; None if none."""
        found: tuple[CaseState, doccontext.SignEvent, list[StoredDocument]] | None = None
        async with reading(self.db, self.agency) as tx:
            for case_id in await tx.cases.all_ids():
                audit = await tx.audit.for_case(case_id)
                events = doccontext.sign_events(case_id, audit)
                for event in events:
                    if event.code == code:
                        superseded = event is not events[-1]
                        state = await tx.cases.get(case_id)
                        found = (state, event, await Documents(tx.conn).for_case(case_id))
                        break
                if found is not None:
                    break
        if found is None:
            return None
        state, event, made = found
        sop = (await self.service.context_for(state)).sop
        return Verification(
            code=code,
            case_code=state.code,
            period=period_in_words(sop, state),
            version=state.shown_version(event.version),
            draft_sha256=event.sha256,
            signer=event.signer,
            signer_acting=event.acting,
            signed_at=event.at,
            superseded=superseded,
            final_files=tuple(
                (d.filename, d.sha256) for d in made if d.kind == FINAL_REPORT and d.source == code
            ),
        )
