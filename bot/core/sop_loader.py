"""Reading an SOP file into `bot.core.sop.Sop`, and refusing one that cannot run.

The agency edits these files by hand, often without a developer nearby, so the loader
behaves like a careful reviewer of a paper draft: it reads the whole file, collects
every mistake, and names the file, the step and the field of each one. A file that loads
is one the workflow engine can walk from the first step to the final step without
getting stuck, finding an unknown role, or returning a case forwards.

Checks that depend on the shape of the whole graph (reachability, loops) wait until
every step has a sound key, number and references: one typo in a `next` would
otherwise echo as a string of "unreachable" complaints that hide the real mistake.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.core.sop import (
    DECISION_KINDS,
    DEFAULT_UNDO_MINUTES,
    VERSIONED_KINDS,
    Assign,
    ChecklistSpec,
    Period,
    Sop,
    Step,
    StepKind,
)
from bot.core.timestd import TimeStandard, TimeStandardError, parse_time_standard

CHECKLIST_SOURCES = ("recipients",)
"""Lists in the configuration a checklist may take its items from."""

RETURN_KINDS = DECISION_KINDS | {StepKind.PARAF, StepKind.SIGN}
"""Kinds whose officer may send the case back (the "Kembalikan" button)."""

_NEEDS_NEXT = DECISION_KINDS | {StepKind.ORDER}

_TOP_FIELDS = ("sop", "roles", "periods", "steps")
MAX_UNDO_MINUTES = 60  # an undo is for a slip of the finger, not a change of mind

_SOP_FIELDS = ("key", "title", "code_prefix", "version", "undo_minutes")
_PERIOD_FIELDS = ("key", "label", "kind", "months")
# The TOML keys of a step are the model's field names, so a field added to `Step` is
# accepted here without a second list to keep in step.
_STEP_FIELDS = tuple(f.name for f in dataclasses.fields(Step))
_CHECKLIST_FIELDS = tuple(f.name for f in dataclasses.fields(ChecklistSpec))

SHORT_MAX = 40  # a step's short name fits a table cell of the approval sheet
_IDENT = re.compile(r"^[A-Za-z0-9_]+$")
_FORM_FIELD = re.compile(r"^[A-Za-z0-9_]+\??$")
_CODE_PREFIX = re.compile(r"^[A-Z]{2,6}$")
_PERIOD_KEY = re.compile(r"^[A-Z0-9]{1,6}$")

_E = TypeVar("_E", Assign, StepKind)
_Rank = tuple[int, int]
_HEAD: _Rank = (0, 0)
_ROLES: _Rank = (1, 0)
_ALL_STEPS: _Rank = (4, 0)


class SopError(ValueError):
    """An SOP file that cannot be used, with every mistake found in it.

    `errors` are complete sentences, each starting with the file name, so a caller can
    print them one per line, or join the errors of several files.
    """

    def __init__(self, errors: list[str], source: str) -> None:
        # Both arguments go to the base class so the exception survives pickling.
        super().__init__(errors, source)
        self.errors = list(errors)
        self.source = source

    def __str__(self) -> str:
        count = len(self.errors)
        head = f"SOP {self.source} has {count} mistake{'' if count == 1 else 's'}:"
        return "\n".join([head, *(f"  - {error}" for error in self.errors)])


def load_sop(path: Path) -> Sop:
    """Read one SOP file; mistakes are named by the file's name, as the agency knows it."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SopError([f"{name}: cannot read the file: {exc.strerror or exc}"], name) from None
    try:
        # "utf-8-sig" drops the byte-order mark Windows editors like to add.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"{name}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        raise SopError([message], name) from None
    return parse_sop(text, name)


def parse_sop(text: str, source: str) -> Sop:
    """Parse and validate SOP text; `source` names it in every message.

    The result carries the text and its sha256 so a case can keep the exact SOP it
    started with, even after the agency edits the file.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SopError([f"{source}: TOML syntax error: {exc}"], source) from None
    report = _Report(source)
    sop = _read_sop(data, report)
    if report.has_errors or sop is None:
        raise SopError(report.sorted_errors(), source)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return dataclasses.replace(sop, source_hash=digest, source_text=text)


def load_sops(paths: Iterable[Path]) -> dict[str, Sop]:
    """Load several SOP files, keyed by SOP key; the mistakes of all files are reported.

    Two files with one key would make a case's SOP ambiguous, so that is a mistake too.
    """
    sops: dict[str, Sop] = {}
    origin: dict[str, str] = {}
    errors: list[str] = []
    names: list[str] = []
    for path in paths:
        names.append(path.name)
        try:
            sop = load_sop(path)
        except SopError as exc:
            errors.extend(exc.errors)
            continue
        if sop.key in sops:
            errors.append(
                f"{path.name}: sop.key: duplicate SOP key {_q(sop.key)} "
                f"(also in {origin[sop.key]})"
            )
            continue
        sops[sop.key] = sop
        origin[sop.key] = path.name
    if errors:
        raise SopError(errors, ", ".join(names))
    return sops


def sop_warnings(sop: Sop) -> list[str]:
    """What `check-sop` points out without refusing the file: steps without a short name
    (the documents then print "Langkah N", which reads poorly on an approval sheet)."""
    return [
        f'{sop.key}: step {step.number} ({step.key}) has no "short" name; documents show '
        f'"{step.label}". Add e.g. short = "..." (at most {SHORT_MAX} characters).'
        for step in sop.steps
        if not step.short
    ]


# -- collecting mistakes ---------------------------------------------------------------


@dataclass
class _Report:
    """The mistakes found so far, ranked so the report reads in file order."""

    source: str
    entries: list[tuple[_Rank, str]] = field(default_factory=list)

    def add(self, rank: _Rank, where: str, message: str) -> None:
        self.entries.append((rank, f"{self.source}: {where}: {message}"))

    @property
    def has_errors(self) -> bool:
        return bool(self.entries)

    def sorted_errors(self) -> list[str]:
        return [text for _, text in sorted(self.entries, key=lambda entry: entry[0])]


def _q(value: str) -> str:
    """Quote a value the way TOML writes it, so the reader can search the file for it."""
    return json.dumps(value, ensure_ascii=False)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        return f"string {_q(value)}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def _close(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _unknown(what: str, word: str, choices: Sequence[str], *, list_choices: bool = True) -> str:
    match = _close(word, choices)
    if match is not None:
        return f"unknown {what} {_q(word)} (did you mean {_q(match)}?)"
    if list_choices:
        return f"unknown {what} {_q(word)} (use one of: {', '.join(choices)})"
    return f"unknown {what} {_q(word)}"


class _Absent:
    pass


_ABSENT = _Absent()


class _Fields:
    """One TOML table being read: knows where it is, so each message can say so."""

    def __init__(
        self,
        report: _Report,
        rank: _Rank,
        where: str,
        table: Mapping[str, Any],
        allowed: Sequence[str],
    ) -> None:
        self.report = report
        self.rank = rank
        self.where = where
        self.table = table
        for name in table:
            if name not in allowed:
                match = _close(name, allowed)
                hint = (
                    f"did you mean {_q(match)}?"
                    if match is not None
                    else f"allowed: {', '.join(allowed)}"
                )
                self.error(name, f"unknown key ({hint})")

    def at(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def error(self, name: str | None, message: str) -> None:
        self.report.add(self.rank, self.where if name is None else self.at(name), message)

    def has(self, name: str) -> bool:
        return name in self.table

    def _get(self, name: str, required: bool) -> object:
        if name not in self.table:
            if required:
                self.error(name, "missing (required)")
            return _ABSENT
        value: object = self.table[name]
        return value

    def string(
        self, name: str, *, required: bool = False, allow_empty: bool = False
    ) -> str | None:
        """A string, non-empty unless allowed; None when absent or wrong (wrong is reported)."""
        value = self._get(name, required)
        if isinstance(value, _Absent):
            return None
        if not isinstance(value, str):
            self.error(name, f"expected a string in quotes, got {_describe(value)}")
            return None
        if not value.strip() and not allow_empty:
            self.error(name, "must not be empty")
            return None
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self._get(name, required)
        if isinstance(value, _Absent):
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"expected a whole number, got {_describe(value)}")
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        """False when absent (every flag defaults to off); None when not a boolean."""
        value = self._get(name, False)
        if isinstance(value, _Absent):
            return False
        if not isinstance(value, bool):
            self.error(name, f"expected true or false, got {_describe(value)}")
            return None
        return value

    def strings(
        self, name: str, *, required: bool = False, unique: bool = False
    ) -> tuple[str, ...] | None:
        """An array of non-empty strings; None when absent or wrong."""
        value = self._get(name, required)
        if isinstance(value, _Absent):
            return None
        if not isinstance(value, list):
            self.error(name, f"expected an array of strings, got {_describe(value)}")
            return None
        items: list[str] = []
        ok = True
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.error(f"{name}[{i}]", f"expected a string in quotes, got {_describe(item)}")
                ok = False
            elif not item.strip():
                self.error(f"{name}[{i}]", "must not be empty")
                ok = False
            elif unique and item in items:
                self.error(name, f"{_q(item)} is listed twice")
                ok = False
            else:
                items.append(item)
        return tuple(items) if ok else None

    def table_(self, name: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self._get(name, required)
        if isinstance(value, _Absent):
            return None
        if not isinstance(value, dict):
            self.error(name, f"expected a table, got {_describe(value)}")
            return None
        return value

    def tables(self, name: str) -> list[dict[str, Any]] | None:
        """An array of tables (`[[name]]`); at least one is required."""
        value = self._get(name, False)
        if isinstance(value, _Absent) or value == []:
            self.error(name, f"at least one [[{name}]] table is needed")
            return None
        if not isinstance(value, list):
            self.error(name, f"expected [[{name}]] tables, got {_describe(value)}")
            return None
        return value


# -- the file, part by part -------------------------------------------------------------


def _read_sop(data: Mapping[str, Any], report: _Report) -> Sop | None:
    top = _Fields(report, _HEAD, "", data, _TOP_FIELDS)
    header = _read_header(top, report)
    roles = _read_roles(top, report)
    periods = _read_periods(top, report)
    # Steps are checked against every role declared, even one whose entry has a mistake
    # of its own, so that mistake is not reported again at each step that uses it.
    declared = data.get("roles")
    role_keys = tuple(declared) if isinstance(declared, dict) else None
    steps = _read_steps(top, report, role_keys)
    if report.has_errors or header is None or roles is None or periods is None or steps is None:
        return None
    key, title, code_prefix, version, undo_minutes = header
    return Sop(
        key=key,
        title=title,
        code_prefix=code_prefix,
        version=version,
        undo_minutes=undo_minutes,
        roles=roles,
        periods=periods,
        steps=steps,
    )


def _read_header(top: _Fields, report: _Report) -> tuple[str, str, str, str, int] | None:
    table = top.table_("sop", required=True)
    if table is None:
        return None
    fields = _Fields(report, _HEAD, "sop", table, _SOP_FIELDS)
    key = fields.string("key", required=True)
    if key is not None and not _IDENT.match(key):
        fields.error("key", f"use letters, digits and underscore only, got {_q(key)}")
        key = None
    title = fields.string("title", required=True)
    code_prefix = fields.string("code_prefix", required=True)
    if code_prefix is not None and not _CODE_PREFIX.match(code_prefix):
        fields.error("code_prefix", f"must be 2-6 capital letters A-Z, got {_q(code_prefix)}")
        code_prefix = None
    version = fields.string("version", required=True)
    undo_minutes = fields.integer("undo_minutes")
    if undo_minutes is not None and not 0 <= undo_minutes <= MAX_UNDO_MINUTES:
        fields.error(
            "undo_minutes", f"must be 0 to {MAX_UNDO_MINUTES} minutes, got {undo_minutes}"
        )
        return None
    if key is None or title is None or code_prefix is None or version is None:
        return None
    return (
        key,
        title,
        code_prefix,
        version,
        (DEFAULT_UNDO_MINUTES if undo_minutes is None else undo_minutes),
    )


def _read_roles(top: _Fields, report: _Report) -> dict[str, str] | None:
    table = top.table_("roles", required=True)
    if table is None:
        return None
    if not table:
        top.error("roles", "at least one role is needed")
        return None
    fields = _Fields(report, _ROLES, "roles", table, tuple(table))
    roles: dict[str, str] = {}
    for key in table:
        name = fields.string(key)
        if not _IDENT.match(key):
            fields.error(key, "a role key uses letters, digits and underscore only")
        elif name is not None:
            roles[key] = name
    return roles if len(roles) == len(table) else None


def _read_periods(top: _Fields, report: _Report) -> tuple[Period, ...] | None:
    raw_periods = top.tables("periods")
    if raw_periods is None:
        return None
    periods: list[Period] = []
    first_index: dict[str, int] = {}
    ok = True
    for i, raw in enumerate(raw_periods):
        where = f"periods[{i}]"
        if not isinstance(raw, dict):
            report.add((2, i), where, f"expected a table, got {_describe(raw)}")
            ok = False
            continue
        raw_key = raw.get("key")
        if isinstance(raw_key, str) and raw_key:
            where = f"{where} ({raw_key})"
        fields = _Fields(report, (2, i), where, raw, _PERIOD_FIELDS)
        key = fields.string("key", required=True)
        if key is not None and not _PERIOD_KEY.match(key):
            fields.error(
                "key",
                f"must be 1-6 capital letters or digits (it ends the case code), got {_q(key)}",
            )
            key = None
        if key is not None and key in first_index:
            fields.error(
                "key", f"duplicate period key {_q(key)} (also periods[{first_index[key]}])"
            )
            key = None
        elif key is not None:
            first_index[key] = i
        label = fields.string("label", required=True)
        kind = fields.string("kind", required=True)
        months = _read_months(fields)
        if key is None or label is None or kind is None or months is None:
            ok = False
            continue
        periods.append(Period(key, label, kind, months[0], months[1]))
    return tuple(periods) if ok else None


def _read_months(fields: _Fields) -> tuple[int, int] | None:
    value = fields._get("months", True)
    if isinstance(value, _Absent):
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(m, int) and not isinstance(m, bool) for m in value)
    ):
        fields.error(
            "months",
            f"expected [start, end], two month numbers 1-12, got {_describe_array(value)}",
        )
        return None
    start, end = value
    bad = [m for m in (start, end) if not 1 <= m <= 12]
    if bad:
        fields.error("months", f"month {bad[0]} is not 1-12")
        return None
    if start > end:
        fields.error("months", f"the start month {start} comes after the end month {end}")
        return None
    return start, end


def _describe_array(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_q(v) if isinstance(v, str) else str(v) for v in value) + "]"
    return _describe(value)


# -- steps ------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A step as read, before it is known to be valid; None marks a missing or bad value."""

    index: int
    where: str
    fields: _Fields
    key: str | None
    number: int | None
    title: str | None
    roles: tuple[str, ...] | None
    assign: Assign | None
    kind: StepKind | None
    time: TimeStandard | None
    requirements: tuple[str, ...] | None
    output: str | None
    next: str | None
    return_to: str | None
    accepts_upload: bool | None
    works_on_draft: bool | None
    checklist: ChecklistSpec | None
    form: tuple[str, ...] | None
    merge_next_paraf: bool | None
    documents: tuple[str, ...] | None
    waits_for: str | None
    note: str | None
    short: str | None
    sound: bool
    """Key, number and references could be read (they may still clash or dangle)."""

    @property
    def name(self) -> str:
        return self.key if self.key is not None else self.where

    def error(self, name: str | None, message: str) -> None:
        self.fields.error(name, message)


def _read_steps(
    top: _Fields, report: _Report, roles: Sequence[str] | None
) -> tuple[Step, ...] | None:
    raw_steps = top.tables("steps")
    if raw_steps is None:
        return None
    drafts: list[_Draft] = []
    ok = True
    for i, raw in enumerate(raw_steps):
        if not isinstance(raw, dict):
            report.add((3, i), f"steps[{i}]", f"expected a table, got {_describe(raw)}")
            ok = False
            continue
        drafts.append(_read_step(i, raw, report, roles))
    if not ok:
        return None
    for draft in drafts:
        _check_kind_rules(draft)
    by_key = _check_keys_and_numbers(drafts)
    _check_references(drafts, by_key)
    single_final = _check_final(drafts, report)
    if single_final is not None and all(d.sound for d in drafts):
        _check_graph(drafts, by_key, single_final)
    if report.has_errors:
        return None
    return tuple(_build(d) for d in sorted(drafts, key=lambda d: d.number or 0))


def _read_step(
    index: int, raw: Mapping[str, Any], report: _Report, roles: Sequence[str] | None
) -> _Draft:
    where = f"steps[{index}]"
    raw_key = raw.get("key")
    if isinstance(raw_key, str) and raw_key:
        where = f"{where} ({raw_key})"
    f = _Fields(report, (3, index), where, raw, _STEP_FIELDS)

    key = f.string("key", required=True)
    if key is not None and not _IDENT.match(key):
        f.error("key", f"use letters, digits and underscore only, got {_q(key)}")
        key = None
    number = f.integer("number", required=True)
    if number is not None and number <= 0:
        f.error("number", f"must be a positive whole number, got {number}")
        number = None
    title = f.string("title", required=True)

    step_roles = f.strings("roles", required=True, unique=True)
    if step_roles == ():
        f.error("roles", "at least one role is needed")
        step_roles = None
    elif step_roles is not None and roles is not None:
        for role in step_roles:
            if role not in roles:
                f.error("roles", _unknown("role", role, roles))
                step_roles = None

    assign_text = f.string("assign", required=True)
    assign = _enum(f, "assign", assign_text, Assign)
    kind_text = f.string("kind", required=True)
    kind = _enum(f, "kind", kind_text, StepKind)

    time_text = f.string("time", required=True)
    time: TimeStandard | None = None
    if time_text is not None:
        try:
            time = parse_time_standard(time_text)
        except TimeStandardError as exc:
            f.error("time", str(exc))

    next_key = f.string("next")
    return_to = f.string("return_to")
    sound = (
        key is not None
        and number is not None
        and (next_key is not None or not f.has("next"))
        and (return_to is not None or not f.has("return_to"))
    )

    form = f.strings("form", unique=True)
    if form is not None:
        for name in form:
            if not _FORM_FIELD.match(name):
                f.error(
                    "form",
                    f"field {_q(name)}: use letters, digits and underscore, "
                    'with a trailing "?" for an optional field',
                )
                form = None
                break
        else:
            names = [name.rstrip("?") for name in form]
            twice = [name for name in dict.fromkeys(names) if names.count(name) > 1]
            if twice:
                f.error("form", f"field {_q(twice[0])} is listed twice")
                form = None

    documents = f.strings("documents", unique=True)
    if documents is not None:
        for name in documents:
            if not _IDENT.match(name):
                f.error(
                    "documents",
                    f"document {_q(name)}: use letters, digits and underscore only",
                )
                documents = None
                break

    short = f.string("short")
    if short is not None:
        short = short.strip()
        if len(short) > SHORT_MAX:
            f.error("short", f"at most {SHORT_MAX} characters, got {len(short)}: {_q(short)}")
            short = None

    return _Draft(
        index=index,
        where=where,
        fields=f,
        key=key,
        number=number,
        title=title,
        roles=step_roles,
        assign=assign,
        kind=kind,
        time=time,
        requirements=f.strings("requirements"),
        output=f.string("output", allow_empty=True),
        next=next_key,
        return_to=return_to,
        accepts_upload=f.boolean("accepts_upload"),
        works_on_draft=f.boolean("works_on_draft"),
        checklist=_read_checklist(f, report),
        form=form,
        merge_next_paraf=f.boolean("merge_next_paraf"),
        documents=documents,
        waits_for=f.string("waits_for"),
        note=f.string("note", allow_empty=True),
        short=short,
        sound=sound,
    )


def _enum(f: _Fields, name: str, text: str | None, enum_type: type[_E]) -> _E | None:
    if text is None:
        return None
    try:
        return enum_type(text)
    except ValueError:
        f.error(name, _unknown(name, text, [member.value for member in enum_type]))
        return None


def _read_checklist(f: _Fields, report: _Report) -> ChecklistSpec | None:
    table = f.table_("checklist")
    if table is None:
        return None
    c = _Fields(report, f.rank, f.at("checklist"), table, _CHECKLIST_FIELDS)
    items = c.strings("items", unique=True)
    items_from = c.string("items_from")
    proof_required = c.boolean("proof_required")
    if items_from is not None and items_from not in CHECKLIST_SOURCES:
        c.error("items_from", _unknown("list", items_from, CHECKLIST_SOURCES))
        return None
    has_items = bool(items)
    if has_items and c.has("items_from"):
        c.error(None, "give items or items_from, not both")
        return None
    if not has_items and not c.has("items_from") and (items == () or not c.has("items")):
        c.error(None, 'needs a non-empty items list or items_from = "recipients"')
        return None
    if (not has_items and items_from is None) or proof_required is None:
        return None
    return ChecklistSpec(items=items or (), items_from=items_from, proof_required=proof_required)


def _check_kind_rules(d: _Draft) -> None:
    """Rules that need only the step itself."""
    kind = d.kind
    if kind is None:
        return
    if kind in DECISION_KINDS:
        if not d.fields.has("next"):
            d.error(
                "next",
                f"a {kind} step needs next (where approval goes); it cannot be the final step",
            )
        if not d.fields.has("return_to"):
            d.error("return_to", f"a {kind} step needs return_to (where a return goes)")
    if kind is StepKind.PARALLEL_DECISION and d.assign not in (None, Assign.ALL):
        assert d.assign is not None
        d.error(
            "assign",
            f'a parallel_decision step needs assign = "all" (every holder decides), '
            f"got {_q(d.assign)}",
        )
    if kind is StepKind.ORDER and not d.fields.has("next"):
        d.error("next", "an order step needs next (the step whose officers it picks)")
    if d.fields.has("return_to") and kind not in RETURN_KINDS:
        d.error(
            "return_to",
            "only decision, parallel_decision, paraf and sign steps can send a case back "
            f"(this step is {kind})",
        )
    if kind is StepKind.CHECKLIST and not d.fields.has("checklist"):
        d.error(
            "checklist",
            "a checklist step needs checklist = { items = [...] } "
            'or { items_from = "recipients" }',
        )
    if kind is not StepKind.CHECKLIST and d.fields.has("checklist"):
        d.error("checklist", f"only a checklist step has a checklist (this step is {kind})")
    if kind is not StepKind.ACTION and d.fields.has("form"):
        d.error("form", f"only an action step asks for a form (this step is {kind})")
    if d.merge_next_paraf and kind is not StepKind.DECISION:
        d.error(
            "merge_next_paraf",
            f"only a decision step can merge the next paraf (this step is {kind})",
        )
    if kind in VERSIONED_KINDS and d.works_on_draft is False:
        d.error(
            "works_on_draft",
            f"a {kind} step acts on a named draft version, so it needs works_on_draft = true",
        )


def _check_keys_and_numbers(drafts: Sequence[_Draft]) -> dict[str, _Draft]:
    by_key: dict[str, _Draft] = {}
    by_number: dict[int, _Draft] = {}
    by_short: dict[str, _Draft] = {}
    for d in drafts:
        if d.short is not None:
            folded = d.short.casefold()
            if folded in by_short:
                d.error(
                    "short", f"duplicate short name {_q(d.short)} (also {by_short[folded].where})"
                )
            else:
                by_short[folded] = d
        if d.key is not None:
            if d.key in by_key:
                first = by_key[d.key]
                d.error("key", f"duplicate step key {_q(d.key)} (also steps[{first.index}])")
                d.sound = False
            else:
                by_key[d.key] = d
        if d.number is not None:
            if d.number in by_number:
                first = by_number[d.number]
                d.error(
                    "number",
                    f"duplicate step number {d.number} (also {first.where})",
                )
                d.sound = False
            else:
                by_number[d.number] = d
    return by_key


def _check_references(drafts: Sequence[_Draft], by_key: Mapping[str, _Draft]) -> None:
    """Rules that look at the step a `next` or `return_to` names."""
    keys = tuple(by_key)
    for d in drafts:
        for name in ("next", "return_to"):
            target = d.next if name == "next" else d.return_to
            if target is not None and target not in by_key:
                d.error(name, _unknown("step", target, keys, list_choices=False))
                d.sound = False

        back = by_key.get(d.return_to) if d.return_to is not None else None
        if (
            back is not None
            and d.number is not None
            and back.number is not None
            and back.number >= d.number
        ):
            d.error(
                "return_to",
                f"must go back to an earlier step, but {_q(back.name)} is step "
                f"{back.number} and this is step {d.number}",
            )

        following = by_key.get(d.next) if d.next is not None else None
        if following is None:
            continue
        if (
            d.kind is StepKind.ORDER
            and following.assign is not None
            and following.assign is not Assign.CHOSEN
        ):
            d.error(
                "next",
                f"an order step picks the officers of its next step, so {_q(following.name)} "
                f'needs assign = "chosen" (it has {_q(following.assign)})',
            )
        if d.merge_next_paraf and d.kind is StepKind.DECISION:
            if following.kind is not None and following.kind is not StepKind.PARAF:
                d.error(
                    "merge_next_paraf",
                    f"the next step {_q(following.name)} is kind {_q(following.kind)}, "
                    'not "paraf"',
                )
            elif (
                following.kind is StepKind.PARAF
                and d.roles is not None
                and following.roles is not None
                and not set(d.roles) & set(following.roles)
            ):
                d.error(
                    "merge_next_paraf",
                    f"the next step {_q(following.name)} shares no role with this one, "
                    "so no officer holds both",
                )

    for d in drafts:
        before = [p for p in drafts if p.next == d.key]
        if d.waits_for is None or not before:  # "unreachable" says enough
            continue
        unread = [p for p in before if p.documents is None and p.fields.has("documents")]
        if not unread and not any(d.waits_for in (p.documents or ()) for p in before):
            d.error(
                "waits_for",
                f"no step leading here by next renders {_q(d.waits_for)} (its documents), "
                "so the task would never be sent",
            )

    for d in drafts:
        if d.assign is not Assign.CHOSEN or d.key is None:
            continue
        before = [p for p in drafts if p.next == d.key]
        if not before:
            d.error(
                "assign",
                '"chosen" needs an order step before it to pick the officers, '
                "but no step leads here by next",
            )
            continue
        others = [p for p in before if p.kind is not None and p.kind is not StepKind.ORDER]
        if others:
            listed = ", ".join(f"{_q(p.name)} is kind {_q(p.kind or '')}" for p in others)
            d.error(
                "assign",
                f'"chosen" needs every step leading here by next to be an order step, '
                f"but {listed}",
            )


def _check_final(drafts: Sequence[_Draft], report: _Report) -> _Draft | None:
    """Exactly one step may end a case; return it when the SOP has exactly one."""
    without_next = [d for d in drafts if not d.fields.has("next")]
    if not without_next:
        report.add(
            _ALL_STEPS, "steps", "no final step: every step has next, so a case could never finish"
        )
        return None
    candidates = [d for d in without_next if d.kind not in _NEEDS_NEXT]
    if not candidates:
        return None  # each step without next was told it needs one
    final = max(candidates, key=lambda d: (d.number or 0, d.index))
    for d in candidates:
        if d is not final:
            d.error(
                "next",
                f"missing; only the final step may leave out next, and that is {_q(final.name)}",
            )
    return final if len(without_next) == 1 else None


def _check_graph(drafts: Sequence[_Draft], by_key: Mapping[str, _Draft], final: _Draft) -> None:
    """Every step is reachable from the first, and the final step from every step."""
    edges: dict[str, list[str]] = {}
    for d in drafts:
        assert d.key is not None
        edges[d.key] = [t for t in (d.next, d.return_to) if t is not None]
    first = min(drafts, key=lambda d: d.number or 0)
    assert first.key is not None and final.key is not None

    reached = _reach(edges, first.key)
    for d in drafts:
        if d.key not in reached:
            d.error(
                None,
                "unreachable: no path of next or return_to leads here from the first step "
                f"{_q(first.key)}",
            )

    reverse: dict[str, list[str]] = {key: [] for key in edges}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    finishing = _reach(reverse, final.key)
    stuck = {key for key in edges if key not in finishing}
    # Steps that cannot finish include those that merely lead into a trap; report each
    # trap once: a group of steps that reach each other and nothing else.
    traps: list[frozenset[str]] = []
    for key in sorted(stuck, key=lambda k: by_key[k].number or 0):
        group = _reach(edges, key)
        if all(key in _reach(edges, other) for other in group):
            trap = frozenset(group)
            if trap not in traps:
                traps.append(trap)
    for trap in traps:
        members = sorted((by_key[k] for k in trap), key=lambda d: d.number or 0)
        names = ", ".join(_q(m.name) for m in members)
        members[0].error(
            "next",
            f"a loop with no exit: from {names} the case never reaches the final step "
            f"{_q(final.key)}",
        )


def _reach(edges: Mapping[str, Sequence[str]], start: str) -> set[str]:
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _build(d: _Draft) -> Step:
    assert d.key is not None and d.number is not None and d.title is not None
    assert d.roles is not None and d.assign is not None and d.kind is not None
    assert d.time is not None
    return Step(
        key=d.key,
        number=d.number,
        title=d.title,
        roles=d.roles,
        assign=d.assign,
        kind=d.kind,
        time=d.time,
        requirements=d.requirements or (),
        output=d.output or "",
        next=d.next,
        return_to=d.return_to,
        accepts_upload=bool(d.accepts_upload),
        works_on_draft=bool(d.works_on_draft),
        checklist=d.checklist,
        form=d.form or (),
        merge_next_paraf=bool(d.merge_next_paraf),
        documents=d.documents or (),
        waits_for=d.waits_for or "",
        note=d.note or "",
        short=d.short or "",
    )
