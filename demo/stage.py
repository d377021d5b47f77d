"""The local stage: the real bot against the Telegram stand-in, with the demo's Dinas.

The offline demo, the end-to-end tests and the crash tests all stand on this: the real
`Application`, handlers, storage and scheduler, pointed at `fakegram` through
`base_url`, with simulated officers whose Telegram ids the demo config lists.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import build_application, running
from bot.config import Config, load_config
from bot.core.clock import Clock
from bot.core.sop_loader import load_sops
from bot.ptb.context import BotApp
from bot.runtime import Runtime
from fakegram import FakeTelegram, FakeUser

ROOT = Path(__file__).resolve().parent.parent
DEMO_CONFIG = ROOT / "templates" / "demo" / "config.toml"
# Shaped like a real token (the config checks the shape); only the stand-in accepts it.
STAGE_TOKEN = "7000000001:AAStandInTokenForTheOfflineDemo_00000"


def write_stage_config(folder: Path, fake: FakeTelegram, template: Path = DEMO_CONFIG) -> Path:
    """The demo config, pointed at `fake`, written into `folder` (its data lives there)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (
        template.read_text(encoding="utf-8")
        .replace("@TOKEN@", fake.token)
        .replace("@BASE_URL@", fake.base_url)
        .replace("@BASE_FILE_URL@", fake.base_file_url)
    )
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_stage_config(path: Path) -> tuple[Config, dict[str, object]]:
    config = load_config(path, env={})
    return config, dict(load_sops(config.sops))


@dataclass
class Stage:
    fake: FakeTelegram
    runtime: Runtime
    app: BotApp
    config: Config
    users: dict[str, FakeUser] = field(default_factory=dict)

    def user(self, officer_key: str) -> FakeUser:
        return self.users[officer_key]

    async def settle(self, limit: float = 10.0, recheck: float = 0.01) -> None:
        """Wait until the bot has fully handled every update users have produced so far.

        Event-driven (no quiet period): once the newest update is handled, its commit has
        woken the delivery worker; waiting for the worker to be idle (and for the PDF
        copies converting beside it) puts every answer in the transcripts.
        """
        target = self.fake.last_update_id
        await self.fake.wait_for(
            lambda: self.runtime.last_update_id >= target, limit, recheck=recheck
        )
        await self.runtime.deliver()
        if self.runtime.docjobs is not None:  # PDF copies converting in the background
            await self.runtime.docjobs.idle()
            await self.runtime.deliver()


def build_stage_app(config: Config, runtime: Runtime) -> BotApp:
    telegram = config.telegram
    return build_application(
        runtime,
        token=telegram.token.reveal(),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        rate_limit=False,
    )


@asynccontextmanager
async def stage(
    folder: Path, clock: Clock, fake: FakeTelegram | None = None
) -> AsyncIterator[Stage]:
    """Run the bot on `folder` against a (new or given) stand-in until the block ends.

    Passing the same `fake` and `folder` again is a restart of the bot: the database,
    files and pending Telegram updates carry over.
    """
    own_fake = fake is None
    fake = fake or FakeTelegram(token=STAGE_TOKEN).start()
    try:
        path = folder / "config.toml"
        if not path.exists():
            write_stage_config(folder, fake)
        config = load_config(path, env={})
        sops = load_sops(config.sops)
        runtime = Runtime.build(config, sops, clock)
        app = build_stage_app(config, runtime)
        users = {}
        for officer in config.officers:
            if officer.telegram_id is not None:
                users[officer.key] = fake.user(
                    officer.telegram_id,
                    officer.name.split(",")[0],
                    language_code="id",
                    started=True,
                )
        async with running(app):
            yield Stage(fake, runtime, app, config, users)
    finally:
        if own_fake:
            fake.stop()
