"""How long each text an officer types may be, and why.

Whatever an officer types is stored and later shown to others inside a message that must
stay under Telegram's 4,096 characters (1,024 for a caption) together with the task's own
lines. The limits below are generous for their use, and small enough that a task message
embedding them all still fits, so the shortening in `bot.views.textsplit.fit` is a safety
net, not the rule. An answer over its limit is refused with the limit and its length, and
the question stays open: the officer shortens it and sends it again.

Lengths are counted in characters as the officer sees them (`len`), not in Telegram's
UTF-16 units: "1,000 characters" must mean what it says to the person typing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

REASON: Final = 1000  # a return, skip or cancellation reason; a note: a paragraph or two
FORM_FIELD: Final = 1000  # a disposition's instruction or note, typed in a task's form
PROOF_REFERENCE: Final = 200  # an e-office letter number or an e-mail address
YEAR: Final = 10  # a year typed at the /mulai year question

# The incoming letter's typed fields at /mulai, per what each holds on paper.
LETTER: Final[Mapping[str, int]] = {
    "from": 200,  # the sender: an agency's full name and unit
    "number": 100,  # "050/123/Bappeda/2026" and longer schemes
    "date": 40,  # "1 Juli 2026", "01-07-2026"
    "subject": 500,  # the perihal: a line or three on the letter
    "agenda": 50,  # the front office's agenda number
}


def over_limit(text: str, limit: int) -> bool:
    """True when `text` is longer than `limit` characters."""
    return len(text) > limit
