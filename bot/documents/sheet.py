"""The indicator and budget spreadsheet the Tim SAKIP uploads, and its blank template.

Format (what `write_sheet_template` produces, and what the users' guide describes):

* ``.xlsx`` with a sheet **Indikator** and a sheet **Anggaran** (names matched without
  regard to case; other sheets, such as the template's "Petunjuk", are ignored). In each
  sheet the header row is the first non-empty row naming two known columns (a title row
  above it is skipped); matching ignores case, spaces and anything in parentheses, so
  "Pagu (Rp)" is ``pagu`` and "Program/Kegiatan" is ``program_kegiatan``. Extra columns
  ("No") are ignored.

  - Indikator: ``sasaran_strategis``, ``indikator``, ``satuan``, ``target_tahunan``,
    ``target_triwulan`` (also accepted: ``target_periode``, ``target_semester``),
    ``realisasi`` (these columns must exist), and optionally ``arah`` ("naik" = higher
    is better, the default; "turun" = lower is better) and ``keterangan``. Cells of the
    required columns must be filled, with two exceptions: a blank ``sasaran_strategis``
    repeats the one above (merged cells read that way), and a blank ``realisasi`` means
    "not in yet" (the report shows "-" for its capaian).
  - Anggaran: ``program_kegiatan``, ``pagu``, ``realisasi``, all filled, in whole
    rupiah (0 when nothing is spent yet; no negative amounts, no sen).

* ``.csv``, as Excel saves the template: Excel writes only the active sheet to a CSV, so
  the Indikator sheet and the Anggaran sheet arrive as two uploads, each recognised by its
  own headers (the same headers as the sheets above; nothing the template does not show is
  required). `read_csv` returns the section it found, the other one empty
  (`SheetData.waiting_for`), and `join_parts` puts the two together. The older one-file
  form (a column ``bagian`` saying "Indikator" or "Anggaran" per row, the other columns
  the union of both sheets') is still read. Excel's ``;`` separator or ``,`` (whichever
  the header line uses more); UTF-8 with or without BOM, or Windows-1252 (what Excel's
  plain "CSV" writes on an Indonesian Windows).

Refused although every cell is readable: a negative target, and the template's own
example row (compared with `_EXAMPLE_INDICATOR` / `_EXAMPLE_BUDGET` field by field, the
note excepted), left in by an uploader who sent /templat's file back untouched.

Numbers may be typed the Indonesian way: dots group thousands, a comma starts the
decimals ("1.234.567", "95,5"); "1.234" is therefore one thousand two hundred and
thirty-four. A single dot followed by other than three digits ("95.5", as English
exports write it) is read as a decimal point. A trailing "%" is ignored. Rupiah may be
written "Rp1.234.567" (read by `bot.views.fmt.parse_rupiah`).

Every problem gives one message naming the sheet, the row as the spreadsheet numbers it,
and the column, and all problems are reported at once (`SheetError.problems`), so the
uploader fixes the file in one pass. A problem is a `SheetProblem`: a message key under
`documents.sheet.error.` in the message catalogue and its values; the chat handler words
it in the uploader's language (this package never speaks to users itself).

An .xlsx is a zip: its declared uncompressed size and member count are checked before
openpyxl opens it, and rows are counted while reading, so a zip bomb or a sheet of a
million rows is refused instead of eating the bot's memory.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from bot.documents.model import BudgetRow, IndicatorRow
from bot.views.fmt import parse_rupiah

__all__ = [
    "ANGGARAN",
    "INDIKATOR",
    "SheetData",
    "SheetError",
    "SheetIssue",
    "SheetLimits",
    "SheetProblem",
    "join_parts",
    "read_csv",
    "read_sheet",
    "read_xlsx",
    "sheet_workbook",
    "write_sheet",
    "write_sheet_template",
]

INDIKATOR: Final = "Indikator"
ANGGARAN: Final = "Anggaran"
PETUNJUK: Final = "Petunjuk"

_MB: Final = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SheetLimits:
    """Ceilings far above any real agency's sheet (a Dinas has tens of indicators)."""

    max_file_bytes: int = 10 * _MB
    max_uncompressed_bytes: int = 50 * _MB
    max_zip_members: int = 500
    max_rows: int = 2000  # rows scanned per sheet, blank ones included (a CSV: twice that)
    max_columns: int = 40


@dataclass(frozen=True, slots=True)
class SheetData:
    indicators: tuple[IndicatorRow, ...]
    budget: tuple[BudgetRow, ...]

    def waiting_for(self) -> str | None:
        """The section still to come when this is one of Excel's two CSV files, else None.

        A whole workbook never has an empty section (each reader refuses one), so an
        empty side means the uploader sent one sheet and the other is on its way.
        """
        if not self.budget:
            return ANGGARAN
        if not self.indicators:
            return INDIKATOR
        return None


def join_parts(earlier: SheetData, later: SheetData) -> SheetData | None:
    """The two CSV files of one sheet as one; None when both hold the same section."""
    if earlier.waiting_for() == later.waiting_for():
        return None
    indicators = earlier.indicators or later.indicators
    budget = earlier.budget or later.budget
    return SheetData(indicators, budget)


class SheetIssue(enum.StrEnum):
    """What is wrong; the message is `documents.sheet.error.<value>` in the catalogue."""

    COLUMN_MISSING = "column_missing"
    COLUMN_TWICE = "column_twice"
    CSV_BINARY = "csv_binary"
    CSV_EMPTY = "csv_empty"
    CSV_ENCODING = "csv_encoding"
    CSV_NOT_A_SHEET = "csv_not_a_sheet"
    CSV_SECTION = "csv_section"
    CSV_UNREADABLE = "csv_unreadable"
    DIRECTION = "direction"
    DUPLICATE = "duplicate"
    EMPTY = "empty"
    EXAMPLE_ROW = "example_row"
    NEGATIVE = "negative"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    NO_SPENDING = "no_spending"
    NOT_A_NUMBER = "not_a_number"
    NOT_RUPIAH = "not_rupiah"
    NOT_XLSX = "not_xlsx"
    SEN = "sen"
    SHEET_MISSING = "sheet_missing"
    TOO_BIG = "too_big"
    TOO_BIG_UNZIPPED = "too_big_unzipped"
    TOO_MANY_PARTS = "too_many_parts"
    TOO_MANY_ROWS = "too_many_rows"
    UNSUPPORTED_FORMAT = "unsupported_format"
    XLSX_UNREADABLE = "xlsx_unreadable"


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """One problem of an upload: the catalogue message `documents.sheet.error.<key>` and
    the values it names (sheet, row, column, the cell as typed...)."""

    key: SheetIssue
    values: Mapping[str, str | int]

    def __str__(self) -> str:  # for logs: the key and its values, not user text
        return f"{self.key.value} {dict(self.values)}"


def _cell_problem(
    sheet: str, row: int, column: str, key: SheetIssue, **values: str | int
) -> SheetProblem:
    return SheetProblem(key, {"sheet": sheet, "row": row, "column": column, **values})


class SheetError(ValueError):
    """The upload cannot be used; `problems` holds one `SheetProblem` per problem found."""

    def __init__(self, problems: Iterable[SheetProblem]) -> None:
        self.problems: tuple[SheetProblem, ...] = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# --- columns -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    header: str  # as the template writes it
    required: bool
    aliases: tuple[str, ...] = ()


_INDICATOR_COLUMNS: Final = (
    _Column("sasaran_strategis", "Sasaran Strategis", True, ("sasaran",)),
    _Column("indikator", "Indikator Kinerja", True, ("indikator_kinerja",)),
    _Column("satuan", "Satuan", True),
    _Column("target_tahunan", "Target Tahunan", True, ("target_tahun",)),
    _Column("target_triwulan", "Target Triwulan", True, ("target_periode", "target_semester")),
    _Column("realisasi", "Realisasi", True),
    _Column("arah", "Arah (naik/turun)", False, ("polaritas",)),
    _Column("keterangan", "Keterangan", False, ("catatan",)),
)
_BUDGET_COLUMNS: Final = (
    _Column("program_kegiatan", "Program/Kegiatan", True, ("program", "kegiatan", "uraian")),
    _Column("pagu", "Pagu (Rp)", True, ("pagu_anggaran", "anggaran")),
    _Column("realisasi", "Realisasi (Rp)", True, ("realisasi_anggaran",)),
)
_SECTION_COLUMN: Final = "bagian"
_CSV: Final = "CSV"  # where a problem of a CSV file as a whole is: its header, its rows
_HEADER_SEARCH: Final = 10  # non-blank rows looked at for the header

_HIGHER: Final = frozenset({"naik", "positif", "maksimal", "maks", "max", "tinggi", "↑"})
_LOWER: Final = frozenset({"turun", "negatif", "minimal", "min", "rendah", "↓"})


def _normalize_header(value: object) -> str:
    text = re.sub(r"\([^)]*\)", " ", _text(value).lower())
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _text(value: object) -> str:
    """A cell as one line of text: Excel's Alt+Enter breaks and runs of spaces collapse."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- numbers -------------------------------------------------------------------------------

_GROUPED: Final = re.compile(r"-?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_PLAIN_COMMA: Final = re.compile(r"-?\d+(?:,\d+)?")
_PLAIN_DOT: Final = re.compile(r"-?\d+\.\d+")


class _NotANumber(Exception):
    pass


def _decimal(value: object) -> Decimal | None:
    """A cell as a Decimal (None when blank); raises _NotANumber otherwise."""
    if value is None:
        return None
    if isinstance(value, bool | datetime | date | time):
        raise _NotANumber
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        result = Decimal(str(value))  # the shortest repr: 44.2 stays 44.2
        if not result.is_finite():
            raise _NotANumber
        return result
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _NotANumber
        return value
    text = "".join(str(value).split()).replace("−", "-")
    if not text:
        return None
    text = text.removesuffix("%")
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(".", "").replace(",", "."))
    if _PLAIN_COMMA.fullmatch(text):
        return Decimal(text.replace(",", "."))
    if _PLAIN_DOT.fullmatch(text):
        return Decimal(text)
    raise _NotANumber


def _rupiah(value: object) -> Decimal | None:
    if value is None or isinstance(value, int | float | Decimal | bool | datetime | date | time):
        return _decimal(value)
    text = str(value).strip()
    if not text:
        return None
    try:
        return parse_rupiah(text)
    except ValueError:
        raise _NotANumber from None


def _shown(value: object) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


# --- reading sections ----------------------------------------------------------------------

Row = tuple[int, Sequence[Any]]  # (row number as the spreadsheet shows it, cells)


@dataclass
class _Section:
    """One sheet (xlsx) or one `bagian` (csv) being read, and where it reports problems."""

    name: str
    header_row: int
    columns: dict[str, int]
    problems: list[SheetProblem]

    def cell(self, cells: Sequence[Any], key: str) -> Any:
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def problem(self, row: int, column: str, key: SheetIssue, **values: str | int) -> None:
        self.problems.append(_cell_problem(self.name, row, column, key, **values))


def _map_header(
    name: str,
    header_row: int,
    header: Sequence[Any],
    specs: Sequence[_Column],
    problems: list[SheetProblem],
) -> _Section | None:
    by_alias: dict[str, str] = {}
    for spec in specs:
        by_alias[spec.key] = spec.key
        for alias in spec.aliases:
            by_alias.setdefault(alias, spec.key)
    columns: dict[str, int] = {}
    ok = True
    for index, raw in enumerate(header):
        key = by_alias.get(_normalize_header(raw))
        if key is None:
            continue
        if key in columns:
            problems.append(
                SheetProblem(
                    SheetIssue.COLUMN_TWICE,
                    {
                        "sheet": name,
                        "row": header_row,
                        "column": key,
                        "first": _column_letter(columns[key]),
                        "second": _column_letter(index),
                    },
                )
            )
            ok = False
            continue
        columns[key] = index
    for spec in specs:
        if spec.required and spec.key not in columns:
            problems.append(
                SheetProblem(
                    SheetIssue.COLUMN_MISSING,
                    {"sheet": name, "row": header_row, "column": spec.key, "header": spec.header},
                )
            )
            ok = False
    return _Section(name, header_row, columns, problems) if ok else None


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _read_indicators(section: _Section, rows: Iterable[Row]) -> list[IndicatorRow]:
    result: list[IndicatorRow] = []
    seen: dict[str, int] = {}
    sasaran = ""
    any_row = False
    for row_no, cells in rows:
        any_row = True
        ok = True
        own_sasaran = _text(section.cell(cells, "sasaran_strategis"))
        if own_sasaran:
            sasaran = own_sasaran
        elif not sasaran:
            section.problem(row_no, "sasaran_strategis", SheetIssue.EMPTY)
            ok = False
        name = _text(section.cell(cells, "indikator"))
        if not name:
            section.problem(row_no, "indikator", SheetIssue.EMPTY)
            ok = False
        else:
            folded = name.casefold()
            if folded in seen:
                section.problem(
                    row_no, "indikator", SheetIssue.DUPLICATE, first=seen[folded], value=name
                )
                ok = False
            else:
                seen[folded] = row_no
        satuan = _text(section.cell(cells, "satuan"))
        if not satuan:
            section.problem(row_no, "satuan", SheetIssue.EMPTY)
            ok = False
        numbers: dict[str, Decimal | None] = {}
        for key in ("target_tahunan", "target_triwulan", "realisasi"):
            raw = section.cell(cells, key)
            try:
                numbers[key] = _decimal(raw)
            except _NotANumber:
                section.problem(row_no, key, SheetIssue.NOT_A_NUMBER, value=_shown(raw))
                ok = False
                continue
            value = numbers[key]
            if value is None and key != "realisasi":
                section.problem(row_no, key, SheetIssue.EMPTY)
                ok = False
            elif value is not None and value < 0 and key != "realisasi":
                section.problem(row_no, key, SheetIssue.NEGATIVE, value=_shown(raw))
                ok = False
        arah_raw = _text(section.cell(cells, "arah"))
        arah = arah_raw.casefold()
        if not arah or arah in _HIGHER:
            higher = True
        elif arah in _LOWER:
            higher = False
        else:
            section.problem(row_no, "arah", SheetIssue.DIRECTION, value=arah_raw)
            ok = False
            higher = True
        if not ok:
            continue
        target_tahunan = numbers["target_tahunan"]
        target_triwulan = numbers["target_triwulan"]
        assert target_tahunan is not None and target_triwulan is not None
        row = IndicatorRow(
            sasaran_strategis=sasaran,
            indikator=name,
            satuan=satuan,
            target_tahunan=target_tahunan,
            target_triwulan=target_triwulan,
            realisasi=numbers["realisasi"],
            higher_is_better=higher,
            keterangan=_text(section.cell(cells, "keterangan")),
        )
        if replace(row, keterangan="") == replace(_EXAMPLE_INDICATOR, keterangan=""):
            section.problem(row_no, "indikator", SheetIssue.EXAMPLE_ROW)
            continue
        result.append(row)
    if not any_row:
        section.problems.append(SheetProblem(SheetIssue.NO_ROWS, {"sheet": section.name}))
    return result


def _read_budget(section: _Section, rows: Iterable[Row]) -> list[BudgetRow]:
    result: list[BudgetRow] = []
    any_row = False
    for row_no, cells in rows:
        any_row = True
        ok = True
        name = _text(section.cell(cells, "program_kegiatan"))
        if not name:
            section.problem(row_no, "program_kegiatan", SheetIssue.EMPTY)
            ok = False
        amounts: dict[str, int] = {}
        for key in ("pagu", "realisasi"):
            raw = section.cell(cells, key)
            try:
                value = _rupiah(raw)
            except _NotANumber:
                section.problem(row_no, key, SheetIssue.NOT_RUPIAH, value=_shown(raw))
                ok = False
                continue
            if value is None:
                section.problem(
                    row_no, key, SheetIssue.NO_SPENDING if key == "realisasi" else SheetIssue.EMPTY
                )
                ok = False
            elif value != value.to_integral_value():
                section.problem(row_no, key, SheetIssue.SEN, value=_shown(raw))
                ok = False
            elif value < 0:
                section.problem(row_no, key, SheetIssue.NEGATIVE, value=_shown(raw))
                ok = False
            else:
                amounts[key] = int(value)
        if not ok:
            continue
        row = BudgetRow(name, amounts["pagu"], amounts["realisasi"])
        if row == _EXAMPLE_BUDGET:
            section.problem(row_no, "program_kegiatan", SheetIssue.EXAMPLE_ROW)
            continue
        result.append(row)
    if not any_row:
        section.problems.append(SheetProblem(SheetIssue.NO_ROWS, {"sheet": section.name}))
    return result


def _too_big(size: int, limits: SheetLimits) -> SheetProblem:
    return SheetProblem(
        SheetIssue.TOO_BIG, {"size": size // _MB, "limit": limits.max_file_bytes // _MB}
    )


def _unreadable(exc: Exception) -> SheetProblem:
    return SheetProblem(SheetIssue.XLSX_UNREADABLE, {"detail": type(exc).__name__})


class _TooManyRows(Exception):
    pass


def _data_rows(rows: Iterator[Row], limit: int) -> Iterator[Row]:
    """Non-blank rows below the header, refusing to scan more than `limit` rows."""
    for count, (row_no, cells) in enumerate(rows, start=1):
        if count > limit:
            raise _TooManyRows
        if not _is_blank(cells):
            yield row_no, cells


def _split_header(
    rows: Iterator[Row], limit: int, known: frozenset[str]
) -> tuple[int, Sequence[Any]] | None:
    """The header row: the first non-blank row naming two known columns.

    Rows above it (a title such as "Data Capaian TW II") are skipped. When none of the
    first few non-blank rows qualifies, the first one is taken, so the missing-column
    messages point at the row the uploader most likely meant.
    """
    first: tuple[int, Sequence[Any]] | None = None
    candidates = 0
    for count, (row_no, cells) in enumerate(rows, start=1):
        if count > limit:
            raise _TooManyRows
        if _is_blank(cells):
            continue
        if first is None:
            first = (row_no, cells)
        if len({_normalize_header(c) for c in cells} & known) >= 2:
            return row_no, cells
        candidates += 1
        if candidates >= _HEADER_SEARCH:
            break
    return first


def _known_headers(specs: Iterable[_Column]) -> frozenset[str]:
    return frozenset(name for spec in specs for name in (spec.key, *spec.aliases))


# --- xlsx ----------------------------------------------------------------------------------


def _check_zip(data: bytes, limits: SheetLimits) -> SheetProblem | None:
    """Refuses zip bombs by the sizes the archive declares, before anything is inflated.

    Python's zipfile never inflates past a member's declared size (a member that lies
    fails its CRC check), so the declared total is a real bound on memory.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return SheetProblem(SheetIssue.NOT_XLSX, {})
    if len(infos) > limits.max_zip_members:
        return SheetProblem(SheetIssue.TOO_MANY_PARTS, {"count": len(infos)})
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        return SheetProblem(
            SheetIssue.TOO_BIG_UNZIPPED,
            {"size": total // _MB, "limit": limits.max_uncompressed_bytes // _MB},
        )
    return None


def _xlsx_rows(worksheet: Any, limits: SheetLimits) -> Iterator[Row]:
    yield from enumerate(
        worksheet.iter_rows(max_col=limits.max_columns, values_only=True), start=1
    )


def read_xlsx(data: bytes, *, limits: SheetLimits | None = None) -> SheetData:
    """Parses an uploaded workbook; raises SheetError with every problem found."""
    from openpyxl import load_workbook  # imported here: only uploads need it

    limits = limits or SheetLimits()
    if len(data) > limits.max_file_bytes:
        raise SheetError([_too_big(len(data), limits)])
    refusal = _check_zip(data, limits)
    if refusal:
        raise SheetError([refusal])
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise SheetError([_unreadable(exc)]) from exc
    try:
        by_name = {name.strip().casefold(): name for name in workbook.sheetnames}
        problems: list[SheetProblem] = []
        indicators: list[IndicatorRow] = []
        budget: list[BudgetRow] = []
        for wanted, specs in ((INDIKATOR, _INDICATOR_COLUMNS), (ANGGARAN, _BUDGET_COLUMNS)):
            actual = by_name.get(wanted.casefold())
            if actual is None:
                present = ", ".join(f'"{n}"' for n in workbook.sheetnames)
                problems.append(
                    SheetProblem(SheetIssue.SHEET_MISSING, {"sheet": wanted, "present": present})
                )
                continue
            rows = _xlsx_rows(workbook[actual], limits)
            try:
                header = _split_header(rows, limits.max_rows, _known_headers(specs))
                if header is None:
                    problems.append(SheetProblem(SheetIssue.NO_HEADER, {"sheet": wanted}))
                    continue
                section = _map_header(wanted, header[0], header[1], specs, problems)
                if section is None:
                    continue
                data_rows = _data_rows(rows, limits.max_rows)
                if wanted == INDIKATOR:
                    indicators = _read_indicators(section, data_rows)
                else:
                    budget = _read_budget(section, data_rows)
            except _TooManyRows:
                problems.append(
                    SheetProblem(
                        SheetIssue.TOO_MANY_ROWS, {"sheet": wanted, "limit": limits.max_rows}
                    )
                )
    except SheetError:
        raise
    except Exception as exc:  # a damaged part found only while streaming rows
        raise SheetError([_unreadable(exc)]) from exc
    finally:
        workbook.close()
    if problems:
        raise SheetError(problems)
    return SheetData(tuple(indicators), tuple(budget))


# --- csv -----------------------------------------------------------------------------------


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


_INDICATOR_ONLY: Final = _known_headers(_INDICATOR_COLUMNS) - _known_headers(_BUDGET_COLUMNS)
_BUDGET_ONLY: Final = _known_headers(_BUDGET_COLUMNS) - _known_headers(_INDICATOR_COLUMNS)
_CSV_KNOWN: Final = _known_headers((*_INDICATOR_COLUMNS, *_BUDGET_COLUMNS)) | {_SECTION_COLUMN}


def _decode_csv(data: bytes) -> str:
    """UTF-8 (Excel's "CSV UTF-8", BOM or not), else Windows-1252 (Excel's plain "CSV")."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise SheetError([SheetProblem(SheetIssue.CSV_ENCODING, {})]) from None


def read_csv(data: bytes, *, limits: SheetLimits | None = None) -> SheetData:
    """Parses one CSV upload; raises SheetError.

    The header row decides what the file is: a `bagian` column is the one-file form
    (both sections); otherwise the Indikator sheet or the Anggaran sheet as Excel saved
    it, returned with the other section empty (`SheetData.waiting_for`).
    """
    limits = limits or SheetLimits()
    if len(data) > limits.max_file_bytes:
        raise SheetError([_too_big(len(data), limits)])
    text = _decode_csv(data)
    if "\x00" in text:
        raise SheetError([SheetProblem(SheetIssue.CSV_BINARY, {})])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))

    def numbered() -> Iterator[Row]:
        try:
            for cells in reader:
                yield reader.line_num, cells
        except csv.Error as exc:
            raise SheetError(
                [
                    SheetProblem(
                        SheetIssue.CSV_UNREADABLE, {"row": reader.line_num, "detail": str(exc)}
                    )
                ]
            ) from exc

    rows = numbered()
    try:
        header = _split_header(rows, limits.max_rows, _CSV_KNOWN)
        if header is None:
            raise SheetError([SheetProblem(SheetIssue.CSV_EMPTY, {})])
        names = {_normalize_header(h) for h in header[1]}
        if _SECTION_COLUMN in names:
            return _read_csv_sections(header, rows, limits)
        return _read_csv_sheet(header, names, rows, limits)
    except _TooManyRows:
        raise SheetError(
            [SheetProblem(SheetIssue.TOO_MANY_ROWS, {"sheet": _CSV, "limit": 2 * limits.max_rows})]
        ) from None


def _read_csv_sheet(
    header: tuple[int, Sequence[Any]],
    names: set[str],
    rows: Iterator[Row],
    limits: SheetLimits,
) -> SheetData:
    """One sheet of the template saved as CSV, told apart by the columns it names."""
    header_row, header_cells = header
    is_indicator, is_budget = bool(names & _INDICATOR_ONLY), bool(names & _BUDGET_ONLY)
    if is_indicator == is_budget:
        raise SheetError(
            [
                SheetProblem(
                    SheetIssue.CSV_NOT_A_SHEET,
                    {"row": header_row, "indicators": INDIKATOR, "budget": ANGGARAN},
                )
            ]
        )
    problems: list[SheetProblem] = []
    specs = _INDICATOR_COLUMNS if is_indicator else _BUDGET_COLUMNS
    name = INDIKATOR if is_indicator else ANGGARAN
    section = _map_header(name, header_row, header_cells, specs, problems)
    if section is None:
        raise SheetError(problems)
    data_rows = _data_rows(rows, 2 * limits.max_rows)
    if is_indicator:
        sheet = SheetData(tuple(_read_indicators(section, data_rows)), ())
    else:
        sheet = SheetData((), tuple(_read_budget(section, data_rows)))
    if problems:
        raise SheetError(problems)
    return sheet


def _read_csv_sections(
    header: tuple[int, Sequence[Any]], rows: Iterator[Row], limits: SheetLimits
) -> SheetData:
    """The one-file form: a `bagian` column names each row's section."""
    header_row, header_cells = header
    problems: list[SheetProblem] = []
    indicator_section = _map_header(
        INDIKATOR, header_row, header_cells, _INDICATOR_COLUMNS, problems
    )
    budget_section = _map_header(ANGGARAN, header_row, header_cells, _BUDGET_COLUMNS, problems)
    section_index = {_normalize_header(h): i for i, h in enumerate(header_cells)}[_SECTION_COLUMN]
    by_section: dict[str, list[Row]] = {INDIKATOR: [], ANGGARAN: []}
    for row_no, cells in _data_rows(rows, 2 * limits.max_rows):
        raw = _text(cells[section_index]) if section_index < len(cells) else ""
        match = next((s for s in by_section if s.casefold() == raw.casefold()), None)
        if match is None:
            problems.append(
                _cell_problem(
                    _CSV,
                    row_no,
                    _SECTION_COLUMN,
                    SheetIssue.CSV_SECTION,
                    indicators=INDIKATOR,
                    budget=ANGGARAN,
                    value=raw,
                )
                if raw
                else _cell_problem(_CSV, row_no, _SECTION_COLUMN, SheetIssue.EMPTY)
            )
            continue
        by_section[match].append((row_no, cells))
    indicators = (
        _read_indicators(indicator_section, by_section[INDIKATOR]) if indicator_section else []
    )
    budget = _read_budget(budget_section, by_section[ANGGARAN]) if budget_section else []
    if problems:
        raise SheetError(problems)
    return SheetData(tuple(indicators), tuple(budget))


def read_sheet(data: bytes, filename: str, *, limits: SheetLimits | None = None) -> SheetData:
    """Dispatches on the file name's extension, which is all Telegram tells us reliably."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx(data, limits=limits)
    if suffix == ".csv":
        return read_csv(data, limits=limits)
    raise SheetError([SheetProblem(SheetIssue.UNSUPPORTED_FORMAT, {"format": suffix or filename})])


# --- writing -------------------------------------------------------------------------------

_GUIDE: Final = (
    "Petunjuk pengisian data capaian kinerja",
    "",
    "Lembar Indikator: satu baris per indikator kinerja.",
    "- Sasaran Strategis boleh dikosongkan bila sama dengan baris di atasnya.",
    "- Target Triwulan adalah target periode laporan; capaian dihitung terhadapnya.",
    '- Realisasi dikosongkan bila datanya belum ada (capaian ditulis "-").',
    '- Arah: "naik" bila semakin tinggi semakin baik, "turun" bila semakin rendah '
    'semakin baik (misalnya angka kematian). Kosong berarti "naik".',
    "",
    "Lembar Anggaran: satu baris per program/kegiatan, pagu dan realisasi dalam rupiah penuh.",
    "",
    "Angka boleh ditulis cara Indonesia: 1.234.567 atau 95,5. Target tidak boleh negatif.",
    "Jangan mengganti nama lembar atau judul kolom. Hapus baris contoh sebelum mengirim.",
    "",
    "Bila disimpan sebagai CSV, Excel hanya menyimpan lembar yang sedang dibuka: simpan",
    "lembar Indikator dan lembar Anggaran masing-masing sebagai file CSV, lalu kirim keduanya.",
)


def _new_workbook() -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    header_font = Font(name="Arial", bold=True)
    fill = PatternFill("solid", fgColor="D9E2F3")
    indicator_sheet = workbook.active
    indicator_sheet.title = INDIKATOR
    budget_sheet = workbook.create_sheet(ANGGARAN)
    widths = {
        INDIKATOR: (36, 44, 14, 14, 14, 12, 16, 30),
        ANGGARAN: (52, 20, 20),
    }
    for sheet, specs in ((indicator_sheet, _INDICATOR_COLUMNS), (budget_sheet, _BUDGET_COLUMNS)):
        sheet.append([spec.header for spec in specs])
        for index, width in enumerate(widths[sheet.title]):
            letter = _column_letter(index)
            sheet.column_dimensions[letter].width = width
            cell = sheet[f"{letter}1"]
            cell.font = header_font
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.freeze_panes = "A2"
    arah = DataValidation(type="list", formula1='"naik,turun"', allow_blank=True)
    arah.error = 'Tulis "naik" atau "turun"'
    indicator_sheet.add_data_validation(arah)
    arah.add(f"G2:G{SheetLimits().max_rows}")
    guide = workbook.create_sheet(PETUNJUK)
    guide.column_dimensions["A"].width = 100
    for line in _GUIDE:
        guide.append([line])
    guide["A1"].font = header_font
    return workbook


def _number_cell(value: Decimal | None) -> int | float | None:
    # Stored as numbers (not text) so Excel shows them in the user's own locale.
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def write_sheet(
    path: Path | str, indicators: Sequence[IndicatorRow], budget: Sequence[BudgetRow]
) -> None:
    """Writes data in the upload format (the demo file, test fixtures, benchmarks)."""
    _filled_workbook(indicators, budget).save(str(path))


def sheet_workbook(sheet: SheetData) -> bytes:
    """`sheet` as one .xlsx in the upload format: Excel's two CSV files, kept as one sheet."""
    out = io.BytesIO()
    _filled_workbook(sheet.indicators, sheet.budget).save(out)
    return out.getvalue()


def _filled_workbook(indicators: Sequence[IndicatorRow], budget: Sequence[BudgetRow]) -> Any:
    workbook = _new_workbook()
    indicator_sheet = workbook[INDIKATOR]
    previous = None
    for row in indicators:
        indicator_sheet.append(
            [
                "" if row.sasaran_strategis == previous else row.sasaran_strategis,
                row.indikator,
                row.satuan,
                _number_cell(row.target_tahunan),
                _number_cell(row.target_triwulan),
                _number_cell(row.realisasi),
                "naik" if row.higher_is_better else "turun",
                row.keterangan or None,
            ]
        )
        previous = row.sasaran_strategis
    budget_sheet = workbook[ANGGARAN]
    for b in budget:
        budget_sheet.append([b.program_kegiatan, b.pagu, b.realisasi])
        for column in ("B", "C"):
            budget_sheet[f"{column}{budget_sheet.max_row}"].number_format = "#,##0"
    return workbook


_EXAMPLE_INDICATOR: Final = IndicatorRow(
    sasaran_strategis="Meningkatnya derajat kesehatan masyarakat",
    indikator="Angka Kematian Ibu (per 100.000 kelahiran hidup)",
    satuan="per 100.000 KH",
    target_tahunan=Decimal(90),
    target_triwulan=Decimal(90),
    realisasi=Decimal(85),
    higher_is_better=False,
    keterangan="Contoh: hapus baris ini",
)
_EXAMPLE_BUDGET: Final = BudgetRow(
    "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
    1_250_000_000,
    512_345_000,
)


def write_sheet_template(path: Path | str) -> None:
    """The blank template users download: headers, one example row per sheet, a guide."""
    write_sheet(path, [_EXAMPLE_INDICATOR], [_EXAMPLE_BUDGET])
