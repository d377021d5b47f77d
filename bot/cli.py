"""The maintenance commands of `python -m bot`: `backup`, `restore`, `verify-audit`,
`kepatuhan` (the SOP compliance report), `wakil` and `wakil-perpanjang` (record or extend
a Surat Perintah for a Plh/Plt, as /wakil does in chat).

They work on the files alone (no Telegram, no running bot), so an admin can run them
from a shell while the bot is stopped, or on a copy of its data. A Surat Perintah
recorded while the bot runs takes effect at its next acting check (at the latest its
daily run); its messages go out with the outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import re
import sys
from datetime import date
from pathlib import Path

from bot.config import Config, ConfigError, load_config
from bot.core.acting import ActingKind, ActingRefusal, Appointment
from bot.core.clock import SystemClock
from bot.core.compliance import parse_audit_period
from bot.core.sop_loader import SopError, load_sops
from bot.runtime import Runtime, StartupError
from bot.services.backup_settings import BackupSettings
from bot.services.compliance import build_compliance, today
from bot.views import acting as acting_views
from storage import backup as store
from storage.audit import Anchor, verify_audit
from storage.audit_key import AUDIT_KEY_FILE, AuditKeyError, AuditKeySource
from storage.backup import BackupError


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
    audit.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="ROW:FINGERPRINT",
        help="an audit head as a backup manifest or a daily digest printed it (repeatable)",
    )
    audit.set_defaults(func=cmd_verify_audit)
    comply = sub.add_parser(
        "kepatuhan", help="the SOP compliance report (.docx and charts) of a year or quarter"
    )
    comply.add_argument(
        "period", nargs="*", help='"2026", "2026-TW2", "TW II 2026" (default: this year)'
    )
    comply.add_argument("--config", default="config.toml")
    comply.add_argument("--out", help="folder for the files (default: [storage] output)")
    comply.add_argument("--lang", default="id", choices=["id", "en"], help="of the summary")
    comply.set_defaults(func=cmd_kepatuhan)
    acting = sub.add_parser("wakil", help="record a Surat Perintah for a Plh/Plt")
    acting.add_argument("--config", default="config.toml")
    acting.add_argument("--kind", choices=[k.value for k in ActingKind], required=True)
    acting.add_argument("--absent", required=True, help="the absent official's officer key")
    acting.add_argument("--stand-in", required=True, help="the stand-in's officer key")
    acting.add_argument(
        "--appointer",
        required=True,
        help="who signed it: an officer key, or bupati / sekda for the head of the agency",
    )
    acting.add_argument("--letter", required=True, help="the Surat Perintah's number")
    acting.add_argument("--letter-date", required=True, type=date.fromisoformat)
    acting.add_argument("--start", required=True, type=date.fromisoformat)
    acting.add_argument("--end", required=True, type=date.fromisoformat)
    acting.add_argument("--by", help="the admin recording it (default: the first admin)")
    acting.set_defaults(func=cmd_acting)
    extend = sub.add_parser("wakil-perpanjang", help="extend a Plt once, by 3 months at most")
    extend.add_argument("--config", default="config.toml")
    extend.add_argument("--id", required=True, type=int, help="the recorded Surat Perintah's id")
    extend.add_argument("--end", required=True, type=date.fromisoformat, help="the new last day")
    extend.add_argument("--by", help="the admin recording it (default: the first admin)")
    extend.set_defaults(func=cmd_acting_extend)


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
    print(f"The audit key ({AUDIT_KEY_FILE}) is not in a backup: keep it beside config.toml.")
    return 0


def cmd_verify_audit(args: argparse.Namespace) -> int:
    """Check the chain (keyed with the key beside the config, or SOPBOT_AUDIT_KEY) and
    each anchor; name the first row that fails."""
    config = _config(args.config)
    if config is None:
        return 2
    try:
        anchors = [Anchor.parse(text) for text in args.anchor]
    except ValueError as exc:
        print(f"--anchor {exc}", file=sys.stderr)
        return 2
    database = config.storage.database
    if not database.exists():
        print(f"{database}: no database", file=sys.stderr)
        return 2
    try:
        key = AuditKeySource.beside(config.source).load()
    except AuditKeyError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    report = asyncio.run(verify_audit(database, key, anchors))
    if report.problems:
        print(f"{database}: the audit log has been tampered with:", file=sys.stderr)
        for problem in report.problems:
            print(f"  {problem}", file=sys.stderr)
        if report.first_bad is not None:
            print(f"  first row that fails: {report.first_bad}", file=sys.stderr)
        return 1
    print(f"{database}: audit log intact ({report.rows} rows, hash chain verified)")
    if report.keyed_from is not None:
        print(f"keyed from row {report.keyed_from}; head {report.head}")
    for anchor in anchors:
        print(f"anchor {anchor} matches")
    return 0


def cmd_kepatuhan(args: argparse.Namespace) -> int:
    """Write the compliance report and its charts, print the summary: the same figures as
    /kepatuhan in chat, from the database alone (the bot may be running or stopped)."""
    runtime = _runtime(args.config)
    if runtime is None:
        return 2
    config = runtime.config
    typed = " ".join(args.period)
    period = parse_audit_period(typed, today(runtime))
    if period is None:
        print(f"{typed!r}: expected a year or a quarter, e.g. 2026 or 2026-TW2", file=sys.stderr)
        return 2
    if not config.storage.database.exists():
        print(f"{config.storage.database}: no database", file=sys.stderr)
        return 2

    async def build() -> tuple[str, list[Path]]:
        await runtime.db.ensure_open()
        try:
            answer = await build_compliance(runtime, period, args.lang)
        finally:
            await runtime.db.close()
        folder = Path(args.out) if args.out else config.storage.output
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / answer.filename]
        written[0].write_bytes(answer.document)
        stem = Path(answer.filename).stem
        for index, chart in enumerate(answer.charts, start=1):
            path = folder / f"{stem}_grafik_{index}.png"
            path.write_bytes(chart.png)
            written.append(path)
        return answer.summary, written

    summary, written = asyncio.run(build())
    print(html.unescape(re.sub(r"<[^>]+>", "", summary)))
    for path in written:
        print(f"wrote {path}")
    return 0


def _runtime(path: str) -> Runtime | None:
    config = _config(path)
    if config is None:
        return None
    try:
        return Runtime.build(config, load_sops(config.sops), SystemClock())
    except (SopError, StartupError) as exc:
        print(str(exc), file=sys.stderr)
        return None


def cmd_acting(args: argparse.Namespace) -> int:
    """Check and record a Surat Perintah with the same rules as /wakil; say why if not."""
    runtime = _runtime(args.config)
    if runtime is None:
        return 2
    config = runtime.config
    actor = args.by or (config.admins[0] if config.admins else "")
    appointment = Appointment(
        kind=ActingKind(args.kind),
        letter_number=args.letter,
        letter_date=args.letter_date,
        appointer=args.appointer,
        absent=args.absent,
        stand_in=args.stand_in,
        start=args.start,
        end=args.end,
    )
    return asyncio.run(_record(runtime, actor, appointment))


def cmd_acting_extend(args: argparse.Namespace) -> int:
    """Extend a recorded Plt (once, by at most three months); say why if not."""
    runtime = _runtime(args.config)
    if runtime is None:
        return 2
    config = runtime.config
    actor = args.by or (config.admins[0] if config.admins else "")
    return asyncio.run(_record(runtime, actor, None, extend=(args.id, args.end)))


async def _record(
    runtime: Runtime,
    actor: str,
    appointment: Appointment | None,
    *,
    extend: tuple[int, date] | None = None,
) -> int:
    """Record `appointment`, or extend the one `extend` names; the answer as /wakil's."""
    cat, people, tz = runtime.catalogue, runtime.directory, runtime.tz
    lang = runtime.config.language.value
    await runtime.db.open()
    try:
        if extend is not None:
            stored = await runtime.acting.extend(actor, *extend)
        else:
            assert appointment is not None
            stored = await runtime.acting.record(actor, appointment)
    except ActingRefusal as refusal:
        print(acting_views.refusal_text(cat, people, tz, lang, refusal), file=sys.stderr)
        return 1
    finally:
        await runtime.db.close()
    print(html.unescape(acting_views.recorded_text(cat, people, tz, lang, stored)))
    return 0
