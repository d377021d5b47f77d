"""A realistic sample agency: the demo mode's documents, the template generator's sample
spreadsheet, the tests' fixtures and the benchmark all start from the same data.

The agency (Dinas Kesehatan Kabupaten Sukamaju) is invented; its indicators are the kind
a Dinas Kesehatan really reports, chosen to exercise every edge of the capaian rules:
lower-is-better indicators, a target of 0, a realisation not yet in, and one indicator
in each predikat band.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.documents.model import (
    ApprovalSheet,
    BudgetRow,
    Disposition,
    DispositionSheet,
    IncomingLetter,
    IndicatorRow,
    Letterhead,
    ParafEntry,
    PerformanceReport,
    PeriodKind,
    ReportNarrative,
    ReportPeriod,
    Signatory,
    Urgency,
)
from bot.documents.verification import verification_code

TZ = ZoneInfo("Asia/Jakarta")
AGENCY_SHORT = "Dinkes"
CASE_CODE = "LKT-2026-TW2"
DRAFT_SHA256 = "3f6c1b2a9d8e7f60514233a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"

LETTERHEAD = Letterhead(
    region="Kabupaten Sukamaju",
    agency="Dinas Kesehatan",
    address="Jalan Jenderal Sudirman Nomor 45, Sukamaju 40123",
    city="Sukamaju",
    telephone="(0265) 771234",
    email="dinkes@sukamajukab.go.id",
    website="dinkes.sukamajukab.go.id",
)

KADIN = Signatory(
    name="dr. Hj. Ratna Wulandari, M.Kes.",
    pangkat="Pembina Utama Muda (IV/c)",
    nip="19720315 199803 2 004",
    jabatan="Kepala Dinas Kesehatan",
)
SEKRETARIS = Signatory(
    name="Drs. Bambang Setiawan, M.M.",
    pangkat="Pembina Tingkat I (IV/b)",
    nip="19750612 200003 1 006",
    jabatan="Sekretaris Dinas Kesehatan",
)

PERIOD = ReportPeriod.of(PeriodKind.TRIWULAN, 2, 2026)

_HIGH = "Meningkatnya derajat kesehatan masyarakat"
_SERVICE = "Meningkatnya mutu dan akses pelayanan kesehatan"
_ENV = "Meningkatnya kualitas kesehatan lingkungan"


def _d(text: str) -> Decimal:
    return Decimal(text)


INDICATORS: tuple[IndicatorRow, ...] = (
    IndicatorRow(
        _HIGH,
        "Angka Kematian Ibu",
        "per 100.000 KH",
        _d("90"),
        _d("90"),
        _d("85"),
        higher_is_better=False,
    ),
    IndicatorRow(
        _HIGH,
        "Angka Kematian Bayi",
        "per 1.000 KH",
        _d("8"),
        _d("8"),
        _d("9.2"),
        higher_is_better=False,
    ),
    IndicatorRow(
        _HIGH,
        "Prevalensi balita stunting",
        "%",
        _d("14"),
        _d("14"),
        _d("16.1"),
        higher_is_better=False,
        keterangan="Hasil penimbangan serentak Juni",
    ),
    IndicatorRow(
        _HIGH,
        "Jumlah kejadian luar biasa (KLB) yang tidak tertangani",
        "kejadian",
        _d("0"),
        _d("0"),
        _d("0"),
        higher_is_better=False,
    ),
    IndicatorRow(
        _SERVICE, "Cakupan imunisasi dasar lengkap", "%", _d("95"), _d("47.5"), _d("44.2")
    ),
    IndicatorRow(
        _SERVICE, "Persentase puskesmas terakreditasi paripurna", "%", _d("60"), _d("60"), _d("45")
    ),
    IndicatorRow(
        _SERVICE,
        "Persentase fasilitas kesehatan yang menerapkan rekam medis elektronik",
        "%",
        _d("50"),
        _d("25"),
        _d("15"),
    ),
    IndicatorRow(
        _SERVICE,
        "Indeks Kepuasan Masyarakat terhadap layanan puskesmas",
        "nilai",
        _d("85"),
        _d("85"),
        None,
        keterangan="Survei dilaksanakan pada semester II",
    ),
    IndicatorRow(
        _ENV,
        "Persentase desa Stop Buang Air Besar Sembarangan (ODF)",
        "%",
        _d("70"),
        _d("35"),
        _d("16"),
    ),
)
"""Expected capaian: 105,56 / 85,00 / 85,00 / 100,00 (target 0 met; "-" under
`target_nol = "tidak_diukur"`) / 93,05 / 75,00 / 60,00 / - (belum ada realisasi) / 45,71:
every band from Sangat Baik to Sangat Kurang."""

BUDGET: tuple[BudgetRow, ...] = (
    BudgetRow(
        "Program Penunjang Urusan Pemerintahan Daerah Kabupaten/Kota",
        12_450_000_000,
        5_612_345_000,
    ),
    BudgetRow(
        "Program Pemenuhan Upaya Kesehatan Perorangan dan Upaya Kesehatan Masyarakat",
        38_750_000_000,
        14_205_750_500,
    ),
    BudgetRow(
        "Program Peningkatan Kapasitas Sumber Daya Manusia Kesehatan", 1_200_000_000, 310_500_000
    ),
    BudgetRow(
        "Program Sediaan Farmasi, Alat Kesehatan dan Makanan Minuman", 2_350_000_000, 1_175_000_000
    ),
    BudgetRow("Program Pemberdayaan Masyarakat Bidang Kesehatan", 850_000_000, 212_400_000),
)

NARRATIVE = ReportNarrative(
    latar_belakang=(
        "Dinas Kesehatan Kabupaten Sukamaju melaksanakan urusan pemerintahan bidang "
        "kesehatan dengan 25 puskesmas dan 2 rumah sakit umum daerah sebagai unit "
        "pelaksana teknis.\n\n"
        "Laporan ini menyajikan capaian kinerja triwulan II sebagai bahan evaluasi "
        "pelaksanaan Perjanjian Kinerja Tahun 2026."
    ),
    isu_strategis=(
        "Isu strategis yang dihadapi antara lain masih tingginya prevalensi stunting, "
        "belum meratanya akreditasi puskesmas, dan transformasi digital layanan kesehatan."
    ),
    perencanaan=(
        "Perjanjian Kinerja Tahun 2026 ditandatangani Kepala Dinas dan Bupati Sukamaju "
        "pada bulan Januari 2026 dengan sembilan indikator kinerja."
    ),
    analisis=(
        "Sebagian besar indikator telah mencapai target triwulan. Prevalensi stunting dan "
        "penerapan rekam medis elektronik masih memerlukan perhatian khusus."
    ),
    hambatan=(
        "Keterlambatan pengadaan perangkat rekam medis elektronik dan keterbatasan tenaga "
        "surveilans di puskesmas."
    ),
    upaya=(
        "Percepatan proses pengadaan bersama Bagian Pengadaan Barang/Jasa serta pelatihan "
        "petugas surveilans di 10 puskesmas."
    ),
    rencana=(
        "Pada triwulan III akan dilaksanakan survei kepuasan masyarakat dan pendampingan "
        "akreditasi bagi 8 puskesmas."
    ),
    penutup=(
        "Demikian laporan ini disusun sebagai bentuk pertanggungjawaban kinerja "
        "Dinas Kesehatan Kabupaten Sukamaju."
    ),
)


def report(
    indicators: tuple[IndicatorRow, ...] = INDICATORS,
    budget: tuple[BudgetRow, ...] = BUDGET,
    logo: Path | None = None,
) -> PerformanceReport:
    letterhead = LETTERHEAD if logo is None else _with_logo(logo)
    return PerformanceReport(
        letterhead=letterhead,
        period=PERIOD,
        kadin=KADIN,
        date=date(2026, 7, 8),
        indicators=indicators,
        budget=budget,
        narrative=NARRATIVE,
    )


def _with_logo(logo: Path) -> Letterhead:
    return replace(LETTERHEAD, logo=logo)


def disposition(logo: Path | None = None) -> DispositionSheet:
    letter = IncomingLetter(
        sender="Sekretariat Daerah Kabupaten Sukamaju (Bagian Organisasi)",
        number="700/1234/Org/2026",
        date=date(2026, 6, 22),
        date_received=date(2026, 6, 23),
        agenda_number="0456",
        urgency=Urgency.SEGERA,
        subject="Penyampaian Laporan Kinerja Triwulan II Tahun 2026",
    )
    return DispositionSheet(
        letterhead=LETTERHEAD if logo is None else _with_logo(logo),
        letter=letter,
        disposition=Disposition(
            instruction=(
                "Siapkan Laporan Kinerja Triwulan II sesuai format standar dan sampaikan "
                "kepada saya paling lambat tanggal 10 Juli 2026."
            ),
            note="Koordinasikan dengan para Kepala Bidang.",
            to=("Sekretaris Dinas selaku Sek. Tim SAKIP", "Ketua Tim SAKIP"),
            at=datetime(2026, 6, 23, 2, 30, tzinfo=UTC),
            by=KADIN,
            due=date(2026, 7, 10),
        ),
        tz=TZ,
    )


SIGNED_AT = datetime(2026, 7, 10, 3, 15, tzinfo=UTC)

# The step names are the shipped SOP's `short` names, as the approval sheet prints them.
PARAF: tuple[ParafEntry, ...] = (
    ParafEntry(
        1,
        SEKRETARIS.name,
        "Sekretaris Dinas (Sek. Tim SAKIP)",
        datetime(2026, 7, 8, 2, 5, tzinfo=UTC),
        "Paraf Sekretaris",
        nip=SEKRETARIS.nip,
    ),
    ParafEntry(
        2,
        "Ns. Sri Rahayu, S.Kep., M.Kes.",
        "Kepala Bidang Kesehatan Masyarakat",
        datetime(2026, 7, 8, 4, 40, tzinfo=UTC),
        "Pemeriksaan Kepala Bidang",
        nip="19780411 200312 2 005",
    ),
    ParafEntry(
        3,
        "dr. Andi Pratama",
        "Kepala Bidang Pelayanan Kesehatan",
        datetime(2026, 7, 9, 1, 20, tzinfo=UTC),
        "Pemeriksaan Kepala Bidang",
        nip="19800105 200604 1 011",
    ),
    ParafEntry(
        4,
        "Yusuf Hidayat, S.K.M., M.P.H.",
        "Kepala Bidang Pencegahan dan Pengendalian Penyakit",
        datetime(2026, 7, 9, 2, 0, tzinfo=UTC),
        "Pemeriksaan Kepala Bidang",
        nip="19761230 200212 1 004",
    ),
    ParafEntry(
        5,
        "apt. Dewi Lestari, S.Farm.",
        "Kepala Bidang Sumber Daya Kesehatan",
        datetime(2026, 7, 9, 3, 45, tzinfo=UTC),
        "Pemeriksaan Kepala Bidang",
        nip="19830922 200903 2 007",
    ),
    ParafEntry(
        6,
        SEKRETARIS.name,
        "Sekretaris Dinas (Sek. Tim SAKIP)",
        datetime(2026, 7, 9, 7, 30, tzinfo=UTC),
        "Paraf akhir Sekretaris",
        nip=SEKRETARIS.nip,
    ),
)


def approval(paraf: tuple[ParafEntry, ...] = PARAF) -> ApprovalSheet:
    return ApprovalSheet(
        letterhead=LETTERHEAD,
        period=PERIOD,
        document_title=f"Laporan Kinerja {PERIOD.label} Tahun {PERIOD.year}",
        case_code=CASE_CODE,
        paraf=paraf,
        kadin=KADIN,
        signed_at=SIGNED_AT,
        verification_code=verification_code(CASE_CODE, DRAFT_SHA256, SIGNED_AT),
        draft_sha256=DRAFT_SHA256,
        tz=TZ,
        draft_version=3,
    )
