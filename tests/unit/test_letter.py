"""The /mulai dialog's questions: asked in a fixed order, each derived from what is missing."""

from __future__ import annotations

from bot.core.letter import LETTER_TEXT_FIELDS, choose_sop, new_draft, open_field, pending
from tests.support.engine import shipped_sop
from tests.support.harness import directory

SOP = shipped_sop()
ROSTER = directory().roster


def test_the_open_question_follows_from_what_the_draft_lacks() -> None:
    draft = new_draft()
    asked = [pending(draft)]
    choose_sop(draft, SOP, ROSTER, "kadin")
    asked.append(pending(draft))
    draft["period"] = "TW2"
    asked.append(pending(draft))
    draft["year"] = 2026
    for name in LETTER_TEXT_FIELDS:
        asked.append(pending(draft))
        draft["letter"][name] = "x"
    asked.append(pending(draft))
    draft["letter"]["urgency"] = "biasa"
    asked.append(pending(draft))
    draft["scan_done"] = True
    while pending(draft) == "field":
        field = open_field(draft)
        assert field is not None
        asked.append(field)
        draft["form"][field.rstrip("?")] = ""
    asked.append(pending(draft))
    fields = list(SOP.first.form)
    assert asked == [
        "sop",
        "period",
        "year",
        *LETTER_TEXT_FIELDS,
        "urgency",
        "scan",
        *fields,
        "confirm",
    ]
    assert fields  # the Kadin holds step 1 and gives its form in the dialog


def test_only_a_holder_of_the_first_step_is_asked_its_form() -> None:
    draft = new_draft()
    choose_sop(draft, SOP, ROSTER, "sekretaris")
    assert draft["sop"] == SOP.key
    assert draft["form_fields"] is None
    assert open_field(draft) is None
