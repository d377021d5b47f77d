"""Officers in chat: pressing, typing and sending files to the bot on a `demo.stage`.

Each helper acts as one person and waits (`Stage.settle`) until the bot has handled it,
so the next line of a test sees the bot's answer.
"""

from __future__ import annotations

import html
import re

from bot.views.i18n import Catalogue
from demo.stage import Stage
from fakegram import BotMessage, FakeUser
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB


def task_message(user: FakeUser, step_number: int) -> BotMessage:
    """The user's newest task message for a step (the one carrying its buttons): a text,
    or a file with the task as its caption (a step on a draft)."""
    marker = f"Langkah {step_number}:"
    candidates = [
        m for m in user.transcript if marker in m.text and m.kind in ("text", "document")
    ]
    assert candidates, f"{user!r} got no task message for step {step_number}"
    return candidates[-1]


def says(key: str, **params: object) -> str:
    """What the user reads of a catalogue message (tags gone, entities decoded)."""
    text = Catalogue.load().text("id", key, **params)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def press(st: Stage, user: FakeUser, message: BotMessage, button: str) -> str:
    """Press a button; the callback answer the bot gave (empty if none)."""
    query = user.press_button(message, button)
    await st.settle()
    return user.callback_answer(query).text or ""


async def say(st: Stage, user: FakeUser, text: str) -> BotMessage:
    """Send text; the last message the user has afterwards."""
    user.send_text(text)
    await st.settle()
    return user.transcript[-1]


async def upload(st: Stage, user: FakeUser, name: str, data: bytes) -> BotMessage:
    user.send_document(name, data)
    await st.settle()
    return user.transcript[-1]


async def start_case(st: Stage) -> None:
    await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
    await st.runtime.deliver()


async def walk_to_review(st: Stage) -> None:
    """Steps 1-4 in chat (disposition, checklist, concept, typed draft): the case then
    waits at the Sekretaris's review."""
    kadin = st.user("kadin")
    await press(st, kadin, task_message(kadin, 1), "Disposisikan")
    assert "instruksi disposisi" in kadin.transcript[-1].text
    await say(st, kadin, "Segera susun laporan triwulan II")
    assert "catatan" in kadin.transcript[-1].text
    await say(st, kadin, "-")
    sakip = st.user("sakip_1")
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        await press(st, sakip, task_message(sakip, 2), f"⬜ {item}")
    assert task_message(sakip, 2).button_texts == [
        "✅ RENSTRA", "✅ RENJA", "✅ DPA", "✅ LKj", "✅ Laporan Bulanan", "Selesai",
    ]  # fmt: skip
    await press(st, sakip, task_message(sakip, 2), "Selesai")
    ketua = st.user("sakip_ketua")
    ack = await upload(st, ketua, "konsep.docx", tiny_docx("konsep"))
    assert "Draf versi 1 diterima" in ack.text
    await press(st, ketua, task_message(ketua, 3), "Kirim")
    staf = st.user("staf_1")
    await upload(st, staf, "draf.docx", tiny_docx("draf diketik"))
    await press(st, staf, task_message(staf, 4), "Kirim")
