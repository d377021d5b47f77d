"""How a step is named in chat: the SOP's short name in every line an officer skims
(reminders, the digest, /status, /riwayat, acknowledgements), its full SOP title only in
the task's detail, where there is room to read it."""

from __future__ import annotations

from bot.core.sop import Step


def step_label(step: Step, detail: bool = False) -> str:
    """ "Pemeriksaan Sekretaris" for a chat line; the SOP's full title with `detail`.

    A step without a short name (an agency's own SOP file, or an open case's snapshot
    from before `short` existed) is named by its title: a line never says "Langkah 5:
    Langkah 5".
    """
    return step.title if detail else step.chat_name
