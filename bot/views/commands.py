"""The one registry of chat commands: name, description key, who sees it.

Handlers register their commands here (by module), and `bot.app` publishes the menus
with `setMyCommands`: everyone's as the default, and a chat's own menu for each officer
who sees more (admins, and the holders of the roles a command is kept for). /bantuan
lists the same commands (`menu`), so nobody is shown a command they would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.compliance import MAY_ASK_ROLES


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    admin_only: bool = False
    roles: frozenset[str] | None = None  # kept for these roles (and the admins); None: all

    @property
    def description_key(self) -> str:
        return f"commands.{self.name}"

    def shown_to(self, admin: bool, role: str | None) -> bool:
        if self.admin_only:
            return admin
        return self.roles is None or admin or role in self.roles


COMMANDS: tuple[Command, ...] = (
    Command("tugas"),
    Command("status"),
    Command("riwayat"),
    Command("berkas"),
    Command("ringkasan"),
    Command("kepatuhan", roles=MAY_ASK_ROLES),  # bot.services.compliance.may_ask
    Command("mulai"),
    Command("verifikasi"),
    Command("templat"),
    Command("bahasa"),
    Command("bantuan"),
    Command("batal"),
    Command("undang", admin_only=True),
    Command("batalkan", admin_only=True),
    Command("wakil", admin_only=True),
    Command("alihkan", admin_only=True),
)


def menu(admin: bool, role: str | None) -> tuple[Command, ...]:
    """The commands an officer sees, in the registry's order (`admin`: theirs too)."""
    return tuple(c for c in COMMANDS if c.shown_to(admin, role))


EVERYONE: tuple[Command, ...] = menu(admin=False, role=None)  # the default menu
