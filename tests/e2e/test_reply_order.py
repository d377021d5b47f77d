"""A direct reply never overtakes a message queued earlier for the same chat, also from
handlers other than the task press (here: a /riwayat choice, a digest detail)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.services.outbox import enqueue
from bot.views.outgoing import Outgoing, Send
from demo.stage import Stage, stage
from fakegram import BotMessage, FakeUser
from storage.uow import unit_of_work
from tests.support.engine import LETTER
from tests.support.local_time import at_local

START = at_local(2026, 7, 6, 8, 0)  # Monday 08.00 WIB
QUEUED = "Pesan yang antre lebih dulu"


async def ask(st: Stage, user: FakeUser, text: str) -> BotMessage:
    user.send_text(text)
    await st.settle()
    return user.transcript[-1]


def hold_delivery(st: Stage, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Telegram slow to take the queue: delivery passes wait until the event is set."""
    sender = st.runtime.sender
    assert sender is not None
    drain: Callable[[], Awaitable[int]] = sender.drain
    gate = asyncio.Event()

    async def slow_drain() -> int:
        await gate.wait()
        return await drain()

    monkeypatch.setattr(sender, "drain", slow_drain)
    return gate


async def press_while_queued(
    st: Stage,
    monkeypatch: pytest.MonkeyPatch,
    user: FakeUser,
    officer: str,
    message: BotMessage,
    button: str,
) -> list[str]:
    """Queue a message for `officer`, press `button` while it waits; the texts after."""
    before = len(user.transcript)
    gate = hold_delivery(st, monkeypatch)
    async with unit_of_work(st.runtime.db, st.runtime.agency) as tx:
        await enqueue(tx, Outgoing(officer, Send(QUEUED)), START)
    query = user.press_button(message, button)
    await st.fake.wait_for(lambda: user.callback_answer(query).answered)
    await asyncio.sleep(0.3)  # room for a reply that would not wait
    gate.set()
    await st.settle()
    return [m.text for m in user.transcript[before:]]


async def test_a_case_shown_from_riwayat_comes_after_what_was_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        case = (
            await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
        ).state
        await st.runtime.deliver()
        await st.settle()
        kabid = st.user("kabid_1")
        choose = await ask(st, kabid, "/riwayat")
        texts = await press_while_queued(
            st, monkeypatch, kabid, "kabid_1", choose, f"{case.code} (berjalan)"
        )
        assert texts[0] == QUEUED
        assert texts[1].startswith(f"Riwayat {case.code}")
