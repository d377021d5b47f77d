"""Invites on a real SQLite file: once only, expiry, attempts, and joining in one transaction."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.people import Directory
from bot.services.invites import (
    Invitations,
    InvitePolicy,
    NotAllowed,
    Outcome,
    UnknownOfficer,
    hash_code,
)
from bot.views.i18n import Catalogue
from storage.db import Database
from storage.invites import Invites
from storage.uow import reading, unit_of_work
from tests.support.harness import OFFICERS
from tests.support.local_time import at_local

NOW = at_local(2026, 7, 6, 8, 0)
LATER = NOW + timedelta(hours=72)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "sopbot.db")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def people() -> Directory:
    """The harness's officers, with the Kadin not on Telegram yet."""
    officers = tuple(
        dataclasses.replace(o, telegram_id=None) if o.key == "kadin" else o for o in OFFICERS
    )
    return Directory(officers, admins=("sekretaris",), admin_telegram_ids=(555,))


def desk(db: Database, clock: FakeClock, policy: InvitePolicy | None = None) -> Invitations:
    return Invitations(db, clock, people(), Catalogue.load(), policy or InvitePolicy())


# -- the repository ---------------------------------------------------------------------


async def test_an_invite_is_used_once_and_survives_a_reopen(db: Database, tmp_path: Path) -> None:
    async with unit_of_work(db) as tx:
        await Invites(tx.conn).add("h1", "kadin", "sekretaris", NOW, LATER)
    await db.close()
    reopened = Database(tmp_path / "sopbot.db")
    await reopened.open()
    try:
        async with unit_of_work(reopened) as tx:
            invites = Invites(tx.conn)
            stored = await invites.get("h1")
            assert stored is not None
            assert (stored.officer_key, stored.created_by) == ("kadin", "sekretaris")
            assert (stored.created_at, stored.expires_at) == (NOW, LATER)
            assert stored.used_at is None
            assert await invites.use("h1", 5001, NOW + timedelta(minutes=5)) is True
            assert await invites.use("h1", 5002, NOW + timedelta(minutes=6)) is False
        async with reading(reopened) as tx:
            used = await Invites(tx.conn).get("h1")
        assert used is not None
        assert (used.used_at, used.used_by) == (NOW + timedelta(minutes=5), 5001)
    finally:
        await reopened.close()


async def test_an_expired_invite_cannot_be_used(db: Database) -> None:
    async with unit_of_work(db) as tx:
        invites = Invites(tx.conn)
        await invites.add("h1", "kadin", "sekretaris", NOW, LATER)
        assert await invites.use("h1", 5001, LATER) is False
        assert await invites.use("h1", 5001, LATER - timedelta(microseconds=1)) is True


async def test_invites_of_another_agency_are_invisible(db: Database) -> None:
    async with unit_of_work(db) as tx:
        await Invites(tx.conn, "dinas_a").add("h1", "kadin", "sekretaris", NOW, LATER)
        other = Invites(tx.conn, "dinas_b")
        assert await other.get("h1") is None
        assert await other.use("h1", 5001, NOW) is False
        assert await other.open_for("kadin", NOW) == []


async def test_open_invites_of_an_officer_can_be_closed_together(db: Database) -> None:
    async with unit_of_work(db) as tx:
        invites = Invites(tx.conn)
        await invites.add("h1", "kadin", "sekretaris", NOW, LATER)
        await invites.add("h2", "kadin", "tg:555", NOW + timedelta(minutes=1), LATER)
        await invites.add("h3", "kadin", "sekretaris", NOW - timedelta(days=5), NOW)  # expired
        await invites.add("h4", "staf_1", "sekretaris", NOW, LATER)
        await invites.use("h1", 5001, NOW)
        later = NOW + timedelta(minutes=2)
        assert [i.code_hash for i in await invites.open_for("kadin", later)] == ["h2"]
        assert await invites.expire_open_for("kadin", later) == 1
        assert await invites.open_for("kadin", later) == []
        assert await invites.use("h2", 5002, later) is False
        assert [i.code_hash for i in await invites.open_for("staf_1", later)] == ["h4"]


async def test_failed_attempts_are_counted_per_account_and_pruned(db: Database) -> None:
    async with unit_of_work(db) as tx:
        invites = Invites(tx.conn)
        for minutes in (90, 50, 10):
            await invites.record_failure(5001, NOW - timedelta(minutes=minutes))
        await invites.record_failure(5002, NOW)
        hour_ago = NOW - timedelta(hours=1)
        assert await invites.failures_since(5001, hour_ago) == [
            NOW - timedelta(minutes=50),
            NOW - timedelta(minutes=10),
        ]
        assert await invites.forget_failures_before(hour_ago) == 1
        assert len(await invites.failures_since(5001, NOW - timedelta(days=1))) == 2


# -- joining through the service --------------------------------------------------------


async def test_joining_binds_the_account_queues_what_was_missed_and_tells_the_inviter(
    db: Database,
) -> None:
    clock = FakeClock(NOW)
    async with unit_of_work(db) as tx:  # a task message that could not reach the Kadin
        row = await tx.outbox.add("send", {"text": "tugas"}, NOW, officer_key="kadin")
        await tx.outbox.mark_failed(row, NOW, "not joined")
    issued = await desk(db, clock).create("sekretaris", "kadin")
    second = await desk(db, clock).create("tg:555", "kadin")
    assert issued.expires_at == LATER
    clock.advance(minutes=30)

    result = await desk(db, clock).redeem(5001, issued.code)

    assert result.outcome is Outcome.JOINED
    assert (result.officer_key, result.missed) == ("kadin", 1)
    async with reading(db) as tx:
        assert await tx.accounts.officer_for(5001) == "kadin"
        pending = await tx.outbox.pending()
        trail = (await tx.audit.verify()).problems
    assert trail == []
    assert [(r.officer_key, r.payload["text"]) for r in pending] == [
        ("kadin", "tugas"),
        (
            "sekretaris",
            "✅ Dr. H. Ahmad Fauzi, M.Si. (Kepala Dinas) telah bergabung dengan bot melalui "
            "undangan Bapak/Ibu.",
        ),
        (
            "tg:555",
            "✅ Dr. H. Ahmad Fauzi, M.Si. (Kepala Dinas) telah bergabung dengan bot melalui "
            "undangan Bapak/Ibu.",
        ),
    ]
    # The other invite for the Kadin was closed: it cannot move his account elsewhere.
    late = await desk(db, clock).redeem(5002, second.code)
    assert late.outcome is Outcome.EXPIRED
    rows = await db.fetchall(
        "SELECT actor, action, case_id, step_key, round, data_json FROM audit_log ORDER BY id"
    )
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("sekretaris", "invite_created", None, "", 0),
        ("tg:555", "invite_created", None, "", 0),
        ("kadin", "invite_used", None, "", 0),
    ]
    assert issued.code not in "".join(r[5] for r in rows)
    assert hash_code(issued.code)[:12] in rows[2][5]


async def test_a_used_code_is_refused_and_counts_as_a_failure(db: Database) -> None:
    clock = FakeClock(NOW)
    issued = await desk(db, clock).create("sekretaris", "kadin")
    assert (await desk(db, clock).redeem(5001, issued.code)).outcome is Outcome.JOINED
    assert (await desk(db, clock).redeem(5002, issued.code)).outcome is Outcome.USED
    # The account that joined is known now: its code is not spent on it again.
    again = await desk(db, clock).redeem(5001, issued.code)
    assert (again.outcome, again.officer_key) == (Outcome.ALREADY_LINKED, "kadin")
    async with reading(db) as tx:
        assert len(await Invites(tx.conn).failures_since(5002, NOW)) == 1
        assert await Invites(tx.conn).failures_since(5001, NOW) == []


async def test_configured_accounts_and_front_office_admins_cannot_take_an_invite(
    db: Database,
) -> None:
    clock = FakeClock(NOW)
    issued = await desk(db, clock).create("sekretaris", "kadin")
    configured = await desk(db, clock).redeem(1007, issued.code)  # staf_1's own account
    assert (configured.outcome, configured.officer_key) == (Outcome.ALREADY_LINKED, "staf_1")
    front_office = await desk(db, clock).redeem(555, issued.code)
    assert (front_office.outcome, front_office.officer_key) == (Outcome.ALREADY_LINKED, "tg:555")
    assert (await desk(db, clock).redeem(5001, issued.code)).outcome is Outcome.JOINED


async def test_two_accounts_racing_for_one_code_cannot_both_join(db: Database) -> None:
    clock = FakeClock(NOW)
    issued = await desk(db, clock).create("sekretaris", "kadin")
    results = await asyncio.gather(
        *(desk(db, clock).redeem(6000 + n, issued.code) for n in range(5))
    )
    assert sorted(r.outcome.value for r in results) == ["joined"] + ["used"] * 4


async def test_guessing_is_stopped_after_the_limit_until_the_window_passes(db: Database) -> None:
    clock = FakeClock(NOW)
    issued = await desk(db, clock).create("sekretaris", "kadin")
    policy = InvitePolicy(max_failed_attempts=3)
    for n in range(3):
        assert (await desk(db, clock, policy).redeem(5001, f"salah{n}")).outcome is (
            Outcome.UNKNOWN
        )
    blocked = await desk(db, clock, policy).redeem(5001, issued.code)
    assert (blocked.outcome, blocked.retry_at) == (
        Outcome.TOO_MANY_ATTEMPTS,
        NOW + timedelta(hours=1),
    )
    clock.advance(hours=1)
    assert (await desk(db, clock, policy).redeem(5001, issued.code)).outcome is Outcome.JOINED


async def test_only_admins_invite_and_only_officers_in_the_config(db: Database) -> None:
    clock = FakeClock(NOW)
    with pytest.raises(NotAllowed):
        await desk(db, clock).create("staf_1", "kadin")
    with pytest.raises(UnknownOfficer):
        await desk(db, clock).create("sekretaris", "pensiunan")
    assert (await db.fetchall("SELECT COUNT(*) FROM invites"))[0][0] == 0
    assert (await db.fetchall("SELECT COUNT(*) FROM audit_log"))[0][0] == 0


async def test_candidates_mark_who_can_already_be_reached(db: Database) -> None:
    clock = FakeClock(NOW)
    before = await desk(db, clock).candidates()
    assert [(c.officer.key, c.joined) for c in before][:2] == [
        ("kadin", False),
        ("sekretaris", True),
    ]
    issued = await desk(db, clock).create("sekretaris", "kadin")
    await desk(db, clock).redeem(5001, issued.code)
    after = await desk(db, clock).candidates()
    assert all(c.joined for c in after)
