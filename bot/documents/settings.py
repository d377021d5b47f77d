"""The `[documents]` table of config.toml, validated by the module that uses it.

`bot.config` passes the table through untouched (it does not know our keys); this reads
it (`document_settings`) into `DocumentSettings` and the data role, and reports every
mistake at once, each prefixed with its key
path, in the same spirit as the rest of the configuration:

    [documents]
    templates = "templat"          # a folder of restyled .docx templates (optional)
    pdf = true                     # false: send .docx only even where LibreOffice exists
    pdf_max_parallel = 2
    pdf_timeout_seconds = 120
    target_nol = "biner"           # or "tidak_diukur": a (↓) indicator with target 0
    batas_rata_rata = 100          # optional: cap each capaian at 100 % in the average
    persetujuan = "Disetujui secara elektronik melalui @DinkesBot pada {waktu}"
    data_role = "tim_sakip"        # the SOP role that uploads indicator sheets
    ambang_kepatuhan = 80          # % of a step's runs within its time standard for
                                   # "berjalan dengan baik" in the compliance report

    [documents.kop]                # the letterhead's lines besides [agency] (all optional)
    telepon = "(0265) 771234"
    faksimile = "(0265) 771235"
    pos_el = "disdukcapil@sukamajukab.go.id"
    laman = "disdukcapil.sukamajukab.go.id"
    nama_baris = ["DINAS PEMBERDAYAAN PEREMPUAN,", "PERLINDUNGAN ANAK DAN KELUARGA BERENCANA"]

    [documents.predikat]           # rating bands; the region's own if they differ
    "Sangat Baik" = "91-100"
    "Baik" = "76-90"
    "Cukup" = "66-75"
    "Kurang" = "51-65"
    "Sangat Kurang" = "<=50"
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from bot.config import Config
from bot.config.fields import Fields, boolean, is_slug, whole_number
from bot.core.sop import Sop
from bot.documents.kop import (
    AGENCY_MIN_PT,
    NO_KOP,
    TEXT_WIDTH_PT,
    KopSettings,
    text_width_pt,
)
from bot.documents.model import DEFAULT_APPROVAL_WORDING
from bot.documents.predikat import DEFAULT_BANDS, PredikatBands, PredikatBandsError
from bot.documents.render import TEMPLATE_DIR, TEMPLATE_FILES
from bot.documents.rules import DEFAULT_RULES, CapaianRules, TargetZeroRule

__all__ = ["DocumentSettings", "DocumentSettingsError", "document_settings"]

DEFAULT_DATA_ROLE: Final = "tim_sakip"
DEFAULT_COMPLIANCE_THRESHOLD: Final = 80
_DATA_ROLE_KEY: Final = "data_role"

_KEYS: Final = (
    "templates",
    "pdf",
    "pdf_max_parallel",
    "pdf_timeout_seconds",
    "predikat",
    "target_nol",
    "batas_rata_rata",
    "kop",
    "persetujuan",
    "ambang_kepatuhan",
)
_KOP_TEXT_KEYS: Final = {
    "telepon": "telephone",
    "faksimile": "fax",
    "pos_el": "email",
    "laman": "website",
}
_KOP_KEYS: Final = (*_KOP_TEXT_KEYS, "nama_baris")


class DocumentSettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    rules: CapaianRules = DEFAULT_RULES
    kop: KopSettings = NO_KOP
    approval_wording: str = DEFAULT_APPROVAL_WORDING
    template_dir: Path = TEMPLATE_DIR
    pdf: bool = True
    pdf_max_parallel: int = 2
    pdf_timeout_seconds: float = 120.0
    compliance_threshold: int = DEFAULT_COMPLIANCE_THRESHOLD  # percent, /kepatuhan

    @classmethod
    def from_mapping(
        cls, table: Mapping[str, Any], base_dir: Path | None = None
    ) -> DocumentSettings:
        """`base_dir` is the config file's folder: relative paths are resolved there."""
        problems: list[str] = []
        Fields(problems).unknown_keys(table, "documents", _KEYS)

        bands = DEFAULT_BANDS
        if "predikat" in table:
            try:
                bands = PredikatBands.from_mapping(table["predikat"])
            except PredikatBandsError as exc:
                problems.extend(f"documents.{p}" for p in exc.problems)

        template_dir = TEMPLATE_DIR
        if "templates" in table:
            raw = table["templates"]
            if not isinstance(raw, str) or not raw.strip():
                problems.append("documents.templates: harus nama folder (teks)")
            else:
                path = Path(raw).expanduser()
                if not path.is_absolute() and base_dir is not None:
                    path = base_dir / path
                missing = [n for n in sorted(TEMPLATE_FILES.values()) if not (path / n).is_file()]
                if not path.is_dir():
                    problems.append(f"documents.templates: folder {path} tidak ada")
                elif missing:
                    problems.append(
                        f"documents.templates: {path} tidak berisi {', '.join(missing)}"
                    )
                else:
                    template_dir = path

        pdf = boolean(table.get("pdf", True))
        if pdf is None:
            problems.append("documents.pdf: harus true atau false")
            pdf = True

        parallel = whole_number(table.get("pdf_max_parallel", 2), 1, 8)
        if parallel is None:
            problems.append("documents.pdf_max_parallel: harus bilangan bulat 1 sampai 8")
            parallel = 2

        timeout = table.get("pdf_timeout_seconds", 120)
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 10 <= timeout <= 600
        ):
            problems.append("documents.pdf_timeout_seconds: harus angka 10 sampai 600")
            timeout = 120

        target_zero = TargetZeroRule.BINER
        if "target_nol" in table:
            raw_rule = table["target_nol"]
            if isinstance(raw_rule, str) and raw_rule in set(TargetZeroRule):
                target_zero = TargetZeroRule(raw_rule)
            else:
                choices = " atau ".join(f'"{r.value}"' for r in TargetZeroRule)
                problems.append(f"documents.target_nol: harus {choices}")

        average_cap: Decimal | None = None
        if "batas_rata_rata" in table:
            cap = table["batas_rata_rata"]
            if isinstance(cap, bool) or not isinstance(cap, int | float) or not 100 <= cap <= 1000:
                problems.append("documents.batas_rata_rata: harus angka 100 sampai 1000 (persen)")
            else:
                average_cap = Decimal(str(cap))

        kop = _kop(table.get("kop", {}), problems)

        wording = table.get("persetujuan", DEFAULT_APPROVAL_WORDING)
        if not isinstance(wording, str) or wording.count("{waktu}") != 1:
            problems.append(
                'documents.persetujuan: harus teks dengan satu "{waktu}", misalnya '
                '"Disetujui secara elektronik melalui @NamaBot pada {waktu}"'
            )
            wording = DEFAULT_APPROVAL_WORDING

        threshold = whole_number(
            table.get("ambang_kepatuhan", DEFAULT_COMPLIANCE_THRESHOLD), 1, 100
        )
        if threshold is None:
            problems.append(
                "documents.ambang_kepatuhan: harus bilangan bulat 1 sampai 100 (persen)"
            )
            threshold = DEFAULT_COMPLIANCE_THRESHOLD

        if problems:
            raise DocumentSettingsError(problems)
        rules = CapaianRules(bands, target_zero, average_cap)
        return cls(
            rules, kop, wording.strip(), template_dir, pdf, parallel, float(timeout), threshold
        )


def _kop(table: object, problems: list[str]) -> KopSettings:
    """`[documents.kop]`; each `nama_baris` line must fit the kop at the smallest size."""
    if not isinstance(table, Mapping):
        problems.append(
            "documents.kop: harus tabel (telepon, faksimile, pos_el, laman, nama_baris)"
        )
        return KopSettings()
    Fields(problems).unknown_keys(table, "documents.kop", _KOP_KEYS)
    texts: dict[str, str] = {}
    for key, field in _KOP_TEXT_KEYS.items():
        value = table.get(key, "")
        if not isinstance(value, str):
            problems.append(f"documents.kop.{key}: harus teks")
        else:
            texts[field] = value.strip()
    lines: tuple[str, ...] = ()
    raw = table.get("nama_baris", [])
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        problems.append("documents.kop.nama_baris: harus daftar baris teks yang tidak kosong")
    else:
        lines = tuple(x.strip() for x in raw)
        for line in lines:
            if text_width_pt(line.upper(), AGENCY_MIN_PT) > TEXT_WIDTH_PT:
                problems.append(
                    f'documents.kop.nama_baris: baris "{line}" terlalu panjang untuk satu baris '
                    f"kop (huruf {AGENCY_MIN_PT} pt); pecah menjadi dua baris"
                )
    return KopSettings(name_lines=lines, **texts)


def document_settings(
    config: Config, sops: Mapping[str, Sop]
) -> tuple[DocumentSettings | None, str, list[str]]:
    """The `[documents]` table: `DocumentSettings`, the role that uploads indicator
    sheets (`data_role`, checked against the SOPs when set), and every problem."""
    table = dict(config.documents)
    role = table.pop(_DATA_ROLE_KEY, DEFAULT_DATA_ROLE)
    problems: list[str] = []
    if not isinstance(role, str) or not is_slug(role):
        problems.append('documents.data_role: harus kunci peran SOP, misalnya "tim_sakip"')
        role = DEFAULT_DATA_ROLE
    elif _DATA_ROLE_KEY in config.documents and not any(role in s.roles for s in sops.values()):
        known = ", ".join(sorted({r for s in sops.values() for r in s.roles}))
        problems.append(
            f'documents.data_role: peran "{role}" tidak ada di SOP (yang ada: {known})'
        )
    try:
        settings: DocumentSettings | None = DocumentSettings.from_mapping(
            table, base_dir=config.source.parent
        )
    except DocumentSettingsError as exc:
        problems.extend(exc.problems)
        settings = None
    return settings, role, problems
