"""The Surat Perintah of acting officials (Plh/Plt), and where each one's hand-over is.

`handed_over_at` is set when the absent official's tasks went to the stand-in,
`handed_back_at` when the open ones went back: the scheduled check reads what is due
from these two columns, so a restart neither repeats nor skips a hand-over.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, datetime

import aiosqlite

from bot.core.acting import ActingKind, Appointment
from storage.codec import to_iso
from storage.query import fetch_all, fetch_one


class ActingAppointments:
    def __init__(self, conn: aiosqlite.Connection, agency: str = "default") -> None:
        self.conn = conn
        self.agency = agency

    async def add(self, a: Appointment, now: datetime) -> Appointment:
        cur = await self.conn.execute(
            "INSERT INTO acting_appointments (agency, kind, letter_number, letter_date, "
            "appointer, absent, stand_in, start_date, end_date, extended, recorded_by, "
            "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.agency,
                a.kind.value,
                a.letter_number,
                a.letter_date.isoformat(),
                a.appointer,
                a.absent,
                a.stand_in,
                a.start.isoformat(),
                a.end.isoformat(),
                int(a.extended),
                a.recorded_by,
                to_iso(now),
            ),
        )
        assert cur.lastrowid is not None
        return replace(a, id=int(cur.lastrowid))

    async def extend(self, a: Appointment) -> None:
        await self.conn.execute(
            "UPDATE acting_appointments SET end_date = ?, extended = 1 WHERE id = ?",
            (a.end.isoformat(), a.id),
        )

    async def get(self, appointment_id: int) -> Appointment | None:
        row = await fetch_one(
            self.conn,
            "SELECT * FROM acting_appointments WHERE id = ? AND agency = ?",
            (appointment_id, self.agency),
        )
        return None if row is None else _appointment(row)

    async def not_ended(self, today: date) -> list[Appointment]:
        """Every appointment not yet handed back (the rules check overlaps against them)."""
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM acting_appointments WHERE agency = ? AND handed_back_at IS NULL "
            "AND end_date >= ? ORDER BY start_date, id",
            (self.agency, (today.isoformat())),
        )
        return [_appointment(r) for r in rows]

    async def every(self) -> list[Appointment]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM acting_appointments WHERE agency = ? ORDER BY id",
            (self.agency,),
        )
        return [_appointment(r) for r in rows]

    async def pending(self) -> tuple[list[Appointment], list[Appointment]]:
        """(not yet handed over, handed over but not yet back): what the check looks at."""
        rows = await fetch_all(
            self.conn,
            "SELECT *, handed_over_at IS NOT NULL AS over FROM acting_appointments "
            "WHERE agency = ? AND handed_back_at IS NULL ORDER BY start_date, id",
            (self.agency,),
        )
        waiting = [_appointment(r) for r in rows if not r["over"]]
        running = [_appointment(r) for r in rows if r["over"]]
        return waiting, running

    async def mark_handed_over(self, appointment_id: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE acting_appointments SET handed_over_at = ? WHERE id = ?",
            (to_iso(now), appointment_id),
        )

    async def mark_handed_back(self, appointment_id: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE acting_appointments SET handed_back_at = ? WHERE id = ?",
            (to_iso(now), appointment_id),
        )


def _appointment(r: sqlite3.Row) -> Appointment:
    return Appointment(
        id=int(r["id"]),
        kind=ActingKind(r["kind"]),
        letter_number=r["letter_number"],
        letter_date=date.fromisoformat(r["letter_date"]),
        appointer=r["appointer"],
        absent=r["absent"],
        stand_in=r["stand_in"],
        start=date.fromisoformat(r["start_date"]),
        end=date.fromisoformat(r["end_date"]),
        extended=bool(r["extended"]),
        recorded_by=r["recorded_by"],
    )
