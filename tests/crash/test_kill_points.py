"""A whole case survives SIGKILL at every kill point, and ends as if nothing happened.

Two bots walk the same case, each killed at its half of the kill points (one kill per
start; every restart arms the next point), while a third walks it uninterrupted. The
rig checks after every kill and restart that nothing acknowledged was lost and that
only a kill between Telegram's OK and the mark sent a message twice; here the crashed
runs are compared with the uninterrupted one: same case state, same audit trail, same
documents, same outbox, and per officer and task the same messages plus exactly the
counted duplicates.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.crashpoints import POINTS
from demo.stage import STAGE_TOKEN
from fakegram import FakeTelegram
from storage.audit import verify_audit
from storage.audit_key import AuditKeySource
from storage.files import FileStore
from tests.crash.rig import Key, Rig, case_state, per_task
from tests.crash.zygote import Zygote
from tests.support.figures import record

pytestmark = [
    pytest.mark.crash,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics"),
]

# In the order the case reaches them. A: start-up, the reminder tick, the sender, a
# dialog, the inbox, a button. B: uploads, documents sent twice, decisions of each kind,
# an update without effect, the end.
PLAN_A = (
    "tick.before_commit",  # start 1: step 1's deadline reminder is due
    "tick.committed",
    "startup.db_open",
    "sender.sent_unmarked",  # the step-1 task message: sent twice
    "sender.marked",
    "sender.before_send",
    "dialog.prompted",  # kadin's disposition dialog
    "dialog.stored",  # the dialog is on disk, its question never sent
    "dialog.committed",
    "inbox.stored",  # the next tick is in the inbox, not yet handled: replayed at start
    "button.received",  # a checklist tick, four times over
    "service.before_engine",
    "service.before_commit",
    "service.committed",
    "button.committed",
    "button.answered",
    "sender.sent_unmarked:edit",  # the checklist message edited twice
)
PLAN_B = (
    "upload.downloaded",  # the Ketua's concept, three times
    "upload.stored",
    "upload.committed",
    "upload.acknowledged",  # the typist's draft
    "sender.sent_unmarked:document",  # the draft sent to the Sekretaris twice
    "dialog.acknowledged",  # the return reason
    "service.before_commit:AttachFile",  # the second draft
    "service.committed:Approve",
    "service.before_engine:Paraf",
    "service.committed:Approve#2",  # the second Kabid
    "service.committed:Sign",  # its approval sheet is rendered at the next start ...
    "document.rendering",  # ... where it is killed before the file is stored,
    "document.stored",  # and after, before the document is recorded
    "inbox.handled",  # the order selection (no effect) changed the buttons, not yet done
    "upload.stored",  # the proof photo of step 11
    "service.committed:Complete",  # the case finishes
)


def walk(folder: Path, plan: tuple[str, ...], zygote: Zygote) -> tuple[Rig, FakeTelegram]:
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    rig = Rig(folder, fake, deque(plan), zygote=zygote)
    try:
        rig.run()
        code = rig.stop()
        assert code == 0, rig.log_tail()
    except BaseException:
        if rig.alive:
            rig.stop(signal.SIGKILL)
        fake.stop()
        raise
    return rig, fake


def test_a_case_killed_at_every_point_ends_like_an_uninterrupted_one(
    tmp_path: Path, request: pytest.FixtureRequest, zygote: Zygote
) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(3) as pool:  # one zygote forks the ~35 starts of all three
        runs = [
            pool.submit(walk, tmp_path / name, plan, zygote)
            for name, plan in (("reference", ()), ("a", PLAN_A), ("b", PLAN_B))
        ]
        (reference, ref_fake), *crashed = [run.result() for run in runs]
    try:
        expected = case_state(reference)
        assert expected["cases"][0]["status"] == "finished"
        assert expected["unsent"] == []
        for rig, _ in crashed:
            check_same_ending(reference, rig, expected)
        kills = [kill for rig, _ in crashed for kill in rig.kills]
        assert [k.point for k in kills] == [*PLAN_A, *PLAN_B]
        names = {k.point.partition(":")[0].partition("#")[0] for k in kills}
        assert len(names) >= 20, sorted(set(POINTS) - names)
        for rig, _ in [(reference, ref_fake), *crashed]:
            token_secret = STAGE_TOKEN.partition(":")[2]
            assert token_secret not in rig.log_path.read_text(encoding="utf-8")
    finally:
        for _, fake in [(reference, ref_fake), *crashed]:
            fake.stop()
    record(request, "crash.kills survived", len(kills))
    record(request, "crash.distinct kill points", len(names))
    record(request, "crash.bot starts", sum(rig.starts for rig, _ in crashed))
    record(
        request,
        "crash.duplicates (all between OK and mark)",
        sum(1 for k in kills if k.duplicated is not None),
    )
    record(request, "crash.suite seconds", round(time.monotonic() - started, 1))


def check_same_ending(reference: Rig, rig: Rig, expected: dict[str, object]) -> None:
    """Same state and documents; every row delivered; extra copies only where counted."""
    state = case_state(rig)
    for part in expected:
        assert state[part] == expected[part], f"{part} differs after {len(rig.kills)} kills"
    audit_key = AuditKeySource.beside(rig.config_path).load()
    report = asyncio.run(verify_audit(rig.database, audit_key))
    assert report.problems == [] and report.rows == len(state["audit"])
    assert audit_key is not None and report.keyed_from is not None
    store = FileStore(rig.config.storage.files)
    with rig.db() as conn:
        for (sha,) in conn.execute("SELECT sha256 FROM files UNION SELECT sha256 FROM documents"):
            store.get_sync(sha)

    duplicated: Counter[Key] = Counter(k.duplicated for k in rig.kills if k.duplicated)
    calls, ref_calls = rig.delivered(), reference.delivered()
    rows_by_key = Counter(rig.key_of(row) for row in rig.outbox_rows())
    for key, count in rows_by_key.items():
        assert calls[key] >= count, f"outbox row never reached Telegram: {key}"
        assert calls[key] - ref_calls[key] == duplicated[key], key
    got, want = per_task(rig, calls), per_task(reference, ref_calls)
    extra = {k: got[k] - want[k] for k in got.keys() | want.keys() if got[k] != want[k]}
    assert extra == dict(per_task(rig, duplicated))
