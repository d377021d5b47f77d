"""The officers as the running bot knows them: the config's list, seen three ways.

The engine needs only keys, roles and leaders (`Roster`); messages need names and
languages; reminders need superiors. Front-office admins who are not officers act under
the key `tg:<telegram id>`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.config import Config, Officer
from bot.core.reminders import DEFAULT_SUPERIOR_ROLE
from bot.core.workflow import Roster, RosterEntry


def admin_key(telegram_id: int) -> str:
    return f"tg:{telegram_id}"


class Directory:
    """Officers by key, with the roster, names, languages and superiors derived once."""

    def __init__(
        self,
        officers: Sequence[Officer],
        admins: Sequence[str] = (),
        admin_telegram_ids: Sequence[int] = (),
        default_language: str = "id",
        superior_role: Mapping[str, str | None] | None = None,
    ) -> None:
        self.officers: dict[str, Officer] = {o.key: o for o in officers}
        self._order = [o.key for o in officers]
        self._admins = tuple(admins) + tuple(admin_key(t) for t in admin_telegram_ids)
        self._admin_telegram_ids = frozenset(admin_telegram_ids)
        self.default_language = default_language
        self.superior_role = dict(superior_role or DEFAULT_SUPERIOR_ROLE)
        self.roster = Roster(
            officers=tuple(RosterEntry(o.key, o.role, o.leader) for o in officers),
            admins=frozenset(self._admins),
        )

    @classmethod
    def from_config(
        cls, config: Config, superior_role: Mapping[str, str | None] | None = None
    ) -> Directory:
        return cls(
            config.officers,
            config.admins,
            config.admin_telegram_ids,
            config.language.value,
            superior_role,
        )

    def get(self, key: str) -> Officer | None:
        return self.officers.get(key)

    def name(self, key: str) -> str:
        officer = self.officers.get(key)
        if officer is not None:
            return officer.name
        return "Admin" if key.startswith("tg:") else key

    def language(self, officer_key: str) -> str:
        officer = self.officers.get(officer_key)
        return officer.language.value if officer is not None else self.default_language

    def superior(self, officer_key: str) -> str | None:
        """The configured superior, else the first holder of the role above by default."""
        officer = self.officers.get(officer_key)
        if officer is None:
            return None
        if officer.superior:
            return officer.superior
        role = self.superior_role.get(officer.role)
        if role is None:
            return None
        for key in self._order:
            if self.officers[key].role == role and key != officer_key:
                return key
        return None

    def admins(self) -> Sequence[str]:
        return self._admins

    def is_admin(self, key: str) -> bool:
        return key in self._admins

    def is_admin_telegram_id(self, telegram_id: int) -> bool:
        return telegram_id in self._admin_telegram_ids

    def configured_telegram_id(self, officer_key: str) -> int | None:
        officer = self.officers.get(officer_key)
        return officer.telegram_id if officer is not None else None

    def by_telegram_id(self, telegram_id: int) -> Officer | None:
        for officer in self.officers.values():
            if officer.telegram_id == telegram_id:
                return officer
        return None

    def in_order(self) -> list[Officer]:
        return [self.officers[k] for k in self._order]
