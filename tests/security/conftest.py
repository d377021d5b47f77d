"""The figures the security tests report at the end of the run, with or without `-s`."""

from __future__ import annotations

import pytest

from tests.crash.figures import summarize


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summarize(terminalreporter, "security")
