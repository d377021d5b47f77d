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

Each LibreOffice run costs seconds of CPU on a small server, so no input is converted
twice at once (three Kepala Bidang's jobs for one draft share one run), and a file it
could not load (it exited and left nothing) is not tried again by this process: the
result would be the same, and every retry would take the CPU from the officers' presses.
A timeout is not remembered; it may pass on a quieter moment.

Conversion is optional: with no LibreOffice installed `available` is False, `convert`
returns None at once, and the bot sends the .docx alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
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

_Input = tuple[str, str, str]  # (sha-256 of the bytes, source extension, target extension)

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
        self._running: dict[_Input, asyncio.Future[bytes | None]] = {}
        self._unreadable: set[_Input] = set()
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
        key = (hashlib.sha256(docx).hexdigest(), source, target)
        while key not in self._unreadable:
            running = self._running.get(key)
            if running is None:
                return await self._convert_first(self.soffice, key, docx, name)
            # The same bytes are being converted: that run's PDF serves here too (a
            # cancelled wait leaves the run alone: `shield`).
            pdf = await asyncio.shield(running)
            if pdf is not None:
                return pdf
        log.info("PDF of %s: LibreOffice could not read this file before; not tried", name)
        return None

    async def _convert_first(
        self, soffice: str, key: _Input, docx: bytes, name: str
    ) -> bytes | None:
        """Convert, letting anyone who asks for the same bytes meanwhile wait for this run."""
        _, source, target = key
        done: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._running[key] = done
        pdf: bytes | None = None
        try:
            pdf, unreadable = await self._convert_once(soffice, docx, name, source, target)
            if unreadable:
                self._unreadable.add(key)
            if pdf is not None and (source, target) == ("docx", "pdf"):
                pdf = await self._with_toc_pages(soffice, docx, pdf, name)
            return pdf
        finally:
            del self._running[key]
            done.set_result(pdf)  # None after a failure: a waiter tries itself

    async def _with_toc_pages(self, soffice: str, docx: bytes, pdf: bytes, name: str) -> bytes:
        """A document with a DAFTAR ISI is made again with its page numbers filled in
        (`bot.documents.toc`); the first PDF stands if the second fails."""
        titles = await asyncio.to_thread(toc_titles, docx)
        if not titles:
            return pdf
        pages = await asyncio.to_thread(heading_pages, pdf, titles)
        filled = await asyncio.to_thread(fill_toc, docx, pages)
        second, _ = await self._convert_once(soffice, filled, name, "docx", "pdf")
        return second if second is not None else pdf

    async def _convert_once(
        self, soffice: str, docx: bytes, name: str, source: str, target: str
    ) -> tuple[bytes | None, bool]:
        """The output, and whether LibreOffice ran to its end without making any (it
        could not read the input: the same input would fail the same way again)."""
        async with self._semaphore:
            slot = self._free_slots.pop()
            try:
                return await self._convert_in_slot(soffice, slot, docx, name, source, target)
            finally:
                self._free_slots.append(slot)

    async def _convert_in_slot(
        self, soffice: str, slot: int, docx: bytes, name: str, source_ext: str, target: str
    ) -> tuple[bytes | None, bool]:
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
                return None, False
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
            # exit 0 with nothing made: the input; a crash (signal, error code) may pass
            return data, data is None and proc.returncode == 0
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
