"""The `[documents]` table: defaults, overrides, and every mistake at once."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from bot.documents.kop import KopSettings
from bot.documents.predikat import DEFAULT_BANDS
from bot.documents.render import TEMPLATE_DIR, TEMPLATE_FILES
from bot.documents.rules import CapaianRules, TargetZeroRule
from bot.documents.settings import DocumentSettings, DocumentSettingsError


def test_defaults() -> None:
    settings = DocumentSettings.from_mapping({})
    assert settings == DocumentSettings()
    assert settings.rules.bands is DEFAULT_BANDS and settings.template_dir == TEMPLATE_DIR
    assert settings.rules == CapaianRules(DEFAULT_BANDS, TargetZeroRule.BINER, None)
    assert (settings.pdf, settings.pdf_max_parallel, settings.pdf_timeout_seconds) == (
        True,
        2,
        120.0,
    )


def test_overrides_with_a_relative_template_folder(tmp_path: Path) -> None:
    folder = tmp_path / "templat"
    folder.mkdir()
    for name in TEMPLATE_FILES.values():
        shutil.copy(TEMPLATE_DIR / name, folder / name)
    settings = DocumentSettings.from_mapping(
        {
            "templates": "templat",
            "pdf": False,
            "pdf_max_parallel": 1,
            "pdf_timeout_seconds": 60,
            "predikat": {"Tinggi": ">=80", "Sedang": "60-79", "Rendah": "<=59"},
            "target_nol": "tidak_diukur",
            "batas_rata_rata": 100,
        },
        base_dir=tmp_path,
    )
    assert settings.template_dir == folder
    assert (settings.pdf, settings.pdf_max_parallel, settings.pdf_timeout_seconds) == (
        False,
        1,
        60.0,
    )
    assert settings.rules.bands.predikat(Decimal("79.5")) == "Sedang"
    assert settings.rules.target_zero is TargetZeroRule.TIDAK_DIUKUR
    assert settings.rules.average_cap == Decimal(100)


def test_every_mistake_at_once(tmp_path: Path) -> None:
    (tmp_path / "setengah").mkdir()
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping(
            {
                "templat": "x",
                "templates": "setengah",
                "pdf": "ya",
                "pdf_max_parallel": 0,
                "pdf_timeout_seconds": True,
                "predikat": {"Baik": "baik sekali", "Buruk": "<=50"},
                "target_nol": "nol",
                "batas_rata_rata": 99.5,
            },
            base_dir=tmp_path,
        )
    assert info.value.problems == (
        "documents.templat: unknown key; did you mean 'templates'?",
        'documents.predikat "Baik": "baik sekali" tidak dapat dibaca; tulis seperti "76-90", '
        '">=91", "<=50" atau satu angka batas bawah',
        f"documents.templates: {tmp_path / 'setengah'} tidak berisi laporan_kinerja.docx, "
        "lembar_disposisi.docx, lembar_pengesahan.docx",
        "documents.pdf: harus true atau false",
        "documents.pdf_max_parallel: harus bilangan bulat 1 sampai 8",
        "documents.pdf_timeout_seconds: harus angka 10 sampai 600",
        'documents.target_nol: harus "biner" atau "tidak_diukur"',
        "documents.batas_rata_rata: harus angka 100 sampai 1000 (persen)",
    )


@pytest.mark.parametrize("value", [True, "100", [100], 1001])
def test_average_cap_must_be_a_percentage_from_100(value: object) -> None:
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping({"batas_rata_rata": value})
    assert info.value.problems == (
        "documents.batas_rata_rata: harus angka 100 sampai 1000 (persen)",
    )


@pytest.mark.parametrize("value", [1, ["biner"], "Biner"])
def test_target_zero_rule_must_be_one_of_the_two(value: object) -> None:
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping({"target_nol": value})
    assert info.value.problems == ('documents.target_nol: harus "biner" atau "tidak_diukur"',)


def test_missing_template_folder(tmp_path: Path) -> None:
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping({"templates": "tidak-ada"}, base_dir=tmp_path)
    assert info.value.problems == (
        f"documents.templates: folder {tmp_path / 'tidak-ada'} tidak ada",
    )


def test_kop_lines() -> None:
    settings = DocumentSettings.from_mapping(
        {
            "kop": {
                "telepon": " (0265) 771234 ",
                "pos_el": "disdukcapil@sukamajukab.go.id",
                "laman": "disdukcapil.sukamajukab.go.id",
                "nama_baris": ["Dinas Pemberdayaan Perempuan,", "Perlindungan Anak dan KB"],
            }
        }
    )
    assert settings.kop == KopSettings(
        name_lines=("Dinas Pemberdayaan Perempuan,", "Perlindungan Anak dan KB"),
        telephone="(0265) 771234",
        email="disdukcapil@sukamajukab.go.id",
        website="disdukcapil.sukamajukab.go.id",
    )
    assert DocumentSettings.from_mapping({}).kop == KopSettings()


def test_kop_mistakes() -> None:
    too_long = "DINAS PEMBERDAYAAN PEREMPUAN, PERLINDUNGAN ANAK, PENGENDALIAN PENDUDUK"
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping(
            {"kop": {"telpon": "1", "laman": 5, "nama_baris": ["DINAS X", too_long]}}
        )
    assert info.value.problems == (
        "documents.kop.telpon: unknown key; did you mean 'telepon'?",
        "documents.kop.laman: harus teks",
        f'documents.kop.nama_baris: baris "{too_long}" terlalu panjang untuk satu baris kop '
        "(huruf 12 pt); pecah menjadi dua baris",
    )
    with pytest.raises(DocumentSettingsError) as info:
        DocumentSettings.from_mapping({"kop": {"nama_baris": "DINAS X"}})
    assert info.value.problems == (
        "documents.kop.nama_baris: harus daftar baris teks yang tidak kosong",
    )


def test_approval_wording() -> None:
    wording = "Disetujui melalui @DinkesSukamajuBot pada {waktu}"
    assert DocumentSettings.from_mapping({"persetujuan": wording}).approval_wording == wording
    assert DocumentSettings().approval_wording == (
        "Disetujui secara elektronik melalui aplikasi SOP Bot pada {waktu}"
    )
    for bad in ("Ditandatangani secara elektronik", "{waktu} {waktu}", 5):
        with pytest.raises(DocumentSettingsError) as info:
            DocumentSettings.from_mapping({"persetujuan": bad})
        assert info.value.problems == (
            'documents.persetujuan: harus teks dengan satu "{waktu}", misalnya '
            '"Disetujui secara elektronik melalui @NamaBot pada {waktu}"',
        )
