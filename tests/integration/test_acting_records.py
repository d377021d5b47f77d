"""`python -m bot wakil` and `[[acting.letters]]`: the same rules as /wakil, on the data
files, each refusal said."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import load_config
from bot.core.clock import SystemClock
from bot.core.sop_loader import load_sops
from bot.runtime import Runtime, StartupError
from demo.stage import DEMO_CONFIG
from storage.db import Database
from storage.uow import reading

ARGS = [
    "--kind",
    "plh",
    "--absent",
    "kadin",
    "--stand-in",
    "sekretaris",
    "--appointer",
    "sekda",
    "--letter",
    "800/12/SP/2026",
    "--letter-date",
    "2026-07-01",
    "--start",
    "2099-07-06",
    "--end",
    "2099-07-10",
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("@TOKEN@", "7000000001:AAStandInTokenForTheOfflineDemo_00000")
        .replace("@BASE_URL@", "http://127.0.0.1:9/bot")
        .replace("@BASE_FILE_URL@", "http://127.0.0.1:9/file/bot")
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def stored(database: Path) -> list[tuple[str, str, str]]:
    db = Database(database)
    await db.open()
    try:
        async with reading(db, "demo") as tx:
            found = await tx.acting.not_ended(date(2026, 1, 1))
        return [(a.letter_number, a.absent, a.stand_in) for a in found]
    finally:
        await db.close()


def test_the_cli_records_a_plh_and_refuses_a_wrong_one(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["wakil", "--config", str(config), *ARGS]) == 0
    out = capsys.readouterr().out
    assert "Tercatat: Plh. Kepala Dinas Pendidikan, Sri Wahyuni" in out
    assert "Sekretaris Daerah" in out

    wrong = [*ARGS]
    wrong[wrong.index("sekda")] = "kabid_1"
    wrong[wrong.index("800/12/SP/2026")] = "800/13/SP/2026"
    assert main(["wakil", "--config", str(config), *wrong]) == 1
    assert capsys.readouterr().err == (
        "Surat Perintah harus ditandatangani atasan pejabat itu (Bupati, Sekretaris Daerah), "
        "bukan Drs. Bambang Hermawan.\n"
    )

    database = config.parent / "sopbot.db"
    assert asyncio.run(stored(database)) == [("800/12/SP/2026", "kadin", "sekretaris")]


LETTER_BLOCK = """
[[acting.letters]]
kind = "plh"
number = "800/20/SP/2099"
date = 2099-07-01
appointer = "{appointer}"
absent = "kadin"
stand_in = "sekretaris"
start = 2099-07-06
end = 2099-07-10
"""


def test_a_letter_in_the_config_is_recorded_once_at_start(config: Path) -> None:
    config.write_text(
        config.read_text(encoding="utf-8") + LETTER_BLOCK.format(appointer="bupati"),
        encoding="utf-8",
    )
    loaded = load_config(config, env={})
    runtime = Runtime.build(loaded, load_sops(loaded.sops), SystemClock())

    async def twice() -> list[int]:
        await runtime.db.open()
        try:
            return [await runtime.acting.record_configured() for _ in range(2)]
        finally:
            await runtime.db.close()

    assert asyncio.run(twice()) == [1, 0]
    assert asyncio.run(stored(config.parent / "sopbot.db")) == [
        ("800/20/SP/2099", "kadin", "sekretaris")
    ]


def test_a_letter_breaking_a_rule_stops_the_bot_with_its_key(config: Path) -> None:
    config.write_text(
        config.read_text(encoding="utf-8") + LETTER_BLOCK.format(appointer="kabid_1"),
        encoding="utf-8",
    )
    loaded = load_config(config, env={})
    with pytest.raises(StartupError) as stopped:
        Runtime.build(loaded, load_sops(loaded.sops), SystemClock())
    assert stopped.value.problems == [
        "acting.letters[0]: wrong_appointer (appointer=kabid_1, expected=('bupati', 'sekda'))"
    ]


def test_the_cli_extends_a_plt_once(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plt = [*ARGS]
    plt[plt.index("plh")] = "plt"
    assert main(["wakil", "--config", str(config), *plt]) == 0
    capsys.readouterr()
    extend = ["wakil-perpanjang", "--config", str(config), "--id", "1"]
    assert main([*extend, "--end", "2099-10-10"]) == 0
    assert "sampai 10 Oktober 2099" in capsys.readouterr().out
    assert main([*extend, "--end", "2099-11-10"]) == 1
    assert capsys.readouterr().err == (
        "Plt ini sudah pernah diperpanjang (Surat Perintah 800/12/SP/2026).\n"
    )
