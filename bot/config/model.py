"""What a validated `config.toml` is: frozen settings, the masked `Secret`, and `Config`.

Every value here has already passed `bot.config.parse`, so nothing that holds a `Config`
has to wonder whether a field is present or well formed. The tables `[calendar]`,
`[reminders]`, `[digest]`, `[documents]`, `[invites]`, `[backup]` and `[acting]` are typed by the
modules that own them (see `bot.runtime.Runtime.build`); here they are kept as read-only
mappings, because their types live in layers above this one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

__all__ = [
    "AgencySettings",
    "Channel",
    "Config",
    "Language",
    "Mode",
    "Officer",
    "Recipient",
    "Secret",
    "StoragePaths",
    "TelegramSettings",
    "read_only",
]


class Mode(enum.StrEnum):
    """How updates reach the bot."""

    POLLING = "polling"
    WEBHOOK = "webhook"


class Language(enum.StrEnum):
    ID = "id"
    EN = "en"


class Channel(enum.StrEnum):
    """How the final report reaches a recipient; decides what counts as proof of delivery."""

    HARDCOPY = "hardcopy"
    EMAIL = "email"
    E_OFFICE = "e-office"


class Secret:
    """A credential that must never reach a log, a traceback, a report or a chat.

    Not a dataclass on purpose: `dataclasses.asdict(config)` would otherwise unpack it
    into a plain dict and print the value. Read it only where it is used, with `reveal()`.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        object.__setattr__(self, "_value", value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Secret is immutable")

    def reveal(self) -> str:
        return self._value

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # copy, deepcopy (hence dataclasses.asdict) and pickle rebuild through __init__.
        return (Secret, (self._value,))

    def __repr__(self) -> str:
        return "Secret('********')"

    def __str__(self) -> str:
        return "********"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    token: Secret
    mode: Mode = Mode.POLLING
    base_url: str | None = None  # self-hosted Bot API server, e.g. "http://localhost:8081/bot"
    base_file_url: str | None = None
    webhook_url: str | None = None  # the public https URL Telegram posts updates to
    webhook_port: int = 8443  # the local port the bot listens on (behind a reverse proxy)
    webhook_secret: Secret | None = None  # required in webhook mode
    # A self-hosted Bot API server in --local mode: files up to 2 GB, read from disk.
    local_mode: bool = False


@dataclass(frozen=True, slots=True)
class AgencySettings:
    region: str  # "Pemerintah Kabupaten Contoh" (cover, letterhead)
    name: str  # "Dinas Pendidikan"
    short_name: str  # "Disdik": letters and digits only, safe in file names
    city: str  # place of signing: "Contoh, 24 November 2026"
    timezone: ZoneInfo
    id: str = "default"
    address: str = ""
    logo: Path | None = None
    contact: str = ""  # whom strangers should ask; "" = the agency and its secretariat


@dataclass(frozen=True, slots=True)
class Officer:
    key: str  # stable slug used everywhere else ("kabid_sd")
    name: str  # with academic titles, as printed: "Drs. Bambang Hermawan, M.Pd."
    role: str  # an SOP role key ("kabid")
    jabatan: str  # position title, as printed
    nip: str | None = None  # 18 digits, no spaces; None for honorary staff
    pangkat: str | None = None  # rank and grade: "Pembina Utama Muda, IV/c"
    leader: bool = False  # leader of the holders of `role` (assign = "leader")
    telegram_id: int | None = None  # None until the officer registers
    superior: str | None = None  # key of the officer's superior
    language: Language = Language.ID

    @property
    def nip_formatted(self) -> str:
        """The NIP grouped as printed on documents: "19680512 199303 1 004"."""
        if self.nip is None:
            return ""
        n = self.nip
        return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    channel: Channel
    address: str | None = None  # postal address, e-mail address or e-office unit


DEFAULT_OUTBOX_RETENTION_DAYS: Final = 30


@dataclass(frozen=True, slots=True)
class StoragePaths:
    database: Path
    files: Path  # uploaded drafts and proofs
    output: Path  # generated documents
    backups: Path
    # Days a delivered message's text is kept in the outbox; then only what the audit
    # and later features need stays (`bot.services.retention`).
    outbox_retention_days: int = DEFAULT_OUTBOX_RETENTION_DAYS


class _ReadOnlyTable(Mapping[str, Any]):
    """A pass-through table that cannot be changed behind the config's back.

    Unlike `types.MappingProxyType` it can be copied and pickled with the rest of Config.
    Nested values are as tomllib produced them; their owners validate them.
    """

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __reduce__(self) -> tuple[type[_ReadOnlyTable], tuple[dict[str, Any]]]:
        return (_ReadOnlyTable, (self._data,))


def read_only(table: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return _ReadOnlyTable(table)


@dataclass(frozen=True, slots=True)
class Config:
    telegram: TelegramSettings
    agency: AgencySettings
    officers: tuple[Officer, ...]  # in file order: documents list officers in this order
    storage: StoragePaths
    sops: tuple[Path, ...]
    admins: tuple[str, ...] = ()  # officer keys
    admin_telegram_ids: tuple[int, ...] = ()  # front-office admins who are not officers
    recipients: tuple[Recipient, ...] = ()
    language: Language = Language.ID
    source: Path = field(default_factory=lambda: Path("config.toml"))
    # Validated by their own modules; kept here as read-only mappings.
    calendar: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    reminders: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    digest: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    documents: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    invites: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    backup: Mapping[str, Any] = field(default_factory=read_only, hash=False)
    acting: Mapping[str, Any] = field(default_factory=read_only, hash=False)

    def officer(self, key: str) -> Officer:
        for officer in self.officers:
            if officer.key == key:
                return officer
        raise KeyError(f"no officer {key!r} in {self.source}")

    def officer_by_telegram_id(self, telegram_id: int) -> Officer | None:
        """None for anyone who is not a registered officer: a normal case, not an error."""
        for officer in self.officers:
            if officer.telegram_id == telegram_id:
                return officer
        return None

    def officers_with_role(self, role: str) -> tuple[Officer, ...]:
        """Holders of `role` in file order, which is the order documents list them in."""
        return tuple(officer for officer in self.officers if officer.role == role)

    def leader_of(self, role: str) -> Officer | None:
        """The holder marked `leader = true`; None when nobody is (never a guess)."""
        for officer in self.officers:
            if officer.role == role and officer.leader:
                return officer
        return None

    def is_admin(self, officer_key: str) -> bool:
        return officer_key in self.admins

    def is_admin_telegram_id(self, telegram_id: int) -> bool:
        """Admin by id: a front-office admin, or the Telegram account of an admin officer."""
        if telegram_id in self.admin_telegram_ids:
            return True
        officer = self.officer_by_telegram_id(telegram_id)
        return officer is not None and self.is_admin(officer.key)
