"""A real service on a real SQLite file, and the officers of a Dinas as configured."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.config import Language, Officer
from bot.core.clock import FakeClock
from bot.core.people import Directory
from bot.core.timestd import WorkCalendar
from bot.core.workclock import WorkingTimeCalendar
from bot.services.workflow_service import WorkflowService
from bot.views.i18n import Catalogue
from bot.views.presenter import CataloguePresenter, TaskExtras
from storage.db import Database
from storage.files import FileStore
from tests.support.engine import RECIPIENTS, shipped_sop
from tests.support.local_time import JAKARTA

NIP = "196805121993031004"


def _officer(key: str, name: str, role: str, jabatan: str, tid: int, **kw: object) -> Officer:
    signs = role in {"kadin", "sekretaris", "kabid", "kasubag"} or kw.pop("nip", False)
    return Officer(
        key,
        name,
        role,
        jabatan,
        nip=NIP if signs else None,
        pangkat="Pembina, IV/a" if signs else None,
        telegram_id=tid,
        **kw,  # type: ignore[arg-type]
    )


OFFICERS = (
    _officer("kadin", "Dr. H. Ahmad Fauzi, M.Si.", "kadin", "Kepala Dinas", 1001),
    _officer("sekretaris", "Siti Rahmawati, S.E., M.M.", "sekretaris", "Sekretaris", 1002),
    _officer("kabid_1", "Ir. Bambang Hermawan", "kabid", "Kepala Bidang Program", 1003),
    _officer("kabid_2", "Dewi Lestari, S.Pd.", "kabid", "Kepala Bidang Pembinaan", 1004),
    _officer("kabid_3", "Yusuf Hidayat, S.T.", "kabid", "Kepala Bidang Sarana", 1005),
    _officer("kasubag", "Rina Marlina, S.Sos.", "kasubag", "Kasubag Umum", 1006),
    _officer("staf_1", "Agus Salim", "staf", "Pengadministrasi Umum", 1007),
    _officer("staf_2", "Maya Sari", "staf", "Pengelola Data", 1008, language=Language.EN),
    _officer("sakip_ketua", "Hendra Gunawan, S.E.", "tim_sakip", "Ketua Tim", 1009, leader=True),
    _officer("sakip_1", "Lina Marlina", "tim_sakip", "Anggota Tim SAKIP", 1010),
)


def directory() -> Directory:
    return Directory(OFFICERS, admins=("sekretaris",), admin_telegram_ids=(555,))


@dataclass
class Harness:
    root: Path
    clock: FakeClock
    calendar: WorkCalendar
    db: Database
    service: WorkflowService


@asynccontextmanager
async def open_service(
    root: Path,
    clock: FakeClock,
    calendar: WorkCalendar | None = None,
    extras: TaskExtras | None = None,
) -> AsyncIterator[Harness]:
    """Open the service on `root`'s database; closing it is like stopping the bot.
    `extras`: what the documents add to task messages (`DocumentExtras`)."""
    calendar = calendar or WorkingTimeCalendar()
    people = directory()
    db = Database(root / "sopbot.db")
    await db.open()
    sop = shipped_sop()
    presenter = CataloguePresenter(Catalogue.load(), people, JAKARTA, calendar, extras=extras)
    service = WorkflowService(
        db=db,
        files=FileStore(root / "files"),
        sops={sop.key: sop},
        people=people,
        calendar=calendar,
        clock=clock,
        presenter=presenter,
        lists={"recipients": RECIPIENTS},
    )
    try:
        yield Harness(root, clock, calendar, db, service)
    finally:
        await db.close()
