"""What officers read when a task changes hands (a Plh/Plt, its end, a reassignment) and
what the admins read about tasks left without an owner.

Small functions beside the presenter rather than inside it: the task's own message is
the presenter's (`task_message` with an intro saying why, `task_update` for the text the
previous holder keeps, without its buttons); only the lines about the change are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.acting import EXTERNAL_APPOINTERS, ActingRefusal, Appointment
from bot.core.people import Directory
from bot.core.workflow import CaseState, Context, Task
from bot.views.callbacks import acting_choice
from bot.views.fmt import format_date
from bot.views.i18n import Catalogue
from bot.views.outgoing import Edit, Outgoing
from bot.views.textsplit import typed

ACTING_KINDS = ("plh", "plt")


class TaskRenderer(Protocol):
    """The presenter's two renderings of a task message this module builds on."""

    def task_message(
        self, ctx: Context, state: CaseState, task: Task, lang: str, *, intro: str | None = None
    ) -> list[Outgoing]: ...

    def task_update(
        self, ctx: Context, state: CaseState, task: Task, lang: str, intro: str = ""
    ) -> Outgoing: ...


def kind_label(cat: Catalogue, lang: str, kind: str) -> str:
    """ "Plh." or "Plt." as written before a position's title."""
    return cat.plain(lang, f"acting.kind_{kind}") if kind in ACTING_KINDS else ""


def jabatan_of(people: Directory, key: str) -> str:
    officer = people.get(key)
    return officer.jabatan if officer is not None else key


def _params(
    cat: Catalogue, people: Directory, task: Task, previous: str, why: str, lang: str
) -> dict[str, Any]:
    """What the lines about a change name: the act (kind, title, letter) or the reason."""
    if why == "reassigned":
        done: Mapping[str, Any] = task.data.get("reassigned") or {}
        reason = typed(done.get("reason") or "")  # typed by the admin: `fit` may shorten it
        return {"admin": people.name(str(done.get("by"))), "reason": reason}
    key = "acting_ended" if why == "acting_end" else "acting"
    acting: Mapping[str, Any] = task.data.get(key) or {}
    return {
        "kind": kind_label(cat, lang, str(acting.get("kind"))),
        "jabatan": jabatan_of(people, str(acting.get("for"))),
        "letter": acting.get("letter") or "",
    }


def handed_over(
    renderer: TaskRenderer,
    cat: Catalogue,
    people: Directory,
    ctx: Context,
    state: CaseState,
    task: Task,
    previous: str,
    why: str,
    langs: tuple[str, str],
) -> list[Outgoing]:
    """The previous holder's message turned read-only, naming who holds it now (first:
    an edit reaches the newest message of the task), then the task for its new holder."""
    previous_lang, lang = langs
    mine = _params(cat, people, task, previous, why, previous_lang)
    held = cat.text(previous_lang, f"acting.held_{why}", name=people.name(task.assignee), **mine)
    old = renderer.task_update(ctx, state, task, previous_lang, intro=held)
    assert isinstance(old.message, Edit)
    edit = Outgoing(
        previous, Edit(old.message.text, caption=old.message.caption), task_seq=task.seq
    )
    theirs = _params(cat, people, task, previous, why, lang)
    intro = cat.text(lang, f"acting.intro_{why}", name=people.name(previous), **theirs)
    return [edit, *renderer.task_message(ctx, state, task, lang, intro=intro)]


def acting_intro(cat: Catalogue, people: Directory, task: Task, lang: str) -> str | None:
    """Why a stand-in gets a new task: as whose Plh/Plt, on which letter; None otherwise."""
    acting: Mapping[str, Any] | None = task.data.get("acting")
    if not acting:
        return None
    params = _params(cat, people, task, "", "acting", lang)
    return cat.text(
        lang, "acting.intro_acting", name=people.name(str(acting.get("for"))), **params
    )


def orphaned_tasks_text(
    cat: Catalogue,
    lang: str,
    officer: str,
    lines: Sequence[Mapping[str, Any]],
) -> str:
    """The admins' notice of an officer gone from the config who still holds tasks."""
    listed = "\n".join(cat.text(lang, "acting.orphaned_line", **line) for line in lines)
    return cat.text(lang, "acting.orphaned", officer=officer, count=len(lines), tasks=listed)


# -- /wakil: the questions and their answers --------------------------------------------------


def kind_buttons(cat: Catalogue, lang: str) -> list[list[dict[str, str]]]:
    return [
        [{"text": cat.plain(lang, f"acting.button_{kind}"), "data": acting_choice("k", kind)}]
        for kind in ACTING_KINDS
    ]


def officer_buttons(
    people: Directory, question: str, keys: Sequence[str]
) -> list[list[dict[str, str]]]:
    """One officer a row: name and title, so two holders of one role are told apart."""
    return [
        [
            {
                "text": f"{people.name(k)} ({jabatan_of(people, k)})",
                "data": acting_choice(question, k),
            }
        ]
        for k in keys
    ]


def appointer_buttons(
    cat: Catalogue, people: Directory, lang: str, keys: Sequence[str]
) -> list[list[dict[str, str]]]:
    """The official's superiors, or the Bupati and the Sekda for the head of the agency."""
    rows: list[list[dict[str, str]]] = []
    for key in keys:
        text = (
            cat.plain(lang, f"acting.appointer_{key}")
            if key in EXTERNAL_APPOINTERS
            else f"{people.name(key)} ({jabatan_of(people, key)})"
        )
        rows.append([{"text": text, "data": acting_choice("p", key)}])
    return rows


def appointer_name(cat: Catalogue, people: Directory, lang: str, key: str) -> str:
    if key in EXTERNAL_APPOINTERS:
        return cat.plain(lang, f"acting.appointer_{key}")
    return people.name(key)


def recorded_text(
    cat: Catalogue, people: Directory, tz: ZoneInfo, lang: str, a: Appointment
) -> str:
    return cat.text(
        lang,
        "acting.recorded",
        kind=kind_label(cat, lang, a.kind.value),
        jabatan=jabatan_of(people, a.absent),
        name=people.name(a.stand_in),
        start=format_date(a.start, tz, lang),
        end=format_date(a.end, tz, lang),
        letter=a.letter_number,
        appointer=appointer_name(cat, people, lang, a.appointer),
    )


def refusal_text(
    cat: Catalogue, people: Directory, tz: ZoneInfo, lang: str, refusal: ActingRefusal
) -> str:
    """Why a Surat Perintah was refused, naming officers and dates as people read them."""
    key = f"acting.refused_{refusal.code.value}"
    shown: dict[str, object] = {}
    for name in cat.placeholders(key):
        value = refusal.details.get(name, "")
        if isinstance(value, date):
            shown[name] = format_date(value, tz, lang)
        elif isinstance(value, tuple | list):
            shown[name] = ", ".join(appointer_name(cat, people, lang, str(v)) for v in value)
        elif name in ("officer", "appointer", "expected"):
            shown[name] = appointer_name(cat, people, lang, str(value))
        else:
            shown[name] = value
    return cat.plain(lang, key, **shown)
