"""Backups of the database and the file store, and restoring one into a new folder.

A backup is one self-contained folder, `<backups>/<YYYY-MM-DD_HHMMSS>/`:

    sopbot.db        a consistent copy made with SQLite's online backup API while the bot
                     keeps running (a plain file copy of a WAL database can be torn)
    files/xx/<sha>   the file store; content-addressed, so a file already in the previous
                     backup is hard-linked from there and only new files are copied
    manifest.json    when, what, and how many, and the audit log's head (row and
                     fingerprint); its presence marks the backup complete

The folder is built as `<name>.partial` and renamed when done, so a crash or a full disk
never leaves something that looks like a backup and is not. The database is copied
before the files: files are stored before any row refers to them and never deleted, so
every file the copied database names is in the store by then.

Restoring never touches live data: it writes into a new, empty folder and checks the
database and every file's hash on the way.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path

from storage.audit import head_anchor
from storage.codec import from_iso, to_iso

MANIFEST = "manifest.json"
FILES = "files"
PARTIAL = ".partial"
FORMAT = 1
_CHUNK = 1 << 20


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    folder: Path
    database_bytes: int
    files_total: int
    files_copied: int  # new since the previous backup
    files_linked: int  # unchanged, hard-linked from the previous backup
    seconds: float
    problems: tuple[str, ...] = ()  # files the database names but the store lacks
    pruned: tuple[Path, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class RestoreReport:
    database: Path
    files: Path
    files_total: int
    seconds: float


# -- the database -------------------------------------------------------------------------


def integrity_problems(database: Path) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong with the file; empty when sound or absent.

    A file too damaged to open at all ("file is not a database") is a problem too.
    """
    if not database.exists():
        return []
    try:
        conn = sqlite3.connect(database, timeout=30)
    except sqlite3.Error as exc:
        return [f"cannot be opened: {exc}"]
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    problems = [str(r[0]) for r in rows]
    return [] if problems == ["ok"] else problems


def copy_database(source: Path, target: Path) -> int:
    """A consistent copy of a live database (WAL included); returns its size in bytes."""
    if not source.exists():
        raise BackupError(f"{source}: no database to back up")
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a single read snapshot, consistent with the WAL
            # The copy must be one file on its own, not a WAL database missing its -wal.
            dst.execute("PRAGMA journal_mode=DELETE")
            problems = [r[0] for r in dst.execute("PRAGMA integrity_check").fetchall()]
        finally:
            dst.close()
    finally:
        src.close()
    if problems != ["ok"]:
        raise BackupError(f"{source}: the copy fails its integrity check: {problems[:5]}")
    return target.stat().st_size


def referenced_files(database: Path) -> set[str]:
    """Every sha256 the database names, in whichever table (drafts, documents, sheets)."""
    conn = sqlite3.connect(database)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        found: set[str] = set()
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            if "sha256" in columns:
                found |= {str(r[0]) for r in conn.execute(f'SELECT sha256 FROM "{table}"') if r[0]}
        return found
    finally:
        conn.close()


def schema_version(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


# -- the file store -----------------------------------------------------------------------


def stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(sha256, path) of every complete file in a file store (temporary files skipped)."""
    if not root.is_dir():
        return
    for shard in sorted(root.iterdir()):
        if not shard.is_dir() or len(shard.name) != 2:
            continue
        for path in sorted(shard.iterdir()):
            if path.is_file() and len(path.name) == 64 and path.name.startswith(shard.name):
                yield path.name, path


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_verified(source: Path, target: Path, sha256: str) -> bool:
    """Copy while hashing; False (and nothing left behind) when the bytes are not `sha256`."""
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
    if digest.hexdigest() != sha256:
        target.unlink()
        return False
    return True


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed: copy instead
        shutil.copyfile(source, target)


def copy_file_store(live: Path, target: Path, previous: Path | None) -> tuple[int, int, list[str]]:
    """Copy the store into `target`, linking what `previous` (a backup's files/) has.

    Returns (copied, linked, problems); a live file that fails its hash is not copied
    and is named in the problems.
    """
    copied = linked = 0
    problems: list[str] = []
    for sha, path in stored_files(live):
        shard = target / sha[:2]
        shard.mkdir(parents=True, exist_ok=True)
        known = previous / sha[:2] / sha if previous is not None else None
        if known is not None and known.is_file() and known.stat().st_size == path.stat().st_size:
            _link_or_copy(known, shard / sha)
            linked += 1
        elif _copy_verified(path, shard / sha, sha):
            copied += 1
        else:
            problems.append(f"{path}: does not match its hash, not backed up")
    return copied, linked, problems


# -- backups ------------------------------------------------------------------------------


def folder_name(now: datetime, zone: tzinfo) -> str:
    return now.astimezone(zone).strftime("%Y-%m-%d_%H%M%S")


def list_backups(root: Path) -> list[Path]:
    """Complete backups under `root`, oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def newest_backup(root: Path) -> Path | None:
    found = list_backups(root)
    return found[-1] if found else None


def read_manifest(folder: Path) -> dict[str, object]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder}: not a backup (it has no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder}/{MANIFEST}: unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise BackupError(f"{folder}/{MANIFEST}: unreadable (not a JSON object)")
    return data


def backup_time(folder: Path) -> datetime:
    return from_iso(str(read_manifest(folder)["created_at"]))


def backup(
    database: Path, files: Path, root: Path, *, now: datetime, zone: tzinfo, keep: int
) -> BackupReport:
    """Back up `database` and the file store `files` into a new folder under `root`.

    Safe while the bot runs (call it from a thread). Keeps the newest `keep` backups.
    """
    started = time.monotonic()
    root.mkdir(parents=True, exist_ok=True)
    name = folder_name(now, zone)
    n = 1
    while (root / name).exists():
        n += 1
        name = f"{folder_name(now, zone)}_{n}"
    work = root / (name + PARTIAL)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        size = copy_database(database, work / database.name)
        previous = newest_backup(root)
        copied, linked, problems = copy_file_store(
            files, work / FILES, previous / FILES if previous else None
        )
        have = {sha for sha, _ in stored_files(work / FILES)}
        missing = sorted(referenced_files(work / database.name) - have)
        problems += [f"file {sha} is named in the database, not in the store" for sha in missing]
        manifest = {
            "format": FORMAT,
            "created_at": to_iso(now),
            "database": database.name,
            "database_sha256": file_digest(work / database.name),
            "schema_version": schema_version(work / database.name),
            # Outside the database: `verify-audit --anchor` proves the log was not cut
            # short or rewritten since (see storage/audit.py).
            "audit_head": _audit_head(work / database.name),
            "files": len(have),
            "problems": problems,
        }
        _write_synced(work / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        os.replace(work, root / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pruned = prune(root, keep)
    return BackupReport(
        folder=root / name,
        database_bytes=size,
        files_total=len(have),
        files_copied=copied,
        files_linked=linked,
        seconds=time.monotonic() - started,
        problems=tuple(problems),
        pruned=tuple(pruned),
    )


def _audit_head(database: Path) -> str | None:
    anchor = head_anchor(database)
    return None if anchor is None else str(anchor)


def prune(root: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (and leftovers of interrupted ones)."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    removed = list_backups(root)[:-keep]
    removed += [p for p in root.iterdir() if p.is_dir() and p.name.endswith(PARTIAL)]
    for folder in removed:
        shutil.rmtree(folder)
    return removed


def _write_synced(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


# -- checking and restoring ---------------------------------------------------------------


def verify_backup(folder: Path) -> list[str]:
    """Everything wrong with a backup: its database, a file's hash, a file it lacks."""
    manifest = read_manifest(folder)
    database = folder / str(manifest.get("database", ""))
    if not database.is_file():
        return [f"{folder}: the database {database.name} is missing"]
    problems: list[str] = []
    if file_digest(database) != manifest.get("database_sha256"):
        problems.append(f"{database}: changed since the backup was made (hash differs)")
    problems += [f"{database}: {p}" for p in integrity_problems(database)]
    have = set()
    for sha, path in stored_files(folder / FILES):
        if file_digest(path) != sha:
            problems.append(f"{path}: does not match its hash")
        have.add(sha)
    if not problems:
        missing = referenced_files(database) - have
        problems += [f"{folder}: file {sha} named in the database is missing" for sha in missing]
    return problems


def restore(folder: Path, target: Path) -> RestoreReport:
    """Copy a checked backup into `target`, a new (or empty) folder: `<db>` and `files/`."""
    started = time.monotonic()
    problems = verify_backup(folder)
    if problems:
        listed = "\n  ".join(problems)
        raise BackupError(f"the backup is damaged and was not restored:\n  {listed}")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(
            f"{target}: not empty; restore into a new folder (live data is never overwritten)"
        )
    manifest = read_manifest(folder)
    work = target.with_name(target.name + PARTIAL)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        database = work / str(manifest["database"])
        shutil.copyfile(folder / database.name, database)
        count = 0
        for sha, path in stored_files(folder / FILES):
            shard = work / FILES / sha[:2]
            shard.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, shard / sha)
            count += 1
        (work / FILES).mkdir(exist_ok=True)
        if target.exists():
            target.rmdir()
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return RestoreReport(
        database=target / database.name,
        files=target / FILES,
        files_total=count,
        seconds=time.monotonic() - started,
    )
