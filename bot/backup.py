"""Keeping the data safe: the daily backup, the start-up integrity check, damaged files.

- `[backup]` in config.toml: `time` (local, after office hours; default "18:00"), `keep`
  (how many daily backups to keep; default 7) and `enabled`. `Runtime.build` validates it.
- The daily job is planned like the other jobs, as a delay from the injected clock; a
  backup missed while the bot was down runs a minute after the next start.
- `python -m bot run` checks the database with `PRAGMA integrity_check` first and will
  not start on a damaged one: it names the newest backup and the command to restore it.
- A stored file that fails its hash is never sent: its recipient hears the file is
  damaged and every admin hears which file, and where the newest backup is.
- The commands `backup`, `restore` and `verify-audit` of `python -m bot`.

The copying itself is `storage.backup`; this module decides when, and who is told.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import Config, ConfigError, load_config
from storage import backup as store
from storage.backup import BackupError, BackupReport

if TYPE_CHECKING:
    from telegram.ext import Application

    from bot.runtime import Runtime
    from handlers.common import BotContext
    from storage.outbox import OutboxRow
    from storage.uow import Tx

    AnyApp = Application[Any, Any, Any, Any, Any, Any]  # the bot, or a job's view of it

log = logging.getLogger(__name__)

BACKUP_JOB = "backup:daily"
CATCH_UP_DELAY = timedelta(minutes=1)  # a backup missed while down: soon, not mid-start-up
_KEYS = ("enabled", "time", "keep")


@dataclass(frozen=True, slots=True)
class BackupSettings:
    enabled: bool = True
    time: time = time(18, 0)  # local, in the agency's zone
    keep: int = 7

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> tuple[BackupSettings | None, list[str]]:
        """Read `[backup]`; on any mistake None and one message per mistake."""
        errors: list[str] = []
        for key in data:
            if key not in _KEYS:
                errors.append(f"backup.{key}: unknown key; expected one of {', '.join(_KEYS)}")
        values: dict[str, Any] = {}
        if "enabled" in data:
            if isinstance(data["enabled"], bool):
                values["enabled"] = data["enabled"]
            else:
                errors.append(f"backup.enabled: expected true or false, got {data['enabled']!r}")
        if "time" in data:
            parsed = _parse_time(data["time"])
            if parsed is None:
                errors.append(
                    f'backup.time: expected a local time "HH:MM" such as "18:00", '
                    f"got {data['time']!r}"
                )
            else:
                values["time"] = parsed
        if "keep" in data:
            keep = data["keep"]
            if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
                errors.append(f"backup.keep: expected a whole number of at least 1, got {keep!r}")
            else:
                values["keep"] = keep
        if errors:
            return None, errors
        return cls(**values), []


def _parse_time(value: object) -> time | None:
    if not isinstance(value, str):
        return None
    hours, sep, minutes = value.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    return time(h, m) if 0 <= h < 24 and 0 <= m < 60 else None


def backup_settings(config: Config) -> BackupSettings:
    """The settings of a config `Runtime.build` already accepted."""
    settings, errors = BackupSettings.from_mapping(config.backup)
    if settings is None:
        raise ValueError("; ".join(errors))
    return settings


# -- when ---------------------------------------------------------------------------------


def next_backup_at(
    now: datetime, settings: BackupSettings, zone: ZoneInfo, last: datetime | None
) -> datetime:
    """Today's backup time if still ahead; now (plus a minute) if today's was missed."""
    local = now.astimezone(zone)
    today = datetime.combine(local.date(), settings.time, tzinfo=zone)
    if local < today:
        return today
    if last is None or last < today:
        return now + CATCH_UP_DELAY
    return datetime.combine(local.date() + timedelta(days=1), settings.time, tzinfo=zone)


def plan_backup(app: AnyApp, runtime: Runtime) -> datetime | None:
    """Wake the backup job at the next backup time (from `post_init` and after each run)."""
    settings = backup_settings(runtime.config)
    job_queue = app.job_queue
    if job_queue is None or not settings.enabled:
        return None
    now = runtime.clock.now()
    when = next_backup_at(now, settings, runtime.tz, _last_backup(runtime))
    # A delay, as for the tick: a simulated clock drives it, not the wall clock.
    job_queue.run_once(
        _backup_job,
        max(when - now, timedelta(seconds=1)),
        name=BACKUP_JOB,
        job_kwargs={"id": BACKUP_JOB, "replace_existing": True, "misfire_grace_time": None},
    )
    return when


def _last_backup(runtime: Runtime) -> datetime | None:
    newest = store.newest_backup(runtime.config.storage.backups)
    try:
        return store.backup_time(newest) if newest is not None else None
    except (BackupError, KeyError, ValueError):  # a damaged manifest: back up again soon
        log.warning("cannot read when backup %s was made", newest)
        return None


async def _backup_job(context: BotContext) -> None:
    runtime = context.runtime
    try:
        await run_backup(runtime)
    except Exception as exc:
        log.exception("the daily backup failed")
        await _tell_admins_backup_failed(runtime, exc)
        await runtime.deliver()
    finally:
        plan_backup(context.application, runtime)


# -- what ---------------------------------------------------------------------------------


async def run_backup(runtime: Runtime) -> BackupReport:
    """Back up the running bot's data, in a thread (the event loop keeps serving)."""
    storage = runtime.config.storage
    report = await asyncio.to_thread(
        store.backup,
        storage.database,
        storage.files,
        storage.backups,
        now=runtime.clock.now(),
        zone=runtime.tz,
        keep=backup_settings(runtime.config).keep,
    )
    log.info(
        "backup %s: database %d bytes, %d files (%d new) in %.2f s",
        report.folder,
        report.database_bytes,
        report.files_total,
        report.files_copied,
        report.seconds,
    )
    for problem in report.problems:
        log.error("backup %s: %s", report.folder, problem)
    return report


async def _tell_admins_backup_failed(runtime: Runtime, exc: Exception) -> None:
    from storage.uow import unit_of_work

    newest = store.newest_backup(runtime.config.storage.backups)
    now = runtime.clock.now()
    async with unit_of_work(runtime.db, runtime.agency) as tx:
        for admin in runtime.directory.admins():
            lang = await _language(runtime, tx, admin)
            text = runtime.text(
                lang,
                "safety.backup_failed_admin",
                error=str(exc) or type(exc).__name__,
                newest=str(newest) if newest else runtime.plain(lang, "safety.no_backup"),
            )
            await tx.outbox.add("send", {"text": text, "buttons": []}, now, officer_key=admin)


async def report_damaged_file(runtime: Runtime, row: OutboxRow, exc: Exception) -> None:
    """A stored file failed its hash (or is gone): say so to its recipient and the admins.

    Called by the sender, which has not sent the file and will not.
    """
    from storage.files import FileCorrupt
    from storage.uow import unit_of_work

    payload = row.payload
    filename = str(payload.get("filename") or payload.get("sha256", "?"))
    path = exc.path if isinstance(exc, FileCorrupt) else Path(str(exc))
    newest = store.newest_backup(runtime.config.storage.backups)
    now = runtime.clock.now()
    async with unit_of_work(runtime.db, runtime.agency) as tx:
        case_code = "-"
        if row.case_id is not None:
            case_code = (await tx.cases.get(row.case_id)).code
        if row.officer_key is not None:
            lang = await _language(runtime, tx, row.officer_key)
            text = runtime.text(
                lang, "safety.file_damaged", filename=filename, case_code=case_code
            )
            out = {"text": text, "buttons": []}
            await tx.outbox.add("send", out, now, officer_key=row.officer_key, case_id=row.case_id)
        for admin in runtime.directory.admins():
            if admin == row.officer_key:
                continue
            lang = await _language(runtime, tx, admin)
            text = runtime.text(
                lang,
                "safety.file_damaged_admin",
                filename=filename,
                case_code=case_code,
                name=runtime.directory.name(row.officer_key or "-"),
                path=str(path),
                newest=str(newest) if newest else runtime.plain(lang, "safety.no_backup"),
            )
            await tx.outbox.add("send", {"text": text, "buttons": []}, now, officer_key=admin)


async def _language(runtime: Runtime, tx: Tx, officer: str) -> str:
    account = await tx.accounts.get(officer)
    return (account.language if account else None) or runtime.directory.language(officer)


# -- the start-up check -------------------------------------------------------------------


def startup_problem(config: Config) -> str | None:
    """Why the bot must not start on this database (with the way out), or None."""
    database = config.storage.database
    problems = store.integrity_problems(database)
    if not problems:
        return None
    lines = [f"{database}: the database is damaged; the bot will not start on it."]
    lines += [f"  integrity check: {p}" for p in problems[:10]]
    if len(problems) > 10:
        lines.append(f"  ... and {len(problems) - 10} more")
    newest = store.newest_backup(config.storage.backups)
    if newest is None:
        lines.append(f"No backup was found in {config.storage.backups}.")
        lines.append("Keep the damaged file for recovery tools; do not delete it.")
    else:
        lines.append(f"The newest backup is {newest}")
        lines.append(f"Restore it:  python -m bot restore {newest} --to <new folder>")
        lines.append(f"then set [storage] database and files in {config.source} as it says.")
    return "\n".join(lines)


# -- the command line ---------------------------------------------------------------------


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`backup`, `restore` and `verify-audit` for `python -m bot`."""
    make = sub.add_parser("backup", help="back up the database and files now")
    make.add_argument("--config", default="config.toml")
    make.set_defaults(func=cmd_backup)
    back = sub.add_parser("restore", help="restore a backup into a new data folder")
    back.add_argument("backup", help="a backup folder, e.g. data/backups/2026-07-06_180000")
    back.add_argument("--to", required=True, help="a new, empty folder for the restored data")
    back.set_defaults(func=cmd_restore)
    audit = sub.add_parser("verify-audit", help="check the audit log's hash chain")
    audit.add_argument("--config", default="config.toml")
    audit.set_defaults(func=cmd_verify_audit)


def _config(path: str) -> Config | None:
    try:
        return load_config(Path(path))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return None


def cmd_backup(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return 2
    settings, errors = BackupSettings.from_mapping(config.backup)
    if settings is None:
        print("\n".join(errors), file=sys.stderr)
        return 2
    from bot.clock import SystemClock

    try:
        report = store.backup(
            config.storage.database,
            config.storage.files,
            config.storage.backups,
            now=SystemClock().now(),
            zone=config.agency.timezone,
            keep=settings.keep,
        )
    except (BackupError, OSError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"backup written to {report.folder}: database {report.database_bytes} bytes, "
        f"{report.files_total} files ({report.files_copied} new) in {report.seconds:.2f} s"
    )
    for problem in report.problems:
        print(f"  problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def cmd_restore(args: argparse.Namespace) -> int:
    target = Path(args.to)
    try:
        report = store.restore(Path(args.backup), target)
    except (BackupError, OSError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"restored {report.files_total} files and the database into {target}.")
    print("Point the bot at it in config.toml, then start it:")
    print("[storage]")
    print(f'database = "{report.database.resolve()}"')
    print(f'files = "{report.files.resolve()}"')
    return 0


def cmd_verify_audit(args: argparse.Namespace) -> int:
    config = _config(args.config)
    if config is None:
        return 2
    database = config.storage.database
    if not database.exists():
        print(f"{database}: no database", file=sys.stderr)
        return 2
    rows, problems = asyncio.run(verify_audit(database))
    if problems:
        print(f"{database}: the audit log has been tampered with:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{database}: audit log intact ({rows} rows, hash chain verified)")
    return 0


async def verify_audit(database: Path) -> tuple[int, list[str]]:
    """(rows, problems) of the audit log's hash chain, read without writing anything."""
    import aiosqlite

    from storage.audit import AuditLog

    async with aiosqlite.connect(database) as conn:
        conn.row_factory = aiosqlite.Row
        async with conn.execute("SELECT COUNT(*) FROM audit_log") as cur:
            row = await cur.fetchone()
        problems = await AuditLog(conn).verify()
    return (int(row[0]) if row else 0), problems
