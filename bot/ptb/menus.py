"""The command menus Telegram shows under "/" (`setMyCommands`), from the registry.

Everyone's menu is the default scope, in the configured language; an officer who sees
more (an admin, the Kadin and the Sekretaris for /kepatuhan: `bot.views.commands.menu`)
or reads another language (`/bahasa`) gets their own in their chat with the bot.
Published at start for every linked chat, for an officer when they join by invite (their
chat is known only from then) and when they choose a language.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.runtime import Runtime
from bot.views.commands import EVERYONE, Command, menu

log = logging.getLogger(__name__)


def _listed(runtime: Runtime, commands: Sequence[Command], lang: str) -> list[BotCommand]:
    return [BotCommand(c.name, runtime.plain(lang, c.description_key)) for c in commands]


async def publish_menus(bot: Bot, runtime: Runtime) -> None:
    """Everyone's menu, then the own menu of each officer who sees more or chose a
    language. Only theirs: a call per officer would hold up the start (and the replay
    of the updates a crash left) by a round trip to Telegram for each."""
    everyone = _listed(runtime, EVERYONE, runtime.config.language.value)
    await bot.set_my_commands(everyone, scope=BotCommandScopeDefault())
    directory = runtime.directory
    chosen = await runtime.chosen_languages()
    for key in dict.fromkeys([*directory.admins(), *directory.officers]):
        if key in chosen or _own_menu(runtime, key) != EVERYONE:
            await publish_menu_of(bot, runtime, key)


def _own_menu(runtime: Runtime, key: str) -> tuple[Command, ...]:
    officer = runtime.directory.get(key)
    return menu(runtime.directory.is_admin(key), officer.role if officer else None)


async def publish_menu_of(bot: Bot, runtime: Runtime, key: str) -> None:
    """The officer's own menu in their chat, when it differs from everyone's (more
    commands, another language); none, so everyone's shows, when it does not."""
    own = _own_menu(runtime, key)
    lang = await runtime.language_of(key)
    chat = await runtime.chat_of(key)
    if chat is None:
        return
    scope = BotCommandScopeChat(chat)
    try:
        if own == EVERYONE and lang == runtime.config.language.value:
            await bot.delete_my_commands(scope=scope)  # one left from another language
        else:
            await bot.set_my_commands(_listed(runtime, own, lang), scope=scope)
    except Exception as exc:  # an officer who never opened the chat: not fatal
        log.info("could not set the command menu of %s: %s", key, exc)
