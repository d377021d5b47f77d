"""docx -> PDF through LibreOffice, without blocking the bot and without trusting soffice.

The traps (PITFALLS.md, "LibreOffice headless") and the answer to each:

* parallel runs on one user profile fail at random -> each of the `max_parallel` slots
  has its own profile (`-env:UserInstallation=file:///.../lo-profile-<n>`), and a
  semaphore lets at most that many run;
* the exit status lies (a file it cannot load exits 0) -> success is "the PDF exists
  in the output directory and is not empty", nothing else;
* `soffice` is a wrapper script: killing the child leaves LibreOffice running -> the
  process gets its own session and the whole group is killed on timeout or cancel;
* an existing output file is silently overwritten -> a fresh temporary directory per
  conversion.

Conversion is optional: with no LibreOffice installed `available` is False, `convert`
returns None at once, and the bot sends the .docx alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Final

from bot.documents.toc import fill_toc, heading_pages, toc_titles

__all__ = ["PdfConverter"]

log = logging.getLogger(__name__)

_TAIL: Final = 2000  # characters of soffice's output kept in a log line
_NICENESS: Final = 10  # LibreOffice's CPU priority below the bot's (0)


def _tail(data: bytes) -> str:
    return data.decode("utf-8", "replace")[-_TAIL:].strip()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _yield_cpu(pid: int) -> None:
    """Let LibreOffice (its process group) run only on CPU the bot leaves: on a small
    machine a conversion otherwise delays every press answered meanwhile."""
    with contextlib.suppress(OSError, AttributeError):  # AttributeError: not POSIX
        os.setpriority(os.PRIO_PGRP, pid, _NICENESS)


class PdfConverter:
    """Converts .docx bytes to PDF bytes with headless LibreOffice.

    One instance per process; `close()` removes the profiles it created. The first
    conversion in a fresh profile takes a few seconds longer (LibreOffice initialises
    the profile); later ones reuse it.
    """

    def __init__(
        self,
        *,
        soffice: str | None = None,
        max_parallel: int = 2,
        timeout: float = 120.0,
        work_root: Path | None = None,
    ) -> None:
        if max_parallel < 1:
            raise ValueError(f"max_parallel must be at least 1, got {max_parallel}")
        self.soffice: str | None = soffice if soffice is not None else shutil.which("soffice")
        self.timeout = timeout
        self._work_root = work_root
        self._semaphore = asyncio.Semaphore(max_parallel)
        self._free_slots = list(range(max_parallel))
        self._profiles: Path | None = None
        if self.soffice is None:
            log.warning("soffice not found on PATH: documents are sent as .docx only")

    @property
    def available(self) -> bool:
        return self.soffice is not None

    def _profile_root(self) -> Path:
        if self._profiles is None:
            self._profiles = Path(tempfile.mkdtemp(prefix="lo-profiles-", dir=self._work_root))
        return self._profiles

    def close(self) -> None:
        """Removes the LibreOffice profiles; call at shutdown, after the last convert."""
        if self._profiles is not None:
            shutil.rmtree(self._profiles, ignore_errors=True)
            self._profiles = None

    async def convert(
        self, docx: bytes, name: str = "document", *, source: str = "docx", target: str = "pdf"
    ) -> bytes | None:
        """The PDF, or None (and a log line saying why) when it could not be made.

        `source`/`target` (file extensions) serve other conversions through the same
        queue and profiles, e.g. an old .doc or .odt draft to .docx on receipt.
        """
        if self.soffice is None:
            return None
        pdf = await self._convert_once(self.soffice, docx, name, source, target)
        if pdf is None or (source, target) != ("docx", "pdf"):
            return pdf
        return await self._with_toc_pages(self.soffice, docx, pdf, name)

    async def _with_toc_pages(self, soffice: str, docx: bytes, pdf: bytes, name: str) -> bytes:
        """A document with a DAFTAR ISI is made again with its page numbers filled in
        (`bot.documents.toc`); the first PDF stands if the second fails."""
        titles = await asyncio.to_thread(toc_titles, docx)
        if not titles:
            return pdf
        pages = await asyncio.to_thread(heading_pages, pdf, titles)
        filled = await asyncio.to_thread(fill_toc, docx, pages)
        second = await self._convert_once(soffice, filled, name, "docx", "pdf")
        return second if second is not None else pdf

    async def _convert_once(
        self, soffice: str, docx: bytes, name: str, source: str, target: str
    ) -> bytes | None:
        async with self._semaphore:
            slot = self._free_slots.pop()
            try:
                return await self._convert_in_slot(soffice, slot, docx, name, source, target)
            finally:
                self._free_slots.append(slot)

    async def _convert_in_slot(
        self, soffice: str, slot: int, docx: bytes, name: str, source_ext: str, target: str
    ) -> bytes | None:
        profile = self._profile_root() / f"lo-profile-{slot}"
        workdir = Path(
            await asyncio.to_thread(tempfile.mkdtemp, prefix="lo-job-", dir=self._work_root)
        )
        try:
            source = workdir / "in" / f"document.{source_ext}"
            outdir = workdir / "out"
            await asyncio.to_thread(_prepare, source, outdir, docx)
            args = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                str(source),
            ]
            proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
            _yield_cpu(proc.pid)
            try:
                stdout, stderr = await asyncio.wait_for(proc.communicate(), self.timeout)
            except TimeoutError:
                _kill_group(proc.pid)
                await proc.wait()
                log.error("PDF of %s: soffice took over %.0f s; killed", name, self.timeout)
                return None
            except BaseException:  # cancelled: never leave LibreOffice running
                _kill_group(proc.pid)
                with contextlib.suppress(Exception):
                    await asyncio.shield(proc.wait())
                raise
            result = outdir / f"document.{target}"
            data = await asyncio.to_thread(_read_if_nonempty, result)
            if data is None:  # usually a file LibreOffice cannot read: the user's file
                log.warning(
                    "PDF of %s: no output (exit %s); stdout: %s; stderr: %s",
                    name,
                    proc.returncode,
                    _tail(stdout),
                    _tail(stderr),
                )
            return data
        finally:
            await asyncio.to_thread(shutil.rmtree, workdir, True)


def _prepare(source: Path, outdir: Path, data: bytes) -> None:
    source.parent.mkdir(parents=True)
    outdir.mkdir()
    source.write_bytes(data)


def _read_if_nonempty(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return data or None
