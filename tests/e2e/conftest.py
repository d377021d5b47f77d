"""One run of the offline demo, read by every end-to-end module that checks the whole case."""

from __future__ import annotations

import asyncio

import pytest

from demo import DemoResult, run_demo


@pytest.fixture(scope="session")
def played(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """The whole demo case (both returns, reminders, digests), played once per session."""
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    return asyncio.run(run_demo(out, echo=None))
