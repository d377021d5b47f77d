"""The digest's "Ingatkan" for the Sekretaris: one nudge to the holders of a case's open
step, recorded in the audit, at most once per holder and case per hour (issue 15)."""

from __future__ import annotations

from pathlib import Path

from bot.core.clock import FakeClock
from demo.stage import Stage, stage
from storage.uow import reading
from tests.support.chat import START, press, say, says, start_case


async def _nudges(st: Stage) -> list[tuple[str, list[str]]]:
    state = await st.runtime.service.case_by_code("LKT-2026-TW2")
    assert state is not None
    async with reading(st.runtime.db, st.runtime.agency) as tx:
        trail = await tx.audit.for_case(state.id)
    return [(e.actor, list(e.data["holders"])) for e in trail if e.action == "nudge"]


async def test_the_sekretaris_nudges_the_holder_once_an_hour(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with stage(tmp_path, clock) as st:
        await start_case(st)
        kadin_name = st.runtime.directory.name("kadin")
        sek = st.user("sekretaris")
        digest = await say(st, sek, "/ringkasan")
        assert digest.button_texts == ["Rincian LKT-2026-TW2", "Ingatkan"]

        kadin = st.user("kadin")
        before = len(kadin.transcript)
        answer = await press(st, sek, digest, "Ingatkan")

        assert answer == says("daily_digest.nudge_sent", names=kadin_name)
        assert answer.startswith("Pengingat dikirim kepada Dr.") and ".." not in answer
        await st.runtime.deliver()
        assert len(kadin.transcript) == before + 1
        assert kadin.transcript[-1].text.startswith(
            f"🔔 {st.runtime.directory.name('sekretaris')} mengingatkan: LKT-2026-TW2 · "
            "Langkah 1: Disposisi Kepala Dinas menunggu tindakan Bapak/Ibu; batas waktu"
        )
        assert await _nudges(st) == [("sekretaris", ["kadin"])]

        clock.advance(minutes=20)
        answer = await press(st, sek, digest, "Ingatkan")
        assert answer == (
            f"{kadin_name} sudah diingatkan dalam satu jam terakhir; "
            "pengingat berikutnya dapat dikirim pukul 09.00 WIB."
        )
        await st.runtime.deliver()
        assert len(kadin.transcript) == before + 1  # nothing more reached the Kadin
        assert len(await _nudges(st)) == 1

        clock.advance(minutes=41)
        answer = await press(st, sek, digest, "Ingatkan")
        assert answer == says("daily_digest.nudge_sent", names=kadin_name)
        assert len(await _nudges(st)) == 2


async def test_only_the_sekretaris_sees_and_may_press_ingatkan(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        kadin = st.user("kadin")
        digest = await say(st, kadin, "/ringkasan")
        assert digest.button_texts == ["Rincian LKT-2026-TW2"]
        state = await st.runtime.service.case_by_code("LKT-2026-TW2")
        assert state is not None
        query = kadin.forge_callback(f"ng:{state.id}", digest.message_id)
        await st.settle()
        assert kadin.callback_answer(query).text == "Tombol Ingatkan hanya untuk Sekretaris."
        assert await _nudges(st) == []
