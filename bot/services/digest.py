"""The daily digest's settings and recipients: who reads where every open case stands.

The Sekretaris (and whoever `[digest] recipients` adds) reads it each working morning
instead of asking around: each open case, its step, who holds it, the working time used
against the SOP's standard, and which officers the bot cannot reach (their tasks wait
unseen). What it says is `bot.core.digest`, its wording `bot.views.digest`; the job that
sends it, once per working day, lives in `bot.services.scheduling`.

Settings (the ``[digest]`` table of config.toml; both keys may be left out)::

    [digest]
    time = "07:45"            # local time "HH:MM", each working day
    recipients = ["kadin"]    # officer keys, besides every holder of the sekretaris role
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any, Final

from bot.config import Officer
from bot.config.fields import Fields, closest

__all__ = [
    "DEFAULT_TIME",
    "DigestSettings",
    "digest_recipients",
    "may_nudge",
]

DEFAULT_TIME: Final = time(7, 45)
ALWAYS_ROLE: Final = "sekretaris"  # chairs the SAKIP paperwork: always gets the digest
_KEYS: Final = ("time", "recipients")


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
        fields = Fields()
        fields.unknown_keys(data, path, _KEYS)
        errors = fields.errors
        at = fields.local_time(data, path, "time", default=DEFAULT_TIME, example="07:45")
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
        if errors or at is None:
            return None, errors
        return cls(at, tuple(recipients)), []


def _hint(word: str, options: Collection[str]) -> str:
    meant = closest(word, options)
    return f'; did you mean "{meant}"?' if meant else ""


def may_nudge(officers: Sequence[Officer], officer: str) -> bool:
    """The Sekretaris, who chairs the paperwork, has "Ingatkan" under the digest's cases;
    other readers see the details only (a nudge from them would be noise)."""
    return any(o.key == officer and o.role == ALWAYS_ROLE for o in officers)


def digest_recipients(settings: DigestSettings, officers: Sequence[Officer]) -> list[str]:
    """Every Sekretaris, then the configured extras; each officer once."""
    keys = [o.key for o in officers if o.role == ALWAYS_ROLE] + list(settings.recipients)
    return list(dict.fromkeys(keys))
