"""Reading the QR printed on a PDF page as a phone would: rendered, then decoded.

poppler's `pdftoppm` renders the page to greyscale pixels and zxing-cpp (a reader
independent of segno, which drew the code) decodes them, so a test sees only what a
camera would.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy  # comes with matplotlib; zxing-cpp reads a numpy image
import zxingcpp

__all__ = ["can_render_pages", "qr_texts"]


def can_render_pages() -> bool:
    return shutil.which("pdftoppm") is not None


def qr_texts(pdf: bytes, page: int, dpi: int = 150) -> list[str]:
    """The texts of every QR code on `page` (1-based) of `pdf`."""
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
    return [
        found.text
        for found in zxingcpp.read_barcodes(
            image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        )
    ]
