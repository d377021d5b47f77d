"""The commented-out settings in config.example.toml are valid when switched on."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.runtime import Runtime
from tests.support.engine import T0

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "7000000001:AAStandInTokenForTheOfflineDemo_00000"


def test_every_commented_setting_block_is_accepted_when_uncommented(tmp_path: Path) -> None:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    head, tail = text.split("# [calendar]", 1)
    switched_on = "\n".join(
        line[2:] if line.startswith("# ") else line
        for line in ("# [calendar]" + tail).splitlines()
    )
    config_path = tmp_path / "config.toml"
    config_path.write_text(head.replace("sops = [", "# sops = [") + switched_on, encoding="utf-8")
    config = load_config(config_path, env={"SOPBOT_TOKEN": TOKEN})
    assert set(config.calendar) == {
        "use_national_holidays", "extra_closures", "extra_working_days", "office_hours", "ramadan",
    }  # fmt: skip
    runtime = Runtime.build(config, load_sops(config.sops), FakeClock(T0))
    assert runtime.policy.superior_role["staf"] == "kasubag"
    assert runtime.calendar.working_minutes_per_day == 450
