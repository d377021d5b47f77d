"""Is an uploaded file what it claims to be, and safe to keep? (pure, no I/O)

Users send files from phones: names carry anything, extensions lie, and an Office file is
a zip that can be a bomb. We judge the bytes, not the name; the name is only shown, never
used as a path.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

MAX_DOWNLOAD_BYTES = 20_000_000  # the Bot API's getFile limit
MAX_UNCOMPRESSED_BYTES = 200_000_000
MAX_ZIP_ENTRIES = 5_000
MAX_NAME_LENGTH = 120

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_BY_KIND = {
    "docx": DOCX_MIME,
    "xlsx": XLSX_MIME,
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "csv": "text/csv",
}

DRAFT_KINDS = ("docx", "pdf")
CONVERTIBLE_KINDS = ("doc", "odt")
PROOF_KINDS = ("jpeg", "png", "pdf", "docx")
SHEET_KINDS = ("xlsx", "csv")


@dataclass(frozen=True, slots=True)
class Verdict:
    ok: bool
    kind: str | None  # what the bytes are
    problem: str | None = None  # catalogue key under "file." when not ok
    needs_conversion: bool = False


def safe_filename(name: str | None, fallback: str = "berkas") -> str:
    """A display name without folders, control characters or absurd length."""
    raw = name or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    cleaned = "".join(
        ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '<>:"/\\|?*'
    ).strip(" .")
    if not cleaned:
        return fallback
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and len(ext) <= 8:
            cleaned = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            cleaned = cleaned[:MAX_NAME_LENGTH]
    return cleaned


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def sniff(data: bytes) -> str | None:
    """What the bytes are, by their content."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"  # OLE2: legacy Word (or Excel); the extension decides below
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").startswith(
                b"application/vnd.oasis.opendocument.text"
            ):
                return "odt"
            return "zip"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None


def zip_bomb(data: bytes) -> bool:
    """True when an Office zip would unpack beyond our limits (or cannot be read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return True
    if len(infos) > MAX_ZIP_ENTRIES:
        return True
    return sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES


def judge(
    name: str, data: bytes, allowed: tuple[str, ...], *, can_convert: bool = False
) -> Verdict:
    """Accept `data` only if its content is one of `allowed` and agrees with its name."""
    if not data:
        return Verdict(False, None, "empty")
    kind = sniff(data)
    ext = extension(name)
    if kind in ("docx", "xlsx", "odt") and zip_bomb(data):
        return Verdict(False, kind, "unsafe")
    if kind == "doc" and ext not in ("doc",):
        kind = None  # an OLE2 file that is not a .doc (e.g. .xls)
    if kind is None or kind == "zip":
        if ext == "csv" and "csv" in allowed and _looks_like_text(data):
            return Verdict(True, "csv")
        claims_known_type = ext in {*MIME_BY_KIND, "jpg"}
        return Verdict(False, None, "not_what_it_claims" if claims_known_type else "type_refused")
    expected_ext = {"jpeg": ("jpg", "jpeg")}.get(kind, (kind,))
    if ext and ext not in expected_ext:
        return Verdict(False, kind, "not_what_it_claims")
    if kind in allowed:
        return Verdict(True, kind)
    if kind in CONVERTIBLE_KINDS and "docx" in allowed:
        if can_convert:
            return Verdict(True, kind, needs_conversion=True)
        return Verdict(False, kind, "cannot_convert")
    return Verdict(False, kind, "type_refused")


def _looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    try:
        sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            sample.decode("cp1252")
        except UnicodeDecodeError:
            return False
    return b"\x00" not in sample
