"""Backups of a running bot, restoring them, the start-up integrity check, damaged files.

The promise to the agency: a backup made while officers work restores into a new folder
where every open case goes on; a damaged database stops the bot with the way out; a
stored file that fails its hash is never sent, and the people who need to know are told.
"""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.ptb.jobs import BACKUP_JOB, _backup_job
from bot.runtime import Runtime, StartupError
from bot.services.backup import next_backup_at, run_backup
from bot.services.backup_settings import BackupSettings
from bot.views.i18n import Catalogue
from demo.stage import STAGE_TOKEN, Stage, stage, write_stage_config
from fakegram import FakeTelegram, FakeUser
from storage import backup as store
from storage.audit_key import AUDIT_KEY_FILE
from storage.backup import BackupError
from storage.files import FileStore, sha256_hex
from tests.support.chat import START, press, say, start_case, task_message, walk_to_review
from tests.support.docs import tiny_docx
from tests.support.engine import LETTER

JAKARTA = ZoneInfo("Asia/Jakarta")
CATALOGUE = Catalogue.load()


async def finish_from_review(st: Stage) -> None:
    """Steps 5 to 11 of the case `walk_to_review` left at the Sekretaris's review."""
    sek, kadin = st.user("sekretaris"), st.user("kadin")
    await press(st, sek, task_message(sek, 5), "Setujui")
    await press(st, sek, task_message(sek, 6), "Paraf")
    for kabid in ("kabid_1", "kabid_2", "kabid_3"):
        await press(st, st.user(kabid), task_message(st.user(kabid), 7), "Setujui")
    await press(st, sek, task_message(sek, 8), "Paraf")
    await press(st, kadin, task_message(kadin, 9), "Tanda tangani")
    await press(st, kadin, task_message(kadin, 9), "Ya, tanda tangani")
    kasubag = st.user("kasubag")
    await press(st, kasubag, task_message(kasubag, 10), "⬜ Maya Sari, A.Md.")
    await press(st, kasubag, task_message(kasubag, 10), "Perintahkan")
    maya = st.user("staf_2")
    for recipient in ("Bupati Contoh", "Inspektorat Kabupaten Contoh"):
        await press(st, maya, task_message(maya, 11), f"⬜ {recipient}")
        await say(st, maya, f"SRIKANDI 800/{len(recipient)}")
    await press(st, maya, task_message(maya, 11), "⬜ Bappeda Kabupaten Contoh")
    maya.send_photo(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    await st.settle()
    await press(st, maya, task_message(maya, 11), "Selesai")


def visible(html_text: str) -> str:
    """What the user reads of an HTML message (tags gone, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def drafts_sent(user: FakeUser, since: int, filename: str) -> list[bytes]:
    return [
        user.downloaded_document(m)
        for m in user.transcript[since:]
        if m.document is not None and m.document.filename == filename
    ]


# -- backup and restore ----------------------------------------------------------------


async def test_a_backup_of_the_running_bot_restores_and_every_open_case_goes_on(
    tmp_path: Path,
) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    clock = FakeClock(START)
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        async with stage(live, clock, fake) as st:
            await start_case(st)
            await walk_to_review(st)  # case 1 waits at step 5, with two drafts stored
            await st.runtime.service.start_case("kadin", "pelaporan_kinerja", "TW1", 2026, LETTER)
            await st.runtime.deliver()  # case 2 waits at step 1
            report = await run_backup(st.runtime)  # while the bot serves
            cases = await st.runtime.service.open_cases()
            open_before = [(c.code, c.step_key) for c in cases]
            (typed,) = [c.latest_draft for c in cases if c.latest_draft is not None]
            assert typed.filename == "draf.docx"

        assert report.folder.parent == live / "backup"
        assert report.folder.name == "2026-07-06_080000"  # the agency's local time
        assert report.problems == () and report.files_total == report.files_copied >= 2
        assert store.verify_backup(report.folder) == []
        assert sorted(open_before) == [("LKT-2026-TW1", "disposisi"), ("LKT-2026-TW2", "periksa")]

        done = store.restore(report.folder, restored)
        assert (done.database, done.files, done.files_total) == (
            restored / "sopbot.db",
            restored / "files",
            report.files_total,
        )
        write_stage_config(restored, fake)  # the same Dinas, pointed at the restored data
        # The audit key is never in a backup: it moves with config.toml (README).
        shutil.copy2(live / AUDIT_KEY_FILE, restored / AUDIT_KEY_FILE)
        sek_seen = len(fake.user(1002, "Sri").transcript)
        kabids = [st.user(key) for key in ("kabid_1", "kabid_2", "kabid_3")]  # the live stage's
        assert [drafts_sent(kabid, 0, "draf.docx") for kabid in kabids] == [[], [], []]
        seen = {kabid.chat_id: len(kabid.transcript) for kabid in kabids}
        async with stage(restored, clock, fake) as st:
            cases = await st.runtime.service.open_cases()
            assert sorted((c.code, c.step_key) for c in cases) == sorted(open_before)
            await finish_from_review(st)
            kadin = st.user("kadin")
            other = [m for m in kadin.transcript if "LKT-2026-TW1" in m.text and m.buttons]
            await press(st, kadin, other[-1], "Disposisikan")
            assert "instruksi disposisi" in kadin.transcript[-1].text
            finished = await st.runtime.service.case_by_code("LKT-2026-TW2")
            assert finished is not None and finished.status.value == "finished"
        # The restored store served the typist's draft to the Kabids (step 7, their first
        # sight of it), once each, byte for byte; the Sekretaris, who had it before the
        # backup, is never sent it again.
        for kabid in kabids:
            sent = drafts_sent(kabid, seen[kabid.chat_id], "draf.docx")
            assert [sha256_hex(data) for data in sent] == [typed.sha256]
        assert drafts_sent(st.user("sekretaris"), sek_seen, "draf.docx") == []


def fill_store(root: Path, *contents: bytes) -> list[str]:
    files = FileStore(root)
    return [files.put_sync(data) for data in contents]


def make_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE files (sha256 TEXT)")
    conn.commit()
    conn.close()


def test_later_backups_copy_only_new_files_and_keep_the_newest_n(tmp_path: Path) -> None:
    database, files, root = tmp_path / "sopbot.db", tmp_path / "files", tmp_path / "backups"
    make_database(database)
    old = fill_store(files, b"satu", b"dua", b"tiga")
    at = datetime(2026, 7, 6, 18, 0, tzinfo=JAKARTA)
    first = store.backup(database, files, root, now=at, zone=JAKARTA, keep=2)
    (new,) = fill_store(files, b"empat")
    second = store.backup(database, files, root, now=at + timedelta(days=1), zone=JAKARTA, keep=2)
    assert (first.files_copied, first.files_linked) == (3, 0)
    assert (second.files_copied, second.files_linked) == (1, 3)
    for sha in old:  # the same bytes on disk once: a hard link, not a copy
        a, b = (r.folder / "files" / sha[:2] / sha for r in (first, second))
        assert a.stat().st_ino == b.stat().st_ino
    assert (second.folder / "files" / new[:2] / new).read_bytes() == b"empat"
    (root / "2026-07-08_180000.partial").mkdir()  # a backup interrupted by a crash
    third = store.backup(database, files, root, now=at + timedelta(days=2), zone=JAKARTA, keep=2)
    assert store.list_backups(root) == [second.folder, third.folder]
    assert third.pruned[0] == first.folder
    assert not (root / "2026-07-08_180000.partial").exists()
    assert store.newest_backup(root) == third.folder


def test_a_backup_names_files_the_database_refers_to_but_the_store_lacks(tmp_path: Path) -> None:
    database, files = tmp_path / "sopbot.db", tmp_path / "files"
    make_database(database)
    (kept,) = fill_store(files, b"ada")
    lost = sha256_hex(b"hilang")
    with sqlite3.connect(database) as conn:
        conn.executemany("INSERT INTO files VALUES (?)", [(kept,), (lost,)])
    at = datetime(2026, 7, 6, 18, 0, tzinfo=JAKARTA)
    report = store.backup(database, files, tmp_path / "b", now=at, zone=JAKARTA, keep=3)
    assert report.problems == (f"file {lost} is named in the database, not in the store",)
    assert store.verify_backup(report.folder) == [
        f"{report.folder}: file {lost} named in the database is missing"
    ]


def test_restore_never_overwrites_and_refuses_a_damaged_backup(tmp_path: Path) -> None:
    database, files = tmp_path / "sopbot.db", tmp_path / "files"
    make_database(database)
    (sha,) = fill_store(files, b"isi berkas")
    at = datetime(2026, 7, 6, 18, 0, tzinfo=JAKARTA)
    folder = store.backup(database, files, tmp_path / "b", now=at, zone=JAKARTA, keep=3).folder
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "sopbot.db").write_bytes(b"live data")
    with pytest.raises(BackupError, match="not empty; restore into a new folder"):
        store.restore(folder, occupied)
    assert (occupied / "sopbot.db").read_bytes() == b"live data"
    with pytest.raises(BackupError, match="not a backup"):
        store.restore(tmp_path / "files", tmp_path / "new")
    (folder / "files" / sha[:2] / sha).write_bytes(b"isi berubah")
    with pytest.raises(BackupError, match="does not match its hash"):
        store.restore(folder, tmp_path / "new")
    assert not (tmp_path / "new").exists()


def stage_folder(tmp_path: Path, fake: FakeTelegram, extra: str = "") -> Path:
    path = write_stage_config(tmp_path, fake)
    if extra:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\n" + extra + "\n")
    return path


async def test_the_cli_backs_up_a_data_folder_and_restores_it_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        config = stage_folder(tmp_path / "live", fake)
        async with stage(tmp_path / "live", FakeClock(START), fake) as st:
            await start_case(st)
        assert main(["backup", "--config", str(config)]) == 0
        said = capsys.readouterr().out
        (folder,) = store.list_backups(tmp_path / "live" / "backup")
        assert said.startswith(f"backup written to {folder}: database ")
        target = tmp_path / "elsewhere"
        assert main(["restore", str(folder), "--to", str(target)]) == 0
        said = capsys.readouterr().out
        assert f'database = "{target.resolve() / "sopbot.db"}"' in said
        assert f'files = "{target.resolve() / "files"}"' in said
        assert main(["restore", str(folder), "--to", str(target)]) == 1
        assert "not empty" in capsys.readouterr().err


# -- the start-up integrity check ------------------------------------------------------------


def corrupt_table(database: Path, table: str) -> None:
    """Overwrite the root page of `table` the way a failing disk would."""
    with sqlite3.connect(database) as conn:
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,))
        (size,) = conn.execute("PRAGMA page_size").fetchone()
    conn.close()
    data = bytearray(database.read_bytes())
    offset = (root[0] - 1) * size
    data[offset + 8 : offset + size] = b"\xa5" * (size - 8)
    database.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["a table's page", "the file header"])
async def test_a_damaged_database_stops_the_bot_and_names_the_newest_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    clock = FakeClock(START)
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        config = stage_folder(tmp_path, fake)
        async with stage(tmp_path, clock, fake) as st:
            await start_case(st)
            await run_backup(st.runtime)
            clock.advance(hours=1)
            newest = (await run_backup(st.runtime)).folder
        database = tmp_path / "sopbot.db"
        if damage == "the file header":
            database.write_bytes(b"not a database, really" + database.read_bytes()[22:])
        else:
            corrupt_table(database, "audit_log")
        before = database.read_bytes()
        polls = len(fake.calls_to("getUpdates"))
        capsys.readouterr()
        assert main(["run", "--config", str(config)]) == 2
        said = capsys.readouterr().err
        assert said.startswith(f"{database}: the database is damaged; the bot will not start")
        assert f"The newest backup is {newest}\n" in said
        assert f"Restore it:  python -m bot restore {newest} --to <new folder>" in said
        assert database.read_bytes() == before  # the damaged file is left as it was
        assert len(fake.calls_to("getUpdates")) == polls  # never served


def test_without_any_backup_the_stop_message_says_so(tmp_path: Path) -> None:
    from bot.services.backup import startup_problem

    with FakeTelegram(token=STAGE_TOKEN) as fake:
        config = load_config(stage_folder(tmp_path, fake), env={})
    (tmp_path / "sopbot.db").write_bytes(b"\x00" * 8192)
    said = startup_problem(config)
    assert said is not None
    assert f"No backup was found in {tmp_path / 'backup'}." in said
    (tmp_path / "sopbot.db").unlink()
    assert startup_problem(config) is None  # a new installation has nothing to check


# -- files damaged in the store ----------------------------------------------------------


@pytest.mark.parametrize("damage", ["changed", "deleted"])
async def test_a_damaged_stored_draft_is_never_sent_and_people_are_told(
    tmp_path: Path, damage: str
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        front_office = fake.user(1099, "Admin", started=True)
        async with stage(tmp_path, FakeClock(START), fake) as st:
            await start_case(st)
            await walk_to_review_without_sending(st)
            case = await st.runtime.service.case_by_code("LKT-2026-TW2")
            assert case is not None and case.latest_draft is not None
            path = st.runtime.files.path_of(case.latest_draft.sha256)
            if damage == "changed":  # one flipped bit, as a failing disk does
                data = bytearray(path.read_bytes())
                data[len(data) // 2] ^= 0x01
                path.write_bytes(bytes(data))
            else:
                path.unlink()
            staf, sek = st.user("staf_1"), st.user("sekretaris")
            await press(st, staf, task_message(staf, 4), "Kirim")

            sent = [m.document.filename for m in sek.transcript if m.document is not None]
            assert "draf.docx" not in sent
            told = visible(
                CATALOGUE.text(
                    "id", "safety.file_damaged", filename="draf.docx", case_code="LKT-2026-TW2"
                )
            )
            assert told in [m.text for m in sek.transcript]
            admin = front_office.transcript[-1].text
            assert admin.startswith("⚠️ Berkas draf.docx untuk LKT-2026-TW2 rusak atau hilang")
            assert f"tidak dikirim kepada {st.runtime.directory.name('sekretaris')}" in admin
            assert str(path) in admin
            async with st.runtime.db.reading() as conn:
                rows = await conn.execute_fetchall(
                    "SELECT last_error, sent_at FROM outbox "
                    "WHERE kind = 'document' AND last_error IS NOT NULL"
                )
                unreachable = await conn.execute_fetchall(
                    "SELECT unreachable_since FROM officer_accounts "
                    "WHERE officer_key = 'sekretaris'"
                )
            # The task's row went out without its file, and keeps why.
            [(error, sent_at)] = list(rows)
            assert str(error).startswith("file: ") and sent_at is not None
            assert all(r[0] is None for r in unreachable)  # a damaged file is not a lost officer
            # The task itself still reached her, as a text with its buttons, and works.
            review = task_message(sek, 5)
            assert review.kind == "text" and review.document is None
            assert review.button_texts[:2] == ["Setujui", "Kembalikan"]
            assert "Rincian" in review.button_texts
            await press(st, sek, review, "Setujui")
            assert sek.message(review.message_id).edited  # the text task, edited in place


async def walk_to_review_without_sending(st: Stage) -> None:
    """`walk_to_review` up to the typist's upload, before "Kirim" sends the draft on."""
    kadin = st.user("kadin")
    await press(st, kadin, task_message(kadin, 1), "Disposisikan")
    await say(st, kadin, "Segera susun laporan triwulan II")
    await say(st, kadin, "-")
    sakip = st.user("sakip_1")
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        await press(st, sakip, task_message(sakip, 2), f"⬜ {item}")
    await press(st, sakip, task_message(sakip, 2), "Selesai")
    ketua = st.user("sakip_ketua")
    ketua.send_document("konsep.docx", tiny_docx("konsep"))
    await st.settle()
    await press(st, ketua, task_message(ketua, 3), "Kirim")
    st.user("staf_1").send_document("draf.docx", tiny_docx("draf diketik"))
    await st.settle()


# -- the daily job ---------------------------------------------------------------------------


def test_the_backup_time_is_today_after_hours_or_soon_when_missed() -> None:
    settings = BackupSettings()
    morning = datetime(2026, 7, 6, 8, 0, tzinfo=JAKARTA)
    evening = datetime(2026, 7, 6, 19, 30, tzinfo=JAKARTA)
    today = datetime(2026, 7, 6, 18, 0, tzinfo=JAKARTA)
    assert next_backup_at(morning, settings, JAKARTA, None) == today
    assert next_backup_at(evening, settings, JAKARTA, None) == evening + timedelta(minutes=1)
    assert next_backup_at(evening, settings, JAKARTA, today - timedelta(days=1)) == (
        evening + timedelta(minutes=1)
    )
    assert next_backup_at(evening, settings, JAKARTA, today) == today + timedelta(days=1)


async def test_the_daily_job_is_planned_and_a_failed_backup_reaches_the_admins(
    tmp_path: Path,
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        stage_folder(tmp_path, fake, '[backup]\ntime = "17:30"\nkeep = 3')
        (tmp_path / "backup").write_text("a file where the backup folder should be")
        async with stage(tmp_path, FakeClock(START), fake) as st:
            assert st.app.job_queue is not None
            (job,) = st.app.job_queue.get_jobs_by_name(BACKUP_JOB)
            assert job.next_t is not None
            hours = (job.next_t - datetime.now(job.next_t.tzinfo)).total_seconds() / 3600
            assert 9.4 < hours < 9.6  # 08.00 -> 17.30 on the injected clock
            sek = st.user("sekretaris")
            before = len(sek.transcript)
            st.app.job_queue.run_once(_backup_job, 0)  # what 17.30 would do
            await fake.wait_for(lambda: len(sek.transcript) > before)
            failed = sek.transcript[-1].text
            assert failed.startswith("⚠️ Pencadangan harian gagal: ")
            assert "Cadangan terbaru: belum ada" in failed


@pytest.mark.parametrize(
    ("table", "problems"),
    [
        ({"keep": 0}, ["backup.keep: expected a whole number of at least 1, got 0"]),
        ({"keep": "7"}, ["backup.keep: expected a whole number of at least 1, got '7'"]),
        ({"keep": True}, ["backup.keep: expected a whole number of at least 1, got True"]),
        (
            {"time": "6 sore"},
            ['backup.time: expected a local time "HH:MM" such as "18:00", got "6 sore"'],
        ),
        (
            {"time": "24:00"},
            ['backup.time: expected a local time "HH:MM" such as "18:00", got "24:00"'],
        ),
        (
            {"time": time(18, 0)},
            ['backup.time: expected a local time "HH:MM" such as "18:00", got 18:00:00'],
        ),
        ({"enabled": "ya"}, ["backup.enabled: expected true or false, got 'ya'"]),
        (
            {"copies": 3},
            ["backup.copies: unknown key (expected one of: enabled, time, keep)"],
        ),
    ],
)
def test_backup_settings_name_each_mistake(table: dict[str, object], problems: list[str]) -> None:
    assert BackupSettings.from_mapping(table) == (None, problems)


def test_a_mistake_in_backup_settings_stops_the_start(tmp_path: Path) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        path = stage_folder(tmp_path, fake, '[backup]\ntime = "18.00"')
    config = load_config(path, env={})
    with pytest.raises(StartupError) as caught:
        Runtime.build(config, dict(load_sops(config.sops)), FakeClock(START))
    assert caught.value.problems == [
        'backup.time: expected a local time "HH:MM" such as "18:00", got "18.00"'
    ]


def test_settings_are_read_from_the_config() -> None:
    assert BackupSettings.from_mapping({"time": "19:15", "keep": 14, "enabled": False}) == (
        BackupSettings(enabled=False, time=time(19, 15), keep=14),
        [],
    )
    assert BackupSettings.from_mapping({}) == (BackupSettings(True, time(18, 0), 7), [])


async def test_a_backup_with_an_unreadable_manifest_does_not_stop_the_bot(tmp_path: Path) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        stage_folder(tmp_path, fake)
        broken = tmp_path / "backup" / "2026-07-05_180000"
        broken.mkdir(parents=True)
        (broken / "manifest.json").write_text("{ half a manifest")
        async with stage(tmp_path, FakeClock(START), fake) as st:
            assert st.app.job_queue is not None
            assert len(st.app.job_queue.get_jobs_by_name(BACKUP_JOB)) == 1
