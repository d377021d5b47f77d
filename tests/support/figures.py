"""Figures the safety tests measure (kills survived, cases tried, bad inputs by class).

They are kept in pytest's stash (printed in the terminal summary by the conftests of
tests/crash and tests/security) and in pytest's cache under `sopbot/safety-figures`, where
`python -m benchmarks.bench_backup` reads them back for the closing note.
"""

from __future__ import annotations

from typing import Any

import pytest

FIGURES_KEY = pytest.StashKey[dict[str, Any]]()
CACHE_KEY = "sopbot/safety-figures"


def record(request: pytest.FixtureRequest, name: str, value: Any) -> None:
    config = request.config
    figures = config.stash.setdefault(FIGURES_KEY, {})
    figures[name] = value
    cache = getattr(config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None:
        stored = cache.get(CACHE_KEY, {})
        stored[name] = value
        cache.set(CACHE_KEY, stored)


def summarize(reporter: pytest.TerminalReporter, prefix: str) -> None:
    """Print this session's figures whose names start with `prefix`."""
    figures = reporter.config.stash.get(FIGURES_KEY, {})
    mine = {k: v for k, v in figures.items() if k.startswith(prefix)}
    if mine:
        reporter.section(f"{prefix} figures")
        for name, value in sorted(mine.items()):
            reporter.write_line(f"{name}: {value}")
