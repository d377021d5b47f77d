"""Taps that cannot be taken back ask first; an approval or paraf can be taken back for two
minutes while nobody has acted on the next step (issue 15), through the real Application."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from fakegram import BotMessage, FakeUser
from storage.uow import reading
from tests.support.chat import (
    START,
    press,
    start_case,
    task_message,
    walk_to_review,
    walk_to_signature,
)

# The undo names until when it is valid (the clock stands at 08.00; two minutes).
UNDO = "Urungkan (s.d. 08.02 WIB)"


async def _actions(st: Stage) -> list[tuple[str, str]]:
    state = await st.runtime.service.case_by_code("LKT-2026-TW2")
    assert state is not None
    async with reading(st.runtime.db, st.runtime.agency) as tx:
        return [(e.action, e.actor) for e in await tx.audit.for_case(state.id)]


async def at_the_review(st: Stage) -> tuple[FakeUser, BotMessage]:
    """A new case walked to the Sekretaris's review (step 5), whose approval is the one
    taken back; she and her task message."""
    await start_case(st)
    await walk_to_review(st)
    sek = st.user("sekretaris")
    return sek, task_message(sek, 5)


async def test_signing_asks_first_and_cancel_brings_the_buttons_back(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        await walk_to_signature(st)
        kadin = st.user("kadin")
        sign = task_message(kadin, 9)
        assert sign.button_texts[:2] == ["Tanda tangani", "Kembalikan"]
        sent_before = len(kadin.transcript)

        answer = await press(st, kadin, sign, "Tanda tangani")

        assert answer == (
            "Tanda tangan tidak dapat diurungkan. Tanda tangani versi 2? "
            'Tekan "Ya, tanda tangani" untuk melanjutkan.'
        )
        asked = kadin.message(sign.message_id)
        assert asked.button_texts == ["Ya, tanda tangani", "Batal"]
        assert len(kadin.transcript) == sent_before  # the same message, no new bubble
        assert ("sign", "kadin") not in await _actions(st)

        await press(st, kadin, asked, "Batal")
        assert kadin.message(sign.message_id).button_texts[:2] == ["Tanda tangani", "Kembalikan"]
        assert ("sign", "kadin") not in await _actions(st)

        await press(st, kadin, kadin.message(sign.message_id), "Tanda tangani")
        answer = await press(st, kadin, kadin.message(sign.message_id), "Ya, tanda tangani")
        assert answer == "✓ Tercatat."
        signed = kadin.message(sign.message_id)
        assert signed.buttons == []  # a signature has no undo
        assert "✅ Ditandatangani oleh" in signed.text
        assert ("sign", "kadin") in await _actions(st)


async def test_an_approval_is_taken_back_within_two_minutes(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        sek, review = await at_the_review(st)
        sent_before = len(sek.transcript)
        await press(st, sek, review, "Setujui")
        done = sek.message(review.message_id)
        assert "✅ Disetujui oleh" in done.text
        assert "Dapat diurungkan sampai" in done.text
        # Her own next step (the paraf) is the same card, edited: its task, then the undo.
        assert len(sek.transcript) == sent_before
        assert task_message(sek, 6).message_id == review.message_id
        assert done.button_texts == ["Paraf", "PDF", "Rincian", UNDO]

        clock.advance(seconds=90)
        answer = await press(st, sek, done, UNDO)

        assert answer == "↩️ Diurungkan. Tugas kembali menunggu keputusan Bapak/Ibu."
        again = sek.message(review.message_id)
        assert again.button_texts == review.button_texts  # the task, as it was
        assert again.button_texts[:2] == ["Setujui", "Kembalikan"]
        # The paraf task is withdrawn: no message of hers still offers it.
        assert not any("Langkah 6:" in m.text for m in sek.transcript)
        actions = await _actions(st)
        assert actions[-1] == ("undo", "sekretaris")
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None and state.step_key == "periksa"


async def test_after_two_minutes_the_undo_answers_why_not(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        sek, review = await at_the_review(st)
        await press(st, sek, review, "Setujui")
        clock.advance(minutes=2, seconds=1)

        # After the window the card does not promise more than it can: the button says
        # until when it was valid, as its line does.
        card = sek.message(review.message_id)
        assert card.button_texts == ["Paraf", "PDF", "Rincian", UNDO]
        assert "Dapat diurungkan sampai 08.02 WIB" in card.text
        answer = await press(st, sek, card, UNDO)

        assert answer == (
            "Batas 2 menit untuk mengurungkan sudah lewat; tindakan Bapak/Ibu tetap berlaku."
        )
        # No use pressing it again: it is gone; the paraf task on the same card stays.
        assert sek.message(review.message_id).button_texts == ["Paraf", "PDF", "Rincian"]
        assert ("undo", "sekretaris") not in await _actions(st)


async def test_once_the_next_step_acted_the_undo_answers_why_not(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        sek, review = await at_the_review(st)
        await press(st, sek, review, "Setujui")
        approved = sek.message(review.message_id)
        undo_approval = dict(approved.buttons)[UNDO]
        await press(st, sek, approved, "Paraf")
        # The card now offers the paraf's own undo; the approval's undo is its stale button.
        parafed = sek.message(review.message_id)
        assert parafed.button_texts == [UNDO]
        assert dict(parafed.buttons)[UNDO] != undo_approval

        query = sek.forge_callback(undo_approval, review.message_id)
        await st.settle()
        answer = sek.callback_answer(query).text

        assert answer == "Tidak dapat diurungkan lagi: langkah berikutnya sudah ditindaklanjuti."
        assert ("undo", "sekretaris") not in await _actions(st)
