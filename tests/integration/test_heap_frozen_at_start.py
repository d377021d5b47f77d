"""The live bot moves what start built out of the garbage collector's way (issue 12).

A full collection scans every tracked object; on the path of a press it cost 80-90 ms,
one press in twenty. What start builds (configuration, SOPs, catalogue, calendars, PTB)
lives as long as the process, so the live bot freezes it once started. The tests' bots,
many per process, do not: frozen objects are never collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_application, running
from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.runtime import Runtime
from demo.stage import STAGE_TOKEN, write_stage_config
from fakegram import FakeTelegram
from tests.support.chat import START


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        yield fake
    finally:
        gc.unfreeze()  # what a test froze is collectable again for the tests after it
        fake.stop()


async def _frozen_while_running(tmp_path: Path, fake: FakeTelegram, *, freeze: bool) -> int:
    config = load_config(write_stage_config(tmp_path, fake), env={})
    runtime = Runtime.build(config, load_sops(config.sops), FakeClock(START))
    app = build_application(
        runtime,
        token=STAGE_TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        rate_limit=False,
        freeze_heap=freeze,
    )
    gc.unfreeze()
    async with running(app):
        return gc.get_freeze_count()


async def test_the_live_bot_freezes_what_start_built(tmp_path: Path, fake: FakeTelegram) -> None:
    frozen = await _frozen_while_running(tmp_path, fake, freeze=True)
    assert frozen > 10_000  # PTB, the SOPs, the catalogue and the calendars at least


async def test_a_bot_in_a_test_process_freezes_nothing(tmp_path: Path, fake: FakeTelegram) -> None:
    assert await _frozen_while_running(tmp_path, fake, freeze=False) == 0
