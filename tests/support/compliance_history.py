"""Eight cases of the shipped SOP with known step durations: the compliance report's fixture.

The same plan is walked through the pure engine (unit tests) and through the running
bot's service (end-to-end), so both give the same audit trail and the same figures.

Every step takes 10 wall-clock minutes inside office hours (within every standard of
the SOP, the shortest being "10 menit") unless the plan says when it is done:

    case          starts                 what is special
    LKT-2026-TW1  Mon 29 Jun 2026 08.00  straight path; ends in June (Triwulan II)
    LKT-2026-TW2  Mon 13 Jul 08.00       the Kadin leaves at 09.00 without disposing: a
                                         Plh Kadin (the Sekretaris) is appointed for the
                                         day, takes the open task and disposes at 10.10:
                                         130 min, 120 late, waiting on the Plh; the Plh
                                         also signs (step 9, her task from the start)
    LKT-2026-TW3  Fri 17 Jul 15.00       step 2 crosses the weekend, done Mon 08.40:
                                         80 + 70 = 150 min, 30 late
    LKT-2026-S1   Mon 20 Jul 13.00       the Sekretaris returns at step 5 (to 4); kabid_2
                                         returns at step 7 (to 5): 4, 5, 6, 7 run again
    LKT-2026-S2   Tue 21 Jul 08.00       kabid_3 approves step 7 after 100 min: 40 late
    LKT-2025-TW1  Wed 22 Jul 08.00       kabid_3 approves step 7 after 70 min (10 late);
                                         the Kadin signs (step 9) after 45 min (15 late)
    LKT-2025-TW2  Thu 23 Jul 08.00       left waiting at step 5: steps 1-4 counted only
    LKT-2026-TW4  Fri 14 Aug 14.20       step 5 crosses the holiday of Mon 17 Aug, done
                                         Tue 10.00: 90 + 150 = 240 min, on time ("1 hari"
                                         from Friday 15.00 is due Tuesday 15.00)

The cases are walked one after another in this order (a running bot's clock only goes
forward).

The stand-in period is the real act: a Surat Perintah recorded while the case waits,
in force from that moment (its first day is today) to the end of the day. The open task
moves by `bot.core.handover.hand_over` and the next task of the absent official goes to
the stand-in by the engine's routing (`Context.stand_ins`), so the audit rows name both
officials and "who it waits on" names the stand-in under their own name. The signature
of LKT-2025-TW1 (45 min, 15 late) is the Kadin's own: the two stay apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.core.compliance import CaseTrail
from bot.core.handover import hand_over
from bot.core.sop import StepKind
from bot.core.workclock import WorkingTimeCalendar
from bot.core.workflow import (
    Action,
    Approve,
    AttachFile,
    AuditEvent,
    CaseRequest,
    CaseState,
    CaseStatus,
    Complete,
    Context,
    Return,
    StandIn,
    Tick,
    act,
    start_case,
)
from tests.support.engine import LETTER, documents_made, make_context, next_happy_action
from tests.support.local_time import at_local

STEP_MINUTES = 10
RETURN_REASON = "Tabel capaian belum sesuai format baku"
Key = tuple[str, int]  # (step key, round)


@dataclass(frozen=True)
class Leave:
    """A Plh appointed while the case waits on the absent official: recorded at `at`,
    in force from then to the end of that day. It must fall inside a step whose only act
    is the one that ends it (a disposition, a signature), so no act is dated before it."""

    at: datetime
    absent: str = "kadin"
    stand_in: str = "sekretaris"
    letter: str = "800/7/SP/2026"
    appointment: int = 1  # the office's first Surat Perintah

    def stand_in_view(self) -> StandIn:
        return StandIn(self.stand_in, "plh", self.letter, self.appointment)


@dataclass(frozen=True)
class CasePlan:
    period: str
    year: int
    start: datetime
    done_at: Mapping[Key, datetime] = field(default_factory=dict)
    returns: Mapping[Key, str] = field(default_factory=dict)  # round -> who returns it
    closer: Mapping[Key, str] = field(default_factory=dict)  # parallel step: who acts last
    stop_before: str | None = None  # leave the case waiting at this step
    leave: Leave | None = None  # a stand-in appointed in the middle of the case


def _wall(day: tuple[int, int, int], hour: int, minute: int) -> datetime:
    return at_local(*day, hour, minute)


PLANS: tuple[CasePlan, ...] = (
    CasePlan("TW1", 2026, _wall((2026, 6, 29), 8, 0)),
    CasePlan(
        "TW2",
        2026,
        _wall((2026, 7, 13), 8, 0),
        done_at={("disposisi", 1): _wall((2026, 7, 13), 10, 10)},
        leave=Leave(_wall((2026, 7, 13), 9, 0)),
    ),
    CasePlan(
        "TW3",
        2026,
        _wall((2026, 7, 17), 15, 0),
        done_at={("kumpul_bahan", 1): _wall((2026, 7, 20), 8, 40)},
    ),
    CasePlan(
        "S1",
        2026,
        _wall((2026, 7, 20), 13, 0),
        returns={("periksa", 1): "sekretaris", ("periksa_kabid", 1): "kabid_2"},
    ),
    CasePlan(
        "S2",
        2026,
        _wall((2026, 7, 21), 8, 0),
        done_at={("periksa_kabid", 1): _wall((2026, 7, 21), 10, 40)},
        closer={("periksa_kabid", 1): "kabid_3"},
    ),
    CasePlan(
        "TW1",
        2025,
        _wall((2026, 7, 22), 8, 0),
        done_at={
            ("periksa_kabid", 1): _wall((2026, 7, 22), 10, 10),
            ("tanda_tangan", 1): _wall((2026, 7, 22), 11, 5),
        },
        closer={("periksa_kabid", 1): "kabid_3"},
    ),
    CasePlan("TW2", 2025, _wall((2026, 7, 23), 8, 0), stop_before="periksa"),
    CasePlan(
        "TW4",
        2026,
        _wall((2026, 8, 14), 14, 20),
        done_at={("periksa", 1): _wall((2026, 8, 18), 10, 0)},
    ),
)


class Office:
    """What walking a plan needs: the case as it stands, and acting at a given time."""

    ctx: Context

    async def state(self) -> CaseState:
        raise NotImplementedError

    async def act(self, actor: str, action: Action, at: datetime) -> None:
        raise NotImplementedError

    async def attach(self, action: AttachFile) -> AttachFile:
        """The upload as the office stores it (the engine takes the reference as it is)."""
        return action

    async def appoint(self, leave: Leave) -> None:
        """The Surat Perintah recorded at `leave.at`, in force at once."""
        raise NotImplementedError


async def walk(plan: CasePlan, office: Office) -> None:
    """Every step of the case as the plan says, from the case just started at `plan.start`."""
    began = plan.start
    while True:
        state = await office.state()
        if state.status is not CaseStatus.OPEN or state.step_key == plan.stop_before:
            return
        key: Key = (state.step_key, state.open_tasks()[0].round)
        done = plan.done_at.get(key, began + timedelta(minutes=STEP_MINUTES))
        if plan.leave is not None and began < plan.leave.at < done:
            await office.appoint(plan.leave)
        await _close_step(plan, office, key, began, done)
        began = done


async def _close_step(
    plan: CasePlan, office: Office, key: Key, began: datetime, done: datetime
) -> None:
    """The step's preparatory acts at its start, the act that ends it at `done`."""
    while True:
        state = await office.state()
        open_here = [t for t in state.open_tasks() if t.step_key == key[0] and t.round == key[1]]
        if not open_here:
            return
        step = office.ctx.sop.step(key[0])
        returner = plan.returns.get(key)
        if returner is not None:
            task = next(t for t in open_here if t.assignee == returner)
            await office.act(returner, Return(task.seq, RETURN_REASON, state.latest_version), done)
            return
        if step.kind is StepKind.PARALLEL_DECISION:
            last = plan.closer.get(key, open_here[-1].assignee)
            task = next((t for t in open_here if t.assignee != last), None) or open_here[0]
            closing = len(open_here) == 1
            await office.act(
                task.assignee, Approve(task.seq, state.latest_version), done if closing else began
            )
            continue
        actor, action = next_happy_action(office.ctx, state)
        if isinstance(action, AttachFile):
            action = await office.attach(action)
        if isinstance(action, Complete) and step.kind is StepKind.ACTION:
            action = Complete(action.task, {"instruksi": "Segera susun laporan"})
        closing = not isinstance(action, Tick | AttachFile)
        await office.act(actor, action, done if closing else began)


Starter = Callable[[CasePlan], Awaitable[Office]]


async def build_history(starter: Starter) -> None:
    """Start and walk every case of the plan, in order."""
    for plan in PLANS:
        await walk(plan, await starter(plan))


# -- the plan walked through the pure engine ------------------------------------------------

CALENDAR = WorkingTimeCalendar()  # the shipped default: national holidays, 37.5 h a week
ZONE = CALENDAR.zone


class EngineOffice(Office):
    """A case of the plan walked through the pure engine, its trail kept."""

    def __init__(self, ctx: Context, case_id: int, plan: CasePlan) -> None:
        self.ctx = ctx
        request = CaseRequest(case_id, plan.period, plan.year, LETTER)
        transition = start_case(ctx, request, "kadin", plan.start)
        self.case = transition.state
        self.events: list[AuditEvent] = list(transition.events)

    async def state(self) -> CaseState:
        return self.case

    async def act(self, actor: str, action: Action, at: datetime) -> None:
        transition = act(self.ctx, self.case, actor, action, at)
        self.case = transition.state
        self.events.extend(transition.events)
        released = documents_made(self.ctx, transition, at)
        if released is not None:
            self.case = released.state
            self.events.extend(released.events)

    async def appoint(self, leave: Leave) -> None:
        stand_in = leave.stand_in_view()
        self.ctx = replace(self.ctx, stand_ins={leave.absent: stand_in})
        moved = hand_over(self.case, leave.absent, stand_in, leave.at)
        assert moved is not None, "the plan appoints a stand-in while the case waits on nobody"
        self.case = moved.state
        self.events.extend(moved.events)


async def fixture_trails() -> list[CaseTrail]:
    """The eight cases' trails, each with the shipped SOP, case ids 1-8 in plan order."""
    ctx = replace(make_context(), calendar=CALENDAR)
    offices: list[EngineOffice] = []

    async def starter(plan: CasePlan) -> Office:
        offices.append(EngineOffice(ctx, len(offices) + 1, plan))
        return offices[-1]

    await build_history(starter)
    return [CaseTrail(o.case.id, ctx.sop, o.events) for o in offices]
