"""A re-review's reason is fitted to the message it arrives in (issue 15), through the
real Application: a task that is a file carries it in a caption (1,024 characters), cut
at a word and pointing at /riwayat; a task that goes as a text (no file of its own to
carry it) has a text's 4,096, so a reason of the longest length allowed (1,000) arrives
whole, without the "selengkapnya" tail.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from bot.core.input_limits import REASON
from bot.views.textsplit import CAPTION_LIMIT, visible_length
from demo.stage import Stage, stage
from tests.support.chat import START, press, say, start_case, task_message, upload, walk_to_review
from tests.support.docs import tiny_docx

MORE = "… (selengkapnya: /riwayat LKT-2026-TW2)"
SENTENCE = "Tabel capaian kinerja belum sesuai format baku, mohon diperbaiki. "


def long_reason() -> str:
    """A reason as long as the bot accepts: plain sentences, no blank at either end."""
    return (SENTENCE * (REASON // len(SENTENCE) + 1))[: REASON - 1] + "."


async def returned_at_review(st: Stage, reason: str) -> None:
    """Steps 1-4, then the Sekretaris returns the typed draft with `reason`."""
    await start_case(st)
    await walk_to_review(st)
    sek = st.user("sekretaris")
    await press(st, sek, task_message(sek, 5), "Kembalikan")
    await say(st, sek, reason)


def reason_line(text: str) -> str:
    return next(line for line in text.split("\n") if line.startswith("Alasan: "))


async def test_a_text_task_carries_the_whole_reason(tmp_path: Path) -> None:
    """The typist's round-2 task: the draft is his own upload (never sent back to him),
    so the task is a text, and 1,000 characters fit it whole."""
    reason = long_reason()
    async with stage(tmp_path, FakeClock(START)) as st:
        await returned_at_review(st, reason)

        again = task_message(st.user("staf_1"), 4)

        assert again.kind == "text" and again.document is None
        assert again.text.startswith("🔁 Putaran 2: dikembalikan oleh ")
        assert reason_line(again.text) == f"Alasan: {reason}"
        assert MORE not in again.text
        assert "Batas waktu:" in again.text and "Langkah 4:" in again.text


async def test_a_task_on_a_file_fits_the_reason_to_its_caption(tmp_path: Path) -> None:
    """The Sekretaris's round-2 review arrives as the new version, the task its caption:
    the reason is cut to fit 1,024 and says where the rest is; the task's lines stay."""
    reason = long_reason()
    async with stage(tmp_path, FakeClock(START)) as st:
        await returned_at_review(st, reason)
        staf = st.user("staf_1")
        await upload(st, staf, "draf_perbaikan.docx", tiny_docx("draf diperbaiki"))
        await press(st, staf, task_message(staf, 4), "Kirim")

        again = task_message(st.user("sekretaris"), 5)

        assert again.kind == "document" and again.document is not None
        assert again.document.filename == "draf_perbaikan.docx"
        assert visible_length(again.text) <= CAPTION_LIMIT
        alasan = reason_line(again.text)
        assert alasan.endswith(MORE)
        kept = alasan.removeprefix("Alasan: ").removesuffix(MORE)
        assert len(kept) >= 300 and reason.startswith(kept)
        assert "Batas waktu:" in again.text and "Langkah 5:" in again.text
        assert again.button_texts[:2] == ["Setujui", "Kembalikan"]
        assert again.button_texts[-1] == "Rincian"
