"""Fake users: the updates their actions queue, and what a real client would not allow."""

import asyncio
import json
import urllib.request

import pytest
from telegram import Message, Update

from fakegram import ButtonNotFound, FakeTelegram, FakeUsageError

PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


@pytest.fixture
def fake():
    with FakeTelegram() as running:
        yield running


def take_updates(fake):
    """Fetch and confirm everything queued, parsed by PTB itself."""
    url = f"{fake.base_url}{fake.token}/getUpdates"
    with urllib.request.urlopen(url) as response:
        raw = json.load(response)["result"]
    if raw:
        urllib.request.urlopen(f"{url}?offset={raw[-1]['update_id'] + 1}").close()
    return [Update.de_json(u, None) for u in raw]


def bot_says(fake, user, text, buttons=()):
    """Have the bot send a message (through the API, as PTB would)."""
    markup = {"inline_keyboard": [[{"text": t, "callback_data": d} for t, d in buttons]]}
    body = json.dumps({"chat_id": user.id, "text": text, "reply_markup": markup}).encode()
    request = urllib.request.Request(
        f"{fake.base_url}{fake.token}/sendMessage",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.load(response)["result"]["message_id"]


def test_messages_become_real_ptb_updates(fake):
    user = fake.user(7, "Sari", username="sari", last_name="Dewi")
    user.start("tugas_42")
    user.send_text("tolong /help @sop_test_bot")
    doc_id = user.send_document("Laporan TW1.docx", b"PK\x03\x04", caption="draf")
    user.send_photo(PNG, caption="bukti")
    user.send_sticker()
    user.send_voice()
    user.send_location()
    user.edit_text(doc_id - 1, "tolong diperiksa")
    start, text, document, photo, sticker, voice, location, edited = take_updates(fake)

    assert start.message.text == "/start tugas_42"
    assert start.message.entities[0].type == "bot_command"
    assert start.message.entities[0].length == len("/start")
    assert start.effective_user.full_name == "Sari Dewi"
    assert start.effective_chat.type == "private"
    assert [e.type for e in text.message.entities] == ["bot_command", "mention"]
    assert text.message.parse_entities(["bot_command"]).popitem()[1] == "/help"
    doc = document.message.document
    assert (doc.file_name, doc.mime_type, doc.file_size) == (
        "Laporan TW1.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        4,
    )
    assert document.message.caption == "draf"
    assert photo.message.photo[-1].file_size == len(PNG)
    assert sticker.message.sticker.emoji == "👍"
    assert voice.message.voice.mime_type == "audio/ogg"
    assert location.message.location.latitude == pytest.approx(-6.1754)
    assert edited.edited_message.text == "tolong diperiksa"
    assert edited.edited_message.edit_date is not None


def test_a_press_carries_the_whole_current_message(fake):
    user = fake.user(7, "Sari")
    user.start()
    message_id = bot_says(fake, user, "Setujui laporan?", [("Ya", "ap:1:2"), ("Tidak", "rt:1:2")])
    take_updates(fake)
    query_id = user.press_button(user.message(message_id), "Tidak")
    (update,) = take_updates(fake)
    query = update.callback_query
    assert (query.id, query.data) == (query_id, "rt:1:2")
    assert isinstance(query.message, Message)
    assert query.message.text == "Setujui laporan?"
    assert query.message.reply_markup.inline_keyboard[0][0].callback_data == "ap:1:2"
    assert query.chat_instance
    assert user.callback_answers[-1].answered is False


def test_replies_and_messages_with_buttons(fake):
    user = fake.user(7, "Sari")
    user.start()
    plain = bot_says(fake, user, "Info saja")
    asking = bot_says(fake, user, "Setujui?", [("Ya", "ap:1")])
    assert [m.message_id for m in user.messages_with_buttons()] == [asking]
    assert user.message(plain).keyboard == []
    user.send_text("alasan: data kurang", reply_to=user.message(asking))
    user.send_document("revisi.pdf", b"%PDF", reply_to=plain)
    *_, reason, revised = take_updates(fake)
    assert reason.message.reply_to_message.text == "Setujui?"
    assert reason.message.reply_to_message.from_user.is_bot is True
    assert revised.message.reply_to_message.message_id == plain
    with pytest.raises(FakeUsageError):
        user.send_text("x", reply_to=999)


def test_buttons_that_are_not_there_cannot_be_pressed(fake):
    user = fake.user(7, "Sari")
    user.start()
    message_id = bot_says(fake, user, "Pilih", [("Ya", "ap:1")])
    with pytest.raises(ButtonNotFound, match="'ap:2'"):
        user.press(message_id, "ap:2")
    with pytest.raises(ButtonNotFound, match="'Tidak'"):
        user.press_button(message_id, "Tidak")
    with pytest.raises(ButtonNotFound):
        user.press(999, "ap:1")


def test_forged_presses_reach_the_bot_as_sent(fake):
    user = fake.user(7, "Sari")
    user.start()
    take_updates(fake)
    user.forge_callback("ap:999:1", message_id=55)
    user.forge_callback("x" * 100)
    gone, bare = take_updates(fake)
    assert gone.callback_query.message.is_accessible is False  # date 0: deleted
    assert gone.callback_query.message.message_id == 55
    assert bare.callback_query.message is None
    assert bare.callback_query.data == "x" * 100


def test_blocking_sends_my_chat_member_and_blocks_typing(fake):
    user = fake.user(7, "Sari")
    user.start()
    user.block_bot()
    with pytest.raises(FakeUsageError, match="unblock_bot"):
        user.send_text("halo")
    user.unblock_bot()
    _, blocked, unblocked = take_updates(fake)
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    assert unblocked.my_chat_member.new_chat_member.status == "member"


def test_deep_link_payload_must_be_valid(fake):
    user = fake.user(7, "Sari")
    with pytest.raises(FakeUsageError):
        user.start("has space")
    with pytest.raises(FakeUsageError):
        user.start("x" * 65)
    assert not user.has_started


def test_group_privacy_mode_lets_through_commands_replies_and_mentions(fake):
    alice = fake.user(7, "Sari")
    quiet = fake.group(-42, "Tim SAKIP")
    loud = fake.group(-43, "Bidang", privacy_mode=False)
    alice.send_text_in_group(quiet, "obrolan biasa")
    alice.send_text_in_group(quiet, "/rekap")
    alice.send_text_in_group(quiet, "hai @SOP_test_bot")
    alice.send_text_in_group(loud, "obrolan biasa")
    updates = take_updates(fake)
    assert [(u.effective_chat.id, u.message.text) for u in updates] == [
        (-42, "/rekap"),
        (-42, "hai @SOP_test_bot"),
        (-43, "obrolan biasa"),
    ]
    assert updates[0].effective_chat.title == "Tim SAKIP"
    assert not alice.has_started  # talking in a group is not starting the bot


def test_user_and_group_ids_are_checked(fake):
    with pytest.raises(FakeUsageError):
        fake.user(0, "Nobody")
    with pytest.raises(FakeUsageError):
        fake.group(5, "Not a group")
    assert fake.user(7, "Sari") is fake.user(7, "Other name")


def test_wait_for_sync_times_out_with_the_recent_calls(fake):
    user = fake.user(7, "Sari")
    with pytest.raises(TimeoutError, match="pending updates: 0"):
        fake.wait_for_sync(user.last_message, timeout=0.05)


def test_wait_idle_needs_every_update_confirmed(fake):
    user = fake.user(7, "Sari")
    user.send_text("halo")
    with pytest.raises(TimeoutError, match="pending updates: 1"):
        fake.wait_idle_sync(timeout=0.1, quiet=0.01)
    take_updates(fake)
    fake.wait_idle_sync(timeout=1, quiet=0.01)


async def test_sync_waits_refuse_to_block_a_running_loop(fake):
    with pytest.raises(FakeUsageError, match=r"await fake\.wait_for"):
        fake.wait_for_sync(lambda: True)
    user = fake.user(7, "Sari")
    waiter = asyncio.ensure_future(fake.wait_for(lambda: user.has_started))
    await asyncio.sleep(0)
    assert not waiter.done()
    user.start()  # a change wakes the waiter; no polling interval involved
    assert await asyncio.wait_for(waiter, 1) is True
