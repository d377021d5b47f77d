"""Start bot processes in milliseconds: fork them from a process that imported the bot once.

A crash test restarts the bot thirty times; `python -m bot run` spends most of a second
importing PTB, docxtpl and the rest before it serves, and several seconds when the
machine is busy. The zygote (`python -m tests.crash.zygote`) imports `bot.__main__` and
everything it serves with, then forks one child per request: each child is a separate
process, killed by a real SIGKILL, that runs exactly `bot.__main__.main(argv)` as
`python -m bot` would, with its own environment. `bot.crashpoints` reads
`SOPBOT_CRASH_AT` when imported, so the child reloads it after setting its environment.

Protocol, one JSON object per line: the test writes {"id", "argv", "env", "log"}; the
zygote answers {"id", "pid"} at once and {"exited": pid, "status": code} when that child ends (a
negative code is the signal that killed it, as `subprocess` reports it).
"""

from __future__ import annotations

import importlib
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _serve() -> None:  # the zygote's main loop (single-threaded: fork is safe)

    handlers = importlib.import_module("bot.app").feature_modules()
    assert handlers
    out = sys.stdout
    inbox = sys.stdin.buffer
    children: set[int] = set()
    pending = b""
    while True:
        ready, _, _ = select.select([inbox], [], [], 0.01)
        if ready:
            chunk = os.read(inbox.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                request = json.loads(line)
                pid = _fork(request)
                children.add(pid)
                out.write(json.dumps({"id": request["id"], "pid": pid}) + "\n")
                out.flush()
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                code = os.waitstatus_to_exitcode(status)
                out.write(json.dumps({"exited": pid, "status": code}) + "\n")
                out.flush()
    for pid in children:  # the test went away: leave nothing running
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def _fork(request: dict[str, Any]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 70
    try:
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(request["env"])
        importlib.reload(importlib.import_module("bot.crashpoints"))
        from bot.__main__ import main

        code = main(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


class Zygote:
    """The test's side: `launch(...)` returns a `Forked`, used like `subprocess.Popen`."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash.zygote"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._lock = threading.Lock()
        self._started = threading.Condition(self._lock)
        self._pids: dict[int, int] = {}  # request id -> pid
        self._requests = 0
        self._exits: dict[int, int] = {}
        self._reader = threading.Thread(target=self._read, name="zygote", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            message = json.loads(line)
            with self._lock:
                if "pid" in message:
                    self._pids[int(message["id"])] = int(message["pid"])
                else:
                    self._exits[int(message["exited"])] = int(message["status"])
                self._started.notify_all()

    def launch(self, argv: list[str], env: dict[str, str], log: Path) -> Forked:
        assert self.proc.stdin is not None
        with self._lock:
            self._requests += 1
            number = self._requests
            request = {"id": number, "argv": argv, "env": env, "log": str(log)}
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
            if not self._started.wait_for(lambda: number in self._pids, timeout=30):
                raise RuntimeError("the zygote did not fork")
            return Forked(self, self._pids[number])

    def exit_status(self, pid: int) -> int | None:
        with self._lock:
            return self._exits.get(pid)

    def wait_exit(self, pid: int, timeout: float) -> int:
        with self._lock:
            if not self._started.wait_for(lambda: pid in self._exits, timeout=timeout):
                raise subprocess.TimeoutExpired(f"bot {pid}", timeout)
            return self._exits[pid]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


class Forked:
    """A bot forked by the zygote, with the part of `subprocess.Popen` the rig uses."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self.zygote = zygote
        self.pid = pid

    def poll(self) -> int | None:
        return self.zygote.exit_status(self.pid)

    def wait(self, timeout: float | None = None) -> int:
        return self.zygote.wait_exit(self.pid, timeout or 3600)

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)


if __name__ == "__main__":
    _serve()
