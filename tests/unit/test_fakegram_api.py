"""The fake Bot API over plain HTTP: wire formats, limits, error wording, polling."""

import json
import threading
import time

import httpx
import pytest

from fakegram import FakeTelegram

PNG_1x2 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x02\x08\x02\x00\x00\x00"
)


@pytest.fixture(scope="module")
def http():
    with httpx.Client() as client:
        yield client


@pytest.fixture
def fake():
    with FakeTelegram() as running:
        yield running


class Api:
    """POSTs like PTB does: form fields, every non-string value JSON-encoded."""

    def __init__(self, fake, http):
        self.fake = fake
        self.http = http

    def call(self, method, files=None, **params):
        data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        url = f"{self.fake.base_url}{self.fake.token}/{method}"
        response = self.http.post(url, data=data, files=files)
        return response.status_code, response.json()

    def ok(self, method, files=None, **params):
        status, body = self.call(method, files=files, **params)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    def error(self, method, **params):
        status, body = self.call(method, **params)
        assert body["ok"] is False and body["error_code"] == status
        return status, body["description"]


@pytest.fixture
def api(fake, http):
    return Api(fake, http)


def started_user(fake, user_id=1001):
    user = fake.user(user_id, "Sari", username="sari")
    user.start()
    return user


def test_get_me_is_case_insensitive_and_names_the_bot(fake, api):
    me = api.ok("GETME")
    assert me["id"] == 123456 and me["is_bot"] is True and me["username"] == "sop_test_bot"


def test_unknown_method_and_bad_tokens_answer_like_telegram(fake, api):
    assert api.error("sendTelepathy") == (404, "Not Found")
    wrong = api.http.post(f"{fake.base_url}123456:WRONG/getMe")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    malformed = api.http.post(f"{fake.base_url}nonsense/getMe")
    assert malformed.status_code == 404
    assert api.http.get(f"{fake.url}/elsewhere").status_code == 404


def test_json_form_and_query_string_requests_are_read_alike(fake, http):
    user = started_user(fake)
    url = f"{fake.base_url}{fake.token}/sendMessage"
    by_json = http.post(url, json={"chat_id": user.id, "text": "json"}).json()
    by_form = http.post(url, data={"chat_id": str(user.id), "text": "form"}).json()
    by_query = http.get(url, params={"chat_id": user.id, "text": "query"}).json()
    assert [b["result"]["text"] for b in (by_json, by_form, by_query)] == ["json", "form", "query"]
    assert [m.text for m in user.transcript] == ["json", "form", "query"]


def test_send_message_limits_and_reachability(fake, api):
    user = started_user(fake)
    stranger = fake.user(2002, "Budi")
    assert api.error("sendMessage", chat_id=99, text="x") == (400, "Bad Request: chat not found")
    assert api.error("sendMessage", chat_id=stranger.id, text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    assert api.error("sendMessage", chat_id=user.id, text=" \n") == (
        400,
        "Bad Request: message text is empty",
    )
    api.ok("sendMessage", chat_id=user.id, text="a" * 4096)
    assert api.error("sendMessage", chat_id=user.id, text="a" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    # In UTF-16 code units, as Telegram counts: an emoji outside the BMP is two.
    api.ok("sendMessage", chat_id=user.id, text="😀" * 2048)
    assert api.error("sendMessage", chat_id=user.id, text="😀" * 2048 + "a") == (
        400,
        "Bad Request: message is too long",
    )
    # The limit counts the text after entity parsing, not the markup.
    api.ok("sendMessage", chat_id=user.id, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    assert api.error("sendMessage", chat_id=user.id, text="1 <br> 2", parse_mode="HTML") == (
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 2',
    )
    user.block_bot()
    assert api.error("sendMessage", chat_id=user.id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    user.unblock_bot()
    api.ok("sendMessage", chat_id=user.id, text="welcome back")


def test_user_links_become_mentions_and_explicit_entities_are_kept(fake, api):
    user = started_user(fake)
    sent = api.ok(
        "sendMessage",
        chat_id=user.id,
        text=f'Tugas untuk <a href="tg://user?id={user.id}">Sari</a>',
        parse_mode="HTML",
    )
    (mention,) = sent["entities"]
    assert (mention["type"], mention["user"]["id"], mention["offset"]) == (
        "text_mention",
        1001,
        12,
    )
    plain = api.ok(
        "sendMessage",
        chat_id=user.id,
        text="<b>bukan tag</b>",
        parse_mode="HTML",
        entities=[{"type": "bold", "offset": 0, "length": 3}],
    )
    assert (plain["text"], plain["entities"][0]["length"]) == ("<b>bukan tag</b>", 3)
    assert api.error("sendMessage", chat_id=user.id, text="x", entities=[{"type": "bold"}]) == (
        400,
        "Bad Request: can't parse entities JSON object",
    )


def test_real_methods_the_fake_leaves_out_say_so(fake, api):
    assert api.error("sendMediaGroup", chat_id=1) == (
        404,
        "Not Found: sendMediaGroup is not implemented by the fake",
    )


def test_inline_keyboard_rules(fake, api):
    user = started_user(fake)

    def keyboard(**button):
        return {"inline_keyboard": [[{"text": "Setujui", **button}]]}

    api.ok("sendMessage", chat_id=user.id, text="x", reply_markup=keyboard(callback_data="a" * 64))
    for data in ("a" * 65, "é" * 33, ""):  # bytes count, not characters
        assert api.error(
            "sendMessage",
            chat_id=user.id,
            text="x",
            reply_markup=keyboard(callback_data=data),
        ) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert api.error("sendMessage", chat_id=user.id, text="x", reply_markup=keyboard()) == (
        400,
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
        "inline keyboard",
    )
    assert api.error("sendMessage", chat_id=user.id, text="x", reply_markup="{nope") == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )
    assert user.last_message().keyboard == [[("Setujui", "a" * 64)]]


def test_replies_need_an_existing_message_unless_allowed(fake, api):
    user = started_user(fake)
    mine = user.send_text("pertanyaan")
    sent = api.ok("sendMessage", chat_id=user.id, text="jawaban", reply_to_message_id=mine)
    assert sent["reply_to_message"]["text"] == "pertanyaan"
    assert user.last_message().reply_to == mine
    assert api.error(
        "sendMessage", chat_id=user.id, text="x", reply_parameters={"message_id": 999}
    ) == (400, "Bad Request: message to be replied not found")
    loose = {"message_id": 999, "allow_sending_without_reply": True}
    assert "reply_to_message" not in api.ok(
        "sendMessage", chat_id=user.id, text="x", reply_parameters=loose
    )


def test_edit_rules(fake, api):
    user = started_user(fake)
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
    sent = api.ok(
        "sendMessage", chat_id=user.id, text="<b>v1</b>", parse_mode="HTML", reply_markup=markup
    )
    mid = sent["message_id"]
    same = {"chat_id": user.id, "message_id": mid, "reply_markup": markup}
    assert api.error("editMessageText", text="<b>v1</b>", parse_mode="HTML", **same) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    # Same words without the bold entity are different content.
    api.ok("editMessageText", text="v1", **same)
    # Omitting reply_markup removes the keyboard, as on Telegram.
    api.ok("editMessageText", chat_id=user.id, message_id=mid, text="v2")
    shown = user.message(mid)
    assert (shown.text, shown.keyboard, shown.history, shown.edited) == ("v2", [], ["v1"], True)
    assert api.error("editMessageReplyMarkup", chat_id=user.id, message_id=mid) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    assert api.error("editMessageText", chat_id=user.id, message_id=777, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    own = user.send_text("punya saya")
    assert api.error("editMessageText", chat_id=user.id, message_id=own, text="x") == (
        400,
        "Bad Request: message can't be edited",
    )
    doc = api.ok(
        "sendDocument",
        chat_id=user.id,
        caption="lama",
        files={"document": ("a.pdf", b"%PDF", "application/pdf")},
    )
    assert api.error(
        "editMessageText", chat_id=user.id, message_id=doc["message_id"], text="x"
    ) == (400, "Bad Request: there is no text in the message to edit")
    api.ok("editMessageCaption", chat_id=user.id, message_id=doc["message_id"], caption="baru")
    assert user.message(doc["message_id"]).text == "baru"
    assert api.error("editMessageCaption", chat_id=user.id, message_id=mid, caption="x") == (
        400,
        "Bad Request: there is no caption in the message to edit",
    )
    api.ok("deleteMessage", chat_id=user.id, message_id=mid)
    assert user.message(mid).deleted
    assert api.error("deleteMessage", chat_id=user.id, message_id=mid) == (
        400,
        "Bad Request: message to delete not found",
    )


def test_documents_and_photos_round_trip_through_get_file(fake, api):
    user = started_user(fake)
    name = 'Laporan "TW1" é.docx'
    sent = api.ok(
        "sendDocument",
        chat_id=user.id,
        caption="c" * 1024,
        files={"document": (name, b"\x00\r\n--x\r\n", "application/x-test")},
    )
    document = sent["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        name,
        "application/x-test",
        8,
    )
    assert user.downloaded_document(sent["message_id"]) == b"\x00\r\n--x\r\n"
    file = api.ok("getFile", file_id=document["file_id"])
    assert file["file_path"].startswith("documents/") and file["file_path"].endswith(".docx")
    download = api.http.get(f"{fake.base_file_url}{fake.token}/{file['file_path']}")
    assert download.content == b"\x00\r\n--x\r\n"
    # Re-sending by file_id needs no upload and keeps the file.
    again = api.ok("sendDocument", chat_id=user.id, document=document["file_id"])
    assert again["document"]["file_id"] == document["file_id"]
    assert api.error("sendDocument", chat_id=user.id, document="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    status, body = api.call(
        "sendDocument", chat_id=user.id, caption="c" * 1025, files={"document": ("a.txt", b"x")}
    )
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    photo = api.ok("sendPhoto", chat_id=user.id, files={"photo": ("p.png", PNG_1x2)})
    assert (photo["photo"][-1]["width"], photo["photo"][-1]["height"]) == (1, 2)
    assert user.last_message().photo.data == PNG_1x2
    status, body = api.call("sendPhoto", chat_id=user.id, files={"photo": ("p.png", b"text")})
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    assert api.error("sendDocument", chat_id=user.id, document=photo["photo"][0]["file_id"]) == (
        400,
        "Bad Request: can't use file of type Photo as Document",
    )


def test_get_file_refuses_files_over_20_mb(fake, api):
    user = started_user(fake)
    user.send_document("small.bin", bytes(20_000_000))
    user.send_document("big.bin", bytes(20_000_001))
    updates = api.ok("getUpdates")
    small, big = (u["message"]["document"] for u in updates[1:])
    assert big["file_size"] == 20_000_001
    api.ok("getFile", file_id=small["file_id"])
    assert api.error("getFile", file_id=big["file_id"]) == (400, "Bad Request: file is too big")
    assert api.error("getFile", file_id="nope") == (400, "Bad Request: invalid file_id")


def test_get_updates_offset_limit_and_negative_offset(fake, api):
    user = started_user(fake)
    for word in ("dua", "tiga", "empat"):
        user.send_text(word)
    first = api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["/start", "dua"]
    # Not confirmed yet: asked again, the same updates come back.
    assert api.ok("getUpdates", limit=2) == first
    rest = api.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["tiga", "empat"]
    assert fake.pending_updates == 2
    last = api.ok("getUpdates", offset=-1)
    assert [u["message"]["text"] for u in last] == ["empat"]
    assert fake.pending_updates == 1  # the earlier ones are forgotten
    api.ok("getUpdates", offset=last[-1]["update_id"] + 1)
    assert fake.pending_updates == 0


def test_long_poll_returns_as_soon_as_an_update_arrives(fake, api):
    user = started_user(fake)
    api.ok("getUpdates", offset=api.ok("getUpdates")[-1]["update_id"] + 1)
    got = {}

    def poll():
        begin = time.monotonic()
        got["updates"] = api.ok("getUpdates", timeout=10)
        got["seconds"] = time.monotonic() - begin

    poller = threading.Thread(target=poll)
    poller.start()
    fake.wait_for_sync(lambda: fake.polling)
    user.send_text("sekarang")
    poller.join(timeout=5)
    assert [u["message"]["text"] for u in got["updates"]] == ["sekarang"]
    assert got["seconds"] < 1


def test_long_poll_times_out_empty_and_newer_poll_wins(fake, api):
    begin = time.monotonic()
    assert api.ok("getUpdates", timeout="0.2") == []
    assert 0.15 < time.monotonic() - begin < 2
    outcome = {}

    def old_poll():
        outcome["old"] = api.call("getUpdates", timeout=10)

    poller = threading.Thread(target=old_poll)
    poller.start()
    fake.wait_for_sync(lambda: fake.polling)
    assert api.ok("getUpdates") == []
    poller.join(timeout=5)
    status, body = outcome["old"]
    assert (status, body["description"]) == (
        409,
        "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running",
    )


def test_webhook_blocks_polling_and_delete_can_drop_pending(fake, api):
    started_user(fake)
    assert api.error("setWebhook", url="http://insecure") == (
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    api.ok("setWebhook", url="https://example.org/hook")
    assert api.ok("getWebhookInfo")["pending_update_count"] == 1
    assert api.error("getUpdates")[0] == 409
    api.ok("deleteWebhook")
    assert len(api.ok("getUpdates")) == 1
    api.ok("deleteWebhook", drop_pending_updates=True)
    assert api.ok("getUpdates") == []


def test_allowed_updates_filters_updates_made_afterwards(fake, api):
    user = started_user(fake)
    api.ok("getUpdates", allowed_updates=["callback_query"])
    user.send_text("tidak diminta")
    assert [next(iter(set(u) - {"update_id"})) for u in api.ok("getUpdates")] == ["message"]
    api.ok("getUpdates", offset=-1, allowed_updates=[])  # back to the default set
    user.send_text("diminta")
    assert api.ok("getUpdates", offset=-1)[0]["message"]["text"] == "diminta"


def test_callback_queries_expire_on_the_fake_clock(http):
    now = [1_750_000_000.0]
    with FakeTelegram(clock=lambda: now[0]) as fake:
        api = Api(fake, http)
        user = started_user(fake)
        markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
        message = api.ok("sendMessage", chat_id=user.id, text="x", reply_markup=markup)
        slow = user.press(message["message_id"], "ok")
        quick = user.press(message["message_id"], "ok")
        assert api.error("answerCallbackQuery", callback_query_id=quick, text="x" * 201) == (
            400,
            "Bad Request: MESSAGE_TOO_LONG",
        )
        api.ok("answerCallbackQuery", callback_query_id=quick, text="Disetujui", show_alert=True)
        too_old = (
            "Bad Request: query is too old and response timeout expired or query id is invalid"
        )
        assert api.error("answerCallbackQuery", callback_query_id=quick) == (400, too_old)
        now[0] += 15.5
        assert api.error("answerCallbackQuery", callback_query_id=slow) == (400, too_old)
        late = user.press(message["message_id"], "ok")
        assert fake.expire_callback_queries() == 1
        assert api.error("answerCallbackQuery", callback_query_id=late) == (400, too_old)
        answers = user.callback_answers
        assert [(a.answered, a.text, a.show_alert) for a in answers] == [
            (False, None, False),
            (True, "Disetujui", True),
            (False, None, False),
        ]
        # When each answer came, on the fake's clock, read by query id whoever pressed.
        assert fake.callback_answer(quick).answered_at == 1_750_000_000.0
        assert fake.callback_answer(slow).answered_at is None


def test_injected_failures_hit_the_next_calls_only(fake, api):
    user = started_user(fake)
    fake.fail_next("sendmessage", 429, times=2, retry_after=3)
    for _ in range(2):
        status, body = api.call("sendMessage", chat_id=user.id, text="x")
        assert (status, body["description"], body["parameters"]) == (
            429,
            "Too Many Requests: retry after 3",
            {"retry_after": 3},
        )
    api.ok("sendMessage", chat_id=user.id, text="akhirnya")
    assert [m.text for m in user.transcript] == ["akhirnya"]
    fake.fail_next("sendMessage", 502, applied=True)
    assert api.call("sendMessage", chat_id=user.id, text="terkirim")[0] == 502
    assert [m.text for m in user.transcript] == ["akhirnya", "terkirim"]


def test_call_log_keeps_typed_params_and_outcomes(fake, api):
    user = started_user(fake)
    api.ok(
        "sendMessage",
        chat_id=user.id,
        text="42",
        disable_notification=True,
        reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
    )
    api.error("sendMessage", chat_id=5, text="x")
    sends = fake.calls_to("SENDMESSAGE")
    assert [(c.method, c.ok, c.error_code) for c in sends] == [
        ("sendMessage", True, None),
        ("sendMessage", False, 400),
    ]
    assert sends[0].params == {
        "chat_id": user.id,
        "text": "42",
        "disable_notification": True,
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
    }


def test_commands_are_stored_per_scope_and_resolved_like_telegram(fake, api):
    admin = fake.user(1, "Kadin", language_code="en")
    staff = fake.user(2, "Staf")
    group = fake.group(-100, "Tim SAKIP")
    group.add_admin(admin)
    api.ok("setMyCommands", commands=[{"command": "start", "description": "Mulai"}])
    api.ok(
        "setMyCommands",
        commands=[{"command": "admin", "description": "Kelola"}],
        scope={"type": "chat", "chat_id": admin.id},
    )
    api.ok(
        "setMyCommands",
        commands=[{"command": "help", "description": "Help"}],
        scope={"type": "all_private_chats"},
        language_code="en",
    )
    api.ok(
        "setMyCommands",
        commands=[{"command": "rekap", "description": "Rekap"}],
        scope={"type": "all_chat_administrators"},
    )
    assert fake.visible_commands(admin) == [("admin", "Kelola")]
    assert fake.visible_commands(staff) == [("start", "Mulai")]
    assert fake.visible_commands(admin, group) == [("rekap", "Rekap")]
    assert fake.visible_commands(staff, group) == [("start", "Mulai")]
    assert fake.commands({"type": "all_private_chats"}, "en") == [("help", "Help")]
    assert api.ok("getMyCommands", scope={"type": "chat", "chat_id": admin.id}) == [
        {"command": "admin", "description": "Kelola"}
    ]
    assert api.ok("getMyCommands", scope={"type": "all_group_chats"}) == []
    api.ok("deleteMyCommands", scope={"type": "chat", "chat_id": admin.id})
    assert fake.visible_commands(admin) == [("help", "Help")]
    assert api.error("setMyCommands", commands=[{"command": "Bad-Name", "description": "x"}]) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    assert api.error("setMyCommands", commands=[], scope={"type": "chat", "chat_id": 9}) == (
        400,
        "Bad Request: chat not found",
    )


def test_chat_action_get_chat_and_webhook_info(fake, api):
    user = started_user(fake)
    assert api.ok("sendChatAction", chat_id=user.id, action="upload_document") is True
    assert api.error("sendChatAction", chat_id=user.id, action="dancing") == (
        400,
        "Bad Request: wrong parameter action in request",
    )
    chat = api.ok("getChat", chat_id=user.id)
    assert (chat["type"], chat["first_name"], chat["username"]) == ("private", "Sari", "sari")
    group = fake.group(-1001234567890123, "Bidang")
    assert api.ok("getChat", chat_id=group.id)["type"] == "supergroup"


def test_stop_then_start_keeps_state_and_port(fake, api):
    user = started_user(fake)
    url = fake.url
    fake.stop()
    with pytest.raises(httpx.ConnectError):
        api.http.post(f"{fake.base_url}{fake.token}/getMe")
    fake.start()
    assert fake.url == url
    assert api.ok("getUpdates")[0]["message"]["from"]["id"] == user.id
