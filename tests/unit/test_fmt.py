"""Exact output of every formatter: officers compare these strings with SRIKANDI and paper."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.timestd import WorkDuration
from bot.views.fmt import (
    format_date,
    format_datetime_short,
    format_day_date,
    format_deadline,
    format_file_size,
    format_minutes,
    format_number,
    format_percent,
    format_rupiah,
    format_time,
    format_work_duration,
    parse_rupiah,
    roman,
    zone_abbrev,
)

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")

# Sunday 23.30 UTC is already Monday morning everywhere in Indonesia.
LATE_SUNDAY_UTC = datetime(2026, 7, 5, 23, 30, tzinfo=UTC)
MONDAY_10_WIB = datetime(2026, 7, 6, 3, 0, tzinfo=UTC)


# --- zones ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Makassar", "WITA"),
        ("Asia/Jayapura", "WIT"),
        ("Asia/Bangkok", "UTC+7"),  # same offset as WIB, but not WIB
        ("Asia/Kolkata", "UTC+5:30"),
        ("UTC", "UTC"),
        ("America/St_Johns", "UTC-3:30"),  # standard time on the reference date
    ],
)
def test_zone_abbrev(zone: str, expected: str) -> None:
    assert zone_abbrev(ZoneInfo(zone)) == expected


def test_times_outside_indonesia_show_the_offset_in_force_then() -> None:
    london = ZoneInfo("Europe/London")
    summer = datetime(2026, 7, 6, 9, 0, tzinfo=UTC)
    winter = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert format_time(summer, london) == "10.00 UTC+1"
    assert format_time(winter, london) == "09.00 UTC"


# --- dates and times -----------------------------------------------------------------


def test_format_date_of_a_date() -> None:
    assert format_date(date(2026, 6, 30), WIB) == "30 Juni 2026"
    assert format_date(date(2026, 6, 30), WIB, "en") == "30 June 2026"
    assert format_date(date(2025, 8, 17), WIB) == "17 Agustus 2025"


def test_format_date_converts_a_datetime_into_the_zone_first() -> None:
    assert format_date(LATE_SUNDAY_UTC, WIB) == "6 Juli 2026"
    assert format_date(LATE_SUNDAY_UTC, ZoneInfo("UTC")) == "5 Juli 2026"


def test_format_date_uses_the_calendar_year_not_the_week_year() -> None:
    # CLDR "YYYY" would print 2026 here (the pitfall); "y" prints 2025.
    assert format_date(date(2025, 12, 29), WIB) == "29 Desember 2025"


def test_format_day_date() -> None:
    assert format_day_date(date(2026, 7, 6), WIB) == "Senin, 6 Juli 2026"
    assert format_day_date(date(2026, 7, 6), WIB, "en") == "Monday, 6 July 2026"
    assert format_day_date(LATE_SUNDAY_UTC, WIB) == "Senin, 6 Juli 2026"


@pytest.mark.parametrize(
    ("zone", "lang", "expected"),
    [
        (WIB, "id", "06.30 WIB"),
        (WITA, "id", "07.30 WITA"),
        (WIT, "id", "08.30 WIT"),
        (WIB, "en", "06:30 WIB"),
        (WIT, "en", "08:30 WIT"),
    ],
)
def test_format_time(zone: ZoneInfo, lang: str, expected: str) -> None:
    assert format_time(LATE_SUNDAY_UTC, zone, lang) == expected


def test_format_time_of_a_datetime_in_another_zone() -> None:
    jakarta_ten = datetime(2026, 7, 6, 10, 0, tzinfo=WIB)
    assert format_time(jakarta_ten, WIB) == "10.00 WIB"
    assert format_time(jakarta_ten, WIT) == "12.00 WIT"
    assert format_time(datetime(2026, 7, 6, 3, 0, tzinfo=timezone(timedelta(0))), WIB) == (
        "10.00 WIB"
    )


@pytest.mark.parametrize(
    ("zone", "lang", "expected"),
    [
        (WIB, "id", "Senin, 6 Juli 2026 pukul 06.30 WIB"),
        (WITA, "id", "Senin, 6 Juli 2026 pukul 07.30 WITA"),
        (WIT, "id", "Senin, 6 Juli 2026 pukul 08.30 WIT"),
        (WIB, "en", "Monday, 6 July 2026 at 06:30 WIB"),
        (ZoneInfo("UTC"), "id", "Minggu, 5 Juli 2026 pukul 23.30 UTC"),
    ],
)
def test_format_deadline_across_zones(zone: ZoneInfo, lang: str, expected: str) -> None:
    assert format_deadline(LATE_SUNDAY_UTC, zone, lang) == expected


def test_format_deadline_at_ten() -> None:
    assert format_deadline(MONDAY_10_WIB, WIB) == "Senin, 6 Juli 2026 pukul 10.00 WIB"
    assert format_deadline(MONDAY_10_WIB, WIB, "en") == "Monday, 6 July 2026 at 10:00 WIB"


def test_format_datetime_short() -> None:
    assert format_datetime_short(MONDAY_10_WIB, WIB) == "06/07/2026 10.00 WIB"
    assert format_datetime_short(MONDAY_10_WIB, WIB, "en") == "06/07/2026 10:00 WIB"
    assert format_datetime_short(LATE_SUNDAY_UTC, WIT) == "06/07/2026 08.30 WIT"


def test_unsupported_language_formats_in_indonesian() -> None:
    assert format_deadline(MONDAY_10_WIB, WIB, "fr") == "Senin, 6 Juli 2026 pukul 10.00 WIB"
    assert format_deadline(MONDAY_10_WIB, WIB, "en-GB") == "Monday, 6 July 2026 at 10:00 WIB"


@pytest.mark.parametrize(
    "call",
    [
        lambda dt: format_date(dt, WIB),
        lambda dt: format_day_date(dt, WIB),
        lambda dt: format_time(dt, WIB),
        lambda dt: format_deadline(dt, WIB),
        lambda dt: format_datetime_short(dt, WIB),
    ],
)
def test_naive_datetimes_are_refused(call) -> None:
    # Babel would read them as UTC and print a time seven hours off without a word.
    with pytest.raises(ValueError, match="naive datetime"):
        call(datetime(2026, 7, 6, 10, 0))


# --- money and numbers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1_234_567_890, "Rp1.234.567.890"),
        (0, "Rp0"),
        (999, "Rp999"),
        (1000, "Rp1.000"),
        (-1000, "-Rp1.000"),
        (Decimal("1234567"), "Rp1.234.567"),
        (Decimal("1234567.49"), "Rp1.234.567"),
        (Decimal("1234567.5"), "Rp1.234.568"),  # half-even: 7 -> 8
        (Decimal("1234568.5"), "Rp1.234.568"),  # half-even: 8 stays
        (Decimal("1234568.51"), "Rp1.234.569"),
        (Decimal("-1000.5"), "-Rp1.000"),
        (Decimal("-0.4"), "Rp0"),  # no "-Rp0"
        (Decimal("1E+3"), "Rp1.000"),
    ],
)
def test_format_rupiah(amount: int | Decimal, expected: str) -> None:
    assert format_rupiah(amount) == expected


def test_format_rupiah_refuses_float_and_non_finite() -> None:
    with pytest.raises(TypeError, match="float"):
        format_rupiah(1000.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_rupiah(Decimal("NaN"))
    with pytest.raises(ValueError):
        format_rupiah(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((Decimal("95.5"),), "95,50"),
        ((95.5,), "95,50"),
        ((1234.5, 1), "1.234,5"),
        ((1234.5, 1, "en"), "1,234.5"),
        ((1234567, 0), "1.234.567"),
        ((7,), "7,00"),
        ((Decimal("0.125"),), "0,12"),  # half-even
        ((Decimal("0.135"),), "0,14"),
        ((0.1 + 0.2,), "0,30"),
        ((-0.001,), "0,00"),  # no "-0,00"
        ((Decimal("-1234.5"), 1), "-1.234,5"),
    ],
)
def test_format_number(args: tuple, expected: str) -> None:
    assert format_number(*args) == expected


def test_format_number_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        format_number(float("nan"))
    with pytest.raises(ValueError):
        format_number(1, digits=-1)
    with pytest.raises(TypeError):
        format_number("1")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((95.5,), "95,50%"),
        ((Decimal("100"),), "100,00%"),
        ((Decimal("87.456"), 1), "87,5%"),
        ((Decimal("1234.5"), 1), "1.234,5%"),
        ((95.5, 2, "en"), "95.50%"),
        ((0, 0), "0%"),
        ((Decimal("-12.345"),), "-12,34%"),  # half-even
    ],
)
def test_format_percent_takes_percentage_points(args: tuple, expected: str) -> None:
    assert format_percent(*args) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rp1.234.567", Decimal("1234567")),
        ("1.234.567,50", Decimal("1234567.50")),
        ("1234567", Decimal("1234567")),
        ("Rp 1.234.567", Decimal("1234567")),
        ("Rp. 1.500.000,-", Decimal("1500000")),
        ("rp1.000,5", Decimal("1000.5")),
        ("IDR 250.000", Decimal("250000")),
        ("  1.000  ", Decimal("1000")),
        ("Rp\u00a01.000", Decimal("1000")),
        ("1.234", Decimal("1234")),
        ("1234,5", Decimal("1234.5")),
        ("0", Decimal("0")),
        ("-Rp1.000", Decimal("-1000")),
    ],
)
def test_parse_rupiah(text: str, expected: Decimal) -> None:
    parsed = parse_rupiah(text)
    assert parsed == expected
    assert str(parsed) == str(expected)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Rp",
        "abc",
        "1,234,567",  # English grouping: a comma is the decimal mark here
        "1.5",  # a dot groups thousands; "1.5" is neither 15 nor 1,5
        "1.23.456",
        "12345.678",
        "1.234,567",  # more than two decimals (sen)
        "1.234.567.",
        "Rp1.000 juta",
        "1 000",
        "--1000",
    ],
)
def test_parse_rupiah_refuses_other_shapes(text: str) -> None:
    with pytest.raises(ValueError, match="not a rupiah amount") as info:
        parse_rupiah(text)
    assert "Rp1.234.567" in str(info.value)  # says what to write instead


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_parse_rupiah_reads_what_format_rupiah_writes(amount: int) -> None:
    assert parse_rupiah(format_rupiah(amount)) == amount


# --- roman numerals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "I"),
        (2, "II"),
        (3, "III"),
        (4, "IV"),
        (9, "IX"),
        (14, "XIV"),
        (40, "XL"),
        (90, "XC"),
        (400, "CD"),
        (1994, "MCMXCIV"),
        (2026, "MMXXVI"),
        (3999, "MMMCMXCIX"),
    ],
)
def test_roman(n: int, expected: str) -> None:
    assert roman(n) == expected


@pytest.mark.parametrize("n", [0, -1, 4000])
def test_roman_out_of_range(n: int) -> None:
    with pytest.raises(ValueError, match="1 to 3999"):
        roman(n)


def test_roman_refuses_non_integers() -> None:
    with pytest.raises(TypeError):
        roman(True)
    with pytest.raises(TypeError):
        roman(2.0)  # type: ignore[arg-type]


# --- durations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "lang", "expected"),
    [
        (WorkDuration(days=1, minutes=120), "id", "1 hari 2 jam"),
        (WorkDuration(days=0, minutes=150), "id", "2 jam 30 menit"),
        (WorkDuration(days=0, minutes=45), "id", "45 menit"),
        (WorkDuration(days=0, minutes=0), "id", "0 menit"),
        (WorkDuration(days=3, minutes=0), "id", "3 hari"),
        (WorkDuration(days=2, minutes=5), "id", "2 hari 5 menit"),
        (WorkDuration(days=1, minutes=449), "id", "1 hari 7 jam 29 menit"),
        (WorkDuration(days=1, minutes=120), "en", "1 day 2 hours"),
        (WorkDuration(days=2, minutes=60), "en", "2 days 1 hour"),
        (WorkDuration(days=0, minutes=65), "en", "1 hour 5 minutes"),
        (WorkDuration(days=0, minutes=121), "en", "2 hours 1 minute"),
        (WorkDuration(days=0, minutes=0), "en", "0 minutes"),
    ],
)
def test_format_work_duration(duration: WorkDuration, lang: str, expected: str) -> None:
    assert format_work_duration(duration, lang=lang) == expected


def test_format_work_duration_with_another_day_length() -> None:
    # A calendar whose working day is 24 hours (the 24/7 stand-in) says so.
    assert format_work_duration(WorkDuration(days=1, minutes=600), 1440) == "1 hari 10 jam"


def test_format_work_duration_carries_minutes_beyond_a_day() -> None:
    assert format_work_duration(WorkDuration(days=1, minutes=460)) == "2 hari 10 menit"


@pytest.mark.parametrize(
    ("minutes", "lang", "expected"),
    [
        (0, "id", "0 menit"),
        (45, "id", "45 menit"),
        (60, "id", "1 jam"),
        (150, "id", "2 jam 30 menit"),
        (450, "id", "1 hari"),
        (570, "id", "1 hari 2 jam"),
        (450 * 5 + 30, "id", "5 hari 30 menit"),
        (1, "en", "1 minute"),
        (61, "en", "1 hour 1 minute"),
        (900, "en", "2 days"),
        (451, "en", "1 day 1 minute"),
    ],
)
def test_format_minutes(minutes: int, lang: str, expected: str) -> None:
    assert format_minutes(minutes, lang=lang) == expected


def test_format_minutes_with_a_custom_day() -> None:
    assert format_minutes(1500, minutes_per_day=480) == "3 hari 1 jam"


def test_durations_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_minutes(-1)
    with pytest.raises(ValueError, match="minutes_per_day"):
        format_minutes(10, minutes_per_day=0)
    with pytest.raises(ValueError, match="negative"):
        format_work_duration(WorkDuration(days=-1, minutes=0))


# --- file sizes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "lang", "expected"),
    [
        (0, "id", "0 byte"),
        (999, "id", "999 byte"),
        (1000, "id", "1 kB"),
        (1234, "id", "1,2 kB"),
        (999_999, "id", "1 MB"),  # not "1.000 kB"
        (1_250_000, "id", "1,2 MB"),  # half-even
        (20_000_000, "id", "20 MB"),  # Telegram's download limit
        (100_000_000, "id", "100 MB"),
        (5_000_000_000, "id", "5 GB"),
        (1_500_000, "en", "1.5 MB"),
    ],
)
def test_format_file_size(size: int, lang: str, expected: str) -> None:
    assert format_file_size(size, lang) == expected


def test_format_file_size_refuses_negative() -> None:
    with pytest.raises(ValueError):
        format_file_size(-1)
