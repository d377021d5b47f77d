"""What officers read when a task changes hands (a Plh/Plt, its end, a reassignment) and
what the admins read about tasks left without an owner.

Small functions beside the presenter rather than inside it: the task's own message is
the presenter's (`task_message` with an intro saying why, `task_update` for the text the
previous holder keeps, without its buttons); only the lines about the change are here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.core.people import Directory
from bot.core.workflow import CaseState, Context, Task
from bot.views.i18n import Catalogue
from bot.views.outgoing import Edit, Outgoing

ACTING_KINDS = ("plh", "plt")


class TaskRenderer(Protocol):
    """The presenter's two renderings of a task message this module builds on."""

    def task_message(
        self, ctx: Context, state: CaseState, task: Task, lang: str, *, intro: str | None = None
    ) -> list[Outgoing]: ...

    def task_update(self, ctx: Context, state: CaseState, task: Task, lang: str) -> Outgoing: ...


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
        return {"admin": people.name(str(done.get("by"))), "reason": done.get("reason") or ""}
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
    old = renderer.task_update(ctx, state, task, previous_lang)
    assert isinstance(old.message, Edit)
    edit = Outgoing(previous, Edit(f"{held}\n\n{old.message.text}"), task_seq=task.seq)
    theirs = _params(cat, people, task, previous, why, lang)
    intro = cat.text(lang, f"acting.intro_{why}", name=people.name(previous), **theirs)
    return [edit, *renderer.task_message(ctx, state, task, lang, intro=intro)]


def orphaned_tasks_text(
    cat: Catalogue,
    lang: str,
    officer: str,
    lines: Sequence[Mapping[str, Any]],
) -> str:
    """The admins' notice of an officer gone from the config who still holds tasks."""
    listed = "\n".join(cat.text(lang, "acting.orphaned_line", **line) for line in lines)
    return cat.text(lang, "acting.orphaned", officer=officer, count=len(lines), tasks=listed)
