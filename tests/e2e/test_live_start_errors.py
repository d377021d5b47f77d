"""Serving real Telegram: a refused token or no network stop the bot with a clear line."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from demo.stage import STAGE_TOKEN, write_stage_config
from fakegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


def run_bot(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(config.parent)},
    )


def test_a_token_telegram_refuses_is_named_without_being_printed(tmp_path: Path) -> None:
    with FakeTelegram(token="7000000002:AAAnotherTokenThatTheServerKnows_000") as fake:
        config = write_stage_config(tmp_path, fake)
        text = config.read_text().replace(fake.token, STAGE_TOKEN)
        config.write_text(text)
        result = run_bot(config)
    assert result.returncode == 2
    assert "telegram.token: Telegram refused this token" in result.stderr
    output = result.stdout + result.stderr
    assert STAGE_TOKEN not in output
    assert STAGE_TOKEN.split(":")[1] not in output


def test_no_network_to_telegram_says_what_to_check(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        config = write_stage_config(tmp_path, fake)
        config.write_text(config.read_text().replace(fake.url, f"http://127.0.0.1:{port}"))
    result = run_bot(config)
    assert result.returncode == 2
    assert "Cannot reach Telegram" in result.stderr
    assert STAGE_TOKEN not in result.stdout + result.stderr
