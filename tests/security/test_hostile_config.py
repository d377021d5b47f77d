"""Config files written wrong in every way: a clear report, never a crash or a bad start.

tests/unit/test_config.py pins one exact message per listed mistake (duplicate officer
keys, two officers with one Telegram id, missing sections, ...) and test_sop_loader.py
does the same for SOP files, with a Hypothesis sweep of every SOP field. What is added
here: a sweep of *every* field of a valid config with a value of every wrong type, each
section left out, and the check `Runtime.build` makes against the SOP — a step whose
role nobody holds, a leader-assigned step whose role has no leader — as the operator
sees it from `python -m bot check-config`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.config import ConfigError
from demo.stage import STAGE_TOKEN, write_stage_config
from fakegram import FakeTelegram
from tests.support.config_files import MISTAKES, parse, valid
from tests.support.figures import record
from tests.support.sop_files import BAD_FILES

WRONG: dict[str, Any] = {
    "an integer": 7,
    "a float": 1.5,
    "a boolean": True,
    "a list": ["x"],
    "a table": {"x": 1},
    "a string": "teks",
    "a date": date(2026, 7, 6),
}
PATH = re.compile(r"^[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*(?: \(from [A-Z_]+\))?: ")


def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every scalar field of the config, tables and arrays walked."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        for index, value in enumerate(data):
            yield from leaves(value, (*path, index))
    else:
        yield path, data


def shown(path: tuple[Any, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def replaced(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(valid())
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


SWEEP = [
    pytest.param(path, kind, id=f"{shown(path)}={kind}")
    for path, value in leaves(valid())
    for kind, wrong in WRONG.items()
    if type(wrong) is not type(value) and not (isinstance(value, list) and kind == "a list")
]


@pytest.mark.parametrize(("path", "kind"), SWEEP)
def test_any_field_with_a_value_of_the_wrong_type_is_reported_by_name(
    path: tuple[Any, ...], kind: str
) -> None:
    try:
        parse(replaced(path, WRONG[kind]))
    except ConfigError as error:
        assert error.errors, "an empty report"
        assert any(e.startswith(shown(path)) for e in error.errors), error.errors
        assert all(PATH.match(e) for e in error.errors), error.errors
        assert not any("Traceback" in e or "object has no attribute" in e for e in error.errors)
        if path[-1] == "token":
            assert not any(
                str(WRONG[kind]) in e for e in error.errors if len(str(WRONG[kind])) > 4
            )
    # Accepted is fine too where the type has a meaning (a NIP written as a number).


@pytest.mark.parametrize("section", sorted(valid()))
def test_a_section_left_out_is_reported_or_defaulted_never_a_crash(section: str) -> None:
    data = valid()
    del data[section]
    try:
        parse(data)
    except ConfigError as error:
        assert any(e.startswith(section) for e in error.errors), error.errors


def test_the_sweep_figures(request: pytest.FixtureRequest) -> None:
    record(request, "security.config: wrong-type values swept", len(SWEEP))
    record(request, "security.config: sections left out", len(valid()))
    record(request, "security.config: listed mistakes (tests/unit)", len(MISTAKES))
    record(request, "security.sop: bad files (tests/unit)", len(BAD_FILES))
    assert len(SWEEP) > 300


# -- what the SOP needs of the people -----------------------------------------------------


def demo_without(tmp_path: Path, fake: FakeTelegram, drop: str) -> Path:
    """The demo config with `drop` (a line, or a whole [[officers]] block) taken out."""
    path = write_stage_config(tmp_path, fake)
    text = path.read_text(encoding="utf-8")
    if drop.startswith("[[officers]]"):
        blocks = text.split("\n\n")
        text = "\n\n".join(b for b in blocks if drop not in b)
    else:
        text = text.replace(drop + "\n", "")
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["check-config", "--config", str(path)])
    return code, capsys.readouterr().err.splitlines()


def test_a_role_the_sop_needs_that_nobody_holds_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        path = demo_without(tmp_path, fake, '[[officers]]\nkey = "kasubag"')
    code, said = check(path, capsys)
    assert code == 2
    assert said == [
        "pelaporan_kinerja: step 10 (perintah_distribusi) needs an officer with role kasubag, "
        "but no officer in the config has it"
    ]


def test_a_step_for_the_leader_of_a_role_without_a_leader_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        path = demo_without(tmp_path, fake, "leader = true")
    code, said = check(path, capsys)
    assert code == 2
    assert len(said) >= 1
    assert all(
        re.fullmatch(
            r"pelaporan_kinerja: step \d+ \(\w+\) goes to the leader of tim_sakip: "
            r"mark one of them with leader = true",
            line,
        )
        for line in said
    ), said


def test_the_demo_config_passes_the_same_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTelegram(token=STAGE_TOKEN) as fake:
        path = write_stage_config(tmp_path, fake)
    assert main(["check-config", "--config", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: OK (10 officers")
