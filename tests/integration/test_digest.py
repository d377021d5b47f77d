"""The daily digest and the holiday-data warning on a real Runtime and SQLite file.

The jobs' work is driven by calling `run_digest` / `warn_missing_cuti_bersama` with the
fake clock's time, as the scheduler would at the planned instant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import holidays
import pytest

from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.core.workflow import Complete
from bot.runtime import Runtime, StartupError
from bot.services.scheduling import (
    FIRST_START_KEY,
    next_digest_at,
    run_digest,
    warn_missing_cuti_bersama,
)
from demo.stage import DEMO_CONFIG, STAGE_TOKEN
from storage.codec import loads, to_iso
from storage.kv import KeyValues
from storage.uow import unit_of_work
from tests.support.engine import LETTER, next_happy_action
from tests.support.local_time import at_local

MONDAY = at_local(2026, 7, 13, 7, 45)


def write_config(folder: Path, extra: str = "", not_joined: tuple[int, ...] = ()) -> Path:
    """The demo Dinas's config; the officers with the Telegram ids listed never joined."""
    text = (
        DEMO_CONFIG.read_text(encoding="utf-8")
        .replace("@TOKEN@", STAGE_TOKEN)
        .replace("@BASE_URL@", "http://127.0.0.1:9/bot")
        .replace("@BASE_FILE_URL@", "http://127.0.0.1:9/file/bot")
    )
    for telegram_id in not_joined:
        text = text.replace(f"telegram_id = {telegram_id}\n", "")
    path = folder / "config.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def build_runtime(folder: Path, clock: FakeClock) -> Runtime:
    config = load_config(folder / "config.toml", env={})
    return Runtime.build(config, load_sops(config.sops), clock)


@asynccontextmanager
async def running(folder: Path, clock: FakeClock) -> AsyncIterator[Runtime]:
    """The bot's services on `folder`, without Telegram; leaving it is stopping the bot."""
    runtime = build_runtime(folder, clock)
    await runtime.db.open()
    try:
        yield runtime
    finally:
        await runtime.db.close()


async def outbox(runtime: Runtime, **match: Any) -> list[tuple[str, dict[str, Any]]]:
    rows = await runtime.db.fetchall("SELECT officer_key, payload_json FROM outbox ORDER BY id")
    found = [(r["officer_key"], loads(r["payload_json"])) for r in rows]
    return [(o, p) for o, p in found if all(p.get(k) == v for k, v in match.items())]


async def digests(runtime: Runtime) -> list[tuple[str, dict[str, Any]]]:
    return [(o, p) for o, p in await outbox(runtime) if "digest" in p]


async def walk_to_typing(runtime: Runtime, clock: FakeClock) -> None:
    """Case TW2 starts Monday 6 July 08.00; step 4 reaches the clerks Tuesday 09.00."""
    service = runtime.service
    clock.set(at_local(2026, 7, 6, 8, 0))
    state = (await service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)).state
    while state.step_key != "ketik":
        ctx = await service.context_for(state)
        actor, action = next_happy_action(ctx, state)
        clock.advance(minutes=3)
        if state.step_key == "konsep" and isinstance(action, Complete):
            clock.set(at_local(2026, 7, 7, 9, 0))
        state = (await service.act(actor, state.id, action)).state


async def test_the_monday_digest_shows_the_overdue_case_first_and_who_cannot_be_reached(
    tmp_path: Path,
) -> None:
    write_config(tmp_path, '\n[digest]\nrecipients = ["kadin"]\n', not_joined=(1008,))
    clock = FakeClock(MONDAY)
    async with running(tmp_path, clock) as runtime:
        await walk_to_typing(runtime, clock)
        async with unit_of_work(runtime.db, runtime.agency) as tx:  # kabid_3 blocked the bot
            await tx.accounts.bind("kabid_3", 1005, at_local(2026, 7, 6, 8, 0))
            await tx.accounts.mark_unreachable("kabid_3", at_local(2026, 7, 10, 9, 0))
        clock.set(at_local(2026, 7, 13, 7, 40))
        await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW3", 2026, LETTER)
        clock.set(MONDAY)
        assert await run_digest(runtime, MONDAY) == 2
        sent = await digests(runtime)
        ((head_id, head_hash),) = await runtime.db.fetchall(
            "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
        )
    assert [officer for officer, _ in sent] == ["sekretaris", "kadin"]
    for officer, payload in sent:
        assert payload["text"] == "\n".join(
            [
                "<b>Ringkasan tugas per Senin, 13 Juli 2026</b>",
                "2 proses berjalan: 1 terlambat, 1 dalam batas waktu.",
                "",
                "<b>Terlambat</b>",
                "• <b>LKT-2026-TW2</b> · Langkah 4: Pengetikan draf — Agus Salim, Maya Sari,"
                " A.Md., terlambat 6 jam 15 menit",
                "↳ Waktu terpakai 3 hari 6 jam 15 menit dari mutu baku 3 hari",
                "",
                "<b>Dalam proses</b>",
                "• <b>LKT-2026-TW3</b> · Langkah 1: Disposisi Kepala Dinas — Dr. H. Ahmad"
                " Santoso, M.Pd., batas waktu Senin, 13 Juli 2026 pukul 07.50 WIB",
                "↳ Waktu terpakai 5 menit dari mutu baku 10 menit",
                "",
                "<b>Pegawai yang belum dapat menerima pesan bot</b>",
                "• Ir. Yusuf Hidayat — tidak dapat dihubungi sejak 10 Juli 2026"
                " (bot diblokir atau belum dimulai)",
                "• Maya Sari, A.Md. — belum bergabung dengan bot",
                "",
                f"<i>Jejak audit: {head_id}:{head_hash[:20]}</i>",  # the head, kept outside
            ]
        )
        # the Sekretaris may nudge the holders ("Ingatkan"); the Kadin reads the details
        nudge = officer == "sekretaris"
        assert payload["buttons"] == [
            [{"text": "Rincian LKT-2026-TW2", "data": "dg:1"}]
            + ([{"text": "Ingatkan", "data": "ng:1"}] if nudge else []),
            [{"text": "Rincian LKT-2026-TW3", "data": "dg:2"}]
            + ([{"text": "Ingatkan", "data": "ng:2"}] if nudge else []),
        ]


async def test_nothing_overdue_is_said_in_one_line_not_by_silence(tmp_path: Path) -> None:
    write_config(tmp_path)
    clock = FakeClock(at_local(2026, 7, 13, 7, 40))
    async with running(tmp_path, clock) as runtime:
        await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW3", 2026, LETTER)
        assert await run_digest(runtime, MONDAY) == 1
        [(officer, payload)] = await digests(runtime)
    assert officer == "sekretaris"
    assert payload["text"].split("\n")[:6] == [
        "<b>Ringkasan tugas per Senin, 13 Juli 2026</b>",
        "1 proses berjalan: 0 terlambat, 1 dalam batas waktu.",
        "",
        "Semua tugas tepat waktu.",
        "",
        "<b>Dalam proses</b>",
    ]


async def test_one_digest_per_working_day_even_across_restarts(tmp_path: Path) -> None:
    write_config(tmp_path)
    clock = FakeClock(MONDAY)
    async with running(tmp_path, clock) as runtime:
        assert await run_digest(runtime, MONDAY) == 1
        assert await run_digest(runtime, at_local(2026, 7, 13, 8, 0)) == 0
    async with running(tmp_path, clock) as runtime:  # restarted the same morning
        assert await run_digest(runtime, at_local(2026, 7, 13, 9, 0)) == 0
        assert await run_digest(runtime, at_local(2026, 7, 14, 7, 45)) == 1
        days = [p["digest"] for _, p in await digests(runtime)]
    assert days == ["2026-07-13", "2026-07-14"]


@pytest.mark.parametrize(
    "morning",
    [
        at_local(2026, 7, 11, 7, 45),  # Saturday
        at_local(2026, 7, 12, 9, 0),  # Sunday
        at_local(2026, 8, 17, 7, 45),  # Monday, Hari Kemerdekaan
        at_local(2026, 12, 24, 7, 45),  # Thursday, cuti bersama Natal
        at_local(2026, 7, 13, 7, 44),  # a working day, a minute early
    ],
)
async def test_no_digest_on_weekends_holidays_or_before_its_time(
    tmp_path: Path, morning: datetime
) -> None:
    write_config(tmp_path)
    async with running(tmp_path, FakeClock(morning)) as runtime:
        assert await run_digest(runtime, morning) == 0
        assert await digests(runtime) == []


async def test_the_next_digest_skips_the_long_weekend(tmp_path: Path) -> None:
    write_config(tmp_path, '\n[digest]\ntime = "08:15"\n')
    async with running(tmp_path, FakeClock(MONDAY)) as runtime:
        settings = runtime.digest
        friday = at_local(2026, 8, 14, 9, 0)
        assert next_digest_at(friday, settings, runtime) == at_local(2026, 8, 18, 8, 15)
        assert next_digest_at(MONDAY, settings, runtime) == at_local(2026, 7, 13, 8, 15)


async def test_a_digest_missed_while_down_goes_out_at_start_while_the_day_lasts(
    tmp_path: Path,
) -> None:
    write_config(tmp_path)
    clock = FakeClock(at_local(2026, 7, 6, 8, 0))
    async with running(tmp_path, clock) as runtime:
        async with unit_of_work(runtime.db, runtime.agency) as tx:
            await KeyValues(tx.conn, runtime.agency).put(FIRST_START_KEY, to_iso(clock.now()))
        # First started Monday 08.00, after that day's digest time: nothing was missed.
        assert await run_digest(runtime, at_local(2026, 7, 6, 8, 0)) == 0
    # Down on Tuesday until 10.30: Tuesday's digest goes out at start.
    async with running(tmp_path, clock) as runtime:
        assert await run_digest(runtime, at_local(2026, 7, 7, 10, 30)) == 1
    # Down on Wednesday until after closing: Wednesday's is not sent at night.
    async with running(tmp_path, clock) as runtime:
        assert await run_digest(runtime, at_local(2026, 7, 8, 16, 5)) == 0
        assert await run_digest(runtime, at_local(2026, 7, 9, 7, 45)) == 1
        days = [p["digest"] for _, p in await digests(runtime)]
    assert days == ["2026-07-07", "2026-07-09"]


async def test_admins_hear_once_a_year_about_cuti_bersama_missing_from_the_data(
    tmp_path: Path,
) -> None:
    write_config(tmp_path)
    clock = FakeClock(at_local(2026, 7, 6, 8, 0))
    async with running(tmp_path, clock) as runtime:
        assert await warn_missing_cuti_bersama(runtime, clock.now()) == 0  # 2026, 2027 known
        in_2027 = at_local(2027, 3, 1, 8, 0)
        assert await warn_missing_cuti_bersama(runtime, in_2027) == 2
        assert await warn_missing_cuti_bersama(runtime, at_local(2027, 11, 1, 8, 0)) == 0
    async with running(tmp_path, clock) as runtime:
        assert await warn_missing_cuti_bersama(runtime, at_local(2027, 12, 1, 8, 0)) == 0
        assert await warn_missing_cuti_bersama(runtime, at_local(2028, 1, 3, 8, 0)) == 2
        warnings = [
            (officer, payload["text"])
            for officer, payload in await outbox(runtime)
            if "cuti bersama" in payload["text"]
        ]
    version = holidays.__version__
    assert [officer for officer, _ in warnings] == ["sekretaris", "tg:1099"] * 2
    assert warnings[0][1] == (
        f"⚠️ Data cuti bersama tahun 2028 belum ada dalam paket holidays {version} yang"
        " dipakai bot. Sampai paket diperbarui, hari cuti bersama tahun tersebut dihitung"
        " sebagai hari kerja. Mohon minta pengelola bot memperbarui paket, atau cantumkan"
        " tanggalnya pada extra_closures di bagian [calendar] config.toml."
    )
    assert "tahun 2028, 2029 belum ada" in warnings[2][1]


async def test_an_agency_without_national_holidays_gets_no_warning(tmp_path: Path) -> None:
    write_config(tmp_path, "\n[calendar]\nuse_national_holidays = false\n")
    async with running(tmp_path, FakeClock(MONDAY)) as runtime:
        assert await warn_missing_cuti_bersama(runtime, at_local(2027, 3, 1, 8, 0)) == 0


def test_mistakes_in_digest_stop_the_bot_with_every_key_named(tmp_path: Path) -> None:
    write_config(tmp_path, '\n[digest]\ntime = "7:75"\nrecipients = ["kadinn"]\n')
    with pytest.raises(StartupError) as stopped:
        build_runtime(tmp_path, FakeClock(MONDAY))
    assert stopped.value.problems == [
        'digest.time: expected a local time "HH:MM" such as "07:45", got "7:75"',
        'digest.recipients[0]: no officer has the key "kadinn"; did you mean "kadin"?',
    ]


async def test_a_late_kadin_is_marked_in_the_digest_as_nobody_above(tmp_path: Path) -> None:
    write_config(tmp_path)
    clock = FakeClock(at_local(2026, 7, 13, 7, 40))  # step 1, "10 menit": due 07.50
    async with running(tmp_path, clock) as runtime:
        await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW3", 2026, LETTER)
        tuesday = at_local(2026, 7, 14, 7, 45)
        clock.set(tuesday)
        assert await run_digest(runtime, tuesday) >= 1
        ((_, payload), *_) = await digests(runtime)
    lines = payload["text"].split("\n")
    at = lines.index("<b>Terlambat</b>")
    assert lines[at + 1].startswith("• <b>LKT-2026-TW3</b> · Langkah 1:")
    assert lines[at + 3] == (
        "↳ Tidak ada atasan di atas Dr. H. Ahmad Santoso, M.Pd. untuk eskalasi:"
        " admin diberi tahu setelah tenggang waktu"
    )
