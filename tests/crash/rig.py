"""The crash rig: the real bot process, killed at named points, restarted, and audited.

`Rig` runs `python -m bot run --config <folder>/config.toml` against a `FakeTelegram`
living in the test process, walks `script.CASE` through the stand-in's users (buttons,
typed text, files) and, at each restart, arms the next kill point of its plan
(`SOPBOT_CRASH_AT`). The bot's clock is pinned (`SOPBOT_FAKE_NOW`) so that every run
prints the same words and step 1's deadline reminder is due at the first start.

What is checked, and when:
- after each kill, before the restart: Telegram has received exactly one outbox row
  that the database still calls pending when the kill fell between Telegram's OK and
  the mark (`sender.sent_unmarked`), and none otherwise;
- after each restart: every audit row a user had been told about (an acknowledged
  decision) is still there, unchanged, and every acknowledged draft version is in the
  database and in the file store with the right hash;
- at the end (`compare`): the case is in the same state as in an uninterrupted run, the
  same outbox rows were written and delivered, and each officer received per (case,
  task) exactly as many messages as in that run, plus the duplicates counted above.

Everything runs synchronously: the fake is thread-safe and `wait_for_sync` wakes on each
of its events, so several rigs run side by side in threads.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.core.clock import FakeClock
from bot.core.sop_loader import load_sops
from bot.crashpoints import CRASH_ENV, FAKE_NOW_ENV
from bot.runtime import Runtime
from bot.views.i18n import Catalogue
from demo.stage import load_stage_config, write_stage_config
from fakegram import BotMessage, ButtonNotFound, FakeTelegram, FakeUser
from storage.audit import KEYED_MARKER
from storage.db import Database
from storage.files import FileStore
from tests.crash.script import CASE, DRAFT_RECEIVED, Intention, Photo, Press, Say, Upload
from tests.crash.zygote import Forked, Zygote
from tests.support.engine import LETTER
from tests.support.local_time import JAKARTA
from tests.support.paths import ROOT

CASE_STARTED = datetime(2026, 7, 6, 8, 0, tzinfo=JAKARTA)  # Monday 08.00 WIB
BOT_NOW = "2026-07-06T09:00:00+07:00"  # step 1 (10 minutes) is overdue: its reminder is due
WAIT = 30.0  # seconds before a wait is a failure (each normally takes milliseconds)
KILLED = -int(getattr(signal, "SIGKILL", 9))
FRONT_OFFICE = 1099  # admin_telegram_ids in the stage config: the front office

Key = tuple[str, int, str]  # (send | edit, chat id, text or caption)


class RigFailure(AssertionError):
    pass


@dataclass(frozen=True, slots=True)
class Kill:
    point: str  # as armed: name[:detail][#n]
    during: str  # the intention in progress, or "start-up"
    duplicated: Key | None  # the row Telegram got twice because of this kill


@dataclass
class Rig:
    """One bot on one folder against one stand-in; `plan` lists the kills, in order."""

    folder: Path
    fake: FakeTelegram
    plan: deque[str] = field(default_factory=deque)
    log_level: str = "INFO"
    extra_env: dict[str, str] = field(default_factory=dict)
    kills: list[Kill] = field(default_factory=list)
    zygote: Zygote | None = None  # None: a fresh `python -m bot` per start (slower)
    proc: subprocess.Popen[bytes] | Forked | None = None
    armed: str | None = None
    doing: str = "start-up"
    acked_audit: list[tuple[int, str]] = field(default_factory=list)
    acked_versions: list[int] = field(default_factory=list)
    attempts: int = 0
    starts: int = 0

    def __post_init__(self) -> None:
        self.config_path = write_stage_config(self.folder, self.fake)
        with self.config_path.open("a", encoding="utf-8") as handle:
            handle.write("\n[documents]\npdf = false  # the crash rig checks the .docx only\n")
        self.config, _ = load_stage_config(self.config_path)
        self.users: dict[str, FakeUser] = {}
        self.chats: dict[str, int] = {}
        for officer in self.config.officers:
            assert officer.telegram_id is not None
            self.chats[officer.key] = officer.telegram_id
            self.users[officer.key] = self.fake.user(
                officer.telegram_id,
                officer.name.split(",")[0],
                language_code="id",
                started=True,
            )
        catalogue = Catalogue.load()
        refusals = [k for k in catalogue if k.startswith("refusal.")]
        self.confusion = [
            catalogue.plain("id", k, **{p: "" for p in catalogue.placeholders(k)}).split(":")[0]
            for k in [*refusals, "workflow.text_not_understood", "common.error"]
        ]
        self.log_path = self.folder / "bot.log"
        self.born = time.monotonic()

    # -- the bot process ----------------------------------------------------------------

    @property
    def database(self) -> Path:
        return self.config.storage.database

    def start_case_offline(self) -> None:
        """The case begins before the bot runs: its first rows wait in the outbox."""

        async def start() -> None:
            runtime = Runtime.build(self.config, dict(load_sops(self.config.sops)), clock)
            await runtime.db.open()
            try:
                await runtime.service.start_case("kadin", "pelaporan_kinerja", "TW2", 2026, LETTER)
            finally:
                await runtime.db.close()

        clock = FakeClock(CASE_STARTED)
        asyncio.run(start())

    def spawn(self) -> None:
        env = {**os.environ, FAKE_NOW_ENV: BOT_NOW, "PYTHONUNBUFFERED": "1", **self.extra_env}
        env.pop(CRASH_ENV, None)
        self.armed = self.plan.popleft() if self.plan else None
        if self.armed is not None:
            env[CRASH_ENV] = self.armed
        argv = ["--log-level", self.log_level, "run", "--config", str(self.config_path)]
        self.note(f"start {self.starts + 1}, armed: {self.armed}")
        if self.zygote is not None:
            self.proc = self.zygote.launch(argv, env, self.log_path)
        else:
            with self.log_path.open("ab") as log:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "bot", *argv],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
        self.starts += 1

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.alive:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=WAIT)

    def note(self, what: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            since = time.monotonic() - self.born
            log.write(f"--- {since:.2f} s ({datetime.now():%H:%M:%S.%f}): {what}\n")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, message: str) -> RigFailure:
        return RigFailure(
            f"{message}\n(doing {self.doing!r}, armed {self.armed})\n{self.log_tail()}"
        )

    # -- walking the case ---------------------------------------------------------------

    def run(self) -> None:
        self.start_case_offline()
        self.spawn()
        self.settle()
        for intention in CASE:
            self.doing = intention.label
            self.note(f"doing {intention.label}")
            self.perform(intention)
            self.settle()
        self.doing = "the end"
        if self.armed is not None or self.plan:
            raise self.fail(f"kill points never reached: {[self.armed, *self.plan]}")

    def perform(self, intention: Intention) -> None:
        base = self.audit_count()
        for _ in range(8):
            if intention.commits and self.audit_count() > base:
                return  # an earlier attempt committed; only its acknowledgement was lost
            if not intention.commits and self.shows(intention):
                return
            self.attempts += 1
            outcome = self.attempt(intention)
            if outcome == "acked":
                if intention.commits and self.audit_count() <= base:
                    raise self.fail("acknowledged, but nothing is in the audit log")
                self.remember_acknowledged(intention)
                return
            if outcome == "died":
                self.on_death()
        raise self.fail(f"{intention.label}: no success after 8 attempts")

    def attempt(self, intention: Intention) -> str:
        user = self.users[intention.actor]
        for item in intention.inputs:
            before = len(user.transcript)
            if isinstance(item, Press):
                outcome = self.press(user, item)
            elif isinstance(item, Say):
                user.send_text(item.text)
                outcome = self.await_reply(user, before, item.expect)
            elif isinstance(item, Upload):
                user.send_document(item.name, item.data)
                outcome = self.await_reply(user, before, item.expect)
            else:
                assert isinstance(item, Photo)
                user.send_photo(item.data)
                outcome = self.await_reply(user, before, item.expect)
            if outcome != "ok":
                return outcome
        return "acked"

    def press(self, user: FakeUser, press: Press) -> str:
        found = self.wait(lambda: self.task_message(user, press.step, press.button) or None)
        if found == "died":
            return "died"
        assert isinstance(found, BotMessage)
        before = len(user.transcript)
        try:
            query = user.press_button(found, press.button)
        except ButtonNotFound:  # edited away between the look and the press
            return "confused"

        def outcome() -> str | None:
            answer = user.callback_answer(query)
            if press.prompt is not None:
                return self.reply_outcome(user, before, press.prompt)
            if press.shows is not None:
                if self.task_message(user, press.step, press.shows) is not None:
                    return "ok"
            elif answer.answered and answer.text == press.answer:
                return "ok"
            if answer.answered and answer.text and answer.text != press.answer:
                return "confused"
            return None

        result = self.wait(outcome)
        return "died" if result == "died" else str(result)

    def await_reply(self, user: FakeUser, before: int, expect: str) -> str:
        result = self.wait(lambda: self.reply_outcome(user, before, expect))
        return str(result)

    def reply_outcome(self, user: FakeUser, before: int, expect: str) -> str | None:
        for message in user.transcript[before:]:
            if expect in message.text:
                if expect.startswith(DRAFT_RECEIVED):
                    match = re.search(r"Draf versi (\d+) diterima", message.text)
                    assert match is not None
                    self.acked_versions.append(int(match.group(1)))
                return "ok"
            if any(c and message.text.startswith(c) for c in self.confusion):
                return "confused"
        return None

    def wait(self, predicate: Callable[[], object]) -> object:
        """The predicate's first truthy value, or "died" when the bot process is gone."""

        def check() -> object:
            value = predicate()
            if value:
                return value
            return None if self.alive else "died"

        try:
            return self.fake.wait_for_sync(check, timeout=WAIT, recheck=0.02)
        except TimeoutError as exc:
            raise self.fail(f"timed out: {exc}") from None

    def settle(self) -> None:
        """Wait until every update is taken and every outbox row and job is done."""
        while True:
            result = self.wait(lambda: "idle" if self.drained() else None)
            if result != "died":
                return
            self.on_death()

    def drained(self) -> bool:
        if self.fake.pending_updates:
            return False
        with self.db() as conn:
            pending = conn.execute(
                "SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL)"
                " + (SELECT COUNT(*) FROM jobs WHERE done_at IS NULL)"
                " + (SELECT COUNT(*) FROM inbox WHERE done_at IS NULL)"
            ).fetchone()[0]
        return pending == 0

    def up(self) -> bool:
        """The newest start has got as far as PTB's "Application started" (its signal
        handlers are in place: a SIGTERM from now on is a graceful stop, not a death)."""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        since = text.rpartition(f"start {self.starts}, armed:")[2]
        return "Application started" in since

    def replayed(self) -> bool:
        """The updates the last death left unfinished are handled (replayed at start)."""
        with self.db() as conn:
            return not conn.execute("SELECT 1 FROM inbox WHERE done_at IS NULL").fetchone()

    def shows(self, intention: Intention) -> bool:
        press = intention.inputs[0]
        assert isinstance(press, Press) and press.shows is not None
        user = self.users[intention.actor]
        return self.task_message(user, press.step, press.shows) is not None

    @staticmethod
    def task_message(user: FakeUser, step: int, button: str) -> BotMessage | None:
        """The newest message of the step that carries `button`."""
        marker = f"Langkah {step}:"
        for message in reversed(user.transcript):
            if marker in message.text and button in message.button_texts:
                return message
        return None

    # -- deaths and what must have survived them ----------------------------------------

    def on_death(self) -> None:
        assert self.proc is not None
        code = self.proc.wait(timeout=WAIT)
        self.note(f"died ({code}) while {self.doing}")
        if code != KILLED or self.armed is None:
            raise self.fail(f"the bot stopped by itself (exit status {code})")
        point, _, hit = self.armed.partition("#")
        said = f"crashpoint {point}#{hit or 1}:"
        if said not in self.log_tail(5):
            raise self.fail(f"killed, but not at {self.armed}")
        duplicated = self.check_deliveries_at_kill(self.armed)
        self.kills.append(Kill(self.armed, self.doing, duplicated))
        self.spawn()
        self.check_acknowledged()
        # A person retries only after the bot has handled what it had received: an update
        # in hand at the kill is replayed at start and must take effect once, unrepeated.
        if self.wait(lambda: "replayed" if self.replayed() else None) == "died":
            self.on_death()

    def check_deliveries_at_kill(self, point: str) -> Key | None:
        """Rows Telegram has but the database calls pending: one only between OK and mark."""
        rows = self.outbox_rows()
        excess = self.delivered() - self.expected_deliveries()
        pending = {self.key_of(row) for row in rows if row["sent_at"] is None}
        outbox = {self.key_of(row) for row in rows}  # handlers' own replies are not counted
        extra = [key for key, n in excess.items() if n > 0 and key in outbox]
        if point.startswith("sender.sent_unmarked"):
            if len(extra) != 1 or extra[0] not in pending or excess[extra[0]] != 1:
                raise self.fail(f"expected exactly one row sent but unmarked, got {extra}")
            return extra[0]
        # Delivery also runs beside the handler (the outbox retry job, a PDF finished in the
        # background), so a kill anywhere may land inside that drain between a send and its
        # mark: at most that one row, still pending, delivered once. More is a bug.
        if len(extra) > 1 or any(key not in pending or excess[key] != 1 for key in extra):
            raise self.fail(f"rows delivered without being marked: {extra}")
        return extra[0] if extra else None
        return None

    def expected_deliveries(self) -> Counter[Key]:
        expected = Counter(self.key_of(r) for r in self.outbox_rows() if r["sent_at"] is not None)
        expected.update(k.duplicated for k in self.kills if k.duplicated is not None)
        return expected

    def check_acknowledged(self) -> None:
        with self.db() as conn:
            rows = dict(conn.execute("SELECT id, hash FROM audit_log").fetchall())
            files = {
                int(r[0]): str(r[1])
                for r in conn.execute("SELECT number, sha256 FROM files WHERE case_id = 1")
            }
        for row_id, digest in self.acked_audit:
            if rows.get(row_id) != digest:
                raise self.fail(f"acknowledged audit row {row_id} lost or changed")
        store = FileStore(self.config.storage.files)
        for version in self.acked_versions:
            if version not in files:
                raise self.fail(f"acknowledged draft version {version} is not in the database")
            store.get_sync(files[version])  # raises FileMissing / FileCorrupt

    def remember_acknowledged(self, intention: Intention) -> None:
        if not intention.commits:
            return
        with self.db() as conn:
            self.acked_audit += conn.execute("SELECT id, hash FROM audit_log").fetchall()

    # -- reading the database and the fake ------------------------------------------------

    def db(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.database, timeout=10)
        conn.row_factory = sqlite3.Row
        return _Closing(conn)  # type: ignore[return-value]

    def audit_count(self) -> int:
        with self.db() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])

    def outbox_rows(self) -> list[sqlite3.Row]:
        with self.db() as conn:
            return conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()

    def chat_of(self, row: sqlite3.Row) -> int:
        if row["chat_id"] is not None:
            return int(row["chat_id"])
        officer = str(row["officer_key"])
        return int(officer[3:]) if officer.startswith("tg:") else self.chats[officer]

    def key_of(self, row: sqlite3.Row) -> Key:
        payload = json.loads(row["payload_json"])
        text = payload.get("caption") if row["kind"] == "document" else payload.get("text")
        return (_ROW_METHOD[row["kind"]], self.chat_of(row), text or "")

    def delivered(self) -> Counter[Key]:
        """Every message-carrying Bot API call so far, by (what it does, chat, text): a
        task on a file the chat has already goes as a text replying to it, and a task's
        edit is a caption's when the task is a file, so the calls count as sends and edits."""
        return Counter(
            (
                _CALL_METHOD[c.method],
                int(c.params.get("chat_id", 0)),
                c.params.get("text") or c.params.get("caption") or "",
            )
            for c in self.fake.calls
            if c.method in _CALL_METHOD
        )


_ROW_METHOD = {"send": "send", "edit": "edit", "document": "send"}
_CALL_METHOD = {
    "sendMessage": "send",
    "sendDocument": "send",
    "editMessageText": "edit",
    "editMessageCaption": "edit",
}


class _Closing:
    """`with rig.db() as conn`: a connection closed on exit (sqlite3's own only commits)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


# -- comparing a crashed run with an uninterrupted one ------------------------------------------


def case_state(rig: Rig) -> dict[str, Any]:
    """The case as the database holds it, without times, hashes of rendered files, or ids."""
    with rig.db() as conn:

        def rows(sql: str, drop: Iterable[str] = ()) -> list[dict[str, Any]]:
            out = []
            for r in conn.execute(sql).fetchall():
                out.append(
                    {k: r[k] for k in r.keys() if not k.endswith("_at") and k not in drop}  # noqa: SIM118 - a Row iterates values
                )
            return out

        documents = [
            {**d, "text": docx_text(rig, d["sha256"]) if d["format"] == "docx" else None}
            for d in rows("SELECT * FROM documents ORDER BY kind, format, source")
        ]
        for d in documents:
            d.pop("sha256"), d.pop("id")
        return {
            "cases": rows("SELECT * FROM cases"),
            "tasks": rows("SELECT * FROM tasks ORDER BY case_id, seq"),
            "files": [  # a photo is named after its message id, which a retry changes
                {**f, "filename": re.sub(r"^foto_\d+", "foto_N", f["filename"])}
                for f in rows("SELECT * FROM files ORDER BY case_id, number")
            ],
            "audit": [  # each rig keys its chain with its own key: its id differs
                {**a, "data_json": "key id"} if a["action"] == KEYED_MARKER else a
                for a in rows(
                    "SELECT * FROM audit_log ORDER BY id", drop=("id", "at", "hash", "prev_hash")
                )
            ],
            "documents": documents,
            "outbox": sorted(
                json.dumps(
                    {
                        **{k: r[k] for k in ("kind", "officer_key", "case_id", "task_seq")},
                        "payload": _without_rendered_hash(json.loads(r["payload_json"])),
                    },
                    sort_keys=True,
                )
                for r in rig.outbox_rows()
            ),
            "unsent": [dict(r) for r in rig.outbox_rows() if r["sent_at"] is None],
        }


def _without_rendered_hash(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k != "sha256"}


def docx_text(rig: Rig, sha256: str) -> str:
    """The words of a stored .docx (zip entries carry times, so bytes differ run to run)."""
    data = FileStore(rig.config.storage.files).get_sync(sha256)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    return re.sub(r"<[^>]+>", "", xml)


def per_task(rig: Rig, calls: Counter[Key]) -> Counter[tuple[str, int | None, int | None]]:
    """Messages each officer received per (case, task), counted on Telegram's side."""
    owners: dict[Key, tuple[str, int | None, int | None]] = {}
    for row in rig.outbox_rows():
        owners[rig.key_of(row)] = (str(row["officer_key"]), row["case_id"], row["task_seq"])
    counted: Counter[tuple[str, int | None, int | None]] = Counter()
    for key, n in calls.items():
        if key in owners:
            counted[owners[key]] += n
    return counted


def count(rig: Rig, sql: str, *params: object) -> int:
    with rig.db() as conn:
        return int(conn.execute(sql, params).fetchone()[0])


def prepared(tmp_path: Path, fake: FakeTelegram, zygote: Zygote, until: str, point: str) -> Rig:
    """The case walked (unarmed) up to the intention `until`; the bot restarted armed with
    `point`, ready for one input that the test makes by hand."""
    rig = Rig(tmp_path, fake, zygote=zygote)
    rig.start_case_offline()
    rig.spawn()
    rig.settle()
    labels = [i.label for i in CASE]
    for intention in CASE[: labels.index(until)]:
        rig.doing = intention.label
        rig.perform(intention)
        rig.settle()
    assert rig.stop() == 0
    rig.plan.append(point)
    rig.spawn()
    rig.settle()
    rig.doing = until
    return rig


def die_and_restart(rig: Rig) -> None:
    """Wait for the kill at the armed point, restart unarmed, let the replay finish."""
    assert rig.wait(lambda: None) == "died"
    rig.on_death()  # checks the kill point, restarts, waits until the inbox is done
    rig.settle()
    assert rig.wait(lambda: rig.up() or None) != "died"  # a stop now is a graceful one
    assert [k.point for k in rig.kills] == [rig.kills[0].point]


def elapsed(started: float) -> float:
    return round(time.monotonic() - started, 2)


def say(rig: Rig, user: FakeUser, text: str, expect: str) -> None:
    """Type `text` and wait for the bot's answer that contains `expect`."""
    before = len(user.transcript)
    user.send_text(text)
    assert rig.await_reply(user, before, expect) == "ok", rig.log_tail()


def choose(rig: Rig, user: FakeUser, button: str, expect: str) -> None:
    """Press `button` on the newest message that has it; wait for `expect`."""
    message = next(m for m in reversed(user.transcript) if button in m.button_texts)
    before = len(user.transcript)
    user.press_button(message, button)
    assert rig.await_reply(user, before, expect) == "ok", rig.log_tail()


async def create_database(path: Path) -> None:
    """The schema before the bot's first start (the rig reads it while waiting)."""
    async with Database(path):
        pass
