"""Running the demo: a fresh folder, the stage, the story, the summary.

The bot that runs here is the real one, unchanged: `demo.stage` builds the same
`Application`, handlers, SQLite storage, file store and scheduler as production, and
points it at the local Telegram stand-in (`fakegram`) with the demo Dinas of
`templates/demo/config.toml`. The demo adds only the simulated officers and the clock.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time as wallclock
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, TextIO
from zoneinfo import ZoneInfo

from bot.core.clock import FakeClock
from bot.core.workflow import CaseStatus
from bot.runtime import Runtime
from bot.views.fmt import format_file_size
from demo.actors import Actors, DemoStuck
from demo.console import Console, TaskHeaders
from demo.scenario import CASE_CODE, FRONT_OFFICE, play
from demo.stage import STAGE_TOKEN, Stage, stage
from demo.summary import (
    DocumentCopy,
    copy_documents,
    performance_of,
    step_table,
    write_compliance,
)
from fakegram import BotMessage, FakeTelegram

__all__ = ["DemoError", "DemoResult", "prepare_folder", "run_demo"]

MARKER: Final = ".sopbot-demo"  # only a folder carrying it is ever wiped
TRANSCRIPT: Final = "percakapan.txt"
DOCUMENTS: Final = "dokumen"
START: Final = datetime(2026, 7, 6, 7, 55, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday
BOT_USERNAME: Final = "sopbot_demo_bot"


class DemoError(RuntimeError):
    """The demo cannot run here (the folder), or did not end as it should."""


@dataclass(frozen=True, slots=True)
class DemoResult:
    out: Path
    case_code: str
    finished: bool
    documents: tuple[DocumentCopy, ...]  # the case's, from the file store
    compliance: tuple[DocumentCopy, ...]  # the year's compliance report and its chart
    transcript: Path
    database: Path
    seconds: float  # real time the run took
    # What each chat received, by officer key (and the front office), as it stands at the
    # end: what a test counts to hold the chat quiet.
    chats: Mapping[str, tuple[BotMessage, ...]]


def prepare_folder(out: Path) -> Path:
    """Empty (or create) `out`, but only if it is empty already or an earlier demo made it.

    The folder itself stays: it may be a mount point or owned by someone else (the
    container's /app/demo-out). Returns it as an absolute path.
    """
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise DemoError(f"{out} is a file; choose another --demo-out folder")
    out.mkdir(parents=True, exist_ok=True)
    leftovers = list(out.iterdir())
    if leftovers and not (out / MARKER).exists():
        raise DemoError(
            f"{out} is not empty and was not made by the demo; it is left untouched "
            "(choose another --demo-out folder)"
        )
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    (out / MARKER).write_text(
        "Made by the offline demo (python3 manage.py run --demo); emptied at every run.\n",
        encoding="utf-8",
    )
    return out


def short_name(name: str) -> str:
    """ "Sri Wahyuni, S.E., M.M." -> "Sri Wahyuni": the name without trailing degrees."""
    return name.split(",")[0].strip()


async def run_demo(out: Path, *, echo: TextIO | None = sys.stdout) -> DemoResult:
    """Play the whole case; print the conversation to `echo` and to `out/percakapan.txt`."""
    began = wallclock.monotonic()
    out = await asyncio.to_thread(prepare_folder, out)
    clock = FakeClock(START)
    fake = FakeTelegram(
        token=STAGE_TOKEN,
        bot_username=BOT_USERNAME,
        bot_name="SOP Bot (demo)",
        clock=lambda: clock.now().timestamp(),
    ).start()
    transcript = out / TRANSCRIPT
    try:
        with transcript.open("w", encoding="utf-8") as log:
            sinks: list[TextIO] = [log] if echo is None else [echo, log]
            async with stage(out, clock, fake) as st:
                console = _console(st, clock, sinks)
                _introduce(st, console)
                actors = Actors(st, clock, console)
                await play(actors)
                ready = await actors.documents_made()
                code, finished, documents, compliance = await _conclude(
                    st, console, out, began, ready
                )
                chats = {key: tuple(user.transcript) for key, user in st.users.items()}
                return DemoResult(
                    out=out,
                    case_code=code,
                    finished=finished,
                    documents=documents,
                    compliance=compliance,
                    transcript=transcript,
                    database=st.config.storage.database,
                    seconds=wallclock.monotonic() - began,
                    chats=chats,
                )
    finally:
        fake.stop()


def _console(st: Stage, clock: FakeClock, sinks: Sequence[TextIO]) -> Console:
    runtime = st.runtime
    config = st.config
    admin_id = config.admin_telegram_ids[0]
    st.users[FRONT_OFFICE] = st.fake.user(admin_id, "Front Office", started=True)
    names = {o.telegram_id: short_name(o.name) for o in config.officers if o.telegram_id}
    names[admin_id] = "Front office"
    lang = config.language.value
    sop = next(iter(runtime.sops.values()))
    return Console(
        fake=st.fake,
        names=names,
        sop=sop,
        headers=TaskHeaders.from_catalogue(runtime.catalogue, lang),
        tz=runtime.tz,
        now=clock.now,
        sinks=sinks,
        lang=lang,
    )


def _introduce(st: Stage, console: Console) -> None:
    config = st.config
    agency = config.agency
    console.say(f"Demo luring: {agency.name}, {agency.region}.")
    console.say(
        "Bot yang sebenarnya (Application, handler, SQLite, penjadwal) melawan Telegram "
        "tiruan lokal; jam disimulasikan."
    )
    console.heading("Para pegawai (ID Telegram simulasi)")
    sop = next(iter(st.runtime.sops.values()))
    front = config.admin_telegram_ids[0]
    console.say(f"  {'Front office (admin)':<28} {front:>5}  penerima surat masuk")
    for officer in config.officers:
        role = sop.roles.get(officer.role, officer.role).split(" (")[0]
        console.say(
            f"  {short_name(officer.name):<28} {officer.telegram_id or '-':>5}  "
            f"{officer.jabatan} ({role})"
        )


async def _conclude(
    st: Stage, console: Console, out: Path, began: float, documents_ready: bool
) -> tuple[str, bool, tuple[DocumentCopy, ...], tuple[DocumentCopy, ...]]:
    runtime = st.runtime
    state = await runtime.service.case_by_code(CASE_CODE)
    if state is None:
        raise DemoStuck(f"case {CASE_CODE} was never started")
    lang = st.config.language.value
    finished = state.status is CaseStatus.FINISHED
    console.heading(f"Ringkasan {state.code}: " + ("selesai" if finished else state.status.value))
    performance = await performance_of(runtime, state)
    for line in step_table(runtime, performance, lang, lambda key: _name(runtime, key)):
        console.say(line)
    copies = tuple(await copy_documents(runtime, state, out / DOCUMENTS))
    compliance = tuple(await write_compliance(runtime, lang, out / DOCUMENTS))
    console.heading(f"Dokumen yang dihasilkan ({_relative(out / DOCUMENTS)}/)")
    for copy in sorted(copies + compliance, key=lambda c: (_ORDER.get(c.kind, 9), c.path.name)):
        label = _KIND_LABELS.get(copy.kind, copy.kind)
        console.say(f"  {label:<32} {copy.path.name} ({format_file_size(copy.size, lang)})")
    if not documents_ready:
        console.say("  (sebagian dokumen belum selesai dibuat dalam batas waktu demo)")
    elif not any(c.format == "pdf" for c in copies):
        console.say("  (tanpa PDF: LibreOffice tidak terpasang; lihat README, Troubleshooting)")
    console.heading("Berkas lain")
    console.say(f"  Basis data         {_relative(st.config.storage.database)}")
    console.say(f"  Berkas unggahan    {_relative(st.config.storage.files)}/")
    console.say(f"  Percakapan lengkap {_relative(out / TRANSCRIPT)}")
    console.say(f"\nSelesai dalam {wallclock.monotonic() - began:.1f} detik (waktu nyata).")
    console.say(
        "Bot sungguhan: salin config.example.toml ke config.toml, isi token dan para "
        "pegawai (README.md, Going live)."
    )
    return state.code, finished, copies, compliance


_ORDER: Final = {
    "lembar_disposisi": 0,
    "laporan_baku": 1,
    "lembar_pengesahan": 2,
    "laporan_final": 3,
    "laporan_kepatuhan": 10,
    "grafik_kepatuhan": 11,
}
_KIND_LABELS: Final = {
    "lembar_disposisi": "Lembar disposisi",
    "laporan_baku": "Laporan format baku",
    "lembar_pengesahan": "Lembar pengesahan",
    "laporan_final": "Laporan final (ditandatangani)",
    "draf": "Draf untuk dibaca (PDF)",
    "laporan_kepatuhan": "Laporan kepatuhan SOP",
    "grafik_kepatuhan": "Grafik kepatuhan SOP",
}


def _name(runtime: Runtime, officer_key: str) -> str:
    return short_name(runtime.directory.name(officer_key))


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
