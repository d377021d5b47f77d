"""SIGTERM/SIGINT stop the bot in order; presses made while it was down are answered.

`python -m bot run` in a real process (a fresh interpreter, as in production): its
`run_polling` turns SIGTERM and SIGINT into an orderly stop (the update in hand
finishes, the jobs stop, the outbox is delivered, the database is closed). The signal
is sent from inside the handler (`SOPBOT_CRASH_SIGNAL`) so it is certain to arrive
while the update is in hand. Presses made while the bot was down wait at Telegram and
are processed once after the restart: answered in the chat if they are too old for a
callback answer, and refused (not done twice) when pressed twice.
"""

from __future__ import annotations

import signal
import sys
from collections import deque
from pathlib import Path

import pytest

from bot.crashpoints import SIGNAL_ENV
from bot.views.i18n import Catalogue
from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from tests.crash.rig import WAIT, Rig
from tests.crash.script import ACKED, CASE
from tests.crash.zygote import Zygote

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

ALREADY_DONE = Catalogue.load().plain("id", "refusal.already_done")


def wal_of(rig: Rig) -> Path:
    return rig.database.with_name(rig.database.name + "-wal")


def actions_by(rig: Rig, actor: str, action: str) -> int:
    with rig.db() as conn:
        sql = "SELECT COUNT(*) FROM audit_log WHERE actor = ? AND action = ?"
        return int(conn.execute(sql, (actor, action)).fetchone()[0])


@pytest.mark.parametrize("sig", ["TERM", "INT"])
def test_a_stop_signal_during_a_press_finishes_it_then_exits_cleanly(
    tmp_path: Path, sig: str
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = Rig(tmp_path, fake, deque(["button.committed"]), extra_env={SIGNAL_ENV: sig})
        rig.start_case_offline()
        rig.spawn()
        rig.settle()
        rig.perform(CASE[0])  # the disposition dialog (no button.committed on the way)
        rig.settle()
        sakip = rig.users["sakip_1"]
        message = rig.task_message(sakip, 2, "⬜ RENSTRA")
        assert message is not None
        query = sakip.press_button(message, "⬜ RENSTRA")  # the signal arrives mid-update

        assert rig.proc is not None and rig.proc.wait(timeout=WAIT) == 0, rig.log_tail()
        assert sakip.callback_answer(query).text == ACKED  # the update in hand finished
        assert rig.task_message(sakip, 2, "✅ RENSTRA") is not None  # its edit went out
        assert rig.drained()  # nothing left in the outbox or the job queue
        assert actions_by(rig, "sakip_1", "tick") == 1
        assert not wal_of(rig).exists()  # SQLite removes the WAL when the last close is clean
        signum = getattr(signal, "SIG" + sig)
        said = f"crashpoint button.committed#1: button.committed, signal {signum}"
        assert said in rig.log_tail()


def test_presses_made_while_the_bot_was_down_are_answered_once_after_the_restart(
    tmp_path: Path, zygote: Zygote
) -> None:
    # Forked starts (tests/crash/zygote.py): this test is about Telegram, not the interpreter.
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = Rig(tmp_path, fake, zygote=zygote)
        rig.start_case_offline()
        rig.spawn()
        rig.settle()
        for intention in CASE[:2]:  # the disposition, RENSTRA ticked
            rig.perform(intention)
            rig.settle()
        assert rig.stop(signal.SIGTERM) == 0

        # Pressed while the bot is down, and too long ago for a callback answer by the
        # time it is back: the answer comes as a chat message instead of silence.
        sakip = rig.users["sakip_1"]
        message = rig.task_message(sakip, 2, "⬜ RENJA")
        assert message is not None
        query = sakip.press_button(message, "⬜ RENJA")
        assert fake.expire_callback_queries() == 1
        before = len(sakip.transcript)
        rig.spawn()
        rig.wait(lambda: any(m.text == ACKED for m in sakip.transcript[before:]))
        rig.settle()
        assert not sakip.callback_answer(query).answered
        assert actions_by(rig, "sakip_1", "tick") == 2
        assert rig.task_message(sakip, 2, "✅ RENJA") is not None

        for intention in CASE[3:6]:  # DPA, LKj, Laporan Bulanan
            rig.perform(intention)
            rig.settle()
        assert rig.stop(signal.SIGINT) == 0

        # "Selesai" pressed twice while the bot is down: done once, the second refused.
        message = rig.task_message(sakip, 2, "Selesai")
        assert message is not None
        presses = [sakip.press_button(message, "Selesai") for _ in range(2)]
        rig.spawn()
        rig.wait(lambda: all(sakip.callback_answer(q).answered for q in presses))
        rig.settle()
        answers = [sakip.callback_answer(q).text for q in presses]
        assert answers == [ACKED, ALREADY_DONE]
        assert actions_by(rig, "sakip_1", "complete") == 1
        assert rig.stop() == 0
