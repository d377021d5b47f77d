"""Updates in flight: a press or an upload the bot had fetched when it was killed takes
effect exactly once, without the officer doing it again.

For each kill point between the fetch (the update is in the inbox) and done (marked in
the transaction of its effect, or at the end of handling), the bot walks the case to the
moment, is restarted armed, receives one press or one file, dies at the point and
starts again, unarmed. Nobody presses or sends anything again: the replay of the inbox
at start must do what the dead process did not, and nothing twice. A replayed press is
answered in the chat, since its query belonged to the process that died.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from tests.crash.rig import Rig, count, die_and_restart, prepared
from tests.crash.script import ACKED
from tests.crash.zygote import Zygote
from tests.support.docs import report_docx
from tests.support.figures import record

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics"),
]

# The press: step 2's first checklist tick. Before its commit the replay must make it;
# from its commit on (the update is marked done in that very transaction) it must not.
PRESS_POINTS = (
    "inbox.stored",
    "button.received",
    "service.before_engine",
    "service.before_commit",
    "service.committed",
    "button.committed",
    "button.answered",
)
# The upload: the Ketua's concept at step 3.
UPLOAD_POINTS = ("upload.downloaded", "upload.stored", "upload.committed", "upload.acknowledged")
REPLAYED = {"inbox.stored", "button.received", "service.before_engine", "service.before_commit"}
REPLAYED_UPLOADS = {"upload.downloaded", "upload.stored"}
INSTRUCTION = "Segera susun laporan triwulan II"


def run(tmp_path: Path, zygote: Zygote, until: str, point: str, act: Callable[[Rig], None]) -> Rig:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = prepared(tmp_path, fake, zygote, until, point)
        try:
            act(rig)
            die_and_restart(rig)
            unfinished = "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL OR gave_up = 1"
            assert count(rig, unfinished) == 0
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
    return rig


@pytest.mark.parametrize("point", PRESS_POINTS)
def test_a_press_in_flight_at_a_kill_takes_effect_once_unrepeated(
    tmp_path: Path, zygote: Zygote, point: str, request: pytest.FixtureRequest
) -> None:
    ticks = "SELECT COUNT(*) FROM audit_log WHERE action = 'tick' AND step_key = 'kumpul_bahan'"
    user_key = "sakip_1"

    def press(rig: Rig) -> None:
        user = rig.users[user_key]
        message = rig.task_message(user, 2, "⬜ RENSTRA")
        assert message is not None and count(rig, ticks) == 0
        user.press_button(message, "⬜ RENSTRA")

    rig = run(tmp_path, zygote, "2 centang RENSTRA", point, press)
    assert count(rig, ticks) == 1, rig.log_tail()
    user = rig.users[user_key]
    assert rig.task_message(user, 2, "✅ RENSTRA") is not None  # the task message shows it
    chat_answers = [m.text for m in user.transcript if m.text == ACKED]
    assert chat_answers == ([ACKED] if point in REPLAYED else [])  # a replay answers in chat
    record(request, f"inbox.press killed at {point}: effects", count(rig, ticks))


@pytest.mark.parametrize("point", UPLOAD_POINTS)
def test_an_upload_in_flight_at_a_kill_takes_effect_once_unrepeated(
    tmp_path: Path, zygote: Zygote, point: str
) -> None:
    attached = "SELECT COUNT(*) FROM audit_log WHERE action = 'upload'"

    def upload(rig: Rig) -> None:
        assert count(rig, "SELECT COUNT(*) FROM files") == 0
        rig.users["sakip_ketua"].send_document("konsep.docx", report_docx("konsep"))

    rig = run(tmp_path, zygote, "3 konsep", point, upload)
    assert count(rig, "SELECT COUNT(*) FROM files") == 1, rig.log_tail()
    assert count(rig, attached) == 1
    received = [m for m in rig.users["sakip_ketua"].transcript if "diterima" in m.text]
    assert len(received) == (1 if point in REPLAYED_UPLOADS | {"upload.acknowledged"} else 0)


def test_a_query_in_flight_at_a_kill_is_answered_again_and_changes_nothing(
    tmp_path: Path, zygote: Zygote
) -> None:
    """An update with no effect is marked done when its handling ends; killed before
    that, its replay answers again (an answer twice, never none) and writes nothing."""
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = prepared(tmp_path, fake, zygote, "2 centang RENSTRA", "inbox.handled")
        try:
            user = rig.users["sakip_1"]
            audit = rig.audit_count()
            before = len(user.transcript)
            user.send_text("/tugas")
            die_and_restart(rig)
            answers = [m.text for m in user.transcript[before:]]
            assert len(answers) == 2 and answers[0] == answers[1], answers
            assert rig.audit_count() == audit
            unfinished = "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL OR gave_up = 1"
            assert count(rig, unfinished) == 0
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
