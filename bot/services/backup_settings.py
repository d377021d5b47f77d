"""The `[backup]` table of config.toml, read once at start (`Runtime.build`).

    [backup]
    enabled = true     # make a backup every day
    time = "18:00"     # local, after office hours
    keep = 7           # how many daily backups to keep

Apart from `bot.services.backup` so that the `Office` protocol can name these settings
without importing the module whose functions take an `Office`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from bot.config.fields import Fields, boolean, whole_number

__all__ = ["DEFAULT_TIME", "BackupSettings"]

_KEYS = ("enabled", "time", "keep")
DEFAULT_TIME = time(18, 0)  # after office hours


@dataclass(frozen=True, slots=True)
class BackupSettings:
    enabled: bool = True
    time: time = DEFAULT_TIME  # local, in the agency's zone
    keep: int = 7

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> tuple[BackupSettings | None, list[str]]:
        """Read `[backup]`; on any mistake None and one message per mistake."""
        fields = Fields()
        fields.unknown_keys(data, "backup", _KEYS)
        errors = fields.errors
        values: dict[str, Any] = {}
        if "enabled" in data:
            enabled = boolean(data["enabled"])
            if enabled is None:
                errors.append(f"backup.enabled: expected true or false, got {data['enabled']!r}")
            else:
                values["enabled"] = enabled
        at = fields.local_time(data, "backup", "time", default=DEFAULT_TIME, example="18:00")
        if at is not None:
            values["time"] = at
        if "keep" in data:
            keep = whole_number(data["keep"], 1)
            if keep is None:
                errors.append(
                    f"backup.keep: expected a whole number of at least 1, got {data['keep']!r}"
                )
            else:
                values["keep"] = keep
        if errors:
            return None, errors
        return cls(**values), []
