"""The daily jobs beside the reminder tick: the Sekretaris's digest and the holiday-data check.

Like the tick (`bot.ptb.jobs.plan_wakeup`), each job is planned as a *delay* from the injected
clock, one job per deterministic id, and each does its work through a plain function of
`now` (`run_digest`, `warn_missing_cuti_bersama`): tests and the demo call those with a
`FakeClock`'s time instead of waiting, and the scheduler only decides when to call them.

The database decides what was done: a digest is recorded in `digest_runs` in the same
transaction as its outbox rows, and a holiday warning in `kv`, so a restart repeats
neither. At start, a digest missed while the bot was down goes out if that working day
is not over yet (its office hours have not closed); one that fell due before the bot was
first started on this database does not (a new installation at 10.00 has missed
nothing).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import holidays

from bot.core.digest import DigestView, Reach, Window, build_view, unreachable_officers
from bot.services.digest import (
    DigestSettings,
    digest_recipients,
    may_nudge,
)
from bot.services.office import Office
from bot.services.outbox import enqueue, notify_admins
from bot.views.digest import DIGEST_PAGE_SIZE, DigestMessage, DigestRenderer
from bot.views.outgoing import Outgoing, Send
from storage.codec import from_iso, to_iso
from storage.digests import DigestRuns
from storage.kv import KeyValues
from storage.uow import reading, unit_of_work

log = logging.getLogger(__name__)

FIRST_START_KEY = "scheduling.first_start"
_LOOKAHEAD_DAYS = 400


# --- the digest --------------------------------------------------------------------------


def renderer(office: Office) -> DigestRenderer:
    calendar = office.calendar
    return DigestRenderer(
        office.catalogue,
        office.directory,
        office.tz,
        calendar,
        calendar.working_minutes_per_day,
    )


async def collect_digest(office: Office, now: datetime, page: int = 1) -> DigestView:
    """Page `page` of the open cases (only those read whole), the counts over all of
    them, and who cannot be reached."""
    board = await office.service.digest_board(page, DIGEST_PAGE_SIZE)
    overdue = sum(1 for row in board.rows if row.deadline is not None and row.deadline <= now)
    window = Window(board.page.number, board.page.count, len(board.rows), overdue)
    async with reading(office.db, office.agency) as tx:
        reach = {
            a.officer_key: Reach(a.telegram_id, a.unreachable_since)
            for a in await tx.accounts.all()
        }
        head = await tx.audit.head()
    unreachable = unreachable_officers(office.directory.in_order(), reach)
    return build_view(
        now,
        office.calendar,
        board.page.items,
        unreachable,
        None if head is None else str(head),
        office.directory.superior,
        window,
    )


async def digest_message(
    office: Office, now: datetime, lang: str, page: int = 1, nudge: bool = False
) -> DigestMessage:
    """A page of the digest as of `now` (what `/ringkasan` and its page buttons show);
    with `nudge`, each case's "Ingatkan" beside its details (for the Sekretaris)."""
    view = await collect_digest(office, now, page)
    return renderer(office).digest(view, lang, page, nudge)


async def case_details(office: Office, case_id: int, now: datetime, lang: str) -> list[str] | None:
    """A case's steps so far and where it stands (the digest's button); None if unknown."""
    state = await office.service.find_case(case_id)
    if state is None:
        return None
    sop = (await office.service.context_for(state)).sop
    return renderer(office).case_details(state, sop, now, lang)


def digest_due_at(day: date, settings: DigestSettings, office: Office) -> datetime:
    return datetime.combine(day, settings.time, tzinfo=office.tz)


def next_digest_at(now: datetime, settings: DigestSettings, office: Office) -> datetime:
    """The first working day's digest time after `now` (weekends and holidays have none)."""
    calendar = office.calendar
    today = calendar.local_date(now)
    for offset in range(_LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if calendar.is_working_day(day) and digest_due_at(day, settings, office) > now:
            return digest_due_at(day, settings, office)
    raise RuntimeError(f"no working day within {_LOOKAHEAD_DAYS} days of {today}")


async def run_digest(office: Office, now: datetime) -> int:
    """Put today's digest in the outbox if it is due and not yet sent; returns the rows.

    Nothing on weekends and holidays, before the digest time, or once the office has
    closed for the day (tomorrow's digest says it better than one at night). One message
    message per recipient, in the recipient's language: the first page of what
    `/ringkasan` shows, the rest behind its page buttons.
    """
    calendar = office.calendar
    day = calendar.local_date(now)
    if not calendar.is_working_day(day):
        return 0
    settings = office.digest
    due = digest_due_at(day, settings, office)
    closing = calendar.intervals(day)[-1][1]
    if not due <= now < closing:
        return 0
    async with reading(office.db, office.agency) as tx:
        if await DigestRuns(tx.conn, office.agency).done(day):
            return 0
        first_start = await KeyValues(tx.conn, office.agency).get(FIRST_START_KEY)
    if first_start is not None and from_iso(first_start) > due:
        return 0
    view = await collect_digest(office, now)
    render = renderer(office)
    by_reader: dict[tuple[str, bool], DigestMessage] = {}
    outgoing: list[tuple[str, DigestMessage]] = []
    for officer in digest_recipients(settings, office.config.officers):
        lang = await office.language_of(officer)
        nudge = may_nudge(office.config.officers, officer)
        if (lang, nudge) not in by_reader:
            by_reader[lang, nudge] = render.digest(view, lang, nudge=nudge)
        reader = (lang, nudge)
        outgoing.append((officer, by_reader[reader]))
    async with unit_of_work(office.db, office.agency) as tx:
        if not await DigestRuns(tx.conn, office.agency).claim(day, now):
            return 0  # another run got there first
        for officer, message in outgoing:
            digest = Send(message.text, message.buttons, digest=day.isoformat())
            await enqueue(tx, Outgoing(officer_key=officer, message=digest), now)
    log.info(
        "digest of %s: %d message(s) to %d officer(s)",
        day,
        len(outgoing),
        len(set(o for o, _ in outgoing)),
    )
    return len(outgoing)


async def record_first_start(office: Office, now: datetime) -> None:
    """Remember when the bot first ran on this database (digests before it were not missed)."""
    async with unit_of_work(office.db, office.agency) as tx:
        await KeyValues(tx.conn, office.agency).put_if_absent(FIRST_START_KEY, to_iso(now))


# --- the holiday data ------------------------------------------------------------------


async def warn_missing_cuti_bersama(office: Office, now: datetime) -> int:
    """Tell every admin when this or next year's cuti bersama are not in `holidays` yet.

    Once per calendar year per missing year: at the first start, then on the first run
    in January (the daily job runs this too), until the package is upgraded. Returns the
    messages put in the outbox.
    """
    today = office.calendar.local_date(now)
    missing = office.calendar.missing_cuti_bersama_years(today)
    if not missing:
        return 0
    async with unit_of_work(office.db, office.agency) as tx:
        memory = KeyValues(tx.conn, office.agency)
        fresh = [
            year
            for year in missing
            if await memory.put_if_absent(f"cuti_bersama_warned:{today.year}:{year}", to_iso(now))
        ]
        if not fresh:
            return 0
        years = ", ".join(str(y) for y in fresh)
        sent = await notify_admins(
            tx,
            office.directory,
            now,
            lambda lang: office.text(
                lang,
                "holiday_data.missing_cuti_bersama",
                years=years,
                version=holidays.__version__,
            ),
        )
    log.warning("cuti bersama of %s missing from holidays %s", years, holidays.__version__)
    return sent
