"""The README's configuration reference and the code agree, key for key.

"Known" is what the code accepts, found without a hand-kept list: each section is probed
through the validator that owns it (`bot.config.parse_config` for the core tables, the
feature modules' own validators for the pass-through tables). A probe sets one key and
looks for the validator's "unknown key" complaint at exactly that key's path. The keys a
validator knows are read from its own complaint about a key that cannot exist (they list
what they expect); where a complaint lists nothing, the candidates are the identifier-like
strings in the validator's source, `config.example.toml`'s keys (commented-out ones
included) and the README's own keys, each probed.

So a key documented but unknown fails (a typo in the README, a key removed from the
code), and so does a key known but undocumented (a new setting nobody wrote down).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
import inspect
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from bot.config import PROJECT_ROOT, Config, ConfigError, parse_config
from bot.core.acting import letters_from_mapping
from bot.core.calendar_settings import CalendarSettings
from bot.core.reminders import ReminderPolicy
from bot.core.sop_loader import load_sops
from bot.documents import document_settings
from bot.services.backup_settings import BackupSettings
from bot.services.digest import DigestSettings
from bot.services.invites import InvitePolicy

README = PROJECT_ROOT / "README.md"
EXAMPLE = PROJECT_ROOT / "config.example.toml"
SOP = PROJECT_ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
TOKEN = "123456789:" + "A" * 35  # shaped like a token; never sent anywhere
IMPOSSIBLE = "zz_no_such_key"
UNKNOWN_KEY = ("unknown key", "unknown top-level key", "not supported")
LISTING = re.compile(r"expected one of:\s*([a-z_, -]+)")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")

Errors = Callable[[dict[str, Any]], list[str]]


# -- the README ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    path: str  # "" (top level), "telegram", "calendar.office_hours"
    array: bool  # [[...]]: an array of tables
    keys: tuple[str, ...]  # as documented; "<role>" marks a table of free-form keys

    @property
    def free_form(self) -> bool:
        return any(key.startswith("<") for key in self.keys)


@cache
def reference() -> dict[str, Section]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Configuration reference")
    end = text.index("\n## ", start + 1)
    sections: dict[str, Section] = {}
    path: str | None = None
    array = False
    keys: list[str] = []

    def close() -> None:
        if path is not None:
            sections[path] = Section(path, array, tuple(keys))

    for line in text[start:end].splitlines():
        if line.startswith("### "):
            close()
            heading = re.search(r"`(\[\[?)([a-z_.]+)\]\]?`", line)
            path = heading.group(2) if heading else ""
            array = bool(heading and heading.group(1) == "[[")
            keys = []
        elif line.startswith("| `") and path is not None:
            key = re.match(r"\| `([^`]+)`", line)
            assert key is not None
            keys.append(key.group(1))
    close()
    return sections


# -- config.example.toml -------------------------------------------------------------------


@cache
def example_keys() -> dict[str, set[str]]:
    """Section path -> keys written in the example, active or commented out."""
    found: dict[str, set[str]] = {"": set()}
    section = ""
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^(?:# )?\[\[?([a-z_.]+)\]\]?\s*(?:#.*)?$", line)
        if header:
            section = header.group(1)
            found.setdefault(section, set())
            continue
        key = re.match(r"^#?\s?([a-z_]+)\s*=\s*\S", line)
        if key:
            found[section].add(key.group(1))
    return found


# -- the code ------------------------------------------------------------------------------


@cache
def base() -> dict[str, Any]:
    """The example config made complete (a token, the SOP's absolute path): it validates."""
    data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["telegram"]["token"] = TOKEN
    data["sops"] = [str(SOP)]
    return data


def core_errors(data: dict[str, Any]) -> list[str]:
    try:
        parse_config(data, env={}, source=str(EXAMPLE), base_dir=PROJECT_ROOT)
    except ConfigError as exc:
        return exc.errors
    return []


def documents_errors(table: dict[str, Any]) -> list[str]:
    config = parse_config({**base(), "documents": table}, env={}, base_dir=PROJECT_ROOT)
    return document_settings(config, load_sops([SOP]))[2]


def officer_keys() -> set[str]:
    return {officer["key"] for officer in base()["officers"]}


# Each pass-through table's validator, and the code whose source names its keys.
PASS_THROUGH: dict[str, tuple[Errors, Callable[..., Any]]] = {
    "calendar": (
        lambda t: CalendarSettings.from_mapping(t, timezone="Asia/Jakarta")[1],
        CalendarSettings.from_mapping,
    ),
    "reminders": (lambda t: ReminderPolicy.from_mapping(t)[1], ReminderPolicy.from_mapping),
    "digest": (
        lambda t: DigestSettings.from_mapping(t, officer_keys())[1],
        DigestSettings.from_mapping,
    ),
    "documents": (documents_errors, document_settings),
    "invites": (lambda t: InvitePolicy.from_mapping(t)[1], InvitePolicy.from_mapping),
    "backup": (lambda t: BackupSettings.from_mapping(t)[1], BackupSettings.from_mapping),
    "acting": (lambda t: letters_from_mapping(t)[1], letters_from_mapping),
}


def _where(section: Section, key: str) -> str:
    """The path a validator names in its complaints: officers[0].key, calendar.ramadan[0].x."""
    if not section.path:
        return key
    return f"{section.path}{'[0]' if section.array else ''}.{key}"


def _errors_with(section: Section, key: str, value: Any) -> list[str]:
    """The complaints when `key` (with `value`) is set in `section` of a valid config."""
    root, *rest = section.path.split(".") if section.path else [""]
    if root in PASS_THROUGH:
        errors, _ = PASS_THROUGH[root]
        table: dict[str, Any] = {}
        inner = table
        for part in rest:
            inner[part] = {} if not (section.array and part == rest[-1]) else [{}]
            inner = inner[part] if isinstance(inner[part], dict) else inner[part][0]
        inner[key] = value
        return errors(table)
    data = copy.deepcopy(base())
    if not root:
        data[key] = value
    elif section.array:
        data[root][0][key] = value
    else:
        data.setdefault(root, {})[key] = value
    return core_errors(data)


def complaints(section: Section, key: str, value: Any = "x") -> list[str]:
    where = _where(section, key)
    return [
        e
        for e in _errors_with(section, key, value)
        if e.startswith(f"{where}:") and any(phrase in e for phrase in UNKNOWN_KEY)
    ]


def is_known(section: Section, key: str) -> bool:
    return not complaints(section, key)


def _source_strings(code: Callable[..., Any]) -> set[str]:
    """Identifier-like string constants of the module defining `code` (key candidates)."""
    module = inspect.getmodule(code)
    assert module is not None
    tree = ast.parse(inspect.getsource(module))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and IDENTIFIER.match(node.value)
    }


def known_keys(section: Section) -> set[str]:
    listed: set[str] = set()
    for complaint in complaints(section, IMPOSSIBLE):
        match = LISTING.search(complaint)
        if match:
            listed |= {k.strip() for k in match.group(1).split(",") if k.strip()}
    root = section.path.split(".")[0]
    candidates = set(listed) | example_keys().get(section.path, set())
    candidates |= {k for k in section.keys if not k.startswith("<")}
    if root in PASS_THROUGH:  # a complaint may list only part (documents.data_role)
        candidates |= _source_strings(PASS_THROUGH[root][1])
    return {key for key in candidates if key != IMPOSSIBLE and is_known(section, key)}


# -- the tests -----------------------------------------------------------------------------


def test_the_probes_start_from_a_valid_config() -> None:
    assert core_errors(copy.deepcopy(base())) == []
    for name, (errors, _) in PASS_THROUGH.items():
        assert errors({}) == [], name


def test_the_probes_tell_a_known_key_from_an_unknown_one() -> None:
    telegram = reference()["telegram"]
    assert is_known(telegram, "token")
    assert not is_known(telegram, "tokn")
    ramadan = reference()["calendar.ramadan"]
    assert ramadan.array and is_known(ramadan, "start") and not is_known(ramadan, "begin")


def test_every_pass_through_table_of_the_loader_is_probed_here() -> None:
    tables = {f.name for f in dataclasses.fields(Config) if str(f.type).startswith("Mapping")}
    assert tables == set(PASS_THROUGH)


def test_every_table_the_loader_knows_has_a_section() -> None:
    top = reference()[""]
    tables = known_keys(top) - set(top.keys)
    assert tables, "the top level's complaint lists the tables too"
    assert sorted(t for t in tables if t not in reference()) == []


@pytest.mark.parametrize("path", sorted(reference()))
def test_every_documented_key_is_known(path: str) -> None:
    section = reference()[path]
    unknown = [k for k in section.keys if not k.startswith("<") and not is_known(section, k)]
    assert unknown == [], f"documented in README [{path}] but refused by the code"


@pytest.mark.parametrize("path", sorted(reference()))
def test_every_known_key_is_documented(path: str) -> None:
    section = reference()[path]
    if section.free_form:
        # A table of free-form keys (role names, band labels): nothing may be refused.
        assert is_known(section, IMPOSSIBLE)
        return
    children = {p.rpartition(".")[2] for p in reference() if p and p.rpartition(".")[0] == path}
    known = known_keys(section)
    missing = sorted(k for k in known if k not in section.keys and k not in children)
    assert missing == [], f"accepted by the code but missing from README [{path}]"


def test_every_key_of_the_example_is_documented() -> None:
    sections = reference()
    missing = [
        f"{path}.{key}" if path else key
        for path, keys in example_keys().items()
        for key in sorted(keys)
        if path not in sections
        or (key not in sections[path].keys and not _free_form(sections[path].keys))
    ]
    assert missing == []


def _free_form(keys: tuple[str, ...]) -> bool:
    """A table of free-form keys ("<role> = ...", "<label> = ...") documents any key."""
    return any(k.startswith("<") for k in keys)


def test_the_sections_mirror_the_example_tables() -> None:
    in_example = {path for path in example_keys() if path}
    assert in_example <= set(reference())
    assert all(isinstance(reference()[p], Section) for p in in_example)
    assert isinstance(base()["officers"], list) and reference()["officers"].array
    assert isinstance(base()["recipients"], list) and reference()["recipients"].array
    assert isinstance(base()["storage"], Mapping) and not reference()["storage"].array
