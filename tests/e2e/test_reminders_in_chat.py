"""Reminders, escalations and the digest as officers see them in their chats.

The scheduler's own planning decides when the tick runs (`plan_wakeup` returns the
instant it planned); the fake clock is moved there and the tick driven, as the job would.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from bot.ptb.jobs import DIGEST_JOB
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import BotMessage, FakeTelegram, FakeUser
from tests.support.chat import START, dispose_at_eight, next_tick, press, say
from tests.support.local_time import at_local

GATHERING = "LKT-2026-TW2 · Langkah 2: Pengumpulan bahan"
DEADLINE = "Senin, 6 Juli 2026 pukul 10.00 WIB"


def task_card(user: FakeUser, step_number: int) -> BotMessage:
    """The task message itself: reminders name the step and carry its buttons too, but
    they reply to the task's message."""
    marker = f"Langkah {step_number}:"
    return [m for m in user.transcript if marker in m.text and m.buttons and m.reply_to is None][
        -1
    ]


def daily_jobs_planned(st: Stage) -> bool:
    """The start-up job has run to its end: it plans the daily digest last."""
    job_queue = st.app.job_queue
    return job_queue is not None and bool(job_queue.get_jobs_by_name(DIGEST_JOB))


def texts_since(user: FakeUser, count: int) -> list[str]:
    return [m.text for m in user.transcript[count:]]


async def test_the_deadline_reminder_and_the_escalation_reach_the_right_chats(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await dispose_at_eight(st)
        team = [st.user("sakip_ketua"), st.user("sakip_1")]
        sek, kadin = st.user("sekretaris"), st.user("kadin")
        seen = {u.id: len(u.transcript) for u in (*team, sek, kadin)}

        assert await next_tick(st, clock) == "Mon 10.00"
        for member in team:
            assert texts_since(member, seen[member.id]) == [
                f"⏰ Batas waktu {GATHERING} telah tiba ({DEADLINE}). Mohon segera diselesaikan."
            ]
        assert texts_since(sek, seen[sek.id]) == []

        # Two hours of grace end at 12.00, the lunch break: the escalation waits for 13.00.
        # One message for the step, naming both holders (an "any" step).
        assert await next_tick(st, clock) == "Mon 13.00"
        assert texts_since(sek, seen[sek.id]) == [
            f"⚠️ Untuk perhatian Bapak/Ibu: tugas {GATHERING} yang ditugaskan kepada"
            " Hendra Gunawan, S.E., Lina Marlina, S.Kom."
            f" terlambat 2 jam dari batas waktu {DEADLINE}."
        ]
        assert texts_since(kadin, seen[kadin.id]) == []

        assert await next_tick(st, clock) == "Tue 07.30"
        assert team[1].transcript[-1].text == (
            f"⚠️ {GATHERING} terlambat 5 jam dari batas waktu {DEADLINE}."
            " Mohon segera ditindaklanjuti."
        )

        # Once the team acts, nothing more is planned for step 2.
        sakip = team[1]
        for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
            await press(st, sakip, task_card(sakip, 2), f"⬜ {item}")
        await press(st, sakip, task_card(sakip, 2), "Selesai")
        before = {u.id: len(u.transcript) for u in team}
        # Next: step 3 ("1 minggu", given Tuesday 07.30) nudges the team leader at half time.
        assert await next_tick(st, clock) == "Thu 11.15"
        assert texts_since(team[0], before[team[0].id]) == [
            "⏳ Pengingat: separuh waktu untuk LKT-2026-TW2 · Langkah 3: Penyusunan konsep"
            " telah berlalu.\n"
            "Batas waktu: Selasa, 14 Juli 2026 pukul 07.30 WIB"
        ]
        assert texts_since(sakip, before[sakip.id]) == []


async def test_ringkasan_answers_with_the_digest_and_its_button_with_the_case(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await dispose_at_eight(st)
        clock.set(at_local(2026, 7, 6, 10, 30))
        sek = st.user("sekretaris")
        digest = await say(st, sek, "/ringkasan")
        ((head_id, head_hash),) = await st.runtime.db.fetchall(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
        )
        assert digest.text.split("\n") == [
            "Ringkasan tugas per Senin, 6 Juli 2026",
            "1 proses berjalan: 1 terlambat, 0 dalam batas waktu.",
            "",
            "Terlambat",
            f"• {GATHERING} — Hendra Gunawan, S.E., Lina Marlina, S.Kom., terlambat 30 menit",
            "↳ Waktu terpakai 2 jam 30 menit dari mutu baku 2 jam",
            "",
            f"Jejak audit: {head_id}:{head_hash[:20]}",
        ]
        # the Sekretaris's copy carries "Ingatkan" beside the case's details
        assert digest.button_texts == ["Rincian LKT-2026-TW2", "Ingatkan"]

        await press(st, sek, digest, "Rincian LKT-2026-TW2")
        assert sek.transcript[-1].text.split("\n") == [
            "LKT-2026-TW2 · SOP Pelaporan Kinerja",
            "Dimulai oleh Dr. H. Ahmad Santoso, M.Pd. pada Senin, 6 Juli 2026 pukul 08.00 WIB.",
            "",
            "✅ Langkah 1: Disposisi Kepala Dinas —"
            " Dr. H. Ahmad Santoso, M.Pd., Senin, 6 Juli 2026 pukul 08.00 WIB"
            " (waktu 0 menit; mutu baku 10 menit)",
            *[
                f"⚠️ Langkah 2: Pengumpulan bahan — {name}, terlambat 30 menit"
                f" (batas waktu {DEADLINE})"
                for name in ("Hendra Gunawan, S.E.", "Lina Marlina, S.Kom.")
            ],
        ]

        stranger = st.fake.user(4242, "Orang Asing", started=True)
        reply = await say(st, stranger, "/ringkasan")
        assert reply.text.startswith("Mohon maaf, Bapak/Ibu belum terdaftar")
        query = stranger.forge_callback("dg:1", None)
        await st.settle()
        assert stranger.callback_answer(query).text == reply.text
        assert not [m for m in stranger.transcript if "LKT-2026-TW2" in m.text]


async def test_a_restart_after_the_digest_time_sends_the_missed_digest_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock(START)  # Monday 08.00: the first start, after that day's digest time
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        async with stage(tmp_path, clock, fake=fake) as st:
            await dispose_at_eight(st)
            await st.fake.wait_for(lambda: daily_jobs_planned(st))
            sek = st.user("sekretaris")
            assert not [m for m in sek.transcript if m.text.startswith("Ringkasan")]

        clock.set(at_local(2026, 7, 7, 9, 0))  # down over Tuesday's 07.45
        for _restart in range(2):
            async with stage(tmp_path, clock, fake=fake) as st:
                await st.fake.wait_for(lambda: daily_jobs_planned(st))
                sek = st.user("sekretaris")
                sent = [m for m in sek.transcript if m.text.startswith("Ringkasan")]
                assert len(sent) == 1  # and the second start does not send it again
                assert sent[0].text.startswith("Ringkasan tugas per Selasa, 7 Juli 2026")
                assert f"• {GATHERING} — " in sent[0].text
