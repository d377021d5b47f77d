"""Joining the bot in chat: greetings, one-time invites, strangers, language and help."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from demo.stage import STAGE_TOKEN, Stage, stage, write_stage_config
from fakegram import FakeTelegram, FakeUser
from tests.support.chat import START, press, say, start_case, task_message

ADMINS = "Sri Wahyuni, S.E., M.M., Admin"
CONTACT = "Dinas Pendidikan, silakan hubungi sekretariat."  # strangers learn no names
KADIN = "Dr. H. Ahmad Santoso, M.Pd."
LINK = re.compile(r"https://t\.me/sop_test_bot\?start=([A-Za-z0-9_-]{22})")


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=STAGE_TOKEN) as running:
        yield running


def without_telegram_id(folder: Path, fake: FakeTelegram, telegram_id: int) -> None:
    """The demo config with one officer not yet on Telegram: they must join by invite."""
    path = write_stage_config(folder, fake)
    text = path.read_text(encoding="utf-8")
    line = f"telegram_id = {telegram_id}\n"
    assert line in text
    path.write_text(text.replace(line, ""), encoding="utf-8")


async def invite(st: Stage, admin: FakeUser, name: str) -> str:
    """The admin picks `name` from /undang (turning pages as needed); returns the code."""
    listing = await say(st, admin, "/undang")
    while not any(label.removeprefix("✅ ") == name for label in listing.button_texts):
        await press(st, admin, listing, "Berikutnya ›")
        listing = admin.message(listing.message_id)
    label = next(b for b in listing.button_texts if b.removeprefix("✅ ") == name)
    await press(st, admin, listing, label)
    match = LINK.search(admin.transcript[-1].text)
    assert match is not None, admin.transcript[-1].text
    return match.group(1)


async def invite_rows(st: Stage) -> int:
    rows = await st.runtime.db.fetchall("SELECT COUNT(*) FROM invites")
    return int(rows[0][0])


async def test_a_configured_officer_is_greeted_by_name_role_and_open_tasks(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        kadin = st.user("kadin")
        kadin.start()
        await st.settle()
        assert kadin.transcript[-1].text == (
            f"Selamat datang, Bapak/Ibu {KADIN}.\n"
            "Jabatan: Kepala Dinas Pendidikan\n"
            "Peran dalam SOP: Kepala Dinas\n\n"
            "Ada 1 tugas yang menunggu tindakan Bapak/Ibu. Ketik /tugas untuk melihatnya.\n\n"
            "Ketik /bantuan untuk petunjuk penggunaan bot."
        )
        assert kadin.transcript[-1].entity_texts("bold") == [KADIN]
        staf = st.user("staf_1")
        greeting = await say(st, staf, "/start")
        assert "Saat ini tidak ada tugas yang menunggu tindakan Bapak/Ibu." in greeting.text
        front_office = st.fake.user(1099, "Front Office", started=True)
        greeting = await say(st, front_office, "/start")
        assert greeting.text.startswith(
            "Selamat datang. Akun Telegram ini terdaftar sebagai admin bot Dinas Pendidikan."
        )


async def test_an_invited_officer_joins_once_and_receives_the_task_waiting_for_them(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    without_telegram_id(tmp_path, fake, 1001)  # the Kadin, who acts first
    async with stage(tmp_path, FakeClock(START), fake) as st:
        await start_case(st)
        sek = st.user("sekretaris")
        assert "belum bergabung dengan bot" in sek.transcript[-1].text

        listing = await say(st, sek, "/undang")
        assert listing.text == (
            "Silakan pilih pegawai yang akan diundang (halaman 1 dari 2).\n"
            "Tanda ✅: sudah terhubung dengan bot; undangan baru akan menggantikan akun "
            "Telegram-nya."
        )
        assert listing.button_texts == [
            KADIN,
            "✅ Sri Wahyuni, S.E., M.M.",
            "✅ Drs. Bambang Hermawan",
            "✅ Dewi Lestari, S.Pd., M.Pd.",
            "✅ Ir. Yusuf Hidayat",
            "✅ Rina Marlina, S.Sos.",
            "✅ Agus Salim",
            "✅ Maya Sari, A.Md.",
            "Berikutnya ›",
        ]
        assert all(len(d.encode()) <= 64 for d in listing.callback_data)
        await press(st, sek, listing, "Berikutnya ›")
        page_2 = sek.message(listing.message_id)
        assert page_2.text.startswith(
            "Silakan pilih pegawai yang akan diundang (halaman 2 dari 2)"
        )
        assert page_2.button_texts == [
            "✅ Hendra Gunawan, S.E.",
            "✅ Lina Marlina, S.Kom.",
            "‹ Sebelumnya",
        ]
        await press(st, sek, page_2, "‹ Sebelumnya")
        answer = await press(st, sek, sek.message(listing.message_id), KADIN)
        assert answer == "Tautan undangan telah dibuat."
        assert sek.message(listing.message_id).text == (
            f"Undangan untuk {KADIN} telah dibuat. Mohon teruskan pesan di bawah ini kepada "
            "yang bersangkutan."
        )
        assert sek.message(listing.message_id).buttons == []
        invitation = sek.transcript[-1].text
        code = LINK.search(invitation)
        assert code is not None
        assert invitation == (
            f"Undangan bergabung dengan bot SOP Dinas Pendidikan untuk {KADIN} "
            "(Kepala Dinas Pendidikan).\n\n"
            "Buka tautan berikut, lalu tekan tombol Mulai (Start):\n"
            f"https://t.me/sop_test_bot?start={code.group(1)}\n\n"
            "Tautan ini hanya dapat digunakan satu kali dan berlaku hingga Kamis, 9 Juli 2026 "
            "pukul 08.00 WIB. Mohon tidak meneruskannya kepada orang lain."
        )

        ahmad = st.fake.user(5001, "Ahmad")
        ahmad.start(code.group(1))
        await st.settle()
        assert ahmad.transcript[0].text == (
            "✅ Akun Telegram ini kini terhubung dengan bot Dinas Pendidikan.\n\n"
            f"Selamat datang, Bapak/Ibu {KADIN}.\n"
            "Jabatan: Kepala Dinas Pendidikan\n"
            "Peran dalam SOP: Kepala Dinas\n\n"
            "Ada 1 tugas yang menunggu tindakan Bapak/Ibu. Ketik /tugas untuk melihatnya.\n\n"
            "Ketik /bantuan untuk petunjuk penggunaan bot."
        )
        task = task_message(ahmad, 1)
        assert task.button_texts == ["Disposisikan"]
        assert sek.transcript[-1].text == (
            f"✅ {KADIN} (Kepala Dinas Pendidikan) telah bergabung dengan bot melalui undangan "
            "Bapak/Ibu."
        )
        await press(st, ahmad, task, "Disposisikan")
        assert "instruksi disposisi" in ahmad.transcript[-1].text  # he acts as the Kadin
        # His chat became known by joining: his menu (with /kepatuhan) is published now.
        assert "kepatuhan" in [name for name, _ in st.fake.visible_commands(ahmad)]

        thief = st.fake.user(5002, "Orang Lain")
        thief.start(code.group(1))
        await st.settle()
        assert thief.transcript[-1].text == (
            "Mohon maaf, tautan undangan ini sudah pernah digunakan; setiap tautan hanya "
            f"berlaku satu kali. Untuk tautan baru: {CONTACT}"
        )
        again = await say(st, ahmad, "/start")
        assert again.text.startswith(f"Selamat datang, Bapak/Ibu {KADIN}.")

        rows = await st.runtime.db.fetchall(
            "SELECT actor, action, case_id, step_key, round FROM audit_log "
            "WHERE action LIKE 'invite_%' ORDER BY id"
        )
        assert [tuple(r) for r in rows] == [
            ("sekretaris", "invite_created", None, "", 0),
            ("kadin", "invite_used", None, "", 0),
        ]
        stored = await st.runtime.db.fetchall("SELECT code_hash FROM invites")
        assert code.group(1) not in {r[0] for r in stored}  # only its hash is kept


async def test_an_expired_invite_is_refused(tmp_path: Path, fake: FakeTelegram) -> None:
    without_telegram_id(tmp_path, fake, 1008)
    clock = FakeClock(START)
    async with stage(tmp_path, clock, fake) as st:
        code = await invite(st, st.user("sekretaris"), "Maya Sari, A.Md.")
        clock.advance(hours=72)
        maya = st.fake.user(5008, "Maya")
        maya.start(code)
        await st.settle()
        assert maya.transcript[-1].text == (
            f"Mohon maaf, tautan undangan ini sudah kedaluwarsa. Untuk tautan baru: {CONTACT}"
        )
        assert await st.runtime.officer_for(5008) is None


async def test_wrong_codes_are_rate_limited_per_telegram_account(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    without_telegram_id(tmp_path, fake, 1008)
    clock = FakeClock(START)
    async with stage(tmp_path, clock, fake) as st:
        code = await invite(
            st, st.fake.user(1099, "Front Office", started=True), "Maya Sari, A.Md."
        )
        guesser = st.fake.user(5008, "Maya")
        for n in range(5):
            guesser.start(f"tebakan{n}")
            await st.settle()
            assert guesser.transcript[-1].text == (
                "Mohon maaf, tautan undangan ini tidak dikenal. Mohon periksa kembali "
                f"tautannya. Untuk tautan baru: {CONTACT}"
            )
        guesser.start(code)  # even the right code is not looked at now
        await st.settle()
        assert guesser.transcript[-1].text == (
            "Mohon maaf, terlalu banyak percobaan tautan undangan yang gagal dari akun ini. "
            "Silakan coba lagi setelah pukul 09.00 WIB."
        )
        assert await st.runtime.officer_for(5008) is None
        other = st.fake.user(5009, "Orang Lain")
        other.start("tebakan9")
        await st.settle()
        assert "tidak dikenal" in other.transcript[-1].text  # the limit is per account

        clock.advance(hours=1)
        guesser.start(code)
        await st.settle()
        assert guesser.transcript[-1].text.startswith(
            "✅ Akun Telegram ini kini terhubung dengan bot Dinas Pendidikan.\n\n"
            "Selamat datang, Bapak/Ibu Maya Sari, A.Md."
        )
        assert await st.runtime.officer_for(5008) == "staf_2"


async def test_only_admins_may_invite(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf = st.user("staf_1")
        refusal = await say(st, staf, "/undang")
        assert refusal.text == (
            f"Mohon maaf, perintah /undang hanya dapat digunakan oleh admin: {ADMINS}."
        )
        query = staf.forge_callback("inv:o:kadin", refusal.message_id)
        await st.settle()
        assert staf.callback_answer(query).text == (
            "Mohon maaf, Bapak/Ibu tidak memiliki kewenangan untuk tindakan ini."
        )
        assert await invite_rows(st) == 0


async def test_an_unknown_user_is_told_whom_to_ask_and_sees_nothing(tmp_path: Path) -> None:
    unknown = (
        "Mohon maaf, Bapak/Ibu belum terdaftar sebagai pengguna bot ini. "
        f"Untuk pendaftaran: {CONTACT}"
    )
    async with stage(tmp_path, FakeClock(START)) as st:
        await start_case(st)
        stranger = st.fake.user(4242, "Orang Asing")
        stranger.start()
        await st.settle()
        assert stranger.transcript[-1].text == unknown
        for command in ("/bantuan", "/bahasa", "/undang"):
            assert (await say(st, stranger, command)).text == unknown
        assert len(stranger.transcript) == 4
        assert not any("LKT-2026" in m.text for m in stranger.transcript)
        assert await invite_rows(st) == 0


async def test_bahasa_switches_to_english_for_later_messages(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf = st.user("staf_1")
        prompt = await say(st, staf, "/bahasa")
        assert prompt.text == "Silakan pilih bahasa:"
        assert prompt.button_texts == ["Bahasa Indonesia", "English"]
        answer = await press(st, staf, prompt, "English")
        assert answer == "The bot now uses English."
        assert staf.message(prompt.message_id).text == "The bot now uses English."
        assert staf.message(prompt.message_id).buttons == []

        help_text = (await say(st, staf, "/bantuan")).text
        assert help_text.startswith("How to use the bot\n\nAvailable commands:\n")
        assert "/tugas — Tasks waiting for you" in help_text
        greeting = await say(st, staf, "/start")
        assert greeting.text.startswith("Welcome, Agus Salim.\nPosition: Pengadministrasi Umum")

        menu = dict(st.fake.visible_commands(staf))  # the "/" menu follows the choice
        assert menu["tugas"] == "Tasks waiting for you"
        assert menu["bahasa"] == "Change the language (Indonesia/English)"
        others = dict(st.fake.visible_commands(st.user("staf_2")))
        assert others["tugas"] == "Daftar tugas yang menunggu Bapak/Ibu"  # theirs unchanged

        prompt = await say(st, staf, "/bahasa")
        assert prompt.text == "Please choose a language:"
        await press(st, staf, prompt, "Bahasa Indonesia")
        assert staf.message(prompt.message_id).text == (
            "Bot sekarang menggunakan Bahasa Indonesia."
        )
        assert st.fake.visible_commands(staf) == st.fake.visible_commands(st.user("staf_2"))


async def test_an_admin_who_reads_english_sees_the_admin_menu_in_english(
    tmp_path: Path,
) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        sekretaris = st.user("sekretaris")  # an admin: a menu of their own
        prompt = await say(st, sekretaris, "/bahasa")
        await press(st, sekretaris, prompt, "English")
        menu = dict(st.fake.visible_commands(sekretaris))
        assert menu["tugas"] == "Tasks waiting for you"
        assert "kepatuhan" in menu and "wakil" in menu  # still the admin's commands


def menu_calls_to_chats(fake: FakeTelegram) -> list[tuple[str, int]]:
    """(method, chat id) of every menu set or removed in one officer's chat."""
    return [
        (call.method, int(scope["chat_id"]))
        for call in fake.calls
        if call.method in ("setMyCommands", "deleteMyCommands")
        for scope in [call.params.get("scope") or {}]
        if scope.get("type") == "chat"
    ]


async def test_a_start_sets_the_own_menus_only_of_who_has_one(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    """At start the bot sets a chat's menu only where it differs from everyone's: the
    admins', the Kadin's, and an officer's who chose another language, again after a
    restart; not one call per officer, which would hold up the start."""
    async with stage(tmp_path, FakeClock(START), fake) as st:
        admins = [await st.runtime.chat_of(k) for k in st.runtime.directory.admins()]
        own = {st.user("kadin").id, *(chat for chat in admins if chat is not None)}
        assert st.user("sekretaris").id in own and len(own) < len(st.users)
        assert {chat for _, chat in menu_calls_to_chats(fake)} == own
        staf = st.user("staf_1")
        await press(st, staf, await say(st, staf, "/bahasa"), "English")
    before = len(fake.calls)
    async with stage(tmp_path, FakeClock(START), fake) as st:  # a restart
        started = menu_calls_to_chats(fake)[-len(own) - 1 :]
        assert len(fake.calls) > before
        assert ("setMyCommands", staf.id) in started
        assert {chat for _, chat in started} == own | {staf.id}
        assert dict(fake.visible_commands(staf))["tugas"] == "Tasks waiting for you"


async def test_bantuan_lists_the_commands_and_how_tasks_work(tmp_path: Path) -> None:
    async with stage(tmp_path, FakeClock(START)) as st:
        staf_help = (await say(st, st.user("staf_1"), "/bantuan")).text
        reports = (
            "/tugas — Daftar tugas yang menunggu Bapak/Ibu\n"
            "/status — Posisi dan batas waktu setiap proses yang berjalan\n"
            "/riwayat — Riwayat tindakan pada suatu proses\n"
            "/berkas — Draf dan dokumen suatu proses\n"
            "/ringkasan — Ringkasan tugas dan keterlambatan\n"
        )
        # answered for admins, the Kadin and the Sekretaris only: listed for them only
        kepatuhan = (
            "/kepatuhan — Laporan kepatuhan SOP terhadap standar waktu (tahun atau triwulan)\n"
        )
        rest = (
            "/mulai — Memulai proses SOP baru\n"
            "/verifikasi — Memeriksa keaslian dokumen berdasarkan kodenya\n"
            "/templat — Templat lembar data capaian kinerja dan anggaran (.xlsx)\n"
            "/bahasa — Mengganti bahasa (Indonesia/English)\n"
            "/bantuan — Petunjuk penggunaan bot\n"
            "/batal — Membatalkan isian yang sedang berlangsung"
        )
        commands = f"Perintah yang tersedia:\n{reports}{rest}"
        with_kepatuhan = f"Perintah yang tersedia:\n{reports}{kepatuhan}{rest}"
        admin_commands = (
            "Khusus admin:\n"
            "/undang — Mengundang pegawai untuk bergabung (khusus admin)\n"
            "/batalkan — Membatalkan suatu proses beserta alasannya\n"
            "/wakil — Mencatat Surat Perintah Plh/Plt (khusus admin)\n"
            "/alihkan — Mengalihkan satu tugas kepada pegawai lain (khusus admin)"
        )
        assert staf_help.startswith(f"Petunjuk penggunaan bot\n\n{commands}\n\nCara mengerjakan")
        assert "Khusus admin" not in staf_help and "/kepatuhan" not in staf_help
        assert "Ketik /batal untuk membatalkan isian." in staf_help
        assert "kirim berkasnya (.docx, .pdf, atau foto)" in staf_help
        assert "Tekan tombol untuk bertindak" in staf_help
        admin_help = (await say(st, st.user("sekretaris"), "/bantuan")).text
        assert f"{with_kepatuhan}\n\n{admin_commands}\n\nCara mengerjakan tugas\n" in admin_help
        kadin_help = (await say(st, st.user("kadin"), "/bantuan")).text  # not an admin
        assert kadin_help.startswith(f"Petunjuk penggunaan bot\n\n{with_kepatuhan}\n\nCara")


async def test_the_command_menus_show_each_officer_what_they_may_use(tmp_path: Path) -> None:
    """The menu Telegram shows under "/": /kepatuhan for the admins, the Kadin and the
    Sekretaris only; the admins' commands for the admins only; the same lists as /bantuan."""
    async with stage(tmp_path, FakeClock(START)) as st:
        everyone = [name for name, _ in st.fake.visible_commands(st.user("staf_1"))]
        assert everyone[:6] == ["tugas", "status", "riwayat", "berkas", "ringkasan", "mulai"]
        assert "kepatuhan" not in everyone and "wakil" not in everyone
        kabid = [name for name, _ in st.fake.visible_commands(st.user("kabid_1"))]
        assert kabid == everyone
        kadin = [name for name, _ in st.fake.visible_commands(st.user("kadin"))]
        assert kadin == [*everyone[:5], "kepatuhan", *everyone[5:]]
        admin = st.fake.visible_commands(st.user("sekretaris"))
        assert [name for name, _ in admin] == [
            *kadin,
            "undang",
            "batalkan",
            "wakil",
            "alihkan",
        ]
        described = dict(admin)
        assert described["kepatuhan"] == (
            "Laporan kepatuhan SOP terhadap standar waktu (tahun atau triwulan)"
        )
        staf_help = (await say(st, st.user("staf_1"), "/bantuan")).text
        assert [f"/{name}" for name in everyone] == re.findall(r"^(/\w+) — ", staf_help, re.M)
