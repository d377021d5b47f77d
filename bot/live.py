"""Serving real Telegram: polling by default, webhook when the config says so.

`run_polling`/`run_webhook` own the event loop and call `post_init`/`post_shutdown`
themselves, so this is plain synchronous code (see PITFALLS: never inside asyncio.run).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.config import Config, Mode
from bot.core.clock import SystemClock
from bot.core.sop import Sop
from bot.crashpoints import pinned_clock_from_env
from bot.ptb.context import BotApp
from bot.runtime import Runtime, StartupError

log = logging.getLogger(__name__)


def serve(config: Config, sops: Mapping[str, Sop]) -> int:
    try:
        clock = pinned_clock_from_env() or SystemClock()  # pinned only by the crash rig
        runtime = Runtime.build(config, dict(sops), clock)
    except StartupError as exc:
        print("\n".join(exc.problems))
        return 2
    telegram = config.telegram
    app = build_application(
        runtime,
        token=telegram.token.reveal(),
        base_url=telegram.base_url,
        base_file_url=telegram.base_file_url,
        local_mode=telegram.local_mode,
        freeze_heap=True,
    )
    log.info(
        "serving %s (%s) for %s with SOPs %s",
        config.agency.name,
        telegram.mode.value,
        config.source,
        ", ".join(sops),
    )
    try:
        _run(app, config)
    except InvalidToken:
        # PTB's own message quotes the token: say what is wrong without it.
        print(
            "telegram.token: Telegram refused this token (revoked or mistyped?). "
            "Get the current one from @BotFather and set it in config.toml or SOPBOT_TOKEN.",
            file=sys.stderr,
        )
        return 2
    except NetworkError as exc:
        print(
            f"Cannot reach Telegram ({type(exc).__name__}). Check the server's internet "
            "access, proxy and firewall (api.telegram.org, port 443), or telegram.base_url.",
            file=sys.stderr,
        )
        return 2
    return 0


def _run(app: BotApp, config: Config) -> None:
    telegram = config.telegram
    if telegram.mode is Mode.WEBHOOK:
        assert telegram.webhook_url and telegram.webhook_secret
        app.run_webhook(
            listen="0.0.0.0",
            port=telegram.webhook_port,
            # The proxy passes Telegram's path on: listen on the path of the public URL.
            url_path=urlsplit(telegram.webhook_url).path,
            webhook_url=telegram.webhook_url,
            secret_token=telegram.webhook_secret.reveal(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
