"""Reading `config.toml` into a `Config`, once, at start, reporting every mistake at once.

The file is edited by agency staff, not programmers, and it decides who may approve what.
So it is validated once, at start, into frozen dataclasses (`bot.config.model`): nothing
later has to wonder whether a field is present or well formed, and a mistake surfaces
before the bot talks to anyone rather than in the middle of a running case. Every mistake
is collected (fixing one at a time and restarting is slow and discouraging) and reported
as one line naming the key path and what was expected; a user mistake never shows a
stack trace. The field rules and their wording are shared with the feature tables
(`bot.config.fields`).

Path rules (the same for every path in the file): a relative path is resolved against
the folder holding the config file, so the bot behaves the same whatever directory it is
started from; `~` is expanded. The one exception is the *default* of `sops` (used when
the key is left out): it is the SOP shipped with the bot, found in the project root next
to `bot/`, so a config file kept elsewhere (e.g. /etc/sopbot/config.toml) still works.

Credentials (the bot token, the webhook secret) are held in `Secret`, whose repr and str
are masked, and are never echoed in a `ConfigError`: a config report is the kind of text
people paste into a chat when asking for help.

The tables `[calendar]`, `[reminders]`, `[digest]`, `[documents]`, `[invites]` and
`[backup]` belong to other modules, which validate them with the same `Fields`; here
they are only required to be tables and are kept as read-only mappings.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.config.fields import MISSING, Fields, join, show, suggest
from bot.config.model import (
    DEFAULT_OUTBOX_RETENTION_DAYS,
    AgencySettings,
    Channel,
    Config,
    Language,
    Mode,
    Officer,
    Recipient,
    StoragePaths,
    TelegramSettings,
    read_only,
)

__all__ = [
    "DEFAULT_ROLES_REQUIRING_NIP",
    "DEFAULT_SOP",
    "PROJECT_ROOT",
    "TOKEN_ENV",
    "WEBHOOK_SECRET_ENV",
    "ConfigError",
    "load_config",
    "parse_config",
]

PROJECT_ROOT: Final = Path(__file__).resolve().parents[2]
"""The checkout (or installed tree) holding `bot/`, `templates/` and `README.md`."""
DEFAULT_SOP: Final = PROJECT_ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
DEFAULT_ROLES_REQUIRING_NIP: Final = frozenset({"kadin", "sekretaris", "kabid"})
"""Roles whose holders initial (paraf) or sign: their NIP and rank appear on documents."""

TOKEN_ENV: Final = "SOPBOT_TOKEN"
WEBHOOK_SECRET_ENV: Final = "SOPBOT_WEBHOOK_SECRET"


class ConfigError(Exception):
    """The configuration cannot be used; `str()` is the report to show the person who edits it.

    `errors` holds one line per mistake (`"officers[2].nip: expected 18 digits, got ..."`).
    """

    def __init__(self, errors: Sequence[str], path: Path | str) -> None:
        super().__init__(list(errors), path)
        self.errors: list[str] = list(errors)
        self.path = path

    def __str__(self) -> str:
        count = len(self.errors)
        noun = "mistake" if count == 1 else "mistakes"
        lines = [f"{self.path}: {count} {noun} to fix before the bot can start:"]
        lines += [f"  - {error}" for error in self.errors]
        if any("[" in error.partition(": ")[0] for error in self.errors):
            lines.append(
                "(Numbers in [ ] count from 0: officers[0] is the first [[officers]] block.)"
            )
        return "\n".join(lines)


# --------------------------------------------------------------------------- loading


def load_config(
    path: Path | str,
    env: Mapping[str, str] | None = None,
    *,
    known_roles: frozenset[str] | None = None,
    roles_requiring_nip: frozenset[str] = DEFAULT_ROLES_REQUIRING_NIP,
) -> Config:
    """Read, parse and validate a config file; raise `ConfigError` on any mistake.

    `env` defaults to `os.environ` (the token and webhook secret may come from there).
    `known_roles`: the role keys of the loaded SOPs; None accepts any well-formed key.
    """
    shown = Path(os.path.abspath(path))
    try:
        raw = shown.read_bytes()
    except FileNotFoundError:
        problem = "file not found (copy config.example.toml to this name and fill it in)"
        raise ConfigError([problem], shown) from None
    except IsADirectoryError:
        raise ConfigError(["is a folder, not a file"], shown) from None
    except PermissionError:
        raise ConfigError(["cannot be read: permission denied"], shown) from None
    except OSError as exc:
        raise ConfigError([f"cannot be read: {exc.strerror or exc}"], shown) from None
    try:
        # utf-8-sig: Windows Notepad may save UTF-8 with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (at byte {exc.start}); save the file with UTF-8 encoding"
        raise ConfigError([problem], shown) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([_redact(_syntax_problem(exc))], shown) from None
    return parse_config(
        data,
        env,
        source=str(shown),
        base_dir=shown.parent,
        known_roles=known_roles,
        roles_requiring_nip=roles_requiring_nip,
    )


def parse_config(
    data: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    source: str = "config.toml",
    *,
    base_dir: Path | None = None,
    known_roles: frozenset[str] | None = None,
    roles_requiring_nip: frozenset[str] = DEFAULT_ROLES_REQUIRING_NIP,
) -> Config:
    """Validate already-parsed TOML data; raise `ConfigError` listing every mistake.

    Relative paths resolve against `base_dir`, by default the folder of `source`.
    """
    folder = base_dir if base_dir is not None else Path(source).parent
    parser = _Parser(
        env=os.environ if env is None else env,
        base_dir=Path(os.path.abspath(folder.expanduser())),
        known_roles=known_roles,
        roles_requiring_nip=roles_requiring_nip,
    )
    config = parser.parse(data, Path(source))
    if parser.errors:
        raise ConfigError([_redact(error) for error in parser.errors], source)
    assert config is not None, "every unusable section must have reported a mistake"
    return config


# --------------------------------------------------------------------------- messages

_TOKEN = re.compile(r"[0-9]+:[A-Za-z0-9_-]{30,}")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NIP = re.compile(r"[0-9]{18}")
_SHORT_NAME = re.compile(r"[A-Za-z0-9]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SYNTAX_POSITION = re.compile(r"^(.*) \(at (?:line (\d+), column (\d+)|end of document)\)$")

_HTTPS_ONLY: Final = "Telegram delivers webhooks over HTTPS only"
_SYNTAX_HINTS: Final = {
    "Invalid value": 'text values need double quotes, e.g. name = "Dinas Pendidikan"',
    "Cannot overwrite a value": "the same key is set twice",
}

_TOP_LEVEL_KEYS: Final = (
    "language",
    "sops",
    "admins",
    "admin_telegram_ids",
    "telegram",
    "agency",
    "officers",
    "recipients",
    "storage",
    "calendar",
    "reminders",
    "digest",
    "documents",
    "invites",
    "backup",
    "acting",
)
_PASS_THROUGH: Final = (
    "calendar",
    "reminders",
    "digest",
    "documents",
    "invites",
    "backup",
    "acting",
)
_TELEGRAM_KEYS: Final = (
    "token",
    "mode",
    "base_url",
    "base_file_url",
    "webhook_url",
    "webhook_port",
    "webhook_secret",
    "local_mode",
)
CONTACT_MAX: Final = 120  # with the "not registered" sentence, within an alert's 200
_AGENCY_KEYS: Final = (
    "id",
    "region",
    "name",
    "short_name",
    "address",
    "city",
    "timezone",
    "logo",
    "contact",
)
_OFFICER_KEYS: Final = (
    "key",
    "name",
    "nip",
    "pangkat",
    "jabatan",
    "role",
    "leader",
    "telegram_id",
    "superior",
    "language",
)
_OFFICER_HINTS: Final = {
    "username": (
        "not supported: a bot cannot message a username, and usernames change hands; "
        "set telegram_id (the numeric Telegram id) or leave it out and let the officer "
        "register"
    ),
}
_RECIPIENT_KEYS: Final = ("name", "channel", "address")
_STORAGE_DEFAULTS: Final = {
    "database": "data/sopbot.db",
    "files": "data/files",
    "output": "data/output",
    "backups": "data/backups",
}
_STORAGE_KEYS: Final = (*_STORAGE_DEFAULTS, "outbox_retention_days")


def _home_tables() -> dict[str, str]:
    """Field name -> the one table it belongs in, for a field written at the top level."""
    owners: dict[str, list[str]] = {}
    sections = {
        "[telegram]": _TELEGRAM_KEYS,
        "[agency]": _AGENCY_KEYS,
        "[storage]": _STORAGE_KEYS,
        "[[officers]]": _OFFICER_KEYS,
        "[[recipients]]": _RECIPIENT_KEYS,
    }
    for section, keys in sections.items():
        for key in keys:
            owners.setdefault(key, []).append(section)
    return {
        key: found[0]
        for key, found in owners.items()
        if len(found) == 1 and key not in _TOP_LEVEL_KEYS
    }


_HOME_TABLE: Final = _home_tables()


def _block_index(error: str) -> int:
    """N of "officers[N]...": sorts the officers' mistakes by block, stably."""
    match = re.match(r"[a-z_]+\[(\d+)\]", error)
    return int(match.group(1)) if match else -1


def _redact(message: str) -> str:
    """Mask anything shaped like a bot token, whichever field it was pasted into."""
    return _TOKEN.sub("********", message)


def _syntax_problem(exc: tomllib.TOMLDecodeError) -> str:
    match = _SYNTAX_POSITION.match(str(exc))
    if match is None:
        return f"TOML syntax error: {exc}"
    reason, line, column = match.groups()
    where = f"line {line}, column {column}" if line else "end of file"
    hint = _SYNTAX_HINTS.get(reason)
    return f"{where}: TOML syntax error: {reason}" + (f" ({hint})" if hint else "")


def _derive_short_name(name: str, fallback: str) -> str:
    """ "Dinas Pendidikan" -> "DinasPendidikan": ASCII letters and digits only."""
    plain = unicodedata.normalize("NFKD", name)
    short = "".join(ch for ch in plain if ch.isascii() and ch.isalnum())
    return short or "".join(ch for ch in fallback if ch.isalnum()) or "agency"


# --------------------------------------------------------------------------- the parser


@dataclass(slots=True)
class _Seen:
    """What the cross-checks need from one [[officers]] block, even one with mistakes."""

    where: str
    key: str | None = None
    role: str | None = None
    leader: bool = False
    telegram_id: int | None = None
    superior: str | None = None
    nip: str | None = None
    officer: Officer | None = None


class _Parser(Fields):
    """Reads the data once, collecting every mistake instead of stopping at the first."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        base_dir: Path,
        known_roles: frozenset[str] | None,
        roles_requiring_nip: frozenset[str],
    ) -> None:
        super().__init__()
        self.env = env
        self.base_dir = base_dir
        self.known_roles = known_roles
        self.roles_requiring_nip = roles_requiring_nip
        # Officer keys written in the file, valid or not: a reference to a key that was
        # itself reported as malformed is not reported a second time.
        self.written_keys: set[str] = set()
        # The well-formed officer keys in file order; None when [[officers]] itself is
        # unusable, so that references to officers are not all reported as unknown.
        self.officer_keys: list[str] | None = None

    # ----------------------------------------------------------------- the sections

    def parse(self, data: Mapping[str, Any], source: Path) -> Config | None:
        self.unknown_keys(data, "", _TOP_LEVEL_KEYS)
        language = self.choice(data, "", "language", Language, Language.ID) or Language.ID
        telegram = self.telegram(data)
        agency = self.agency(data)
        officers = self.officers(data, language)
        admins = self.admins(data)
        admin_ids = self.admin_telegram_ids(data)
        if not data.get("admins") and not data.get("admin_telegram_ids"):
            self.missing(
                "admins",
                "name at least one officer key, or set admin_telegram_ids, "
                "so that someone can manage the bot",
            )
        recipients = self.recipients(data)
        storage = self.storage(data)
        sops = self.sops(data)
        extra = {name: self.pass_through(data, name) for name in _PASS_THROUGH}
        if (
            self.errors
            or telegram is None
            or agency is None
            or officers is None
            or admins is None
            or admin_ids is None
            or recipients is None
            or storage is None
            or sops is None
        ):
            return None
        return Config(
            telegram=telegram,
            agency=agency,
            officers=officers,
            storage=storage,
            sops=sops,
            admins=admins,
            admin_telegram_ids=admin_ids,
            recipients=recipients,
            language=language,
            source=source,
            **extra,
        )

    def telegram(self, data: Mapping[str, Any]) -> TelegramSettings | None:
        # Optional as a table: the token alone may come from the environment.
        table = self.table(data, "telegram", required=False)
        if table is None:
            table = {}
        self.unknown_keys(table, "telegram", _TELEGRAM_KEYS)
        token = self.secret(
            table,
            "telegram",
            "token",
            TOKEN_ENV,
            self.env,
            pattern=_TOKEN,
            required=True,
            missing=f"set it here or in the {TOKEN_ENV} environment variable",
            expected=(
                'not a bot token: expected digits, ":" and at least 30 letters, digits, '
                '"_" or "-", as @BotFather gives it'
            ),
        )
        mode = self.choice(table, "telegram", "mode", Mode, Mode.POLLING)
        base_url = self.url(table, "telegram", "base_url")
        base_file_url = self.url(table, "telegram", "base_file_url")
        # Telegram's own servers deliver webhooks over HTTPS only; a self-hosted Bot API
        # server (base_url set) may deliver them over plain HTTP.
        webhook_url = self.url(
            table,
            "telegram",
            "webhook_url",
            https_only=_HTTPS_ONLY if base_url is None else None,
        )
        webhook = mode is Mode.WEBHOOK
        if webhook and "webhook_url" not in table:
            self.missing("telegram.webhook_url", 'required when mode = "webhook"')
        port = self.port(table, "webhook_port")
        webhook_secret = self.secret(
            table,
            "telegram",
            "webhook_secret",
            WEBHOOK_SECRET_ENV,
            self.env,
            pattern=_WEBHOOK_SECRET,
            required=webhook,
            missing=(
                "webhook mode needs it so that forged updates are refused; set it here "
                f"or in the {WEBHOOK_SECRET_ENV} environment variable"
            ),
            expected='expected 1 to 256 characters, each a letter, digit, "_" or "-"',
        )
        local_mode = self.boolean(table, "telegram", "local_mode", default=False)
        if local_mode and base_url is None:
            self.errors.append(
                "telegram.local_mode: needs base_url (the self-hosted Bot API server)"
            )
        if token is None or mode is None or port is None:
            return None
        return TelegramSettings(
            token=token,
            mode=mode,
            base_url=base_url,
            base_file_url=base_file_url,
            webhook_url=webhook_url,
            webhook_port=port,
            webhook_secret=webhook_secret,
            local_mode=local_mode,
        )

    def agency(self, data: Mapping[str, Any]) -> AgencySettings | None:
        table = self.table(data, "agency", required=True)
        if table is None:
            return None
        self.unknown_keys(table, "agency", _AGENCY_KEYS)
        before = len(self.errors)
        agency_id = self.slug(table, "agency", "id") or "default"
        region = self.string(table, "agency", "region", required=True)
        name = self.string(table, "agency", "name", required=True)
        short_name = self.string(table, "agency", "short_name")
        if short_name is not None and not _SHORT_NAME.fullmatch(short_name):
            self.fail(
                "agency.short_name",
                "expected letters and digits only (it becomes part of file names), "
                f"got {show(short_name)}",
            )
        address = self.string(table, "agency", "address") or ""
        city = self.string(table, "agency", "city", required=True)
        timezone = self.timezone(table, "agency")
        logo = self.existing_file(table, "agency", "logo")
        contact = self.string(table, "agency", "contact") or ""
        if len(contact) > CONTACT_MAX or "\n" in contact:
            self.fail(
                "agency.contact",
                f"expected one line of at most {CONTACT_MAX} characters (it ends the alert "
                f"a stranger sees), got {len(contact)} characters",
            )
        if len(self.errors) > before or not (region and name and city and timezone):
            return None
        return AgencySettings(
            region=region,
            name=name,
            short_name=short_name or _derive_short_name(name, agency_id),
            city=city,
            timezone=timezone,
            id=agency_id,
            address=address,
            logo=logo,
            contact=contact,
        )

    def officers(self, data: Mapping[str, Any], language: Language) -> tuple[Officer, ...] | None:
        items = self.table_list(data, "officers", required=True)
        if items is None:
            return None
        before = len(self.errors)
        seen = [self.one_officer(table, where, language) for where, table in items]
        self.officer_keys = list(dict.fromkeys(s.key for s in seen if s.key is not None))
        self.check_unique(seen)
        self.check_leaders(seen)
        self.check_superiors(seen)
        # Report block by block, as the reader goes through the file.
        self.errors[before:] = sorted(self.errors[before:], key=_block_index)
        officers = tuple(s.officer for s in seen if s.officer is not None)
        return officers if len(officers) == len(items) else None

    def one_officer(self, table: Mapping[str, Any], where: str, language: Language) -> _Seen:
        before = len(self.errors)
        self.unknown_keys(table, where, _OFFICER_KEYS, _OFFICER_HINTS)
        written = table.get("key")
        if isinstance(written, str):
            self.written_keys.add(written.strip())
        key = self.slug(table, where, "key", required=True)
        name = self.string(table, where, "name", required=True)
        role = self.role(table, where)
        jabatan = self.string(table, where, "jabatan", required=True)
        # Judge the NIP requirement by the role as written, even a misspelt one.
        written_role = table.get("role")
        signs = isinstance(written_role, str) and written_role.strip() in self.roles_requiring_nip
        why = f'required for role "{_str(written_role)}": its holder initials or signs'
        nip = self.nip(table, where, required_because=why if signs else None)
        pangkat = self.string(table, where, "pangkat")
        if signs and pangkat is None and isinstance(table.get("pangkat", ""), str):
            self.missing(f"{where}.pangkat", why)
        leader = self.boolean(table, where, "leader", default=False)
        telegram_id = self.positive_int(table, where, "telegram_id")
        superior = self.string(table, where, "superior")
        own_language = self.choice(table, where, "language", Language, language)
        seen = _Seen(
            where=where,
            key=key,
            role=role,
            leader=leader,
            telegram_id=telegram_id,
            superior=superior,
            nip=nip,
        )
        if len(self.errors) == before and key and name and role and jabatan and own_language:
            seen.officer = Officer(
                key=key,
                name=name,
                role=role,
                jabatan=jabatan,
                nip=nip,
                pangkat=pangkat,
                leader=leader,
                telegram_id=telegram_id,
                superior=superior,
                language=own_language,
            )
        return seen

    def check_unique(self, seen: Sequence[_Seen]) -> None:
        keys: dict[str, str] = {}
        ids: dict[int, str] = {}
        nips: dict[str, str] = {}
        for s in seen:
            if s.key is not None:
                if s.key in keys:
                    self.fail(
                        f"{s.where}.key", f'duplicate key "{s.key}" (first used in {keys[s.key]})'
                    )
                    s.officer = None
                else:
                    keys[s.key] = s.where
            if s.telegram_id is not None:
                if s.telegram_id in ids:
                    self.fail(
                        f"{s.where}.telegram_id",
                        f"duplicate id {s.telegram_id} (first used in {ids[s.telegram_id]})",
                    )
                else:
                    ids[s.telegram_id] = s.where
            if s.nip is not None:
                if s.nip in nips:
                    self.fail(f"{s.where}.nip", f"duplicate NIP (first used in {nips[s.nip]})")
                else:
                    nips[s.nip] = s.where

    def check_leaders(self, seen: Sequence[_Seen]) -> None:
        leaders: dict[str, str] = {}
        for s in seen:
            if not s.leader or s.role is None:
                continue
            if s.role in leaders:
                self.fail(
                    f"{s.where}.leader",
                    f'role "{s.role}" already has a leader ({leaders[s.role]}); '
                    "mark only one officer per role as leader",
                )
            else:
                leaders[s.role] = s.where

    def check_superiors(self, seen: Sequence[_Seen]) -> None:
        valid = {s.key: s for s in seen if s.key is not None}
        for s in seen:
            if s.superior is None:
                continue
            path = f"{s.where}.superior"
            if s.superior == s.key:
                self.fail(path, "an officer cannot be their own superior")
                s.superior = None
            elif s.superior not in valid:
                if s.superior not in self.written_keys:
                    self.fail(path, f'unknown officer "{s.superior}"{suggest(s.superior, valid)}')
                s.superior = None
        reported: set[str] = set()
        for s in seen:
            chain = [s.key]
            current = s
            while current.superior is not None and current.superior not in chain:
                chain.append(current.superior)
                current = valid[current.superior]
            closes_on_itself = current.superior is not None and current.superior == s.key
            if closes_on_itself and s.key not in reported:
                reported.update(str(k) for k in chain)
                loop = " -> ".join(str(k) for k in [*chain, s.key])
                self.fail(f"{s.where}.superior", f"the chain of superiors loops: {loop}")

    def admins(self, data: Mapping[str, Any]) -> tuple[str, ...] | None:
        items = self.string_list(data, "admins")
        if items is None:
            return None
        admins: list[str] = []
        known = self.officer_keys
        for where, key in items:
            if known is not None and key in known:
                if key not in admins:
                    admins.append(key)
            elif known is not None and key not in self.written_keys:
                self.fail(where, f'unknown officer "{key}"{suggest(key, known)}')
        return tuple(admins)

    def admin_telegram_ids(self, data: Mapping[str, Any]) -> tuple[int, ...] | None:
        raw = data.get("admin_telegram_ids", MISSING)
        if raw is MISSING:
            return ()
        if not isinstance(raw, list):
            self.fail("admin_telegram_ids", f"expected a list of Telegram ids, got {show(raw)}")
            return None
        before = len(self.errors)
        ids: list[int] = []
        for index, value in enumerate(raw):
            number = self.positive_int_value(value, f"admin_telegram_ids[{index}]")
            if number is not None and number not in ids:
                ids.append(number)
        return tuple(ids) if len(self.errors) == before else None

    def recipients(self, data: Mapping[str, Any]) -> tuple[Recipient, ...] | None:
        items = self.table_list(data, "recipients", required=False)
        if items is None:
            return None
        before = len(self.errors)
        recipients: list[Recipient] = []
        names: dict[str, str] = {}
        for where, table in items:
            self.unknown_keys(table, where, _RECIPIENT_KEYS)
            name = self.string(table, where, "name", required=True)
            channel = self.choice(table, where, "channel", Channel, None)
            address = self.string(table, where, "address")
            if channel is Channel.EMAIL and address is not None and not _EMAIL.fullmatch(address):
                self.fail(
                    f"{where}.address",
                    f'expected an e-mail address for channel "email", got {show(address)}',
                )
            if name is not None:
                if name in names:
                    self.fail(
                        f"{where}.name", f'duplicate name "{name}" (first used in {names[name]})'
                    )
                else:
                    names[name] = where
            if name is not None and channel is not None:
                recipients.append(Recipient(name=name, channel=channel, address=address))
        return tuple(recipients) if len(self.errors) == before else None

    def storage(self, data: Mapping[str, Any]) -> StoragePaths | None:
        table = self.table(data, "storage", required=False)
        if table is None:
            table = {}
        self.unknown_keys(table, "storage", _STORAGE_KEYS)
        paths = {
            key: self.path(table, "storage", key, default)
            for key, default in _STORAGE_DEFAULTS.items()
        }
        database, files, output, backups = paths.values()
        retention = DEFAULT_OUTBOX_RETENTION_DAYS
        if "outbox_retention_days" in table:
            retention = self.positive_int(table, "storage", "outbox_retention_days") or 0
        if database is None or files is None or output is None or backups is None:
            return None
        if not retention:
            return None
        return StoragePaths(
            database=database,
            files=files,
            output=output,
            backups=backups,
            outbox_retention_days=retention,
        )

    def sops(self, data: Mapping[str, Any]) -> tuple[Path, ...] | None:
        if "sops" not in data:
            if not DEFAULT_SOP.is_file():
                self.fail("sops", f"the SOP shipped with the bot is missing: {DEFAULT_SOP}")
                return None
            return (DEFAULT_SOP,)
        items = self.string_list(data, "sops")
        if items is None:
            return None
        if not items:
            self.fail("sops", "expected at least one SOP file, got an empty list")
            return None
        before = len(self.errors)
        paths: dict[Path, str] = {}
        for where, text in items:
            path = self.resolve(text)
            if path in paths:
                self.fail(where, f"listed twice (first in {paths[path]})")
            elif not path.is_file():
                self.fail(where, f"file not found: {path}")
            paths.setdefault(path, where)
        return tuple(paths) if len(self.errors) == before else None

    def pass_through(self, data: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        return read_only(self.table(data, name, required=False))

    # ----------------------------------------------------------------- field readers

    def unknown_keys(
        self,
        table: Mapping[str, Any],
        where: str,
        allowed: Sequence[str],
        hints: Mapping[str, str] | None = None,
    ) -> None:
        """The shared complaint, but first the slips only this file's own tables invite."""
        for key in table:
            if key in allowed:
                continue
            path = join(where, key)
            if hints and key in hints:
                self.fail(path, hints[key])
            elif not where and key in _HOME_TABLE:
                home = _HOME_TABLE[key]
                self.fail(path, f"unknown top-level key; '{key}' belongs in {home}")
                self.misspelt.add(f"{home.strip('[]')}.{key}")
            elif where and key in _TOP_LEVEL_KEYS:
                # TOML puts every key after a [table] header into that table.
                self.fail(
                    path,
                    f"unknown key here; '{key}' is a top-level setting and must come "
                    "before the first [table] or [[table]] header in the file",
                )
            else:
                self.unknown_key(where, key, allowed)

    def role(self, table: Mapping[str, Any], where: str) -> str | None:
        role = self.slug(table, where, "role", required=True)
        if role is None or self.known_roles is None or role in self.known_roles:
            return role
        suggestion = suggest(role, self.known_roles)
        known = ", ".join(sorted(self.known_roles))
        self.fail(
            f"{where}.role",
            f'unknown role "{role}"' + (suggestion or f" (the SOP roles are: {known})"),
        )
        return None

    def nip(
        self, table: Mapping[str, Any], where: str, *, required_because: str | None
    ) -> str | None:
        path = f"{where}.nip"
        value = table.get("nip", MISSING)
        if value is MISSING or (isinstance(value, str) and not value.strip()):
            if required_because:
                self.missing(path, required_because)
            return None
        # An unquoted NIP is a valid TOML integer; accept it rather than nag.
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            digits = re.sub(r"\s+", "", str(value))
            if _NIP.fullmatch(digits):
                return digits
        self.fail(path, f"expected 18 digits, got {show(value)}")
        return None

    def port(self, table: Mapping[str, Any], key: str) -> int | None:
        value = table.get(key, 8443)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535:
            return value
        self.fail(f"telegram.{key}", f"expected a whole number from 1 to 65535, got {show(value)}")
        return None

    def resolve(self, text: str) -> Path:
        path = Path(text).expanduser()
        return Path(os.path.abspath(self.base_dir / path))

    def path(self, table: Mapping[str, Any], where: str, key: str, default: str) -> Path | None:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(join(where, key), f"expected a path (a non-empty string), got {show(value)}")
            return None
        return self.resolve(value.strip())

    def existing_file(self, table: Mapping[str, Any], where: str, key: str) -> Path | None:
        text = self.string(table, where, key)
        if text is None:
            return None
        path = self.resolve(text)
        if not path.is_file():
            self.fail(join(where, key), f"file not found: {path}")
            return None
        return path


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
