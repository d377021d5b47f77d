"""The rules of a Surat Perintah for a Plh/Plt, one test per rule (bot/core/acting.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.acting import (
    ActingKind,
    ActingRefusal,
    ActingRefusalCode,
    Appointment,
    Hierarchy,
    add_months,
    check_appointment,
    check_extension,
    ends_at,
    next_change,
    starts_at,
)
from bot.core.reminders import DEFAULT_SUPERIOR_ROLE
from tests.support.engine import ROSTER

WIB = ZoneInfo("Asia/Jakarta")
SUPERIORS = {"kabid_1": "sekretaris", "kabid_2": "sekretaris", "kabid_3": "sekretaris"}


def people() -> Hierarchy:
    def superior_of(key: str) -> str | None:
        return {"sekretaris": "kadin", "kasubag": "sekretaris", **SUPERIORS}.get(key)

    return Hierarchy(ROSTER, DEFAULT_SUPERIOR_ROLE, superior_of)


PLH_KADIN = Appointment(
    kind=ActingKind.PLH,
    letter_number="800/12/SP/2026",
    letter_date=date(2026, 7, 1),
    appointer="sekda",
    absent="kadin",
    stand_in="sekretaris",
    start=date(2026, 7, 6),
    end=date(2026, 7, 10),
    id=1,
)


def refused(a: Appointment, existing: tuple[Appointment, ...] = ()) -> ActingRefusalCode:
    with pytest.raises(ActingRefusal) as caught:
        check_appointment(a, people(), existing)
    return caught.value.code


def test_a_valid_plh_for_the_kadin_passes() -> None:
    check_appointment(PLH_KADIN, people())


def test_a_self_appointment_is_refused() -> None:
    assert refused(replace(PLH_KADIN, stand_in="kadin")) is ActingRefusalCode.SELF_APPOINTMENT


def test_staff_and_tim_sakip_get_no_plh() -> None:
    a = replace(PLH_KADIN, absent="staf_1", stand_in="staf_2", appointer="kasubag")
    assert refused(a) is ActingRefusalCode.NOT_A_POSITION
    a = replace(PLH_KADIN, absent="sakip_1", stand_in="sakip_ketua", appointer="sekretaris")
    assert refused(a) is ActingRefusalCode.NOT_A_POSITION


def test_the_kadin_s_stand_in_is_appointed_by_the_bupati_or_sekda() -> None:
    assert refused(replace(PLH_KADIN, appointer="sekretaris")) is ActingRefusalCode.WRONG_APPOINTER
    check_appointment(replace(PLH_KADIN, appointer="bupati"), people())


def test_a_kabid_s_stand_in_is_appointed_by_the_kabid_s_superior() -> None:
    a = replace(PLH_KADIN, absent="kabid_1", stand_in="kabid_2", appointer="sekretaris")
    check_appointment(a, people())
    assert refused(replace(a, appointer="kabid_3")) is ActingRefusalCode.WRONG_APPOINTER
    assert refused(replace(a, appointer="sekda")) is ActingRefusalCode.WRONG_APPOINTER


def test_the_stand_in_holds_the_same_level_or_one_below() -> None:
    kabid = replace(PLH_KADIN, absent="kabid_1", appointer="sekretaris")
    check_appointment(replace(kabid, stand_in="kabid_2"), people())  # same level
    check_appointment(replace(kabid, stand_in="kasubag"), people())  # same level here
    # two levels below the Kadin, a junior without a position, a senior official
    assert refused(replace(PLH_KADIN, stand_in="kabid_1")) is ActingRefusalCode.WRONG_LEVEL
    assert refused(replace(kabid, stand_in="staf_1")) is ActingRefusalCode.WRONG_LEVEL
    assert refused(replace(kabid, stand_in="kadin")) is ActingRefusalCode.WRONG_LEVEL


def test_a_plt_lasts_at_most_three_months() -> None:
    plt = replace(PLH_KADIN, kind=ActingKind.PLT, start=date(2026, 7, 6))
    check_appointment(replace(plt, end=date(2026, 10, 5)), people())
    assert refused(replace(plt, end=date(2026, 10, 6))) is ActingRefusalCode.PLT_TOO_LONG
    # a Plh has no such limit
    check_appointment(replace(PLH_KADIN, end=date(2026, 12, 31)), people())


def test_a_plt_is_extended_once_by_at_most_three_months() -> None:
    plt = replace(PLH_KADIN, kind=ActingKind.PLT, end=date(2026, 10, 5))
    extended = check_extension(plt, date(2027, 1, 5))
    assert extended.end == date(2027, 1, 5) and extended.extended
    with pytest.raises(ActingRefusal) as again:
        check_extension(extended, date(2027, 2, 1))
    assert again.value.code is ActingRefusalCode.ALREADY_EXTENDED
    with pytest.raises(ActingRefusal) as long:
        check_extension(plt, date(2027, 1, 6))
    assert long.value.code is ActingRefusalCode.EXTENSION_TOO_LONG
    with pytest.raises(ActingRefusal) as plh:
        check_extension(PLH_KADIN, date(2026, 7, 20))
    assert plh.value.code is ActingRefusalCode.NOT_PLT


def test_dates_letter_and_officers_are_checked() -> None:
    reversed_ = replace(PLH_KADIN, end=date(2026, 7, 1))
    assert refused(reversed_) is ActingRefusalCode.DATES_REVERSED
    assert refused(replace(PLH_KADIN, letter_number=" ")) is ActingRefusalCode.LETTER_REQUIRED
    assert refused(replace(PLH_KADIN, stand_in="nobody")) is ActingRefusalCode.UNKNOWN_OFFICER


def test_one_stand_in_at_a_time_and_never_an_absent_one() -> None:
    other = replace(PLH_KADIN, id=2, stand_in="sekretaris", start=date(2026, 7, 9))
    assert refused(other, (PLH_KADIN,)) is ActingRefusalCode.OVERLAP
    away = replace(PLH_KADIN, id=3, absent="sekretaris", stand_in="kabid_1", appointer="kadin")
    plh_by_absent = replace(PLH_KADIN, id=4)
    assert refused(plh_by_absent, (away,)) is ActingRefusalCode.STAND_IN_ABSENT
    later = replace(PLH_KADIN, id=5, start=date(2026, 7, 11), end=date(2026, 7, 12))
    check_appointment(later, people(), (PLH_KADIN,))


def test_in_force_from_the_start_day_to_the_end_of_the_end_day() -> None:
    first = datetime(2026, 7, 5, 17, 0, tzinfo=UTC)  # 6 July 00.00 WIB
    after = datetime(2026, 7, 10, 17, 0, tzinfo=UTC)  # 11 July 00.00 WIB
    assert starts_at(PLH_KADIN, WIB) == first and ends_at(PLH_KADIN, WIB) == after
    assert next_change([PLH_KADIN], first - timedelta(minutes=1), WIB) == first
    assert next_change([PLH_KADIN], first, WIB) == after
    assert next_change([PLH_KADIN], after, WIB) is None


def test_add_months_keeps_the_day_or_takes_the_month_s_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
