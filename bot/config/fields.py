"""Field validators shared by every table of `config.toml`, whichever module owns the table.

The file is edited by agency staff, one table per feature, and each table is read by the
module that uses it. Without one set of rules the same slip was judged and worded
differently from table to table (a time refused in `[backup]` but read in `[digest]`, an
unknown key worded five ways). Two levels live here:

- Value rules (`boolean`, `whole_number`, `local_time`, `zone_named`, `is_slug`,
  `http_url`, `closest`): a value in, the typed value out or None. Every table applies
  the same rule; the owner may word its own complaint.
- `Fields`, a reader that takes a value out of a table by key path, applies a rule and
  collects one message per mistake (`"agency.timezone: unknown time zone ..."`), so that
  every mistake in a file is reported at once. The one wording of an unknown key and of
  a local time is here, and every table uses it.

Values are shown the way the user wrote them in TOML (`show`), never as Python reprs.
"""

from __future__ import annotations

import difflib
import enum
import json
import re
from collections.abc import Collection, Mapping, Sequence
from datetime import time
from typing import Any, Final, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.config.model import Secret

__all__ = [
    "INDONESIAN_TIMEZONES",
    "MISSING",
    "SLUG_EXPECTED",
    "Fields",
    "boolean",
    "closest",
    "http_url",
    "is_slug",
    "join",
    "kind",
    "local_time",
    "options",
    "show",
    "suggest",
    "whole_number",
    "zone_named",
]

MISSING: Final = object()
"""What `table.get(key, MISSING)` returns for a key left out (None is no TOML value)."""

SLUG_EXPECTED: Final = (
    'expected a short key of lowercase letters, digits and "_", starting with a letter'
)
INDONESIAN_TIMEZONES: Final = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")

_SLUG: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")
_LOCAL_TIME: Final = re.compile(r"(\d{1,2}):(\d{2})")
_ZONE_ABBREVIATIONS: Final = {
    "WIB": "Asia/Jakarta",
    "WITA": "Asia/Makassar",
    "WIT": "Asia/Jayapura",
}
# "localtime" is whatever zone the server happens to be set to: not a choice.
_NOT_A_ZONE: Final = frozenset({"localtime", "posixrules", "Factory"})

_E = TypeVar("_E", bound=enum.StrEnum)


# -- value rules ----------------------------------------------------------------------------


def boolean(value: object) -> bool | None:
    """TOML's true or false; None for anything else ("ya", 1)."""
    return value if isinstance(value, bool) else None


def whole_number(value: object, minimum: int, maximum: int | None = None) -> int | None:
    """A TOML integer within the bounds; true/false are not numbers here (Python says they are)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def local_time(value: object) -> time | None:
    """A local time written "HH:MM" (or "H:MM"), 00:00 to 23:59; None for anything else.

    Only the quoted form the documentation shows is read. A TOML time value (07:45:00)
    carries seconds nobody schedules by, and "07.45" is one typo away from "07,45"; a
    second accepted form would only make the file read differently from how it is
    documented.
    """
    if not isinstance(value, str):
        return None
    match = _LOCAL_TIME.fullmatch(value.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA time zone `name`; None for an unknown name or one that is not a real zone."""
    if name in _NOT_A_ZONE:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def is_slug(text: str) -> bool:
    """A short key safe in callback data and file names: "kabid_sd"."""
    return _SLUG.fullmatch(text) is not None


def http_url(text: str) -> tuple[str, str] | None:
    """(scheme, host) of an http:// or https:// URL with a host; None otherwise."""
    try:
        parts = urlsplit(text)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        return None
    if scheme not in ("http", "https") or not host:
        return None
    return scheme, host


def closest(word: str, choices: Collection[str]) -> str | None:
    """The choice `word` was most likely meant to be, if any is close enough."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(word: str, choices: Collection[str]) -> str:
    """ "; did you mean 'x'?" to append to a complaint, or "" when nothing is close."""
    found = closest(word, choices)
    return f"; did you mean '{found}'?" if found else ""


# -- showing values -------------------------------------------------------------------------


def show(value: Any) -> str:
    """A value as the user wrote it in TOML, short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)  # dates and times


def kind(value: Any) -> str:
    """What a value is, without showing it (for credentials)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return "a date or time"


def options(values: Sequence[str]) -> str:
    quoted = [f'"{value}"' for value in values]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return "one of " + ", ".join(quoted)


def join(where: str, key: str) -> str:
    """The key path of `key` in the table at `where` ("" is the top level)."""
    return f"{where}.{key}" if where else key


# -- reading a table ------------------------------------------------------------------------


class Fields:
    """Reads fields out of tables, collecting every mistake instead of stopping at the first.

    Each reader returns the typed value, or None (or the default) when the field is
    absent or wrong; a wrong field adds one line to `errors`.
    """

    def __init__(self, errors: list[str] | None = None) -> None:
        """`errors`: a list to add to, when the caller collects other mistakes too."""
        self.errors: list[str] = [] if errors is None else errors
        # Key paths already reported as misspelt ("agency.timezon" -> "agency.timezone"):
        # the key they stand for is not reported missing as well.
        self.misspelt: set[str] = set()

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def missing(self, path: str, detail: str = "") -> None:
        if path in self.misspelt:
            return  # already reported as "did you mean ...": one mistake, one message
        self.fail(path, f"missing ({detail})" if detail else "missing")

    def unknown_keys(self, table: Mapping[str, Any], where: str, allowed: Sequence[str]) -> None:
        for key in table:
            if key not in allowed:
                self.unknown_key(where, key, allowed)

    def unknown_key(self, where: str, key: str, allowed: Sequence[str]) -> None:
        """The one complaint about a key a table does not have, in every table."""
        path = join(where, key)
        meant = closest(key, allowed)
        if meant:
            self.fail(path, f"unknown key; did you mean '{meant}'?")
            self.misspelt.add(join(where, meant))
        else:
            self.fail(path, f"unknown key (expected one of: {', '.join(allowed)})")

    def table(
        self, data: Mapping[str, Any], key: str, *, required: bool
    ) -> Mapping[str, Any] | None:
        value = data.get(key, MISSING)
        if value is MISSING:
            if required:
                self.missing(key, f"add the [{key}] table")
            return None
        if not isinstance(value, Mapping):
            self.fail(key, f"expected a [{key}] table, got {show(value)}")
            return None
        return value

    def table_list(
        self, data: Mapping[str, Any], key: str, *, required: bool
    ) -> list[tuple[str, Mapping[str, Any]]] | None:
        """The blocks of an array of tables, each with its key path; None if unusable."""
        value = data.get(key, MISSING)
        if value is MISSING:
            if required:
                self.missing(key, f"add one [[{key}]] block per entry")
                return None
            return []
        if not isinstance(value, list):
            self.fail(key, f"expected [[{key}]] blocks, got {show(value)}")
            return None
        if required and not value:
            self.fail(key, f"expected at least one [[{key}]] block, got an empty list")
            return None
        items: list[tuple[str, Mapping[str, Any]]] = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(item, Mapping):
                items.append((where, item))
            else:
                self.fail(where, f"expected a table, got {show(item)}")
        return items if len(items) == len(value) else None

    def string(
        self, table: Mapping[str, Any], where: str, key: str, *, required: bool = False
    ) -> str | None:
        """Stripped text; None when absent or empty (an empty optional field is unset)."""
        path = join(where, key)
        value = table.get(key, MISSING)
        if value is MISSING:
            if required:
                self.missing(path)
            return None
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {show(value)}")
            return None
        text = value.strip()
        if not text and required:
            self.fail(path, 'expected a non-empty string, got ""')
        return text or None

    def string_list(self, data: Mapping[str, Any], key: str) -> list[tuple[str, str]] | None:
        """Items with their key paths; None if the list (or any item) is unusable."""
        value = data.get(key, MISSING)
        if value is MISSING:
            return []
        if isinstance(value, str):
            # The commonest slip: admins = "kadin" for admins = ["kadin"].
            self.fail(key, f"expected a list, got {show(value)} (write {key} = [{show(value)}])")
            return None
        if not isinstance(value, list):
            self.fail(key, f"expected a list of strings, got {show(value)}")
            return None
        items: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            where = f"{key}[{index}]"
            if isinstance(item, str) and item.strip():
                items.append((where, item.strip()))
            else:
                self.fail(where, f"expected a non-empty string, got {show(item)}")
        return items if len(items) == len(value) else None

    def slug(
        self, table: Mapping[str, Any], where: str, key: str, *, required: bool = False
    ) -> str | None:
        text = self.string(table, where, key, required=required)
        if text is not None and not is_slug(text):
            self.fail(join(where, key), f"{SLUG_EXPECTED}, got {show(text)}")
            return None
        return text

    def boolean(self, table: Mapping[str, Any], where: str, key: str, *, default: bool) -> bool:
        value = table.get(key, default)
        checked = boolean(value)
        if checked is None:
            self.fail(join(where, key), f"expected true or false, got {show(value)}")
            return default
        return checked

    def positive_int(self, table: Mapping[str, Any], where: str, key: str) -> int | None:
        value = table.get(key, MISSING)
        if value is MISSING:
            return None
        return self.positive_int_value(value, join(where, key))

    def positive_int_value(self, value: Any, path: str) -> int | None:
        number = whole_number(value, 1)
        if number is not None:
            return number
        hint = ""
        if isinstance(value, str) and value.strip().isdigit():
            hint = " (write it without quotes)"
        self.fail(path, f"expected a positive integer, got {show(value)}{hint}")
        return None

    def local_time(
        self, table: Mapping[str, Any], where: str, key: str, *, default: time, example: str
    ) -> time | None:
        """`default` when absent; None (reported) when not a `local_time`."""
        value = table.get(key, MISSING)
        if value is MISSING:
            return default
        parsed = local_time(value)
        if parsed is None:
            self.fail(
                join(where, key),
                f'expected a local time "HH:MM" such as "{example}", got {show(value)}',
            )
        return parsed

    def choice(
        self,
        table: Mapping[str, Any],
        where: str,
        key: str,
        kind: type[_E],
        default: _E | None,
    ) -> _E | None:
        """A member of `kind`; `default` None makes the key required."""
        path = join(where, key)
        allowed = options([member.value for member in kind])
        value = table.get(key, MISSING)
        if value is MISSING:
            if default is None:
                self.missing(path, f"expected {allowed}")
            return default
        for member in kind:
            if value == member.value:
                return member
        self.fail(path, f"expected {allowed}, got {show(value)}")
        return None

    def secret(
        self,
        table: Mapping[str, Any],
        where: str,
        key: str,
        env_name: str,
        env: Mapping[str, str],
        *,
        pattern: re.Pattern[str],
        required: bool,
        missing: str,
        expected: str,
    ) -> Secret | None:
        """A credential from the environment variable `env_name` (preferred) or the file;
        never echoed."""
        path = join(where, key)
        from_env = env.get(env_name, "").strip()
        if from_env:
            label, text = f"{path} (from {env_name})", from_env
        else:
            value = table.get(key, MISSING)
            if value is MISSING or (isinstance(value, str) and not value.strip()):
                if required:
                    self.missing(path, missing)
                return None
            if not isinstance(value, str):
                self.fail(path, f"expected a string, got {kind(value)} (the value is not shown)")
                return None
            label, text = path, value.strip()
        if not pattern.fullmatch(text):
            self.fail(label, f"{expected} (the value is not shown)")
            return None
        return Secret(text)

    def url(
        self, table: Mapping[str, Any], where: str, key: str, *, https_only: str | None = None
    ) -> str | None:
        """An http(s) URL; `https_only` is why plain http is refused, when it is."""
        path = join(where, key)
        text = self.string(table, where, key)
        if text is None:
            return None
        parts = http_url(text)
        if https_only is not None and parts is not None and parts[0] == "http":
            self.fail(path, f"expected an https:// URL ({https_only}), got {show(text)}")
            return None
        if parts is None:
            self.fail(path, f"expected an http:// or https:// URL, got {show(text)}")
            return None
        return text

    def timezone(self, table: Mapping[str, Any], where: str) -> ZoneInfo | None:
        """The required `timezone` of a table, with the likeliest zone when it is wrong."""
        path = join(where, "timezone")
        if "timezone" not in table:
            self.missing(
                path,
                'e.g. "Asia/Jakarta" for WIB, "Asia/Makassar" for WITA, "Asia/Jayapura" for WIT',
            )
            return None
        name = self.string(table, where, "timezone", required=True)
        if name is None:
            return None
        zone = zone_named(name)
        if zone is not None:
            return zone
        meant = _ZONE_ABBREVIATIONS.get(name.upper()) or closest(
            name, available_timezones() - _NOT_A_ZONE
        )
        hint = (
            f"; did you mean '{meant}'?"
            if meant
            else f" (in Indonesia: {', '.join(INDONESIAN_TIMEZONES)})"
        )
        self.fail(path, f'unknown time zone "{name}"{hint}')
        return None
