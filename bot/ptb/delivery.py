"""The delivery worker: the outbox and the document jobs, off the update path.

PTB handles one update at a time. If a handler delivered what its action queued before
returning, the next officer's press would wait for every message and document of the
previous one. So a handler commits, answers and returns; the commit wakes this worker
(`storage.uow.unit_of_work` announces queued work through `Database.on_queued`), and the
worker runs delivery passes in the background, one at a time, so the outbox still goes
out in id order along one path.

The update in hand comes first: from the moment an update arrives until it is handled
(`hold`/`release`), a pass waits, so the answer does not share the CPU and the database
with delivery, and an update's crash points ("button.answered": the press is answered,
nothing of it delivered yet) keep their meaning. A handler that waits for delivery
(`idle`, `through`, `caught_up`) lifts the hold.

Ordering with direct replies: a handler that writes to a chat itself (a reply, a dialog
prompt) first waits until every row committed earlier for that recipient has been
through a pass (`caught_up`); recipients with nothing queued do not wait at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable

log = logging.getLogger(__name__)


class DeliveryWorker:
    """Runs `deliver_pass` after every wake, coalescing wakes that arrive meanwhile.

    Wakes are numbered; a pass started after wake N covers everything committed before
    it, so when it ends, every waiter for wakes up to N may go on.
    """

    def __init__(self, deliver_pass: Callable[[], Awaitable[None]]) -> None:
        self._deliver_pass = deliver_pass
        self._wanted = asyncio.Event()
        self._progress = asyncio.Event()
        self._requested = 0  # the number of the newest wake
        self._served = 0  # every wake up to this one has been through a finished pass
        self._last_for: dict[str, int] = {}  # recipient -> the newest wake that queued for it
        self._task: asyncio.Task[None] | None = None
        self._held = asyncio.Event()  # set: no update in hand holds the next pass
        self._held.set()

    def start(self) -> None:
        """Start the worker (in `post_init`). Rows left from before go out with the first
        commit or the periodic outbox job; a pass now would re-plan the reminder tick
        before the start-up tick has run."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="delivery-worker")

    async def stop(self, grace: float) -> None:
        """Deliver what is queued within `grace` seconds, then stop (rows left wait on disk
        for the next start: a Telegram outage must not hold the stop)."""
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self.idle(), grace)
        except TimeoutError:
            log.warning("outbox not fully delivered at stop; it goes out at the next start")
        task, self._task = self._task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        self._release()  # nobody waits for a worker that is gone

    def hold(self) -> None:
        """An update arrived: the next pass waits until it is handled."""
        self._held.clear()

    def release(self) -> None:
        """The update in hand is handled (or waits for delivery itself)."""
        self._held.set()

    def wake(self) -> None:
        """Ask for a pass (returns at once)."""
        self._requested += 1
        self._wanted.set()

    def queued(self, recipients: frozenset[str]) -> None:
        """A commit queued work (outbox rows for `recipients`, jobs, reminders)."""
        self.wake()
        for recipient in recipients:
            self._last_for[recipient] = self._requested

    async def idle(self) -> None:
        """Wait until every wake so far has been through a finished pass (tests, the demo,
        the stop)."""
        self.release()
        while self._task is not None and self._served < self._requested:
            await self._progress.wait()

    async def through(self) -> None:
        """Wait until everything queued before this call has been through a pass (not what
        is queued later, as `idle` would)."""
        wanted = self._requested
        self.release()
        while self._task is not None and self._served < wanted:
            await self._progress.wait()

    async def caught_up(self, recipients: Iterable[str]) -> None:
        """Wait until what was queued for `recipients` has been through a pass, so that a
        direct reply does not overtake it; at once when nothing is queued for them."""
        wanted = max((self._last_for.get(r, 0) for r in recipients), default=0)
        if self._served < wanted:
            self.release()
        while self._task is not None and self._served < wanted:
            await self._progress.wait()

    async def _run(self) -> None:
        while True:
            await self._wanted.wait()
            await self._held.wait()
            self._wanted.clear()
            covers = self._requested
            try:
                await self._deliver_pass()
            except asyncio.CancelledError:
                raise
            except Exception:  # the rows stay pending; the periodic retry wakes us again
                log.exception("delivery pass failed")
            self._served = covers
            self._last_for = {r: n for r, n in self._last_for.items() if n > covers}
            self._release()

    def _release(self) -> None:
        """Let every waiter look again."""
        self._progress.set()
        self._progress = asyncio.Event()
