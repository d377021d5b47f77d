"""Step performance rebuilt from the audit trail alone (design invariant 4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.calendar_settings import CalendarSettings
from bot.core.performance import CasePerformance, StepReturn, case_performance
from bot.core.workclock import WorkingTimeCalendar
from bot.core.workflow import AuditEvent, Cancel, CaseStatus, Complete, Return
from tests.support.engine import T0, CaseDriver, make_context, next_happy_action

JAKARTA = ZoneInfo("Asia/Jakarta")


def walk_until(d: CaseDriver, step_key: str) -> None:
    while d.step != step_key:
        actor, action = next_happy_action(d.ctx, d.state)
        d.do(actor, action)


def walk_to_the_end(d: CaseDriver) -> None:
    while d.state.status is CaseStatus.OPEN:
        actor, action = next_happy_action(d.ctx, d.state)
        d.do(actor, action)


def perf(d: CaseDriver, now: datetime | None = None) -> CasePerformance:
    return case_performance(d.events, d.ctx.sop, d.ctx.calendar, now)


def test_the_straight_path_is_every_step_once_on_time() -> None:
    d = CaseDriver.start()
    walk_to_the_end(d)
    report = perf(d)

    assert [run.number for run in report.steps] == list(range(1, 12))
    assert all(run.round == 1 and run.on_time for run in report.steps)
    # One action every 5 minutes: the checklist took 5 ticks and "Selesai", the Kabid
    # step three approvals, the distribution three proofs and "Selesai".
    assert [run.used_minutes for run in report.steps] == [5, 30, 10, 10, 5, 5, 15, 5, 5, 5, 20]
    assert report.used_minutes == 115  # the rounds follow each other without a gap
    # 10 menit + 2 jam + 1 minggu (5 hari) + 3 hari + 1 hari + 10 + 60 + 30 + 30 + 10 + 60
    # menit, a day being 24 hours on the always-open calendar.
    day = 1440
    assert report.standard_minutes == 130 + 5 * day + 3 * day + day + 200
    assert report.within_standard and report.late_steps == ()
    assert report.ended_by == "finish" and report.ended_at == d.now
    assert report.started_at == T0


def test_each_round_knows_who_acted_and_who_was_assigned() -> None:
    d = CaseDriver.start()
    walk_to_the_end(d)
    runs = {run.step_key: run for run in perf(d).steps}

    assert runs["disposisi"].actors == ("kadin",)
    assert runs["disposisi"].acts[0].data["form"]["instruksi"] == "Segera susun laporan"
    assert runs["periksa_kabid"].assignees == ("kabid_1", "kabid_2", "kabid_3")
    assert runs["periksa_kabid"].actors == ("kabid_1", "kabid_2", "kabid_3")
    assert [a.action for a in runs["kumpul_bahan"].acts] == ["tick"] * 5 + ["complete"]
    assert runs["tanda_tangan"].standard == "30 menit"
    assert runs["tanda_tangan"].ended_by == "enter"
    assert runs["distribusi"].ended_by == "finish"


def test_a_return_is_kept_with_its_reason_and_the_step_runs_again() -> None:
    d = CaseDriver.start()
    walk_until(d, "periksa")
    reason = "Tabel capaian belum sesuai format baku"
    d.do("sekretaris", Return(d.task_of("sekretaris").seq, reason, d.version))
    walk_until(d, "paraf_sekretaris")
    report = perf(d, now=d.now)

    keys = [(run.step_key, run.round) for run in report.steps]
    assert keys[3:] == [
        ("ketik", 1),
        ("periksa", 1),
        ("ketik", 2),
        ("periksa", 2),
        ("paraf_sekretaris", 1),
    ]
    first_review, retyping = report.steps[4], report.steps[5]
    assert first_review.ended_at is not None
    returned = StepReturn(first_review.ended_at, "sekretaris", reason, "ketik")
    assert first_review.returns == (returned,)
    assert retyping.entry_reason == reason
    assert retyping.assignees == ("staf_1",)  # the typist who did it before
    # Both rounds of both steps count towards the standard of the path taken.
    assert report.standard_minutes == 10 + 120 + 7200 + 2 * 4320 + 2 * 1440 + 10
    assert report.steps[-1].running and report.steps[-1].ended_by is None


def test_a_step_finished_after_its_deadline_is_late_by_the_working_time_past_it() -> None:
    d = CaseDriver.start()
    d.tick(180)
    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": "Segera susun laporan"}))
    report = perf(d)

    disposition = report.steps[0]
    assert disposition.used_minutes == 185
    assert disposition.standard_minutes == 10
    assert disposition.late_minutes == 175
    assert not disposition.on_time
    assert report.late_steps == (disposition,)


def test_a_running_step_is_measured_up_to_now() -> None:
    d = CaseDriver.start()
    now = T0 + timedelta(minutes=25)
    running = perf(d, now).steps[0]
    assert running.running and running.ended_at is None
    assert running.used_minutes == 25 and running.late_minutes == 15
    assert perf(d, now).used_minutes == 25
    # Without `now` the trail's last event is the end: nothing has elapsed yet.
    assert perf(d).steps[0].used_minutes == 0


def test_a_cancelled_case_ends_its_running_step_with_the_reason() -> None:
    d = CaseDriver.start()
    walk_until(d, "konsep")
    d.do("admin", Cancel("Salah periode pelaporan"))
    report = perf(d)

    assert report.ended_by == "cancel"
    last = report.steps[-1]
    assert last.step_key == "konsep" and last.ended_by == "cancel"
    cancel = last.acts[-1]
    assert (cancel.actor, cancel.action, cancel.reason) == (
        "admin",
        "cancel",
        "Salah periode pelaporan",
    )


def test_the_recorded_deadline_decides_lateness_on_the_working_calendar() -> None:
    """ "1 hari" from Thursday 15.00 is due Friday 15.00: 420 working minutes, not 450."""
    calendar = WorkingTimeCalendar(CalendarSettings(use_national_holidays=False))
    d = CaseDriver.start(replace(make_context(), calendar=calendar))
    thursday_15 = datetime(2026, 7, 9, 15, 0, tzinfo=JAKARTA).astimezone(UTC)
    walk_until(d, "ketik")
    d.do(*next_happy_action(d.ctx, d.state))  # the typed draft arrives
    d.now = thursday_15 - timedelta(minutes=5)
    d.do(*next_happy_action(d.ctx, d.state))  # "Kirim": step 5 begins at 15.00
    assert d.step == "periksa"
    d.now = datetime(2026, 7, 10, 15, 5, tzinfo=JAKARTA).astimezone(UTC)
    d.do(*next_happy_action(d.ctx, d.state))  # approved Friday 15.10

    review = next(run for run in perf(d).steps if run.step_key == "periksa")
    assert review.started_at == thursday_15
    assert review.deadline == datetime(2026, 7, 10, 15, 0, tzinfo=JAKARTA)
    assert review.standard_minutes == 450
    assert review.used_minutes == 60 + 240 + 130
    assert review.late_minutes == 10


def test_stored_rows_and_fresh_events_give_the_same_report() -> None:
    """The report reads only the fields both `AuditRow` and `AuditEvent` carry."""
    d = CaseDriver.start()
    walk_until(d, "periksa")

    class Row:
        def __init__(self, event: AuditEvent) -> None:
            self.at, self.actor, self.action = event.at, event.actor, event.action
            self.step_key, self.round, self.task_seq = event.step_key, event.round, event.task_seq
            self.reason, self.data = event.reason, dict(event.data)

    rows = [Row(e) for e in d.events]
    assert case_performance(rows, d.ctx.sop, d.ctx.calendar, d.now) == perf(d, d.now)
