"""Dates, times, money and durations the way Indonesian officials write them.

Officers read "Senin, 6 Juli 2026 pukul 10.00 WIB" and "Rp1.234.567" every day in
SRIKANDI and on paper; the bot must look the same. Everything goes through Babel with
an explicit locale and an explicit `tzinfo=`, never through `strftime` (which follows
the process locale) and never relying on Babel's "naive means UTC" rule. Stored
instants are aware UTC; the agency's zone is applied only here, at display time.

English is the second language of the catalogue; where Indonesian and English customs
differ (the time separator, "pukul" / "at", plurals) each is written its own way.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal
from babel.numbers import format_percent as _babel_format_percent
from babel.units import format_unit as _babel_format_unit

from bot.core.timestd import WorkDuration
from bot.views.i18n import resolve_language

__all__ = [
    "format_date",
    "format_datetime_short",
    "format_day_date",
    "format_deadline",
    "format_file_size",
    "format_minutes",
    "format_number",
    "format_percent",
    "format_rupiah",
    "format_time",
    "format_work_duration",
    "parse_rupiah",
    "roman",
    "zone_abbrev",
]

# Indonesia's three legal zones (UU 1987 / Keppres 41/1987). Asia/Pontianak is WIB too;
# Asia/Ujung_Pandang is the old name of Asia/Makassar still found in tz databases.
_ZONE_ABBREVIATIONS: Final[dict[str, str]] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}

# A fixed instant for `zone_abbrev`, which is given a zone but no instant: Indonesian
# zones have no daylight saving, so any instant gives their one offset.
_REFERENCE_INSTANT: Final = datetime(2026, 1, 1, tzinfo=UTC)

_DATE_PATTERN: Final = "d MMMM y"
_DAY_DATE_PATTERN: Final = "EEEE, d MMMM y"
_SHORT_DATE_PATTERN: Final = "dd/MM/y"
# CLDR gives Indonesian times a dot ("10.00"); English keeps the colon.
_TIME_PATTERNS: Final[dict[str, str]] = {"id": "HH.mm", "en": "HH:mm"}
# CLDR 47 as shipped with Babel 2.18 has no "atTime" pattern for either language, so the
# word joining a date and a time is ours: "pukul" is what Indonesian letters write.
_DEADLINE_PATTERNS: Final[dict[str, str]] = {"id": "{date} pukul {time}", "en": "{date} at {time}"}

_MINUTES_PER_HOUR: Final = 60


def _zone_label(tz: ZoneInfo, instant: datetime) -> str:
    """The abbreviation officers know, or the offset at `instant` for other zones.

    Babel would print "WIB" for Indonesian but "+0700" for English, and the zone's own
    `tzname()` is "WIB" only by the tz database's grace; one table keeps both languages
    saying the same thing.
    """
    known = _ZONE_ABBREVIATIONS.get(tz.key or "")
    if known is not None:
        return known
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always yields an offset for an aware instant
    total_minutes = int(offset.total_seconds()) // 60
    if total_minutes == 0:
        return "UTC"
    sign = "+" if total_minutes > 0 else "-"
    hours, minutes = divmod(abs(total_minutes), _MINUTES_PER_HOUR)
    return f"UTC{sign}{hours}" if minutes == 0 else f"UTC{sign}{hours}:{minutes:02d}"


def zone_abbrev(tz: ZoneInfo) -> str:
    """The zone as officers write it after a time: "WIB", "WITA", "WIT".

    Zones outside Indonesia get their UTC offset ("UTC+7", "UTC+5:30"). Without an
    instant a zone with daylight saving has no single offset; this reports its offset
    on 1 January 2026. The format functions label each time with the offset in force
    at that time instead.
    """
    return _zone_label(tz, _REFERENCE_INSTANT)


def _aware(dt: datetime) -> datetime:
    """Refuse naive datetimes: Babel would silently read them as UTC.

    We store aware UTC everywhere; a naive value here means a bug upstream, and showing
    it seven hours off is worse than failing loudly in a test.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} given; pass an aware datetime (UTC)")
    return dt


def _format_date_pattern(d: date | datetime, pattern: str, tz: ZoneInfo, lang: str) -> str:
    locale = resolve_language(lang)
    if isinstance(d, datetime):
        local = _aware(d).astimezone(tz)
        return str(_babel_format_date(local.date(), pattern, locale=locale))
    return str(_babel_format_date(d, pattern, locale=locale))


def format_date(d: date | datetime, tz: ZoneInfo, lang: str = "id") -> str:
    """ "30 Juni 2026": a datetime is first moved into `tz`, so 23.30 UTC is the next day."""
    return _format_date_pattern(d, _DATE_PATTERN, tz, lang)


def format_day_date(d: date | datetime, tz: ZoneInfo, lang: str = "id") -> str:
    """ "Senin, 6 Juli 2026": the weekday matters to officers planning their week."""
    return _format_date_pattern(d, _DAY_DATE_PATTERN, tz, lang)


@lru_cache(maxsize=512)  # the same deadlines and times recur in every message
def format_time(dt: datetime, tz: ZoneInfo, lang: str = "id") -> str:
    """ "10.00 WIB": a time without its zone is ambiguous across Indonesia's three zones."""
    locale = resolve_language(lang)
    aware = _aware(dt)
    clock = _babel_format_datetime(aware, _TIME_PATTERNS[locale], tzinfo=tz, locale=locale)
    return f"{clock} {_zone_label(tz, aware)}"


@lru_cache(maxsize=512)
def format_deadline(dt: datetime, tz: ZoneInfo, lang: str = "id") -> str:
    """ "Senin, 6 Juli 2026 pukul 10.00 WIB": the full form, for a deadline nobody may misread."""
    locale = resolve_language(lang)
    return _DEADLINE_PATTERNS[locale].format(
        date=format_day_date(dt, tz, locale), time=format_time(dt, tz, locale)
    )


def format_datetime_short(dt: datetime, tz: ZoneInfo, lang: str = "id") -> str:
    """ "06/07/2026 10.00 WIB": fixed width, so a list of them lines up."""
    locale = resolve_language(lang)
    aware = _aware(dt)
    pattern = f"{_SHORT_DATE_PATTERN} {_TIME_PATTERNS[locale]}"
    stamp = _babel_format_datetime(aware, pattern, tzinfo=tz, locale=locale)
    return f"{stamp} {_zone_label(tz, aware)}"


def _to_decimal(x: Decimal | float | int) -> Decimal:
    """Exact Decimal of a number; floats go through `str` so 0.1 stays 0.1."""
    if isinstance(x, bool) or not isinstance(x, Decimal | float | int):
        raise TypeError(f"expected a number, got {type(x).__name__}")
    value = Decimal(str(x)) if isinstance(x, float) else Decimal(x)
    if not value.is_finite():
        raise ValueError(f"cannot format {x!r}")
    return value


def _round(value: Decimal, digits: int) -> Decimal:
    """Half-even rounding (Babel's own rule), and never a "-0,00"."""
    if digits < 0:
        raise ValueError(f"digits must be 0 or more, got {digits}")
    rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _decimal_pattern(digits: int) -> str:
    return "#,##0" if digits == 0 else "#,##0." + "0" * digits


def format_rupiah(amount: int | Decimal) -> str:
    """ "Rp1.234.567": whole rupiah, as budget tables (pagu, realisasi) are written.

    Babel's default IDR format prints two decimals ("Rp1.234.567,00"), so the pattern is
    given and `currency_digits=False`. Sen are rounded half-even. The format is the
    Indonesian one in every language: it is money in an Indonesian report.
    """
    if isinstance(amount, float):
        raise TypeError("pass rupiah as int or Decimal, not float (float money loses sen)")
    rounded = _round(_to_decimal(amount), 0)
    return str(
        _babel_format_currency(rounded, "IDR", format="¤#,##0", locale="id", currency_digits=False)
    )


def format_number(x: Decimal | float | int, digits: int = 2, lang: str = "id") -> str:
    """ "1.234,50": Indonesian swaps English separators, which officers misread otherwise."""
    locale = resolve_language(lang)
    rounded = _round(_to_decimal(x), digits)
    return str(_babel_format_decimal(rounded, format=_decimal_pattern(digits), locale=locale))


def format_percent(x: Decimal | float | int, digits: int = 2, lang: str = "id") -> str:
    """ "95,50%" for x = 95.5: `x` is already a percentage, as capaian kinerja is computed.

    (Babel's `format_percent` multiplies by 100; we divide first, exactly, in Decimal.)
    """
    locale = resolve_language(lang)
    rounded = _round(_to_decimal(x), digits)
    pattern = _decimal_pattern(digits) + "%"
    return str(_babel_format_percent(rounded.scaleb(-2), format=pattern, locale=locale))


# "Rp", "Rp.", "IDR" with or without a space; digits grouped by dots in threes or not
# grouped at all; up to two decimals after a comma, or the ",-" that closes an amount
# on Indonesian forms ("Rp1.500.000,-").
_RUPIAH_RE: Final = re.compile(
    r"""
    (?P<sign>[-−])?
    (?:(?:rp\.?|idr)\s*)?
    (?P<int>\d{1,3}(?:\.\d{3})+|\d+)
    (?:,(?P<frac>\d{1,2}|-))?
    """,
    re.IGNORECASE | re.VERBOSE | re.ASCII,
)


def parse_rupiah(text: str) -> Decimal:
    """Read an amount an officer typed: "Rp1.234.567", "1.234.567,50", "1234567".

    `float("1.234")` is 1.234 and Babel alone accepts "1.5" as 15 with a guess, so the
    shapes allowed are spelled out: dots group thousands, a comma starts the sen.
    Anything else raises ValueError saying what was expected.
    """
    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    match = _RUPIAH_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(
            f"not a rupiah amount: {text!r}; write it like Rp1.234.567 or 1.234.567,50 "
            "(dots between thousands, a comma before sen)"
        )
    frac = match["frac"]
    number = match["int"].replace(".", "") + ("" if frac in (None, "-") else "." + frac)
    value = Decimal(number)
    if match["sign"] and not value.is_zero():
        value = -value
    return value


_ROMAN_NUMERALS: Final = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    """ "II": quarters ("Triwulan II") and chapters ("BAB III") are numbered in Roman."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"expected an int, got {type(n).__name__}")
    if not 1 <= n <= 3999:
        raise ValueError(f"Roman numerals go from 1 to 3999, got {n}")
    parts: list[str] = []
    for value, numeral in _ROMAN_NUMERALS:
        count, n = divmod(n, value)
        parts.append(numeral * count)
    return "".join(parts)


@lru_cache(maxsize=4096)
def _unit(amount: int, unit: str, locale: str) -> str:
    # CLDR carries the plural rules: "1 hour" / "2 hours", and "2 jam" in Indonesian.
    # Remembered: Babel takes about 0.2 ms a call, and a page of the digest makes ~40.
    return str(_babel_format_unit(amount, unit, length="long", locale=locale))


def format_minutes(total_minutes: int, minutes_per_day: int = 450, lang: str = "id") -> str:
    """ "1 hari 2 jam 5 menit": Babel's `format_timedelta` rounds to one unit ("2 jam" for
    both 90 and 150 minutes), which is useless when a step's time standard is 60 menit.

    A day is `minutes_per_day` working minutes (450 = 7.5 office hours), not 24 hours.
    Zero parts are left out; zero itself is "0 menit".
    """
    if minutes_per_day <= 0:
        raise ValueError(f"minutes_per_day must be positive, got {minutes_per_day}")
    if total_minutes < 0:
        raise ValueError(f"a duration cannot be negative, got {total_minutes} minutes")
    locale = resolve_language(lang)
    days, rest = divmod(total_minutes, minutes_per_day)
    hours, minutes = divmod(rest, _MINUTES_PER_HOUR)
    parts = [
        _unit(amount, unit, locale)
        for amount, unit in (
            (days, "duration-day"),
            (hours, "duration-hour"),
            (minutes, "duration-minute"),
        )
        if amount
    ]
    return " ".join(parts) if parts else _unit(0, "duration-minute", locale)


def format_work_duration(d: WorkDuration, minutes_per_day: int = 450, lang: str = "id") -> str:
    """ "1 hari 2 jam": working time as the calendar counted it.

    `d.minutes` is below one working day of the calendar that produced it; should it
    not be (a calendar with other day lengths), the excess is carried into days rather
    than shown as "9 jam".
    """
    if d.days < 0 or d.minutes < 0:
        raise ValueError(f"a duration cannot be negative, got {d}")
    return format_minutes(d.days * minutes_per_day + d.minutes, minutes_per_day, lang)


_SIZE_UNITS: Final = (
    (1_000, "digital-kilobyte"),
    (1_000_000, "digital-megabyte"),
    (1_000_000_000, "digital-gigabyte"),
)


def format_file_size(num_bytes: int, lang: str = "id") -> str:
    """ "1,2 MB": decimal units, because Telegram states its limits in them (20 MB)."""
    if num_bytes < 0:
        raise ValueError(f"a file size cannot be negative, got {num_bytes}")
    locale = resolve_language(lang)
    if num_bytes < _SIZE_UNITS[0][0]:
        return str(_babel_format_unit(num_bytes, "digital-byte", length="short", locale=locale))
    for factor, unit in _SIZE_UNITS:
        amount = _round(Decimal(num_bytes) / factor, 1)
        # 999 999 bytes rounds to 1.000,0 kB; say 1 MB instead.
        if amount < 1000 or unit == _SIZE_UNITS[-1][1]:
            break
    return str(_babel_format_unit(amount.normalize(), unit, length="short", locale=locale))
