"""The message catalogue: every sentence the bot says, in Bahasa Indonesia and English.

Handlers and the engine's effects name a message by key ("task.deadline") and pass the
values; the words live in `bot/views/messages/{id,en}.toml`, so the agency can reword a
message (or fix a translation) without touching code, and a reviewer can read all the
bot's Indonesian in one file.

Messages go to Telegram with `parse_mode=HTML`: one unescaped "<" or "&" in an officer's
name or a return reason makes Telegram refuse the whole message. So `text()` escapes
every value unless the caller vouches for it with `Raw(...)` (markup built from other
catalogue texts, or `telegram.helpers.mention_html`).

Both files must have the same keys and, per key, the same placeholders: a missing
translation or a `{dealine}` typo is caught when the catalogue loads (and by a unit
test), not by an officer at 07.30 on a Monday.
"""

from __future__ import annotations

import html
import string
import tomllib
from collections.abc import Iterator, KeysView, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "SUPPORTED_LANGUAGES",
    "Catalogue",
    "CatalogueError",
    "Raw",
    "parse_placeholders",
    "resolve_language",
]

SUPPORTED_LANGUAGES: Final = ("id", "en")
DEFAULT_LANGUAGE: Final = "id"

# Older Android and Java report Indonesian as "in" (the ISO 639 code withdrawn in 1989).
_LANGUAGE_ALIASES: Final[Mapping[str, str]] = {"in": "id"}

# `text(lang, key, **params)`: a placeholder with one of these names could never be
# passed, so the catalogue refuses it.
_RESERVED_NAMES: Final = frozenset({"lang", "key"})

_PACKAGE: Final = "bot.views.messages"


def resolve_language(lang: str | None) -> str:
    """The supported language to use for `lang`, falling back to Indonesian.

    Accepts what Telegram puts in `User.language_code` (an IETF tag such as "en-GB",
    "id", or nothing at all) as well as our own stored preference.
    """
    if not lang:
        return DEFAULT_LANGUAGE
    primary = lang.replace("_", "-").split("-", 1)[0].strip().lower()
    primary = _LANGUAGE_ALIASES.get(primary, primary)
    return primary if primary in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


class CatalogueError(ValueError):
    """The message files are inconsistent; every problem found is listed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("message catalogue:\n  " + "\n  ".join(problems))


@dataclass(frozen=True, slots=True)
class Raw:
    """A value inserted as is: the caller guarantees it is valid Telegram HTML."""

    value: object

    def __str__(self) -> str:
        return str(self.value)


_FORMATTER: Final = string.Formatter()


def parse_placeholders(template: str) -> frozenset[str]:
    """The `{name}` placeholders of a template.

    Only plain names are allowed: values are escaped into strings before formatting, so
    a format spec (`{n:,}`) or conversion (`{n!r}`) would act on the escaped string,
    and positional or attribute fields (`{}`, `{0}`, `{case.code}`) would let a template
    reach into objects. Literal braces are written `{{` and `}}`. Raises ValueError.
    """
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:  # "Single '}' encountered in format string", ...
        raise ValueError(f"{exc} (write a literal brace as {{{{ or }}}})") from None
    names: set[str] = set()
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"placeholder {{{field}}} is not a plain name")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} may not carry a format spec or conversion")
        if field in _RESERVED_NAMES:
            raise ValueError(f"placeholder {{{field}}} is reserved (an argument of text())")
        names.add(field)
    return frozenset(names)


def _flatten(
    tree: Mapping[str, object], prefix: str, out: dict[str, str], problems: list[str]
) -> None:
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, str):
            out[key] = value
        elif isinstance(value, Mapping):
            _flatten(value, f"{key}.", out, problems)
        else:
            problems.append(f"{key}: expected a string, got {type(value).__name__}")


class Catalogue:
    """Every message in every supported language, checked once when built.

    Immutable after construction, so one instance is shared by all handlers.
    """

    __slots__ = ("_messages", "_placeholders")

    def __init__(self, messages: Mapping[str, Mapping[str, str]]) -> None:
        """`messages` maps a language to its flat `section.name -> template` table."""
        problems: list[str] = []
        if DEFAULT_LANGUAGE not in messages:
            raise CatalogueError([f"no messages for the default language {DEFAULT_LANGUAGE!r}"])
        problems.extend(
            f"{lang}: not a supported language {SUPPORTED_LANGUAGES}"
            for lang in messages
            if lang not in SUPPORTED_LANGUAGES
        )
        found: dict[str, dict[str, frozenset[str]]] = {}
        for lang, table in messages.items():
            found[lang] = {}
            for key, template in table.items():
                try:
                    found[lang][key] = parse_placeholders(template)
                except ValueError as exc:
                    problems.append(f"{lang}: {key}: {exc}")
        reference = found[DEFAULT_LANGUAGE]
        for lang, names in found.items():
            if lang == DEFAULT_LANGUAGE:
                continue
            table = messages[lang]
            problems.extend(
                f"{lang}: {key}: missing (present in {DEFAULT_LANGUAGE})"
                for key in messages[DEFAULT_LANGUAGE]
                if key not in table
            )
            problems.extend(
                f"{lang}: {key}: not in {DEFAULT_LANGUAGE}"
                for key in table
                if key not in messages[DEFAULT_LANGUAGE]
            )
            for key in reference.keys() & names.keys():
                if reference[key] != names[key]:
                    problems.append(
                        f"{lang}: {key}: placeholders {sorted(names[key])} differ from "
                        f"{DEFAULT_LANGUAGE}'s {sorted(reference[key])}"
                    )
        if problems:
            raise CatalogueError(problems)
        self._messages: Mapping[str, Mapping[str, str]] = MappingProxyType(
            {lang: MappingProxyType(dict(table)) for lang, table in messages.items()}
        )
        self._placeholders: Mapping[str, frozenset[str]] = MappingProxyType(dict(reference))

    @classmethod
    def load(cls) -> Catalogue:
        """The catalogue shipped in `bot/views/messages/`, read and checked once per process."""
        return _load_shipped()

    @classmethod
    def from_toml(cls, sources: Mapping[str, str]) -> Catalogue:
        """Build from TOML texts per language (`[task] deadline = "..."` -> "task.deadline")."""
        problems: list[str] = []
        messages: dict[str, dict[str, str]] = {}
        for lang, source in sources.items():
            try:
                tree = tomllib.loads(source)
            except tomllib.TOMLDecodeError as exc:
                problems.append(f"{lang}.toml: {exc}")
                continue
            flat: dict[str, str] = {}
            shape: list[str] = []
            _flatten(tree, "", flat, shape)
            problems.extend(f"{lang}.toml: {problem}" for problem in shape)
            messages[lang] = flat
        if problems:
            raise CatalogueError(problems)
        return cls(messages)

    def text(self, lang: str, key: str, **params: object) -> str:
        """The message `key` in `lang` (Indonesian if unsupported), ready for parse_mode HTML.

        Values are HTML-escaped unless wrapped in `Raw`. Raises KeyError for an unknown
        key or a placeholder without a value; extra values are ignored, so a caller may
        pass the same context to related messages.
        """
        return self._render(lang, key, params, escape=True)

    def plain(self, lang: str, key: str, **params: object) -> str:
        """The message with values inserted unescaped, for places that show no HTML.

        Callback-query answers (`query.answer(text)`), bot command descriptions and
        console output print "&amp;" literally, so they get this instead of `text()`.
        Use it only for messages whose template carries no markup.
        """
        return self._render(lang, key, params, escape=False)

    def has(self, key: str) -> bool:
        return key in self._placeholders

    def keys(self) -> KeysView[str]:
        """All keys, in the order of the Indonesian file (set operations work too)."""
        return self._messages[DEFAULT_LANGUAGE].keys()

    # Iterating and `in` behave like `keys()`: ruff's SIM118 rewrites `k in cat.keys()`
    # to `k in cat`, and that must mean the same thing.
    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __contains__(self, key: object) -> bool:
        return key in self._placeholders

    def __len__(self) -> int:
        return len(self._placeholders)

    def placeholders(self, key: str) -> frozenset[str]:
        """The parameters `key` needs (the same in every language)."""
        if key not in self._placeholders:
            raise KeyError(f"unknown message key {key!r}")
        return self._placeholders[key]

    def _render(self, lang: str, key: str, params: Mapping[str, object], *, escape: bool) -> str:
        names = self.placeholders(key)
        default = self._messages[DEFAULT_LANGUAGE]
        template = self._messages.get(resolve_language(lang), default)[key]
        values: dict[str, str] = {}
        for name in sorted(names):
            if name not in params:
                raise KeyError(f"message {key!r} needs the parameter {name!r}")
            value = params[name]
            values[name] = (
                str(value) if isinstance(value, Raw) or not escape else html.escape(str(value))
            )
        return _fill(template, values)


def _fill(template: str, values: Mapping[str, str]) -> str:
    """`template` with its placeholders filled, and no full stop doubled where a value
    ends with one the sentence also ends with ("disetujui oleh Dra. Siti, M.M." and not
    "M.M.."): officers' names end with titles, and a sentence ends after a name."""
    out: list[str] = []
    value = ""
    for literal, field, _spec, _conversion in _FORMATTER.parse(template):
        if value.endswith(".") and literal.startswith("."):
            literal = literal[1:]
        value = values[field] if field is not None else ""
        out += [literal, value]
    return "".join(out)


def _read_shipped() -> dict[str, str]:
    """`<lang>.toml` plus every `<lang>/*.toml`: each feature keeps its messages in its own
    file, which must own its top-level sections (the texts are joined, then parsed)."""
    package = files(_PACKAGE)
    sources: dict[str, str] = {}
    for lang in SUPPORTED_LANGUAGES:
        parts = [package.joinpath(f"{lang}.toml").read_text(encoding="utf-8")]
        folder = package.joinpath(lang)
        if folder.is_dir():
            extra = sorted(
                (p for p in folder.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name
            )
            parts += [p.read_text(encoding="utf-8") for p in extra]
        sources[lang] = "\n".join(parts)
    return sources


@cache
def _load_shipped() -> Catalogue:
    return Catalogue.from_toml(_read_shipped())
