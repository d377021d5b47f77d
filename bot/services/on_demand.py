"""Files an officer asks for with a button: a PDF copy to read on a phone, the
standard-format report to type into, a task's full text.

Offered, not pushed: a task is one message (its draft), and a copy arrives only when its
officer presses for it, once per press. A PDF copy is made ahead in the background; if
it is not there yet, the press queues it for the presser and it follows once converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from bot.core.clock import Clock
from bot.core.people import Directory
from bot.core.workflow import CaseState
from bot.services.document_jobs import DRAFT_KIND, DRAFT_PDF, PDF
from storage.db import Database
from storage.documents import Documents, StoredDocument
from storage.files import FileStore
from storage.uow import Tx, unit_of_work

__all__ = ["NotAParticipant", "OnDemandFiles", "Ready"]


class NotAParticipant(Exception):
    """The presser has no part in the case (and is no admin): nothing is sent."""


@dataclass(frozen=True, slots=True)
class Ready:
    """A file to send now, in reply to the pressed message."""

    data: bytes
    filename: str


class OnDemandFiles:
    def __init__(
        self, db: Database, files: FileStore, clock: Clock, people: Directory, agency: str
    ) -> None:
        self.db = db
        self.files = files
        self.clock = clock
        self.people = people
        self.agency = agency

    async def draft_pdf(self, officer: str, case_id: int, version: int) -> Ready | None:
        """The PDF of a draft version; None when it is being made (it follows)."""
        async with unit_of_work(self.db, self.agency) as tx:
            state = await self._case(tx, officer, case_id)
            draft = next((d for d in state.drafts if d.number == version), None)
            if draft is None:
                raise LookupError(f"case {case_id} has no draft version {version}")
            source = f"draft:{version}"
            pdf = await Documents(tx.conn).find(case_id, DRAFT_KIND, "pdf", source)
            if pdf is None:
                payload = {
                    "version": version,
                    "sha256": draft.sha256,
                    "filename": draft.filename,
                    "officer": officer,
                    "case_code": state.code,
                }
                await tx.jobs.add(DRAFT_PDF, case_id, payload, self.clock.now())
                return None
        return await self._ready(pdf)

    async def document(self, officer: str, document_id: int, pdf: bool) -> Ready | None:
        """A stored document, or (`pdf`) its PDF copy; None when the copy is being made."""
        async with unit_of_work(self.db, self.agency) as tx:
            documents = Documents(tx.conn)
            document = await documents.get(document_id)
            if document is None:
                raise LookupError(f"no document {document_id}")
            await self._case(tx, officer, document.case_id)
            if not pdf or document.format == "pdf":
                wanted: StoredDocument | None = document
            else:
                wanted = await documents.find(
                    document.case_id, document.kind, "pdf", document.source
                )
            if wanted is None:
                payload = {
                    "document": document.id,
                    "recipients": [officer],
                    "caption": "documents.caption.pdf_copy",
                    "params": {"filename": str(PurePath(document.filename).stem)},
                }
                await tx.jobs.add(PDF, document.case_id, payload, self.clock.now())
                return None
        return await self._ready(wanted)

    async def _case(self, tx: Tx, officer: str, case_id: int) -> CaseState:
        state = await tx.cases.get(case_id)
        if not self.people.is_admin(officer) and all(t.assignee != officer for t in state.tasks):
            raise NotAParticipant(officer)
        return state

    async def _ready(self, document: StoredDocument) -> Ready:
        return Ready(await self.files.get(document.sha256), document.filename)
