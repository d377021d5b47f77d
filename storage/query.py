"""Reading rows in one thread hop.

aiosqlite runs every call on its own thread and hands the result back through the event
loop. `async with conn.execute(...) as cur: await cur.fetchone()` is three such hops
(execute, fetch, close); on a busy two-core machine a hop, not SQLite, is most of a small
query's time, and a press that opens a parallel step made 40 of them before its answer.
`execute_fetchall` does all three in one. A query that streams a large table (the audit
chain's verification) keeps its cursor instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

import aiosqlite

Params = Iterable[Any] | Mapping[str, Any]


async def fetch_one(
    conn: aiosqlite.Connection, sql: str, params: Params = ()
) -> sqlite3.Row | None:
    """The first row, or None. Meant for a query that selects one row (a key, `LIMIT 1`):
    every row it selects is read."""
    for row in await conn.execute_fetchall(sql, params):
        return row
    return None


async def fetch_all(
    conn: aiosqlite.Connection, sql: str, params: Params = ()
) -> list[sqlite3.Row]:
    return list(await conn.execute_fetchall(sql, params))
