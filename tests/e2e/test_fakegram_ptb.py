"""The real, unmodified PTB Application against the fake: proof that the fake is faithful."""

import contextlib
import html
import os
import re
import threading
import time
from collections.abc import AsyncIterator

import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from fakegram import FakeTelegram

REPORT = os.urandom(3000)


class Seen:
    """What the bot's handlers observed, for assertions."""

    def __init__(self) -> None:
        self.updates: list[Update] = []
        self.errors: list[Exception] = []
        self.start_args: list[list[str]] = []


def message_of(update: Update) -> Message:
    assert update.effective_message is not None
    return update.effective_message


def build_app(fake: FakeTelegram, seen: Seen, token: str | None = None) -> Application:
    app = (
        ApplicationBuilder()
        .token(token or fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )

    async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.start_args.append(list(context.args or []))
        await message_of(update).reply_text("Selamat datang")

    async def on_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = [
            [InlineKeyboardButton("Setujui", callback_data="ap:1")],
            [InlineKeyboardButton("Kembalikan", callback_data="rt:1")],
        ]
        await message_of(update).reply_text(
            "Setujui laporan <b>#1</b>?",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(keyboard),
        )

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, match = update.callback_query, context.match
        assert query is not None and match is not None
        await query.answer(f"Tercatat: {match.group(1)}")
        await query.edit_message_text(f"✅ {match.group(1)} #{match.group(2)}")

    async def on_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await message_of(update).reply_document(
            document=REPORT, filename="Laporan_TW1_2025.docx", caption="Draf v1"
        )

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        doc = message_of(update).document
        assert doc is not None
        data = await (await doc.get_file()).download_as_bytearray()
        await message_of(update).reply_text(f"Diterima {doc.file_name}: {len(data)} byte")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)
        text = html.escape(message_of(update).text or "")
        await message_of(update).reply_text(f"<i>{text}</i>", parse_mode="HTML")

    async def on_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        seen.errors.append(context.error)

    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(CommandHandler("menu", on_menu))
    app.add_handler(CommandHandler("laporan", on_report))
    app.add_handler(CallbackQueryHandler(on_press, pattern=r"^(ap|rt):(\d+)$"))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(ChatMemberHandler(on_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run the app the way PITFALLS prescribes for an event loop we own."""
    assert app.updater is not None
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest.fixture
def fake():
    with FakeTelegram() as running:
        yield running


@pytest.fixture
def seen():
    return Seen()


@pytest.fixture
def app(fake, seen):
    return build_app(fake, seen)


async def test_echo_reaches_the_user_as_formatted_text(fake, seen, app):
    user = fake.user(1001, "Sari", username="sari")
    async with polling(app):
        user.start()
        user.send_text("halo <dunia> & semua")
        echo = await fake.wait_for(lambda: len(user.transcript) == 2 and user.last_message())
    welcome, _ = user.transcript
    assert welcome.text == "Selamat datang"
    assert echo.text == "halo <dunia> & semua"
    assert echo.raw_text == "<i>halo &lt;dunia&gt; &amp; semua</i>"
    assert echo.entity_texts("italic") == ["halo <dunia> & semua"]
    (update,) = seen.updates
    assert update.effective_user.username == "sari"
    assert update.effective_user.language_code == "id"


async def test_button_press_is_answered_and_the_message_edited(fake, app):
    user = fake.user(1001, "Sari")
    async with polling(app):
        user.send_text("/menu")
        menu = await fake.wait_for(user.last_message)
        assert menu.text == "Setujui laporan #1?"
        assert menu.keyboard == [[("Setujui", "ap:1")], [("Kembalikan", "rt:1")]]
        user.press_button(menu, "Kembalikan")
        await fake.wait_for(lambda: user.last_message().edited)
    (answer,) = user.callback_answers
    assert (answer.answered, answer.text, answer.show_alert) == (True, "Tercatat: rt", False)
    edited = user.last_message()
    assert (edited.message_id, edited.text, edited.keyboard) == (menu.message_id, "✅ rt #1", [])
    assert edited.history == ["Setujui laporan #1?"]


async def test_documents_travel_both_ways(fake, app):
    user = fake.user(1001, "Sari")
    upload = os.urandom(1234)
    async with polling(app):
        user.send_document("Bahan_TW1.xlsx", upload, caption="bahan")
        receipt = await fake.wait_for(user.last_message)
        user.send_text("/laporan")
        report = await fake.wait_for(lambda: user.last_message().document)
    assert receipt.text == "Diterima Bahan_TW1.xlsx: 1234 byte"
    assert [c.params["file_id"] for c in fake.calls_to("getFile")] != []
    assert (report.filename, report.mime_type, report.data) == (
        "Laporan_TW1_2025.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        REPORT,
    )
    assert user.last_message().text == "Draf v1"
    assert user.downloaded_document(user.last_message()) == REPORT


async def test_telegram_refusals_surface_as_ptb_exceptions(fake, app):
    user = fake.user(1001, "Sari")
    user.start()
    stranger = fake.user(1002, "Budi")
    async with app:
        bot = app.bot
        long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await bot.send_message(user.id, "x", reply_markup=long_data)
        with pytest.raises(BadRequest, match=r"^Can't parse entities: unsupported start tag"):
            await bot.send_message(user.id, "baris<br>baru", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"^Message is too long$"):
            await bot.send_message(user.id, "a" * 4097)
        with pytest.raises(Forbidden, match=r"^Forbidden: bot can't initiate conversation"):
            await bot.send_message(stranger.id, "x")

        sent = await bot.send_message(user.id, "sama")
        with pytest.raises(BadRequest) as not_modified:
            await sent.edit_text("sama")
        assert str(not_modified.value) == (
            "Message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
        document = await bot.send_document(user.id, b"%PDF-1.4", filename="a.pdf")
        with pytest.raises(BadRequest, match=r"^There is no text in the message to edit$"):
            await document.edit_text("x")
        await document.edit_caption("keterangan")

        user.send_document("besar.zip", bytes(20_000_001))
        update = (await bot.get_updates())[-1]
        with pytest.raises(BadRequest, match=r"^File is too big$"):
            await update.message.document.get_file()

        user.block_bot()
        with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
            await bot.send_message(user.id, "x")


@pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")
async def test_injected_failures_raise_retry_after_and_network_error(fake, app):
    user = fake.user(1001, "Sari", started=True)
    fake.fail_next("sendMessage", 429, retry_after=7)
    fake.fail_next("sendMessage", 502)
    async with app:
        with pytest.raises(RetryAfter, match="Retry in 7 seconds"):
            await app.bot.send_message(user.id, "x")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(user.id, "x")
        await app.bot.send_message(user.id, "berhasil")
    assert [m.text for m in user.transcript] == ["berhasil"]


async def test_wrong_token_is_rejected_at_initialize(fake, seen):
    app = build_app(fake, seen, token="123456:WRONG")
    with pytest.raises(InvalidToken):
        await app.initialize()


async def test_long_poll_returns_promptly_when_an_update_arrives(fake, app):
    user = fake.user(1001, "Sari")
    async with polling(app):
        # Wait until PTB's long poll (timeout 10 s) is parked in the fake.
        await fake.wait_for(lambda: fake.polling)
        begin = time.monotonic()
        user.send_text("cepat")
        await fake.wait_for(user.last_message, timeout=2)
        elapsed = time.monotonic() - begin
    assert elapsed < 1
    delivering = fake.calls_to("getUpdates")[0]
    assert delivering.params["timeout"] == 10


async def test_update_sent_while_no_bot_polls_is_delivered_once(fake, seen):
    user = fake.user(1001, "Sari")
    async with polling(build_app(fake, seen)):
        user.send_text("satu")
        await fake.wait_for(user.last_message)
    user.send_text("dua")  # nobody polls now
    assert fake.pending_updates == 1
    async with polling(build_app(fake, seen)):
        await fake.wait_for(lambda: len(user.transcript) == 2)
    assert fake.pending_updates == 0  # PTB's stop confirmed what it fetched
    async with polling(build_app(fake, seen)):
        await fake.wait_idle()
    assert [m.text for m in user.transcript] == ["satu", "dua"]
    assert [u.effective_message.text for u in seen.updates] == ["satu", "dua"]


async def test_press_while_the_bot_was_down_is_too_old_to_answer(fake, seen, app):
    user = fake.user(1001, "Sari")
    async with polling(app):
        user.send_text("/menu")
        menu = await fake.wait_for(user.last_message)
    user.press(menu, "ap:1")
    assert fake.expire_callback_queries() == 1
    async with polling(build_app(fake, seen)):
        await fake.wait_for(lambda: seen.errors)
    (error,) = seen.errors
    assert isinstance(error, BadRequest)
    assert str(error) == "Query is too old and response timeout expired or query id is invalid"
    assert user.callback_answers[0].answered is False


async def test_deep_link_block_and_commands_per_scope(fake, seen, app):
    admin = fake.user(1, "Kadin")
    staff = fake.user(2, "Staf")
    async with polling(app):
        admin.start("undangan_ab12")
        await fake.wait_for(admin.last_message)
        admin.block_bot()
        await fake.wait_for(lambda: seen.updates)
        await app.bot.set_my_commands([BotCommand("start", "Mulai")])
        await app.bot.set_my_commands(
            [BotCommand("rekap", "Rekap semua tugas")], scope=BotCommandScopeChat(admin.id)
        )
        own = await app.bot.get_my_commands(scope=BotCommandScopeChat(admin.id))
    assert seen.start_args == [["undangan_ab12"]]
    assert seen.updates[0].my_chat_member.new_chat_member.status == "kicked"
    assert [c.command for c in own] == ["rekap"]
    assert fake.visible_commands(admin) == [("rekap", "Rekap semua tugas")]
    assert fake.visible_commands(staff) == [("start", "Mulai")]
    assert fake.commands(BotCommandScopeChat(admin.id)) == [("rekap", "Rekap semua tugas")]


async def test_the_call_log_shows_what_the_bot_did(fake, app):
    user = fake.user(1001, "Sari")
    async with polling(app):
        user.send_text("/menu")
        await fake.wait_for(user.last_message)
        await fake.wait_idle()
    methods = [c.method for c in fake.calls if c.method != "getUpdates"]
    assert methods == ["getMe", "deleteWebhook", "sendMessage"]
    (send,) = fake.calls_to("sendMessage")
    assert send.params["chat_id"] == user.id
    assert re.match(
        r"^ap:\d+$", send.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    )


async def test_group_messages_are_answered_in_the_group(fake, seen, app):
    user = fake.user(1001, "Sari")
    group = fake.group(-4242, "Tim SAKIP", privacy_mode=False)
    async with polling(app):
        user.send_text_in_group(group, "rapat jam 9")
        echo = await fake.wait_for(group.last_message)
    assert (echo.chat_id, echo.text) == (group.id, "rapat jam 9")
    assert user.transcript == []
    assert seen.updates[0].effective_chat.type == "group"


async def test_many_users_typing_from_threads_each_get_their_echoes_in_order(fake, app):
    users = [fake.user(2000 + n, f"Pegawai {n}") for n in range(10)]

    def chatter(user):
        for n in range(5):
            user.send_text(f"{user.id}-{n}")

    async with polling(app):
        threads = [threading.Thread(target=chatter, args=(u,)) for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        await fake.wait_for(lambda: all(len(u.transcript) == 5 for u in users))
        await fake.wait_idle()
    for user in users:
        assert [m.text for m in user.transcript] == [f"{user.id}-{n}" for n in range(5)]
    assert fake.pending_updates == 0
