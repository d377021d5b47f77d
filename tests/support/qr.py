"""Reading the QR printed on a PDF page as a phone would: rendered, then decoded.

poppler's `pdftoppm` renders the page to greyscale pixels and zxing-cpp (a reader
independent of segno, which drew the code) decodes them, so a test sees only what a
camera would.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy  # comes with matplotlib; zxing-cpp reads a numpy image
import zxingcpp
from pypdf import PdfReader

__all__ = ["QrCode", "can_render_pages", "qr_codes", "qr_texts", "text_tops"]


def can_render_pages() -> bool:
    return shutil.which("pdftoppm") is not None


@dataclass(frozen=True)
class QrCode:
    text: str
    top: float  # where the code starts, as a fraction of the page's height from its top
    bottom: float


def qr_texts(pdf: bytes, page: int, dpi: int = 150) -> list[str]:
    """The texts of every QR code on `page` (1-based) of `pdf`."""
    return [code.text for code in qr_codes(pdf, page, dpi)]


def qr_codes(pdf: bytes, page: int, dpi: int = 150) -> list[QrCode]:
    """Every QR code on `page` (1-based) of `pdf`, with where it is on the page."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "doc.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-gray",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(source),
                str(Path(folder) / "page"),
            ],
            check=True,
            timeout=60,
        )
        raw = (Path(folder) / "page.pgm").read_bytes()
    magic, size, depth, pixels = raw.split(b"\n", 3)
    assert magic == b"P5" and depth == b"255", "pdftoppm -gray writes 8-bit PGM"
    width, height = map(int, size.split())
    grey = numpy.frombuffer(pixels, dtype=numpy.uint8).reshape(height, width)
    image = zxingcpp.ImageView(grey, width, height, zxingcpp.ImageFormat.Lum)
    found = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    out = []
    for code in found:
        corners = code.position
        ys = [
            corners.top_left.y,
            corners.top_right.y,
            corners.bottom_left.y,
            corners.bottom_right.y,
        ]
        out.append(QrCode(code.text, min(ys) / height, max(ys) / height))
    return out


def text_tops(pdf: bytes, page: int, needle: str) -> list[float]:
    """Where each piece of text holding `needle` is printed on `page` (1-based), as a
    fraction of the page's height from its top (the text's baseline)."""
    sheet = PdfReader(io.BytesIO(pdf)).pages[page - 1]
    height = float(sheet.mediabox.height)
    tops: list[float] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if needle in text:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            tops.append(1 - float(y) / height)

    sheet.extract_text(visitor_text=visit)
    return tops
