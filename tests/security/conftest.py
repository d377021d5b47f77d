"""The running bot the hostile-input modules share, and the figures they report at the end of
the run, with or without `-s`.

`live` is module-scoped: starting the bot per input would make a thousand generated presses
take minutes. So the tests of one module share one bot and whatever they changed in it, and
they depend on running in file order: every test asserts the cases unchanged, except the
`test_zz_...` ones at the end of a file, which leave something behind (an accepted draft, a
forwarded file) or read what the earlier tests counted. Run alone (`-k`), a `test_zz_` test
sees a fresh bot and may fail for that reason only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

import pytest

from demo.stage import Stage
from tests.security.live import LiveStage, review_and_first_step
from tests.support.figures import record, summarize


@pytest.fixture(scope="module")
def live_setup() -> Callable[[Stage], Awaitable[None]]:
    """Where the cases stand when a module's bot starts; a module overrides it to differ."""
    return review_and_first_step


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    live_setup: Callable[[Stage], Awaitable[None]],
) -> Iterator[LiveStage]:
    """One bot for the whole module, in a folder named after it."""
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    bot = LiveStage(folder, setup=live_setup)
    try:
        yield bot
    finally:
        bot.close()


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a module that names its `FIGURES`: its `tried` counter (inputs sent, by class)."""
    yield
    name = getattr(request.module, "FIGURES", None)
    if name is not None:
        record(request, name, dict(sorted(request.module.tried.items())))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    summarize(terminalreporter, "security")
