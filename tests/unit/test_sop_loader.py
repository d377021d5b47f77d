"""The SOP loader: a good file loads, and every kind of mistake is named exactly.

Each bad file is the shipped SOP with one small edit, the way an agency's admin would
get it wrong, and each test pins the whole message: file, step, field and wording are
what the admin reads when `check-sop` refuses the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import re
import string
from pathlib import Path
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.sop import Assign, Step, StepKind
from bot.core.sop_loader import SHORT_MAX, SopError, load_sop, load_sops, parse_sop, sop_warnings
from tests.support.paths import FIXTURES, SOP_PATH
from tests.support.sop_files import BAD_FILES, GOOD, SEP, edit, set_field

FIXTURE = FIXTURES / "sop" / "surat_keluar.toml"
NAME = "pelaporan_kinerja.toml"
P = f"{NAME}: "


def errors_of(text: str) -> list[str]:
    with pytest.raises(SopError) as info:
        parse_sop(text, NAME)
    return info.value.errors


@pytest.mark.parametrize(("text", "expected"), BAD_FILES)
def test_each_mistake_is_named_exactly(text: str, expected: list[str]) -> None:
    assert errors_of(text) == [P + message for message in expected]


def test_the_bad_files_cover_many_distinct_messages() -> None:
    messages = {message for param in BAD_FILES for message in cast(list[str], param.values[1])}
    assert len(messages) >= 12


def test_every_mistake_in_one_file_is_reported_in_file_order() -> None:
    text = GOOD
    text = set_field(text, "periksa_kabid", "roles", '["kbid"]')
    text = set_field(text, "periksa", "return_to", '"ketk"')
    text = set_field(text, "konsep", "time", '"3 hri"')
    text = edit(text, 'key = "TW2"', 'key = "TW1"')
    text = edit(text, 'code_prefix = "LKT"', 'code_prefix = "lkt"')
    text = set_field(text, "konsep", "form", '["judul"]')

    assert errors_of(text) == [
        P + 'sop.code_prefix: must be 2-6 capital letters A-Z, got "lkt"',
        P + 'periods[1] (TW1).key: duplicate period key "TW1" (also periods[0])',
        P + 'steps[2] (konsep).time: unknown time unit "hri" in "3 hri" '
        "(use menit, jam, hari or minggu)",
        P + "steps[2] (konsep).form: only an action step asks for a form (this step is upload)",
        P + 'steps[4] (periksa).return_to: unknown step "ketk" (did you mean "ketik"?)',
        P + 'steps[6] (periksa_kabid).roles: unknown role "kbid" (did you mean "kabid"?)',
    ]


def test_the_error_reads_as_a_report_and_survives_pickling() -> None:
    text = set_field(GOOD, "konsep", "time", '"3 hri"')
    text = set_field(text, "periksa", "return_to", '"ketk"')
    with pytest.raises(SopError) as info:
        parse_sop(text, NAME)

    assert str(info.value) == (
        "SOP pelaporan_kinerja.toml has 2 mistakes:\n"
        '  - pelaporan_kinerja.toml: steps[2] (konsep).time: unknown time unit "hri" in '
        '"3 hri" (use menit, jam, hari or minggu)\n'
        '  - pelaporan_kinerja.toml: steps[4] (periksa).return_to: unknown step "ketk" '
        '(did you mean "ketik"?)'
    )
    assert info.value.source == NAME
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.errors == info.value.errors
    assert str(copy) == str(info.value)


def test_a_toml_syntax_error_names_line_and_column() -> None:
    text = edit(GOOD, 'version = "2026.1"', 'version = "2026.1')
    line = text.splitlines().index('version = "2026.1') + 1

    [error] = errors_of(text)

    assert re.fullmatch(
        rf"{re.escape(P)}TOML syntax error: .+ \(at line {line}, column 18\)", error
    ), error
    assert str(SopError([error], NAME)).startswith("SOP pelaporan_kinerja.toml has 1 mistake:")


def test_a_key_given_twice_is_a_toml_error() -> None:
    text = set_field(GOOD, "konsep", "kind", '"upload"\nkind = "action"')

    [error] = errors_of(text)

    assert error.startswith(P + "TOML syntax error: ")
    assert "(at line " in error


# -- good files ------------------------------------------------------------------------------


def test_the_shipped_file_loads_with_its_text_and_hash() -> None:
    sop = load_sop(SOP_PATH)

    assert sop.key == "pelaporan_kinerja"
    assert sop.code_prefix == "LKT"
    assert sop.source_text == SOP_PATH.read_bytes().decode("utf-8")
    assert sop.source_hash == hashlib.sha256(SOP_PATH.read_bytes()).hexdigest()
    assert [s.number for s in sop.steps] == list(range(1, 12))


def test_parse_sop_hashes_exactly_the_text_given() -> None:
    crlf = GOOD.replace("\n", "\r\n")

    sop = parse_sop(crlf, NAME)

    assert sop.source_text == crlf
    assert sop.source_hash == hashlib.sha256(crlf.encode("utf-8")).hexdigest()
    assert sop.steps == parse_sop(GOOD, NAME).steps


def test_optional_fields_take_their_defaults() -> None:
    sop = parse_sop(GOOD, NAME)
    step = sop.step("konsep")

    assert step.form == ()
    assert step.return_to is None
    assert step.accepts_upload is False
    assert step.works_on_draft is False
    assert step.merge_next_paraf is False
    assert step.checklist is None
    assert step.note == ""
    assert step.assign is Assign.LEADER
    assert step.kind is StepKind.UPLOAD


def test_merge_next_paraf_is_accepted_where_it_makes_sense() -> None:
    sop = parse_sop(set_field(GOOD, "periksa", "merge_next_paraf", "true"), NAME)

    assert sop.step("periksa").merge_next_paraf is True


def test_an_empty_note_or_output_is_allowed() -> None:
    text = set_field(GOOD, "konsep", "note", '""')
    sop = parse_sop(set_field(text, "konsep", "output", '""'), NAME)

    assert sop.step("konsep").note == ""
    assert sop.step("konsep").output == ""


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))

    sop = load_sop(path)

    assert sop.steps == parse_sop(GOOD, NAME).steps
    assert sop.source_text == GOOD


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes(GOOD.replace("Sekretaris", "Sekret\xe4ris").encode("latin-1"))

    with pytest.raises(SopError) as info:
        load_sop(path)

    offset = GOOD.index("Sekretaris") + len("Sekret")
    assert info.value.errors == [
        f"latin.toml: not UTF-8 text (byte {offset}); save the file as UTF-8"
    ]


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(SopError) as info:
        load_sop(tmp_path / "hilang.toml")

    assert info.value.errors == ["hilang.toml: cannot read the file: No such file or directory"]


def test_load_sops_keys_each_sop() -> None:
    sops = load_sops([SOP_PATH, FIXTURE])

    assert list(sops) == ["pelaporan_kinerja", "surat_keluar"]
    assert sops["surat_keluar"].code_prefix == "SK"


def test_load_sops_refuses_two_files_with_one_key(tmp_path: Path) -> None:
    copy = tmp_path / "salinan.toml"
    copy.write_text(GOOD, encoding="utf-8")

    with pytest.raises(SopError) as info:
        load_sops([SOP_PATH, copy])

    assert info.value.errors == [
        'salinan.toml: sop.key: duplicate SOP key "pelaporan_kinerja" '
        "(also in pelaporan_kinerja.toml)"
    ]


def test_load_sops_reports_the_mistakes_of_every_file(tmp_path: Path) -> None:
    first = tmp_path / "a.toml"
    first.write_text(set_field(GOOD, "konsep", "time", '"3 hri"'), encoding="utf-8")
    second = tmp_path / "b.toml"
    second.write_text(FIXTURE.read_text(encoding="utf-8").replace('"SK"', '"S"'), "utf-8")

    with pytest.raises(SopError) as info:
        load_sops([first, FIXTURE, second])

    assert info.value.errors == [
        'a.toml: steps[2] (konsep).time: unknown time unit "hri" in "3 hri" '
        "(use menit, jam, hari or minggu)",
        'b.toml: sop.code_prefix: must be 2-6 capital letters A-Z, got "S"',
    ]
    assert info.value.source == "a.toml, surat_keluar.toml, b.toml"


# -- properties ------------------------------------------------------------------------------

_HEAD, *_BLOCKS = GOOD.split(SEP)
_BLOCKS = [block if block.endswith("\n\n") else block + "\n" for block in _BLOCKS]
_BASELINE = parse_sop(GOOD, NAME)


@settings(max_examples=50, deadline=None)
@given(st.permutations(range(len(_BLOCKS))))
def test_the_order_of_steps_in_the_file_does_not_matter(order: list[int]) -> None:
    text = _HEAD + "".join(SEP + _BLOCKS[i] for i in order)

    sop = parse_sop(text, NAME)

    assert sop.steps == _BASELINE.steps
    assert sop.first.key == "disposisi"


_UNIT_WORDS = {"menit", "minute", "minutes", "jam", "hour", "hours", "hari", "day", "days"}
_UNIT_WORDS |= {"minggu", "pekan", "week", "weeks"}


@settings(max_examples=50, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=8).filter(
        lambda word: word.lower() not in _UNIT_WORDS
    )
)
def test_any_unknown_time_unit_is_named_with_its_step(word: str) -> None:
    text = set_field(GOOD, "konsep", "time", f'"3 {word}"')

    assert errors_of(text) == [
        P + f'steps[2] (konsep).time: unknown time unit "{word}" in "3 {word}" '
        "(use menit, jam, hari or minggu)"
    ]


_TOML_VALUES = st.one_of(
    st.integers(min_value=-3, max_value=20).map(str),
    st.booleans().map(lambda b: str(b).lower()),
    st.sampled_from(["1.5", "[]", "{}", "[1, 2]", '{ items = ["A"] }', "{ items_from = 3 }"]),
    st.text(max_size=12).map(lambda s: json.dumps(s)),
    st.lists(st.text(max_size=6), max_size=3).map(lambda xs: json.dumps(xs)),
    st.sampled_from(['"disposisi"', '"periksa"', '"distribusi"', '"kadin"', '"all"']),
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([b.split('"')[1] for b in _BLOCKS]),
    st.sampled_from([f.name for f in dataclasses.fields(Step)]),
    _TOML_VALUES,
)
def test_any_value_in_any_field_gives_a_sop_or_a_report(key: str, name: str, value: str) -> None:
    text = set_field(GOOD, key, name, value)

    try:
        parse_sop(text, NAME)
    except SopError as exc:
        assert exc.errors
        assert all(error.startswith(P) for error in exc.errors)


# -- short names ----------------------------------------------------------------------------


def test_short_names_label_the_steps_with_a_fallback() -> None:
    sop = parse_sop(GOOD, NAME)
    assert sop.step("paraf_sekretaris").short == "Paraf Sekretaris"
    assert sop.step("paraf_sekretaris").label == "Paraf Sekretaris"
    assert all(0 < len(step.short) <= SHORT_MAX for step in sop.steps)
    assert sop_warnings(sop) == []
    bare = parse_sop(set_field(GOOD, "konsep", "short", None), NAME)
    assert (bare.step("konsep").short, bare.step("konsep").label) == ("", "Langkah 3")
    assert sop_warnings(bare) == [
        'pelaporan_kinerja: step 3 (konsep) has no "short" name; documents show "Langkah 3". '
        'Add e.g. short = "..." (at most 40 characters).'
    ]


def test_a_short_name_is_at_most_40_characters_and_unique() -> None:
    long = "Pemeriksaan dan penajaman draf oleh Sekretaris"
    assert errors_of(set_field(GOOD, "periksa", "short", f'"{long}"')) == [
        P + f'steps[4] (periksa).short: at most 40 characters, got {len(long)}: "{long}"'
    ]
    assert errors_of(set_field(GOOD, "paraf_akhir", "short", '"paraf sekretaris"')) == [
        P + 'steps[7] (paraf_akhir).short: duplicate short name "paraf sekretaris" '
        "(also steps[5] (paraf_sekretaris))"
    ]
    assert errors_of(set_field(GOOD, "ketik", "short", '" "')) == [
        P + "steps[3] (ketik).short: must not be empty"
    ]


def test_check_sop_prints_the_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    assert main(["check-sop", str(SOP_PATH), str(FIXTURE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == ["pelaporan_kinerja: 11 steps, OK", "surat_keluar: 5 steps, OK"]
    assert out[2] == (
        'warning: surat_keluar: step 1 (konsep_surat) has no "short" name; documents show '
        '"Langkah 1". Add e.g. short = "..." (at most 40 characters).'
    )
    assert len(out) == 2 + 5
