"""One running bot for many hostile inputs: the stage on its own thread and event loop.

Starting the stage per input would make a thousand generated presses take minutes. Here
the bot runs once (`LiveStage`), a case sits at the Sekretaris's review and another at
its first step, and the test thread sends input through the stand-in's users and waits
(event-driven) until the bot has handled it. `snapshot()` reads the case state straight
from the SQLite file, so a check never waits on the bot's event loop.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.core.clock import FakeClock
from bot.views.i18n import Catalogue
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import FakeTelegram, FakeUser
from tests.support.chat import START, start_case, walk_to_review
from tests.support.engine import LETTER

T = TypeVar("T")
STRANGER = 4242
FRONT_OFFICE = 1099


class _Errors(logging.Handler):
    """Every ERROR the bot logs: an exception in a handler is a bug, even if answered."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        detail = f": {record.exc_info[1]!r}" if record.exc_info else ""
        self.records.append(f"{record.name}: {record.getMessage()[:300]}{detail}")


async def review_and_first_step(st: Stage) -> None:
    """Case 1 at the Sekretaris's review (four steps done), case 2 at the Kadin's first."""
    await start_case(st)
    await walk_to_review(st)
    await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW1", 2026, LETTER)
    await st.runtime.deliver()


class LiveStage:
    def __init__(
        self, folder: Path, setup: Callable[[Stage], Awaitable[None]] = review_and_first_step
    ) -> None:
        self.folder = folder
        self.setup = setup
        self.errors = _Errors()
        logging.getLogger().addHandler(self.errors)
        self.fake = FakeTelegram(token=STAGE_TOKEN).start()
        self.clock = FakeClock(START)
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stop: asyncio.Event | None = None
        self.stage: Stage | None = None
        self.thread = threading.Thread(target=self._run, name="live-stage", daemon=True)
        self.thread.start()
        if not self._ready.wait(timeout=60) or self._failure is not None:
            raise RuntimeError("the stage did not start") from self._failure

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        try:
            async with stage(self.folder, self.clock, self.fake) as st:
                self.stage = st
                self.fake.user(FRONT_OFFICE, "Loket", started=True)
                self.fake.user(STRANGER, "Orang Asing", started=True)
                await self.setup(st)
                self._ready.set()
                await self._stop.wait()
        except BaseException as exc:
            self._failure = exc
            self._ready.set()
            raise

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the bot's loop (e.g. a service call) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def close(self) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(timeout=30)
        self.fake.stop()
        logging.getLogger().removeHandler(self.errors)

    # -- users and waiting ------------------------------------------------------------------

    @property
    def st(self) -> Stage:
        assert self.stage is not None
        return self.stage

    def user(self, telegram_id: int) -> FakeUser:
        return self.fake.user(telegram_id, "?", started=True)

    def officers(self) -> dict[str, FakeUser]:
        return dict(self.st.users)

    def settle(self) -> None:
        """Wait until the bot has handled every update sent so far."""
        target = self.fake.last_update_id
        runtime = self.st.runtime
        self.fake.wait_for_sync(
            lambda: runtime.last_update_id >= target, timeout=15, recheck=0.002
        )

    # -- the state that must not change ---------------------------------------------------------

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Cases, tasks, drafts, audit trail and reminders, as stored."""
        conn = sqlite3.connect(self.st.config.storage.database, timeout=10)
        try:
            return {
                table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
                for table in ("cases", "tasks", "files", "audit_log", "reminders")
            }
        finally:
            conn.close()


def catalogue_patterns(lang: str = "id") -> list[re.Pattern[str]]:
    """Every sentence the bot may say, as a pattern (placeholders match anything).

    An answer that matches none of them is something the catalogue does not contain: a
    raw exception, an internal name, text from nowhere.
    """
    catalogue = Catalogue.load()
    marker = "\x00VALUE\x00"
    patterns = []
    for key in catalogue:
        params = {name: marker for name in catalogue.placeholders(key)}
        for render in (catalogue.plain, catalogue.text):
            text = render(lang, key, **params)
            shown = html.unescape(re.sub(r"<[^>]+>", "", text))
            patterns.append(re.compile(".*".join(re.escape(p) for p in shown.split(marker))))
    return patterns
