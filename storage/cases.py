"""Cases, their tasks and file versions: the workflow core's `CaseState` on disk.

A case row holds the scalar state and small JSON columns; tasks and files have their own
tables so that "my open tasks" and "versions of this draft" are plain queries. `save`
writes the whole case (tasks are few per case) and checks a revision counter, so a state
loaded before another unit of work changed it can never overwrite that change.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.workflow import (
    CaseState,
    CaseStatus,
    FileVersion,
    ItemState,
    ItemStatus,
    Task,
    TaskStatus,
)
from storage.codec import dumps, from_iso, loads, opt_from_iso, opt_iso, to_iso
from storage.query import fetch_all, fetch_one

Row = sqlite3.Row | Mapping[str, Any]  # a row read as is, or one of a JSON array of rows


class CaseNotFound(LookupError):
    pass


class ConcurrentUpdate(RuntimeError):
    """The case changed since it was read: the caller must re-read and try again."""


class DuplicateOpenCase(RuntimeError):
    """An open case of this SOP and period already exists."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A case as a button offers it: which one, and whether it still runs."""

    id: int
    code: str
    status: CaseStatus


@dataclass(frozen=True, slots=True)
class BoardRow:
    """A running case as /status and the digest order it: the deadline it is measured by
    and its code, read from narrow columns (no case is decoded to order or count them)."""

    id: int
    code: str
    deadline: datetime | None  # None: no task at its current step (it sorts last)


# The columns of a task and of a file row, in the order of `_task_row` and `_file_row`:
# what `save` writes and what `get` reads back.
_TASK_COLUMNS = (
    "case_id", "seq", "step_key", "round", "assignee", "status", "created_at", "deadline",
    "closed_at", "outcome", "reason", "version", "closed_by", "data_json",
)  # fmt: skip
_FILE_COLUMNS = (
    "case_id", "number", "sha256", "filename", "size", "mime", "uploaded_by", "uploaded_at",
    "step_key", "task_seq", "purpose", "item", "draft_number",
)  # fmt: skip
_TASK_KEEPS = 4  # case, seq, step, round: what an upsert of a task never changes


def _insert(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _json_rows(table: str, columns: Sequence[str]) -> str:
    """A subquery giving the case's rows of `table` as one JSON array of objects, so
    that a case, its tasks and its files come back in one query."""
    fields = ", ".join(f"'{c}', {c}" for c in columns)
    return f"(SELECT json_group_array(json_object({fields})) FROM {table} WHERE case_id = c.id)"


_UPSERT_TASKS = (
    f"{_insert('tasks', _TASK_COLUMNS)} ON CONFLICT (case_id, seq) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _TASK_COLUMNS[_TASK_KEEPS:])
)
_INSERT_FILES = f"{_insert('files', _FILE_COLUMNS)} ON CONFLICT (case_id, number) DO NOTHING"
_WHOLE_CASE = (
    f"SELECT c.*, {_json_rows('tasks', _TASK_COLUMNS)} AS tasks_json, "
    f"{_json_rows('files', _FILE_COLUMNS)} AS files_json FROM cases c"
)


class Cases:
    """Every query is one hop to aiosqlite's thread (`storage.query`): a case with its
    tasks and files is one query (`get`), a page of cases three.

    A case read by `get` remembers what its task and file rows were, so `save` writes only
    the tasks that changed and the files that are new: a checklist tick writes the case
    row alone, not every task the case ever had."""

    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency
        self._revisions: dict[int, int] = {}
        self._task_rows: dict[int, dict[int, tuple[Any, ...]]] = {}
        self._file_numbers: dict[int, set[int]] = {}

    async def next_id(self) -> int:
        row = await fetch_one(self.conn, "SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
        assert row is not None
        return int(row[0])

    async def get(self, case_id: int) -> CaseState:
        row = await fetch_one(self.conn, f"{_WHOLE_CASE} WHERE c.id = ?", (case_id,))
        if row is None:
            raise CaseNotFound(case_id)
        return self._whole(row)

    async def find_by_code(self, code: str) -> CaseState | None:
        """The open case with this code, else the newest one."""
        sql = (
            f"{_WHOLE_CASE} WHERE c.agency = ? AND c.code = ? "
            "ORDER BY c.status = 'open' DESC, c.id DESC LIMIT 1"
        )
        row = await fetch_one(self.conn, sql, (self.agency, code.upper()))
        return None if row is None else self._whole(row)

    async def open_states(self) -> list[CaseState]:
        """Every running case, whole, in three queries however many run."""
        return await self._states("c.agency = ? AND c.status = 'open'", (self.agency,))

    async def states(self, ids: Sequence[int]) -> list[CaseState]:
        """These cases, whole, in the order given, in three queries (a page of a board)."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        found = await self._states(f"c.agency = ? AND c.id IN ({marks})", (self.agency, *ids))
        by_id = {state.id: state for state in found}
        return [by_id[i] for i in ids if i in by_id]

    async def _states(self, where: str, params: tuple[Any, ...]) -> list[CaseState]:
        """The cases `where` selects (on `cases c`), ordered by id: their rows, then all
        their tasks in one query and all their files in another, by the ids found (a
        query per case took 200 ms at 88 cases)."""
        sql = f"SELECT c.* FROM cases c WHERE {where} ORDER BY c.id"
        rows = list(await self.conn.execute_fetchall(sql, params))
        if not rows:
            return []
        ids = tuple(int(row["id"]) for row in rows)
        marks = ", ".join("?" * len(ids))
        tasks: dict[int, list[Task]] = defaultdict(list)
        sql = f"SELECT * FROM tasks WHERE case_id IN ({marks}) ORDER BY case_id, seq"
        for r in await self.conn.execute_fetchall(sql, ids):
            tasks[int(r["case_id"])].append(_task_from(r))
        files: dict[int, list[FileVersion]] = defaultdict(list)
        sql = f"SELECT * FROM files WHERE case_id IN ({marks}) ORDER BY case_id, number"
        for r in await self.conn.execute_fetchall(sql, ids):
            files[int(r["case_id"])].append(_file_from(r))
        return [self._state(row, tasks[int(row["id"])], files[int(row["id"])]) for row in rows]

    async def digest_board(self) -> list[BoardRow]:
        """Every running case with an open task, with the earliest deadline of its open
        tasks at its step (of any step when none is open there): what the digest counts
        and orders by (`bot.core.digest.case_line` measures a case the same way)."""
        sql = (
            "SELECT c.id, c.code, COALESCE(MIN(CASE WHEN t.step_key = c.step_key "
            "THEN t.deadline END), MIN(t.deadline)) "
            "FROM cases c JOIN tasks t ON t.case_id = c.id AND t.status = 'open' "
            "WHERE c.agency = ? AND c.status = 'open' GROUP BY c.id"
        )
        return await self._board(sql)

    async def status_board(self) -> list[BoardRow]:
        """Every running case with the deadline of the first task of its step's current
        round (open or not; `CaseState.current_tasks`), None when it has none: what
        /status counts and orders by."""
        sql = (
            "SELECT c.id, c.code, (SELECT t.deadline FROM tasks t WHERE t.case_id = c.id "
            "AND t.step_key = c.step_key AND t.round = COALESCE(json_extract(c.rounds_json, "
            "'$.\"' || c.step_key || '\"'), 0) ORDER BY t.seq LIMIT 1) "
            "FROM cases c WHERE c.agency = ? AND c.status = 'open'"
        )
        return await self._board(sql)

    async def _board(self, sql: str) -> list[BoardRow]:
        rows = await self.conn.execute_fetchall(sql, (self.agency,))
        return [BoardRow(int(r[0]), r[1], opt_from_iso(r[2])) for r in rows]

    async def summaries(self, offset: int, limit: int) -> list[CaseSummary]:
        """A page of every case, the running ones first, then the newest: what a command
        given no case code offers as buttons (only code and status are read)."""
        sql = (
            "SELECT id, code, status FROM cases WHERE agency = ? "
            "ORDER BY status = 'open' DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = await self.conn.execute_fetchall(sql, (self.agency, limit, offset))
        return [CaseSummary(int(r[0]), r[1], CaseStatus(r[2])) for r in rows]

    async def count(self) -> int:
        sql = "SELECT COUNT(*) FROM cases WHERE agency = ?"
        [row] = await self.conn.execute_fetchall(sql, (self.agency,))
        return int(row[0])

    async def all_ids(self) -> list[int]:
        sql = "SELECT id FROM cases WHERE agency = ? ORDER BY id"
        return [int(r[0]) for r in await fetch_all(self.conn, sql, (self.agency,))]

    async def open_task_refs(self, assignee: str) -> list[tuple[int, int]]:
        sql = (
            "SELECT t.case_id, t.seq FROM tasks t JOIN cases c ON c.id = t.case_id "
            "WHERE t.status = 'open' AND t.assignee = ? AND c.agency = ? "
            "ORDER BY t.deadline, t.case_id, t.seq"
        )
        rows = await fetch_all(self.conn, sql, (assignee, self.agency))
        return [(int(r[0]), int(r[1])) for r in rows]

    async def save(self, state: CaseState, now: datetime) -> None:
        known = self._revisions.get(state.id)
        scalars = _case_scalars(state)
        if known is None:
            try:
                await self.conn.execute(
                    "INSERT INTO cases (id, agency, sop_key, sop_hash, code, period_key, year, "
                    "status, step_key, started_by, started_at, finished_at, cancel_reason, "
                    "letter_json, rounds_json, checklists_json, chosen_json, data_json, "
                    "next_seq, revision, updated_at) VALUES "
                    "(:id, :agency, :sop_key, :sop_hash, :code, :period_key, :year, :status, "
                    ":step_key, :started_by, :started_at, :finished_at, :cancel_reason, "
                    ":letter_json, :rounds_json, :checklists_json, :chosen_json, :data_json, "
                    ":next_seq, 1, :updated_at)",
                    {**scalars, "agency": self.agency, "updated_at": to_iso(now)},
                )
            except sqlite3.IntegrityError as exc:
                if "cases_one_open_per_period" in str(exc) or "cases.agency" in str(exc):
                    raise DuplicateOpenCase(state.code) from exc
                raise
            self._revisions[state.id] = 1
        else:
            cur = await self.conn.execute(
                "UPDATE cases SET status = :status, step_key = :step_key, "
                "finished_at = :finished_at, cancel_reason = :cancel_reason, "
                "rounds_json = :rounds_json, checklists_json = :checklists_json, "
                "chosen_json = :chosen_json, data_json = :data_json, next_seq = :next_seq, "
                "letter_json = :letter_json, revision = revision + 1, updated_at = :updated_at "
                "WHERE id = :id AND revision = :revision",
                {**scalars, "updated_at": to_iso(now), "revision": known},
            )
            if cur.rowcount != 1:
                raise ConcurrentUpdate(state.id)
            self._revisions[state.id] = known + 1
        await self._save_tasks(state)
        await self._save_files(state)

    async def _save_tasks(self, state: CaseState) -> None:
        rows = {t.seq: _task_row(state.id, t) for t in state.tasks}
        stored = self._task_rows.get(state.id, {})
        changed = [row for seq, row in rows.items() if stored.get(seq) != row]
        if changed:
            await self._upsert_tasks(changed)
        if state.id in self._task_rows:
            self._task_rows[state.id] = rows

    async def _save_files(self, state: CaseState) -> None:
        stored = self._file_numbers.get(state.id, set())
        new = [_file_row(state.id, f) for f in state.files if f.number not in stored]
        if new:
            await self._insert_files(new)
        if state.id in self._file_numbers:
            self._file_numbers[state.id] = {f.number for f in state.files}

    async def _upsert_tasks(self, rows: Sequence[tuple[Any, ...]]) -> None:
        await self.conn.executemany(_UPSERT_TASKS, rows)

    async def _insert_files(self, rows: Sequence[tuple[Any, ...]]) -> None:
        await self.conn.executemany(_INSERT_FILES, rows)

    def _whole(self, row: sqlite3.Row) -> CaseState:
        """A `_WHOLE_CASE` row as a case; what its tasks and files were is remembered."""
        case_id = int(row["id"])
        stored = loads(row["tasks_json"])  # rows as written: `save` compares against them
        tasks = sorted((_task_from(t) for t in stored), key=_seq)
        files = sorted((_file_from(f) for f in loads(row["files_json"])), key=_number)
        self._task_rows[case_id] = {t["seq"]: tuple(t[c] for c in _TASK_COLUMNS) for t in stored}
        self._file_numbers[case_id] = {f.number for f in files}
        return self._state(row, tasks, files)

    def _state(self, row: sqlite3.Row, tasks: list[Task], files: list[FileVersion]) -> CaseState:
        case_id = int(row["id"])
        self._revisions[case_id] = int(row["revision"])
        checklists = {
            key: [_item_from(i) for i in items]
            for key, items in loads(row["checklists_json"]).items()
        }
        return CaseState(
            id=case_id,
            sop_key=row["sop_key"],
            sop_hash=row["sop_hash"],
            code=row["code"],
            period_key=row["period_key"],
            year=int(row["year"]),
            started_by=row["started_by"],
            started_at=from_iso(row["started_at"]),
            letter=loads(row["letter_json"]),
            status=CaseStatus(row["status"]),
            step_key=row["step_key"],
            rounds={k: int(v) for k, v in loads(row["rounds_json"]).items()},
            tasks=tasks,
            files=files,
            checklists=checklists,
            chosen=loads(row["chosen_json"]),
            data=loads(row["data_json"]),
            finished_at=opt_from_iso(row["finished_at"]),
            cancel_reason=row["cancel_reason"],
            next_seq=int(row["next_seq"]),
        )


def _case_scalars(state: CaseState) -> dict[str, Any]:
    return {
        "id": state.id,
        "sop_key": state.sop_key,
        "sop_hash": state.sop_hash,
        "code": state.code,
        "period_key": state.period_key,
        "year": state.year,
        "status": state.status.value,
        "step_key": state.step_key,
        "started_by": state.started_by,
        "started_at": to_iso(state.started_at),
        "finished_at": opt_iso(state.finished_at),
        "cancel_reason": state.cancel_reason,
        "letter_json": dumps(state.letter),
        "rounds_json": dumps(state.rounds),
        "checklists_json": dumps(
            {k: [_item_row(i) for i in items] for k, items in state.checklists.items()}
        ),
        "chosen_json": dumps(state.chosen),
        "data_json": dumps(state.data),
        "next_seq": state.next_seq,
    }


def _task_row(case_id: int, t: Task) -> tuple[Any, ...]:
    return (
        case_id,
        t.seq,
        t.step_key,
        t.round,
        t.assignee,
        t.status.value,
        to_iso(t.created_at),
        to_iso(t.deadline),
        opt_iso(t.closed_at),
        t.outcome,
        t.reason,
        t.version,
        t.closed_by,
        dumps(t.data),
    )


def _seq(task: Task) -> int:
    return task.seq


def _number(version: FileVersion) -> int:
    return version.number


def _task_from(r: Row) -> Task:
    return Task(
        seq=int(r["seq"]),
        step_key=r["step_key"],
        round=int(r["round"]),
        assignee=r["assignee"],
        created_at=from_iso(r["created_at"]),
        deadline=from_iso(r["deadline"]),
        status=TaskStatus(r["status"]),
        closed_at=opt_from_iso(r["closed_at"]),
        outcome=r["outcome"],
        reason=r["reason"],
        version=r["version"],
        closed_by=r["closed_by"],
        data=loads(r["data_json"]),
    )


def _file_row(case_id: int, f: FileVersion) -> tuple[Any, ...]:
    return (
        case_id,
        f.number,
        f.sha256,
        f.filename,
        f.size,
        f.mime,
        f.uploaded_by,
        to_iso(f.uploaded_at),
        f.step_key,
        f.task_seq,
        f.purpose,
        f.item,
        f.draft_number,
    )


def _file_from(r: Row) -> FileVersion:
    return FileVersion(
        number=int(r["number"]),
        sha256=r["sha256"],
        filename=r["filename"],
        size=int(r["size"]),
        mime=r["mime"],
        uploaded_by=r["uploaded_by"],
        uploaded_at=from_iso(r["uploaded_at"]),
        step_key=r["step_key"],
        task_seq=r["task_seq"],
        purpose=r["purpose"],
        item=r["item"],
        draft_number=r["draft_number"],
    )


def _item_row(i: ItemState) -> dict[str, Any]:
    return {
        "item": i.item,
        "status": i.status.value,
        "by": i.by,
        "at": opt_iso(i.at),
        "reason": i.reason,
        "proof_file": i.proof_file,
        "proof_ref": i.proof_ref,
    }


def _item_from(d: dict[str, Any]) -> ItemState:
    return ItemState(
        item=d["item"],
        status=ItemStatus(d["status"]),
        by=d["by"],
        at=opt_from_iso(d["at"]),
        reason=d["reason"],
        proof_file=d["proof_file"],
        proof_ref=d["proof_ref"],
    )
