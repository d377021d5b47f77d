"""The story the demo tells: one quarterly report, start to distribution, in eight working days.

Dinas Pendidikan Kabupaten Contoh (the demo Dinas of `templates/demo/config.toml`) gets
the Bupati's letter asking for the Triwulan II 2026 performance report. The front office
registers it with /mulai; the Kadin disposes it; the Tim SAKIP collects the material and
writes the concept; a clerk types it. The Sekretaris returns the first typed draft (the
achievement table lacks the standard "Predikat" column); a Kepala Bidang returns the
next one (the budget realisation was not updated to 30 June); another Kepala Bidang
lets his hour pass and is reminded, then escalated to the Sekretaris, and figures in
Monday's digest. The Kadin goes on leave from Monday: on Friday the front office records
the Sekda's Surat Perintah making her Plh Kadin (/wakil), so on Monday she signs as
"Plh. Kepala Dinas Pendidikan". Then the order to distribute, and the distribution with
a photographed receipt, an e-office number and an e-mail.

Every officer acts only through Telegram (the stand-in); only the clock is the demo's.
Times are chosen so that every step but the late Kabid keeps its time standard, which
makes the closing summary's comparison meaningful.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from demo.actors import Actors
from demo.stage import DEMO_CONFIG

__all__ = ["CASE_CODE", "SAMPLES", "play"]

SAMPLES: Final = DEMO_CONFIG.parent  # templates/demo/
CASE_CODE: Final = "LKT-2026-TW2"

MON, TUE, WED, THU, FRI = (date(2026, 7, d) for d in (6, 7, 8, 9, 10))
NEXT_MON: Final = date(2026, 7, 13)
PLH_FROM, PLH_TO = NEXT_MON, date(2026, 7, 15)  # the Kadin's leave

FRONT_OFFICE: Final = "front_office"  # the admin by Telegram id, not an officer

RECIPIENTS: Final = (
    "Bupati Contoh",
    "Inspektorat Kabupaten Contoh",
    "Bappeda Kabupaten Contoh",
)


def sample(name: str) -> Path:
    return SAMPLES / name


async def play(a: Actors) -> None:
    """Run the whole case; each line is one thing one officer does on their phone."""
    await a.at(MON, 8, 0)
    await register_the_letter(a)
    await dispose(a)
    await collect_material(a)
    await write_the_concept(a)
    await type_the_draft(a)
    await review_and_return(a)
    await retype(a)
    await kabid_review_with_a_return(a)
    await revise_and_initial_again(a)
    await kabid_review_with_a_late_kabid(a)
    await initial_sign_and_order(a)
    await distribute(a)
    await ask_for_compliance(a)


async def register_the_letter(a: Actors) -> None:
    """Step 0, outside the SOP: the front office registers the Bupati's letter (/mulai)."""
    await a.type(FRONT_OFFICE, "/mulai")
    await a.press(FRONT_OFFICE, "⭐ Triwulan II")
    await a.press(FRONT_OFFICE, "⭐ 2026")
    await a.type(FRONT_OFFICE, "Bupati Contoh")
    await a.type(FRONT_OFFICE, "050/123/Bag.Org/2026")
    await a.type(FRONT_OFFICE, "1/7/2026")
    await a.type(FRONT_OFFICE, "Penyampaian Laporan Kinerja Triwulan II Tahun 2026")
    await a.type(FRONT_OFFICE, "0456")
    await a.press(FRONT_OFFICE, "Segera")
    await a.send_photo(FRONT_OFFICE, sample("surat_bupati.jpg"))
    await a.press(FRONT_OFFICE, "Mulai")


async def dispose(a: Actors) -> None:
    """Step 1 (Kadin, 10 menit): the disposition, with an instruction."""
    await a.press("kadin", "Disposisikan")
    await a.type("kadin", "Segera susun Laporan Kinerja TW II; koordinasikan dengan para Kabid.")
    await a.type("kadin", "Paling lambat dikirim 14 Juli 2026.")


async def collect_material(a: Actors) -> None:
    """Step 2 (Tim SAKIP, 2 jam): the checklist of source documents."""
    await a.at(MON, 8, 40)
    for item in ("RENSTRA", "RENJA", "DPA", "LKj", "Laporan Bulanan"):
        await a.press("sakip_1", f"⬜ {item}")
    await a.at(MON, 9, 45)
    await a.press("sakip_1", "Selesai")


async def write_the_concept(a: Actors) -> None:
    """Step 3 (Ketua Tim SAKIP, 1 minggu): the concept, and the indicator sheet behind it."""
    await a.at(TUE, 14, 0)
    await a.send_file("sakip_ketua", sample("konsep_laporan_tw2_2026.docx"))
    await a.press("sakip_ketua", "Unggah data capaian")
    await a.send_file("sakip_ketua", sample("data_capaian_disdik.xlsx"))
    await a.press("sakip_ketua", "Kirim")


async def type_the_draft(a: Actors) -> None:
    """Step 4 (Staf, 3 hari): typed in the standard format; a nudge at half time first."""
    await a.at(THU, 10, 0)
    await a.send_file("staf_1", sample("draf_laporan_tw2_2026_v1.docx"))
    await a.press("staf_1", "Kirim")


async def review_and_return(a: Actors) -> None:
    """Step 5 (Sekretaris, 1 hari): the first return, with its reason."""
    await a.at(THU, 14, 0)
    await a.press("sekretaris", "Kembalikan")
    await a.type(
        "sekretaris",
        "Tabel capaian belum sesuai format baku: kolom Predikat belum ada.",
    )


async def retype(a: Actors) -> None:
    await a.at(THU, 15, 0)
    await a.send_file("staf_1", sample("draf_laporan_tw2_2026_v2.docx"))
    await a.press("staf_1", "Kirim")


async def kabid_review_with_a_return(a: Actors) -> None:
    """Steps 5-7: approved and initialled; the three Kabid review in parallel; one returns."""
    await a.at(FRI, 8, 0)
    await a.press("sekretaris", "Setujui")
    await a.press("sekretaris", "Paraf")
    await a.at(FRI, 8, 30)
    await a.press("kabid_1", "Setujui")
    await a.at(FRI, 8, 40)
    await a.press("kabid_2", "Kembalikan")
    await a.type(
        "kabid_2",
        "Realisasi anggaran Program Pengelolaan Pendidikan belum dimutakhirkan per 30 Juni.",
    )


async def revise_and_initial_again(a: Actors) -> None:
    """Step 5 again: the Sekretaris fixes the draft herself (a new version) and approves."""
    await a.at(FRI, 10, 0)
    await a.send_file("sekretaris", sample("draf_laporan_tw2_2026_v3.docx"))
    await a.press("sekretaris", "Setujui")
    await a.press("sekretaris", "Paraf")


async def kabid_review_with_a_late_kabid(a: Actors) -> None:
    """Step 7 again: two Kabid agree at once; the third lets his hour pass.

    Reminded at the deadline, escalated to the Sekretaris an hour of working time later,
    reminded again on Monday morning and listed as late in Monday's digest; then agrees.
    """
    await a.at(FRI, 10, 20)
    await a.press("kabid_1", "Setujui")
    await a.at(FRI, 10, 30)
    await a.press("kabid_2", "Setujui")
    await record_the_plh(a)
    await a.at(NEXT_MON, 8, 0)
    await a.press("kabid_3", "Setujui")


async def record_the_plh(a: Actors) -> None:
    """Friday afternoon: the Kadin is on leave next week; the Sekda's Surat Perintah makes
    the Sekretaris Plh Kadin. The front office (the admin who registers letters) records
    it in chat, as it registered the Bupati's; the Sekretaris reads only the notice."""
    await a.at(FRI, 15, 0)
    await a.type(FRONT_OFFICE, "/wakil")
    await a.press(FRONT_OFFICE, "Plh (berhalangan sementara)")
    await a.press(FRONT_OFFICE, "Dr. H. Ahmad Santoso, M.Pd. (Kepala Dinas Pendidikan)")
    await a.press(FRONT_OFFICE, "Sri Wahyuni, S.E., M.M. (Sekretaris Dinas Pendidikan)")
    await a.press(FRONT_OFFICE, "Sekretaris Daerah")
    await a.type(FRONT_OFFICE, "800/045/SP/Setda/2026 2026-07-10")
    await a.type(FRONT_OFFICE, f"{PLH_FROM.isoformat()} {PLH_TO.isoformat()}")


async def initial_sign_and_order(a: Actors) -> None:
    """Steps 8-10: the last paraf, the Plh Kadin's signature, the order to distribute."""
    await a.at(NEXT_MON, 8, 20)
    await a.press("sekretaris", "Paraf")
    await a.at(NEXT_MON, 8, 40)
    await a.press("sekretaris", "Tanda tangani")
    await a.press("sekretaris", "Ya, tanda tangani")
    await a.at(NEXT_MON, 8, 45)
    await a.press("kasubag", "⬜ Maya Sari, A.Md.")
    await a.press("kasubag", "Perintahkan")


async def distribute(a: Actors) -> None:
    """Step 11 (Staf, 60 menit): copies out, each recipient ticked off with its proof."""
    bupati, inspektorat, bappeda = RECIPIENTS
    await a.at(NEXT_MON, 8, 55)
    await a.press("staf_2", f"⬜ {bappeda}")
    await a.type("staf_2", "Dikirim ke bappeda@contohkab.example pukul 08.55")
    await a.at(NEXT_MON, 9, 5)
    await a.press("staf_2", f"⬜ {inspektorat}")
    await a.type("staf_2", "SRIKANDI 800/1234/Disdik/VII/2026")
    await a.at(NEXT_MON, 9, 25)
    await a.press("staf_2", f"⬜ {bupati}")
    await a.send_photo("staf_2", sample("tanda_terima_bupati.jpg"), caption="Tanda terima")
    await a.at(NEXT_MON, 9, 30)
    await a.press("staf_2", "Selesai")


async def ask_for_compliance(a: Actors) -> None:
    """The Kadin asks how the SOP's time standards were kept this year: a summary, the
    timeline chart and the monitoring form of PermenPAN-RB 35/2012 as a .docx."""
    await a.at(NEXT_MON, 10, 0)
    await a.type("kadin", "/kepatuhan")
