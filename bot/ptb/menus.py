"""The command menus Telegram shows under "/" (`setMyCommands`), from the registry.

Everyone's menu is the default scope; an officer who sees more (an admin, the Kadin and
the Sekretaris for /kepatuhan: `bot.views.commands.menu`) gets their own in their chat
with the bot. Published at start for every linked chat, and for an officer when they
join by invite (their chat is known only from then).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.runtime import Runtime
from bot.views.commands import EVERYONE, Command, menu

log = logging.getLogger(__name__)


def _listed(runtime: Runtime, commands: Sequence[Command]) -> list[BotCommand]:
    lang = runtime.config.language.value
    return [BotCommand(c.name, runtime.plain(lang, c.description_key)) for c in commands]


async def publish_menus(bot: Bot, runtime: Runtime) -> None:
    """Everyone's menu, then the own menu of each officer who sees more."""
    await bot.set_my_commands(_listed(runtime, EVERYONE), scope=BotCommandScopeDefault())
    directory = runtime.directory
    for key in dict.fromkeys([*directory.admins(), *directory.officers]):
        await publish_menu_of(bot, runtime, key)


async def publish_menu_of(bot: Bot, runtime: Runtime, key: str) -> None:
    """The officer's own menu in their chat, when it is more than everyone's."""
    officer = runtime.directory.get(key)
    own = menu(runtime.directory.is_admin(key), officer.role if officer else None)
    if own == EVERYONE:
        return
    chat = await runtime.chat_of(key)
    if chat is None:
        return
    try:
        await bot.set_my_commands(_listed(runtime, own), scope=BotCommandScopeChat(chat))
    except Exception as exc:  # an officer who never opened the chat: not fatal
        log.info("could not set the command menu of %s: %s", key, exc)
