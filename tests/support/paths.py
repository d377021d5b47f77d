"""Where the project's files are, for tests in any folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOP_PATH = ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
FIXTURES = ROOT / "tests" / "fixtures"
