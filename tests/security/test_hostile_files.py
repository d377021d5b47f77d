"""Files that lie about themselves, bombs, empty files, names built to escape a folder.

One running bot (see `live.py`) with the case at step 3, where the Ketua Tim SAKIP must
send the concept draft: every refused file gets its exact answer, no draft version is
added and nothing new is written to the file store. Names are only ever shown, cleaned,
never used as paths: a file named "../../etc/passwd.docx" is kept under its hash.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import cache

import pytest

from bot.core.filecheck import MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES
from demo.stage import Stage
from tests.security.live import LiveStage
from tests.support.chat import press, say, says, start_case, task_message
from tests.support.docs import report_docx

KETUA = 1009
ALLOWED = ".docx, .pdf"
tried: Counter[str] = Counter()
FIGURES = "security.hostile files by class"


async def at_step_3(st: Stage) -> None:
    """The case waits for the Ketua Tim SAKIP's concept draft."""
    await start_case(st)
    kadin, sakip = st.user("kadin"), st.user("sakip_1")
    await press(st, kadin, task_message(kadin, 1), "Disposisikan")
    await say(st, kadin, "Segera susun laporan triwulan II")
    await say(st, kadin, "-")
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        await press(st, sakip, task_message(sakip, 2), f"⬜ {item}")
    await press(st, sakip, task_message(sakip, 2), "Selesai")


@pytest.fixture(scope="module")
def live_setup() -> Callable[[Stage], Awaitable[None]]:
    """This module's bot starts with the case at step 3 (see `at_step_3`)."""
    return at_step_3


def stored(live: LiveStage) -> list[str]:
    return sorted(str(p.relative_to(live.folder)) for p in live.folder.rglob("*") if p.is_file())


def send(live: LiveStage, name: str, data: bytes, kind: str) -> list[str]:
    """The Ketua sends a file; the bot's replies, with the case and store unchanged."""
    user = live.user(KETUA)
    before, files, seen = live.snapshot(), stored(live), len(user.transcript)
    errors = len(live.errors.records)
    user.send_document(name, data)
    live.settle()
    assert live.snapshot() == before, f"{kind} changed the case"
    assert [f for f in stored(live) if "files/" in f] == [f for f in files if "files/" in f]
    assert live.errors.records[errors:] == []
    tried[kind] += 1
    return [m.text for m in user.transcript[seen:]]


def zipped(entries: dict[str, bytes], *, zeros: int = 0, name: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
        if zeros:
            with archive.open(name, "w", force_zip64=True) as handle:
                chunk = bytes(1 << 20)
                for _ in range(zeros // len(chunk) + 1):
                    handle.write(chunk)
    return buffer.getvalue()


@cache
def docx_bomb() -> bytes:
    """A real .docx whose document.xml unpacks to more than the limit (200 MB of zeros)."""
    return zipped(
        {"[Content_Types].xml": b"<Types/>"},
        zeros=MAX_UNCOMPRESSED_BYTES,
        name="word/document.xml",
    )


@cache
def xlsx_bomb() -> bytes:
    return zipped(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},
        zeros=MAX_UNCOMPRESSED_BYTES,
        name="xl/worksheets/sheet1.xml",
    )


def many_entries() -> bytes:
    entries = {"word/document.xml": b"<w:document/>"}
    entries |= {f"word/media/{n}.xml": b"" for n in range(MAX_ZIP_ENTRIES + 1)}
    return zipped(entries)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("laporan.docx", b"ini bukan berkas Word sama sekali", "docx that is not a zip"),
        ("laporan.docx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf named .docx"),
        ("laporan.pdf", report_docx("draf"), "docx named .pdf"),
        ("laporan.docx", zipped({"isi.txt": b"halo"}), "plain zip named .docx"),
        ("setup.docx", b"MZ\x90\x00\x03\x00\x00\x00", "program named .docx"),
        ("foto.jpg", b"\xff\xd8\xff\xe0" + bytes(64), "photo named .jpg as a draft"),
    ],
)
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(
    live: LiveStage, name: str, data: bytes, kind: str
) -> None:
    expected = {
        "photo named .jpg as a draft": says("file.type_refused", filename=name, allowed=ALLOWED)
    }.get(kind, says("upload.not_what_it_claims", filename=name, allowed=ALLOWED))
    assert send(live, name, data, kind) == [expected]


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [
        ("konsep.docx", docx_bomb, "zip bomb .docx"),
        ("data.xlsx", xlsx_bomb, "zip bomb .xlsx"),
        ("konsep.docx", many_entries, "zip with too many entries"),
    ],
)
def test_a_zip_bomb_is_refused_without_unpacking_it(
    live: LiveStage, name: str, make: object, kind: str
) -> None:
    assert callable(make)
    data = make()
    assert len(data) < 1_000_000  # small on the wire ...
    assert send(live, name, data, kind) == [says("upload.unsafe", filename=name, allowed=ALLOWED)]


def test_an_empty_file_is_refused(live: LiveStage) -> None:
    assert send(live, "kosong.docx", b"", "empty file") == [
        says("upload.empty", filename="kosong.docx", allowed=ALLOWED)
    ]


def test_a_file_of_no_known_kind_without_extension_is_refused(live: LiveStage) -> None:
    assert send(live, "README", b"teks biasa", "no extension") == [
        says("file.type_refused", filename="README", allowed=ALLOWED)
    ]


@pytest.mark.parametrize(
    ("name", "shown", "version"),
    [
        ("../../../../etc/passwd.docx", "passwd.docx", 1),
        ("..\\..\\Windows\\System32\\konsep.docx", "konsep.docx", 2),
        ("kon\u202ecod.sep\x00\x07\n.docx", "koncod.sep.docx", 3),
        ("/" * 3, "berkas", 4),
    ],
)
def test_zz_names_with_folders_or_control_characters_are_cleaned_and_never_paths(
    live: LiveStage, name: str, shown: str, version: int
) -> None:
    """Accepted (they are real drafts), shown cleaned, kept under their hash only."""
    user = live.user(KETUA)
    data = report_docx(f"konsep {version}")
    user.send_document(name, data)
    live.settle()
    acknowledged = user.transcript[-1].text
    assert acknowledged.startswith(f"📎 Draf versi {version} diterima untuk ")
    assert acknowledged.endswith(f": {shown} (36,6 kB).")  # the cleaned name, nothing else
    (row,) = [r for r in live.snapshot()["files"] if r[0] == 1 and r[1] == version]
    assert row[3] == shown
    sha = row[2]
    assert (live.st.runtime.files.root / sha[:2] / sha).read_bytes() == data
    outside = [p for p in live.folder.parent.rglob("*") if p.name in ("passwd.docx", "passwd")]
    assert outside == []
    tried["dangerous name"] += 1
