"""Typed messages and the outbox's on-disk form.

Rows written before the typed messages existed must still be delivered, and rows written
now must read the same to anything that looks at the table: the payloads are pinned here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.views.outgoing import Edit, Message, Send, SendDocument, decode, encode

BUTTONS = [[{"text": "Setujui", "data": "ap:1:2"}], [{"text": "Kembalikan", "data": "rt:1:2"}]]

ON_DISK: list[tuple[Message, str, dict[str, Any]]] = [
    (Send("hai"), "send", {"text": "hai", "buttons": []}),
    (
        Send("tugas", BUTTONS, task_message=True),
        "send",
        {"text": "tugas", "buttons": BUTTONS, "task_message": True},
    ),
    (Send("ingat", reminder="due"), "send", {"text": "ingat", "buttons": [], "reminder": "due"}),
    (
        Send("ringkasan", BUTTONS, digest="2026-07-13"),
        "send",
        {"text": "ringkasan", "buttons": BUTTONS, "digest": "2026-07-13"},
    ),
    (Edit("tugas ✅", []), "edit", {"text": "tugas ✅", "buttons": []}),
    (
        SendDocument("ab" * 32, "konsep.docx", "LKT · konsep"),
        "document",
        {"sha256": "ab" * 32, "filename": "konsep.docx", "caption": "LKT · konsep"},
    ),
    (  # a task fitted to both limits: the caption, and the text for a reply to the file
        Edit("tugas, alasan utuh", BUTTONS, caption="tugas, alasan…"),
        "edit",
        {"text": "tugas, alasan utuh", "buttons": BUTTONS, "caption": "tugas, alasan…"},
    ),
    (
        SendDocument("ab" * 32, "draf.docx", "alasan…", BUTTONS, True, "alasan utuh"),
        "document",
        {
            "sha256": "ab" * 32,
            "filename": "draf.docx",
            "caption": "alasan…",
            "buttons": BUTTONS,
            "task_message": True,
            "text": "alasan utuh",
        },
    ),
]


@pytest.mark.parametrize(("message", "kind", "payload"), ON_DISK)
def test_each_message_is_stored_as_before_and_reads_back_the_same(
    message: Message, kind: str, payload: dict[str, Any]
) -> None:
    assert encode(message) == (kind, payload)
    # Through JSON, as the outbox stores it: key order included.
    assert json.dumps(encode(message)[1]) == json.dumps(payload)
    assert decode(kind, json.loads(json.dumps(payload))) == decode(*encode(message))
    assert encode(decode(kind, payload)) == (kind, payload)


def test_a_row_without_buttons_or_caption_still_reads() -> None:
    assert encode(decode("send", {"text": "tugas"})) == ("send", {"text": "tugas", "buttons": []})
    assert decode("document", {"sha256": "cd", "filename": "a.pdf"}) == SendDocument("cd", "a.pdf")


def test_an_unknown_kind_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError, match="unknown outbox kind 'photo'"):
        decode("photo", {"text": "x"})
