"""Renders the demo's approval sheet to `docs/lembar_pengesahan.png` for the README.

The picture shows what the bot prints, so it is made from the shipped template and the
demo data, never drawn by hand: run `python scripts/make_readme_picture.py` after a
template change. Needs LibreOffice (`soffice`) and poppler's `pdftoppm`.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

from bot.documents import demo  # noqa: E402
from bot.documents.pdf import PdfConverter  # noqa: E402
from bot.documents.render import render_approval  # noqa: E402
from bot.documents.verification import verification_link  # noqa: E402

PICTURE = ROOT / "docs" / "lembar_pengesahan.png"
LOGO = ROOT / "templates" / "demo" / "logo_contoh.png"
BOT = "SukamajuSopBot"  # the QR at the page foot opens this (made-up) bot


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("pdftoppm (poppler-utils) is not installed", file=sys.stderr)
        return 1
    approval = demo.approval()
    sheet = replace(
        approval,
        letterhead=replace(demo.LETTERHEAD, logo=LOGO),
        verification_link=verification_link(BOT, approval.verification_code),
    )
    with tempfile.TemporaryDirectory(prefix="readme-") as folder:
        converter = PdfConverter(work_root=Path(folder), timeout=180)
        try:
            pdf = asyncio.run(converter.convert(render_approval(sheet), "lembar_pengesahan"))
        finally:
            converter.close()
        if pdf is None:
            print("LibreOffice made no PDF", file=sys.stderr)
            return 1
        source = Path(folder) / "lembar_pengesahan.pdf"
        source.write_bytes(pdf)
        stem = Path(folder) / "page"
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "70",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(stem),
            ],
            check=True,
            timeout=120,
        )
        PICTURE.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stem.with_suffix(".png"), PICTURE)
    print(f"wrote {PICTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
