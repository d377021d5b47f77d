"""The kill switch itself: it kills exactly where and when asked, and nowhere else."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import crashpoints
from bot.crashpoints import CRASH_ENV, FAKE_NOW_ENV, POINTS, SIGNAL_ENV, parse_spec

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r"""\bcrashpoint\(\s*["']([a-z_.]+)["']""")


def code_points() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "handlers", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            found |= set(CALL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_kill_point_in_the_code_is_registered_and_every_registered_one_exists() -> None:
    assert code_points() == set(POINTS)


def test_specs_name_a_point_an_optional_detail_and_hit() -> None:
    assert parse_spec(None) is None
    assert parse_spec("  ") is None
    armed = parse_spec("service.committed:Approve#2", "TERM")
    assert armed is not None
    assert (armed.point, armed.hit, armed.signum) == (
        "service.committed:Approve",
        2,
        signal.SIGTERM,
    )
    assert parse_spec("upload.stored").hit == 1  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [("upload.stord", "no kill point 'upload.stord'"), ("upload.stored#0", "counts from 1")],
)
def test_a_mistyped_spec_is_refused_rather_than_never_firing(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        parse_spec(spec)


def test_unarmed_it_does_nothing_and_costs_next_to_nothing() -> None:
    assert crashpoints._ARMED is None  # the test run itself is never armed
    started = time.perf_counter()
    for _ in range(100_000):
        crashpoints.crashpoint("service.committed", "Approve")
    assert time.perf_counter() - started < 0.5


SCRIPT = """
from bot.crashpoints import crashpoint
for n in range(3):
    print("pass", n, flush=True)
    crashpoint("service.committed", "Approve" if n else "Tick")
print("survived", flush=True)
"""


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL semantics")
@pytest.mark.parametrize(
    ("spec", "passes"),
    [
        ("service.committed", 1),  # the first pass, whatever its detail
        ("service.committed#3", 3),
        ("service.committed:Approve", 2),  # the first pass with that detail
        ("service.committed:Approve#2", 3),
    ],
)
def test_armed_it_kills_the_process_at_once_on_the_chosen_pass(spec: str, passes: int) -> None:
    done = run({CRASH_ENV: spec})
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split("\n")[:-1] == [f"pass {n}" for n in range(passes)]
    assert f"crashpoint {spec.partition('#')[0]}#" in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM semantics")
def test_a_point_armed_elsewhere_or_past_its_passes_lets_the_process_live() -> None:
    assert run({CRASH_ENV: "upload.stored"}).stdout.endswith("survived\n")
    assert run({CRASH_ENV: "service.committed#4"}).stdout.endswith("survived\n")
    terminated = run({CRASH_ENV: "service.committed", SIGNAL_ENV: "TERM"})
    assert terminated.returncode == -signal.SIGTERM  # no handler here: TERM ends it too


def test_the_pinned_clock_is_only_for_the_rig_and_needs_an_offset() -> None:
    assert crashpoints.pinned_clock_from_env({}) is None
    clock = crashpoints.pinned_clock_from_env({FAKE_NOW_ENV: "2026-07-06T09:00:00+07:00"})
    assert clock is not None and clock.now() == datetime(2026, 7, 6, 2, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="UTC offset"):
        crashpoints.pinned_clock_from_env({FAKE_NOW_ENV: "2026-07-06T09:00:00"})
