"""Reminders over weeks of simulated time, driven the way the scheduler drives them.

The clock jumps from one wakeup to the next (`next_wakeup()`, moved to the next opening
when it falls outside office hours, as `bot.ptb.jobs.plan_wakeup` does) and `tick` runs
there. Restarts close the database and open a new service on the same file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.people import Directory
from bot.core.workclock import WorkingTimeCalendar
from bot.core.workflow import Complete
from bot.services.workflow_service import WorkflowService
from bot.views.i18n import Catalogue
from bot.views.presenter import CataloguePresenter
from storage.codec import from_iso, loads
from storage.db import Database
from storage.files import FileStore
from tests.support.engine import LETTER, RECIPIENTS, next_happy_action, shipped_sop
from tests.support.harness import OFFICERS, Harness, open_service
from tests.support.local_time import JAKARTA, at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB
HANDED_OVER = at_local(2026, 7, 7, 9, 0)  # step 4 ("3 hari") reaches both clerks
TWO_WEEKS_LATER = at_local(2026, 7, 21, 16, 0)
TYPING = "Langkah 4: Pengetikan draf"  # chat lines carry the short name
DEADLINE = "Jumat, 10 Juli 2026 pukul 09.00 WIB"


@dataclass(frozen=True, slots=True)
class Sent:
    when: str  # local time, e.g. "Mon 13 Jul 07.30"
    officer: str
    kind: str
    text: str = field(default="", compare=False)


@dataclass
class Watcher:
    """Reads the reminders the outbox received since the last look."""

    last_id: int = 0

    async def new(self, h: Harness) -> list[Sent]:
        rows = await h.db.fetchall(
            "SELECT id, officer_key, created_at, payload_json FROM outbox WHERE id > ? "
            "ORDER BY id",
            (self.last_id,),
        )
        found = []
        for row in rows:
            self.last_id = int(row["id"])
            payload = loads(row["payload_json"])
            if "reminder" in payload:
                when = from_iso(row["created_at"]).astimezone(JAKARTA)
                found.append(
                    Sent(
                        when.strftime("%a %d %b %H.%M"),
                        row["officer_key"],
                        payload["reminder"],
                        payload["text"],
                    )
                )
        return found


async def drive(h: Harness, until: datetime, watcher: Watcher) -> list[Sent]:
    """Wake the tick at each next due time until `until`, as the scheduler would."""
    calendar = h.calendar
    assert isinstance(calendar, WorkingTimeCalendar)
    sent: list[Sent] = []
    while (due := await h.service.next_wakeup()) is not None:
        when = max(due, h.clock.now())
        if not calendar.is_working_time(when):
            when = calendar.next_opening(when)
        if when > until:
            break
        h.clock.set(when)
        await h.service.tick()
        sent += await watcher.new(h)
    h.clock.set(max(until, h.clock.now()))
    return sent


async def hand_step_4_over(h: Harness) -> int:
    """Start a case Monday 08.00 and walk it to step 4, which the clerks get Tuesday 09.00."""
    case_id = (
        await h.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
    ).state.id
    state = await h.service.case(case_id)
    while state.step_key != "ketik":
        ctx = await h.service.context_for(state)
        actor, action = next_happy_action(ctx, state)
        h.clock.advance(minutes=3)
        if state.step_key == "konsep" and isinstance(action, Complete):
            h.clock.set(HANDED_OVER)
        state = (await h.service.act(actor, case_id, action)).state
    return case_id


def overdue(late: str) -> str:
    return (
        f"⚠️ <b>LKT-2026-TW2</b> · {TYPING} terlambat {late} dari batas waktu {DEADLINE}."
        " Mohon segera ditindaklanjuti."
    )


def mornings(*days: str) -> list[Sent]:
    """The clerks' overdue reminders on these mornings (numbered from 1)."""
    return [
        Sent(f"{day} 07.30", officer, f"overdue:{n}")
        for n, day in enumerate(days, start=1)
        for officer in ("staf_1", "staf_2")
    ]


TWO_WEEKS: list[Sent] = [
    Sent("Wed 08 Jul 13.45", "staf_1", "nudge"),
    Sent("Wed 08 Jul 13.45", "staf_2", "nudge"),
    Sent("Fri 10 Jul 09.00", "staf_1", "due"),
    Sent("Fri 10 Jul 09.00", "staf_2", "due"),
    *mornings("Mon 13 Jul", "Tue 14 Jul", "Wed 15 Jul"),
    Sent("Wed 15 Jul 09.00", "kasubag", "escalate"),  # one, for Agus Salim and Maya Sari
    *[
        replace(s, kind=f"overdue:{int(s.kind.split(':')[1]) + 3}")
        for s in mornings("Thu 16 Jul", "Fri 17 Jul", "Mon 20 Jul", "Tue 21 Jul")
    ],
]


async def test_two_working_weeks_of_silence_at_step_4(tmp_path: Path) -> None:
    clock = FakeClock(START)
    watcher = Watcher()
    async with open_service(tmp_path, clock) as h:
        await hand_step_4_over(h)
        await watcher.new(h)  # the task messages so far are not reminders
        sent = await drive(h, TWO_WEEKS_LATER, watcher)
    assert sent == TWO_WEEKS
    agus = [s.text for s in sent if s.officer == "staf_1"]
    assert agus[0] == (
        f"⏳ Pengingat: separuh waktu untuk <b>LKT-2026-TW2</b> · {TYPING} telah berlalu.\n"
        f"Batas waktu: {DEADLINE}"
    )
    assert agus[1] == (
        f"⏰ Batas waktu <b>LKT-2026-TW2</b> · {TYPING} telah tiba ({DEADLINE})."
        " Mohon segera diselesaikan."
    )
    assert agus[2:] == [
        overdue(late)
        for late in (
            "6 jam",
            "1 hari 6 jam",
            "2 hari 6 jam",
            "3 hari 6 jam",
            "4 hari 6 jam",
            "5 hari 6 jam",
            "6 hari 6 jam",
        )
    ]
    maya = [s.text for s in sent if s.officer == "staf_2"]
    assert maya[2] == (
        "⚠️ <b>LKT-2026-TW2</b> · Step 4: Pengetikan draf is 6 hours overdue (deadline"
        " Friday, 10 July 2026 at 09:00 WIB). Please act on it as soon as possible."
    )
    assert [s.text for s in sent if s.officer == "kasubag"] == [
        "⚠️ Untuk perhatian Bapak/Ibu: tugas <b>LKT-2026-TW2</b> · "
        f"{TYPING} yang ditugaskan kepada Agus Salim, Maya Sari terlambat 3 hari dari batas"
        f" waktu {DEADLINE}."
    ]


async def test_a_restart_between_two_reminders_loses_and_repeats_none(tmp_path: Path) -> None:
    clock = FakeClock(START)
    watcher = Watcher()
    async with open_service(tmp_path, clock) as h:
        await hand_step_4_over(h)
        await watcher.new(h)
        before = await drive(h, at_local(2026, 7, 10, 12, 0), watcher)  # after the deadline
    # Stopped over the weekend; started again on Monday 07.00, before the first morning.
    clock.set(at_local(2026, 7, 13, 7, 0))
    async with open_service(tmp_path, clock) as h:
        assert await h.service.tick() == 0  # the start-up tick: nothing is due yet
        after = await drive(h, at_local(2026, 7, 15, 8, 0), watcher)
    clock.set(at_local(2026, 7, 15, 8, 0))
    async with open_service(tmp_path, clock) as h:  # and once more, between two mornings
        after += await drive(h, TWO_WEEKS_LATER, watcher)
    assert before + after == TWO_WEEKS


async def test_reminders_missed_while_down_go_out_once_at_start(tmp_path: Path) -> None:
    clock = FakeClock(START)
    watcher = Watcher()
    async with open_service(tmp_path, clock) as h:
        await hand_step_4_over(h)
        await watcher.new(h)
        await drive(h, at_local(2026, 7, 13, 7, 0), watcher)
    # Down from Monday 07.00 to Wednesday 10.00: Monday's and Tuesday's mornings and the
    # escalation (Wednesday 09.00) were missed.
    clock.set(at_local(2026, 7, 15, 10, 0))
    async with open_service(tmp_path, clock) as h:
        await h.service.tick()  # what the start-up job does
        at_start = await watcher.new(h)
        later = await drive(h, at_local(2026, 7, 16, 12, 0), watcher)
    assert at_start == [
        Sent("Wed 15 Jul 10.00", "staf_1", "overdue:1"),
        Sent("Wed 15 Jul 10.00", "staf_2", "overdue:1"),
        Sent("Wed 15 Jul 10.00", "kasubag", "escalate"),
    ]
    assert at_start[0].text == overdue("3 hari 1 jam")  # how late it is now, not on Monday
    # No burst of the missed mornings: the next one is Thursday's.
    assert later == [
        Sent("Thu 16 Jul 07.30", "staf_1", "overdue:2"),
        Sent("Thu 16 Jul 07.30", "staf_2", "overdue:2"),
    ]


async def test_a_task_finished_before_its_deadline_gets_nothing_more(tmp_path: Path) -> None:
    clock = FakeClock(START)
    watcher = Watcher()
    async with open_service(tmp_path, clock) as h:
        case_id = await hand_step_4_over(h)
        await watcher.new(h)
        sent = await drive(h, at_local(2026, 7, 9, 10, 0), watcher)  # Thursday, before Friday
        state = await h.service.case(case_id)
        ctx = await h.service.context_for(state)
        for _ in range(2):  # Agus Salim sends the typed draft (attach, then send)
            actor, action = next_happy_action(ctx, state)
            assert actor == "staf_1"
            state = (await h.service.act(actor, case_id, action)).state
        assert state.step_key == "periksa"
        sent += await drive(h, TWO_WEEKS_LATER, watcher)
    typing = [s for s in sent if "Pengetikan draf" in s.text]  # step 4, any language
    assert typing == [
        Sent("Wed 08 Jul 13.45", "staf_1", "nudge"),
        Sent("Wed 08 Jul 13.45", "staf_2", "nudge"),
    ]
    # The review (step 5, "1 hari", given Thursday 10.00) runs its own reminders for the
    # Sekretaris, and escalates to the Kadin.
    assert [s for s in sent if s not in typing][:4] == [
        Sent("Thu 09 Jul 14.45", "sekretaris", "nudge"),
        Sent("Fri 10 Jul 10.00", "sekretaris", "due"),
        Sent("Mon 13 Jul 07.30", "sekretaris", "overdue:1"),
        Sent("Mon 13 Jul 10.00", "kadin", "escalate"),
    ]


async def test_a_deadline_at_closing_time_is_announced_at_the_next_opening(
    tmp_path: Path,
) -> None:
    clock = FakeClock(at_local(2026, 7, 6, 15, 50))  # step 1, "10 menit": due 16.00
    watcher = Watcher()
    async with open_service(tmp_path, clock) as h:
        await h.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        await watcher.new(h)
        clock.set(at_local(2026, 7, 6, 20, 0))
        assert await h.service.tick() == 0  # nothing at night, though the deadline passed
        sent = await drive(h, at_local(2026, 7, 8, 12, 0), watcher)
    # One message at Tuesday's opening, the first overdue one on Wednesday; no
    # escalation: the Kadin has nobody above.
    assert sent == [
        Sent("Tue 07 Jul 07.30", "kadin", "due"),
        Sent("Wed 08 Jul 07.30", "kadin", "overdue:1"),
    ]
    assert sent[1].text.split(" terlambat ")[1].startswith("1 hari dari batas waktu")


@asynccontextmanager
async def service_with(root: Path, clock: FakeClock, people: Directory) -> AsyncIterator[Harness]:
    calendar = WorkingTimeCalendar()
    db = Database(root / "sopbot.db")
    await db.open()
    sop = shipped_sop()
    service = WorkflowService(
        db=db,
        files=FileStore(root / "files"),
        sops={sop.key: sop},
        people=people,
        calendar=calendar,
        clock=clock,
        presenter=CataloguePresenter(Catalogue.load(), people, JAKARTA, calendar),
        lists={"recipients": RECIPIENTS},
    )
    try:
        yield Harness(root, clock, calendar, db, service)
    finally:
        await db.close()


async def test_a_configured_superior_gets_the_escalation_instead_of_the_role_default(
    tmp_path: Path,
) -> None:
    officers = tuple(replace(o, superior="kabid_1") if o.key == "staf_1" else o for o in OFFICERS)
    people = Directory(officers, admins=("sekretaris",))
    clock = FakeClock(START)
    watcher = Watcher()
    async with service_with(tmp_path, clock, people) as h:
        await hand_step_4_over(h)
        await watcher.new(h)
        sent = await drive(h, at_local(2026, 7, 15, 12, 0), watcher)
    escalations = [s for s in sent if s.kind == "escalate"]
    assert [(s.when, s.officer) for s in escalations] == [
        ("Wed 15 Jul 09.00", "kabid_1"),  # Agus Salim's configured superior
        ("Wed 15 Jul 09.00", "kasubag"),  # Maya Sari: the staf role's default
    ]
    assert "yang ditugaskan kepada Agus Salim" in escalations[0].text


async def admin_notices(h: Harness) -> list[tuple[str, str]]:
    rows = await h.db.fetchall("SELECT officer_key, payload_json FROM outbox ORDER BY id")
    found = [(r["officer_key"], loads(r["payload_json"])) for r in rows]
    return [(o, p["text"]) for o, p in found if "perhatian admin" in p.get("text", "")]


KADIN_STEP = "Langkah 1: Disposisi Kepala Dinas"


async def test_a_late_kadin_has_nobody_above_so_the_admins_are_told_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock(at_local(2026, 7, 6, 15, 50))  # step 1, "10 menit": due 16.00
    async with open_service(tmp_path, clock) as h:
        await h.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        sent = await drive(h, at_local(2026, 7, 10, 12, 0), Watcher())
        told = await admin_notices(h)
    assert [s.officer for s in sent if s.kind == "escalate"] == []  # no superior to reach
    # The grace (60 working minutes) ends Tuesday 08.30: every admin hears it, once.
    assert told == [
        (
            admin,
            f"⚠️ Untuk perhatian admin: tugas <b>LKT-2026-TW2</b> · {KADIN_STEP} yang"
            " ditugaskan kepada Dr. H. Ahmad Fauzi, M.Si. terlambat 1 jam dari batas waktu"
            " Senin, 6 Juli 2026 pukul 16.00 WIB. Tidak ada atasan di atasnya yang dapat"
            " menerima eskalasi; mohon ditindaklanjuti langsung.",
        )
        for admin in ("sekretaris", "tg:555")
    ]


async def test_lateness_counts_from_the_deadline_as_shown(tmp_path: Path) -> None:
    # Started 15.00.42: due 15.10.42, shown "15.10". At Tuesday's 07.30 the officer counts
    # 50 minutes late (15.10 to the 16.00 closing); the seconds would have said 49.
    clock = FakeClock(at_local(2026, 7, 6, 15, 0).replace(second=42))
    async with open_service(tmp_path, clock) as h:
        await h.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        sent = await drive(h, at_local(2026, 7, 7, 7, 35), Watcher())
    mornings_ = [s for s in sent if s.kind == "overdue:1"]
    assert [(s.when, s.officer) for s in mornings_] == [("Tue 07 Jul 07.30", "kadin")]
    assert mornings_[0].text == (
        f"⚠️ <b>LKT-2026-TW2</b> · {KADIN_STEP} terlambat 50 menit dari batas waktu"
        " Senin, 6 Juli 2026 pukul 15.10 WIB. Mohon segera ditindaklanjuti."
    )
