"""A valid config as tomllib returns it, and the mistakes an operator makes in it.

tests/unit/test_config.py pins one exact message per mistake; tests/security counts them.
"""

from __future__ import annotations

import tomllib
from typing import Any

from bot.config import Config, parse_config
from tests.support.paths import SOP_PATH

SOP_ROLES = frozenset(tomllib.loads(SOP_PATH.read_text(encoding="utf-8"))["roles"])
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def valid() -> dict[str, Any]:
    """The smallest sensible config, as tomllib would return it."""
    return {
        "admins": ["kasubag"],
        "telegram": {"token": TOKEN},
        "agency": {
            "region": "Pemerintah Kabupaten Contoh",
            "name": "Dinas Pendidikan",
            "city": "Contoh",
            "timezone": "Asia/Makassar",
        },
        "officers": [
            {
                "key": "kadin",
                "name": "Dr. H. Ahmad Santoso, M.Pd.",
                "nip": "19680512 199303 1 004",
                "pangkat": "Pembina Utama Muda, IV/c",
                "jabatan": "Kepala Dinas Pendidikan",
                "role": "kadin",
                "telegram_id": 1001,
            },
            {
                "key": "kabid_sd",
                "name": "Endang Lestari, S.Pd.",
                "nip": "197611052000032003",
                "pangkat": "Pembina, IV/a",
                "jabatan": "Kepala Bidang Pembinaan SD",
                "role": "kabid",
                "superior": "kadin",
                "telegram_id": 1002,
            },
            {
                "key": "kabid_paud",
                "name": "Drs. Bambang Hermawan",
                "nip": "197003141995121002",
                "pangkat": "Pembina, IV/a",
                "jabatan": "Kepala Bidang Pembinaan PAUD",
                "role": "kabid",
                "superior": "kadin",
            },
            {
                "key": "kasubag",
                "name": "Rina Marlina, S.Sos.",
                "jabatan": "Kepala Sub Bagian Perencanaan",
                "role": "kasubag",
                "telegram_id": 1004,
            },
            {
                "key": "staf_agus",
                "name": "Agus Setiawan",
                "jabatan": "Tenaga Honorer",
                "role": "staf",
                "language": "en",
            },
            {
                "key": "sakip_ketua",
                "name": "Hendra Gunawan, S.T.",
                "jabatan": "Ketua Tim SAKIP",
                "role": "tim_sakip",
                "leader": True,
            },
            {
                "key": "sakip_anggota",
                "name": "Maya Anggraini, S.E.",
                "jabatan": "Anggota Tim SAKIP",
                "role": "tim_sakip",
            },
        ],
        "recipients": [
            {"name": "Bupati Contoh", "channel": "hardcopy"},
            {"name": "Bappeda", "channel": "email", "address": "bappeda@contohkab.example"},
        ],
    }


def parse(data: dict[str, Any], env: dict[str, str] | None = None, **kwargs: Any) -> Config:
    return parse_config(data, {} if env is None else env, known_roles=SOP_ROLES, **kwargs)


# -- one mistake at a time: (name, how to make it, the one message it gives) --------------


def _set(path: tuple[Any, ...], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


MISTAKES = [
    (
        "nip too short",
        _set(("officers", 2, "nip"), "1975"),
        'officers[2].nip: expected 18 digits, got "1975"',
    ),
    (
        "nip with letters",
        _set(("officers", 0, "nip"), "19680512 199303 1 00A"),
        'officers[0].nip: expected 18 digits, got "19680512 199303 1 00A"',
    ),
    (
        "nip missing for a role that signs",
        _delete(("officers", 0, "nip")),
        'officers[0].nip: missing (required for role "kadin": its holder initials or signs)',
    ),
    (
        "pangkat missing for a role that initials",
        _delete(("officers", 1, "pangkat")),
        'officers[1].pangkat: missing (required for role "kabid": its holder initials or signs)',
    ),
    (
        "timezone of the wrong type",
        _set(("agency", "timezone"), 7),
        "agency.timezone: expected a string, got 7",
    ),
    (
        "unknown time zone",
        _set(("agency", "timezone"), "Asia/Jakrta"),
        "agency.timezone: unknown time zone \"Asia/Jakrta\"; did you mean 'Asia/Jakarta'?",
    ),
    (
        "time zone written as its abbreviation",
        _set(("agency", "timezone"), "WITA"),
        "agency.timezone: unknown time zone \"WITA\"; did you mean 'Asia/Makassar'?",
    ),
    (
        "the server's own zone",
        _set(("agency", "timezone"), "localtime"),
        'agency.timezone: unknown time zone "localtime" '
        "(in Indonesia: Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
    ),
    (
        "admins written as a single string",
        _set(("admins",), "kasubag"),
        'admins: expected a list, got "kasubag" (write admins = ["kasubag"])',
    ),
    (
        "token of the wrong type",
        _set(("telegram", "token"), 123456789),
        "telegram.token: expected a string, got a number (the value is not shown)",
    ),
    (
        "missing time zone",
        _delete(("agency", "timezone")),
        'agency.timezone: missing (e.g. "Asia/Jakarta" for WIB, "Asia/Makassar" for WITA, '
        '"Asia/Jayapura" for WIT)',
    ),
    (
        "telegram id not a number",
        _set(("officers", 1, "telegram_id"), "abc"),
        'officers[1].telegram_id: expected a positive integer, got "abc"',
    ),
    (
        "telegram id quoted",
        _set(("officers", 1, "telegram_id"), "1002"),
        'officers[1].telegram_id: expected a positive integer, got "1002" '
        "(write it without quotes)",
    ),
    (
        "telegram id negative (a group)",
        _set(("officers", 1, "telegram_id"), -100123),
        "officers[1].telegram_id: expected a positive integer, got -100123",
    ),
    (
        "duplicate officer key",
        _set(("officers", 4, "key"), "kabid_sd"),
        'officers[4].key: duplicate key "kabid_sd" (first used in officers[1])',
    ),
    (
        "duplicate telegram id",
        _set(("officers", 3, "telegram_id"), 1001),
        "officers[3].telegram_id: duplicate id 1001 (first used in officers[0])",
    ),
    (
        "duplicate NIP",
        _set(("officers", 2, "nip"), "197611052000032003"),
        "officers[2].nip: duplicate NIP (first used in officers[1])",
    ),
    (
        "admin who is not an officer",
        _set(("admins",), ["kasubag", "xyz"]),
        'admins[1]: unknown officer "xyz"',
    ),
    (
        "admin misspelt",
        _set(("admins",), ["kasubg"]),
        "admins[0]: unknown officer \"kasubg\"; did you mean 'kasubag'?",
    ),
    (
        "no admin at all",
        _delete(("admins",)),
        "admins: missing (name at least one officer key, "
        "or set admin_telegram_ids, so that someone can manage the bot)",
    ),
    (
        "bad admin telegram id",
        _set(("admin_telegram_ids",), [5555, "abc"]),
        'admin_telegram_ids[1]: expected a positive integer, got "abc"',
    ),
    ("missing agency name", _delete(("agency", "name")), "agency.name: missing"),
    (
        "empty agency name",
        _set(("agency", "name"), "  "),
        'agency.name: expected a non-empty string, got ""',
    ),
    ("missing agency section", _delete(("agency",)), "agency: missing (add the [agency] table)"),
    (
        "missing officers",
        _delete(("officers",)),
        "officers: missing (add one [[officers]] block per entry)",
    ),
    (
        "officers written as a table",
        _set(("officers",), {"key": "kadin"}),
        "officers: expected [[officers]] blocks, got a table",
    ),
    (
        "two leaders of one role",
        _set(("officers", 6, "leader"), True),
        'officers[6].leader: role "tim_sakip" already has a leader (officers[5]); '
        "mark only one officer per role as leader",
    ),
    (
        "leader not a boolean",
        _set(("officers", 6, "leader"), "yes"),
        'officers[6].leader: expected true or false, got "yes"',
    ),
    (
        "bad mode",
        _set(("telegram", "mode"), "hook"),
        'telegram.mode: expected "polling" or "webhook", got "hook"',
    ),
    (
        "bad language",
        _set(("language",), "jv"),
        'language: expected "id" or "en", got "jv"',
    ),
    (
        "bad officer language",
        _set(("officers", 4, "language"), "fr"),
        'officers[4].language: expected "id" or "en", got "fr"',
    ),
    (
        "unknown role",
        _set(("officers", 1, "role"), "kabit"),
        "officers[1].role: unknown role \"kabit\"; did you mean 'kabid'?",
    ),
    (
        "unknown role, nothing close",
        _set(("officers", 4, "role"), "pramubakti"),
        'officers[4].role: unknown role "pramubakti" (the SOP roles are: kabid, kadin, '
        "kasubag, sekretaris, staf, tim_sakip)",
    ),
    (
        "officer key not a slug",
        _set(("officers", 4, "key"), "Staf Agus"),
        'officers[4].key: expected a short key of lowercase letters, digits and "_", '
        'starting with a letter, got "Staf Agus"',
    ),
    (
        "misspelt key in a table",
        _set(("agency", "timezon"), "Asia/Jakarta"),
        "agency.timezon: unknown key; did you mean 'timezone'?",
    ),
    (
        "unknown key, nothing close",
        _set(("storage",), {"cache": "data/cache"}),
        "storage.cache: unknown key (expected one of: database, files, output, backups, "
        "outbox_retention_days)",
    ),
    (
        "unknown top-level key",
        _set(("langauge",), "id"),
        "langauge: unknown key; did you mean 'language'?",
    ),
    (
        "a field at the top level",
        _set(("timezone",), "Asia/Jakarta"),
        "timezone: unknown top-level key; 'timezone' belongs in [agency]",
    ),
    (
        "a top-level key written after a table header",
        _set(("officers", 6, "admins"), ["kadin"]),
        "officers[6].admins: unknown key here; 'admins' is a top-level setting and must "
        "come before the first [table] or [[table]] header in the file",
    ),
    (
        "username instead of telegram id",
        _set(("officers", 3, "username"), "@rina"),
        "officers[3].username: not supported: a bot cannot message a username, and usernames "
        "change hands; set telegram_id (the numeric Telegram id) or leave it out and let the "
        "officer register",
    ),
    (
        "unknown superior",
        _set(("officers", 1, "superior"), "kadinn"),
        "officers[1].superior: unknown officer \"kadinn\"; did you mean 'kadin'?",
    ),
    (
        "own superior",
        _set(("officers", 1, "superior"), "kabid_sd"),
        "officers[1].superior: an officer cannot be their own superior",
    ),
    (
        "superiors in a loop",
        _set(("officers", 0, "superior"), "kabid_sd"),
        "officers[0].superior: the chain of superiors loops: kadin -> kabid_sd -> kadin",
    ),
    (
        "bad recipient channel",
        _set(("recipients", 0, "channel"), "fax"),
        'recipients[0].channel: expected one of "hardcopy", "email", "e-office", got "fax"',
    ),
    (
        "missing recipient channel",
        _delete(("recipients", 1, "channel")),
        'recipients[1].channel: missing (expected one of "hardcopy", "email", "e-office")',
    ),
    (
        "bad recipient e-mail",
        _set(("recipients", 1, "address"), "bappeda"),
        'recipients[1].address: expected an e-mail address for channel "email", got "bappeda"',
    ),
    (
        "duplicate recipient",
        _set(("recipients", 1), {"name": "Bupati Contoh", "channel": "e-office"}),
        'recipients[1].name: duplicate name "Bupati Contoh" (first used in recipients[0])',
    ),
    (
        "short name with punctuation",
        _set(("agency", "short_name"), "Dinas-Pend"),
        "agency.short_name: expected letters and digits only (it becomes part of file names), "
        'got "Dinas-Pend"',
    ),
    (
        "webhook without a url",
        _set(("telegram",), {"token": TOKEN, "mode": "webhook", "webhook_secret": "abc"}),
        'telegram.webhook_url: missing (required when mode = "webhook")',
    ),
    (
        "webhook port out of range",
        _set(("telegram", "webhook_port"), 70000),
        "telegram.webhook_port: expected a whole number from 1 to 65535, got 70000",
    ),
    (
        "webhook url over plain http",
        _set(("telegram", "webhook_url"), "http://bot.example/hook"),
        "telegram.webhook_url: expected an https:// URL (Telegram delivers webhooks over "
        'HTTPS only), got "http://bot.example/hook"',
    ),
    (
        "base url not a url",
        _set(("telegram", "base_url"), "localhost:8081"),
        'telegram.base_url: expected an http:// or https:// URL, got "localhost:8081"',
    ),
    (
        "pass-through section not a table",
        _set(("calendar",), "Senin-Jumat"),
        'calendar: expected a [calendar] table, got "Senin-Jumat"',
    ),
    (
        "empty sops list",
        _set(("sops",), []),
        "sops: expected at least one SOP file, got an empty list",
    ),
]
