"""The inbox table: each update once, replayed in arrival order, given up after its replays."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database
from storage.inbox import MAX_REPLAYS, Inbox, hold, let_go
from storage.uow import unit_of_work


async def opened(path: Path) -> tuple[Database, Inbox]:
    db = Database(path)
    await db.open()
    inbox = Inbox(path)
    await inbox.open()
    return db, inbox


async def test_an_update_delivered_twice_is_stored_once_and_ids_need_not_grow(
    tmp_path: Path,
) -> None:
    db, inbox = await opened(tmp_path / "bot.db")
    try:
        assert await inbox.append(900, '{"update_id": 900}')
        assert await inbox.append(5, '{"update_id": 5}')  # Telegram restarted its numbering
        assert not await inbox.append(900, '{"update_id": 900}')
        assert inbox.appends == 2
        assert [u for u, _ in await inbox.take_unfinished()] == [900, 5]  # as they arrived
    finally:
        await inbox.close()
        await db.close()


async def test_an_effect_marks_the_update_in_hand_done_in_its_own_transaction(
    tmp_path: Path,
) -> None:
    db, inbox = await opened(tmp_path / "bot.db")
    try:
        await inbox.append(1, "{}")
        await inbox.append(2, "{}")
        hand = hold(1, replay=False)
        async with unit_of_work(db) as tx:  # no audit row: no effect, not done
            await tx.dialogs.end("x", 1)
        assert not hand.done
        with_effect = hold(2, replay=False)
        try:
            async with unit_of_work(db) as tx:
                await tx.audit.append(None, [])  # nothing appended: still no effect
                tx.audit.appended += 1  # as an appended row does
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert await inbox.take_unfinished() != []
        async with unit_of_work(db) as tx:
            tx.audit.appended += 1
        assert with_effect.done
        assert let_go() is with_effect and let_go() is None
        rows = await db.fetchall("SELECT update_id FROM inbox WHERE done_at IS NOT NULL")
        assert [r[0] for r in rows] == [2]
    finally:
        await inbox.close()
        await db.close()


async def test_an_update_whose_replays_are_all_cut_short_is_given_up(tmp_path: Path) -> None:
    db, inbox = await opened(tmp_path / "bot.db")
    try:
        await inbox.append(7, "{}")
        for _ in range(MAX_REPLAYS):
            assert [u for u, _ in await inbox.take_unfinished()] == [7]  # killed each time
        assert await inbox.take_unfinished() == []
        rows = await db.fetchall("SELECT gave_up, done_at IS NOT NULL FROM inbox")
        assert [tuple(r) for r in rows] == [(1, 1)]
    finally:
        await inbox.close()
        await db.close()


async def test_done_updates_are_forgotten_after_a_day_unfinished_ones_never(
    tmp_path: Path,
) -> None:
    db, inbox = await opened(tmp_path / "bot.db")
    try:
        for update_id in (1, 2, 3):
            await inbox.append(update_id, "{}")
        await inbox.done(hold(1, replay=False))
        await inbox.done(hold(2, replay=False))
        let_go()
        await inbox.conn.execute(
            "UPDATE inbox SET done_at = '2020-01-01T00:00:00Z' WHERE update_id = 1"
        )
        assert await inbox.prune() == 1
        rows = await db.fetchall("SELECT update_id FROM inbox ORDER BY id")
        assert [r[0] for r in rows] == [2, 3]
    finally:
        await inbox.close()
        await db.close()
