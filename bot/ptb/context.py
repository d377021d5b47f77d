"""The typed callback context: handlers and jobs reach the services through it, not globals."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.runtime import Runtime

RUNTIME_KEY = "runtime"


class BotContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context, carrying the services instead of globals."""

    @property
    def runtime(self) -> Runtime:
        runtime = self.application.bot_data.get(RUNTIME_KEY)
        if not isinstance(runtime, Runtime):
            raise RuntimeError("the application was built without a Runtime")
        return runtime


BotApp = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
