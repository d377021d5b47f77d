"""From a case (its state, its audit trail, the configuration) to the documents' inputs.

Pure: no I/O, no clock, no Telegram. The documents (`bot.documents`) know nothing of
cases; the engine knows nothing of documents. This module is the one place where the
two meet, so it may read only what every SOP has: step kinds (paraf, sign, decision,
parallel_decision), the audit events the engine writes ("complete", "paraf",
"approve", "return", "sign") and the per-step data the engine keeps (an action step's
form, a sign step's signature). Nothing here names a step of a particular SOP.

The paper trail comes from the audit log, not from the tasks: the log is append-only and
is what a verification is checked against, so the printed sheet and a later
`/verifikasi` can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from bot.config import Config, Officer
from bot.core.acting import ActingKind
from bot.core.sop import Sop, Step, StepKind
from bot.core.workflow import AuditRecord, CaseState
from bot.documents import (
    DEFAULT_APPROVAL_WORDING,
    ApprovalSheet,
    CapaianRules,
    Disposition,
    DispositionSheet,
    DocumentKind,
    IncomingLetter,
    KopSettings,
    Letterhead,
    ParafEntry,
    PerformanceReport,
    PeriodKind,
    ReportPeriod,
    SheetData,
    Signatory,
    Urgency,
    document_filename,
    verification_code,
    verification_link,
)
from bot.documents.kop import NO_KOP

__all__ = [
    "APPROVAL",
    "DISPOSITION",
    "FINAL_REPORT",
    "STANDARD_REPORT",
    "AuditEntry",
    "DocumentContextError",
    "SignEvent",
    "Signature",
    "approval_sheet",
    "disposition_audience",
    "disposition_sheet",
    "disposition_source",
    "file_name",
    "final_report_audience",
    "letterhead",
    "performance_report",
    "period_in_words",
    "report_period",
    "sign_events",
    "signatory",
    "signature",
]

# The document names the SOP file lists under a step's `documents`, plus the report in
# the standard format that the indicator sheet produces. Also the `kind` of stored rows.
DISPOSITION: Final = "lembar_disposisi"
APPROVAL: Final = "lembar_pengesahan"
FINAL_REPORT: Final = "laporan_final"
STANDARD_REPORT: Final = "laporan_baku"

_DASH: Final = "-"
_URGENCY: Final = {
    "sangat segera": Urgency.SANGAT_SEGERA,
    "sangat_segera": Urgency.SANGAT_SEGERA,
    "segera": Urgency.SEGERA,
    "rahasia": Urgency.RAHASIA,
}
# Where an action step's form keeps what the documents print (the SOP's `form` names).
_INSTRUCTION: Final = "instruksi"
_NOTE: Final = "catatan"


class DocumentContextError(ValueError):
    """The case cannot give this document what it needs (e.g. nothing signed yet)."""


AuditEntry = AuditRecord  # what is read of an audit row


# -- people and the agency -------------------------------------------------------------------


def letterhead(config: Config, kop: KopSettings) -> Letterhead:
    """`[agency]` and the kop's own lines from `[documents.kop]`."""
    agency = config.agency
    return Letterhead(
        region=agency.region,
        agency=agency.name,
        address=agency.address or _DASH,
        city=agency.city,
        logo=agency.logo,
        telephone=kop.telephone,
        fax=kop.fax,
        email=kop.email,
        website=kop.website,
        name_lines=kop.name_lines,
    )


def signatory(officer: Officer, acting: str = "", jabatan: str | None = None) -> Signatory:
    """The officer's own name, pangkat and NIP; a stand-in signs with "Plh."/"Plt." before
    the title of the official they stand in for (`jabatan`)."""
    return Signatory(
        name=officer.name,
        pangkat=officer.pangkat or _DASH,
        nip=officer.nip_formatted or _DASH,
        jabatan=officer.jabatan if jabatan is None else jabatan,
        acting=acting,
    )


def _acting_title(config: Config, event: AuditEntry) -> tuple[str, str] | None:
    """("Plh.", the absent official's title) when `event` was done by a stand-in."""
    acting = event.data.get("acting")
    if not isinstance(acting, Mapping):
        return None
    absent = _officer(config, str(acting.get("for")))
    try:
        prefix = ActingKind(str(acting.get("kind"))).title_prefix
    except ValueError:
        return None
    return prefix, absent.jabatan if absent is not None else str(acting.get("for"))


def _officer(config: Config, key: str) -> Officer | None:
    for officer in config.officers:
        if officer.key == key:
            return officer
    return None


def _holder(config: Config, roles: Sequence[str]) -> Officer | None:
    """The officer who would act for these roles: the leader, else the first in the file."""
    holders = [o for o in config.officers if o.role in roles]
    leaders = [o for o in holders if o.leader]
    chosen = leaders or holders
    return chosen[0] if chosen else None


def _config_order(config: Config) -> dict[str, int]:
    return {o.key: index for index, o in enumerate(config.officers)}


# -- the period and file names ---------------------------------------------------------------


def report_period(sop: Sop, state: CaseState) -> ReportPeriod:
    """The SOP's period of the case as the documents print it ("Triwulan II")."""
    period = sop.period(state.period_key)
    try:
        kind = PeriodKind(period.kind)
    except ValueError:
        raise DocumentContextError(
            f"period {period.key} is a {period.kind!r}; the documents know "
            f"{', '.join(k.value for k in PeriodKind)}"
        ) from None
    span = period.end_month - period.start_month + 1
    number = period.end_month // span if span > 0 else 0
    try:
        return ReportPeriod(period.label, kind, number, state.year)
    except ValueError as exc:
        raise DocumentContextError(f"period {period.key}: {exc}") from None


def period_in_words(sop: Sop, state: CaseState) -> str:
    """ "Triwulan II Tahun 2026": the case's period as titles, captions and a verification
    write it (any period the SOP file names, unlike `report_period`)."""
    return f"{sop.period(state.period_key).label} Tahun {state.year}"


def file_name(
    kind: DocumentKind, state: CaseState, config: Config, suffix: str = "", ext: str = "docx"
) -> str:
    """ "Laporan_Kinerja_TW2_2026_Disdik_final.pdf" for this case."""
    return document_filename(
        kind, state.period_key, state.year, config.agency.short_name, suffix, ext
    )


# -- the disposition -------------------------------------------------------------------------


def _completion(audit: Sequence[AuditEntry], step_key: str) -> AuditEntry:
    done = [e for e in audit if e.action == "complete" and e.step_key == step_key]
    if not done:
        raise DocumentContextError(f"step {step_key} has not been completed")
    return done[-1]


def disposition_source(audit: Sequence[AuditEntry], step_key: str) -> str:
    """What a disposition sheet is made from: that step's completing round."""
    event = _completion(audit, step_key)
    return f"{step_key}#{event.round}"


def _forwarded_to(state: CaseState, step: Step, at: datetime) -> list[str]:
    """The officers the disposition reaches: those given the next step when it was made."""
    if step.next is None:
        return []
    opened = [t for t in state.tasks if t.step_key == step.next and t.created_at == at]
    return list(dict.fromkeys(t.assignee for t in opened))


def _letter_date(letter: Mapping[str, str], key: str) -> date | None:
    text = (letter.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _letter_text(letter: Mapping[str, str], key: str) -> str:
    return (letter.get(key) or "").strip() or _DASH


def disposition_sheet(
    sop: Sop,
    state: CaseState,
    audit: Sequence[AuditEntry],
    config: Config,
    step_key: str,
    kop: KopSettings = NO_KOP,
) -> DispositionSheet:
    """The lembar disposisi of the action step `step_key` (its form and its completion)."""
    step = sop.step(step_key)
    event = _completion(audit, step_key)
    form: Mapping[str, Any] = state.data.get(step_key) or {}
    giver = _officer(config, event.actor) or _holder(config, step.roles)
    if giver is None:
        raise DocumentContextError(f"nobody in the config holds {', '.join(step.roles)}")
    forwarded = _forwarded_to(state, step, event.at)
    to = [_addressee(config, key) for key in forwarded]
    if not to and step.next is not None:
        to = [sop.roles.get(r, r) for r in sop.step(step.next).roles]
    deadlines = [
        t.deadline for t in state.tasks if t.assignee in forwarded and t.created_at == event.at
    ]
    due = min(deadlines).astimezone(config.agency.timezone).date() if deadlines else None
    letter = state.letter
    urgency = _URGENCY.get((letter.get("urgency") or "").strip().lower(), Urgency.BIASA)
    return DispositionSheet(
        letterhead=letterhead(config, kop),
        letter=IncomingLetter(
            sender=_letter_text(letter, "from"),
            number=_letter_text(letter, "number"),
            date=_letter_date(letter, "date"),
            date_received=_letter_date(letter, "received"),
            agenda_number=_letter_text(letter, "agenda"),
            urgency=urgency,
            subject=_letter_text(letter, "subject"),
        ),
        disposition=Disposition(
            instruction=str(form.get(_INSTRUCTION) or ""),
            note=str(form.get(_NOTE) or ""),
            to=tuple(to),
            at=event.at,
            by=_as_acted(config, giver, event),  # a Plh Kadin disposes as "Plh. Kepala Dinas"
            due=due,
        ),
        tz=config.agency.timezone,
    )


def _addressee(config: Config, key: str) -> str:
    officer = _officer(config, key)
    if officer is None:
        return key
    return f"{officer.name} ({officer.jabatan})"


def disposition_audience(
    sop: Sop, state: CaseState, audit: Sequence[AuditEntry], step_key: str
) -> list[str]:
    """Who gets the disposition: whoever gave it, and whoever it was forwarded to."""
    event = _completion(audit, step_key)
    forwarded = _forwarded_to(state, sop.step(step_key), event.at)
    return list(dict.fromkeys([event.actor, *forwarded]))


# -- the signature ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """What the engine recorded at a sign step: the draft version signed, and when."""

    step: Step
    version: int | None
    sha256: str
    at: datetime

    def code(self, case_id: int) -> str:
        return verification_code(case_id, self.sha256, self.at)


def signature(sop: Sop, state: CaseState) -> Signature | None:
    """The case's latest signature, from the data its sign step(s) recorded; None if none."""
    found: list[Signature] = []
    for step in sop.steps:
        if step.kind is not StepKind.SIGN:
            continue
        record = state.data.get(step.key)
        if not isinstance(record, Mapping) or not record.get("sha256") or not record.get("at"):
            continue
        version = record.get("version")
        found.append(
            Signature(
                step=step,
                version=int(version) if version is not None else None,
                sha256=str(record["sha256"]),
                at=datetime.fromisoformat(str(record["at"])),
            )
        )
    return max(found, key=lambda s: s.at) if found else None


@dataclass(frozen=True, slots=True)
class SignEvent:
    """A signature as the audit log holds it, with the code derived from it."""

    code: str
    signer: str
    at: datetime
    step_key: str
    version: int | None
    sha256: str
    acting: tuple[str, str] | None = None  # ("plh"/"plt", the absent official) by a stand-in


def sign_events(case_id: int, audit: Sequence[AuditEntry]) -> list[SignEvent]:
    """Every signature in a case's audit trail, each with its verification code."""
    found: list[SignEvent] = []
    for event in audit:
        sha = event.data.get("sha256") if event.action == "sign" else None
        if not isinstance(sha, str):
            continue
        version = event.data.get("version")
        found.append(
            SignEvent(
                code=verification_code(case_id, sha, event.at),
                signer=event.actor,
                at=event.at,
                step_key=event.step_key,
                version=int(version) if version is not None else None,
                sha256=sha,
                acting=_acting_of(event),
            )
        )
    return found


def _before_signature(audit: Sequence[AuditEntry], sig: Signature) -> list[AuditEntry]:
    """The trail up to (not including) the sign event the signature came from."""
    for index, event in enumerate(audit):
        if (
            event.action == "sign"
            and event.step_key == sig.step.key
            and event.data.get("sha256") == sig.sha256
            and event.at == sig.at
        ):
            return list(audit[:index])
    return [e for e in audit if e.at <= sig.at and e.action != "sign"]


def _sign_event(audit: Sequence[AuditEntry], sig: Signature) -> AuditEntry | None:
    for event in audit:
        if event.action == "sign" and event.step_key == sig.step.key and event.at == sig.at:
            return event
    return None


def _signatory_of(config: Config, audit: Sequence[AuditEntry], sig: Signature) -> Signatory:
    """Who signed, as printed: a Plh/Plt with their own name under the absent's title."""
    return _as_acted(config, _signer(config, audit, sig), _sign_event(audit, sig))


def _as_acted(config: Config, officer: Officer, event: AuditEntry | None) -> Signatory:
    """`officer` as they acted in `event`: under the absent official's title with
    "Plh."/"Plt." before it when they stood in, else under their own."""
    acting = _acting_title(config, event) if event is not None else None
    if acting is None or event is None or event.actor != officer.key:
        return signatory(officer)
    return signatory(officer, acting[0], acting[1])


def _signer(config: Config, audit: Sequence[AuditEntry], sig: Signature) -> Officer:
    event = _sign_event(audit, sig)
    if event is not None:
        officer = _officer(config, event.actor)
        if officer is not None:
            return officer
    holder = _holder(config, sig.step.roles)
    if holder is None:
        raise DocumentContextError(f"nobody in the config holds {', '.join(sig.step.roles)}")
    return holder


def _initials_kind(step: Step, action: str) -> bool:
    """Whether an event is a paraf: at a paraf step, or an approval of a parallel review
    (each reviewer initials the draft they let through; a single decision is a check,
    and its initials follow at the paraf step after it)."""
    if step.kind is StepKind.PARAF:
        return action == "paraf"
    if step.kind is StepKind.PARALLEL_DECISION:
        return action == "approve"
    return False


def _acting_of(event: AuditEntry) -> tuple[str, str] | None:
    acting = event.data.get("acting")
    if not isinstance(acting, Mapping):
        return None
    return str(acting.get("kind")), str(acting.get("for"))


def _in_place_of(event: AuditEntry) -> str:
    """Whose place an initial takes on the sheet: the absent official's, for a stand-in."""
    acting = event.data.get("acting")
    return str(acting.get("for")) if isinstance(acting, Mapping) else event.actor


def _paraf_trail(
    sop: Sop, config: Config, trail: Sequence[AuditEntry]
) -> list[tuple[Step, AuditEntry]]:
    """The initials that led to the signature, in the SOP's step order.

    Per step only its last round before the signature counts: an earlier round ended in
    a return (or a new draft version restarted it), so its initials were given to a
    draft that was not the one signed off. Within a step, officers appear in the
    config's order (a parallel review has no order of its own).
    """
    order = _config_order(config)
    entries: list[tuple[Step, AuditEntry]] = []
    for step in sorted(sop.steps, key=lambda s: s.number):
        mine = [e for e in trail if e.step_key == step.key]
        if not mine:
            continue
        last_round = max(e.round for e in mine)
        given = [e for e in mine if e.round == last_round and _initials_kind(step, e.action)]
        given.sort(key=lambda e: (order.get(_in_place_of(e), len(order)), e.at))
        entries += [(step, e) for e in given]
    return entries


def final_report_audience(
    sop: Sop, state: CaseState, audit: Sequence[AuditEntry], config: Config
) -> list[str]:
    """Who gets the signed report at once: the signer, whoever initialled it at a paraf
    step (the secretary who carries the paperwork), and the officers given the step
    after the signature (who order its copying). Those chosen later to distribute it
    get it with their task."""
    sig = signature(sop, state)
    if sig is None:
        raise DocumentContextError("the case has not been signed")
    trail = _before_signature(audit, sig)
    people = [_signer(config, audit, sig).key]
    people += [
        e.actor for step, e in _paraf_trail(sop, config, trail) if step.kind is StepKind.PARAF
    ]
    if sig.step.next is not None:
        following = [t for t in state.tasks if t.step_key == sig.step.next and t.round == 1]
        people += [t.assignee for t in following]
    known = {o.key for o in config.officers}
    return [p for p in dict.fromkeys(people) if p in known]


# -- the approval sheet ----------------------------------------------------------------------


def approval_sheet(
    sop: Sop,
    state: CaseState,
    audit: Sequence[AuditEntry],
    config: Config,
    kop: KopSettings = NO_KOP,
    approval_wording: str = DEFAULT_APPROVAL_WORDING,
    bot_username: str | None = None,
) -> ApprovalSheet:
    """The lembar pengesahan of the case's signature, with its verification code (and,
    when the bot's username is known, its deep link for the QR)."""
    sig = signature(sop, state)
    if sig is None:
        raise DocumentContextError("the case has not been signed")
    trail = _before_signature(audit, sig)
    paraf = []
    for order, (step, event) in enumerate(_paraf_trail(sop, config, trail), start=1):
        officer = _officer(config, event.actor)
        acting = _acting_title(config, event)
        jabatan = officer.jabatan if officer else _DASH
        paraf.append(
            ParafEntry(
                order=order,
                name=officer.name if officer else event.actor,
                jabatan=f"{acting[0]} {acting[1]}" if acting else jabatan,
                at=event.at,
                step_title=step.label,
                nip=(officer.nip_formatted or "") if officer else "",
            )
        )
    code = sig.code(state.id)
    return ApprovalSheet(
        letterhead=letterhead(config, kop),
        period=report_period(sop, state),
        document_title=f"Laporan Kinerja {period_in_words(sop, state)}",
        case_code=state.code,
        paraf=tuple(paraf),
        kadin=_signatory_of(config, audit, sig),
        signed_at=sig.at,
        verification_code=code,
        draft_sha256=sig.sha256,
        tz=config.agency.timezone,
        draft_version=state.shown_version(sig.version),
        approval_wording=approval_wording,
        verification_link=(
            verification_link(bot_username, code) if bot_username is not None else None
        ),
    )


# -- the report in the standard format -------------------------------------------------------


def performance_report(
    sop: Sop,
    state: CaseState,
    config: Config,
    sheet: SheetData,
    rules: CapaianRules,
    today: date,
    kop: KopSettings = NO_KOP,
) -> PerformanceReport:
    """The standard-format report filled from an indicator sheet, for the staff to type
    the chapters into; the foreword is signed by whoever signs at the SOP's sign step."""
    sign_steps = sorted((s for s in sop.steps if s.kind is StepKind.SIGN), key=lambda s: s.number)
    head = _holder(config, sign_steps[-1].roles) if sign_steps else None
    head = head or (config.officers[0] if config.officers else None)
    if head is None:
        raise DocumentContextError("the config lists no officers")
    return PerformanceReport(
        letterhead=letterhead(config, kop),
        period=report_period(sop, state),
        kadin=signatory(head),
        date=today,
        indicators=sheet.indicators,
        budget=sheet.budget,
        rules=rules,
    )
