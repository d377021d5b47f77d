"""Command line: `python -m bot run [--demo] [--config PATH]` and maintenance commands.

`run` serves real Telegram when a config file exists; with no `config.toml` yet (or with
`--demo`) it runs the offline demo. A config without a token is an error naming the key,
never a silent demo: a production service with a missing secret must fail loudly.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from pathlib import Path

from bot.config import ConfigError, load_config
from bot.core.sop_loader import SopError, load_sops, sop_warnings

DEFAULT_CONFIG = Path("config.toml")

log = logging.getLogger("bot")


BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b")


class RedactingFormatter(logging.Formatter):
    """Hides anything shaped like a bot token, tracebacks included (PTB quotes the token
    in `InvalidToken`, and request URLs carry it)."""

    def format(self, record: logging.LogRecord) -> str:
        return BOT_TOKEN.sub("<token hidden>", super().format(record))


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(level=getattr(logging, level.upper(), logging.INFO))
    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
    # Request URLs contain the token: keep the HTTP client quiet.
    for noisy in ("httpx", "httpcore", "telegram.ext.ExtBot", "telegram.Bot"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def load_everything(path: Path):  # type: ignore[no-untyped-def]
    """Config and SOPs, both checked; raises ConfigError/SopError with every mistake."""
    first = load_config(path)
    sops = load_sops(first.sops)
    roles = frozenset(r for sop in sops.values() for r in sop.roles)
    config = load_config(path, known_roles=roles)
    return config, sops


def cmd_run(args: argparse.Namespace) -> int:
    path = Path(args.config)
    if args.demo or (not path.exists() and args.config == str(DEFAULT_CONFIG)):
        from demo import main as demo_main

        return demo_main(Path(args.demo_out))
    if not path.exists():
        return _fail(f"{path}: file not found (copy config.example.toml to {path} and edit it)")
    try:
        config, sops = load_everything(path)
    except (ConfigError, SopError) as exc:
        return _fail(str(exc))
    from bot.services.backup import startup_problem

    damaged = startup_problem(config)
    if damaged is not None:
        return _fail(damaged)
    from bot.live import serve

    return serve(config, sops)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        config, sops = load_everything(Path(args.config))
    except (ConfigError, SopError) as exc:
        return _fail(str(exc))
    from bot.core.clock import SystemClock
    from bot.runtime import Runtime, StartupError

    try:
        Runtime.build(config, dict(sops), SystemClock())
    except StartupError as exc:
        return _fail("\n".join(exc.problems))
    print(f"{args.config}: OK ({len(config.officers)} officers, SOPs: {', '.join(sops)})")
    return 0


def cmd_check_sop(args: argparse.Namespace) -> int:
    try:
        sops = load_sops([Path(p) for p in args.paths])
    except SopError as exc:
        return _fail(str(exc))
    for sop in sops.values():
        print(f"{sop.key}: {len(sop.steps)} steps, OK")
        for warning in sop_warnings(sop):
            print(f"warning: {warning}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--log-level", default=os.environ.get("SOPBOT_LOG_LEVEL", "INFO"))
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (the offline demo without config.toml)")
    run.add_argument("--config", default=str(DEFAULT_CONFIG))
    run.add_argument("--demo", action="store_true", help="run the offline demo")
    run.add_argument("--demo-out", default="demo-out", help="where the demo leaves its files")
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("check-config", help="check config.toml and the SOP files")
    check.add_argument("--config", default=str(DEFAULT_CONFIG))
    check.set_defaults(func=cmd_check)
    check_sop = sub.add_parser("check-sop", help="check SOP files")
    check_sop.add_argument("paths", nargs="+")
    check_sop.set_defaults(func=cmd_check_sop)
    from bot.cli import add_commands

    add_commands(sub)  # backup, restore, verify-audit
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
