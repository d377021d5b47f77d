"""How long the quarterly report takes to make, beside a bare docxtpl render.

    python -m benchmarks.bench_documents [--rounds 15] [--indicators 50] [--pdf] [--check]

The report is rendered from a 50-indicator sheet (written as .xlsx and parsed back, as
an upload would be). `render_report` (context built from the dataclasses, fresh
template, StrictUndefined, autoescape) is timed beside a raw `DocxTemplate.render` of
the same template with the same, precomputed context: what our layer costs on top of
docxtpl. The target is at most 1.2x. Runs alternate, and medians are reported, so a
noisy neighbour skews both sides alike.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined

from bot.documents import demo
from bot.documents.model import BudgetRow, IndicatorRow
from bot.documents.pdf import PdfConverter
from bot.documents.render import (
    DocumentKind,
    render_report,
    report_context,
    template_path,
)
from bot.documents.sheet import read_sheet, write_sheet

TARGET_RATIO = 1.2


def indicators(n: int) -> tuple[IndicatorRow, ...]:
    """n indicators cycling through the demo's (every capaian edge), in 10 goals."""
    base = demo.INDICATORS
    return tuple(
        replace(
            base[i % len(base)],
            sasaran_strategis=f"Sasaran strategis {i // 5 + 1}",
            indikator=f"{base[i % len(base)].indikator} ({i + 1})",
            realisasi=(
                None
                if base[i % len(base)].realisasi is None
                else base[i % len(base)].realisasi + Decimal(i % 7) / 10  # type: ignore[operator]
            ),
        )
        for i in range(n)
    )


def budget(n: int) -> tuple[BudgetRow, ...]:
    return tuple(
        BudgetRow(f"Kegiatan {i + 1}: {b.program_kegiatan}", b.pagu + i, b.realisasi + i)
        for i, b in enumerate(demo.BUDGET * (n // len(demo.BUDGET) + 1))
    )[:n]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def line(label: str, value: str) -> None:
    print(f"{label:<32}{value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--indicators", type=int, default=50)
    parser.add_argument("--pdf", action="store_true", help="also time LibreOffice")
    parser.add_argument("--check", action="store_true", help="exit 1 above the target ratio")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "data_capaian.xlsx"
        write_sheet(sheet, indicators(args.indicators), budget(10))
        raw_sheet = sheet.read_bytes()
    parse_times = [timed(lambda: read_sheet(raw_sheet, "data.xlsx")) for _ in range(5)]
    data = read_sheet(raw_sheet, "data.xlsx")
    report = demo.report(indicators=data.indicators, budget=data.budget)

    path = template_path(DocumentKind.LAPORAN_KINERJA)
    context = report_context(report, DocxTemplate(path))  # no logo: tpl-independent

    def ours() -> bytes:
        return render_report(report)

    def raw() -> bytes:
        tpl = DocxTemplate(path)
        tpl.render(context, jinja_env=Environment(undefined=StrictUndefined), autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
        return out.getvalue()

    ours(), raw()  # warm up imports and caches
    ours_times: list[float] = []
    raw_times: list[float] = []
    for _ in range(args.rounds):
        ours_times.append(timed(ours))
        raw_times.append(timed(raw))
    ours_med, raw_med = statistics.median(ours_times), statistics.median(raw_times)
    ratio = ours_med / raw_med

    print(f"report from {len(data.indicators)} indicators, {len(data.budget)} budget rows")
    line(f"read_sheet (.xlsx, {len(raw_sheet) // 1024} KB)", ms(statistics.median(parse_times)))
    line("render_report", f"{ms(ours_med)}  (median of {args.rounds})")
    line("raw docxtpl render, same ctx", ms(raw_med))
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
    line("ratio", f"{ratio:8.2f} x  (target <= {TARGET_RATIO}x: {verdict})")

    if args.pdf:
        converter = PdfConverter(timeout=300)
        if not converter.available:
            line("pdf", "soffice not installed, skipped")
        else:
            docx = ours()

            async def convert_twice() -> tuple[float, float]:
                start = time.perf_counter()
                await converter.convert(docx, "bench")
                cold = time.perf_counter() - start
                start = time.perf_counter()
                await converter.convert(docx, "bench")
                return cold, time.perf_counter() - start

            try:
                cold, warm = asyncio.run(convert_twice())
            finally:
                converter.close()
            line("pdf (new profile)", ms(cold))
            line("pdf (warm profile)", ms(warm))
    return 1 if args.check and ratio > TARGET_RATIO else 0


if __name__ == "__main__":
    sys.exit(main())
