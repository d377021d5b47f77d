"""A dialog's action and the closing of the dialog commit together.

The Sekretaris types her return reason; the bot commits the return and is killed at
once (`dialog.committed`), before it could say so. Formerly the dialog's row was deleted
in a transaction of its own after that commit, so the kill left the dialog open for a
finished return: the next thing she typed was taken as another reason (kept as a note on
the closed task). Now the row goes in the return's own transaction: after the restart
no dialog is open and her next words are not taken for anything.

The /mulai letter the same way: its dialog closes in the transaction that starts the case.
Killed inside that transaction, the case and the closing are both rolled back and the
replayed "Mulai" press starts it (formerly the dialog was closed first, on its own: the
replay found no dialog and the letter was lost); killed right after it, no /mulai question
is open and what the front office types next is not taken as an answer.
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
from tests.crash.rig import (
    FRONT_OFFICE,
    Rig,
    choose,
    count,
    create_database,
    die_and_restart,
    prepared,
    say,
)
from tests.crash.script import REASON_SAVED, Press
from tests.crash.zygote import Zygote
from tests.support.engine import LETTER

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


@pytest.mark.parametrize(
    "point", ["service.before_commit:StartCase", "dialog.committed:start_case"]
)
def test_a_kill_as_mulai_starts_the_case_starts_it_once_and_leaves_no_dialog_open(
    tmp_path: Path, zygote: Zygote, point: str
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = Rig(tmp_path, fake, deque([point]), zygote=zygote)
        try:
            office = fake.user(FRONT_OFFICE, "Front Office", started=True)
            asyncio.run(create_database(rig.database))
            rig.spawn()
            rig.settle()
            rig.doing = "/mulai"
            say(rig, office, "/mulai", "Laporan untuk periode apa?")
            choose(rig, office, "⭐ Triwulan II", "Tahun berapa")
            choose(rig, office, "⭐ 2026", "asal surat")
            say(rig, office, LETTER["from"], "nomor surat")
            say(rig, office, LETTER["number"], "tanggal surat")
            say(rig, office, "1 Juli 2026", "perihal")
            say(rig, office, LETTER["subject"], "nomor agenda")
            say(rig, office, LETTER["agenda"], "sifat")
            choose(rig, office, "Segera", "foto atau PDF")
            choose(rig, office, "Lewati", "Ringkasan proses baru")
            summary = next(m for m in reversed(office.transcript) if "Mulai" in m.button_texts)
            office.press_button(summary, "Mulai")  # killed as the case starts
            die_and_restart(rig)

            with rig.db() as conn:
                letters = [json.loads(r[0]) for r in conn.execute("SELECT letter_json FROM cases")]
            assert [letter["number"] for letter in letters] == [LETTER["number"]], rig.log_tail()
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            before = len(office.transcript)
            office.send_text("Terima kasih")  # no /mulai question is open any more
            rig.settle()
            said = " ".join(m.text for m in office.transcript[before:])
            assert "Mohon pilih salah satu tombol" not in said, said
            assert count(rig, "SELECT COUNT(*) FROM dialogs") == 0
            assert count(rig, "SELECT COUNT(*) FROM cases") == 1
            assert rig.stop() == 0
        finally:
            if rig.alive:
                rig.stop(signal.SIGKILL)
