#!/usr/bin/env python3
"""One entry point that sets itself up: `python3 manage.py run` and `python3 manage.py test`.

A newcomer (or CI) has only Python 3.11 and the package registry. This script creates
`.venv`, installs the project into it whenever `pyproject.toml` changed since the last
install, and then runs the bot or the checks inside that environment. It uses only the
standard library so that it can run before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed-pyproject-sha256"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

USAGE = """usage:
  python3 manage.py run [--demo] [--config PATH]   run the bot (offline demo without config.toml)
  python3 manage.py test [pytest args]             run the whole test suite
  python3 manage.py check                          ruff, mypy and the import contracts
  python3 manage.py bench                          run the benchmarks and print figures
  python3 manage.py cli ARGS                       any `python -m bot` sub-command (backup, ...)
"""


def _pyproject_digest() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create the virtual environment and install the project when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs before the venv exists
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("[setup] creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = _pyproject_digest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    print("[setup] installing dependencies into .venv (first run only) ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True, cwd=ROOT)
    subprocess.run([*pip, "install", "-e", ".[dev]"], check=True, cwd=ROOT)
    STAMP.write_text(digest)


def _run(args: list[str]) -> int:
    return subprocess.run([str(PYTHON), *args], cwd=ROOT).returncode


def cmd_test(extra: list[str]) -> int:
    code = _run(["-m", "pytest", *extra])
    if code == 5:
        print("pytest collected no tests: that is a failure, not a pass.", file=sys.stderr)
    return code


def cmd_check() -> int:
    """ruff, mypy and the import contracts (the layers of `docs/architecture.md`)."""
    ruff = _run(["-m", "ruff", "check", "."])
    mypy = _run(["-m", "mypy"])
    lint_imports = BIN / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    layers = subprocess.run([str(lint_imports), "--no-cache", "--no-logo"], cwd=ROOT).returncode
    return ruff or mypy or layers


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command, rest = argv[0], argv[1:]
    if command not in {"run", "test", "check", "bench", "cli"}:
        print(USAGE, file=sys.stderr)
        return 2
    ensure_venv()
    if command == "run":
        return _run(["-m", "bot", "run", *rest])
    if command == "test":
        return cmd_test(rest)
    if command == "check":
        return cmd_check()
    if command == "bench":
        return _run(["-m", "benchmarks", *rest])
    return _run(["-m", "bot", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
