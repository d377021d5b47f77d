"""Acting officials and reassignment through the real bot: a Plh Kadin signs, an absent
official's open tasks go to the stand-in and back, an admin reassigns a task mid-step,
and a removed officer's tasks are reported at start."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.ptb.jobs import plan_acting
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import FakeTelegram, FakeUser
from tests.support.chat import (
    START,
    collect,
    dispose,
    kabids_approve,
    press,
    say,
    start_case,
    task_message,
    to_parallel_review,
    write_drafts,
)
from tests.support.docs import docx_text, real_docx
from tests.support.local_time import JAKARTA, at_local

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice")
FINAL = "Laporan_Kinerja_TW2_2026_Disdik_final.docx"
KABID_1 = "Drs. Bambang Hermawan"


async def record_plh(st: Stage, start: str, end: str) -> str:
    """The Sekretaris (an admin) records in chat that she is Plh Kadin; her last message."""
    sek = st.user("sekretaris")
    await say(st, sek, "/wakil")
    await press(st, sek, sek.transcript[-1], "Plh (berhalangan sementara)")
    await press(
        st, sek, sek.transcript[-1], "Dr. H. Ahmad Santoso, M.Pd. (Kepala Dinas Pendidikan)"
    )
    stand_in = next(b for b in sek.transcript[-1].button_texts if b.startswith("Sri Wahyuni"))
    await press(st, sek, sek.transcript[-1], stand_in)
    await press(st, sek, sek.transcript[-1], "Sekretaris Daerah")
    await say(st, sek, "800/12/SP/2026 2026-07-03")
    return (await say(st, sek, f"{start} {end}")).text


async def walk_to_step_7(st: Stage) -> None:
    """From the disposition to the three Kabid's parallel review (step 7), on real Word
    files: the Plh's signature is read back from the signed report."""
    await collect(st)
    await write_drafts(
        st, real_docx("Laporan Kinerja Triwulan II"), concept=real_docx("Konsep laporan")
    )
    await to_parallel_review(st)


async def next_acting_change(st: Stage, clock: FakeClock, expected: datetime) -> datetime:
    """Move the clock to when the acting job is planned and hand one task over there, as
    the job would; the instant, checked against `expected` before the clock moves."""
    when = await plan_acting(st.app, st.runtime)
    assert when == expected
    clock.set(when)
    assert await st.runtime.acting.apply_due(when) == 1
    await st.runtime.deliver()
    return when


async def case_history(st: Stage, user: FakeUser) -> str:
    """What /riwayat answers the user, as one text: the trail, then the step performance
    (two messages), so a test finds a line in either."""
    before = len(user.transcript)
    await say(st, user, "/riwayat LKT-2026-TW2")
    return "\n".join(m.text for m in user.transcript[before:])


def last_text(user: FakeUser) -> str:
    return user.transcript[-1].text


@needs_soffice
async def test_a_case_runs_to_its_report_signed_by_the_plh_kadin(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st)
        recorded = await record_plh(st, "2026-07-06", "2026-07-10")
        assert recorded.startswith("✅ Tercatat: Plh. Kepala Dinas Pendidikan, Sri Wahyuni")
        kadin = st.user("kadin")
        assert "menjadi Plh. Kepala Dinas Pendidikan sejak 6 Juli 2026" in last_text(kadin)

        await walk_to_step_7(st)
        await kabids_approve(st)
        sek = st.user("sekretaris")
        await press(st, sek, task_message(sek, 8), "Paraf")
        signing = task_message(sek, 9)
        assert "sebagai Plh. Kepala Dinas Pendidikan" in signing.text
        assert "Surat Perintah 800/12/SP/2026" in signing.text
        assert not [m for m in kadin.transcript if "Langkah 9:" in m.text]
        await press(st, sek, signing, "Tanda tangani")
        await press(st, sek, sek.message(signing.message_id), "Ya, tanda tangani")

        [final] = [
            m for m in sek.transcript if m.document is not None and m.document.filename == FINAL
        ]
        text = docx_text(sek.downloaded_document(final))
        plh = st.config.officer("sekretaris")
        assert "Plh. KEPALA DINAS PENDIDIKAN" in text
        assert plh.name in text and plh.nip_formatted in text
        assert st.config.officer("kadin").name not in text.split("LEMBAR PENGESAHAN")[-1]
        code = re.search(r"Kode verifikasi: ([A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{2})", text)
        assert code is not None
        checked = await say(st, st.user("staf_1"), f"/verifikasi {code.group(1)}")
        assert f"Ditandatangani oleh: {plh.name}, Plh. Kepala Dinas Pendidikan" in checked.text

        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None
        _, trail = await st.runtime.service.history(case)
        [sign] = [e for e in trail if e.action == "sign"]
        assert sign.actor == "sekretaris"
        assert sign.data["acting"]["for"] == "kadin"
        assert sign.data["acting"]["letter"] == "800/12/SP/2026"
        history = await case_history(st, sek)
        assert (
            "Sri Wahyuni, S.E., M.M.: menandatangani draf versi 2, sebagai Plh. Kepala Dinas "
            "Pendidikan (Surat Perintah 800/12/SP/2026)"
        ) in history


async def test_open_tasks_go_to_the_stand_in_on_the_start_day_and_back_after_the_end(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await start_case(st)
        kadin, sek = st.user("kadin"), st.user("sekretaris")
        first = task_message(kadin, 1)
        deadline = re.search(r"Batas waktu: (.*)", first.text)
        assert deadline is not None
        await record_plh(st, "2026-07-07", "2026-07-07")
        assert task_message(kadin, 1).buttons  # not yet: the letter starts tomorrow

        await next_acting_change(st, clock, at_local(2026, 7, 7, 0, 0))
        held = task_message(sek, 1)
        assert "Tugas ini Bapak/Ibu terima sebagai Plh. Kepala Dinas Pendidikan" in held.text
        assert f"Batas waktu: {deadline.group(1)}" in held.text  # the deadline is unchanged
        assert held.button_texts == ["Disposisikan"]
        old = task_message(kadin, 1)
        assert old.buttons == [] and "kini dipegang Sri Wahyuni" in old.text
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None and case.open_tasks()[0].assignee == "sekretaris"
        assert "Tugas Bapak/Ibu yang masih terbuka (1)" in last_text(kadin)

        when = await next_acting_change(st, clock, at_local(2026, 7, 8, 0, 0))
        back = task_message(kadin, 1)
        assert back.button_texts == ["Disposisikan"] and "kembali kepada Bapak/Ibu" in back.text
        assert task_message(sek, 1).buttons == []
        assert when.astimezone(JAKARTA).hour == 0
        await press(st, kadin, back, "Disposisikan")
        assert "instruksi disposisi" in last_text(kadin)
        history = await case_history(st, sek)
        assert (
            "Langkah 1 · Sistem: tugas Dr. H. Ahmad Santoso, M.Pd. kini dipegang Sri Wahyuni, "
            "S.E., M.M. sebagai Plh. (Surat Perintah 800/12/SP/2026)"
        ) in history
        assert (
            "Langkah 1 · Sistem: tugas kembali kepada Dr. H. Ahmad Santoso, M.Pd. "
            "(akhir Surat Perintah 800/12/SP/2026)"
        ) in history


async def test_an_admin_reassigns_a_task_mid_step(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await dispose(st)
        await walk_to_step_7(st)
        kabid_1, kabid_3 = st.user("kabid_1"), st.user("kabid_3")
        await press(st, st.user("kabid_2"), task_message(st.user("kabid_2"), 7), "Setujui")
        case = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert case is not None
        [seq] = [t.seq for t in case.open_tasks() if t.assignee == "kabid_1"]
        sek = st.user("sekretaris")
        staf = st.user("staf_1")
        refused = await say(st, staf, f"/alihkan LKT-2026-TW2 {seq} kabid_3 Sedang diklat")
        assert "tidak memiliki kewenangan" in refused.text
        wrong = await say(st, sek, f"/alihkan LKT-2026-TW2 {seq} kasubag Sedang diklat")
        assert "hanya dapat dialihkan kepada pejabat lain dengan peran kabid" in wrong.text
        done = await say(st, sek, f"/alihkan LKT-2026-TW2 {seq} kabid_3 Sedang diklat di Jakarta")
        assert done.text == (
            f"Tugas #{seq} pada LKT-2026-TW2 dialihkan dari {KABID_1} kepada Ir. Yusuf Hidayat."
        )
        old = task_message(kabid_1, 7)
        assert old.buttons == [] and "dialihkan kepada Ir. Yusuf Hidayat" in old.text
        assert "Sedang diklat di Jakarta" in old.text
        mine = [m for m in kabid_3.transcript if "Langkah 7:" in m.text and m.buttons]
        assert len(mine) == 2  # their own review and the one reassigned to them
        assert "Alasan: Sedang diklat di Jakarta" in mine[-1].text
        history = await case_history(st, sek)
        assert (
            f"Sri Wahyuni, S.E., M.M.: mengalihkan tugas dari {KABID_1} kepada Ir. Yusuf "
            "Hidayat. Alasan: Sedang diklat di Jakarta"
        ) in history
        for message in mine:
            assert await press(st, kabid_3, message, "Setujui") == "✓ Tercatat."
        assert "Langkah 8:" in task_message(sek, 8).text


async def test_a_removed_officer_s_tasks_are_named_to_the_admins_at_start(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        async with stage(tmp_path, clock, fake=fake) as st:
            await start_case(st)
            await dispose(st)
            await walk_to_step_7(st)
        config = tmp_path / "config.toml"
        text = config.read_text(encoding="utf-8")
        block = re.search(
            r"\[\[officers\]\]\nkey = \"kabid_3\".*?(?=\n\[\[officers\]\])", text, re.S
        )
        assert block is not None
        config.write_text(text.replace(block.group(0), ""), encoding="utf-8")
        async with stage(tmp_path, clock, fake=fake) as st:
            sek = st.user("sekretaris")
            await fake.wait_for(lambda: "kabid_3 tidak ada lagi" in last_text(sek), 10)
            notice = last_text(sek)
            assert "masih memegang 1 tugas terbuka" in notice
            assert "LKT-2026-TW2 langkah 7" in notice
            assert "/alihkan" in notice


async def test_wakil_refuses_a_wrong_letter_and_says_why(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        kabid = st.user("kabid_1")
        assert "hanya admin" in (await say(st, kabid, "/wakil")).text
        sek = st.user("sekretaris")
        await say(st, sek, "/wakil")
        await press(st, sek, sek.transcript[-1], "Plt (jabatan lowong)")
        await press(
            st, sek, sek.transcript[-1], "Dr. H. Ahmad Santoso, M.Pd. (Kepala Dinas Pendidikan)"
        )
        question = sek.transcript[-1]
        assert question.text == "Siapa yang ditunjuk sebagai Plt. Kepala Dinas Pendidikan?"
        await press(st, sek, question, f"{KABID_1} (Kepala Bidang Pembinaan PAUD)")
        await press(st, sek, sek.transcript[-1], "Bupati")
        asked_again = await say(st, sek, "800/1/SP/2026")  # the date is missing
        assert asked_again.text.startswith("Mohon ketik nomor surat lalu tanggalnya")
        await say(st, sek, "800/1/SP/2026 2026-07-03")
        answer = await say(st, sek, "2026-07-06 2026-12-31")
        assert (
            answer.text
            == (
                "Drs. Bambang Hermawan (peran kabid) tidak dapat ditunjuk: Plh/Plt harus pejabat "
                "setingkat atau satu tingkat di bawah."
            )
            or "setingkat atau satu tingkat di bawah" in answer.text
        )
        assert await st.runtime.acting.appointments() == []
