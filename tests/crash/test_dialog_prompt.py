"""A SIGKILL around a dialog's question loses neither the question nor the answer.

The officer reads the question (the return reason's "Mohon tuliskan alasan…", a /mulai
question), the bot dies at once (`dialog.prompted`, after Telegram's OK), restarts, and
the officer simply types the answer, without pressing anything again. The answer is
taken, exactly once: the dialog's row was in the database before the question was sent.
Killed before the question went out (`dialog.stored`), the press that opened the dialog
is replayed at the restart and the question arrives then, nobody pressing again.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import deque
from pathlib import Path

import pytest

from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from tests.crash.rig import FRONT_OFFICE, WAIT, Rig, choose, create_database, say
from tests.crash.script import CASE, REASON_SAVED, Press
from tests.crash.zygote import Zygote
from tests.support.engine import LETTER

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics"),
]

REASON = "Tabel capaian belum sesuai format baku"


def killed_after_the_question(rig: Rig) -> None:
    """The bot died at the armed point; restart it (unarmed) as the rig does."""
    assert rig.proc is not None
    rig.proc.wait(timeout=WAIT)
    rig.on_death()  # checks the kill was at the armed point, restarts, checks the acked
    rig.settle()


def to_the_return(rig: Rig) -> None:
    """The case walked, by its officers, up to the Sekretaris's "Kembalikan" at step 5."""
    rig.start_case_offline()
    rig.spawn()
    rig.settle()
    labels = [i.label for i in CASE]
    for intention in CASE[: labels.index("5 kembalikan")]:
        rig.doing = intention.label
        rig.perform(intention)
        rig.settle()
    rig.doing = "5 kembalikan"


def count(rig: Rig, sql: str, *params: object) -> int:
    with rig.db() as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def test_the_return_reason_typed_after_a_kill_at_its_question_is_taken_once(
    tmp_path: Path, zygote: Zygote
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        # the first dialog.prompted is the Kadin's disposition, the second the return reason
        rig = Rig(tmp_path, fake, deque(["dialog.prompted#2"]), zygote=zygote)
        try:
            to_the_return(rig)
            sekretaris = rig.users["sekretaris"]
            press = Press(5, "Kembalikan", answer=None, prompt="alasan pengembalian")
            assert rig.press(sekretaris, press) == "ok"  # the question arrived ...
            killed_after_the_question(rig)  # ... and the bot died right after it

            before = len(sekretaris.transcript)
            sekretaris.send_text(REASON)  # typed after the restart, nothing pressed again
            assert rig.await_reply(sekretaris, before, REASON_SAVED) == "ok", rig.log_tail()
            rig.settle()
            assert [k.point for k in rig.kills] == ["dialog.prompted#2"]
            returns = "SELECT COUNT(*) FROM audit_log WHERE action = 'return' AND reason = ?"
            assert count(rig, returns, REASON) == 1
            assert rig.task_message(sekretaris, 5, "Kembalikan") is None  # old buttons gone
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)


def test_a_return_reason_question_killed_before_it_went_out_is_asked_at_the_restart(
    tmp_path: Path, zygote: Zygote
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        # the first dialog.stored is the Kadin's disposition, the second the return reason
        rig = Rig(tmp_path, fake, deque(["dialog.stored#2"]), zygote=zygote)
        try:
            to_the_return(rig)
            sekretaris = rig.users["sekretaris"]
            before = len(sekretaris.transcript)
            press = Press(5, "Kembalikan", answer=None, prompt="alasan pengembalian")
            assert rig.press(sekretaris, press) == "died"  # no question: the bot died first
            assert rig.reply_outcome(sekretaris, before, "alasan pengembalian") is None
            killed_after_the_question(rig)  # restarted: the press is replayed ...
            assert rig.await_reply(sekretaris, before, "alasan pengembalian") == "ok"  # asked

            asked = len(sekretaris.transcript)
            sekretaris.send_text(REASON)  # nothing pressed again
            assert rig.await_reply(sekretaris, asked, REASON_SAVED) == "ok", rig.log_tail()
            rig.settle()
            assert [k.point for k in rig.kills] == ["dialog.stored#2"]
            questions = [
                m for m in sekretaris.transcript[before:] if "alasan pengembalian" in m.text
            ]
            assert len(questions) == 1  # asked once, at the restart
            returns = "SELECT COUNT(*) FROM audit_log WHERE action = 'return' AND reason = ?"
            assert count(rig, returns, REASON) == 1
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)


def test_a_mulai_answer_typed_after_a_kill_at_its_question_is_taken_once(
    tmp_path: Path, zygote: Zygote
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        # /mulai asks the period (1), the year (2), the sender (3), the number (4): die at 4
        rig = Rig(tmp_path, fake, deque(["dialog.prompted:start_case#4"]), zygote=zygote)
        try:
            office = fake.user(FRONT_OFFICE, "Front Office", started=True)
            asyncio.run(create_database(rig.database))
            rig.spawn()
            rig.settle()
            rig.doing = "/mulai"
            say(rig, office, "/mulai", "Laporan untuk periode apa?")
            choose(rig, office, "⭐ Triwulan II", "Tahun berapa")
            choose(rig, office, "⭐ 2026", "asal surat")
            before = len(office.transcript)
            office.send_text(LETTER["from"])
            assert rig.await_reply(office, before, "nomor surat") == "ok"  # arrived ...
            killed_after_the_question(rig)  # ... and the bot died right after it

            say(rig, office, LETTER["number"], "tanggal surat")  # taken as the number
            say(rig, office, "1 Juli 2026", "perihal")
            say(rig, office, LETTER["subject"], "nomor agenda")
            say(rig, office, LETTER["agenda"], "sifat")
            choose(rig, office, "Segera", "foto atau PDF")
            choose(rig, office, "Lewati", "Ringkasan proses baru")
            choose(rig, office, "Mulai", "telah dimulai")
            rig.settle()
            assert [k.point for k in rig.kills] == ["dialog.prompted:start_case#4"]
            with rig.db() as conn:
                letters = [row[0] for row in conn.execute("SELECT letter_json FROM cases")]
            assert len(letters) == 1
            letter = json.loads(letters[0])
            assert (letter["from"], letter["number"]) == (LETTER["from"], LETTER["number"])
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
