"""One page of a long answer, and the buttons that turn it.

/ringkasan (and the daily digest), /status and the case choice of /riwayat and /berkas answer
in ONE message however many cases there are: the counts and the first page, then
"previous"/"next" buttons that edit the message in place (`pg:<view>:<page>`, written by
`bot.views.callbacks`). A page button is read again long after it was sent: by then the
answer may have shrunk, so a page past the end shows the last page instead of nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.sop import Sop
from bot.core.workflow import CaseState
from bot.views.callbacks import PagedView, page_callback
from bot.views.i18n import Catalogue
from storage.cases import BoardRow

T = TypeVar("T")

Button = dict[str, str]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int  # from 1, within 1..count
    count: int  # pages in all, at least 1

    @property
    def is_first(self) -> bool:
        return self.number == 1


@dataclass(frozen=True, slots=True)
class Board:
    """One page of the running cases as /status and the digest show them: every case's
    narrow row in the board's order (what the counts are taken from), and only the
    page's cases read whole, with the SOP each started with."""

    rows: Sequence[BoardRow]
    page: Page[tuple[CaseState, Sop]]


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` (from 1) of `items`; past the end, the last page (the answer shrank)."""
    count = max(1, -(-len(items) // size))
    number = min(max(number, 1), count)
    start = (number - 1) * size
    return Page(items[start : start + size], number, count)


def counted_page(total: int, number: int, size: int) -> tuple[int, int]:
    """(page number, page count) for `total` items fetched a page at a time from storage."""
    count = max(1, -(-total // size))
    return min(max(number, 1), count), count


def nav_row(
    catalogue: Catalogue, lang: str, view: PagedView, number: int, count: int
) -> list[Button]:
    """ "Previous" and "next" as far as there are pages that way; nothing for one page."""
    row: list[Button] = []
    if number > 1:
        text = catalogue.plain(lang, "query.button.previous_page")
        row.append({"text": text, "data": page_callback(view, number - 1)})
    if number < count:
        text = catalogue.plain(lang, "query.button.next_page")
        row.append({"text": text, "data": page_callback(view, number + 1)})
    return row


def footer(catalogue: Catalogue, lang: str, number: int, count: int) -> str | None:
    """ "Page 2 of 9" under an answer of several pages; None for one page."""
    if count <= 1:
        return None
    return catalogue.text(lang, "query.page.footer", page=number, pages=count)
