"""Whatever officers type, every message the presenter builds is one Telegram accepts.

For any lengths and characters of every typed field (the letter's fields, the Kadin's
instruction, a proof's reference, a skip reason, a draft's file name, a return reason, a
cancellation reason; emoji, right-to-left and zero-width characters, text that looks
like HTML), each payload is valid HTML within Telegram's limits (counted by the
stand-in's parser, a reimplementation of Telegram's), its callback data within 64
bytes, and a task's message keeps its buttons and its own lines. The texts here go far
beyond the input limits: this proves the presenter's fitting, the net under them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import input_limits
from bot.core.handover import reassign
from bot.core.timestd import AlwaysOpenCalendar
from bot.core.workflow import (
    AttachFile,
    Cancel,
    CaseRequest,
    Complete,
    Return,
    SkipItem,
    Tick,
    start_case,
)
from bot.views.i18n import Catalogue
from bot.views.outgoing import Edit, Outgoing, Send, SendDocument
from bot.views.presenter import CataloguePresenter
from bot.views.textsplit import CAPTION_LIMIT, TEXT_LIMIT
from fakegram.formatting import parse_html, utf16_len
from tests.support.engine import (
    CHECKLIST,
    LETTER,
    T0,
    CaseDriver,
    approve_and_paraf,
    file_ref,
    make_context,
    type_draft,
    walk_to_review,
)
from tests.support.harness import directory
from tests.support.local_time import JAKARTA

ALPHABET = st.sampled_from(
    "ab Z09.,-\n<>&\"'/;😀👩‍👩‍👧🇮🇩\u202e\u200f\u200b\u200d\u2028عربيעברית中文\ufdd0\ufdd1"
)
LONG = st.text(ALPHABET, max_size=5000)
REASON = st.builds(lambda s: "Mohon " + s, LONG)  # five characters the engine counts
NAME = st.builds(lambda s: s + ".docx", st.text(ALPHABET, max_size=300))


@dataclass(frozen=True)
class Typed:
    """One value for every field an officer types."""

    sender: str
    number: str
    subject: str
    agenda: str
    date: str
    instruction: str
    proof: str
    skip: str
    filename: str
    returned: str
    cancelled: str


TYPED = st.builds(
    Typed, LONG, LONG, LONG, LONG, LONG, REASON, REASON, REASON, NAME, REASON, REASON
)


def presenter() -> CataloguePresenter:
    return CataloguePresenter(Catalogue.load(), directory(), JAKARTA, AlwaysOpenCalendar())


def check(out: Outgoing, task_lines: tuple[str, ...] = ()) -> None:
    message = out.message
    if isinstance(message, SendDocument) and not message.task_message:
        if message.caption is not None:
            caption, _ = parse_html(message.caption)
            assert utf16_len(caption) <= CAPTION_LIMIT
        return
    if isinstance(message, SendDocument):  # a task on a draft: the task is the caption
        source, limit = message.caption or "", CAPTION_LIMIT
    else:
        assert isinstance(message, Send | Edit)
        source, limit = message.text, TEXT_LIMIT
    text, _ = parse_html(source)  # raises on broken HTML, as Telegram refuses it
    assert utf16_len(text) <= limit
    assert "\ufdd0" not in source and "\ufdd1" not in source
    for line in task_lines:
        assert line in text
    for row in message.buttons:
        for button in row:
            assert len(button["data"].encode()) <= 64


def check_task(p: CataloguePresenter, d: CaseDriver, lang: str, buttons: list[str]) -> None:
    """Every open task's new message and its edit: within limits, its header and deadline
    whole, and exactly the buttons its step has."""
    for task in d.state.open_tasks():
        step = d.ctx.sop.step(task.step_key)
        header = f"Langkah {step.number}: " if lang == "id" else f"Step {step.number}: "
        messages = p.task_message(d.ctx, d.state, task, lang)
        edit = p.task_update(d.ctx, d.state, task, lang)
        for out in [*messages, edit]:
            check(out, (d.state.code, header + step.title))
        assert len(messages) == 1  # a task is one message
        sent = messages[-1].message
        assert isinstance(sent, Send | SendDocument) and sent.task_message
        assert isinstance(edit.message, Edit)
        assert [b["text"] for row in sent.buttons for b in row][: len(buttons)] == buttons
        assert sent.buttons == edit.message.buttons


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TYPED, st.sampled_from(["id", "en"]))
def test_every_payload_fits_and_keeps_its_buttons(typed: Typed, lang: str) -> None:
    p, ctx = presenter(), make_context()
    letter = {
        "from": typed.sender,
        "number": typed.number,
        "date": typed.date,
        "subject": typed.subject,
        "agenda": typed.agenda,
        "urgency": "segera",
        "scan_sha256": "ab" * 32,
        "scan_filename": typed.filename,
    }
    request = CaseRequest(case_id=1, period_key="TW2", year=2026, letter=letter)
    d = CaseDriver(ctx, start_case(ctx, request, "kadin", T0).state)
    button = {"id": "Disposisikan", "en": "Dispose"}[lang]
    check_task(p, d, lang, [p.cat.plain(lang, "task.button.disposition")])
    assert button  # the catalogue's label, whichever language

    d.do("kadin", Complete(d.task_of("kadin").seq, {"instruksi": typed.instruction}))
    seq = d.task_of("sakip_1").seq
    d.do("sakip_1", Tick(seq, CHECKLIST[0], proof_ref=typed.proof))
    d.do("sakip_1", SkipItem(seq, CHECKLIST[1], typed.skip))
    check_task(p, d, lang, [f"✅ {CHECKLIST[0]}", f"➖ {CHECKLIST[1]}", f"⬜ {CHECKLIST[2]}"])
    for item in CHECKLIST[2:]:
        d.do("sakip_1", SkipItem(seq, item, typed.skip))
    d.do("sakip_1", Complete(seq))
    seq = d.task_of("sakip_ketua").seq
    d.do("sakip_ketua", AttachFile(seq, file_ref("konsep", typed.filename)))
    d.do("sakip_ketua", Complete(seq))
    type_draft(d, "staf_1", "draf")
    check_task(p, d, lang, [p.cat.plain(lang, "task.button.approve")])

    seq = d.task_of("sekretaris").seq
    d.do("sekretaris", Return(seq, typed.returned, d.version))
    check_task(p, d, lang, [])  # the typist's task again, with the reason; no draft yet
    typist = d.task_of("staf_1")  # an admin hands it to the other typist, with a reason
    moved = reassign(d.ctx, d.state, "admin", typist.seq, "staf_2", typed.returned, T0)
    task = moved.state.task(typist.seq)
    assert task is not None
    handed = p.handed_over(d.ctx, moved.state, task, "staf_1", "reassigned", (lang, lang))
    for out in handed:  # the old holder's message, read-only, and the new holder's task
        check(out, (d.state.code,))
    type_draft(d, "staf_1", "draf kedua")
    approve_and_paraf(d)
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        d.do(kabid, Return(d.task_of(kabid).seq, typed.returned, d.version))
        break  # one return is enough: the case goes back to the Sekretaris's review
    check_task(p, d, lang, [p.cat.plain(lang, "task.button.approve")])

    d.do("admin", Cancel(typed.cancelled))
    for officer in ("kadin", "sekretaris", "staf_1"):
        check(p.case_ended(d.ctx, d.state, officer, lang))
    for task in d.state.tasks:
        check(p.task_update(d.ctx, d.state, task, lang))


def test_a_task_handed_over_with_the_longest_reason_still_fits_both_messages() -> None:
    """An admin gives a Kepala Bidang's review (a task on the draft: a caption of 1,024)
    to another with a reason as long as the bot takes: the old holder's card, now
    read-only and naming who holds it, and the new holder's task both fit, the reason cut
    where it must be and pointing at the history."""
    p, ctx = presenter(), make_context()
    request = CaseRequest(case_id=1, period_key="TW2", year=2026, letter=dict(LETTER))
    d = CaseDriver(ctx, start_case(ctx, request, "kadin", T0).state)
    walk_to_review(d)
    approve_and_paraf(d)
    reason = ("Kepala Bidang cuti, tugas dialihkan sesuai arahan. " * 25)[: input_limits.REASON]
    seq = d.task_of("kabid_1").seq
    moved = reassign(d.ctx, d.state, "admin", seq, "kabid_2", reason, T0)
    task = moved.state.task(seq)
    assert task is not None
    for lang in ("id", "en"):
        old, *new = p.handed_over(d.ctx, moved.state, task, "kabid_1", "reassigned", (lang, lang))
        assert isinstance(old.message, Edit) and old.officer_key == "kabid_1"
        check(old, (d.state.code,))
        if old.message.caption is not None:  # fitted as a caption too, where it is one
            caption, _ = parse_html(old.message.caption)
            assert utf16_len(caption) <= CAPTION_LIMIT
            assert "/riwayat" in caption  # the rest of the reason is in the history
        for out in new:
            check(out, (d.state.code,))
