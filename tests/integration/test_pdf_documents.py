"""PDF through real LibreOffice, the converter's process handling, and template round trips.

The LibreOffice tests skip (saying why) only where `soffice` is not installed; the
process-handling tests use a fake `soffice` script and run everywhere.
"""

from __future__ import annotations

import asyncio
import io
import logging
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from bot.documents import demo
from bot.documents.pdf import PdfConverter
from bot.documents.render import (
    DocumentKind,
    build_final_report,
    render_approval,
    render_disposition,
    render_report,
    template_path,
)
from tests.support.docs import comparable

ROOT = Path(__file__).resolve().parents[2]
LOGO = ROOT / "templates" / "demo" / "logo_contoh.png"
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; run .ci/install-system-deps to enable",
)


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _read(path: Path) -> str:
    return path.read_text()


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


# --- real LibreOffice -------------------------------------------------------------------------


@needs_soffice
async def test_report_to_pdf(tmp_path: Path) -> None:
    converter = PdfConverter(work_root=tmp_path, timeout=180)
    try:
        pdf = await converter.convert(render_report(demo.report(logo=LOGO)), "laporan")
    finally:
        converter.close()
    assert pdf is not None and pdf.startswith(b"%PDF")
    pages, text = pdf_text(pdf)
    assert pages >= 6
    assert "LAPORAN KINERJA TRIWULAN II TAHUN 2026" in text
    assert "dr. Hj. Ratna Wulandari, M.Kes." in text
    assert "105,56" in text and "Rp55.600.000.000" in text
    assert _names(tmp_path) == []  # job directories and profiles cleaned up


@needs_soffice
async def test_documents_convert_in_parallel_with_separate_profiles(tmp_path: Path) -> None:
    converter = PdfConverter(work_root=tmp_path, max_parallel=2, timeout=180)
    final = build_final_report(render_report(demo.report()), render_approval(demo.approval()))
    docs = {
        "LEMBAR DISPOSISI": render_disposition(demo.disposition(LOGO)),
        "LEMBAR PENGESAHAN": render_approval(demo.approval()),
        "LAPORAN KINERJA TRIWULAN II TAHUN 2026": final.report,
    }
    try:
        pdfs = await asyncio.gather(*(converter.convert(d, t) for t, d in docs.items()))
    finally:
        converter.close()
    code = demo.approval().verification_code
    for (title, _), pdf in zip(docs.items(), pdfs, strict=True):
        assert pdf is not None, title
        pages, text = pdf_text(pdf)
        assert pages > 0 and title in text
        assert "Ratna Wulandari" in text
    final_text = pdf_text(pdfs[2] or b"")[1]
    assert "LEMBAR PENGESAHAN" in final_text and code in final_text


@needs_soffice
async def test_unloadable_input_gives_none_and_a_reason(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    converter = PdfConverter(work_root=tmp_path, timeout=180)
    try:
        # a damaged zip: LibreOffice says so on stdout/stderr and still exits 0
        assert await converter.convert(b"PK\x03\x04garbage", "rusak") is None
    finally:
        converter.close()
    assert "PDF of rusak: no output (exit 0)" in caplog.text
    assert "source file could not be loaded" in caplog.text


def _libreoffice_copy(source: Path, tmp_path: Path) -> Path:
    out = tmp_path / "lo"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        start_new_session=True,
    )
    copy = out / source.name
    assert copy.stat().st_size > 0
    return copy


def _python_docx_copy(source: Path, tmp_path: Path) -> Path:
    copy = tmp_path / source.name
    Document(str(source)).save(str(copy))
    return copy


RENDERERS: dict[DocumentKind, tuple[Callable[[], Any], Callable[..., bytes]]] = {
    DocumentKind.LEMBAR_DISPOSISI: (lambda: demo.disposition(LOGO), render_disposition),
    DocumentKind.LAPORAN_KINERJA: (lambda: demo.report(logo=LOGO), render_report),
    DocumentKind.LEMBAR_PENGESAHAN: (demo.approval, render_approval),
}


@pytest.mark.parametrize("kind", list(RENDERERS))
@pytest.mark.parametrize(
    "via",
    [
        pytest.param(_python_docx_copy, id="python-docx"),
        pytest.param(_libreoffice_copy, id="libreoffice", marks=needs_soffice),
    ],
)
def test_template_round_trip_renders_the_same(
    kind: DocumentKind, via: Callable[[Path, Path], Path], tmp_path: Path
) -> None:
    """An agency restyling the template in Word or LibreOffice keeps every tag working."""
    make, render = RENDERERS[kind]
    copy = via(template_path(kind), tmp_path)
    context = make()
    assert comparable(render(context, template=copy)) == comparable(render(context))


# --- process handling with a fake soffice -----------------------------------------------------


def fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/bash\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return bool(re.search(r"^State:\s+Z", status, flags=re.M))  # a zombie is dead


async def _wait_gone(pid: int, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        await asyncio.sleep(0.05)
    return _gone(pid)


async def test_timeout_kills_the_whole_process_group(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pidfile = tmp_path / "child.pid"
    soffice = fake_soffice(tmp_path, f"sleep 300 &\necho $! > {pidfile}\nsleep 300\n")
    converter = PdfConverter(soffice=soffice, timeout=1.0, work_root=tmp_path)
    started = time.monotonic()
    assert await converter.convert(b"docx", "lambat") is None
    assert time.monotonic() - started < 10
    assert await _wait_gone(int(pidfile.read_text()))
    assert "PDF of lambat: soffice took over 1 s; killed" in caplog.text


async def test_cancelling_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    soffice = fake_soffice(tmp_path, f"sleep 300 &\necho $! > {pidfile}\nsleep 300\n")
    converter = PdfConverter(soffice=soffice, timeout=60, work_root=tmp_path)
    task = asyncio.create_task(converter.convert(b"docx"))
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _wait_gone(int(pidfile.read_text()))


async def test_exit_zero_without_output_is_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    soffice = fake_soffice(tmp_path, 'echo "Error: source file could not be loaded"\nexit 0\n')
    converter = PdfConverter(soffice=soffice, work_root=tmp_path)
    assert await converter.convert(b"docx", "kosong") is None
    assert "Error: source file could not be loaded" in caplog.text


COUNTING_COPY = """
echo run >> {log}
for a; do [ "$prevarg" = "--outdir" ] && dir="$a"; prevarg="$a"; input="$a"; done
sleep 0.3
cp "$input" "$dir/document.pdf"
"""


async def test_the_same_file_asked_for_at_once_is_converted_once(tmp_path: Path) -> None:
    """Three reviewers' PDF jobs for one draft: one LibreOffice run serves all three."""
    log = tmp_path / "runs.log"
    soffice = fake_soffice(tmp_path, COUNTING_COPY.format(log=log))
    converter = PdfConverter(soffice=soffice, max_parallel=2, work_root=tmp_path)
    results = await asyncio.gather(
        *(converter.convert(b"draf v2", f"kabid {i}") for i in range(3)),
        converter.convert(b"draf lain", "lain"),
    )
    assert results == [b"draf v2", b"draf v2", b"draf v2", b"draf lain"]
    assert _read(log).split() == ["run", "run"]  # one per distinct file


async def test_a_file_libreoffice_cannot_read_is_not_tried_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = tmp_path / "runs.log"
    soffice = fake_soffice(
        tmp_path, f'echo run >> {log}\necho "Error: source file could not be loaded"\nexit 0\n'
    )
    converter = PdfConverter(soffice=soffice, work_root=tmp_path)
    caplog.set_level(logging.INFO, "bot.documents.pdf")
    for _ in range(3):  # the job's retries, and a second reviewer's job
        assert await converter.convert(b"rusak", "rusak") is None
    assert _read(log).split() == ["run"]
    assert "could not read this file before; not tried" in caplog.text


async def test_a_timeout_is_tried_again(tmp_path: Path) -> None:
    """A conversion killed for taking too long may pass later: it is not remembered."""
    log = tmp_path / "runs.log"
    soffice = fake_soffice(tmp_path, f"echo run >> {log}\nsleep 300\n")
    converter = PdfConverter(soffice=soffice, timeout=0.5, work_root=tmp_path)
    for _ in range(2):
        assert await converter.convert(b"besar", "besar") is None
    assert _read(log).split() == ["run", "run"]


async def test_empty_output_is_a_failure(tmp_path: Path) -> None:
    soffice = fake_soffice(
        tmp_path,
        'for a; do [ "$prevarg" = "--outdir" ] && dir="$a"; prevarg="$a"; done\n'
        ': > "$dir/document.pdf"\n',
    )
    converter = PdfConverter(soffice=soffice, work_root=tmp_path)
    assert await converter.convert(b"docx") is None


async def test_at_most_n_at_once_each_with_its_own_profile(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    soffice = fake_soffice(
        tmp_path,
        f"""
for a; do
  case "$a" in -env:UserInstallation=*) profile="$a";; esac
  [ "$prevarg" = "--outdir" ] && dir="$a"
  prevarg="$a"; input="$a"
done
echo "start $profile" >> {log}
sleep 0.3
cp "$input" "$dir/document.pdf"
echo "end $profile" >> {log}
""",
    )
    converter = PdfConverter(soffice=soffice, max_parallel=2, work_root=tmp_path)
    results = await asyncio.gather(*(converter.convert(f"doc {i}".encode()) for i in range(5)))
    assert results == [f"doc {i}".encode() for i in range(5)]
    calls = _read(log)
    running: set[str] = set()
    peak = 0
    for line in calls.splitlines():
        event, profile = line.split(" ", 1)
        if event == "start":
            assert profile not in running  # never two processes on one profile
            running.add(profile)
            peak = max(peak, len(running))
        else:
            running.remove(profile)
    assert peak == 2
    assert all("/lo-profile-" in p for p in calls.split() if p.startswith("-env"))
    converter.close()
    assert not any(name.startswith("lo-") for name in _names(tmp_path))


async def test_without_soffice_nothing_is_attempted(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    converter = PdfConverter()
    assert not converter.available
    assert await converter.convert(b"docx") is None


def test_max_parallel_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PdfConverter(soffice="/bin/true", max_parallel=0)
