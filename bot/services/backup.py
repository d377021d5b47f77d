"""Keeping the data safe: the daily backup, the start-up integrity check, damaged files.

- `[backup]` in config.toml: `time` (local, after office hours; default "18:00"), `keep`
  (how many daily backups to keep; default 7) and `enabled`. `Runtime.build` validates it.
- The daily job (`bot.ptb.jobs`) is planned like the others, as a delay from the clock; a
  backup missed while the bot was down runs a minute after the next start.
- `python -m bot run` checks the database with `PRAGMA integrity_check` first and will
  not start on a damaged one: it names the newest backup and the command to restore it.
- A stored file that fails its hash is never sent: its recipient hears the file is
  damaged and every admin hears which file, and where the newest backup is.
- The commands `backup`, `restore` and `verify-audit` of `python -m bot` are `bot.cli`.

The copying itself is `storage.backup`; this module decides when, and who is told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.config import Config
from storage import backup as store
from storage.backup import BackupError, BackupReport
from storage.files import FileCorrupt
from storage.uow import unit_of_work

if TYPE_CHECKING:
    from bot.services.office import Office
    from storage.outbox import OutboxRow
    from storage.uow import Tx

log = logging.getLogger(__name__)

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


def last_backup(office: Office) -> datetime | None:
    newest = store.newest_backup(office.config.storage.backups)
    try:
        return store.backup_time(newest) if newest is not None else None
    except (BackupError, KeyError, ValueError):  # a damaged manifest: back up again soon
        log.warning("cannot read when backup %s was made", newest)
        return None


# -- what ---------------------------------------------------------------------------------


async def run_backup(office: Office) -> BackupReport:
    """Back up the running bot's data, in a thread (the event loop keeps serving)."""
    storage = office.config.storage
    report = await asyncio.to_thread(
        store.backup,
        storage.database,
        storage.files,
        storage.backups,
        now=office.clock.now(),
        zone=office.tz,
        keep=backup_settings(office.config).keep,
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


async def tell_admins_backup_failed(office: Office, exc: Exception) -> None:
    newest = store.newest_backup(office.config.storage.backups)
    now = office.clock.now()
    async with unit_of_work(office.db, office.agency) as tx:
        for admin in office.directory.admins():
            lang = await _language(office, tx, admin)
            text = office.text(
                lang,
                "safety.backup_failed_admin",
                error=str(exc) or type(exc).__name__,
                newest=str(newest) if newest else office.plain(lang, "safety.no_backup"),
            )
            await tx.outbox.add("send", {"text": text, "buttons": []}, now, officer_key=admin)


async def report_damaged_file(office: Office, row: OutboxRow, exc: Exception) -> None:
    """A stored file failed its hash (or is gone): say so to its recipient and the admins.

    Called by the sender, which has not sent the file and will not.
    """
    payload = row.payload
    filename = str(payload.get("filename") or payload.get("sha256", "?"))
    path = exc.path if isinstance(exc, FileCorrupt) else Path(str(exc))
    newest = store.newest_backup(office.config.storage.backups)
    now = office.clock.now()
    async with unit_of_work(office.db, office.agency) as tx:
        case_code = "-"
        if row.case_id is not None:
            case_code = (await tx.cases.get(row.case_id)).code
        if row.officer_key is not None:
            lang = await _language(office, tx, row.officer_key)
            text = office.text(lang, "safety.file_damaged", filename=filename, case_code=case_code)
            out = {"text": text, "buttons": []}
            await tx.outbox.add("send", out, now, officer_key=row.officer_key, case_id=row.case_id)
        for admin in office.directory.admins():
            if admin == row.officer_key:
                continue
            lang = await _language(office, tx, admin)
            text = office.text(
                lang,
                "safety.file_damaged_admin",
                filename=filename,
                case_code=case_code,
                name=office.directory.name(row.officer_key or "-"),
                path=str(path),
                newest=str(newest) if newest else office.plain(lang, "safety.no_backup"),
            )
            await tx.outbox.add("send", {"text": text, "buttons": []}, now, officer_key=admin)


async def _language(office: Office, tx: Tx, officer: str) -> str:
    account = await tx.accounts.get(officer)
    return (account.language if account else None) or office.directory.language(officer)


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
