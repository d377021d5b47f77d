"""Press -> answer latency: our bot beside a bare PTB bot, through the same stand-in.

    python -m benchmarks.bench_press [--cases 40] [--rate 30] [--seconds 20]

The bare bot does the least an approval must: one WAL commit (synchronous=FULL), answer
the query, edit the message. Ours is the real Application (handlers, storage, delivery
worker) on the demo's Dinas (`demo.stage`). Both run in this process, each talking HTTP
to its own `fakegram` stand-in; latency is from the user's press to the stand-in
receiving `answerCallbackQuery`, on the stand-in's clock. The bare bot is pressed right
after each of our timed presses and its load run comes just before ours (`Bare`), so
each row compares the two in the same minutes of the machine. The presses are on step
2's checklist: a tick is an ordinary press (the decision, its audit row, the edit of the
task message), "Selesai" is the press that opens the next step (a new task message for
another officer, reminders, a document job); then step 5's approval and step 6's paraf,
which opens the three Kepala Bidang's reviews.
Sequential presses wait for delivery between presses; the load run presses at `--rate`
per second without waiting. Transactions are counted per asyncio task up to the answer
(the handler's), and in total (delivery included) per press; the inbox append each
update pays first (its own connection, `storage.inbox`) is counted apart. Not run in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from bot.app import running
from bot.core.clock import FakeClock
from bot.core.workflow import AttachFile, CaseState
from demo.stage import STAGE_TOKEN, Stage, stage
from fakegram import BotMessage, FakeTelegram, FakeUser
from storage.db import Database
from tests.support.docs import tiny_docx
from tests.support.engine import next_happy_action

GOAL_P50 = 2.0  # ours within 2x the bare bot's p50 ...
GOAL_P99 = 3.0  # ... and 3x its p99
ITEMS = ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan")
FORM = {"instruksi": "Segera susun laporan", "catatan": ""}
START = datetime(2026, 7, 6, 8, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # a Monday, 08.00
LETTER = {"from": "Bupati", "number": "1/2026", "date": "2026-07-01", "subject": "Laporan"}


# -- measuring ---------------------------------------------------------------------------


def answered_at(fake: FakeTelegram, query: str) -> float | None:
    """When the stand-in received the query's answer (its clock: `time.time`). Read by id,
    in constant time: a wait re-checks after every bot call, and scanning the history of
    calls made our bot's waits (thousands of calls) dearer than the bare bot's."""
    return fake.callback_answer(query).answered_at


async def answered(fake: FakeTelegram, queries: Sequence[str], limit: float = 60) -> None:
    def all_answered() -> bool:
        return all(answered_at(fake, q) is not None for q in queries)

    await fake.wait_for(all_answered, limit)


def latencies_ms(fake: FakeTelegram, pressed: dict[str, float]) -> list[float]:
    times = {q: answered_at(fake, q) for q in pressed}
    return [(t - at) * 1000 for q, at in pressed.items() if (t := times[q]) is not None]


def p(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def freeze_heap() -> None:
    """Before each timed phase, for both bots: what lives now (the bot built at start,
    and the stand-in's history, which shares this process and grows to thousands of
    messages for our bot, a handful for the bare one) is moved out of the garbage
    collector's way, as the live bot does once it has started (`bot.app`). Without it a
    full collection on the path of a press scans the harness too: 80-90 ms, one press
    in twenty, charged to whichever bot has more history."""
    gc.collect()
    gc.freeze()


class Transactions:
    """`Database.transaction` (write) and `.reading` (read), per asyncio task; what the
    answering task had counted at its answer."""

    def __init__(self) -> None:
        self.by_task: dict[asyncio.Task[Any] | None, Counter[str]] = {}
        self.total: Counter[str] = Counter()
        self.at_answer: list[Counter[str]] = []
        self._undo: list[Callable[[], None]] = []

    def install(self) -> None:
        for name, kind in (("transaction", "write"), ("reading", "read")):
            original = getattr(Database, name)
            setattr(Database, name, self._counting(original, kind))
            self._undo.append(functools.partial(setattr, Database, name, original))
        answer = CallbackQuery.answer

        async def answering(query: CallbackQuery, *args: Any, **kwargs: Any) -> bool:
            self.at_answer.append(self.by_task.pop(asyncio.current_task(), Counter()))
            return await answer(query, *args, **kwargs)

        CallbackQuery.answer = answering  # type: ignore[method-assign,assignment]
        self._undo.append(lambda: setattr(CallbackQuery, "answer", answer))

    def uninstall(self) -> None:
        for undo in reversed(self._undo):
            undo()

    def _counting(
        self, original: Callable[..., AbstractAsyncContextManager[Any]], kind: str
    ) -> Callable[..., AbstractAsyncContextManager[Any]]:
        @asynccontextmanager
        async def counting(db: Database, **options: Any) -> AsyncIterator[Any]:
            self.by_task.setdefault(asyncio.current_task(), Counter())[kind] += 1
            self.total[kind] += 1
            async with original(db, **options) as conn:
                yield conn

        return counting


# -- the bare bot ------------------------------------------------------------------------


@asynccontextmanager
async def bare_bot(fake: FakeTelegram, folder: Path) -> AsyncIterator[Any]:
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    conn = await aiosqlite.connect(folder / "bare.db", isolation_level=None)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute("CREATE TABLE IF NOT EXISTS approvals (id INTEGER PRIMARY KEY, q TEXT)")

    async def approve(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await conn.execute("BEGIN IMMEDIATE")
        await conn.execute("INSERT INTO approvals (q) VALUES (?)", (query.id,))
        await conn.execute("COMMIT")
        await query.answer("ok")
        await query.edit_message_text(f"Disetujui ({query.id})", reply_markup=_button())

    app: Any = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CallbackQueryHandler(approve))
    try:
        async with running(app):
            yield app
    finally:
        await conn.close()


def _button() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Setujui", callback_data="ok")]])


def _edited_more_than(fake: FakeTelegram, n: int) -> bool:
    return len(fake.calls_to("editMessageText")) > n


class Bare:
    """The bare bot, pressed once right after each timed press of ours: both are measured
    in the same minutes of a machine whose speed drifts (measured one after the other, the
    bare bot's p50 moved between 5.7 and 10 ms from run to run, and the ratios with it).
    Each row compares ours with the bare presses made among its own."""

    def __init__(self, fake: FakeTelegram, user: FakeUser, message: BotMessage) -> None:
        self.fake = fake
        self.user = user
        self.message = message
        self.pressed: dict[str, dict[str, float]] = {}
        self.edits = 0

    async def press(self, phase: str) -> None:
        at = time.time()
        query = self.user.press_button(self.message, "Setujui")
        self.pressed.setdefault(phase, {})[query] = at
        await answered(self.fake, [query])
        await self.fake.wait_for(functools.partial(_edited_more_than, self.fake, self.edits))
        self.edits += 1

    async def load(self, rate: float, seconds: float) -> None:
        presses = [lambda: (self.user, self.message, "Setujui")] * int(rate * seconds)
        self.pressed["load"] = await _paced(self.fake, presses, rate)

    def latencies(self, phase: str) -> list[float]:
        return latencies_ms(self.fake, self.pressed.get(phase, {}))


@asynccontextmanager
async def bare_beside(folder: Path) -> AsyncIterator[Bare]:
    """The bare bot running on its own stand-in, its one message sent."""
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        user = fake.user(900, "Kabid", started=True)
        async with bare_bot(fake, folder) as app:
            await app.bot.send_message(900, "Setujui?", reply_markup=_button())
            message = await fake.wait_for(user.last_message)
            assert message is not None
            yield Bare(fake, user, message)
    finally:
        fake.stop()


Press = Callable[[], tuple[FakeUser, BotMessage, str]]


async def _paced(fake: FakeTelegram, presses: Sequence[Press], rate: float) -> dict[str, float]:
    """Press at `rate` per second without waiting for answers; then wait for them all."""
    pressed: dict[str, float] = {}
    start = time.monotonic()
    for i, chosen in enumerate(presses):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        user, message, label = chosen()
        at = time.time()
        pressed[user.press_button(message, label)] = at
    await answered(fake, list(pressed), limit=120)
    return pressed


# -- our bot -----------------------------------------------------------------------------


async def seed(st: Stage, cases: int, first_year: int) -> list[str]:
    """`cases` cases at step 2 (the Kadin disposed them when starting); their codes."""
    codes = []
    for i in range(cases):
        started = await st.runtime.service.start_from_letter(
            "kadin", "pelaporan_kinerja", "TW2", first_year + i, LETTER, FORM
        )
        codes.append(started.transition.state.code)
    await st.settle(limit=120)
    return codes


def checklist_of(st: Stage, code: str) -> tuple[FakeUser, BotMessage]:
    """Who holds the case's step 2 checklist, and its message as it is now."""
    for user in st.users.values():
        found = [m for m in user.transcript if code in m.text and "Langkah 2:" in m.text]
        if found:
            return user, user.message(found[-1].message_id)
    raise AssertionError(f"nobody has the step 2 message of {code}")


class Checklists:
    """Each case's checklist message, found once: reading a transcript copies every
    message in it, far too slow to do before each press of the load run (the harness
    shares the event loop with the bot it measures)."""

    def __init__(self, st: Stage, codes: Sequence[str]) -> None:
        self._where: dict[str, tuple[FakeUser, int]] = {}
        for code in codes:
            user, message = checklist_of(st, code)
            self._where[code] = (user, message.message_id)

    def next_press(self, code: str) -> tuple[FakeUser, BotMessage, str]:
        """What the officer presses next on the checklist as they see it now: "Selesai"
        once every item is ticked, else the first open item (again, if its edit is on its
        way)."""
        user, message_id = self._where[code]
        message = user.message(message_id)
        labels = message.button_texts
        if "Selesai" in labels:
            return user, message, "Selesai"
        return user, message, next(label for label in labels if label.startswith("⬜"))


async def walk_to(st: Stage, cases: int, first_year: int, step_key: str) -> list[CaseState]:
    """`cases` cases walked by the service (straight path) until `step_key` is open."""
    runtime = st.runtime
    sop = runtime.sops["pelaporan_kinerja"]
    ctx = runtime.service.context(sop)
    states = []
    for i in range(cases):
        state = (
            await runtime.service.start_case("kadin", sop.key, "TW2", first_year + i, LETTER)
        ).state
        while state.step_key != step_key:
            actor, action = next_happy_action(ctx, state)
            if isinstance(action, AttachFile):
                data = tiny_docx(f"draf {state.code}")
                ref = await runtime.service.store_upload(data, "draf.docx", action.file.mime)
                action = AttachFile(action.task, ref, item=action.item)
            state = (await runtime.service.act(actor, state.id, action)).state
        states.append(state)
    await st.settle(limit=600)
    return states


def task_message_of(
    st: Stage, state: CaseState, number: int, button: str
) -> tuple[FakeUser, BotMessage]:
    """The holder of the case's open task and its message (step `number`, with `button`)."""
    [task] = state.open_tasks()
    user = st.user(task.assignee)
    marker = f"Langkah {number}:"
    for message in reversed(user.transcript):
        if (
            state.code in message.text
            and marker in message.text
            and button in message.button_texts
        ):
            return user, message
    raise AssertionError(f"{task.assignee} has no step {number} message of {state.code}")


async def press_and_time(
    st: Stage,
    user: FakeUser,
    message: BotMessage,
    label: str,
    into: dict[str, float],
    counted: Transactions,
) -> list[Counter[str]]:
    """Press, note when, wait for the answer and the delivery; the transactions counted
    before the answer."""
    counted.at_answer.clear()
    at = time.time()
    query = user.press_button(message, label)
    into[query] = at
    await answered(st.fake, [query])
    await st.settle(limit=120)
    return list(counted.at_answer)


async def figures(folder: Path, cases: int, rate: float, seconds: float) -> dict[str, Any]:
    """Ours, the bare bot pressed after each of our presses (`Bare`)."""
    counted = Transactions()
    fake = FakeTelegram(token=STAGE_TOKEN).start()
    try:
        async with (
            bare_beside(folder / "bare") as bare,
            stage(folder / "ours", FakeClock(START), fake) as st,
        ):
            codes = await seed(st, cases, 2100)
            counted.install()
            appends_before = st.runtime.inbox.appends
            freeze_heap()
            ticks: dict[str, float] = {}
            opens: dict[str, float] = {}
            per_press: list[Counter[str]] = []
            for code in codes:
                for label in [*(f"⬜ {item}" for item in ITEMS), "Selesai"]:
                    counted.at_answer.clear()
                    user, message = checklist_of(st, code)
                    at = time.time()
                    query = user.press_button(message, label)
                    (opens if label == "Selesai" else ticks)[query] = at
                    await answered(fake, [query])
                    per_press += counted.at_answer
                    await st.settle(limit=60)
                    await bare.press("opens" if label == "Selesai" else "ordinary")
            approvals: dict[str, float] = {}
            parafs: dict[str, float] = {}
            approve = st.runtime.catalogue.plain("id", "task.button.approve")
            paraf = st.runtime.catalogue.plain("id", "task.button.paraf")
            walked = cases  # each case its own year: codes never collide
            walked_states = await walk_to(st, walked, 2100 + cases, "periksa")
            freeze_heap()
            for state in walked_states:
                user, message = task_message_of(st, state, 5, approve)
                per_press += await press_and_time(st, user, message, approve, approvals, counted)
                await bare.press("approve")
                state = await st.runtime.service.case(state.id)
                user, message = task_message_of(st, state, 6, paraf)
                per_press += await press_and_time(st, user, message, paraf, parafs, counted)
                await bare.press("paraf")
            sequential_appends = st.runtime.inbox.appends - appends_before
            load_cases = await seed(st, max(1, int(rate * seconds) // 6), 2100 + cases + walked)
            checklists = Checklists(st, load_cases)
            freeze_heap()
            await bare.load(rate, seconds)  # just before ours, the machine as it is now
            total_before = Counter(counted.total)
            presses = [
                lambda code=code: checklists.next_press(code)
                for _ in range(6)
                for code in load_cases
            ]
            load = await _paced(fake, presses, rate)
            await st.settle(limit=120)
            delivered = counted.total - total_before
            counted.uninstall()
            return {
                "bare": {
                    phase: bare.latencies(phase)
                    for phase in ("ordinary", "opens", "approve", "paraf", "load")
                },
                "ordinary": latencies_ms(fake, ticks),
                "opens": latencies_ms(fake, opens),
                "approve": latencies_ms(fake, approvals),
                "paraf": latencies_ms(fake, parafs),
                "load": latencies_ms(fake, load),
                "before_answer": per_press,
                "inbox_appends": sequential_appends,
                "load_total": delivered,
                "load_presses": len(presses),
            }
    finally:
        counted.uninstall()
        fake.stop()


# -- report ------------------------------------------------------------------------------


def row(name: str, bare: Sequence[float], ours: Sequence[float]) -> str:
    b50, b99, o50, o99 = p(bare, 0.5), p(bare, 0.99), p(ours, 0.5), p(ours, 0.99)
    r50, r99 = o50 / b50, o99 / b99
    met = "met" if r50 <= GOAL_P50 and r99 <= GOAL_P99 else "NOT met"
    return (
        f"{name:<40} {b50:6.1f} / {b99:6.1f}   {o50:6.1f} / {o99:6.1f}   "
        f"{r50:4.1f}x / {r99:4.1f}x  {met} (n={len(ours)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=20, help="cases pressed one at a time")
    parser.add_argument("--rate", type=float, default=30.0, help="presses per second (load)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours = asyncio.run(figures(folder, args.cases, args.rate, args.seconds))
    bare = ours["bare"]
    load = os.getloadavg()
    print(f"goal: ours within {GOAL_P50:.0f}x the bare bot at p50 and {GOAL_P99:.0f}x at p99")
    print(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"({os.cpu_count()} CPUs)"
    )
    print(f"{'press -> answer, ms':<40} {'bare p50 / p99':>15}   {'ours p50 / p99':>15}   ratio")
    print(row("ordinary press (checklist tick)", bare["ordinary"], ours["ordinary"]))
    print(row("press that opens the next step (Selesai)", bare["opens"], ours["opens"]))
    print(row("approve (step 5, opens the paraf)", bare["approve"], ours["approve"]))
    print(row("paraf (step 6, opens the Kabid review)", bare["paraf"], ours["paraf"]))
    print(row(f"{args.rate:.0f} presses/s for {args.seconds:.0f} s", bare["load"], ours["load"]))
    before = Counter(tuple(sorted(c.items())) for c in ours["before_answer"])
    shown = ", ".join(f"{dict(k)} x{n}" for k, n in before.most_common())
    print(f"transactions before the answer (goal: 1 read + 1 write): {shown}")
    presses = len(ours["before_answer"])
    print(
        f"inbox appends, apart (own connection, no fsync): {ours['inbox_appends']} "
        f"for {presses} presses"
    )
    total, n = ours["load_total"], ours["load_presses"]
    print(
        f"transactions per press, delivery included (load run): "
        f"{total['read'] / n:.1f} reads, {total['write'] / n:.1f} writes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
