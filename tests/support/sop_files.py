"""The shipped SOP's text and the broken versions of it that an author could write.

tests/unit/test_sop_loader.py pins the exact message of each bad file; tests/security
counts them.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.sop import Step
from tests.support.paths import SOP_PATH

GOOD = SOP_PATH.read_text(encoding="utf-8")
SEP = "[[steps]]\n"


# -- editing the good file ---------------------------------------------------------------


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def _step_block(blocks: list[str], key: str) -> int:
    hits = [i for i, block in enumerate(blocks) if f'key = "{key}"\n' in block]
    assert len(hits) == 1, f"step {key} found {len(hits)} times"
    return hits[0]


def set_field(text: str, key: str, name: str, value: str | None) -> str:
    """Set (or with None remove) one `name = ...` line of step `key`; add it if absent."""
    blocks = text.split(SEP)
    i = _step_block(blocks, key)
    lines = blocks[i].split("\n")
    hits = [n for n, line in enumerate(lines) if line.startswith(f"{name} = ")]
    assert len(hits) <= 1
    if value is None:
        assert hits, f"step {key} has no {name}"
        del lines[hits[0]]
    elif hits:
        lines[hits[0]] = f"{name} = {value}"
    else:
        lines.insert(1, f"{name} = {value}")
    blocks[i] = "\n".join(lines)
    return SEP.join(blocks)


def add_step(text: str, body: str) -> str:
    return text.rstrip("\n") + "\n\n" + SEP + body


def drop_step(text: str, key: str) -> str:
    blocks = text.split(SEP)
    del blocks[_step_block(blocks, key)]
    return SEP.join(blocks)


ARSIP = """key = "arsip"
number = 12
title = "Mengarsipkan laporan"
roles = ["staf"]
assign = "any"
kind = "action"
time = "1 hari"
next = "tanda_tangan"
"""

STEP_KEYS = ", ".join(f.name for f in dataclasses.fields(Step))
UNREACHABLE = (
    'unreachable: no path of next or return_to leads here from the first step "disposisi"'
)


# -- one mistake, one message ---------------------------------------------------------------

BAD_FILES = [
    pytest.param(
        set_field(GOOD, "disposisi", "key", None),
        ["steps[0].key: missing (required)"],
        id="missing-step-key",
    ),
    pytest.param(
        add_step(GOOD, ARSIP.replace('"arsip"', '"ketik"')),
        ['steps[11] (ketik).key: duplicate step key "ketik" (also steps[3])'],
        id="duplicate-step-key",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "key", '"surat masuk"'),
        ['steps[0] (surat masuk).key: use letters, digits and underscore only, got "surat masuk"'],
        id="step-key-format",
    ),
    pytest.param(
        set_field(GOOD, "paraf_akhir", "number", "7"),
        ["steps[7] (paraf_akhir).number: duplicate step number 7 (also steps[6] (periksa_kabid))"],
        id="duplicate-step-number",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "number", "0"),
        ["steps[0] (disposisi).number: must be a positive whole number, got 0"],
        id="step-number-not-positive",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "number", '"3"'),
        ['steps[2] (konsep).number: expected a whole number, got string "3"'],
        id="step-number-wrong-type",
    ),
    pytest.param(
        set_field(GOOD, "periksa_kabid", "roles", '["kbid"]'),
        ['steps[6] (periksa_kabid).roles: unknown role "kbid" (did you mean "kabid"?)'],
        id="unknown-role",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "roles", '["bupati"]'),
        [
            'steps[0] (disposisi).roles: unknown role "bupati" '
            "(use one of: kadin, sekretaris, kabid, kasubag, staf, tim_sakip)"
        ],
        id="unknown-role-without-a-close-match",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "roles", "[]"),
        ["steps[2] (konsep).roles: at least one role is needed"],
        id="empty-roles",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "roles", None),
        ["steps[2] (konsep).roles: missing (required)"],
        id="missing-roles",
    ),
    pytest.param(
        set_field(GOOD, "periksa", "kind", '"decison"'),
        ['steps[4] (periksa).kind: unknown kind "decison" (did you mean "decision"?)'],
        id="unknown-kind",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "assign", '"leadr"'),
        ['steps[2] (konsep).assign: unknown assign "leadr" (did you mean "leader"?)'],
        id="unknown-assign",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "time", '"3 hri"'),
        [
            'steps[2] (konsep).time: unknown time unit "hri" in "3 hri" '
            "(use menit, jam, hari or minggu)"
        ],
        id="unknown-time-unit",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "time", '"seminggu"'),
        ['steps[2] (konsep).time: expected "<number> <menit|jam|hari|minggu>", got "seminggu"'],
        id="unparseable-time",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "time", "7"),
        ["steps[2] (konsep).time: expected a string in quotes, got integer 7"],
        id="time-wrong-type",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "next", '"kumpul"'),
        ['steps[0] (disposisi).next: unknown step "kumpul" (did you mean "kumpul_bahan"?)'],
        id="unknown-next",
    ),
    pytest.param(
        set_field(GOOD, "periksa", "return_to", '"ketk"'),
        ['steps[4] (periksa).return_to: unknown step "ketk" (did you mean "ketik"?)'],
        id="unknown-return-to",
    ),
    pytest.param(
        set_field(GOOD, "periksa", "return_to", '"xyz"'),
        ['steps[4] (periksa).return_to: unknown step "xyz"'],
        id="unknown-step-without-a-close-match",
    ),
    pytest.param(
        set_field(GOOD, "distribusi", "next", '"disposisi"'),
        ["steps: no final step: every step has next, so a case could never finish"],
        id="no-final-step",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "next", None),
        [
            "steps[2] (konsep).next: missing; only the final step may leave out next, "
            'and that is "distribusi"'
        ],
        id="two-final-steps",
    ),
    pytest.param(
        set_field(GOOD, "periksa", "return_to", None),
        ["steps[4] (periksa).return_to: a decision step needs return_to (where a return goes)"],
        id="decision-without-return-to",
    ),
    pytest.param(
        set_field(GOOD, "periksa_kabid", "next", None),
        [
            "steps[6] (periksa_kabid).next: a parallel_decision step needs next "
            "(where approval goes); it cannot be the final step"
        ],
        id="decision-without-next",
    ),
    pytest.param(
        set_field(GOOD, "distribusi", "kind", '"decision"'),
        [
            "steps[10] (distribusi).next: a decision step needs next (where approval goes); "
            "it cannot be the final step",
            "steps[10] (distribusi).return_to: a decision step needs return_to "
            "(where a return goes)",
            "steps[10] (distribusi).checklist: only a checklist step has a checklist "
            "(this step is decision)",
        ],
        id="final-step-is-a-decision",
    ),
    pytest.param(
        set_field(GOOD, "periksa", "return_to", '"tanda_tangan"'),
        [
            'steps[4] (periksa).return_to: must go back to an earlier step, but "tanda_tangan" '
            "is step 9 and this is step 5"
        ],
        id="return-goes-forward",
    ),
    pytest.param(
        set_field(GOOD, "paraf_akhir", "return_to", '"paraf_akhir"'),
        [
            'steps[7] (paraf_akhir).return_to: must go back to an earlier step, but "paraf_akhir" '
            "is step 8 and this is step 8"
        ],
        id="return-to-itself",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "return_to", '"kumpul_bahan"'),
        [
            "steps[2] (konsep).return_to: only decision, parallel_decision, paraf and sign steps "
            "can send a case back (this step is upload)"
        ],
        id="return-on-an-upload-step",
    ),
    pytest.param(
        set_field(GOOD, "tanda_tangan", "next", '"paraf_akhir"'),
        [
            'steps[7] (paraf_akhir).next: a loop with no exit: from "paraf_akhir", '
            '"tanda_tangan" the case never reaches the final step "distribusi"',
            f"steps[9] (perintah_distribusi): {UNREACHABLE}",
            f"steps[10] (distribusi): {UNREACHABLE}",
        ],
        id="loop-without-exit",
    ),
    pytest.param(
        add_step(GOOD, ARSIP),
        [f"steps[11] (arsip): {UNREACHABLE}"],
        id="unreachable-step",
    ),
    pytest.param(
        set_field(GOOD, "perintah_distribusi", "kind", '"action"'),
        [
            'steps[10] (distribusi).assign: "chosen" needs every step leading here by next '
            'to be an order step, but "perintah_distribusi" is kind "action"'
        ],
        id="chosen-after-a-non-order-step",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "assign", '"chosen"'),
        [
            'steps[0] (disposisi).assign: "chosen" needs an order step before it to pick the '
            "officers, but no step leads here by next"
        ],
        id="chosen-with-no-step-before",
    ),
    pytest.param(
        set_field(GOOD, "distribusi", "assign", '"any"'),
        [
            "steps[9] (perintah_distribusi).next: an order step picks the officers of its next "
            'step, so "distribusi" needs assign = "chosen" (it has "any")'
        ],
        id="order-before-a-step-not-chosen",
    ),
    pytest.param(
        set_field(drop_step(GOOD, "distribusi"), "perintah_distribusi", "next", None),
        [
            "steps[9] (perintah_distribusi).next: an order step needs next "
            "(the step whose officers it picks)"
        ],
        id="order-as-the-final-step",
    ),
    pytest.param(
        set_field(GOOD, "periksa_kabid", "assign", '"any"'),
        [
            'steps[6] (periksa_kabid).assign: a parallel_decision step needs assign = "all" '
            '(every holder decides), got "any"'
        ],
        id="parallel-decision-not-all",
    ),
    pytest.param(
        set_field(GOOD, "kumpul_bahan", "checklist", None),
        [
            "steps[1] (kumpul_bahan).checklist: a checklist step needs "
            'checklist = { items = [...] } or { items_from = "recipients" }'
        ],
        id="checklist-step-without-checklist",
    ),
    pytest.param(
        set_field(GOOD, "kumpul_bahan", "checklist", "{ items = [] }"),
        [
            "steps[1] (kumpul_bahan).checklist: needs a non-empty items list "
            'or items_from = "recipients"'
        ],
        id="checklist-empty",
    ),
    pytest.param(
        set_field(
            GOOD, "kumpul_bahan", "checklist", '{ items = ["A"], items_from = "recipients" }'
        ),
        ["steps[1] (kumpul_bahan).checklist: give items or items_from, not both"],
        id="checklist-items-and-items-from",
    ),
    pytest.param(
        set_field(GOOD, "distribusi", "checklist", '{ items_from = "penerima" }'),
        [
            'steps[10] (distribusi).checklist.items_from: unknown list "penerima" '
            "(use one of: recipients)"
        ],
        id="checklist-unknown-list",
    ),
    pytest.param(
        set_field(GOOD, "kumpul_bahan", "checklist", '{ items = ["DPA", "DPA"] }'),
        ['steps[1] (kumpul_bahan).checklist.items: "DPA" is listed twice'],
        id="checklist-item-twice",
    ),
    pytest.param(
        set_field(GOOD, "kumpul_bahan", "checklist", '{ itmes = ["DPA"] }'),
        [
            'steps[1] (kumpul_bahan).checklist.itmes: unknown key (did you mean "items"?)',
            "steps[1] (kumpul_bahan).checklist: needs a non-empty items list "
            'or items_from = "recipients"',
        ],
        id="checklist-unknown-key",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "checklist", '{ items = ["Bahan"] }'),
        [
            "steps[2] (konsep).checklist: only a checklist step has a checklist "
            "(this step is upload)"
        ],
        id="checklist-on-a-non-checklist-step",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "form", '["judul"]'),
        ["steps[2] (konsep).form: only an action step asks for a form (this step is upload)"],
        id="form-on-a-non-action-step",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "form", '["instruksi", "instruksi?"]'),
        ['steps[0] (disposisi).form: field "instruksi" is listed twice'],
        id="form-field-twice",
    ),
    pytest.param(
        set_field(GOOD, "disposisi", "form", '["batas waktu"]'),
        [
            'steps[0] (disposisi).form: field "batas waktu": use letters, digits and underscore, '
            'with a trailing "?" for an optional field'
        ],
        id="form-field-format",
    ),
    pytest.param(
        set_field(GOOD, "periksa_kabid", "merge_next_paraf", "true"),
        [
            "steps[6] (periksa_kabid).merge_next_paraf: only a decision step can merge the "
            "next paraf (this step is parallel_decision)"
        ],
        id="merge-on-a-parallel-decision",
    ),
    pytest.param(
        set_field(
            set_field(GOOD, "periksa", "merge_next_paraf", "true"),
            "paraf_sekretaris",
            "kind",
            '"action"',
        ),
        [
            'steps[4] (periksa).merge_next_paraf: the next step "paraf_sekretaris" is kind '
            '"action", not "paraf"'
        ],
        id="merge-when-next-is-not-paraf",
    ),
    pytest.param(
        set_field(
            set_field(GOOD, "periksa", "merge_next_paraf", "true"),
            "paraf_sekretaris",
            "roles",
            '["kasubag"]',
        ),
        [
            'steps[4] (periksa).merge_next_paraf: the next step "paraf_sekretaris" shares no '
            "role with this one, so no officer holds both"
        ],
        id="merge-without-a-shared-role",
    ),
    pytest.param(
        set_field(GOOD, "tanda_tangan", "works_on_draft", None),
        [
            "steps[8] (tanda_tangan).works_on_draft: a sign step acts on a named draft version, "
            "so it needs works_on_draft = true"
        ],
        id="versioned-step-not-on-draft",
    ),
    pytest.param(
        set_field(GOOD, "ketik", "accepts_upload", '"ya"'),
        ['steps[3] (ketik).accepts_upload: expected true or false, got string "ya"'],
        id="flag-wrong-type",
    ),
    pytest.param(
        set_field(GOOD, "tanda_tangan", "documents", '["lembar pengesahan"]'),
        [
            'steps[8] (tanda_tangan).documents: document "lembar pengesahan": '
            "use letters, digits and underscore only"
        ],
        id="document-name-format",
    ),
    pytest.param(
        set_field(GOOD, "perintah_distribusi", "waits_for", '"lembar_disposisi"'),
        [
            "steps[9] (perintah_distribusi).waits_for: no step leading here by next renders "
            '"lembar_disposisi" (its documents), so the task would never be sent'
        ],
        id="waits-for-a-document-the-step-before-does-not-render",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "acepts_upload", "true"),
        ['steps[2] (konsep).acepts_upload: unknown key (did you mean "accepts_upload"?)'],
        id="unknown-step-key-with-suggestion",
    ),
    pytest.param(
        set_field(GOOD, "konsep", "colour", '"red"'),
        [f"steps[2] (konsep).colour: unknown key (allowed: {STEP_KEYS})"],
        id="unknown-step-key-without-suggestion",
    ),
    pytest.param(
        edit(GOOD, "[sop]\n", "[sopp]\n"),
        ['sopp: unknown key (did you mean "sop"?)', "sop: missing (required)"],
        id="unknown-table",
    ),
    pytest.param(
        edit(GOOD, 'code_prefix = "LKT"', 'code_prefix = "lkt"'),
        ['sop.code_prefix: must be 2-6 capital letters A-Z, got "lkt"'],
        id="code-prefix-format",
    ),
    pytest.param(
        edit(GOOD, 'version = "2026.1"', "version = 2026.1"),
        ["sop.version: expected a string in quotes, got float 2026.1"],
        id="version-not-a-string",
    ),
    pytest.param(
        edit(GOOD, 'staf = "Staf"\n', 'staf = "Staf"\nkepala-bidang = "Kepala Bidang"\n'),
        ["roles.kepala-bidang: a role key uses letters, digits and underscore only"],
        id="role-key-format",
    ),
    pytest.param(
        set_field(
            edit(GOOD, 'staf = "Staf"\n', 'staf = "Staf"\nkepala-bidang = "Kepala Bidang"\n'),
            "periksa_kabid",
            "roles",
            '["kepala-bidang", "kasubg"]',
        ),
        [
            "roles.kepala-bidang: a role key uses letters, digits and underscore only",
            'steps[6] (periksa_kabid).roles: unknown role "kasubg" (did you mean "kasubag"?)',
        ],
        id="a-bad-role-key-is-reported-once",
    ),
    pytest.param(
        edit(GOOD, 'kadin = "Kepala Dinas"', 'kadin = ""'),
        ["roles.kadin: must not be empty"],
        id="role-name-empty",
    ),
    pytest.param(
        edit(GOOD, 'key = "TW2"', 'key = "TW1"'),
        ['periods[1] (TW1).key: duplicate period key "TW1" (also periods[0])'],
        id="duplicate-period-key",
    ),
    pytest.param(
        edit(GOOD, 'key = "S1"', 'key = "sem-1"'),
        [
            "periods[4] (sem-1).key: must be 1-6 capital letters or digits "
            '(it ends the case code), got "sem-1"'
        ],
        id="period-key-format",
    ),
    pytest.param(
        edit(GOOD, "months = [7, 9]", "months = [9, 7]"),
        ["periods[2] (TW3).months: the start month 9 comes after the end month 7"],
        id="period-months-reversed",
    ),
    pytest.param(
        edit(GOOD, "months = [10, 12]", "months = [10, 13]"),
        ["periods[3] (TW4).months: month 13 is not 1-12"],
        id="period-month-out-of-range",
    ),
    pytest.param(
        edit(GOOD, "months = [1, 3]", "months = [1]"),
        ["periods[0] (TW1).months: expected [start, end], two month numbers 1-12, got [1]"],
        id="period-months-shape",
    ),
    pytest.param(
        GOOD[: GOOD.index("[[periods]]")] + GOOD[GOOD.index(SEP) :],
        ["periods: at least one [[periods]] table is needed"],
        id="no-periods",
    ),
]
