"""A file waiting for its sender's pick is taken in the transaction that attaches it.

Sakip sends the RENSTRA proof without replying to a task; the bot keeps it and asks which
checklist item it is for. Sakip presses "RENSTRA" and the bot is killed while attaching
it (`service.before_engine:AttachFile`, the transaction open). Formerly the file was
taken from the waiting list in a transaction of its own before the attach: the kill left
it taken and unattached, the replayed press found nothing and was answered as a stale
button, and the file was lost. Now the take is rolled back with the attach: the replay
attaches it, once, and Sakip is told so without pressing anything again.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from tests.crash.rig import WAIT, count, die_and_restart, prepared
from tests.crash.zygote import Zygote

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics"),
]

PROOF = b"%PDF-1.4 renstra dinas"
ATTACHED = "Berkas renstra_2025_2029.pdf dilampirkan pada butir RENSTRA dan butir itu dicentang."


def test_a_kill_while_a_picked_file_is_attached_loses_nothing(
    tmp_path: Path, zygote: Zygote
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = prepared(
            tmp_path, fake, zygote, "2 centang RENSTRA", "service.before_engine:AttachFile"
        )
        try:
            sakip = rig.users["sakip_1"]
            sakip.send_document("renstra_2025_2029.pdf", PROOF)
            fake.wait_for_sync(
                lambda: "butir yang mana" in sakip.transcript[-1].text or None, timeout=WAIT
            )
            question = sakip.transcript[-1]
            assert count(rig, "SELECT COUNT(*) FROM pending_uploads") == 1
            sakip.press_button(question, "RENSTRA")  # killed while attaching
            die_and_restart(rig)

            files = "SELECT COUNT(*) FROM files WHERE item = 'RENSTRA' AND purpose = 'proof'"
            assert count(rig, files) == 1, rig.log_tail()
            attaches = "SELECT COUNT(*) FROM audit_log WHERE action = 'attach_proof'"
            assert count(rig, attaches) == 1
            waiting = "SELECT COUNT(*) FROM pending_uploads WHERE resolved_at IS NULL"
            assert count(rig, waiting) == 0
            told = rig.wait(lambda: any(m.text == ATTACHED for m in sakip.transcript) or None)
            assert told is True, rig.log_tail()  # the replay's own reply, after its commit
            rig.settle()
            texts = [m.text for m in sakip.transcript]
            assert texts.count(ATTACHED) == 1, texts[-4:]
            assert rig.task_message(sakip, 2, "✅ RENSTRA") is not None
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
