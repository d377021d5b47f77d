"""The verification code printed on the approval sheet.

A printed report travels far from the bot. The code ties the paper to exactly one
signature: the case, the bytes of the draft version the Kadin signed and the instant of
signing. Anyone holding the paper can ask the bot (which stores the code with the case)
whether it is genuine; a re-typed or edited report has another sha256 and so would
never produce the same code.

Ten base32 characters (50 bits) grouped as "ABCD-EFGH-JK": short enough to read over
the phone, and base32's alphabet has no 0/1/8/9 to confuse with O/I/B/g.

The same code travels in the QR printed beside it, as the bot's deep link
`https://t.me/<bot>?start=v_ABCDEFGHJK`: a phone camera opens the bot, and Telegram sends
`/start v_ABCDEFGHJK` (a start payload is at most 64 of `A-Za-z0-9_-`; "v_" keeps it apart
from an invite code, which never starts so).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Final

__all__ = [
    "code_of_start_payload",
    "normalize_verification_code",
    "verification_code",
    "verification_link",
]

_SHA256_RE: Final = re.compile(r"[0-9a-fA-F]{64}")
_LENGTH: Final = 10
# What people type for base32 letters that are not in the alphabet.
_LOOKALIKES: Final = str.maketrans({"0": "O", "1": "I", "8": "B"})
START_PREFIX: Final = "v_"
_USERNAME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def verification_code(
    case_id: int | str, draft_sha256: str, signed_at: datetime, *, key: bytes | None = None
) -> str:
    """ "ABCD-EFGH-JK" from (case, signed draft's sha256, signing instant).

    The instant is taken in UTC, so the same signature gives the same code whatever zone
    the caller holds it in. With `key` (a server secret) the digest is an HMAC, so codes
    cannot be produced outside the bot; without it anyone with the three inputs can
    recompute (and so check) a code.
    """
    if not _SHA256_RE.fullmatch(draft_sha256):
        raise ValueError(f"draft_sha256 must be 64 hex digits, got {draft_sha256!r}")
    if signed_at.tzinfo is None or signed_at.utcoffset() is None:
        raise ValueError(f"signed_at must be aware, got {signed_at.isoformat()}")
    message = "|".join(
        (str(case_id), draft_sha256.lower(), signed_at.astimezone(UTC).isoformat())
    ).encode()
    if key is not None:
        digest = hmac.new(key, message, hashlib.sha256).digest()
    else:
        digest = hashlib.sha256(message).digest()
    code = base64.b32encode(digest).decode("ascii")[:_LENGTH]
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def normalize_verification_code(text: str) -> str | None:
    """A code as a person typed it ("abcd efgh jk", "ABCDEFGHJK") in canonical form.

    Returns None when it cannot be a code, so the caller answers "not a code" rather
    than "not found".
    """
    compact = re.sub(r"[\s\-–.]", "", text).upper().translate(_LOOKALIKES)
    if not re.fullmatch(r"[A-Z2-7]{10}", compact):
        return None
    return f"{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def verification_link(bot_username: str, code: str) -> str:
    """The deep link the QR holds: Telegram opens the bot with `/start v_<code>`."""
    if not _USERNAME_RE.fullmatch(bot_username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    return f"https://t.me/{bot_username}?start={START_PREFIX}{code.replace('-', '')}"


def code_of_start_payload(payload: str) -> str | None:
    """The verification code in a `/start` payload ("v_ABCDEFGHJK"), or None if it is none."""
    if not payload.startswith(START_PREFIX):
        return None
    return normalize_verification_code(payload.removeprefix(START_PREFIX))
