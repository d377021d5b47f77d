"""No test module imports another: shared helpers live in tests/support/ (or next to the tests
of one folder, like tests/crash/rig.py), so a test file can be moved, split or deleted
without breaking a test somewhere else."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(source: str) -> list[str]:
    """The test_* modules that `source` imports, however the import is written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [name for name in names if name.rsplit(".", 1)[-1].startswith("test_")]
    return found


def test_the_check_sees_every_way_of_importing_a_test_module() -> None:
    source = (
        "import tests.e2e.test_case_in_chat\n"
        "from tests.unit.test_config import valid\n"
        "from tests.unit import test_sop_loader\n"
        "from .test_paths import walk\n"
        "def late():\n    from tests.e2e.test_queries import press\n"
        "from tests.support.chat import press\n"
        "import testing\n"
    )
    assert imported_test_modules(source) == [
        "tests.e2e.test_case_in_chat",
        "tests.unit.test_config",
        "tests.unit.test_sop_loader",
        "test_paths",
        "tests.e2e.test_queries",
    ]


def test_no_module_under_tests_imports_a_test_module() -> None:
    files = sorted(TESTS.rglob("*.py"))
    assert len([f for f in files if f.name.startswith("test_")]) > 50
    offenders = {
        str(path.relative_to(TESTS)): imported
        for path in files
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}
