"""Files an officer asks for with a button: a PDF copy to read on a phone, the
standard-format report to type into.

Offered, not pushed: a task is one message (its draft), and a copy arrives only when its
officer presses for it, once: the copy goes through the outbox like every file, so it is
indexed (`delivered_files`) and a second press sends nothing new but says it is already
in the chat. A PDF copy is made ahead in the background; if it is not there yet, the
press queues it for the presser and it follows once converted.
"""

from __future__ import annotations

import enum
from pathlib import PurePath

from bot.core.clock import Clock
from bot.core.people import Directory
from bot.core.workflow import CaseState
from bot.services.document_jobs import DRAFT_KIND, DRAFT_PDF, PDF
from bot.services.outbox import enqueue, language_of
from bot.views.i18n import Catalogue
from bot.views.outgoing import Outgoing, SendDocument
from storage.db import Database
from storage.documents import Documents, StoredDocument
from storage.uow import Tx, unit_of_work

__all__ = ["NotAParticipant", "OnDemandFiles", "Pressed"]


class NotAParticipant(Exception):
    """The presser has no part in the case (and is no admin): nothing is sent."""


class Pressed(enum.Enum):
    """What a press for a file came to."""

    SENDING = enum.auto()  # the file is queued for the presser's chat
    MAKING = enum.auto()  # the PDF copy is being made; it follows
    ALREADY_THERE = enum.auto()  # the presser's chat has it already: nothing sent again


class OnDemandFiles:
    def __init__(
        self,
        db: Database,
        catalogue: Catalogue,
        clock: Clock,
        people: Directory,
        agency: str,
    ) -> None:
        self.db = db
        self.catalogue = catalogue
        self.clock = clock
        self.people = people
        self.agency = agency

    async def draft_pdf(self, officer: str, case_id: int, version: int) -> Pressed:
        """The PDF of a draft version (`version` is the file's number, its identity)."""
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
                    "shown": draft.shown,
                    "sha256": draft.sha256,
                    "filename": draft.filename,
                    "officer": officer,
                    "case_code": state.code,
                }
                await tx.jobs.add(DRAFT_PDF, case_id, payload, self.clock.now())
                return Pressed.MAKING
            if await tx.outbox.delivered_to(officer, pdf.sha256, case_id) is not None:
                return Pressed.ALREADY_THERE
            lang = await language_of(tx, self.people, officer)
            caption = self.catalogue.text(
                lang,
                "documents.draft_pdf",
                case_code=state.code,
                version=draft.shown,
                format=self.catalogue.plain(lang, "documents.format.pdf"),
            )
            await self._send(tx, officer, pdf, caption)
        return Pressed.SENDING

    async def document(self, officer: str, document_id: int, pdf: bool) -> Pressed:
        """A stored document, or (`pdf`) its PDF copy."""
        async with unit_of_work(self.db, self.agency) as tx:
            documents = Documents(tx.conn)
            document = await documents.get(document_id)
            if document is None:
                raise LookupError(f"no document {document_id}")
            await self._case(tx, officer, document.case_id)
            copy = pdf and document.format != "pdf"
            wanted: StoredDocument | None = document
            if copy:
                wanted = await documents.find(
                    document.case_id, document.kind, "pdf", document.source
                )
            stem = str(PurePath(document.filename).stem)
            if wanted is None:
                payload = {
                    "document": document.id,
                    "recipients": [officer],
                    "caption": "documents.caption.pdf_copy",
                    "params": {"filename": stem},
                }
                await tx.jobs.add(PDF, document.case_id, payload, self.clock.now())
                return Pressed.MAKING
            if await tx.outbox.delivered_to(officer, wanted.sha256, document.case_id) is not None:
                return Pressed.ALREADY_THERE
            caption = None
            if copy:
                lang = await language_of(tx, self.people, officer)
                fmt = self.catalogue.plain(lang, "documents.format.pdf")
                caption = self.catalogue.text(
                    lang, "documents.caption.pdf_copy", filename=stem, format=fmt
                )
            await self._send(tx, officer, wanted, caption)
        return Pressed.SENDING

    async def _send(
        self, tx: Tx, officer: str, document: StoredDocument, caption: str | None
    ) -> None:
        message = SendDocument(document.sha256, document.filename, caption)
        out = Outgoing(officer_key=officer, message=message)
        await enqueue(tx, out, self.clock.now(), case_id=document.case_id)

    async def _case(self, tx: Tx, officer: str, case_id: int) -> CaseState:
        state = await tx.cases.get(case_id)
        if not self.people.is_admin(officer) and all(t.assignee != officer for t in state.tasks):
            raise NotAParticipant(officer)
        return state
