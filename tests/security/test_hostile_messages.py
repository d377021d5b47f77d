"""Messages nobody should send: each gets its exact answer, and no case changes.

One running bot (see `live.py`): case 1 at the Sekretaris's review, case 2 at the Kadin's
first step, nobody in a dialog. Every test checks the reply word for word (from the
catalogue), that the cases are as they were, and that the bot logged no error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from fakegram import FakeUser
from tests.security.live import STRANGER, LiveStage
from tests.support.chat import says

tried: Counter[str] = Counter()
FIGURES = "security.hostile messages by class"
OFFICER = 1007  # Agus Salim, staff, with no open task
SEKRETARIS = 1002  # an admin, with an open review


def unknown_user_text(live: LiveStage) -> str:
    return says("common.unknown_user", contact=live.st.runtime.contact("id"))


def replies(
    live: LiveStage, user: FakeUser, act: Callable[[], Any], kind: str, *, chat: Any = None
) -> list[str]:
    """Do `act`, wait until handled; the bot's new messages in the chat, state unchanged."""
    where = chat or user
    before, seen, errors = live.snapshot(), len(where.transcript), len(live.errors.records)
    act()
    live.settle()
    assert live.snapshot() == before, f"{kind} changed a case"
    assert live.errors.records[errors:] == []
    tried[kind] += 1
    return [m.text for m in where.transcript[seen:]]


@pytest.mark.parametrize("length", [1, 4096])
def test_huge_or_tiny_text_outside_a_dialog_points_to_the_buttons(
    live: LiveStage, length: int
) -> None:
    user = live.user(OFFICER)
    text = ("<b>&amp; " * 600)[:length]
    assert replies(live, user, lambda: user.send_text(text), "text") == [
        says("workflow.text_not_understood")
    ]


@pytest.mark.parametrize("what", ["sticker", "voice", "location"])
def test_unsupported_content_is_named_as_such(live: LiveStage, what: str) -> None:
    user = live.user(OFFICER)
    send = getattr(user, f"send_{what}")
    assert replies(live, user, send, what) == [says("guard.unsupported")]


@pytest.mark.parametrize("what", ["text", "sticker", "voice", "location", "command"])
def test_a_stranger_gets_only_the_way_to_an_admin(live: LiveStage, what: str) -> None:
    user = live.user(STRANGER)
    act: Callable[[], Any] = {
        "text": lambda: user.send_text("x" * 4096),
        "command": lambda: user.send_text("/tugas"),
    }.get(what) or getattr(user, f"send_{what}")
    assert replies(live, user, act, f"stranger {what}") == [unknown_user_text(live)]


@pytest.mark.parametrize(
    ("who", "command", "key", "params"),
    [
        (OFFICER, "/hapus_semua", "guard.unknown_command", {}),
        (OFFICER, "/tugas@sop_test_bot_palsu", "guard.unknown_command", {}),
        (OFFICER, "/batalkan", "cancel_case.not_allowed", {}),
        (SEKRETARIS, "/batalkan", "cancel_case.usage", {}),
        (SEKRETARIS, "/batalkan XYZ-1 karena", "case.not_found", {"case_code": "XYZ-1"}),
        (OFFICER, "/riwayat NGAWUR", "case.not_found", {"case_code": "NGAWUR"}),
        (OFFICER, "/berkas 999", "case.not_found", {"case_code": "999"}),
        (OFFICER, "/verifikasi ZZZ", "documents.verify.not_a_code", {"text": "ZZZ"}),
        (OFFICER, "/verifikasi", "documents.verify.usage", {}),
        (OFFICER, "/tugas sembarang argumen", "task.none_pending", {}),
    ],
)
def test_commands_with_missing_or_bad_arguments_are_answered_exactly(
    live: LiveStage, who: int, command: str, key: str, params: dict[str, object]
) -> None:
    user = live.user(who)
    assert replies(live, user, lambda: user.send_text(command), "command") == [says(key, **params)]


def test_undang_by_staff_names_the_admins(live: LiveStage) -> None:
    user = live.user(OFFICER)
    directory = live.st.runtime.directory
    admins = ", ".join(directory.name(a) for a in directory.admins())
    assert replies(live, user, lambda: user.send_text("/undang"), "command") == [
        says("onboarding.invite.not_admin", admins=admins)
    ]


def test_batal_outside_a_dialog_says_there_is_nothing_to_cancel(live: LiveStage) -> None:
    user = live.user(OFFICER)
    assert replies(live, user, lambda: user.send_text("/batal"), "command") == [
        says("workflow.nothing_to_cancel")
    ]


@pytest.mark.parametrize("text", ["/tugas", "/status", "@sop_test_bot tolong setujui"])
def test_in_a_group_the_bot_only_says_it_works_in_private(live: LiveStage, text: str) -> None:
    group = live.fake.group(-1001234567890, "Grup Dinas Pendidikan")
    user = live.user(SEKRETARIS)
    private = len(user.transcript)
    said = replies(live, user, lambda: user.send_text_in_group(group, text), "group", chat=group)
    assert said == [says("common.private_only")]
    assert len(user.transcript) == private  # nothing in her private chat either


def test_an_edited_message_is_not_acted_upon(live: LiveStage) -> None:
    user = live.user(OFFICER)
    message = user.send_text("catatan")
    live.settle()
    edit = lambda: user.edit_text(message, "/batalkan LKT-2026-TW2 alasan palsu")  # noqa: E731
    assert replies(live, user, edit, "edited") == [says("guard.edited")]


def forward_document(user: FakeUser, name: str, data: bytes) -> None:
    """A document forwarded from someone else's chat (the stand-in has no helper for it)."""
    world = user._w
    with world.cond:
        stored = world.new_file("document", data, file_name=name, mime_type="application/pdf")
        origin = {"type": "user", "date": world.now(), "sender_user": world.user_json(user._state)}
        user._send(user._chat, None, document=stored, extra={"forward_origin": origin})


def test_a_forwarded_file_without_a_task_for_it_is_not_kept(live: LiveStage) -> None:
    user = live.user(OFFICER)  # no open task at all
    files = sorted(p.name for p in live.st.runtime.files.root.rglob("*"))
    act = lambda: forward_document(user, "draf_orang_lain.pdf", b"%PDF-1.4 palsu")  # noqa: E731
    assert replies(live, user, act, "forwarded file") == [says("file.no_task")]
    assert sorted(p.name for p in live.st.runtime.files.root.rglob("*")) == files


def test_a_forwarded_file_from_a_stranger_is_refused(live: LiveStage) -> None:
    user = live.user(STRANGER)
    act = lambda: forward_document(user, "laporan.pdf", b"%PDF-1.4 palsu")  # noqa: E731
    assert replies(live, user, act, "forwarded file") == [unknown_user_text(live)]


def test_zz_a_forwarded_file_counts_as_the_forwarders_own_upload(live: LiveStage) -> None:
    """Telegram's forward origin says nothing reliable about authorship: the officer who
    sends a file into their task answers for it (runs last: it adds a draft version)."""
    user = live.user(SEKRETARIS)  # her review takes a corrected draft
    forward_document(user, "draf_orang_lain.pdf", b"%PDF-1.4 versi lain")
    live.settle()
    ack = user.transcript[-1].text
    assert ack.startswith("📎 Draf versi 3 diterima untuk ")
    assert ack.endswith(" · Pemeriksaan Sekretaris: draf_orang_lain.pdf (19 byte).")
    (row,) = [r for r in live.snapshot()["files"] if r[1] == 3 and r[0] == 1]
    assert row[6] == "sekretaris"  # uploaded_by: the forwarder
