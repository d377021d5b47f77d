"""The audit log is append-only in the code, tamper-evident on disk, and complete for admins.

- Every SQL string in bot/, handlers/ and storage/ is read (with `ast`, so concatenated
  and f-string SQL is seen whole) and none may UPDATE, DELETE, REPLACE, DROP or TRUNCATE
  `audit_log`, or write to a table whose name is only known at run time.
- The schema cannot delete audit rows behind our back (no cascading foreign key).
- `python -m bot verify-audit` finds an edited, a deleted and a forged row, and exits 1.
- It finds a row rewritten with every following hash recomputed (the chain is keyed with
  a key outside the database), and a log cut short (the head's anchor, kept in backup
  manifests and digests, no longer matches).
- What admins do (invite an officer, cancel a case) is in the log under their name.
"""

from __future__ import annotations

import ast
import re
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.clock import FakeClock
from bot.core.workflow import AuditEvent
from demo.stage import STAGE_TOKEN, stage, write_stage_config
from fakegram import FakeTelegram
from storage import backup as backup_store
from storage.audit import KEYED_MARKER, Anchor, AuditLog, plain_digest, row_fields, verify_audit
from storage.audit_key import AUDIT_KEY_ENV, AuditKeySource
from storage.db import Database, DatabaseError
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


def head(database: Path) -> tuple[int, str]:
    with sqlite3.connect(database) as conn:
        row_id, digest = conn.execute(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return int(row_id), str(digest)


def test_an_untouched_log_verifies(audited: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = audited.parent / "sopbot.db"
    row_id, digest = head(database)
    assert verify(audited, capsys) == (
        0,
        f"{database}: audit log intact ({audit_rows(database)} rows, hash chain verified)\n"
        f"keyed from row 1; head {row_id}:{digest[:20]}\n",
        "",
    )


@pytest.mark.parametrize(
    ("tamper", "problems"),
    [
        (
            "UPDATE audit_log SET actor = 'staf_1' WHERE id = 2",
            ["audit row 2: content does not match its keyed hash", "first row that fails: 2"],
        ),
        (
            "UPDATE audit_log SET reason = 'disetujui lisan' WHERE id = 3",
            ["audit row 3: content does not match its keyed hash", "first row that fails: 3"],
        ),
        (
            "DELETE FROM audit_log WHERE id = 2",
            ["audit row 3: chain broken before this row", "first row that fails: 3"],
        ),
        (
            "INSERT INTO audit_log (agency, at, actor, action, step_key, round, from_state, "
            "to_state, data_json, prev_hash, hash) SELECT agency, at, 'kadin', 'sign', step_key, "
            "round, to_state, 'signed', '{}', hash, hash FROM audit_log "
            "WHERE id = (SELECT MAX(id) FROM audit_log)",
            [
                "audit row {last}: content does not match its keyed hash",
                "first row that fails: {last}",
            ],
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


# -- the keyed chain and its anchors -----------------------------------------------------


def tamper_and_recompute(database: Path, row_id: int, actor: str) -> None:
    """The insider's attack: edit a row, then recompute every following hash with the
    project's own hashing code, as anyone who can read the source can."""
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET actor = ? WHERE id = ?", (actor, row_id))
        rows = conn.execute("SELECT * FROM audit_log WHERE id >= ? ORDER BY id", (row_id,))
        (prev,) = conn.execute(
            "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", (row_id,)
        ).fetchone()
        for row in rows.fetchall():
            digest = plain_digest(prev, row_fields(row))
            conn.execute(
                "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?",
                (prev, digest, row["id"]),
            )
            prev = digest


def test_a_row_rewritten_with_the_hashes_recomputed_is_found(
    audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = audited.parent / "sopbot.db"
    tamper_and_recompute(database, 3, "staf_1")
    code, out, err = verify(audited, capsys)
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == f"{database}: the audit log has been tampered with:"
    assert err.splitlines()[1] == "  audit row 3: content does not match its keyed hash"
    assert err.splitlines()[-1] == "  first row that fails: 3"


def test_the_anchor_of_a_backup_or_digest_checks_the_head(
    audited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = audited.parent / "sopbot.db"
    row_id, digest = head(database)
    right = f"{row_id}:{digest[:20]}"
    code, out, _ = verify_with(audited, capsys, "--anchor", right)
    assert code == 0 and out.splitlines()[-1] == f"anchor {right} matches"
    wrong = f"{row_id}:{'0' * 20}"
    code, out, err = verify_with(audited, capsys, "--anchor", wrong)
    assert (code, out) == (1, "")
    assert err.splitlines()[1:] == [
        f"  anchor {wrong}: row {row_id} is not the row anchored; "
        f"the log was rewritten at or before row {row_id}"
    ]
    # Cutting the tail off leaves a chain that is sound in itself: only the anchor knows.
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE id = ?", (row_id,))
    code, out, err = verify_with(audited, capsys, "--anchor", right)
    assert (code, out) == (1, "")
    assert err.splitlines()[1:] == [f"  anchor {right}: row {row_id} is missing"]
    code, _, err = verify_with(audited, capsys, "--anchor", "12:abc")
    assert code == 2 and "at least 20 hexadecimal digits" in err


def verify_with(
    config: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str, str]:
    code = main(["verify-audit", "--config", str(config), *extra])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_backup_manifest_and_the_digest_carry_the_head(audited: Path) -> None:
    database = audited.parent / "sopbot.db"
    row_id, digest = head(database)
    report = backup_store.backup(
        database,
        audited.parent / "files",
        audited.parent / "backups",
        now=datetime(2026, 7, 6, 10, tzinfo=UTC),
        zone=UTC,
        keep=2,
    )
    assert backup_store.read_manifest(report.folder)["audit_head"] == f"{row_id}:{digest[:20]}"
    anchor = Anchor.parse(f"{row_id}:{digest[:20]}")
    assert len(anchor.fingerprint) * 4 >= 80


async def test_the_key_file_is_created_once_readable_by_the_owner_only(tmp_path: Path) -> None:
    source = AuditKeySource(tmp_path / "audit.key")
    async with Database(tmp_path / "sopbot.db", audit_key=source) as db:
        assert db.audit_key is not None
    first = source.file.read_bytes()
    assert stat.S_IMODE(source.file.stat().st_mode) == 0o600
    async with Database(tmp_path / "sopbot.db", audit_key=source) as db:
        rows = await db.fetchall("SELECT action FROM audit_log")
    assert source.file.read_bytes() == first
    assert [r[0] for r in rows] == [KEYED_MARKER]
    # The variable overrides the file, and a keyed log whose key is gone does not open.
    source.file.unlink()
    with pytest.raises(DatabaseError, match="its key is missing"):
        await Database(tmp_path / "sopbot.db", audit_key=source).open()
    env = AuditKeySource.beside(tmp_path / "config.toml", {AUDIT_KEY_ENV: first.decode()})
    async with Database(tmp_path / "sopbot.db", audit_key=env) as db:
        assert db.audit_key == bytes.fromhex(first.decode())
    assert not source.file.exists()


async def test_plain_rows_before_the_marker_stay_verified(tmp_path: Path) -> None:
    event = AuditEvent(START, "kadin", "note", "s1", 1, None, "open", "open")
    async with Database(tmp_path / "sopbot.db") as db, db.transaction() as conn:
        await AuditLog(conn).append(None, [event, event])
    source = AuditKeySource(tmp_path / "audit.key")
    async with Database(tmp_path / "sopbot.db", audit_key=source) as db:
        async with db.transaction() as conn:
            await AuditLog(conn, key=db.audit_key).append(None, [event])
        key = db.audit_key
    report = await verify_audit(tmp_path / "sopbot.db", key)
    assert (report.problems, report.rows, report.keyed_from) == ([], 4, 3)
    # Without the key the keyed rows cannot be vouched for; with another key neither.
    report = await verify_audit(tmp_path / "sopbot.db", None)
    assert report.problems == [
        "audit row 3: the chain is keyed from here; the audit key is needed"
    ]
    report = await verify_audit(tmp_path / "sopbot.db", b"\x01" * 32)
    assert report.first_bad == 3
