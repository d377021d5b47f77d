"""A dialog's action and the closing of the dialog commit together.

The Sekretaris types her return reason; the bot commits the return and is killed at
once (`dialog.committed`), before it could say so. Formerly the dialog's row was deleted
in a transaction of its own after that commit, so the kill left the dialog open for a
finished return: the next thing she typed was taken as another reason (kept as a note on
the closed task). Now the row goes in the return's own transaction: after the restart
no dialog is open and her next words are not taken for anything.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from tests.crash.rig import count, die_and_restart, prepared
from tests.crash.script import REASON_SAVED, Press
from tests.crash.zygote import Zygote

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics"),
]

REASON = "Tabel capaian belum sesuai format baku"


def test_a_kill_right_after_a_dialogs_action_commits_leaves_no_dialog_open(
    tmp_path: Path, zygote: Zygote
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = prepared(tmp_path, fake, zygote, "5 kembalikan", "dialog.committed")
        try:
            sekretaris = rig.users["sekretaris"]
            press = Press(5, "Kembalikan", answer=None, prompt="alasan pengembalian")
            assert rig.press(sekretaris, press) == "ok"
            sekretaris.send_text(REASON)  # committed, then killed before the answer
            die_and_restart(rig)
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            returns = "SELECT COUNT(*) FROM audit_log WHERE action = 'return' AND reason = ?"
            assert count(rig, returns, REASON) == 1
            notes = "SELECT COUNT(*) FROM audit_log WHERE action = 'note'"
            before = len(sekretaris.transcript)
            sekretaris.send_text("Terima kasih")  # an afterthought, no dialog open
            rig.settle()
            assert count(rig, notes) == 0, rig.log_tail()
            assert not any(REASON_SAVED in m.text for m in sekretaris.transcript[before:])
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
