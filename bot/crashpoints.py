"""Kill points for the crash tests: inert in production, a SIGKILL on demand under test.

A power cut, the OOM killer or `kill -9` stops the bot between any two instructions, with
no `finally`, no flush and no goodbye. The promise that nothing acknowledged is lost can
only be shown by killing the real process at the worst places, so those places carry a
named `crashpoint(...)` call. When `SOPBOT_CRASH_AT` names one, the process sends itself
SIGKILL right there; otherwise the call is a single comparison with a module constant
(the environment is read once, at import).

    SOPBOT_CRASH_AT=upload.stored          the first time the point is passed
    SOPBOT_CRASH_AT=service.committed#3    the third time
    SOPBOT_CRASH_AT=sender.sent_unmarked:document
                                           only where the call's detail is "document"

`SOPBOT_CRASH_SIGNAL=TERM` (or `INT`) sends that signal instead and carries on, which is
how a test makes SIGTERM arrive while an update is in hand (the graceful stop).
`SOPBOT_FAKE_NOW` pins the clock of `python -m bot run` (see `pinned_clock_from_env`);
it exists for the crash rig and nothing else reads it.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.core.clock import FakeClock

log = logging.getLogger(__name__)

CRASH_ENV: Final = "SOPBOT_CRASH_AT"
SIGNAL_ENV: Final = "SOPBOT_CRASH_SIGNAL"
FAKE_NOW_ENV: Final = "SOPBOT_FAKE_NOW"

POINTS: Final[Mapping[str, str]] = {
    "startup.db_open": "start-up: the database is open, nothing delivered or polled yet",
    "inbox.stored": "an update is in the inbox, not yet queued for the handlers",
    "inbox.handled": "an update is handled without an effect that marked it done, not yet marked",
    "upload.downloaded": "a file is downloaded from Telegram, not yet in the file store",
    "upload.stored": "the file is in the store, its new version not yet committed",
    "upload.committed": "the new version is committed, the sender not yet told",
    "upload.acknowledged": "the sender was told, the outbox not yet delivered",
    "button.received": "a task button press is in hand, nothing read yet",
    "button.committed": "the press's action is committed, the press not yet answered",
    "button.answered": "the press is answered, the outbox not yet delivered",
    "dialog.stored": "a dialog's row is committed, its question not yet sent",
    "dialog.prompted": "a dialog's question is delivered (its row on disk), no answer yet",
    "dialog.committed": "a dialog's action (reason, form) is committed, nobody told yet",
    "dialog.acknowledged": "the dialog's acknowledgement is sent, the outbox not delivered",
    "service.before_engine": "an action's case is loaded, the engine not yet called",
    "service.before_commit": "an action's rows are written, the transaction still open",
    "service.committed": "an action's transaction is committed, the caller not yet back",
    "tick.before_commit": "a due reminder is in the outbox, the transaction still open",
    "tick.committed": "due reminders are committed, not yet delivered",
    "sender.before_send": "an outbox row is about to go to Telegram",
    "sender.sent_unmarked": "Telegram said OK, the row is not yet marked sent",
    "sender.marked": "the row is marked sent",
    "document.rendering": "a document job is running, its file not yet stored",
    "document.stored": "a rendered document is in the file store, the job not yet done",
}
"""Every kill point, with where exactly it sits. A unit test keeps this and the code equal."""


@dataclass(frozen=True, slots=True)
class Armed:
    point: str  # "name" or "name:detail"
    hit: int  # die on this pass (1 = the first)
    signum: int


def parse_spec(value: str | None, signal_name: str | None = None) -> Armed | None:
    """`name[:detail][#N]` -> what to kill on; None when unset or blank."""
    if not value or not value.strip():
        return None
    point, _, count = value.strip().partition("#")
    hit = int(count) if count else 1
    if hit < 1:
        raise ValueError(f"{CRASH_ENV}={value!r}: the hit number counts from 1")
    name = point.partition(":")[0]
    if name not in POINTS:
        raise ValueError(f"{CRASH_ENV}={value!r}: no kill point {name!r}")
    return Armed(point, hit, _signal(signal_name))


def _signal(name: str | None) -> int:
    if not name or name.upper() in ("KILL", "SIGKILL"):
        return int(getattr(signal, "SIGKILL", signal.SIGTERM))
    return int(getattr(signal, "SIG" + name.upper().removeprefix("SIG")))


_ARMED: Final = parse_spec(os.environ.get(CRASH_ENV), os.environ.get(SIGNAL_ENV))
_passes = 0


def crashpoint(name: str, detail: str | None = None) -> None:
    """Die here if the crash test asked for it; otherwise return at once."""
    if _ARMED is None:
        return
    if _ARMED.point != name and _ARMED.point != f"{name}:{detail}":
        return
    global _passes
    _passes += 1
    if _passes == _ARMED.hit:
        _fire(_ARMED, name, detail)


def _fire(armed: Armed, name: str, detail: str | None) -> None:
    where = f"{name}:{detail}" if detail else name
    # os.write, not logging: nothing buffered may stand between this line and the kill.
    os.write(2, f"crashpoint {armed.point}#{armed.hit}: {where}, signal {armed.signum}\n".encode())
    os.kill(os.getpid(), armed.signum)


def pinned_clock_from_env(env: Mapping[str, str] | None = None) -> FakeClock | None:
    """The crash rig's clock: `SOPBOT_FAKE_NOW` (ISO 8601 with offset) stands still.

    A pinned clock makes every run of a case print the same deadlines, so a run killed
    twenty times can be compared word for word with an uninterrupted one, and a reminder
    can be made due at start. Never set it in production.
    """
    value = (os.environ if env is None else env).get(FAKE_NOW_ENV)
    if not value:
        return None
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError(f"{FAKE_NOW_ENV}={value!r}: give a UTC offset, e.g. +07:00")
    log.warning("%s is set: the clock is pinned at %s (crash tests only)", FAKE_NOW_ENV, value)
    return FakeClock(instant)
