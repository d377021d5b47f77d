"""The audit log is append-only in the code, tamper-evident on disk, and complete for admins.

- Every SQL string in bot/, handlers/ and storage/ is read (with `ast`, so concatenated
  and f-string SQL is seen whole) and none may UPDATE, DELETE, REPLACE, DROP or TRUNCATE
  `audit_log`, or write to a table whose name is only known at run time.
- The schema cannot delete audit rows behind our back (no cascading foreign key).
- `python -m bot verify-audit` finds an edited, a deleted and a forged row, and exits 1.
- What admins do (invite an officer, cancel a case) is in the log under their name.
"""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, stage, write_stage_config
from fakegram import FakeTelegram
from storage.db import Database
from tests.support.chat import START, press, say, start_case, task_message
from tests.support.figures import record

ROOT = Path(__file__).resolve().parents[2]
TABLE = r"""["'`\[]?audit_log\b"""
FORBIDDEN = [
    re.compile(rf"\bUPDATE\s+(?:OR\s+\w+\s+)?{TABLE}", re.I),
    re.compile(rf"\bDELETE\s+FROM\s+{TABLE}", re.I),
    re.compile(
        rf"\b(?:INSERT\s+OR\s+REPLACE|REPLACE|INSERT\s+OR\s+IGNORE)\s+INTO\s+{TABLE}", re.I
    ),
    re.compile(rf"\bDROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?{TABLE}", re.I),
    re.compile(rf"\bALTER\s+TABLE\s+{TABLE}\s+(?:DROP|RENAME)", re.I),
    re.compile(rf"\bTRUNCATE\s+(?:TABLE\s+)?{TABLE}", re.I),
    re.compile(r"\bON\s+DELETE\s+CASCADE\b[^;]*", re.I),  # checked against audit_log below
]
DYNAMIC_WRITE = re.compile(r"""\b(?:UPDATE|DELETE\s+FROM|DROP\s+TABLE)\s+["'`]?\{""", re.I)
PLACEHOLDER = "{}"


def _text(node: ast.AST) -> str | None:
    """The SQL a string expression spells, with "{}" for run-time parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(v.value) if isinstance(v, ast.Constant) else PLACEHOLDER for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        if left is not None or right is not None:
            return (left or PLACEHOLDER) + (right or PLACEHOLDER)
    return None


def sql_strings(source: str) -> list[str]:
    """Every string literal (whole expressions, not their pieces) in a module."""
    tree = ast.parse(source)
    found: list[str] = []
    inner: set[int] = set()
    for node in ast.walk(tree):
        if id(node) in inner:
            continue
        text = _text(node)
        if text is not None:
            found.append(" ".join(text.split()))
            inner |= {id(child) for child in ast.walk(node) if child is not node}
    return found


def violations(source: str) -> list[str]:
    bad = []
    for text in sql_strings(source):
        for rule in FORBIDDEN[:-1]:
            if rule.search(text):
                bad.append(text)
        if DYNAMIC_WRITE.search(text):
            bad.append(text)
        cascade = FORBIDDEN[-1].search(text)
        if cascade and "audit_log" in text[: cascade.start()].rpartition("CREATE TABLE")[2]:
            bad.append(text)
    return bad


def code_files() -> list[Path]:
    return sorted(
        p for folder in ("bot", "handlers", "storage") for p in (ROOT / folder).rglob("*.py")
    )


def test_no_code_updates_or_deletes_audit_rows(request: pytest.FixtureRequest) -> None:
    found, strings = {}, 0
    for path in code_files():
        source = path.read_text(encoding="utf-8")
        strings += len(sql_strings(source))
        bad = violations(source)
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    assert found == {}
    assert strings > 500  # the scan really read the code base
    record(request, "security.string literals inspected for audit_log writes", strings)


@pytest.mark.parametrize(
    "source",
    [
        'conn.execute("UPDATE audit_log SET actor = ? WHERE id = ?")',
        "conn.execute('DELETE FROM audit_log')",
        'conn.execute("DELETE " "FROM  audit_log WHERE id = 1")',  # implicit concatenation
        'conn.execute("delete from " + "audit_log")',
        'conn.execute(f"UPDATE audit_log SET hash = {h}")',
        'conn.execute("INSERT OR REPLACE INTO audit_log VALUES (1)")',
        'conn.execute("DROP TABLE IF EXISTS audit_log")',
        'conn.execute(f"DELETE FROM {table} WHERE id = 1")',  # table known only at run time
        'V9 = "CREATE TABLE audit_log (case_id INTEGER REFERENCES cases ON DELETE CASCADE)"',
    ],
)
def test_the_inspection_catches_every_way_of_writing_it(source: str) -> None:
    assert violations(source) != []


def test_reading_and_appending_are_allowed() -> None:
    source = (
        'a = "SELECT * FROM audit_log ORDER BY id"\n'
        'b = "INSERT INTO audit_log (actor) VALUES (?)"\n'
        'c = "UPDATE outbox SET sent_at = ? WHERE id = ?"\n'
    )
    assert violations(source) == []


async def test_the_schema_never_deletes_audit_rows_with_their_case(tmp_path: Path) -> None:
    async with Database(tmp_path / "sopbot.db") as db:
        rows = await db.fetchall("PRAGMA foreign_key_list(audit_log)")
        triggers = await db.fetchall("SELECT sql FROM sqlite_master WHERE type = 'trigger'")
    assert [(r["table"], r["on_delete"]) for r in rows] == [("cases", "NO ACTION")]
    for (sql,) in triggers:
        assert not violations(f"t = {sql!r}"), sql


# -- verify-audit ----------------------------------------------------------------------------


def audit_rows(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


@pytest.fixture
async def audited(tmp_path: Path) -> Path:
    """A data folder whose audit log holds a case started, disposed and ticked."""
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        config = write_stage_config(tmp_path, fake)
        async with stage(tmp_path, FakeClock(START), fake) as st:
            await start_case(st)
            kadin, sakip = st.user("kadin"), st.user("sakip_1")
            await press(st, kadin, task_message(kadin, 1), "Disposisikan")
            await say(st, kadin, "Segera susun laporan triwulan II")
            await say(st, kadin, "-")
            await press(st, sakip, task_message(sakip, 2), "⬜ RENSTRA")
    assert audit_rows(tmp_path / "sopbot.db") >= 4
    return config


def verify(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["verify-audit", "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def test_an_untouched_log_verifies(audited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = audited.parent / "sopbot.db"
    assert verify(audited, capsys) == (
        0,
        f"{database}: audit log intact ({audit_rows(database)} rows, hash chain verified)\n",
        "",
    )


@pytest.mark.parametrize(
    ("tamper", "problems"),
    [
        (
            "UPDATE audit_log SET actor = 'staf_1' WHERE id = 2",
            ["audit row 2: content does not match its hash"],
        ),
        (
            "UPDATE audit_log SET reason = 'disetujui lisan' WHERE id = 3",
            ["audit row 3: content does not match its hash"],
        ),
        ("DELETE FROM audit_log WHERE id = 2", ["audit row 3: chain broken before this row"]),
        (
            "INSERT INTO audit_log (agency, at, actor, action, step_key, round, from_state, "
            "to_state, data_json, prev_hash, hash) SELECT agency, at, 'kadin', 'sign', step_key, "
            "round, to_state, 'signed', '{}', hash, hash FROM audit_log "
            "WHERE id = (SELECT MAX(id) FROM audit_log)",
            ["audit row {last}: content does not match its hash"],
        ),
    ],
)
def test_an_edited_deleted_or_forged_row_is_found(
    audited: Path, capsys: pytest.CaptureFixture[str], tamper: str, problems: list[str]
) -> None:
    database = audited.parent / "sopbot.db"
    with sqlite3.connect(database) as conn:
        # Editing the file by hand: first the append-only triggers go, then the rows.
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute(tamper)
        (last,) = conn.execute("SELECT MAX(id) FROM audit_log").fetchone()
    code, out, err = verify(audited, capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"{database}: the audit log has been tampered with:",
        *(f"  {p.format(last=last)}" for p in problems),
    ]


# -- admin actions ---------------------------------------------------------------------------


async def test_admin_invites_and_cancellations_are_in_the_log_under_their_name(
    tmp_path: Path,
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        office = fake.user(1099, "Loket", started=True)
        async with stage(tmp_path, FakeClock(START), fake) as st:
            await start_case(st)
            sek = st.user("sekretaris")
            listing = await say(st, sek, "/undang")
            await press(st, sek, listing, listing.button_texts[0])
            office.send_text("/batalkan LKT-2026-TW2 Salah periode pelaporan")
            await st.settle()
            async with st.runtime.db.reading() as conn:
                rows = await conn.execute_fetchall(
                    "SELECT actor, action FROM audit_log ORDER BY id"
                )
    actions = [(r[0], r[1]) for r in rows]
    assert ("sekretaris", "invite_created") in actions
    assert ("tg:1099", "cancel") in actions
