"""How values cross into SQLite: aware UTC datetimes as ISO 8601 text, JSON for the rest.

sqlite3's own datetime adapters are deprecated and drop UTC offsets, so we never use them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any


def to_iso(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"refusing to store a naive datetime: {value!r}")
    return value.astimezone(UTC).isoformat()


def opt_iso(value: datetime | None) -> str | None:
    return None if value is None else to_iso(value)


def from_iso(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"naive datetime in the database: {text!r}")
    return value.astimezone(UTC)


def opt_from_iso(text: str | None) -> datetime | None:
    return None if text is None else from_iso(text)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, so hashes over it are stable."""
    return json.dumps(
        value, default=_default, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def loads(text: str) -> Any:
    return json.loads(text)
