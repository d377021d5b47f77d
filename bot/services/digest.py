"""The daily digest's settings and recipients: who reads where every open case stands.

The Sekretaris (and whoever `[digest] recipients` adds) reads it each working morning
instead of asking around: each open case, its step, who holds it, the working time used
against the SOP's standard, and which officers the bot cannot reach (their tasks wait
unseen). What it says is `bot.core.digest`, its wording `bot.views.digest`; the job that
sends it, once per working day, lives in `bot.services.scheduling`.

Settings (the ``[digest]`` table of config.toml; both keys may be left out)::

    [digest]
    time = "07:45"            # local time, each working day (TOML 07:45:00 works too)
    recipients = ["kadin"]    # officer keys, besides every holder of the sekretaris role
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

from bot.config import Config, Officer

__all__ = [
    "DEFAULT_TIME",
    "DETAIL_PATTERN",
    "DigestSettings",
    "detail_callback",
    "digest_problems",
    "digest_recipients",
    "digest_settings",
]

DEFAULT_TIME: Final = time(7, 45)
ALWAYS_ROLE: Final = "sekretaris"  # chairs the SAKIP paperwork: always gets the digest
DETAIL_PATTERN: Final = re.compile(r"^dg:(\d{1,9})$")
_KEYS: Final = ("time", "recipients")
_TIME_RE: Final = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")


def detail_callback(case_id: int) -> str:
    return f"dg:{case_id}"


# --- settings -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestSettings:
    time: time = DEFAULT_TIME  # local, naive: read in the agency's zone
    recipients: tuple[str, ...] = ()  # officer keys besides the sekretaris role

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], officer_keys: Collection[str], path: str = "digest"
    ) -> tuple[DigestSettings | None, list[str]]:
        """Read `[digest]`; on any mistake None and one message per mistake."""
        if not isinstance(data, Mapping):
            return None, [f"{path}: expected a table"]
        errors: list[str] = []
        for key in data:
            if key not in _KEYS:
                errors.append(f"{path}.{key}: unknown key; expected one of {', '.join(_KEYS)}")
        at = DEFAULT_TIME
        if "time" in data:
            parsed = _parse_time(data["time"])
            if parsed is None:
                errors.append(
                    f'{path}.time: expected a local time "HH:MM" such as "07:45", '
                    f"got {data['time']!r}"
                )
            else:
                at = parsed
        recipients: list[str] = []
        if "recipients" in data:
            raw = data["recipients"]
            if not isinstance(raw, list):
                errors.append(f'{path}.recipients: expected a list of officer keys ["kadin"]')
            else:
                for index, key in enumerate(raw):
                    where = f"{path}.recipients[{index}]"
                    if not isinstance(key, str):
                        errors.append(f"{where}: expected an officer key, got {key!r}")
                    elif key not in officer_keys:
                        errors.append(
                            f'{where}: no officer has the key "{key}"{_hint(key, officer_keys)}'
                        )
                    elif key not in recipients:
                        recipients.append(key)
        if errors:
            return None, errors
        return cls(at, tuple(recipients)), []


def _parse_time(raw: object) -> time | None:
    if isinstance(raw, time):
        return raw.replace(tzinfo=None)
    match = _TIME_RE.match(raw) if isinstance(raw, str) else None
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _hint(word: str, options: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def digest_problems(config: Config) -> list[str]:
    """The `[digest]` table's mistakes, for `Runtime.build` to report with the rest."""
    return DigestSettings.from_mapping(config.digest, {o.key for o in config.officers})[1]


def digest_settings(config: Config) -> DigestSettings:
    """The settings of a config `Runtime.build` already accepted."""
    settings, errors = DigestSettings.from_mapping(config.digest, {o.key for o in config.officers})
    if settings is None:
        raise ValueError("; ".join(errors))
    return settings


def digest_recipients(settings: DigestSettings, officers: Sequence[Officer]) -> list[str]:
    """Every Sekretaris, then the configured extras; each officer once."""
    keys = [o.key for o in officers if o.role == ALWAYS_ROLE] + list(settings.recipients)
    return list(dict.fromkeys(keys))
