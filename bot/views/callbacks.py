"""Every button's callback data: how it is written, how it is read back, in one place.

Callback data is compact ASCII carrying ids only; nothing in it is trusted (the engine and
the services re-check everything). Telegram refuses data over 64 bytes and PTB does not
check it, so every encoder below goes through the one `_checked`. The strings on the wire
must never change: buttons already sitting in officers' chats must keep working.

Formats (one prefix per feature):
- `t:<case>:<task>:<op>[:<arg>]`  a task button (`TaskOp`), the arg a version, an item
  index or an order-selection bitmask; `un` (undo) names a task already done;
- `q:<op>:<case>[:<arg>]`  /tugas, /riwayat, /berkas buttons (`QueryOp`);
- `u:<pending>:<case>:<task>`  which task a file sent without context is for;
- `ui:<pending>:<case>:<task>:<item>`  which checklist item a file is for;
- `dc:<case>:<task>`  "Unggah data capaian" (the indicator sheet, no engine action);
- `dg:<case>`  a case's details under the daily digest; `ng:<case>` its "Ingatkan";
- `td:<case>:<task>`  a task's full text ("Rincian" under a task on a draft);
- `dp:<case>:<version>`  the PDF of a draft version, sent on demand;
- `df:<document>[:p]`  a stored document, or (`:p`) its PDF copy, sent on demand;
- `pg:<view>:<page>`  a page of a long answer (`PagedView`: the digest and /ringkasan,
  /status, the case choice of /riwayat and /berkas), the page counted from 1;
- `sc:<question>:<value>`, `sc:skip`, `sc:go`, `sc:no`  the /mulai dialog;
- `inv:p:<page>`, `inv:o:<officer>`  the /undang list; `lang:<code>`  /bahasa.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Final

from bot.views.i18n import SUPPORTED_LANGUAGES

MAX_BYTES: Final = 64


def _checked(data: str) -> str:
    """Telegram refuses callback data over 64 bytes, and PTB does not check it for us."""
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


# -- task buttons ---------------------------------------------------------------------------


class TaskOp(enum.StrEnum):
    """What a task button asks for (the two letters on the wire)."""

    APPROVE = "ap"
    PARAF = "pf"
    SIGN = "sg"  # "Tanda tangani": asks first (a signature cannot be taken back)
    RETURN = "rt"
    COMPLETE = "ok"
    SKIP = "sk"
    TICK = "ck"
    UNTICK = "uk"
    ORDER_SELECT = "os"  # toggles one officer in the order selection: only the buttons change
    ORDER = "od"
    SIGN_CONFIRMED = "sy"  # "Ya, tanda tangani": signs the version in the arg
    SIGN_BACK = "sn"  # "Batal" under the question: the task's own buttons again
    UNDO = "un"  # "Urungkan" under one's own approval or paraf


TASK_PATTERN: Final = re.compile(r"^t:(\d{1,9}):(\d{1,6}):([a-z]{2})(?::(\d{1,12}))?$")
_TASK_OPS: Final = frozenset(op.value for op in TaskOp)


@dataclass(frozen=True, slots=True)
class TaskPress:
    """A task button as pressed; `op` is None for two letters this bot does not know
    (a forged press, answered as a wrong action once the task itself has been checked)."""

    case_id: int
    task: int
    op: TaskOp | None
    arg: int | None


def task_callback(case_id: int, task_seq: int, op: TaskOp, arg: int | None = None) -> str:
    return _checked(f"t:{case_id}:{task_seq}:{op.value}" + ("" if arg is None else f":{arg}"))


def parse_task(data: str | None) -> TaskPress | None:
    match = TASK_PATTERN.match(data or "")
    if match is None:
        return None
    word, arg = match.group(3), match.group(4)
    op = TaskOp(word) if word in _TASK_OPS else None
    return TaskPress(int(match.group(1)), int(match.group(2)), op, int(arg) if arg else None)


# -- /tugas, /riwayat, /berkas --------------------------------------------------------------


class QueryOp(enum.StrEnum):
    TASK = "t"  # show a task message again (arg: the task)
    HISTORY = "h"
    VERSIONS = "b"  # the draft versions of a case
    FILE = "f"  # send one version (arg: its number)


QUERY_PATTERN: Final = re.compile(r"^q:([thbf]):(\d{1,9})(?::(\d{1,9}))?$")
_QUERY_WITH_ARG: Final = frozenset({QueryOp.TASK, QueryOp.FILE})


@dataclass(frozen=True, slots=True)
class QueryPress:
    op: QueryOp
    case_id: int
    arg: int | None


def query_callback(op: QueryOp, case_id: int, arg: int | None = None) -> str:
    return _checked(f"q:{op.value}:{case_id}" + ("" if arg is None else f":{arg}"))


def parse_query(data: str | None) -> QueryPress | None:
    match = QUERY_PATTERN.match(data or "")
    if match is None:
        return None
    op, case_id, arg = QueryOp(match.group(1)), int(match.group(2)), match.group(3)
    if (arg is not None) != (op in _QUERY_WITH_ARG):
        return None
    return QueryPress(op, case_id, int(arg) if arg is not None else None)


# -- files waiting for their task or item ---------------------------------------------------

PICK_TASK_PATTERN: Final = re.compile(r"^u:(\d{1,12}):(\d{1,9}):(\d{1,6})$")
PICK_ITEM_PATTERN: Final = re.compile(r"^ui:(\d{1,12}):(\d{1,9}):(\d{1,6}):(\d{1,3})$")


@dataclass(frozen=True, slots=True)
class FilePick:
    """The task (and, for a checklist, the item index) a waiting file was sent for."""

    pending: int
    case_id: int
    task: int
    item: int | None = None


def pick_task_callback(pending: int, case_id: int, task_seq: int) -> str:
    return _checked(f"u:{pending}:{case_id}:{task_seq}")


def pick_item_callback(pending: int, case_id: int, task_seq: int, item: int) -> str:
    return _checked(f"ui:{pending}:{case_id}:{task_seq}:{item}")


def parse_pick_task(data: str | None) -> FilePick | None:
    match = PICK_TASK_PATTERN.match(data or "")
    if match is None:
        return None
    pending, case_id, seq = (int(g) for g in match.groups())
    return FilePick(pending, case_id, seq)


def parse_pick_item(data: str | None) -> FilePick | None:
    match = PICK_ITEM_PATTERN.match(data or "")
    if match is None:
        return None
    pending, case_id, seq, item = (int(g) for g in match.groups())
    return FilePick(pending, case_id, seq, item)


# -- the indicator sheet and the digest -----------------------------------------------------

SHEET_PATTERN: Final = re.compile(r"^dc:(\d{1,9}):(\d{1,6})$")
"""The "Unggah data capaian" button (not `t:`: it is no engine action)."""

DETAIL_PATTERN: Final = re.compile(r"^dg:(\d{1,9})$")
NUDGE_PATTERN: Final = re.compile(r"^ng:(\d{1,9})$")
"""The digest's "Ingatkan": one nudge to the holders of a case's open step."""


def sheet_callback(case_id: int, task_seq: int) -> str:
    return _checked(f"dc:{case_id}:{task_seq}")


def parse_sheet(data: str | None) -> tuple[int, int] | None:
    """(case, task) of a sheet-upload press."""
    match = SHEET_PATTERN.match(data or "")
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def nudge_callback(case_id: int) -> str:
    return _checked(f"ng:{case_id}")


def parse_nudge(data: str | None) -> int | None:
    """The case of an "Ingatkan" press."""
    match = NUDGE_PATTERN.match(data or "")
    return None if match is None else int(match.group(1))


def detail_callback(case_id: int) -> str:
    return _checked(f"dg:{case_id}")


def parse_detail(data: str | None) -> int | None:
    """The case of a digest detail press."""
    match = DETAIL_PATTERN.match(data or "")
    return None if match is None else int(match.group(1))


# -- a task's full text and the files sent on demand ---------------------------------------

TASK_DETAIL_PATTERN: Final = re.compile(r"^td:(\d{1,9}):(\d{1,6})$")
DRAFT_PDF_PATTERN: Final = re.compile(r"^dp:(\d{1,9}):(\d{1,6})$")
DOCUMENT_PATTERN: Final = re.compile(r"^df:(\d{1,12})(:p)?$")


def task_detail_callback(case_id: int, task_seq: int) -> str:
    return _checked(f"td:{case_id}:{task_seq}")


def parse_task_detail(data: str | None) -> tuple[int, int] | None:
    """(case, task) of a "Rincian" press."""
    match = TASK_DETAIL_PATTERN.match(data or "")
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def draft_pdf_callback(case_id: int, version: int) -> str:
    return _checked(f"dp:{case_id}:{version}")


def parse_draft_pdf(data: str | None) -> tuple[int, int] | None:
    """(case, draft version) of a draft's "PDF" press."""
    match = DRAFT_PDF_PATTERN.match(data or "")
    return None if match is None else (int(match.group(1)), int(match.group(2)))


def document_callback(document_id: int, *, pdf: bool = False) -> str:
    return _checked(f"df:{document_id}" + (":p" if pdf else ""))


def parse_document(data: str | None) -> tuple[int, bool] | None:
    """(stored document, whether its PDF copy is asked for) of an on-demand press."""
    match = DOCUMENT_PATTERN.match(data or "")
    return None if match is None else (int(match.group(1)), match.group(2) is not None)


# -- pages of a long answer ----------------------------------------------------------------


class PagedView(enum.StrEnum):
    """Which answer a page button turns the page of (the letter on the wire)."""

    DIGEST = "d"  # the daily digest and /ringkasan
    STATUS = "s"  # /status
    HISTORY_CHOICE = "h"  # /riwayat without a code
    FILES_CHOICE = "b"  # /berkas without a code


PAGE_PATTERN: Final = re.compile(r"^pg:([dshb]):(\d{1,5})$")


@dataclass(frozen=True, slots=True)
class PagePress:
    view: PagedView
    page: int  # from 1; may lie past the last page when the answer has shrunk since


def page_callback(view: PagedView, page: int) -> str:
    return _checked(f"pg:{view.value}:{page}")


def page_pattern(*views: PagedView) -> re.Pattern[str]:
    """The page buttons of these views only (each feature's handler takes its own)."""
    letters = "".join(v.value for v in views)
    return re.compile(rf"^pg:([{letters}]):(\d{{1,5}})$")


def parse_page(data: str | None) -> PagePress | None:
    match = PAGE_PATTERN.match(data or "")
    if match is None or int(match.group(2)) < 1:
        return None
    return PagePress(PagedView(match.group(1)), int(match.group(2)))


# -- /mulai ---------------------------------------------------------------------------------

START_CHOICE_PATTERN: Final = re.compile(r"^sc:([spyu]):([A-Za-z0-9_]{1,56})$")
START_ANY_PATTERN: Final = re.compile(r"^sc:")
START_SKIP: Final = "sc:skip"
START_GO: Final = "sc:go"
START_STOP: Final = "sc:no"


def start_choice(question: str, value: str) -> str:
    """An answer to one /mulai question (s = SOP, p = period, y = year, u = urgency);
    the value is re-checked against the open question."""
    return _checked(f"sc:{question}:{value}")


def start_choice_pattern(question: str) -> re.Pattern[str]:
    return re.compile(rf"^sc:{question}:([A-Za-z0-9_]{{1,56}})$")


# -- /undang and /bahasa --------------------------------------------------------------------

INVITE_PAGE_PATTERN: Final = re.compile(r"^inv:p:(\d{1,4})$")
INVITE_PICK_PATTERN: Final = re.compile(r"^inv:o:([a-z][a-z0-9_]{0,39})$")
LANGUAGE_PATTERN: Final = re.compile(rf"^lang:({'|'.join(SUPPORTED_LANGUAGES)})$")


def invite_page_callback(page: int) -> str:
    return _checked(f"inv:p:{page}")


def invite_pick_callback(officer_key: str) -> str:
    return _checked(f"inv:o:{officer_key}")


def language_callback(lang: str) -> str:
    return _checked(f"lang:{lang}")


# -- /wakil ---------------------------------------------------------------------------------

ACTING_CHOICE_PATTERN: Final = re.compile(r"^wk:([kasp]):([A-Za-z0-9_]{1,56})$")


def acting_choice(question: str, value: str) -> str:
    """An answer to one /wakil question (k = kind, a = absent official, s = stand-in,
    p = appointer); the value is re-checked against the open question."""
    return _checked(f"wk:{question}:{value}")
