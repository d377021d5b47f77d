"""The offline demo (placeholder until the demo issue lands): explains how to get one."""

from __future__ import annotations

from pathlib import Path


def main(out: Path) -> int:
    print(f"The offline demo is not built yet (it will write to {out}/).")
    return 1
