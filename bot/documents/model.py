"""The inputs of the documents: plain frozen dataclasses, no workflow types.

The documents know nothing of cases, tasks or the database. Whoever renders a document
maps the workflow's state onto these objects first, so the templates can be tested (and
restyled by an agency) with hand-written fixtures, and the workflow can change shape
without touching a template.

All instants are aware datetimes (stored as UTC); each document carries the agency's
zone and converts only when it formats, as `bot.views.fmt` does.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from bot.documents.rules import DEFAULT_RULES, CapaianRules
from bot.views.fmt import roman


def _require_aware(name: str, value: dt.datetime) -> None:
    # A naive time would be shown hours off in the signed paper trail; fail at construction.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value.isoformat()}")


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The kop surat: who issues the document and where it is signed."""

    region: str  # "Kabupaten Sleman": printed as "PEMERINTAH KABUPATEN SLEMAN"
    agency: str  # "Dinas Kesehatan"
    address: str  # "Jalan Magelang Km 10, Sleman 55513"
    city: str  # the place of signing: "Sleman"
    logo: Path | None = None  # PNG/JPEG of the region's coat of arms
    telephone: str = ""  # "(0274) 868409"
    fax: str = ""
    email: str = ""  # printed as "Pos-el ..."
    website: str = ""  # printed as "Laman ..."
    name_lines: tuple[str, ...] = ()  # the agency's name broken exactly here, if too long


@dataclass(frozen=True, slots=True)
class Signatory:
    name: str  # with academic titles, as signed: "dr. Cahya Purnama, M.Kes."
    pangkat: str  # rank and grade: "Pembina Utama Muda (IV/c)"
    nip: str  # "19700101 199503 1 001"
    jabatan: str  # "Kepala Dinas Kesehatan"
    acting: str = ""  # "Plh." or "Plt." when a stand-in signs for the holder of `jabatan`

    @property
    def title(self) -> str:
        """The position as printed under the signature: "Plh. Kepala Dinas Kesehatan"."""
        return f"{self.acting} {self.jabatan}" if self.acting else self.jabatan


class Urgency(enum.StrEnum):
    """The "sifat" boxes of a disposition sheet; `BIASA` ticks none of them."""

    SANGAT_SEGERA = "Sangat Segera"
    SEGERA = "Segera"
    RAHASIA = "Rahasia"
    BIASA = "Biasa"


@dataclass(frozen=True, slots=True)
class IncomingLetter:
    """The letter a disposition is written on (the "SOP Surat Masuk" side)."""

    sender: str
    number: str
    date: dt.date | None  # None: not recorded with the letter; the sheet prints "-"
    date_received: dt.date | None
    agenda_number: str
    urgency: Urgency
    subject: str


@dataclass(frozen=True, slots=True)
class Disposition:
    instruction: str
    note: str
    to: tuple[str, ...]  # names and/or jabatan, in the order the Kadin listed them
    at: dt.datetime
    by: Signatory
    due: dt.date | None = None  # "batas waktu", as SRIKANDI dispositions carry one

    def __post_init__(self) -> None:
        _require_aware("Disposition.at", self.at)


@dataclass(frozen=True, slots=True)
class ParafEntry:
    order: int  # 1, 2, ...: rank order in which the initials were given
    name: str
    jabatan: str
    at: dt.datetime
    step_title: str  # printed under the initials: the step's short name
    nip: str = ""  # "19750612 200003 1 006"; "" when the config has none

    def __post_init__(self) -> None:
        _require_aware("ParafEntry.at", self.at)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """One line of the performance agreement with this period's realisation.

    Capaian is measured against `target_triwulan` (the period's target); the annual
    target is shown for context. `realisasi` is None until the data is in.
    """

    sasaran_strategis: str
    indikator: str
    satuan: str
    target_tahunan: Decimal
    target_triwulan: Decimal
    realisasi: Decimal | None
    higher_is_better: bool = True
    keterangan: str = ""


@dataclass(frozen=True, slots=True)
class BudgetRow:
    program_kegiatan: str
    pagu: int  # whole rupiah
    realisasi: int


class PeriodKind(enum.StrEnum):
    TRIWULAN = "triwulan"
    SEMESTER = "semester"


_PERIOD_KEYS = {PeriodKind.TRIWULAN: ("TW", 4), PeriodKind.SEMESTER: ("S", 2)}


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    label: str  # "Triwulan II"
    kind: PeriodKind
    number: int  # 2
    year: int

    def __post_init__(self) -> None:
        _, count = _PERIOD_KEYS[self.kind]
        if not 1 <= self.number <= count:
            raise ValueError(f"{self.kind} {self.number} does not exist (1..{count})")

    @classmethod
    def of(cls, kind: PeriodKind | str, number: int, year: int) -> ReportPeriod:
        """Builds the label the way the SOP file writes it ("Semester I")."""
        k = PeriodKind(kind)
        return cls(f"{k.value.capitalize()} {roman(number)}", k, number, year)

    @property
    def key(self) -> str:
        """ "TW2" / "S1": the SOP file's period key, also used in file names."""
        prefix, _ = _PERIOD_KEYS[self.kind]
        return f"{prefix}{self.number}"

    @property
    def title(self) -> str:
        """ "TRIWULAN II TAHUN 2026", as the cover prints it."""
        return f"{self.label.upper()} TAHUN {self.year}"


@dataclass(frozen=True, slots=True)
class ReportNarrative:
    """The prose the Tim SAKIP writes. Blank lines separate paragraphs.

    Empty fields print a visible placeholder in the draft rather than an empty
    chapter, so nobody signs a report with a silently missing section.
    """

    latar_belakang: str = ""
    isu_strategis: str = ""
    perencanaan: str = ""
    analisis: str = ""
    hambatan: str = ""
    upaya: str = ""
    rencana: str = ""
    penutup: str = ""


# --- one context per document -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DispositionSheet:
    letterhead: Letterhead
    letter: IncomingLetter
    disposition: Disposition
    tz: ZoneInfo


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    letterhead: Letterhead
    period: ReportPeriod
    kadin: Signatory
    date: dt.date  # the foreword's date
    indicators: tuple[IndicatorRow, ...]
    budget: tuple[BudgetRow, ...]
    narrative: ReportNarrative = field(default_factory=ReportNarrative)
    rules: CapaianRules = DEFAULT_RULES


DEFAULT_APPROVAL_WORDING: Final = (
    "Disetujui secara elektronik melalui aplikasi SOP Bot pada {waktu}"
)
"""`{waktu}` becomes "Jumat, 10 Juli 2026, 10.15 WIB"; `[documents] persetujuan` overrides."""


@dataclass(frozen=True, slots=True)
class ApprovalSheet:
    """The lembar pengesahan appended to the signed draft.

    `verification_code` is computed by the caller with `verification_code()` (it is
    also what the bot stores to look the case up later); the sheet only prints it.
    """

    letterhead: Letterhead
    period: ReportPeriod
    document_title: str  # "Laporan Kinerja Triwulan II Tahun 2026"
    case_code: str  # "LKT-2026-TW2"
    paraf: tuple[ParafEntry, ...]
    kadin: Signatory
    signed_at: dt.datetime
    verification_code: str
    draft_sha256: str
    tz: ZoneInfo
    draft_version: int | None = None
    # What the approval is, said plainly: not a certified electronic signature (TTE).
    approval_wording: str = DEFAULT_APPROVAL_WORDING
    # The bot's deep link for this code, printed as a QR (None: the bot's name unknown).
    verification_link: str | None = None

    def __post_init__(self) -> None:
        _require_aware("ApprovalSheet.signed_at", self.signed_at)
