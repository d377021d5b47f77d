"""The simulated officers' hands, and the office clock that moves between their actions.

Each action goes through the local Telegram stand-in exactly as a phone would send it
(a typed message, a button press, a file), so the bot receives real updates; the action
is printed before it is sent and whatever the bot does in return is printed after it.

Between actions the clock is moved the way time passes in an office, and whatever the
scheduler would have done meanwhile happens on the way: each due reminder fires at its
own time (`WorkflowService.tick`), and each working morning's digest goes out at the
digest time (`bot.services.scheduling.run_digest`), each followed by delivery of the outbox.
"""

from __future__ import annotations

import asyncio
import mimetypes
import time as wallclock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Final

from bot.core.clock import FakeClock
from bot.services.document_jobs import MAX_ATTEMPTS
from bot.services.scheduling import next_digest_at, run_digest
from bot.views.fmt import format_day_date, format_file_size
from demo.console import Console
from demo.stage import Stage
from fakegram import BotMessage, FakeUser
from storage.uow import reading

__all__ = ["Actors", "DemoStuck"]

PACE: Final = timedelta(minutes=1)  # how long a tap or a short answer takes
_MAX_WAKEUPS: Final = 500  # per move of the clock: a loop, not a busy office
_WAIT: Final = 30.0  # seconds (real) the bot may take to react, PDF conversion included
_POLL: Final = 0.05  # seconds between looks at the document jobs
_RECHECK: Final = 0.005  # seconds between looks at whether the bot has handled an update


class DemoStuck(RuntimeError):
    """The bot did not react as the scenario expects (a bug, reported with context)."""


class Actors:
    """The officers of the stage, by officer key, acting on the simulated clock."""

    def __init__(self, stage: Stage, clock: FakeClock, console: Console) -> None:
        self.stage = stage
        self.clock = clock
        self.console = console
        self.runtime = stage.runtime
        self._day: date | None = None

    # -- who --------------------------------------------------------------------------------

    def user(self, who: str) -> FakeUser:
        if who in self.stage.users:
            return self.stage.users[who]
        raise DemoStuck(f"no simulated officer {who!r} on the stage")

    def name(self, who: str) -> str:
        return self.console.names.get(self.user(who).id, who)

    # -- hands ------------------------------------------------------------------------------

    async def type(self, who: str, text: str) -> None:
        """Type a message (a command, an answer, a reason) and wait for the reply."""
        await self._step_forward()
        user = self.user(who)
        self.console.act(self.name(who), text if text.startswith("/") else f'"{text}"')
        user.send_text(text)
        await self._settle()

    async def press(self, who: str, label: str) -> str:
        """Press the button labelled `label` on the newest message that carries it."""
        await self._step_forward()
        user = self.user(who)
        message = self._message_with(user, label)
        self.console.act(self.name(who), f"[{label}]")
        query = user.press_button(message, label)
        await self._settle()
        return user.callback_answer(query).text or ""

    async def send_file(self, who: str, path: Path, caption: str | None = None) -> None:
        """Send a file from `templates/demo/` as a document, as a phone would."""
        await self._step_forward()
        user = self.user(who)
        data = await asyncio.to_thread(path.read_bytes)
        size = format_file_size(len(data), self.console.lang)
        self.console.act(self.name(who), f"📎 {path.name} ({size})")
        mime = mimetypes.guess_type(path.name)[0]
        user.send_document(path.name, data, caption=caption, mime_type=mime)
        await self._settle()

    async def send_photo(self, who: str, path: Path, caption: str | None = None) -> None:
        """Send a photo (Telegram recompresses photos to JPEG; ours already is one)."""
        await self._step_forward()
        user = self.user(who)
        data = await asyncio.to_thread(path.read_bytes)
        shown = f" — {caption}" if caption else ""
        self.console.act(self.name(who), f"🖼 foto {path.name}{shown}")
        user.send_photo(data, caption=caption)
        await self._settle()

    def _message_with(self, user: FakeUser, label: str) -> BotMessage:
        for message in reversed(user.transcript):
            if not message.deleted and label in message.button_texts:
                return message
        raise DemoStuck(f"{user!r} has no message with a button [{label}]")

    async def _settle(self) -> None:
        """Wait until the bot has handled every update and made its documents; print it."""
        try:
            # As `Stage.settle`, looking more often: a demo is a long row of small waits.
            target = self.stage.fake.last_update_id
            await self.stage.fake.wait_for(
                lambda: self.runtime.last_update_id >= target, _WAIT, recheck=_RECHECK
            )
            if not await self.documents_made():
                raise DemoStuck(f"documents still unmade after {_WAIT:.0f} s")
        finally:
            self.console.flush()

    async def documents_made(self) -> bool:
        """Wait (real time) for the document jobs in flight: rendering, then PDF copies.

        The PDF copies are converted in the background after the action that asked for
        them; the scenario waits, so that the files reach the officers at the simulated
        minute they were made. A job left pending is run the way the bot's periodic
        delivery job would run it. A job that failed for good (its attempts used up) is
        not waited for. False when the time ran out.
        """
        runtime = self.runtime
        deadline = wallclock.monotonic() + _WAIT
        while wallclock.monotonic() < deadline:
            await runtime.deliver()  # the delivery worker's pass: messages, then renders
            if runtime.docjobs is not None:
                await runtime.docjobs.idle()
                await runtime.deliver()
            async with reading(runtime.db, runtime.agency) as tx:
                jobs = await tx.jobs.pending()
            if all(job.attempts >= MAX_ATTEMPTS for job in jobs):
                return True
            await asyncio.sleep(_POLL)
        return False

    # -- the clock --------------------------------------------------------------------------

    async def _step_forward(self) -> None:
        await self.until(self.clock.now() + PACE)

    async def at(self, day: date, hour: int, minute: int = 0) -> None:
        """Let office time pass until `day` at `hour`.`minute` (local), scheduler included."""
        target = datetime.combine(day, time(hour, minute), tzinfo=self.runtime.tz)
        if target < self.clock.now():
            raise DemoStuck(f"the scenario goes back in time to {target.isoformat()}")
        await self.until(target)

    async def until(self, target: datetime) -> None:
        """Move the clock to `target`, waking at every reminder or digest due before it."""
        for _ in range(_MAX_WAKEUPS):
            wake = await self._next_wakeup()
            if wake > target:
                break
            await self._wake(wake)
        else:
            raise DemoStuck(f"more than {_MAX_WAKEUPS} scheduler wake-ups before {target}")
        self._set_time(target)

    async def _next_wakeup(self) -> datetime:
        """The earliest due reminder (held to office hours), digest or Surat Perintah
        starting or ending after now."""
        now = self.clock.now()
        calendar = self.runtime.calendar
        candidates = [next_digest_at(now, self.runtime.digest, self.runtime)]
        acting = await self.runtime.acting.next_change()
        if acting is not None:
            candidates.append(acting)
        due = await self.runtime.service.next_wakeup()
        if due is not None:
            when = max(due, now)
            if not calendar.is_working_time(when):
                when = calendar.next_opening(when)
            candidates.append(max(when, now + timedelta(seconds=1)))
        return min(candidates)

    async def _wake(self, when: datetime) -> None:
        """Do what the scheduler's jobs would do at `when`: the acting check, the digest,
        then the tick."""
        self._set_time(when)
        runtime = self.runtime
        await runtime.acting.apply_due(when)  # a Surat Perintah taking effect or ending
        digests = await run_digest(runtime, when)
        reminders = await runtime.service.tick(when)
        if digests or reminders:
            what = "ringkasan harian" if digests else "pengingat"
            if digests and reminders:
                what = "ringkasan harian dan pengingat"
            self.console.note(f"penjadwal: {what}")
            await runtime.deliver()
            await self._settle()

    def _set_time(self, instant: datetime) -> None:
        self.clock.set(instant)
        day = self.runtime.calendar.local_date(instant)
        if day != self._day:
            self._day = day
            self.console.heading(format_day_date(day, self.runtime.tz, self.console.lang))
