"""The offline demo: the README's first command shows a whole case, and leaves its files.

One in-process run (the `played` fixture of conftest.py) is read by several tests; the
command line is run once more as a subprocess, the way a newcomer types it (without
LibreOffice on the PATH,
which also covers the .docx-only path and keeps it quick). A config file without a token
must stop the bot with the key named, never fall back to the demo.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, TOKEN_ENV
from bot.views.i18n import Catalogue
from demo import DemoError, DemoResult
from demo.console import plain_text
from demo.run import MARKER, prepare_folder
from storage.files import FileStore

CODE = "LKT-2026-TW2"
DOCUMENT_KINDS = {"lembar_disposisi", "laporan_baku", "lembar_pengesahan", "laporan_final"}
HAS_LIBREOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


@pytest.fixture(scope="module")
def transcript(played: DemoResult) -> str:
    return played.transcript.read_text(encoding="utf-8")


def opening(key: str, **params: object) -> str:
    """A catalogue message as the user reads it, up to its first unfilled placeholder."""
    catalogue = Catalogue.load()
    cut = "\ue000"
    values = {name: params.get(name, cut) for name in catalogue.placeholders(key)}
    return plain_text(catalogue.text("id", key, **values)).split(cut)[0]


def test_the_case_finishes(played: DemoResult) -> None:
    # How long it takes is a figure for the demo's own summary, not a test: a loaded CI
    # machine must not fail a correct run.
    assert played.finished
    assert played.case_code == CODE


def test_the_readme_shows_lines_the_demo_really_prints(transcript: str) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- demo-transcript", 1)[1].split("```", 2)[1]
    shown = [line.rstrip() for line in block.splitlines() if line.strip()]
    printed = {line.rstrip() for line in transcript.splitlines()}
    assert len(shown) > 5
    assert [line for line in shown if line not in printed] == []


def test_every_step_gets_a_progress_line_in_order(transcript: str) -> None:
    steps = re.findall(r"^── Langkah (\d+)/11(?: · putaran (\d+))?:", transcript, re.M)
    numbers = [int(n) for n, _ in steps]
    # Returned once at step 5 (back to 4) and once at step 7 (back to 5).
    assert numbers == [1, 2, 3, 4, 5, 4, 5, 6, 7, 5, 6, 7, 8, 9, 10, 11]
    assert ("7", "2") in steps and ("5", "3") in steps


def test_the_conversation_shows_who_did_what_and_when(transcript: str) -> None:
    # Simulated local time on every line: the front office registers the letter first.
    assert re.search(r"^Sen 06/07 08\.\d\d WIB  Front office ▸ /mulai$", transcript, re.M)
    # Buttons as the phone shows them, and the presses.
    assert "[Setujui] [Kembalikan]" in transcript
    assert "Dr. H. Ahmad Santoso ▸ [Disposisikan]" in transcript
    assert "Lina Marlina ▸ [⬜ RENSTRA]" in transcript
    # The Kadin is on leave when the report is signed: the front office records the Sekda's
    # Surat Perintah (/wakil) and the Sekretaris signs as Plh.
    assert "Front office ▸ /wakil" in transcript
    assert "Sri Wahyuni ▸ /wakil" not in transcript
    assert "Sri Wahyuni ▸ [Tanda tangani]" in transcript
    assert "Dr. H. Ahmad Santoso ▸ [Tanda tangani]" not in transcript
    assert "Rina Marlina ▸ [Perintahkan]" in transcript
    # Both returns, each with the reason typed after the press.
    assert "Sri Wahyuni ▸ [Kembalikan]" in transcript
    assert 'Sri Wahyuni ▸ "Tabel capaian belum sesuai format baku' in transcript
    assert "Dewi Lestari ▸ [Kembalikan]" in transcript
    assert "Realisasi anggaran Program Pengelolaan Pendidikan belum dimutakhirkan" in transcript
    # Files both ways: the uploads, and the documents the bot sends back.
    assert "Hendra Gunawan ▸ 📎 data_capaian_disdik.xlsx" in transcript
    assert "Agus Salim ▸ 📎 draf_laporan_tw2_2026_v1.docx" in transcript
    assert re.search(r"bot → Maya Sari: 📎 Laporan_Kinerja_\w+_final\.docx", transcript)
    # Distribution with its proofs: an e-mail, an e-office number, a photo.
    assert 'Maya Sari ▸ "SRIKANDI 800/1234/Disdik/VII/2026"' in transcript
    assert "Maya Sari ▸ 🖼 foto tanda_terima_bupati.jpg" in transcript
    assert opening("case.finished", case_code=CODE) in transcript


def test_the_scheduler_nudges_reminds_escalates_and_sends_the_digest(transcript: str) -> None:
    nudge = opening("reminder.half_time", case_code=CODE, number=4)
    assert f"bot → Agus Salim: {nudge}" in transcript
    assert f"bot → Ir. Yusuf Hidayat: {opening('reminder.at_deadline', case_code=CODE)}" in (
        transcript
    )
    escalation = opening("reminder.escalation", case_code=CODE)
    pattern = rf"^Jum 10/07 1\d\.\d\d WIB +bot → Sri Wahyuni: {re.escape(escalation)}"
    assert re.search(pattern, transcript, re.M)
    digest = opening("digest.title", date="Senin, 13 Juli 2026")
    monday = transcript[transcript.index(f"bot → Sri Wahyuni: {digest}") :]
    assert plain_text(Catalogue.load().text("id", "digest.overdue_heading")) in monday[:400]


def test_the_summary_compares_each_round_with_its_standard(transcript: str) -> None:
    summary = transcript[transcript.index(f"Ringkasan {CODE}: selesai") :]
    rows = re.findall(r"^ ?(\d+)\. (.+)$", summary, re.M)
    assert [int(n) for n, _ in rows] == [1, 2, 3, 4, 5, 4, 5, 6, 7, 5, 6, 7, 8, 9, 10, 11]
    late = [row for n, row in rows if "terlambat" in row]
    assert len(late) == 1 and "(putaran 2)" in late[0] and "60 menit" in late[0]
    assert "dikembalikan oleh Sri Wahyuni" in summary
    assert "dikembalikan oleh Dewi Lestari" in summary
    assert "Seluruh proses:" in summary


def test_the_documents_are_copied_from_the_file_store_by_their_names(played: DemoResult) -> None:
    docx = {c.kind for c in played.documents if c.format == "docx"}
    assert docx == DOCUMENT_KINDS
    store = FileStore(played.out / "files")
    for copy in played.documents:
        assert copy.path.parent == played.out / "dokumen"
        data = copy.path.read_bytes()
        assert store.exists(hashlib.sha256(data).hexdigest())  # the very bytes it keeps
        assert copy.path.suffix == f".{copy.format}"
        if copy.format == "docx":
            with zipfile.ZipFile(copy.path) as archive:
                assert "word/document.xml" in archive.namelist()
        else:
            assert data.startswith(b"%PDF-")
    pdfs = {c.kind for c in played.documents if c.format == "pdf"}
    if HAS_LIBREOFFICE:
        assert {"lembar_disposisi", "laporan_final"} <= pdfs
    else:
        assert pdfs == set()


def test_the_demo_ends_with_the_compliance_report_and_its_chart(
    played: DemoResult, transcript: str
) -> None:
    assert re.search(r"bot → Dr\. H\. Ahmad Santoso[^:]*: Kepatuhan SOP — Tahun 2026", transcript)
    kinds = {(c.kind, c.format) for c in played.compliance}
    assert kinds == {("laporan_kepatuhan", "docx"), ("grafik_kepatuhan", "png")}
    for copy in played.compliance:
        assert copy.path.parent == played.out / "dokumen" and copy.path.stat().st_size == copy.size
    [report] = [c.path for c in played.compliance if c.format == "docx"]
    with zipfile.ZipFile(report) as archive:
        document = archive.read("word/document.xml").decode()
        assert any(name.startswith("word/media/") for name in archive.namelist())
    assert "Tidak berjalan dengan baik" in document and "SOP Pelaporan Kinerja" in document
    [chart] = [c.path for c in played.compliance if c.format == "png"]
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_the_database_is_a_fresh_sqlite_file_in_the_output_folder(played: DemoResult) -> None:
    assert played.database == played.out / "sopbot.db"
    assert played.database.read_bytes().startswith(b"SQLite format 3\x00")
    assert (played.out / MARKER).is_file()


def test_a_rerun_wipes_its_own_folder_but_never_a_foreign_one(tmp_path: Path) -> None:
    own = tmp_path / "demo-out"
    prepare_folder(own)
    (own / "old.txt").write_text("from the last run")
    prepare_folder(own)
    assert sorted(p.name for p in own.iterdir()) == [MARKER]

    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_text("precious")
    with pytest.raises(DemoError, match="not made by the demo"):
        prepare_folder(foreign)
    assert (foreign / "chapter1.docx").read_text() == "precious"


def _env_without_token(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    return {**env, **extra}


def test_the_command_line_demo_exits_0_and_leaves_its_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # No LibreOffice on this PATH: the .docx-only path, and a quick run.
    env = _env_without_token(PATH=str(Path(sys.executable).parent))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--demo", "--demo-out", str(out)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Ringkasan {CODE}: selesai" in done.stdout
    assert (out / "sopbot.db").is_file()
    assert (out / "percakapan.txt").read_text(encoding="utf-8") == done.stdout
    names = sorted(p.name for p in (out / "dokumen").iterdir())
    # The case's four documents, then the year's compliance report and its chart.
    compliance = [n for n in names if n.startswith("Laporan_Kepatuhan_SOP_")]
    case_documents = [n for n in names if n not in compliance]
    assert len(case_documents) == 4 and all(n.endswith(".docx") for n in case_documents)
    assert compliance == [
        "Laporan_Kepatuhan_SOP_2026_Disdik.docx",
        "Laporan_Kepatuhan_SOP_2026_Disdik_grafik_1.png",
    ]


def test_a_config_without_a_token_names_the_key_and_never_runs_the_demo(tmp_path: Path) -> None:
    example = (PROJECT_ROOT / "config.example.toml").read_text(encoding="utf-8")
    sop = PROJECT_ROOT / "templates" / "sop" / "pelaporan_kinerja.toml"
    text = re.sub(r"(?m)^sops = .*$", f"sops = [{str(sop)!r}]", example)
    assert 'token = ""' in text
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    for args in (["run"], ["run", "--config", "config.toml"]):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=_env_without_token(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert "1 mistake to fix" in done.stderr
        assert (
            "telegram.token: missing (set it here or in the SOPBOT_TOKEN environment variable)"
            in done.stderr
        )
        assert not (tmp_path / "demo-out").exists()
        assert "Ringkasan" not in done.stdout
