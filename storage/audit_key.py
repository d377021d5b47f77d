"""The audit chain's secret key, kept outside the database.

A hash chain alone proves nothing to someone who can write the database file: they edit a
row and recompute every following hash. Keyed with HMAC-SHA-256, the chain can only be
extended by whoever holds the key, so the key must live where the database does not: a
file beside config.toml (created at the first start, mode 0600), or the environment
variable `SOPBOT_AUDIT_KEY`, which overrides the file. Backups copy the database, never
the key (README: "The audit key").
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

AUDIT_KEY_ENV: Final = "SOPBOT_AUDIT_KEY"
AUDIT_KEY_FILE: Final = "audit.key"
KEY_BYTES: Final = 32
_HEX_KEY = re.compile(rf"[0-9a-fA-F]{{{2 * KEY_BYTES}}}")


class AuditKeyError(RuntimeError):
    """The key cannot be used (unreadable, malformed); the message says what to do."""


@dataclass(frozen=True, slots=True)
class AuditKeySource:
    """Where the key is: `env_value` (from `SOPBOT_AUDIT_KEY`) when set, else `file`."""

    file: Path
    env_value: str | None = None

    @classmethod
    def beside(cls, config_file: Path, env: Mapping[str, str] | None = None) -> AuditKeySource:
        """The key of the bot configured by `config_file`: `audit.key` in its folder."""
        values = os.environ if env is None else env
        return cls(config_file.parent / AUDIT_KEY_FILE, values.get(AUDIT_KEY_ENV) or None)

    def load(self) -> bytes | None:
        """The key, or None when neither the variable nor the file holds one (never writes)."""
        if self.env_value is not None:
            return _parse(self.env_value, f"the {AUDIT_KEY_ENV} environment variable")
        try:
            text = self.file.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise AuditKeyError(f"{self.file}: cannot read the audit key: {exc}") from None
        return _parse(text, str(self.file))

    def load_or_create(self) -> bytes:
        """The key; at the first start, a new random one written to the file (mode 0600)."""
        key = self.load()
        if key is not None:
            return key
        key = secrets.token_bytes(KEY_BYTES)
        self.file.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two starts racing never both write a key; 0600 from the first byte.
        fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key.hex() + "\n")
            out.flush()
            os.fsync(out.fileno())
        return key


def _parse(text: str, where: str) -> bytes:
    value = text.strip()
    if not _HEX_KEY.fullmatch(value):
        raise AuditKeyError(
            f"{where}: expected an audit key of {2 * KEY_BYTES} hexadecimal digits "
            "(the value is not shown)"
        )
    return bytes.fromhex(value)
