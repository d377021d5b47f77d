"""/tugas, /status, /riwayat and /berkas in chat: what an officer reads and downloads."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.sop import StepKind
from bot.core.workflow import AttachFile, Cancel, CaseState, Complete, Return, Tick, Untick
from demo.stage import Stage, stage
from fakegram import BotMessage, FakeUser
from tests.support.chat import press
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER, next_happy_action
from tests.support.local_time import at_local

EXPECTED = Path(__file__).resolve().parent / "expected"
START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REASON = "Tabel capaian belum sesuai format baku"
TITLE_1 = "Memerintahkan untuk menyusun laporan periodik (triwulan)"
SHORT_1 = "Disposisi Kepala Dinas"


# -- driving the case through the service, as the officers' buttons would -------------


async def open_case(st: Stage, period: str = "TW2") -> CaseState:
    transition = await st.runtime.service.start_case(
        "kadin", "pelaporan_kinerja", period, 2026, LETTER
    )
    await settle(st)
    return transition.state


async def settle(st: Stage) -> None:
    await st.runtime.deliver()
    await st.settle()


def clock(st: Stage) -> FakeClock:
    assert isinstance(st.runtime.clock, FakeClock)
    return st.runtime.clock


def draft_bytes(step_key: str, round_: int) -> bytes:
    return tiny_docx(f"{step_key} putaran {round_}")


async def step(st: Stage, case_id: int, *, minutes: int = 5) -> None:
    """The next action on the straight path, `minutes` after the last one.

    Drafts are real files in the store (the engine alone would accept any hash), so that
    /berkas can send them back. Delivery waits for `settle`.
    """
    clock(st).advance(minutes=minutes)
    service = st.runtime.service
    state = await service.case(case_id)
    ctx = await service.context_for(state)
    actor, action = next_happy_action(ctx, state)
    task = state.task(getattr(action, "task", 0))
    assert task is not None
    if isinstance(action, AttachFile):
        name = "konsep.docx" if task.step_key == "konsep" else f"draf_{task.round}.docx"
        data = draft_bytes(task.step_key, task.round)
        action = AttachFile(action.task, await service.store_upload(data, name, DOCX))
    elif isinstance(action, Complete) and ctx.sop.step(task.step_key).kind is StepKind.ACTION:
        action = Complete(action.task, {"instruksi": "Segera susun laporan"})
    await service.act(actor, case_id, action)


async def walk_until(st: Stage, case_id: int, step_key: str) -> None:
    while (await st.runtime.service.case(case_id)).step_key != step_key:
        await step(st, case_id)
    await settle(st)


async def walk_with_a_return(st: Stage) -> CaseState:
    """Steps 1-4 every 5 minutes from 08.00; step 5 returns the draft at 09.00, step 4
    is done again by 09.10, and step 5 approves it late, on Tuesday at 10.00."""
    case = await open_case(st)
    await walk_until(st, case.id, "periksa")
    clock(st).advance(minutes=5)
    state = await st.runtime.service.case(case.id)
    seq = await task_seq(st, case.id, "sekretaris")
    await st.runtime.service.act("sekretaris", case.id, Return(seq, REASON, state.latest_version))
    await walk_until(st, case.id, "periksa")
    clock(st).set(at_local(2026, 7, 7, 10, 0))
    await step(st, case.id, minutes=0)
    await settle(st)
    return case


async def task_seq(st: Stage, case_id: int, officer: str) -> int:
    state = await st.runtime.service.case(case_id)
    return next(t.seq for t in state.open_tasks() if t.assignee == officer)


# -- reading the chat -------------------------------------------------------------------


async def ask(st: Stage, user: FakeUser, text: str) -> list[BotMessage]:
    """Send a command; the messages the bot answered with."""
    before = len(user.transcript)
    user.send_text(text)
    await st.settle()
    return user.transcript[before:]


async def forge(st: Stage, user: FakeUser, data: str) -> str:
    query = user.forge_callback(data, None)
    await st.settle()
    return user.callback_answer(query).text or ""


# -- /tugas -----------------------------------------------------------------------------


async def test_tugas_lists_overdue_tasks_first_and_shows_a_task_again(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await open_case(st)  # step 1 due Monday 08.10
        clock(st).set(at_local(2026, 7, 7, 9, 55))
        await open_case(st, "TW1")  # step 1 due Tuesday 10.05
        clock(st).set(at_local(2026, 7, 7, 10, 0))
        kadin = st.user("kadin")
        [answer] = await ask(st, kadin, "/tugas")

        assert answer.text == (
            "Tugas yang menunggu Bapak/Ibu (2)\n\n"
            f"⚠️ LKT-2026-TW2 · Langkah 1: {SHORT_1}\n"
            "Batas waktu: Senin, 6 Juli 2026 pukul 08.10 WIB — terlambat 1 hari 1 jam 50 menit\n\n"
            f"• LKT-2026-TW1 · Langkah 1: {SHORT_1}\n"
            "Batas waktu: Selasa, 7 Juli 2026 pukul 10.05 WIB\n\n"
            "Tekan tombol di bawah untuk menampilkan kembali pesan tugasnya."
        )
        assert answer.button_texts == ["LKT-2026-TW2 · Langkah 1", "LKT-2026-TW1 · Langkah 1"]
        assert answer.entity_texts("bold")[:2] == [
            "Tugas yang menunggu Bapak/Ibu (2)",
            "LKT-2026-TW2",
        ]

        original = kadin.transcript[0]
        assert await press(st, kadin, answer, "LKT-2026-TW2 · Langkah 1") == (
            "Pesan tugas dikirim ulang."
        )
        again = kadin.transcript[-1]
        assert again.text == (
            "🔁 Pesan tugas ini ditampilkan kembali atas permintaan Bapak/Ibu.\n\n"
            f"LKT-2026-TW2 · Langkah 1: {TITLE_1}\n"
            "Kelengkapan: Surat masuk\n"
            "Keluaran: Disposisi Pimpinan\n"
            "Mutu baku waktu: 10 menit\n"
            "Batas waktu: Senin, 6 Juli 2026 pukul 08.10 WIB\n\n"
            "Surat masuk dari Bupati Contoh\n"
            "Nomor 050/123/2026, tanggal 1 Juli 2026\n"
            "Perihal: Penyampaian Laporan Kinerja Triwulan II\n"
            "Nomor agenda 0456 · Sifat: segera"
        )
        assert again.button_texts == ["Disposisikan"]

        # The message shown again is now the task's message: acting edits that one.
        await step(st, 1, minutes=1)
        await settle(st)
        edited = kadin.message(again.message_id)
        assert edited.buttons == []
        assert edited.text.endswith(
            "✅ Selesai oleh Dr. H. Ahmad Santoso, M.Pd. pada Selasa, 7 Juli 2026 pukul 10.01 WIB"
        )
        assert kadin.message(original.message_id).text == original.text

        [answer] = await ask(st, kadin, "/tugas")
        assert answer.button_texts == ["LKT-2026-TW1 · Langkah 1"]
        [answer] = await ask(st, st.user("kasubag"), "/tugas")
        assert answer.text == "Tidak ada tugas yang menunggu tindakan Bapak/Ibu."
        assert answer.buttons == []


async def test_a_task_button_of_someone_else_or_of_a_closed_task_changes_nothing(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await open_case(st)
        staf = st.user("staf_1")
        before = len(staf.transcript)
        assert await forge(st, staf, "q:t:1:1") == (
            "Mohon maaf, tugas ini tidak ditujukan kepada Bapak/Ibu."
        )
        await step(st, 1)
        await settle(st)
        kadin = st.user("kadin")
        count = len(kadin.transcript)
        assert await forge(st, kadin, "q:t:1:1") == "Tindakan ini sudah tercatat sebelumnya."
        assert await forge(st, kadin, "q:t:1") == "Tombol ini sudah tidak berlaku."
        assert len(kadin.transcript) == count and len(staf.transcript) == before


# -- /status ----------------------------------------------------------------------------


async def test_status_shows_every_running_case_with_holders_and_time(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        case = await open_case(st)
        await open_case(st, "TW1")
        await walk_until(st, case.id, "periksa_kabid")  # step 7 begins at 09.05
        await step(st, case.id)  # the first Kabid approves at 09.10
        clock(st).set(at_local(2026, 7, 6, 9, 25))
        [answer] = await ask(st, st.user("staf_2"), "/status")

        # The counts first, then the late case before the one still in time.
        assert answer.text == (
            "Proses yang sedang berjalan (2)\n"
            "Terlambat: 1 · dalam batas waktu: 1\n\n"
            f"LKT-2026-TW1 · Langkah 1: {SHORT_1}\n"
            "Pemegang: Dr. H. Ahmad Santoso, M.Pd.\n"
            "⚠️ Waktu terpakai 1 jam 25 menit dari mutu baku 10 menit; "
            "terlambat 1 jam 15 menit dari batas waktu Senin, 6 Juli 2026 pukul 08.10 WIB\n\n"
            f"LKT-2026-TW2 · Langkah 7: Pemeriksaan Kepala Bidang\n"
            "Sudah: Drs. Bambang Hermawan\n"
            "Belum: Dewi Lestari, S.Pd., M.Pd.; Ir. Yusuf Hidayat\n"
            "Waktu terpakai 20 menit dari mutu baku 60 menit; "
            "batas waktu Senin, 6 Juli 2026 pukul 10.05 WIB"
        )
        assert answer.buttons == []  # one page: nothing to turn


async def open_many(st: Stage, count: int) -> list[CaseState]:
    """`count` cases (TW1..TW4 of 2020 onwards), a minute apart: the first is the latest."""
    periods = [(y, p) for y in range(2020, 2031) for p in ("TW1", "TW2", "TW3", "TW4")]
    cases = []
    for year, period in periods[:count]:
        transition = await st.runtime.service.start_case(
            "kadin", "pelaporan_kinerja", period, year, LETTER
        )
        cases.append(transition.state)
        clock(st).advance(minutes=1)
    await settle(st)
    return cases


def admin(st: Stage) -> str:
    """Who may cancel a case (the front-office admin)."""
    return st.runtime.directory.admins()[0]


def codes_in(text: str) -> list[str]:
    return [line.split(" · ")[0] for line in text.split("\n") if line.startswith("LKT-")]


async def test_status_of_many_cases_is_one_message_turned_a_page_at_a_time(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        cases = await open_many(st, 17)
        clock(st).set(at_local(2026, 7, 6, 8, 15))  # the first 7 are late (due 08.10-08.16)
        staf = st.user("staf_2")
        [answer] = await ask(st, staf, "/status")
        codes = [c.code for c in cases]

        lines = answer.text.split("\n")
        assert lines[:2] == [
            "Proses yang sedang berjalan (17)",
            "Terlambat: 5 · dalam batas waktu: 12",
        ]
        assert codes_in(answer.text) == codes[:8]  # the most overdue first
        assert lines[-1] == "Halaman 1 dari 3"
        assert answer.button_texts == ["Berikutnya ▶️"]

        assert await press(st, staf, answer, "Berikutnya ▶️") == ""
        second = staf.message(answer.message_id)  # the same message, edited
        assert codes_in(second.text) == codes[8:16]
        assert second.text.split("\n")[:2] == lines[:2]
        assert second.text.endswith("Halaman 2 dari 3")
        assert second.button_texts == ["◀️ Sebelumnya", "Berikutnya ▶️"]

        await press(st, staf, second, "Berikutnya ▶️")
        last = staf.message(answer.message_id)
        assert codes_in(last.text) == codes[16:]
        assert last.text.endswith("Halaman 3 dari 3")
        assert last.button_texts == ["◀️ Sebelumnya"]
        await press(st, staf, last, "◀️ Sebelumnya")
        assert staf.message(answer.message_id).text == second.text
        assert len(staf.transcript) == 1  # every page in the one message

        # Cases closed meanwhile: a page button from before shows the last page there is.
        for case in cases[:9]:
            await st.runtime.service.act(admin(st), case.id, Cancel("Salah periode laporan"))
        await settle(st)
        staf.forge_callback("pg:s:3", answer.message_id)
        await st.settle()
        stale = staf.message(answer.message_id)
        assert stale.text.startswith("Proses yang sedang berjalan (8)")
        assert codes_in(stale.text) == codes[9:]
        assert stale.button_texts == []
        assert await forge(st, staf, "pg:s:0") == "Tombol ini sudah tidak berlaku."


async def test_status_without_running_cases(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        [answer] = await ask(st, st.user("kadin"), "/status")
        assert answer.text == "Tidak ada proses yang sedang berjalan."


# -- /riwayat ---------------------------------------------------------------------------

# What /riwayat shows after `walk_with_a_return`, as the officer reads it.
HISTORY = (EXPECTED / "riwayat_with_return.txt").read_text(encoding="utf-8").rstrip("\n")


async def test_riwayat_tells_who_did_what_when_with_reasons_and_performance(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await walk_with_a_return(st)
        clock(st).advance(minutes=5)
        kabid = st.user("kabid_1")  # not involved yet: every officer may read the trail
        [answer] = await ask(st, kabid, "/riwayat lkt-2026-tw2")
        assert answer.text == HISTORY
        assert "Kinerja per langkah" in answer.entity_texts("bold")

        [choose] = await ask(st, kabid, "/riwayat")
        assert choose.text == "Riwayat proses mana yang ingin Bapak/Ibu lihat?"
        assert choose.button_texts == ["LKT-2026-TW2 (berjalan)"]
        await press(st, kabid, choose, "LKT-2026-TW2 (berjalan)")
        assert kabid.transcript[-1].text == HISTORY

        [answer] = await ask(st, kabid, "/riwayat LKT-2099-TW9")
        assert answer.text == (
            'Kode proses "LKT-2099-TW9" tidak ditemukan. Mohon periksa kembali penulisannya.'
        )


async def test_riwayat_of_a_finished_case_comes_in_two_pieces_with_the_totals(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        case = await open_case(st)
        while (await st.runtime.service.case(case.id)).status.value == "open":
            await step(st, case.id)
        await settle(st)
        lina = st.user("sakip_1")  # no task ended up hers: no documents arrive meanwhile
        trail, table = await ask(st, lina, "/riwayat LKT-2026-TW2")

        # The trail fills the first message; the table stays together in the second.
        assert len(trail.text) <= 4096 and len(table.text) <= 4096
        assert trail.text.startswith("Riwayat LKT-2026-TW2 · SOP Pelaporan Kinerja")
        assert trail.text.endswith(
            "06/07/2026 09.55 WIB · Langkah 11 · Maya Sari, A.Md.: menyelesaikan langkah\n"
            "06/07/2026 09.55 WIB · ✅ Proses selesai."
        )
        rows = table.text.split("\n")
        assert rows[0] == "Kinerja per langkah"
        assert rows[7] == (
            "7. Memeriksa draft Laporan Periodik jika setuju maka diparaf… "
            "— baku 60 menit, terpakai 15 menit: ✅ tepat waktu"
        )
        assert rows[11] == (
            "11. Menggandakan dan mendistribusikan — baku 60 menit, terpakai 20 menit: "
            "✅ tepat waktu"
        )
        # 1 minggu + 3 hari + 1 hari + 5 jam 30 menit, as the SOP adds up.
        assert rows[12] == (
            "Total waktu kerja 1 jam 55 menit dari jumlah mutu baku 9 hari 5 jam 30 menit; "
            "langkah terlambat: 0."
        )
        assert len(rows) == 13
        [choose] = await ask(st, lina, "/riwayat")
        assert choose.button_texts == ["LKT-2026-TW2 (selesai)"]


async def test_a_long_history_arrives_in_pieces_under_the_limit(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        case = await open_case(st)
        await step(st, case.id)  # the checklist of step 2 is open
        seq = await task_seq(st, case.id, "sakip_ketua")
        for _ in range(40):
            for action in (
                Tick(seq, "RENSTRA", proof_ref="SRIKANDI/800/1"),
                Untick(seq, "RENSTRA"),
            ):
                clock(st).advance(minutes=1)
                await st.runtime.service.act("sakip_ketua", case.id, action)
        await settle(st)
        pieces = await ask(st, st.user("sekretaris"), "/riwayat LKT-2026-TW2")

        assert len(pieces) == 3
        assert all(len(p.text) <= 4096 and p.kind == "text" for p in pieces)
        assert pieces[0].text.startswith("Riwayat LKT-2026-TW2 · SOP Pelaporan Kinerja")
        assert pieces[-1].text.endswith("langkah terlambat: 0.")
        lines = [line for p in pieces for line in p.text.split("\n") if line]
        ticks = [line for line in lines if "mencentang RENSTRA (bukti: SRIKANDI/800/1)" in line]
        unticks = [line for line in lines if line.endswith(": membatalkan centang RENSTRA")]
        assert len(ticks) == len(unticks) == 40
        assert lines[-1].startswith("Waktu kerja sejauh ini 1 jam 25 menit;")


# -- /berkas ----------------------------------------------------------------------------


async def test_berkas_sends_the_latest_draft_and_any_older_version(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await walk_with_a_return(st)
        kabid = st.user("kabid_2")
        document, listing = await ask(st, kabid, "/berkas LKT-2026-TW2")

        assert document.kind == "document" and document.document is not None
        assert document.document.filename == "draf_2.docx"
        assert kabid.downloaded_document(document) == draft_bytes("ketik", 2)
        assert document.text == "LKT-2026-TW2 · versi 3: draf_2.docx"
        assert listing.text == (
            "Draf LKT-2026-TW2\n"
            "Versi 1: konsep.docx — Hendra Gunawan, S.E., 06/07/2026 08.40 WIB, 306 byte\n"
            "Versi 2: draf_1.docx — Agus Salim, 06/07/2026 08.50 WIB, 305 byte\n"
            "Versi 3 (terbaru): draf_2.docx — Agus Salim, 06/07/2026 09.05 WIB, 305 byte\n"
            "Tekan tombol di bawah untuk mengunduh versi sebelumnya."
        )
        assert listing.button_texts == ["Versi 1", "Versi 2"]

        await press(st, kabid, listing, "Versi 1")
        older = kabid.transcript[-1]
        assert older.text == "LKT-2026-TW2 · versi 1: konsep.docx"
        assert kabid.downloaded_document(older) == draft_bytes("konsep", 1)

        # A file damaged on disk is reported, never sent.
        state = await st.runtime.service.case(1)
        damaged = next(d for d in state.drafts if d.number == 2)
        st.runtime.files.path_of(damaged.sha256).write_bytes(b"rusak")
        count = len(kabid.transcript)
        await press(st, kabid, listing, "Versi 2")
        assert len(kabid.transcript) == count + 1
        assert kabid.transcript[-1].kind == "text"
        assert kabid.transcript[-1].text == (
            "⚠️ Berkas versi 2 (draf_1.docx) rusak di penyimpanan sehingga tidak dikirim. "
            "Mohon hubungi admin untuk memulihkannya dari cadangan."
        )
        assert await forge(st, kabid, "q:f:1:7") == "Versi 7 tidak ada pada proses ini."


async def test_riwayat_without_a_code_pages_through_every_case(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        cases = await open_many(st, 23)
        for case in cases[:2]:  # the oldest two are closed: they come last
            await st.runtime.service.act(admin(st), case.id, Cancel("Salah periode laporan"))
        await settle(st)
        kabid = st.user("kabid_1")
        [choose] = await ask(st, kabid, "/riwayat")
        running = [f"{c.code} (berjalan)" for c in reversed(cases[2:])]
        cancelled = [f"{c.code} (dibatalkan)" for c in reversed(cases[:2])]

        assert choose.text == "Riwayat proses mana yang ingin Bapak/Ibu lihat?"
        assert choose.button_texts == [*running[:10], "Berikutnya ▶️"]
        await press(st, kabid, choose, "Berikutnya ▶️")
        second = kabid.message(choose.message_id)
        assert second.text == choose.text
        assert second.button_texts == [*running[10:20], "◀️ Sebelumnya", "Berikutnya ▶️"]
        await press(st, kabid, second, "Berikutnya ▶️")
        last = kabid.message(choose.message_id)
        assert last.button_texts == [*running[20:], *cancelled, "◀️ Sebelumnya"]

        await press(st, kabid, last, cancelled[-1])
        assert kabid.transcript[-1].text.startswith(f"Riwayat {cases[0].code}")
        kabid.forge_callback("pg:h:9", choose.message_id)  # past the end: the last page
        await st.settle()
        assert kabid.message(choose.message_id).button_texts == last.button_texts


async def test_berkas_without_a_code_offers_the_cases(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        [answer] = await ask(st, st.user("kasubag"), "/berkas")
        assert answer.text == "Belum ada proses yang tercatat."
        await open_case(st)
        kasubag = st.user("kasubag")
        [choose] = await ask(st, kasubag, "/berkas")
        assert choose.text == "Draf proses mana yang ingin Bapak/Ibu lihat?"
        await press(st, kasubag, choose, "LKT-2026-TW2 (berjalan)")
        assert kasubag.transcript[-1].text == "Belum ada draf pada LKT-2026-TW2."


# -- who may ask --------------------------------------------------------------------------


async def test_strangers_get_no_answers(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await open_case(st)
        stranger = st.fake.user(4242, "Orang Asing", started=True)
        refused = (
            "Mohon maaf, Bapak/Ibu belum terdaftar sebagai pengguna bot ini. "
            "Untuk pendaftaran: Dinas Pendidikan, silakan hubungi sekretariat."
        )
        for command in ("/tugas", "/status", "/riwayat LKT-2026-TW2", "/berkas LKT-2026-TW2"):
            [answer] = await ask(st, stranger, command)
            assert answer.text == refused, command
            assert answer.buttons == []
        assert await forge(st, stranger, "q:h:1") == refused
        assert await forge(st, stranger, "q:t:1:1") == refused
        assert len(stranger.transcript) == 4  # the presses sent nothing into the chat
        # The front-office admin is no officer but may look.
        [answer] = await ask(st, st.fake.user(1099, "Admin", started=True), "/status")
        assert answer.text.startswith("Proses yang sedang berjalan (1)")
