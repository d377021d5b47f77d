"""The document worker on a real SQLite file: after the commit, once, and after a crash."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import AgencySettings, Config, Secret, StoragePaths, TelegramSettings
from bot.core.clock import FakeClock
from bot.core.sop import StepKind
from bot.core.workflow import AttachFile, CaseState, Complete
from bot.documents import TEMPLATE_DIR, DocumentSettings, PdfConverter, verification_code
from bot.services.document_extras import DocumentExtras
from bot.services.document_index import DocumentIndex
from bot.services.document_jobs import DocumentWorker
from bot.services.on_demand import OnDemandFiles, Pressed
from bot.services.verification import Verifier
from bot.views.callbacks import parse_document
from bot.views.i18n import Catalogue
from storage.documents import Documents
from storage.jobs import Jobs
from storage.outbox import OutboxRow
from storage.uow import reading
from tests.support.docs import docx_text, real_docx
from tests.support.engine import LETTER, next_happy_action
from tests.support.harness import OFFICERS, Harness, directory, open_service
from tests.support.local_time import JAKARTA, at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB
INSTRUCTION = "Susun laporan triwulan II sesuai format baku"


def config(root: Path) -> Config:
    return Config(
        telegram=TelegramSettings(token=Secret("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")),
        agency=AgencySettings(
            region="Pemerintah Kabupaten Contoh",
            name="Dinas Pendidikan",
            short_name="Disdik",
            city="Contoh",
            timezone=JAKARTA,
            address="Jl. Merdeka No. 10",
        ),
        officers=OFFICERS,
        storage=StoragePaths(root / "sopbot.db", root / "files", root / "out", root / "backup"),
        sops=(),
    )


@dataclass
class Bot:
    h: Harness
    worker: DocumentWorker
    verifier: Verifier


@asynccontextmanager
async def running_bot(
    root: Path,
    clock: FakeClock,
    *,
    settings: DocumentSettings | None = None,
    converter: PdfConverter | None = None,
) -> AsyncIterator[Bot]:
    """The service and the worker on `root`; leaving the block is stopping the process."""
    index = DocumentIndex()
    extras = DocumentExtras(Catalogue.load(), index, "tim_sakip")
    async with open_service(root, clock, extras=extras) as h:
        worker = DocumentWorker(
            db=h.db,
            files=h.service.files,
            service=h.service,
            config=config(root),
            catalogue=Catalogue.load(),
            directory=directory(),
            clock=clock,
            settings=settings or DocumentSettings(),
            converter=converter,
            index=index,
        )
        try:
            yield Bot(h, worker, Verifier(db=h.db, service=h.service))
        finally:
            await worker.close()


async def start_and_dispose(bot: Bot) -> int:
    service = bot.h.service
    state = (await service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)).state
    seq = state.open_tasks()[0].seq
    bot.h.clock.advance(minutes=5)
    await service.act("kadin", state.id, Complete(seq, {"instruksi": INSTRUCTION}))
    return state.id


async def walk_to(bot: Bot, case_id: int, step_key: str, draft: bytes) -> CaseState:
    """The straight path until `step_key` is open; uploads are real files in the store."""
    service = bot.h.service
    state = await service.case(case_id)
    while state.step_key != step_key:
        bot.h.clock.advance(minutes=5)
        ctx = await service.context_for(state)
        actor, action = next_happy_action(ctx, state)
        if isinstance(action, AttachFile):
            ref = await service.store_upload(draft, "draf_laporan.docx", "application/docx")
            action = AttachFile(action.task, ref)
        state = (await service.act(actor, case_id, action)).state
    return state


async def sign(bot: Bot, case_id: int, draft: bytes) -> CaseState:
    state = await walk_to(bot, case_id, "tanda_tangan", draft)
    bot.h.clock.advance(minutes=5)
    ctx = await bot.h.service.context_for(state)
    actor, action = next_happy_action(ctx, state)
    assert ctx.sop.step(state.step_key).kind is StepKind.SIGN
    return (await bot.h.service.act(actor, case_id, action)).state


async def documents(bot: Bot, case_id: int) -> list[tuple[str, str, str]]:
    async with reading(bot.h.db) as tx:
        rows = await Documents(tx.conn).for_case(case_id)
    return [(d.kind, d.format, d.filename) for d in rows]


async def sent_files(bot: Bot) -> list[OutboxRow]:
    async with reading(bot.h.db) as tx:
        return [r for r in await tx.outbox.all() if r.kind == "document"]


async def pending_jobs(bot: Bot) -> list[str]:
    """Pending document jobs (the reviewers' draft PDFs are counted apart)."""
    async with reading(bot.h.db) as tx:
        jobs = await tx.jobs.pending()
    return [f"{j.kind}:{j.payload.get('document')}" for j in jobs if j.kind != "draft_pdf"]


async def test_the_disposition_is_rendered_after_the_commit_and_sent_to_both_ends(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, FakeClock(START)) as bot:
        case_id = await start_and_dispose(bot)
        assert await pending_jobs(bot) == ["render:lembar_disposisi"]
        assert await bot.worker.start() == 1
        assert await pending_jobs(bot) == []
        assert await documents(bot, case_id) == [
            ("lembar_disposisi", "docx", "Lembar_Disposisi_TW2_2026_Disdik.docx")
        ]
        files = await sent_files(bot)
        assert [f.officer_key for f in files] == ["kadin", "sakip_ketua", "sakip_1"]
        assert {f.payload["filename"] for f in files} == {"Lembar_Disposisi_TW2_2026_Disdik.docx"}
        assert files[0].payload["caption"] == (
            "📄 Lembar Disposisi <b>LKT-2026-TW2</b> (Triwulan II Tahun 2026) dari "
            "Dr. H. Ahmad Fauzi, M.Si., berkas Word (.docx)."
        )
        data = await bot.h.service.files.get(files[0].payload["sha256"])
        text = docx_text(data)
        assert INSTRUCTION in text and LETTER["number"] in text


async def test_a_crash_between_commit_and_rendering_renders_once_at_the_next_start(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with running_bot(tmp_path, clock) as bot:
        case_id = await start_and_dispose(bot)
        # The process dies here: the action is committed, its render job never ran.
    async with running_bot(tmp_path, clock) as bot:
        assert await pending_jobs(bot) == ["render:lembar_disposisi"]
        assert await bot.worker.start() == 1
        assert len(await sent_files(bot)) == 3
    async with running_bot(tmp_path, clock) as bot:  # and a further restart repeats nothing
        assert await bot.worker.start() == 0
        assert await bot.worker.run_pending() == 0
        assert len(await documents(bot, case_id)) == 1
        assert len(await sent_files(bot)) == 3


async def test_a_repeated_job_for_a_document_already_made_is_closed_without_sending(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with running_bot(tmp_path, clock) as bot:
        case_id = await start_and_dispose(bot)
        await bot.worker.start()
        async with bot.h.db.transaction() as conn:
            await Jobs(conn).add(
                "render", case_id, {"document": "lembar_disposisi", "step": "disposisi"}, START
            )
        assert await bot.worker.run_pending() == 0
        assert await pending_jobs(bot) == []
        assert len(await documents(bot, case_id)) == 1
        assert len(await sent_files(bot)) == 3


async def test_after_the_signature_the_final_report_carries_the_approval_sheet(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    draft = real_docx("Isi laporan kinerja triwulan II yang ditandatangani")
    async with running_bot(tmp_path, clock) as bot:
        case_id = await start_and_dispose(bot)
        await bot.worker.start()
        state = await sign(bot, case_id, draft)
        signed = state.data["tanda_tangan"]
        assert await pending_jobs(bot) == ["render:lembar_pengesahan", "render:laporan_final"]
        assert await bot.worker.run_pending() == 2
        assert (await documents(bot, case_id))[1:] == [
            ("lembar_pengesahan", "docx", "Lembar_Pengesahan_TW2_2026_Disdik.docx"),
            ("laporan_final", "docx", "Laporan_Kinerja_TW2_2026_Disdik_final.docx"),
        ]
        finals = [f for f in await sent_files(bot) if "final" in f.payload["filename"]]
        # the order step waits for the report: the kasubag's task message is the report
        assert [f.officer_key for f in finals] == ["kadin", "sekretaris", "kasubag"]
        assert "Langkah 10:" not in finals[1].payload["caption"]
        assert "Langkah 10:" in finals[2].payload["caption"]
        assert finals[2].payload["sha256"] == finals[0].payload["sha256"]
        code = verification_code(case_id, signed["sha256"], datetime.fromisoformat(signed["at"]))
        assert finals[0].payload["caption"] == (
            "📘 Laporan final <b>LKT-2026-TW2</b> (Triwulan II Tahun 2026): draf versi 2 yang "
            "telah ditandatangani, dengan lembar pengesahan, berkas Word (.docx). Kode "
            f"verifikasi: <code>{code}</code>."
        )
        final = await bot.h.service.files.get(finals[0].payload["sha256"])
        text = docx_text(final)
        assert "Isi laporan kinerja triwulan II yang ditandatangani" in text
        assert f"Kode verifikasi: {code}" in text
        assert "LEMBAR PENGESAHAN" in text

        found = await bot.verifier.verify(code)
        assert found is not None
        assert (found.case_code, found.signer, found.version, found.draft_sha256) == (
            "LKT-2026-TW2",
            "kadin",
            2,
            signed["sha256"],
        )
        assert found.final_files == (
            ("Laporan_Kinerja_TW2_2026_Disdik_final.docx", finals[0].payload["sha256"]),
        )
        assert await bot.verifier.verify("AAAA-BBBB-CC") is None


async def test_a_pdf_draft_is_sent_as_signed_with_the_approval_sheet_beside_it(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    draft = b"%PDF-1.4\n% draf laporan\n"
    async with running_bot(tmp_path, clock) as bot:
        case_id = await start_and_dispose(bot)
        await bot.worker.start()
        state = await sign(bot, case_id, draft)
        await bot.worker.run_pending()
        sent = {(f.officer_key, f.payload["filename"]) for f in await sent_files(bot)}
        for officer in ("kadin", "sekretaris", "kasubag"):
            assert (officer, "Laporan_Kinerja_TW2_2026_Disdik_final.pdf") in sent
            assert (officer, "Lembar_Pengesahan_TW2_2026_Disdik.docx") in sent
        final = next(
            f for f in await sent_files(bot) if f.payload["filename"].endswith("final.pdf")
        )
        assert await bot.h.service.files.get(final.payload["sha256"]) == draft
        assert final.payload["sha256"] == state.data["tanda_tangan"]["sha256"]


def broken_templates(folder: Path) -> Path:
    """The shipped templates, with a disposition template damaged beyond reading."""
    shutil.copytree(TEMPLATE_DIR, folder)
    (folder / "lembar_disposisi.docx").write_bytes(b"not a docx")
    return folder


async def test_a_broken_template_is_retried_then_reported_to_the_admins(tmp_path: Path) -> None:
    settings = DocumentSettings(template_dir=broken_templates(tmp_path / "templat"))
    async with running_bot(tmp_path, FakeClock(START), settings=settings) as bot:
        await start_and_dispose(bot)
        await bot.worker.start()
        assert await pending_jobs(bot) == ["render:lembar_disposisi"]
        await bot.worker.run_pending()
        await bot.worker.run_pending()
        assert await pending_jobs(bot) == []
        async with reading(bot.h.db) as tx:
            notices = [
                r
                for r in await tx.outbox.all()
                if "tidak dapat dibuat" in r.payload.get("text", "")
            ]
        assert [(n.officer_key, n.payload["text"]) for n in notices] == [
            (
                "sekretaris",
                "⚠️ Dokumen Lembar Disposisi untuk <b>LKT-2026-TW2</b> tidak dapat dibuat setelah "
                "beberapa kali dicoba. Mohon periksa templat dokumen; rinciannya tercatat di log "
                "bot.",
            ),
            (
                "tg:555",
                "⚠️ Dokumen Lembar Disposisi untuk <b>LKT-2026-TW2</b> tidak dapat dibuat setelah "
                "beberapa kali dicoba. Mohon periksa templat dokumen; rinciannya tercatat di log "
                "bot.",
            ),
        ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
async def test_the_pdf_copy_follows_the_docx_and_survives_a_restart(tmp_path: Path) -> None:
    clock = FakeClock(START)
    converter = PdfConverter(max_parallel=1, timeout=120)
    async with running_bot(tmp_path, clock, converter=converter) as bot:
        case_id = await start_and_dispose(bot)
        await bot.worker.start()  # the .docx is in the outbox; its PDF job has started
        assert len(await sent_files(bot)) == 3
        # Stopped before LibreOffice finished: the PDF job waits for the next start.
    assert not (await _pdfs(tmp_path, clock))
    converter = PdfConverter(max_parallel=1, timeout=120)
    async with running_bot(tmp_path, clock, converter=converter) as bot:
        await bot.worker.start()
        await bot.worker.idle()
        assert await pending_jobs(bot) == []
        # Made ahead, offered under each .docx ("PDF"), sent to whoever presses it.
        docx_rows = await sent_files(bot)
        assert [f.payload["filename"] for f in docx_rows] == [
            "Lembar_Disposisi_TW2_2026_Disdik.docx"
        ] * 3
        on_demand = OnDemandFiles(bot.h.db, Catalogue.load(), clock, directory(), "default")
        for row in docx_rows:
            [[button]] = row.payload["buttons"]
            assert button["text"] == "PDF"
            assert row.officer_key is not None
            pressed = parse_document(button["data"])
            assert pressed is not None
            assert await on_demand.document(row.officer_key, *pressed) is Pressed.SENDING
        names = [f.payload["filename"] for f in await sent_files(bot)]
        assert names[3:] == ["Lembar_Disposisi_TW2_2026_Disdik.pdf"] * 3
        pdf = await bot.h.service.files.get((await sent_files(bot))[3].payload["sha256"])
        assert pdf.startswith(b"%PDF-")
        assert (await documents(bot, case_id))[-1] == (
            "lembar_disposisi",
            "pdf",
            "Lembar_Disposisi_TW2_2026_Disdik.pdf",
        )


async def _pdfs(root: Path, clock: FakeClock) -> list[OutboxRow]:
    async with running_bot(root, clock) as bot:
        return [f for f in await sent_files(bot) if f.payload["filename"].endswith(".pdf")]
