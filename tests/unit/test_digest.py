"""The digest's composition (pure) and the `[digest]` table."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

import pytest

from bot.config import Language, Officer
from bot.core.digest import Reach, Unreachable, build_view, unreachable_officers
from bot.core.people import Directory
from bot.core.sop import Sop
from bot.core.workclock import WorkingTimeCalendar
from bot.core.workflow import CaseState, CaseStatus, Task, TaskStatus
from bot.services.digest import DigestSettings, digest_recipients
from bot.views.digest import DigestRenderer
from bot.views.i18n import Catalogue
from bot.views.textsplit import visible_length
from tests.support.engine import LETTER, shipped_sop
from tests.support.harness import OFFICERS
from tests.support.local_time import JAKARTA, at_local

SOP = shipped_sop()
CALENDAR = WorkingTimeCalendar()
PEOPLE = Directory(OFFICERS, admins=("sekretaris",))
RENDER = DigestRenderer(Catalogue.load(), PEOPLE, JAKARTA, CALENDAR)
MORNING = at_local(2026, 7, 13, 7, 45)  # Monday


def case(
    case_id: int,
    period: str,
    step_key: str,
    assignees: tuple[str, ...],
    created: datetime,
    earlier: list[Task] | None = None,
) -> CaseState:
    step = SOP.step(step_key)
    deadline = CALENDAR.deadline(created, step.time)
    tasks = list(earlier or [])
    for assignee in assignees:
        tasks.append(Task(len(tasks) + 1, step_key, 1, assignee, created, deadline))
    return CaseState(
        id=case_id,
        sop_key=SOP.key,
        sop_hash=SOP.source_hash,
        code=f"LKT-2026-{period}",
        period_key=period,
        year=2026,
        started_by="kadin",
        started_at=at_local(2026, 7, 6, 8, 0),
        letter=dict(LETTER),
        step_key=step_key,
        tasks=tasks,
        next_seq=len(tasks) + 1,
    )


def typing_late() -> CaseState:
    """Step 4 ("3 hari") given Tue 7 July 09.00 to both clerks: due Fri 10 July 09.00."""
    return case(1, "TW2", "ketik", ("staf_1", "staf_2"), at_local(2026, 7, 7, 9, 0))


def disposition_on_time() -> CaseState:
    """Step 1 ("10 menit") given Mon 13 July 07.40: due 07.50."""
    return case(2, "TW3", "disposisi", ("kadin",), at_local(2026, 7, 13, 7, 40))


# --- composition -------------------------------------------------------------------------


def test_overdue_cases_come_first_with_how_late_and_the_time_used() -> None:
    view = build_view(MORNING, CALENDAR, [(disposition_on_time(), SOP), (typing_late(), SOP)])
    message = RENDER.digest(view, "id")
    assert message.text == "\n".join(
        [
            "<b>Ringkasan tugas per Senin, 13 Juli 2026</b>",
            "2 proses berjalan: 1 terlambat, 1 dalam batas waktu.",
            "",
            "<b>Terlambat</b>",
            "• <b>LKT-2026-TW2</b> · Langkah 4: Pengetikan draf — Agus Salim, Maya Sari,"
            " terlambat 6 jam 15 menit",
            "↳ Waktu terpakai 3 hari 6 jam 15 menit dari mutu baku 3 hari",
            "",
            "<b>Dalam proses</b>",
            "• <b>LKT-2026-TW3</b> · Langkah 1: Disposisi Kepala Dinas — Dr. H. Ahmad Fauzi,"
            " M.Si., batas waktu Senin, 13 Juli 2026 pukul 07.50 WIB",
            "↳ Waktu terpakai 5 menit dari mutu baku 10 menit",
        ]
    )
    assert message.buttons == [
        [{"text": "Rincian LKT-2026-TW2", "data": "dg:1"}],
        [{"text": "Rincian LKT-2026-TW3", "data": "dg:2"}],
    ]
    # the Sekretaris's copy: "Ingatkan" beside each case's details
    assert RENDER.digest(view, "id", nudge=True).buttons == [
        [{"text": "Rincian LKT-2026-TW2", "data": "dg:1"}, {"text": "Ingatkan", "data": "ng:1"}],
        [{"text": "Rincian LKT-2026-TW3", "data": "dg:2"}, {"text": "Ingatkan", "data": "ng:2"}],
    ]


def test_nothing_overdue_says_so_and_nothing_open_says_that() -> None:
    view = build_view(MORNING, CALENDAR, [(disposition_on_time(), SOP)])
    text = RENDER.digest(view, "id").text
    assert text.split("\n")[:5] == [
        "<b>Ringkasan tugas per Senin, 13 Juli 2026</b>",
        "1 proses berjalan: 0 terlambat, 1 dalam batas waktu.",
        "",
        "Semua tugas tepat waktu.",
        "",
    ]
    empty = RENDER.digest(build_view(MORNING, CALENDAR, []), "id")
    assert empty.text == (
        "<b>Ringkasan tugas per Senin, 13 Juli 2026</b>\n\nTidak ada proses yang sedang berjalan."
    )
    assert empty.buttons == []


def test_officers_the_bot_cannot_reach_are_listed() -> None:
    officers = [
        Officer("kadin", "Dr. H. Ahmad Fauzi", "kadin", "Kepala Dinas", telegram_id=1001),
        Officer("staf_1", "Agus Salim", "staf", "Staf"),  # never joined
        Officer("staf_2", "Maya Sari", "staf", "Staf"),  # joined through an invite
        Officer("kabid_1", "Bambang", "kabid", "Kabid", telegram_id=1003),  # blocked the bot
    ]
    blocked_at = at_local(2026, 7, 10, 9, 0)
    reach = {
        "staf_2": Reach(2002, None),
        "kabid_1": Reach(1003, blocked_at),
    }
    unreachable = unreachable_officers(officers, reach)
    assert unreachable == [Unreachable("staf_1", None), Unreachable("kabid_1", blocked_at)]
    render = DigestRenderer(Catalogue.load(), Directory(officers), JAKARTA, CALENDAR)
    text = render.digest(build_view(MORNING, CALENDAR, [], unreachable), "id").text
    assert text.split("\n")[-3:] == [
        "<b>Pegawai yang belum dapat menerima pesan bot</b>",
        "• Agus Salim — belum bergabung dengan bot",
        "• Bambang — tidak dapat dihubungi sejak 10 Juli 2026 (bot diblokir atau belum dimulai)",
    ]


def test_the_digest_speaks_english_to_officers_who_chose_it() -> None:
    view = build_view(MORNING, CALENDAR, [(typing_late(), SOP)])
    lines = RENDER.digest(view, "en").text.split("\n")
    assert lines[0] == "<b>Task summary as of Monday, 13 July 2026</b>"
    assert lines[1] == "1 processes running: 1 overdue, 0 within the deadline."
    assert lines[4].endswith("— Agus Salim, Maya Sari, 6 hours 15 minutes overdue")
    assert lines[5] == ("↳ Working time used 3 days 6 hours 15 minutes of the standard 3 hari")


def many_cases(count: int) -> list[tuple[CaseState, Sop]]:
    """`count` cases at step 4, the first half given a day earlier (so the more overdue)."""
    return [
        (
            case(
                i,
                f"X{i:02}",
                "ketik",
                ("staf_1", "staf_2"),
                at_local(2026, 7, 6 if i <= count // 2 else 7, 9, 0),
            ),
            SOP,
        )
        for i in range(1, count + 1)
    ]


def test_a_long_digest_is_one_message_a_page_at_a_time_the_most_overdue_first() -> None:
    view = build_view(MORNING, CALENDAR, many_cases(60))
    first = RENDER.digest(view, "id")
    lines = first.text.split("\n")
    assert lines[1] == "60 proses berjalan: 60 terlambat, 0 dalam batas waktu."
    heads = [line for line in lines if line.startswith("• <b>LKT-2026-X")]
    assert [h.split("</b>")[0][-3:] for h in heads] == [f"X{i:02}" for i in range(1, 9)]
    assert heads[0].endswith("terlambat 1 hari 6 jam 15 menit")
    assert lines[-1] == "Halaman 1 dari 8"
    assert [b["data"] for [b] in first.buttons[:-1]] == [f"dg:{i}" for i in range(1, 9)]
    assert first.buttons[-1] == [{"text": "Berikutnya ▶️", "data": "pg:d:2"}]
    assert visible_length(first.text) <= 4096

    second = RENDER.digest(view, "id", page=2)
    assert second.text.split("\n")[-1] == "Halaman 2 dari 8"
    assert [b["data"] for [b] in second.buttons[:-1]] == [f"dg:{i}" for i in range(9, 17)]
    assert second.buttons[-1] == [
        {"text": "◀️ Sebelumnya", "data": "pg:d:1"},
        {"text": "Berikutnya ▶️", "data": "pg:d:3"},
    ]

    last = RENDER.digest(view, "id", page=8)
    assert last.text.split("\n")[-1] == "Halaman 8 dari 8"
    assert [b["data"] for [b] in last.buttons[:-1]] == [f"dg:{i}" for i in range(57, 61)]
    assert last.buttons[-1] == [{"text": "◀️ Sebelumnya", "data": "pg:d:7"}]
    assert all(
        line.endswith("terlambat 6 jam 15 menit")
        for line in last.text.split("\n")
        if line.startswith("• <b>")
    )

    # A page button kept from a longer digest shows the last page there is now.
    shrunk = build_view(MORNING, CALENDAR, many_cases(20))
    assert RENDER.digest(shrunk, "id", page=8).text.split("\n")[-1] == "Halaman 3 dari 3"


def test_eight_cases_with_the_longest_names_fit_one_message() -> None:
    holders = tuple(o.key for o in OFFICERS)
    cases = [
        (case(i, f"X{i:02}", "ketik", holders, at_local(2026, 7, 7, 9, 0)), SOP)
        for i in range(1, 9)
    ]
    message = RENDER.digest(build_view(MORNING, CALENDAR, cases), "id")
    assert visible_length(message.text) <= 4096
    assert message.text.count("• <b>LKT-2026-X") == 8


def test_a_parallel_step_lists_only_those_who_still_hold_it() -> None:
    state = case(3, "S1", "periksa_kabid", ("kabid_1", "kabid_2", "kabid_3"), MORNING)
    state.tasks[0].status = TaskStatus.DONE
    state.tasks[0].outcome = "approved"
    state.tasks[0].closed_at = MORNING
    later = at_local(2026, 7, 13, 8, 15)
    [line] = build_view(later, CALENDAR, [(state, SOP)]).cases
    assert line.holders == ("kabid_2", "kabid_3")
    assert (line.used_minutes, line.overdue_minutes, line.standard) == (30, None, "60 menit")


def test_finished_cases_and_cases_without_open_tasks_are_left_out() -> None:
    done = typing_late()
    done.status = CaseStatus.FINISHED
    assert build_view(MORNING, CALENDAR, [(done, SOP)]).cases == ()


# --- a case's details ------------------------------------------------------------------


def test_the_details_list_each_step_done_and_the_one_still_open() -> None:
    disposed = Task(
        1,
        "disposisi",
        1,
        "kadin",
        at_local(2026, 7, 6, 8, 0),
        at_local(2026, 7, 6, 8, 10),
        status=TaskStatus.DONE,
        closed_at=at_local(2026, 7, 6, 8, 3),
        outcome="completed",
    )
    state = case(1, "TW2", "ketik", ("staf_1",), at_local(2026, 7, 7, 9, 0), [disposed])
    [text] = RENDER.case_details(state, SOP, MORNING, "id")
    assert text.split("\n") == [
        "<b>LKT-2026-TW2</b> · SOP Pelaporan Kinerja",
        "Dimulai oleh Dr. H. Ahmad Fauzi, M.Si. pada Senin, 6 Juli 2026 pukul 08.00 WIB.",
        "",
        "✅ Langkah 1: Disposisi Kepala Dinas — Dr. H. Ahmad Fauzi, M.Si., Senin,"
        " 6 Juli 2026 pukul 08.03 WIB"
        " (waktu 3 menit; mutu baku 10 menit)",
        "⚠️ Langkah 4: Pengetikan draf — Agus Salim, terlambat 6 jam 15 menit"
        " (batas waktu Jumat, 10 Juli 2026 pukul 09.00 WIB)",
    ]


# --- `[digest]` ------------------------------------------------------------------------------

KEYS = {o.key for o in OFFICERS}


def test_the_defaults_are_0745_and_only_the_sekretaris() -> None:
    settings, errors = DigestSettings.from_mapping({}, KEYS)
    assert errors == [] and settings == DigestSettings(time(7, 45), ())
    assert digest_recipients(DigestSettings(), OFFICERS) == ["sekretaris"]


@pytest.mark.parametrize("written", ["07:30", "7:30", " 07:30 "])
def test_the_time_is_read_as_hh_mm(written: Any) -> None:
    settings, errors = DigestSettings.from_mapping({"time": written}, KEYS)
    assert errors == [] and settings is not None and settings.time == time(7, 30)


@pytest.mark.parametrize(
    ("written", "shown"), [("7.30", '"7.30"'), (time(7, 30), "07:30:00"), ("24:00", '"24:00"')]
)
def test_any_other_time_is_refused_as_in_backup(written: Any, shown: str) -> None:
    settings, errors = DigestSettings.from_mapping({"time": written}, KEYS)
    assert settings is None
    assert errors == [f'digest.time: expected a local time "HH:MM" such as "07:45", got {shown}']


def test_configured_recipients_come_after_the_sekretaris_once_each() -> None:
    settings, errors = DigestSettings.from_mapping(
        {"recipients": ["kadin", "sekretaris", "kadin"]}, KEYS
    )
    assert errors == [] and settings is not None
    assert digest_recipients(settings, OFFICERS) == ["sekretaris", "kadin"]


def test_every_mistake_in_digest_is_reported_with_its_key() -> None:
    settings, errors = DigestSettings.from_mapping(
        {"time": "7:75", "recipients": ["kadinn", 5], "when": "pagi"}, KEYS
    )
    assert settings is None
    assert errors == [
        "digest.when: unknown key (expected one of: time, recipients)",
        'digest.time: expected a local time "HH:MM" such as "07:45", got "7:75"',
        'digest.recipients[0]: no officer has the key "kadinn"; did you mean "kadin"?',
        "digest.recipients[1]: expected an officer key, got 5",
    ]
    _, errors = DigestSettings.from_mapping({"recipients": "kadin"}, KEYS)
    assert errors == ['digest.recipients: expected a list of officer keys ["kadin"]']


def test_every_holder_of_the_sekretaris_role_gets_it_in_config_order() -> None:
    acting = Officer("plt_sek", "Sri", "sekretaris", "Plt. Sekretaris", language=Language.EN)
    assert digest_recipients(DigestSettings(), [acting, *OFFICERS]) == ["plt_sek", "sekretaris"]
