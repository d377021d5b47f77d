"""The one registry of chat commands: name, description key, who sees it.

Handlers register their commands here (by module), and `bot.app` publishes the list
with `setMyCommands`, scoped so that admins also see theirs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    admin_only: bool = False

    @property
    def description_key(self) -> str:
        return f"commands.{self.name}"


COMMANDS: tuple[Command, ...] = (
    Command("tugas"),
    Command("status"),
    Command("riwayat"),
    Command("berkas"),
    Command("ringkasan"),
    Command("kepatuhan"),  # answered for admins, the Kadin and the Sekretaris only
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
