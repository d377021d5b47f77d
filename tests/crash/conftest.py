"""The `crash` marker (these tests run in `manage.py test`; `-m "not crash"` skips them)
and the figures they report at the end of the run, with or without `-s`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.crash.zygote import Zygote
from tests.support.figures import summarize


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "crash: runs the bot as a separate process and kills it (a few seconds)"
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summarize(terminalreporter, "crash")


@pytest.fixture
def zygote() -> Iterator[Zygote]:
    """Forks bot processes from one import of the bot (see tests/crash/zygote.py)."""
    forker = Zygote()
    try:
        yield forker
    finally:
        forker.close()
