"""Every scheduled job of the bot: the reminder tick, the outbox retry, the daily digest
and holiday-data check, the daily backup, the daily outbox prune and the acting check
(a Surat Perintah taking effect or ending).

Each job is planned as a *delay* from the injected clock (never an absolute instant), one
job per deterministic id: a simulated clock (tests, the demo) drives the jobs, never the
wall clock catching up. The jobs only decide *when*; the work is done by the services
(`WorkflowService.tick`, `bot.services.scheduling`, `bot.services.backup`), which tests
and the demo call directly with a `FakeClock`'s time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, JobQueue

from bot.ptb.context import BotContext
from bot.runtime import Runtime
from bot.services.backup import (
    last_backup,
    next_backup_at,
    run_backup,
    tell_admins_backup_failed,
)
from bot.services.retention import prune_outbox
from bot.services.scheduling import (
    next_digest_at,
    record_first_start,
    run_digest,
    warn_missing_cuti_bersama,
)

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]  # the bot, or a job's view of it

TICK_JOB = "reminders:tick"
OUTBOX_JOB = "outbox:retry"
DIGEST_JOB = "digest:daily"
STARTUP_JOB = "scheduling:startup"
BACKUP_JOB = "backup:daily"
PRUNE_JOB = "outbox:prune"
ACTING_JOB = "acting:check"
OUTBOX_RETRY_SECONDS = 30
PRUNE_EVERY = timedelta(days=1)

_ONCE: dict[str, Any] = {"replace_existing": True, "misfire_grace_time": None}
_JobCallback = Callable[[BotContext], Coroutine[Any, Any, None]]


def _once_at(
    job_queue: JobQueue[Any], callback: _JobCallback, name: str, when: datetime, now: datetime
) -> None:
    """Plan `callback` once at `when`, its name as its id, replacing the run planned before:
    each run plans the next from the clock, so one waiting job per name is the whole
    schedule. A time already come is planned a second on (never a delay of zero or less),
    so a plan made late still runs."""
    job_queue.run_once(
        callback,
        max(when - now, timedelta(seconds=1)),
        name=name,
        job_kwargs={"id": name, **_ONCE},
    )


def start_jobs(app: AnyApp, runtime: Runtime) -> None:
    """From `post_init`: the first tick (past-due reminders go out now), the outbox retry,
    the start-up run (catch-up digest, holiday check) and the backup."""
    job_queue = app.job_queue
    if job_queue is None:
        return
    # Jobs added before start() run at start().
    job_queue.run_once(_tick_job, 0, name=TICK_JOB, job_kwargs={"id": TICK_JOB, **_ONCE})
    job_queue.run_repeating(
        _outbox_job,
        OUTBOX_RETRY_SECONDS,
        first=1,
        name=OUTBOX_JOB,
        job_kwargs={"id": OUTBOX_JOB, "replace_existing": True},
    )
    job_queue.run_once(_startup_job, 0, name=STARTUP_JOB, job_kwargs={"id": STARTUP_JOB, **_ONCE})
    job_queue.run_repeating(
        _prune_job,
        PRUNE_EVERY,
        first=60,
        name=PRUNE_JOB,
        job_kwargs={"id": PRUNE_JOB, "replace_existing": True},
    )
    plan_backup(app, runtime)
    job_queue.run_once(
        _acting_start_job, 0, name=ACTING_JOB, job_kwargs={"id": ACTING_JOB, **_ONCE}
    )


# -- the reminder tick and the outbox ---------------------------------------------------------


async def _tick_job(context: BotContext) -> None:
    runtime = context.runtime
    await runtime.service.tick()
    await runtime.deliver()


async def _outbox_job(context: BotContext) -> None:
    await context.runtime.deliver()


async def _prune_job(context: BotContext) -> None:
    runtime = context.runtime
    await prune_outbox(runtime, runtime.clock.now())
    await runtime.inbox.prune()  # updates done over a day ago


async def plan_wakeup(app: AnyApp, runtime: Runtime) -> datetime | None:
    """Wake the tick at the next due reminder, or at the next opening if that is at night."""
    job_queue = app.job_queue
    if job_queue is None:
        return None
    due = await runtime.service.next_wakeup()
    if due is None:
        for job in job_queue.get_jobs_by_name(TICK_JOB):
            job.schedule_removal()
        return None
    now = runtime.clock.now()
    when = max(due, now)
    if not runtime.calendar.is_working_time(when):
        when = runtime.calendar.next_opening(when)
    when = max(when, now + timedelta(seconds=1))
    _once_at(job_queue, _tick_job, TICK_JOB, when, now)
    return when


# -- the daily digest and the holiday-data check -----------------------------------------------


async def plan_digest(app: AnyApp, runtime: Runtime) -> datetime | None:
    """Wake the digest job at the next working day's digest time."""
    job_queue = app.job_queue
    if job_queue is None:
        return None
    now = runtime.clock.now()
    when = next_digest_at(now, runtime.digest, runtime)
    _once_at(job_queue, _digest_job, DIGEST_JOB, when, now)
    return when


async def _startup_job(context: BotContext) -> None:
    runtime = context.runtime
    now = runtime.clock.now()
    await record_first_start(runtime, now)
    try:
        await _daily_work(runtime, now)
    finally:  # a failed run must not end the daily digests: the error handler logs it
        await plan_digest(context.application, runtime)


async def _digest_job(context: BotContext) -> None:
    runtime = context.runtime
    try:
        await _daily_work(runtime, runtime.clock.now())
    finally:
        await plan_digest(context.application, runtime)


async def _daily_work(runtime: Runtime, now: datetime) -> None:
    await warn_missing_cuti_bersama(runtime, now)
    # A Surat Perintah recorded from the command line meanwhile takes effect by today.
    await runtime.acting.apply_due(now)
    await run_digest(runtime, now)
    await runtime.deliver()


# -- acting officials (Plh/Plt) -----------------------------------------------------------------


async def plan_acting(app: AnyApp, runtime: Runtime) -> datetime | None:
    """Wake the acting check when the next Surat Perintah starts or ends."""
    job_queue = app.job_queue
    if job_queue is None:
        return None
    when = await runtime.acting.next_change()
    if when is None:
        return None
    now = runtime.clock.now()
    _once_at(job_queue, _acting_job, ACTING_JOB, when, now)
    return when


async def _acting_start_job(context: BotContext) -> None:
    """At start: the tasks of officers gone from the config are reported to the admins,
    the Surat Perintah written in the config are kept, then what came due while the bot
    was down is handed over or back."""
    await context.runtime.acting.report_orphans()
    await context.runtime.acting.record_configured()
    await _acting_job(context)


async def _acting_job(context: BotContext) -> None:
    runtime = context.runtime
    try:
        await runtime.acting.apply_due()
        await runtime.deliver()
    finally:
        await plan_acting(context.application, runtime)


# -- the daily backup ----------------------------------------------------------------------------


def plan_backup(app: AnyApp, runtime: Runtime) -> datetime | None:
    """Wake the backup job at the next backup time (from `post_init` and after each run)."""
    settings = runtime.backup
    job_queue = app.job_queue
    if job_queue is None or not settings.enabled:
        return None
    now = runtime.clock.now()
    when = next_backup_at(now, settings, runtime.tz, last_backup(runtime))
    _once_at(job_queue, _backup_job, BACKUP_JOB, when, now)
    return when


async def _backup_job(context: BotContext) -> None:
    runtime = context.runtime
    try:
        await run_backup(runtime)
    except Exception as exc:
        log.exception("the daily backup failed")
        await tell_admins_backup_failed(runtime, exc)
        await runtime.deliver()
    finally:
        plan_backup(context.application, runtime)
