"""The bot token and the webhook secret: never in a log, and the webhook checks its secret.

- A whole case runs in a real `python -m bot --log-level DEBUG run` process (our loggers
  at DEBUG; `configure_logging` keeps httpx, httpcore and PTB's Bot at WARNING because
  their request lines carry the token in the URL). The captured log holds neither the
  token nor its secret half, although the process used both on every request.
- Webhook mode (`run_webhook(secret_token=...)`, tornado on loopback): a POST without the
  `X-Telegram-Bot-Api-Secret-Token` header, or with a wrong one, gets 403 and is never
  processed; the right one gets 200 and the update is answered.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

import pytest

from bot.views.i18n import Catalogue
from demo.stage import STAGE_TOKEN, write_stage_config
from fakegram import FakeTelegram
from tests.crash.rig import Rig
from tests.support.paths import ROOT

SECRET = "kait-rahasia_7Q2w9e"
CATALOGUE = Catalogue.load()


def test_a_whole_case_at_debug_level_never_logs_the_token(tmp_path: Path) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        rig = Rig(tmp_path, fake, deque(), log_level="DEBUG")
        rig.run()
        assert rig.stop() == 0
        requests = len(fake.calls)
    log = rig.log_path.read_text(encoding="utf-8")
    assert " DEBUG " in log  # the level really was DEBUG
    assert requests > 100  # ... and the token really was used, on every request
    for secret in (STAGE_TOKEN, STAGE_TOKEN.partition(":")[2]):
        assert secret not in log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, bot: subprocess.Popen[bytes]) -> None:
    """Until the webhook server accepts connections (it starts after setWebhook)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if bot.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.02)  # nothing to wait on but the socket itself


def webhook_config(folder: Path, fake: FakeTelegram, port: int) -> Path:
    path = write_stage_config(folder, fake)
    text = path.read_text(encoding="utf-8").replace(
        "[telegram]\n",
        "[telegram]\n"
        'mode = "webhook"\n'
        'webhook_url = "https://bot.example.invalid/kait/telegram"\n'
        f"webhook_port = {port}\n"
        f'webhook_secret = "{SECRET}"\n',
    )
    path.write_text(text, encoding="utf-8")
    return path


def post(port: int, update: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/kait/telegram",
        data=json.dumps(update).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def message_update(update_id: int, text: str) -> dict[str, object]:
    sender = {"id": 1007, "is_bot": False, "first_name": "Agus", "language_code": "id"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1783300000,
            "chat": {"id": 1007, "type": "private", "first_name": "Agus"},
            "from": sender,
            "text": text,
        },
    }


def test_the_webhook_answers_403_without_the_secret_and_serves_it_with(
    tmp_path: Path,
) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    port = free_port()
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        user = fake.user(1007, "Agus", started=True)
        config = webhook_config(tmp_path, fake, port)
        log_path = tmp_path / "bot.log"
        with log_path.open("wb") as log:
            bot = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "--log-level",
                    "DEBUG",
                    "run",
                    "--config",
                    str(config),
                ],
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            fake.wait_for_sync(lambda: fake.calls_to("setWebhook"), timeout=30)
            (registered,) = fake.calls_to("setWebhook")
            assert registered.params["secret_token"] == SECRET
            assert registered.params["url"] == "https://bot.example.invalid/kait/telegram"
            wait_listening(port, bot)

            assert post(port, message_update(1, "tanpa rahasia"), None) == 403
            assert post(port, message_update(2, "rahasia salah"), "tebakan") == 403
            assert post(port, message_update(3, "rahasia benar"), SECRET) == 200
            fake.wait_for_sync(lambda: user.transcript, timeout=10)
            fake.wait_idle_sync()
            assert [m.text for m in user.transcript] == [
                CATALOGUE.plain("id", "workflow.text_not_understood")
            ]
        finally:
            bot.send_signal(signal.SIGTERM)
            code = bot.wait(timeout=30)
        said = log_path.read_text(encoding="utf-8")
        assert code == 0, said
        assert SECRET not in said and STAGE_TOKEN.partition(":")[2] not in said
