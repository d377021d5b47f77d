"""The newest final and standard-format report of each case, kept in memory.

The presenter must not do I/O, yet the task messages that follow a signature carry the
final report and the typist's first task carries the standard-format report. So the
document worker rebuilds this index at start-up and notes every document it stores, and
`DocumentExtras` only looks things up here.
"""

from __future__ import annotations

from typing import Final

from bot.documents.context import FINAL_REPORT, STANDARD_REPORT
from storage.db import Database
from storage.documents import Documents, StoredDocument
from storage.uow import reading

__all__ = ["DocumentIndex"]


class DocumentIndex:
    """Of several files made from one source (the .docx, then its PDF) the first is kept:
    the editable or as-signed file. A newer source (a new sheet, another signature)
    replaces it.
    """

    KINDS: Final = (FINAL_REPORT, STANDARD_REPORT)

    def __init__(self) -> None:
        self._latest: dict[tuple[int, str], StoredDocument] = {}

    def note(self, document: StoredDocument) -> None:
        if document.kind not in self.KINDS:
            return
        key = (document.case_id, document.kind)
        current = self._latest.get(key)
        if current is None or (current.source != document.source and document.id > current.id):
            self._latest[key] = document

    def forget(self, document: StoredDocument) -> None:
        """Undo `note` for a document whose transaction did not commit."""
        key = (document.case_id, document.kind)
        if self._latest.get(key) == document:
            del self._latest[key]

    def latest(self, case_id: int, kind: str) -> StoredDocument | None:
        return self._latest.get((case_id, kind))

    async def load(self, db: Database, agency: str) -> None:
        async with reading(db, agency) as tx:
            documents = await Documents(tx.conn).of_kinds(self.KINDS)
        for document in documents:
            self.note(document)
