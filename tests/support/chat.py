"""Officers in chat: pressing, typing and sending files to the bot on a `demo.stage`.

Each helper acts as one person and waits (`Stage.settle`) until the bot has handled it,
so the next line of a test sees the bot's answer.
"""

from __future__ import annotations

import html
import re

from bot.core.clock import FakeClock
from bot.ptb.jobs import plan_wakeup
from bot.views.i18n import Catalogue
from demo.stage import Stage
from fakegram import BotMessage, FakeUser
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER
from tests.support.local_time import JAKARTA, at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB
INSTRUCTION = "Segera susun laporan triwulan II"  # the Kadin's disposition
CHECKLIST = ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan")  # step 2's items


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


async def expect(st: Stage, user: FakeUser, since: int, needle: str) -> BotMessage:
    """The first message the bot sent `user` after the first `since` that contains `needle`.

    Waited for rather than settled: a dialog's next question is known, so the test goes
    on the moment it arrives, and a question that never comes is named in the failure.
    """
    found = await st.fake.wait_for(
        lambda: next((m for m in user.transcript[since:] if needle in m.text), None)
    )
    assert found is not None, f"no message with {needle!r}"
    return found


async def answer(st: Stage, user: FakeUser, text: str, then: str) -> BotMessage:
    """Send text in a dialog; the bot's message that contains `then`."""
    since = len(user.transcript)
    user.send_text(text)
    return await expect(st, user, since, then)


async def choose(
    st: Stage, user: FakeUser, message: BotMessage, button: str, then: str
) -> BotMessage:
    """Press a button in a dialog; the bot's message that contains `then`."""
    since = len(user.transcript)
    user.press_button(message, button)
    return await expect(st, user, since, then)


async def next_tick(st: Stage, clock: FakeClock) -> str:
    """Move the clock to the wakeup the scheduler plans and run the tick there, as the job
    would; the local time (e.g. "Mon 10.00"), so a test reads when the reminder came."""
    when = await plan_wakeup(st.app, st.runtime)
    assert when is not None
    clock.set(when)
    await st.runtime.service.tick(when)
    await st.runtime.deliver()
    return when.astimezone(JAKARTA).strftime("%a %H.%M")


# -- walking a case through its steps in chat ---------------------------------------------
# Each walk starts where the one before it ends, so a test stops the case at the step it
# is about; the officers act as the demo's SOP assigns them.


async def dispose(
    st: Stage, instruction: str = INSTRUCTION, *, typed_ahead: bool = False
) -> list[str]:
    """The Kadin's disposition dialog on step 1: the instruction, then "-" for no note.

    Returns the Kadin's newest message each time the bot had settled (after the press,
    then after each text), so a walk can check the dialog asked what it should.
    `typed_ahead` sends both texts before waiting for the bot, as a fast typist would:
    then there are two answers, after the press and after both texts.
    """
    kadin = st.user("kadin")
    await press(st, kadin, task_message(kadin, 1), "Disposisikan")
    answers = [kadin.transcript[-1].text]
    if typed_ahead:
        kadin.send_text(instruction)
        kadin.send_text("-")
        await st.settle()
        return [*answers, kadin.transcript[-1].text]
    for text in (instruction, "-"):
        answers.append((await say(st, kadin, text)).text)
    return answers


async def dispose_at_eight(st: Stage) -> None:
    """A case started and disposed at 08.00 (`START`): step 2 ("2 jam") goes to the SAKIP
    team, so the reminders' times are known."""
    await start_case(st)
    await dispose(st)


async def collect(st: Stage, *, proof: bool = False) -> list[str]:
    """Step 2: every checklist item ticked, then "Selesai". With `proof`, the RENSTRA item
    is ticked by sending its file first (a file that takes a number but is no draft).

    Returns the checklist's buttons just before "Selesai", for a walk that checks them.
    """
    sakip = st.user("sakip_1")
    items = list(CHECKLIST)
    if proof:
        question = await upload(st, sakip, "renstra.pdf", b"%PDF-1.4 renstra dinas")
        await press(st, sakip, question, "RENSTRA")
        items.remove("RENSTRA")
    for item in items:
        await press(st, sakip, task_message(sakip, 2), f"⬜ {item}")
    ticked = task_message(sakip, 2).button_texts
    await press(st, sakip, task_message(sakip, 2), "Selesai")
    return ticked


async def walk_to_concept(
    st: Stage, instruction: str = INSTRUCTION, *, typed_ahead: bool = False
) -> FakeUser:
    """Steps 1 and 2 of the newest case: the concept (an upload step) is then open.
    Returns the Ketua SAKIP, who holds it, as the test goes on with him."""
    await dispose(st, instruction, typed_ahead=typed_ahead)
    await collect(st)
    return st.user("sakip_ketua")


async def write_drafts(st: Stage, draft: bytes, *, concept: bytes | None = None) -> str:
    """Steps 3 and 4: the concept, then the typed draft, each sent and handed on ("Kirim").

    Real Word files are passed where LibreOffice must read them (the PDF copies, the
    signed report); otherwise tiny ones keep the walk fast. Returns the bot's receipt of
    the concept, for a walk that checks it.
    """
    ketua = st.user("sakip_ketua")
    if concept is None:
        concept = tiny_docx("konsep")
    ack = await upload(st, ketua, "konsep.docx", concept)
    await press(st, ketua, task_message(ketua, 3), "Kirim")
    staf = st.user("staf_1")
    await upload(st, staf, "draf.docx", draft)
    await press(st, staf, task_message(staf, 4), "Kirim")
    return ack.text


async def to_parallel_review(st: Stage) -> None:
    """Step 5 approved and step 6 initialled: step 7 waits at the three Kabids."""
    sek = st.user("sekretaris")
    await press(st, sek, task_message(sek, 5), "Setujui")
    await press(st, sek, task_message(sek, 6), "Paraf")


async def kabids_approve(st: Stage) -> None:
    """Step 7: each of the three Kabids approves; step 8 (the paraf) is then open."""
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        user = st.user(kabid)
        await press(st, user, task_message(user, 7), "Setujui")


async def sign(st: Stage) -> None:
    """Step 9: the Kadin signs, and confirms (a signature cannot be taken back)."""
    kadin = st.user("kadin")
    await press(st, kadin, task_message(kadin, 9), "Tanda tangani")
    await press(st, kadin, task_message(kadin, 9), "Ya, tanda tangani")


async def walk_to_review(
    st: Stage, draft: bytes | None = None, *, concept: bytes | None = None, proof: bool = False
) -> None:
    """Steps 1-4 in chat (disposition, checklist, concept, typed draft): the case then
    waits at the Sekretaris's review. The draft (`tiny_docx("draf diketik")` unless
    given), the concept and `proof` as in `write_drafts` and `collect`; each stage of the
    walk is checked, so a test failing later is not a walk gone wrong unnoticed."""
    asked = await dispose(st)
    assert "instruksi disposisi" in asked[0]
    assert "catatan" in asked[1]
    ticked = await collect(st, proof=proof)
    assert ticked == [
        "✅ RENSTRA", "✅ RENJA", "✅ DPA", "✅ LKj", "✅ Laporan Bulanan", "Selesai",
    ]  # fmt: skip
    if draft is None:
        draft = tiny_docx("draf diketik")
    receipt = await write_drafts(st, draft, concept=concept)
    assert "Draf versi 1 diterima" in receipt


async def walk_to_signature(
    st: Stage, draft: bytes | None = None, *, concept: bytes | None = None, proof: bool = False
) -> None:
    """Steps 1-8 in chat: the case then waits at the Kadin's signature (step 9)."""
    await walk_to_review(st, draft, concept=concept, proof=proof)
    await to_parallel_review(st)
    await kabids_approve(st)
    sek = st.user("sekretaris")
    await press(st, sek, task_message(sek, 8), "Paraf")
