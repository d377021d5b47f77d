"""What the documents add to task messages, answered from memory (the presenter does no I/O).

`CataloguePresenter` asks its `TaskExtras` for buttons and attachments; this is that
object for the documents. It lives in the services layer, not in `bot.views`, because it
reads the case's signature and the document kinds (`bot.documents.context`, a sibling the
views may not import), asks `offers_sheet_upload` and reads the `DocumentIndex` the worker
keeps.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.sop import Step, StepKind
from bot.core.workflow import CaseState, Context, Task
from bot.documents import context as doccontext
from bot.documents.context import FINAL_REPORT, STANDARD_REPORT
from bot.services.document_index import DocumentIndex
from bot.services.sheet_upload import offers_sheet_upload
from bot.views.callbacks import document_callback, draft_pdf_callback, sheet_callback
from bot.views.i18n import Catalogue
from bot.views.outgoing import SendDocument
from storage.documents import StoredDocument

__all__ = ["DocumentExtras"]

Button = dict[str, str]


class DocumentExtras:
    """Buttons and attachments the documents add to task messages (see `CataloguePresenter`).

    * The sheet button goes on upload steps of the role that owns the figures
      (`data_role`): there the report's content is written.
    * The standard-format report made from that sheet is a button on the first task of
      the other upload steps (the typist's): one press sends it, next to the draft.
    * After the signature, steps that carry the draft carry the final report instead.
    * A task on a .docx has a "PDF" button, when PDFs are made: the .docx is the task's
      own file (what is edited, uploaded back and signed, and it goes out at once),
      the PDF a copy to read on a phone, sent on demand (converted ahead, in the
      background) instead of a second file pushed into every reviewer's chat.
    """

    def __init__(
        self,
        catalogue: Catalogue,
        index: DocumentIndex,
        data_role: str,
        makes_pdf: Callable[[], bool] = lambda: False,
    ) -> None:
        self.catalogue = catalogue
        self.index = index
        self.data_role = data_role
        self.makes_pdf = makes_pdf

    def buttons(self, ctx: Context, state: CaseState, task: Task, lang: str) -> list[list[Button]]:
        step = ctx.sop.step(task.step_key)
        rows: list[list[Button]] = []
        pdf = self._pdf_button(ctx, state, task, lang)
        if pdf is not None:
            rows.append([pdf])
        if offers_sheet_upload(step, self.data_role):
            text = self.catalogue.plain(lang, "documents.button.upload_sheet")
            rows.append([{"text": text, "data": sheet_callback(state.id, task.seq)}])
        report = self._standard_report(state, task, step)
        if report is not None:
            text = self.catalogue.plain(lang, "documents.button.standard_report")
            rows.append([{"text": text, "data": document_callback(report.id)}])
        return rows

    def _standard_report(self, state: CaseState, task: Task, step: Step) -> StoredDocument | None:
        if step.kind is not StepKind.UPLOAD or self.data_role in step.roles or task.round != 1:
            return None
        return self.index.latest(state.id, STANDARD_REPORT)

    def _pdf_button(self, ctx: Context, state: CaseState, task: Task, lang: str) -> Button | None:
        """ "PDF" under a task whose file is a .docx (the final report, or the draft)."""
        step = ctx.sop.step(task.step_key)
        draft = state.latest_draft
        if not (step.works_on_draft and draft is not None and self.makes_pdf()):
            return None
        text = self.catalogue.plain(lang, "task.button.pdf")
        final = self._final(ctx, state, task)
        if final is not None:
            if not final.filename.lower().endswith(".docx"):
                return None
            return {"text": text, "data": document_callback(final.id, pdf=True)}
        if not draft.filename.lower().endswith(".docx"):
            return None
        return {"text": text, "data": draft_pdf_callback(state.id, draft.number)}

    @staticmethod
    def _after_signature(ctx: Context, state: CaseState, task: Task) -> bool:
        signed = doccontext.signature(ctx.sop, state)
        return signed is not None and ctx.sop.step(task.step_key).number > signed.step.number

    def _final(self, ctx: Context, state: CaseState, task: Task) -> StoredDocument | None:
        """The signed final report, for a step after the signature."""
        if not self._after_signature(ctx, state, task):
            return None
        signed = doccontext.signature(ctx.sop, state)
        assert signed is not None
        final = self.index.latest(state.id, FINAL_REPORT)
        return final if final is not None and final.source == signed.code(state.id) else None

    def attachments(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        lang: str,
        default: list[SendDocument],
    ) -> list[SendDocument]:
        """After the signature the final report stands in for the draft, and is the file
        of a step that waits for it; never the unsigned draft (a text task when the
        report could not be made)."""
        carries_file = bool(default) or bool(ctx.sop.step(task.step_key).waits_for)
        if not carries_file or not self._after_signature(ctx, state, task):
            return default
        final = self._final(ctx, state, task)
        return [SendDocument(final.sha256, final.filename)] if final is not None else []
