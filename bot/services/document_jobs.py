"""The document worker: turns committed render and PDF jobs into files in officers' chats.

An action that needs a document commits a `jobs` row with its state change
(`WorkflowService`); this worker runs the job after the commit. Each job ends in one
transaction that stores the document's row, puts the files for their recipients into
the outbox and marks the job done, so a crash anywhere before that commit only means the
job runs again (at the next delivery, or at start-up), and a job that did commit is never
repeated. A job whose document is already stored for the same source (the signature's
verification code, the disposition's round, the uploaded sheet) is closed without
rendering: nothing is made or sent twice.

Rendering (docxtpl, ~60 ms) runs in a thread. The PDF copy is a job of its own, run as a
background task through `PdfConverter`: the .docx goes out first and the PDF follows when
LibreOffice is done; without LibreOffice no PDF jobs are made and the .docx goes alone.
A PDF is committed after the action that asked for it has delivered the outbox, so the
worker then calls `deliver` itself.

Every document stored is noted in the `DocumentIndex`, which the presenter's
`DocumentExtras` reads without I/O.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any, Final

from bot.config import Config
from bot.core.clock import Clock
from bot.core.people import Directory
from bot.core.sop import Sop
from bot.core.workflow import CaseState, held_document
from bot.crashpoints import crashpoint
from bot.documents import (
    DocumentKind,
    DocumentSettings,
    PdfConverter,
    build_final_report,
    read_sheet,
    render_approval,
    render_disposition,
    render_report,
    template_path,
)
from bot.documents import context as doccontext
from bot.documents.context import APPROVAL, DISPOSITION, FINAL_REPORT, STANDARD_REPORT
from bot.services.document_index import DocumentIndex
from bot.services.outbox import enqueue, language_of, notify_admins
from bot.services.workflow_service import WorkflowService
from bot.views.callbacks import document_callback
from bot.views.i18n import Catalogue
from bot.views.outgoing import Outgoing, SendDocument
from storage.db import Database
from storage.documents import Documents, StoredDocument
from storage.files import FileStore, write_copy
from storage.jobs import Job
from storage.uow import Tx, reading, unit_of_work

log = logging.getLogger(__name__)

__all__ = ["DRAFT_PDF", "MAX_ATTEMPTS", "PDF", "RENDER", "Deliver", "DocumentWorker"]

RENDER: Final = "render"
PDF: Final = "pdf"
DRAFT_PDF: Final = "draft_pdf"  # a phone-readable PDF of the draft a reviewer must judge
DRAFT_KIND: Final = "draf"
MAX_ATTEMPTS: Final = 3

Deliver = Callable[[], Awaitable[object]]
"""Sends what the outbox holds (`Runtime.deliver`)."""


@dataclass(frozen=True, slots=True)
class _Output:
    """One file a job produces, and who gets it with which caption."""

    kind: str
    fmt: str
    filename: str
    source: str
    data: bytes | None = None  # None: already stored under `source`
    recipients: Sequence[str] = ()
    caption: str = ""  # catalogue key, filled per recipient's language
    params: Mapping[str, str] = field(default_factory=dict)
    pdf: bool = False  # also make (and send) a PDF copy


class DocumentWorker:
    """Runs render and PDF jobs; see the module docstring for the guarantees."""

    def __init__(
        self,
        *,
        db: Database,
        files: FileStore,
        service: WorkflowService,
        config: Config,
        catalogue: Catalogue,
        directory: Directory,
        clock: Clock,
        settings: DocumentSettings,
        converter: PdfConverter | None,
        index: DocumentIndex,
        deliver: Deliver | None = None,
        agency: str = "default",
    ) -> None:
        self.db = db
        self.files = files
        self.service = service
        self.config = config
        self.catalogue = catalogue
        self.directory = directory
        self.clock = clock
        self.settings = settings
        self.converter = converter
        self.index = index
        self.deliver = deliver  # after a PDF made in the background is committed
        self.agency = agency
        self.bot_username: str | None = None
        self._lock = asyncio.Lock()
        self._converting: dict[int, asyncio.Task[None]] = {}
        # Jobs this process finished: a pending list read just before a PDF task
        # committed must not start that job again.
        self._finished: set[int] = set()
        self._started = False

    @property
    def makes_pdf(self) -> bool:
        return self.converter is not None and self.converter.available

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, bot_username: str | None = None) -> int:
        """At start-up: rebuild the index, then run what a crash left pending.

        `bot_username` (Telegram's getMe) makes the approval sheet's QR deep link.
        """
        self.bot_username = bot_username
        await self.index.load(self.db, self.agency)
        if self.converter is None:
            log.info("PDF copies are off ([documents] pdf = false): sending .docx only")
        elif self.converter.available:
            log.info("PDF copies through %s", self.converter.soffice)
        self._started = True
        return await self.run_pending()

    async def close(self) -> None:
        """Stop conversions in flight (their jobs stay pending for the next start)."""
        self._started = False
        tasks = list(self._converting.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # already logged by the task itself
                pass
        if self.converter is not None:
            self.converter.close()

    async def idle(self) -> None:
        """Wait for the PDF conversions in flight (tests, an orderly shutdown)."""
        while self._converting:
            await asyncio.gather(*self._converting.values(), return_exceptions=True)

    # -- running jobs ----------------------------------------------------------------------

    async def run_pending(self) -> int:
        """Run every pending render job and start pending PDF jobs; returns how many
        documents were stored (so the caller knows to deliver the outbox again)."""
        if not self._started:
            return 0
        made = 0
        seen: set[int] = set()
        async with self._lock:
            while True:  # again: a render just made may have queued its PDF job
                async with reading(self.db, self.agency) as tx:
                    jobs = [
                        j
                        for j in await tx.jobs.pending(limit=100)
                        if j.id not in seen and j.id not in self._finished
                    ]
                if not jobs:
                    return made
                for job in jobs:
                    seen.add(job.id)  # a failed job waits for the next call
                    if job.kind == RENDER:
                        made += await self._render(job)
                    elif job.kind in (PDF, DRAFT_PDF) and job.id not in self._converting:
                        self._start_conversion(job)

    async def _render(self, job: Job) -> int:
        makers = {
            DISPOSITION: self._disposition,
            APPROVAL: self._approval,
            FINAL_REPORT: self._final_report,
            STANDARD_REPORT: self._standard_report,
        }
        make = makers.get(str(job.payload.get("document")))
        if make is None or job.case_id is None:
            log.warning("job %d: no document %r to render; closed", job.id, job.payload)
            await self._close(job)
            return 0
        try:
            outputs = await make(job.case_id, job.payload)
            return await self._publish(job, job.case_id, outputs)
        except Exception as exc:  # a broken template or file must not stop the bot
            log.exception("job %d (%s of case %s) failed", job.id, job.payload, job.case_id)
            await self._failed(job, exc)
            return 0

    async def _load(self, case_id: int) -> tuple[Sop, CaseState, list[Any]]:
        async with reading(self.db, self.agency) as tx:
            state = await tx.cases.get(case_id)
            audit = await tx.audit.for_case(case_id)
        ctx = await self.service.context_for(state)
        return ctx.sop, state, list(audit)

    async def _stored(
        self, case_id: int, kind: str, fmt: str, source: str
    ) -> StoredDocument | None:
        async with reading(self.db, self.agency) as tx:
            return await Documents(tx.conn).find(case_id, kind, fmt, source)

    def _template(self, kind: DocumentKind) -> Path:
        return template_path(kind, self.settings.template_dir)

    def _common(self, sop: Sop, state: CaseState) -> dict[str, str]:
        return {"case_code": state.code, "period": doccontext.period_in_words(sop, state)}

    async def _disposition(self, case_id: int, payload: Mapping[str, Any]) -> list[_Output]:
        sop, state, audit = await self._load(case_id)
        step_key = str(payload.get("step"))
        source = doccontext.disposition_source(audit, step_key)
        filename = doccontext.file_name(DocumentKind.LEMBAR_DISPOSISI, state, self.config)
        if await self._stored(case_id, DISPOSITION, "docx", source) is not None:
            return []
        sheet = doccontext.disposition_sheet(
            sop, state, audit, self.config, step_key, self.settings.kop
        )
        data = await asyncio.to_thread(
            render_disposition, sheet, template=self._template(DocumentKind.LEMBAR_DISPOSISI)
        )
        return [
            _Output(
                DISPOSITION,
                "docx",
                filename,
                source,
                data,
                doccontext.disposition_audience(sop, state, audit, step_key),
                "documents.caption.disposition",
                {**self._common(sop, state), "name": sheet.disposition.by.name},
                pdf=True,
            )
        ]

    async def _approval_docx(
        self, sop: Sop, state: CaseState, audit: list[Any], source: str
    ) -> tuple[bytes, bool]:
        """The approval sheet's .docx and whether it still has to be stored."""
        stored = await self._stored(state.id, APPROVAL, "docx", source)
        if stored is not None:
            return await self.files.get(stored.sha256), False
        sheet = doccontext.approval_sheet(
            sop,
            state,
            audit,
            self.config,
            self.settings.kop,
            self.settings.approval_wording,
            self.bot_username,
        )
        data = await asyncio.to_thread(
            render_approval, sheet, template=self._template(DocumentKind.LEMBAR_PENGESAHAN)
        )
        return data, True

    def _signed_params(
        self, sop: Sop, state: CaseState, signed: doccontext.Signature
    ) -> dict[str, str]:
        return {
            **self._common(sop, state),
            "version": "-" if signed.version is None else str(state.shown_version(signed.version)),
            "code": signed.code(state.id),
        }

    async def _approval(self, case_id: int, payload: Mapping[str, Any]) -> list[_Output]:
        """Stored for the final report; sent on its own only when no final report follows."""
        sop, state, audit = await self._load(case_id)
        signed = self._signature(sop, state)
        source = signed.code(case_id)
        data, new = await self._approval_docx(sop, state, audit, source)
        if not new:
            return []
        step = sop.step(str(payload.get("step", signed.step.key)))
        alone = FINAL_REPORT not in step.documents
        return [
            _Output(
                APPROVAL,
                "docx",
                doccontext.file_name(DocumentKind.LEMBAR_PENGESAHAN, state, self.config),
                source,
                data,
                doccontext.final_report_audience(sop, state, audit, self.config) if alone else (),
                "documents.caption.approval",
                self._signed_params(sop, state, signed),
                pdf=alone,
            )
        ]

    @staticmethod
    def _signature(sop: Sop, state: CaseState) -> doccontext.Signature:
        signed = doccontext.signature(sop, state)
        if signed is None:
            raise doccontext.DocumentContextError(f"case {state.code} has not been signed")
        return signed

    async def _final_report(self, case_id: int, payload: Mapping[str, Any]) -> list[_Output]:
        sop, state, audit = await self._load(case_id)
        signed = self._signature(sop, state)
        source = signed.code(case_id)
        async with reading(self.db, self.agency) as tx:
            made = await Documents(tx.conn).for_case(case_id)
        if any(d.kind == FINAL_REPORT and d.source == source for d in made):
            return []
        approval, approval_new = await self._approval_docx(sop, state, audit, source)
        draft = await self.files.get(signed.sha256)
        final = await asyncio.to_thread(build_final_report, draft, approval)
        fmt = final.report_format.value
        if fmt == "bin":  # kept as uploaded: its own extension
            uploaded = [f.filename for f in state.files if f.sha256 == signed.sha256]
            fmt = PurePath(uploaded[-1] if uploaded else "laporan.bin").suffix.lstrip(".")
        audience = doccontext.final_report_audience(sop, state, audit, self.config)
        # Whose task waits for the report (`waits_for`): their task message is the report.
        held = held_document(state) == FINAL_REPORT
        carried = {t.assignee for t in state.current_tasks() if t.is_open} if held else set()
        params = self._signed_params(sop, state, signed)
        apart = final.approval_sheet is not None
        outputs = [
            _Output(
                FINAL_REPORT,
                fmt,
                doccontext.file_name(
                    DocumentKind.LAPORAN_KINERJA, state, self.config, "final", fmt
                ),
                source,
                final.report,
                [officer for officer in audience if officer not in carried],
                "documents.caption.final_apart" if apart else "documents.caption.final",
                params,
                pdf=fmt == "docx",
            )
        ]
        if apart or approval_new:
            outputs.append(
                _Output(
                    APPROVAL,
                    "docx",
                    doccontext.file_name(DocumentKind.LEMBAR_PENGESAHAN, state, self.config),
                    source,
                    approval if approval_new else None,
                    audience if apart else (),
                    "documents.caption.approval",
                    params,
                    pdf=apart,
                )
            )
        return outputs

    async def _standard_report(self, case_id: int, payload: Mapping[str, Any]) -> list[_Output]:
        sheet_id = int(payload.get("sheet", 0))
        source = f"sheet:{sheet_id}"
        if await self._stored(case_id, STANDARD_REPORT, "docx", source) is not None:
            return []
        async with reading(self.db, self.agency) as tx:
            row = await Documents(tx.conn).sheet(sheet_id)
        if row is None:
            raise LookupError(f"indicator sheet {sheet_id} is not stored")
        sop, state, _ = await self._load(case_id)
        data = await self.files.get(row.sha256)
        sheet = await asyncio.to_thread(read_sheet, data, row.filename)
        today = row.uploaded_at.astimezone(self.config.agency.timezone).date()
        report = doccontext.performance_report(
            sop, state, self.config, sheet, self.settings.rules, today, self.settings.kop
        )
        docx = await asyncio.to_thread(
            render_report, report, template=self._template(DocumentKind.LAPORAN_KINERJA)
        )
        return [
            _Output(
                STANDARD_REPORT,
                "docx",
                doccontext.file_name(
                    DocumentKind.LAPORAN_KINERJA, state, self.config, "format_baku"
                ),
                source,
                docx,
                (row.uploaded_by,),
                "documents.caption.standard_report",
                {**self._common(sop, state), "filename": row.filename},
                pdf=True,
            )
        ]

    # -- storing and sending ---------------------------------------------------------------

    async def _publish(self, job: Job, case_id: int, outputs: list[_Output]) -> int:
        """Files to disk first, then one transaction: rows, outbox, PDF jobs, job done."""
        crashpoint("document.rendering")
        hashes = [await self.files.put(o.data) if o.data is not None else None for o in outputs]
        crashpoint("document.stored")
        now = self.clock.now()
        stored: list[StoredDocument] = []
        async with unit_of_work(self.db, self.agency) as tx:
            code = (await tx.cases.get(case_id)).code
            documents = Documents(tx.conn)
            for output, sha in zip(outputs, hashes, strict=True):
                document = await documents.find(case_id, output.kind, output.fmt, output.source)
                if document is None:
                    if sha is None:
                        raise LookupError(f"{output.kind} of {output.source} is not stored")
                    doc_id = await documents.add(
                        case_id, output.kind, output.fmt, sha, output.filename, output.source, now
                    )
                    document = await documents.get(doc_id)
                    assert document is not None
                    stored.append(document)
                offers_pdf = output.pdf and bool(output.recipients) and self.makes_pdf
                await self._send(tx, case_id, document, output, output.fmt, now, offers_pdf)
                if offers_pdf:
                    # Converted ahead, sent only when an officer presses "PDF" (a copy to
                    # read on a phone, never pushed beside the .docx).
                    await tx.jobs.add(
                        PDF,
                        case_id,
                        {
                            "document": document.id,
                            "recipients": [],
                            "caption": output.caption,
                            "params": dict(output.params),
                        },
                        now,
                    )
            for document in stored:
                self.index.note(document)  # a released task's message carries it
            try:
                for kind in dict.fromkeys(d.kind for d in stored):
                    await self.service.release_held(tx, case_id, kind, now)
                await tx.jobs.done(job.id, now)
            except BaseException:
                for document in stored:
                    self.index.forget(document)
                raise
        self._finished.add(job.id)
        await self._export(code, [o for o in outputs if o.data and o.kind != DRAFT_KIND])
        return len(stored)

    async def _export(self, code: str, outputs: list[_Output]) -> None:
        """Copies in `[storage] output/<case code>/` for the office's own filing."""
        folder = self.config.storage.output / code
        for output in outputs:
            assert output.data is not None
            try:
                await asyncio.to_thread(write_copy, folder, output.filename, output.data)
            except OSError:
                log.warning("could not copy %s into %s", output.filename, folder, exc_info=True)

    async def _send(
        self,
        tx: Tx,
        case_id: int,
        document: StoredDocument,
        output: _Output,
        fmt: str,
        now: datetime,
        offers_pdf: bool = False,
    ) -> None:
        for officer in output.recipients:
            lang = await language_of(tx, self.directory, officer)
            caption = self.catalogue.text(
                lang,
                output.caption,
                **output.params,
                format=self.catalogue.plain(lang, f"documents.format.{_format_key(fmt)}"),
            )
            buttons = []
            if offers_pdf:
                text = self.catalogue.plain(lang, "task.button.pdf")
                buttons = [[{"text": text, "data": document_callback(document.id, pdf=True)}]]
            message = SendDocument(document.sha256, document.filename, caption, buttons)
            out = Outgoing(officer_key=officer, message=message)
            await enqueue(tx, out, now, case_id=case_id)

    async def _close(self, job: Job) -> None:
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.jobs.done(job.id, self.clock.now())

    async def _failed(
        self, job: Job, error: BaseException | str, *, tell_admins: bool = True
    ) -> None:
        """Count the attempt; after the last one close the job and tell the admins."""
        text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        now = self.clock.now()
        final = job.attempts + 1 >= MAX_ATTEMPTS
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.jobs.failed(job.id, text)
            if not final:
                return
            await tx.jobs.done(job.id, now)
            if not tell_admins or job.case_id is None:
                return
            state = await tx.cases.get(job.case_id)
            document = str(job.payload.get("document", job.kind))
            # A task held for this document goes out without it rather than never.
            await self.service.release_held(tx, job.case_id, document, now)
            name_key = f"documents.name.{document}"
            await notify_admins(
                tx,
                self.directory,
                now,
                lambda lang: self.catalogue.text(
                    lang,
                    "documents.render_failed",
                    document=self.catalogue.plain(lang, name_key)
                    if self.catalogue.has(name_key)
                    else document,
                    case_code=state.code,
                ),
            )
        log.error("job %d given up after %d attempts: %s", job.id, MAX_ATTEMPTS, text)

    # -- PDF copies ------------------------------------------------------------------------

    def _start_conversion(self, job: Job) -> None:
        task = asyncio.create_task(self._convert(job), name=f"pdf-job-{job.id}")
        self._converting[job.id] = task
        task.add_done_callback(lambda _: self._converting.pop(job.id, None))

    async def _convert(self, job: Job) -> None:
        try:
            await self._convert_job(job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("PDF job %d failed", job.id)
            await self._failed(job, exc, tell_admins=False)

    async def _convert_job(self, job: Job) -> None:
        if job.kind == DRAFT_PDF:
            await self._convert_draft(job)
            return
        payload = job.payload
        async with reading(self.db, self.agency) as tx:
            document = await Documents(tx.conn).get(int(payload.get("document", 0)))
        if document is None or job.case_id is None:
            await self._close(job)
            return
        pdf_name = str(PurePath(document.filename).with_suffix(".pdf"))
        existing = await self._stored(job.case_id, document.kind, "pdf", document.source)
        data: bytes | None = None
        if existing is None:
            if self.converter is None:
                await self._close(job)
                return
            docx = await self.files.get(document.sha256)
            data = await self.converter.convert(docx, document.filename)
            if data is None:  # soffice said why in the log; the .docx went out already
                await self._failed(job, "no PDF produced", tell_admins=False)
                return
        output = _Output(
            document.kind,
            "pdf",
            pdf_name,
            document.source,
            data,
            tuple(str(r) for r in payload.get("recipients", ())),
            str(payload.get("caption", "")),
            {str(k): str(v) for k, v in dict(payload.get("params", {})).items()},
        )
        await self._publish(job, job.case_id, [output])
        await self._deliver_late(pdf_name)

    async def _convert_draft(self, job: Job) -> None:
        """The draft version under review as PDF, for the reviewer who reads on a phone.

        Converted once per version (stored as its own document); each reviewer's job
        only sends it. The .docx (the file that counts) went with the task message.
        """
        payload = job.payload
        if job.case_id is None or self.converter is None:
            await self._close(job)
            return
        version = str(payload.get("version", ""))
        source = f"draft:{version}"
        name = PurePath(str(payload.get("filename", "draf"))).with_suffix(".pdf").name
        data: bytes | None = None
        if await self._stored(job.case_id, DRAFT_KIND, "pdf", source) is None:
            docx = await self.files.get(str(payload.get("sha256", "")))
            data = await self.converter.convert(docx, name)
            if data is None:  # the .docx went out with the task; the log says why
                await self._failed(job, "no PDF produced", tell_admins=False)
                return
        output = _Output(
            DRAFT_KIND,
            "pdf",
            name,
            source,
            data,
            tuple(o for o in (str(payload.get("officer", "")),) if o),  # none: made ahead
            "documents.draft_pdf",
            # "shown" is the draft's number as officers read it (a job queued by an
            # older version of the bot has only the file number)
            {
                "case_code": str(payload.get("case_code", "")),
                "version": str(payload.get("shown", version)),
            },
        )
        await self._publish(job, job.case_id, [output])
        await self._deliver_late(f"draft {name}")

    async def _deliver_late(self, what: str) -> None:
        """Send a PDF that was committed after its action delivered the outbox."""
        if self.deliver is None:
            return
        try:  # the PDF is committed; the outbox retry delivers it if this fails
            await self.deliver()
        except Exception:
            log.warning("PDF of %s stored; delivery deferred", what, exc_info=True)


def _format_key(fmt: str) -> str:
    return fmt if fmt in ("docx", "pdf") else "other"
