"""What the documents add to task messages, answered from memory (the presenter does no I/O).

`CataloguePresenter` asks its `TaskExtras` for buttons and attachments; this is that
object for the documents. It lives in the services layer, not in `bot.views`, because it
reads the case's signature and the document kinds (`bot.documents.context`, a sibling the
views may not import), asks `offers_sheet_upload` and reads the `DocumentIndex` the worker
keeps.
"""

from __future__ import annotations

from bot.core.sop import StepKind
from bot.core.workflow import CaseState, Context, Task
from bot.documents import context as doccontext
from bot.documents.context import FINAL_REPORT, STANDARD_REPORT
from bot.services.document_index import DocumentIndex
from bot.services.sheet_upload import offers_sheet_upload
from bot.views.callbacks import sheet_callback
from bot.views.i18n import Catalogue
from bot.views.outgoing import SendDocument
from storage.documents import StoredDocument

__all__ = ["DocumentExtras"]

Button = dict[str, str]


class DocumentExtras:
    """Buttons and attachments the documents add to task messages (see `CataloguePresenter`).

    * The sheet button goes on upload steps of the role that owns the figures
      (`data_role`): there the report's content is written.
    * The standard-format report made from that sheet goes with the first task of the
      other upload steps (the typist's), next to the draft they type into.
    * After the signature, steps that carry the draft carry the final report instead.
    """

    def __init__(self, catalogue: Catalogue, index: DocumentIndex, data_role: str) -> None:
        self.catalogue = catalogue
        self.index = index
        self.data_role = data_role

    def buttons(self, ctx: Context, state: CaseState, task: Task, lang: str) -> list[list[Button]]:
        if not offers_sheet_upload(ctx.sop.step(task.step_key), self.data_role):
            return []
        text = self.catalogue.plain(lang, "documents.button.upload_sheet")
        return [[{"text": text, "data": sheet_callback(state.id, task.seq)}]]

    def attachments(
        self,
        ctx: Context,
        state: CaseState,
        task: Task,
        lang: str,
        default: list[SendDocument],
    ) -> list[SendDocument]:
        step = ctx.sop.step(task.step_key)
        signed = doccontext.signature(ctx.sop, state)
        if signed is not None and step.number > signed.step.number:
            final = self.index.latest(state.id, FINAL_REPORT)
            if default and final is not None and final.source == signed.code(state.id):
                caption = self.catalogue.text(
                    lang, "documents.attached.final", case_code=state.code, filename=final.filename
                )
                return [_document(final, caption)]
            return default
        if step.kind is StepKind.UPLOAD and self.data_role not in step.roles and task.round == 1:
            report = self.index.latest(state.id, STANDARD_REPORT)
            if report is not None:
                caption = self.catalogue.text(
                    lang,
                    "documents.attached.standard_report",
                    case_code=state.code,
                    filename=report.filename,
                )
                return [*default, _document(report, caption)]
        return default


def _document(document: StoredDocument, caption: str) -> SendDocument:
    return SendDocument(document.sha256, document.filename, caption)
