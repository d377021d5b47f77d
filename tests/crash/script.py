"""The case the crash rig walks: the quarterly report from disposition to distribution.

Written as what each officer does and what they expect to see, with one return at
step 5 so a reason dialog and a second draft round are on the way. Each `Intention` is
one thing a person means to do (tick an item, answer a prompt chain, send a file); the
rig retries an intention the bot died in, the way a person does when no answer came.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.docs import report_docx

ACKED = "✓ Tercatat."
REASON_SAVED = "Alasan tercatat dan disampaikan."
DRAFT_RECEIVED = "Draf versi"


@dataclass(frozen=True, slots=True)
class Press:
    step: int
    button: str
    answer: str | None = ACKED  # the callback answer that acknowledges it
    prompt: str | None = None  # or: the press opens a dialog that asks this
    shows: str | None = None  # or: the press only changes the buttons to show this


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    expect: str


@dataclass(frozen=True, slots=True)
class Upload:
    name: str
    data: bytes
    expect: str = DRAFT_RECEIVED


@dataclass(frozen=True, slots=True)
class Photo:
    data: bytes
    expect: str = ACKED


Input = Press | Say | Upload | Photo


@dataclass(frozen=True, slots=True)
class Intention:
    label: str
    actor: str
    inputs: tuple[Input, ...]
    commits: bool = True  # False: only the buttons change (an order selection)


PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4

CHECKLIST = ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan")
RECIPIENTS = ("Bupati Contoh", "Inspektorat Kabupaten Contoh", "Bappeda Kabupaten Contoh")
PROOF_PROMPT = "bukti pengiriman"


def _intentions() -> tuple[Intention, ...]:
    steps = [
        Intention(
            "1 disposisi",
            "kadin",
            (
                Press(1, "Disposisikan", answer=None, prompt="instruksi disposisi"),
                Say("Segera susun laporan triwulan II", expect="catatan"),
                Say("-", expect=ACKED),
            ),
        )
    ]
    steps += [Intention(f"2 centang {i}", "sakip_1", (Press(2, f"⬜ {i}"),)) for i in CHECKLIST]
    steps += [
        Intention("2 selesai", "sakip_1", (Press(2, "Selesai"),)),
        Intention("3 konsep", "sakip_ketua", (Upload("konsep.docx", report_docx("konsep")),)),
        Intention("3 kirim", "sakip_ketua", (Press(3, "Kirim"),)),
        Intention("4 draf", "staf_1", (Upload("draf.docx", report_docx("draf diketik")),)),
        Intention("4 kirim", "staf_1", (Press(4, "Kirim"),)),
        Intention(
            "5 kembalikan",
            "sekretaris",
            (
                Press(5, "Kembalikan", answer=None, prompt="alasan pengembalian"),
                Say("Tabel capaian belum sesuai format baku", expect=REASON_SAVED),
            ),
        ),
        Intention("4 draf lagi", "staf_1", (Upload("draf2.docx", report_docx("draf baku")),)),
        Intention("4 kirim lagi", "staf_1", (Press(4, "Kirim"),)),
        Intention("5 setujui", "sekretaris", (Press(5, "Setujui"),)),
        Intention("6 paraf", "sekretaris", (Press(6, "Paraf"),)),
    ]
    steps += [
        Intention(f"7 setujui {k}", k, (Press(7, "Setujui"),))
        for k in ("kabid_1", "kabid_2", "kabid_3")
    ]
    steps += [
        Intention("8 paraf", "sekretaris", (Press(8, "Paraf"),)),
        Intention(
            "9 tanda tangan ditanya",
            "kadin",
            (Press(9, "Tanda tangani", answer=None, shows="Ya, tanda tangani"),),
            commits=False,
        ),
        Intention("9 tanda tangan", "kadin", (Press(9, "Ya, tanda tangani"),)),
        Intention(
            "10 pilih",
            "kasubag",
            (Press(10, "⬜ Maya Sari, A.Md.", answer=None, shows="✅ Maya Sari, A.Md."),),
            commits=False,
        ),
        Intention("10 perintahkan", "kasubag", (Press(10, "Perintahkan"),)),
    ]
    for recipient in RECIPIENTS[:2]:
        steps.append(
            Intention(
                f"11 kirim ke {recipient}",
                "staf_2",
                (
                    Press(11, f"⬜ {recipient}", answer=None, prompt=PROOF_PROMPT),
                    Say(f"SRIKANDI 800/{len(recipient)}", expect=ACKED),
                ),
            )
        )
    steps += [
        Intention(
            f"11 kirim ke {RECIPIENTS[2]}",
            "staf_2",
            (Press(11, f"⬜ {RECIPIENTS[2]}", answer=None, prompt=PROOF_PROMPT), Photo(PHOTO)),
        ),
        Intention("11 selesai", "staf_2", (Press(11, "Selesai"),)),
    ]
    return tuple(steps)


CASE: tuple[Intention, ...] = _intentions()
