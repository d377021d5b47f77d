"""The unit of work: every repository bound to one open transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiosqlite

from storage.accounts import Accounts
from storage.acting import ActingAppointments
from storage.audit import AuditLog
from storage.cases import Cases
from storage.db import Database
from storage.dialogs import Dialogs
from storage.inbox import mark_in_hand_done
from storage.jobs import Jobs
from storage.outbox import Outbox
from storage.pending_uploads import PendingUploads
from storage.reminders import Reminders
from storage.snapshots import Snapshots


@dataclass(frozen=True, slots=True)
class Tx:
    conn: aiosqlite.Connection
    cases: Cases
    audit: AuditLog
    outbox: Outbox
    reminders: Reminders
    accounts: Accounts
    snapshots: Snapshots
    jobs: Jobs
    pending_uploads: PendingUploads
    dialogs: Dialogs
    acting: ActingAppointments

    @classmethod
    def bind(
        cls, conn: aiosqlite.Connection, agency: str = "default", audit_key: bytes | None = None
    ) -> Tx:
        return cls(
            conn=conn,
            cases=Cases(conn, agency),
            audit=AuditLog(conn, agency, audit_key),
            outbox=Outbox(conn),
            reminders=Reminders(conn),
            accounts=Accounts(conn, agency),
            snapshots=Snapshots(conn),
            jobs=Jobs(conn),
            pending_uploads=PendingUploads(conn),
            dialogs=Dialogs(conn),
            acting=ActingAppointments(conn, agency),
        )


@asynccontextmanager
async def unit_of_work(
    db: Database, agency: str = "default", *, flush: bool = True
) -> AsyncIterator[Tx]:
    """State, audit, reminders and outbox of one action commit together or not at all.

    A unit of work that appends to the audit trail or moves on a dialog is the effect of
    the update in hand (a press, an upload, a dialog's answer): the update is marked done
    in it (`storage.inbox`), so a crash leaves both or neither. Opening a dialog is not:
    the update is done once its question is sent, and replayed after a crash before
    that, so the question is asked, never lost.

    After the commit, work it queued for after the commit (outbox rows, document jobs,
    reminders) is announced through `db.on_queued`: the delivery worker wakes on it.
    `flush=False`: see `Database.transaction` (delivery marks only)."""
    async with db.transaction(flush=flush) as conn:
        tx = Tx.bind(conn, agency, db.audit_key)
        yield tx
        if tx.audit.appended or tx.dialogs.moved:
            await mark_in_hand_done(conn)
    if db.on_queued is not None and (
        tx.outbox.queued_for or tx.jobs.queued or tx.reminders.planned
    ):
        db.on_queued(frozenset(tx.outbox.queued_for))


@asynccontextmanager
async def reading(db: Database, agency: str = "default") -> AsyncIterator[Tx]:
    async with db.reading() as conn:
        yield Tx.bind(conn, agency, db.audit_key)
