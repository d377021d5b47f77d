"""Stop the bot mid-case (and mid-dialog), start a new one on the same data: nothing lost."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import FakeTelegram, FakeUser
from tests.support.chat import (
    START,
    press,
    say,
    says,
    start_case,
    task_message,
    to_parallel_review,
    walk_to_review,
)


def message_counts(users: dict[str, FakeUser]) -> Counter[str]:
    return Counter({key: len(user.transcript) for key, user in users.items()})


async def test_a_restart_in_step_7_and_in_a_reason_dialog_loses_nothing(tmp_path: Path) -> None:
    clock = FakeClock(START)
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        async with stage(tmp_path, clock, fake=fake) as st:
            await start_case(st)
            await walk_to_review(st)
            await to_parallel_review(st)
            kabid_1 = st.user("kabid_1")
            await press(st, kabid_1, task_message(kabid_1, 7), "Setujui")
            kabid_2 = st.user("kabid_2")
            await press(st, kabid_2, task_message(kabid_2, 7), "Kembalikan")
            assert "alasan pengembalian" in kabid_2.transcript[-1].text
            before = message_counts(st.users)

        # A new process on the same folder: the reason typed now still belongs to the press.
        async with stage(tmp_path, clock, fake=fake) as st:
            assert message_counts(st.users) == before, "a restart alone sends nothing"
            kabid_2 = st.user("kabid_2")
            await say(st, kabid_2, "Realisasi anggaran Bidang SD belum diperbarui")
            assert kabid_2.transcript[-1].text == "Alasan tercatat dan disampaikan."
            kabid_3 = st.user("kabid_3")
            withdrawn = task_message(kabid_3, 7)
            assert withdrawn.buttons == []
            assert "ditarik" in withdrawn.text
            sek = st.user("sekretaris")
            back = task_message(sek, 5)
            assert "Realisasi anggaran Bidang SD belum diperbarui" in back.text
            after = message_counts(st.users)
            new_messages = after - before
            # Exactly: the Sekretaris's new step-5 task, the reason's acknowledgement to
            # kabid_2; edits change existing messages, not counts. The task is one message:
            # she has the draft already, so it answers that draft rather than resend it.
            assert new_messages == Counter({"sekretaris": 1, "kabid_2": 1})
            assert sek.transcript[before["sekretaris"] :] == [back]
            assert back.button_texts == ["Setujui", "Kembalikan", "PDF", "Rincian"]
            draft = next(m for m in sek.transcript if m.kind == "document")
            assert back.reply_to == draft.message_id

        # And once more: the pending step-5 task is still actionable after another restart.
        async with stage(tmp_path, clock, fake=fake) as st:
            sek = st.user("sekretaris")
            await press(st, sek, task_message(sek, 5), "Setujui")
            # the step-6 task on the draft, and "Urungkan" for the approval just given
            assert task_message(sek, 6).button_texts == [
                "Paraf", "PDF", "Rincian", "Urungkan (s.d. 08.02 WIB)"
            ]  # fmt: skip


async def forget_every_dialog(st: Stage) -> None:
    """As if the dialog's row never reached the disk, while PTB still holds its state."""
    async with st.runtime.db.transaction() as conn:
        await conn.execute("DELETE FROM dialogs")


async def test_an_answer_whose_dialog_is_not_on_record_is_told_so_and_asked_again(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_review(st)
        sek = st.user("sekretaris")
        task = task_message(sek, 5)
        await press(st, sek, task, "Kembalikan")
        assert "alasan pengembalian" in sek.transcript[-1].text
        await forget_every_dialog(st)
        before = len(sek.transcript)
        await say(st, sek, "Tabel capaian belum sesuai format baku")
        told, listed = (m.text for m in sek.transcript[before:])
        assert told == says("workflow.dialog_lost")
        assert "LKT-2026-TW2" in listed  # the open tasks, each with a button to show it again
        assert "Kembalikan" in sek.message(task.message_id).button_texts  # still open
        rows = await st.runtime.db.fetchall(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'return'"
        )
        assert rows[0][0] == 0  # nothing was taken from the answer without its dialog
        await press(st, sek, task, "Kembalikan")  # pressed again, the dialog works
        assert (await say(st, sek, "Tabel capaian")).text == "Alasan tercatat dan disampaikan."
