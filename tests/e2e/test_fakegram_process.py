"""A bot in another process against the fake: killed, restarted, nothing lost or doubled."""

import os
import subprocess
import sys

import pytest

from fakegram import FakeTelegram

ECHO_BOT = """
import os
from telegram.ext import ApplicationBuilder, MessageHandler, filters

async def echo(update, context):
    await update.effective_message.reply_text("echo: " + update.effective_message.text)

app = (
    ApplicationBuilder()
    .token(os.environ["BOT_TOKEN"])
    .base_url(os.environ["BOT_BASE_URL"])
    .base_file_url(os.environ["BOT_BASE_FILE_URL"])
    .build()
)
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0)
"""


def spawn(fake, log):
    env = {
        **os.environ,
        "BOT_TOKEN": fake.token,
        "BOT_BASE_URL": fake.base_url,
        "BOT_BASE_FILE_URL": fake.base_file_url,
    }
    return subprocess.Popen(
        [sys.executable, "-c", ECHO_BOT], env=env, stdout=log, stderr=subprocess.STDOUT
    )


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL semantics")
def test_a_killed_bot_process_gets_what_arrived_while_it_was_down(tmp_path):
    with FakeTelegram() as fake, open(tmp_path / "bot.log", "wb") as log:
        user = fake.user(1001, "Sari")
        first = spawn(fake, log)
        try:
            user.send_text("satu")
            fake.wait_for_sync(user.last_message, timeout=10)
            fake.wait_idle_sync()  # "satu" is confirmed, so it must not come back
        finally:
            first.kill()
            first.wait(timeout=10)
        # The dead process's long poll is still parked in the fake; it must not swallow this.
        user.send_text("dua")
        second = spawn(fake, log)
        try:
            fake.wait_for_sync(lambda: len(user.transcript) >= 2, timeout=10)
            fake.wait_idle_sync()
        finally:
            second.terminate()
            second.wait(timeout=10)
        assert [m.text for m in user.transcript] == ["echo: satu", "echo: dua"], (
            tmp_path / "bot.log"
        ).read_text()
        assert fake.pending_updates == 0
