"""Long HTML messages cut into pieces Telegram accepts.

Telegram refuses a text over 4,096 characters and a caption over 1,024
(`BadRequest: Message is too long`), counted *after* entity parsing: tags do not count,
`&amp;` counts as one character. We count the same way, and in UTF-16 code units, which
is how the Bot API measures text (an emoji outside the Basic Multilingual Plane is two).
Counting the raw string instead would be simpler and always safe, but a history full of
`<b>` and `&amp;` would then be cut well before it has to be; counting what Telegram
counts keeps each piece as full as allowed. Leading and trailing blanks, which Telegram
strips, are still counted: that errs on the safe side.

Pieces end at line boundaries (a line is never cut while a whole line fits), at a blank
line when there is one in the second half of the piece, so that a paragraph or a table
stays together. Only a single line longer than the limit is cut inside: after a blank
if there is one in the second half of the piece, else between two characters (a
grapheme such as a flag may then be split, never a UTF-16 surrogate pair); never inside
a tag or an entity such as `&amp;`. An element left open at a cut (a `<b>` or `<pre>`
spanning lines) is closed at the end of the piece and opened again, with the same
attributes, at the start of the next, so every piece is valid HTML on its own.

A message that embeds what an officer typed (a return reason, a letter's subject) is
fitted instead of split: `typed` marks the officer's part where the message is built, and
`fit` shortens only the marked parts, so the task's own lines and its buttons always
arrive, and the reader is told where the whole text is (`/riwayat <kode>`).

Pure: no Telegram imports; the limits mirror `telegram.constants.MessageLimit`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CAPTION_LIMIT",
    "ELLIPSIS",
    "TEXT_LIMIT",
    "fit",
    "shorten",
    "split_html",
    "typed",
    "visible_length",
]

TEXT_LIMIT: Final = 4096  # MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT: Final = 1024  # MessageLimit.CAPTION_LENGTH
_MIN_LIMIT: Final = 2  # one character outside the BMP is two UTF-16 units
ELLIPSIS: Final = "…"
# Unicode noncharacters, "for internal use": they bracket an officer's text in a message
# being built. `typed` removes them from what the officer sent, so they cannot be forged.
_TYPED_OPEN: Final = "\ufdd0"
_TYPED_CLOSE: Final = "\ufdd1"
_TYPED_RE: Final = re.compile(f"{_TYPED_OPEN}([^{_TYPED_OPEN}{_TYPED_CLOSE}]*){_TYPED_CLOSE}")

# A tag: "<b>", "</b>", '<a href="x">' (quoted attribute values may hold ">").
_TAG_RE: Final = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
# The entities Telegram decodes: &lt; &gt; &amp; &quot; and every numeric one.
_ENTITY_RE: Final = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")
_NAMED: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_BLANKS: Final = (" ", "\t")
_LEADING: Final = (" ", "\t", "\n")


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    kind: str  # "text" (one character or entity) | "open" | "close"
    size: int = 0  # UTF-16 units the reader sees
    name: str = ""  # tag name, for open/close


def _entity_size(match: re.Match[str]) -> int:
    named, decimal, hexadecimal = match.groups()
    if named:
        return 1
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return 2 if code > 0xFFFF else 1


def _tokens(html: str) -> list[_Token]:
    """Tags, entities and single characters, in order."""
    tokens: list[_Token] = []
    i = 0
    while i < len(html):
        char = html[i]
        if char == "<":
            match = _TAG_RE.match(html, i)
            if match is not None:
                kind = "close" if match.group(1) else "open"
                tokens.append(_Token(match.group(), kind, 0, match.group(2).lower()))
                i = match.end()
                continue
        elif char == "&":
            match = _ENTITY_RE.match(html, i)
            if match is not None:
                tokens.append(_Token(match.group(), "text", _entity_size(match)))
                i = match.end()
                continue
        tokens.append(_Token(char, "text", _utf16(char)))
        i += 1
    return tokens


def visible_length(html: str) -> int:
    """The length Telegram checks against its limit: tags removed, entities decoded, UTF-16."""
    return sum(token.size for token in _tokens(html))


class _Piece:
    """The piece being filled: its tokens and the elements open at its start."""

    def __init__(self, reopened: list[_Token]) -> None:
        self.tokens: list[_Token] = list(reopened)
        self.size = 0
        self.visible = 0  # text tokens in this piece (the reopened tags are not text)

    def add(self, token: _Token) -> None:
        if token.raw in _LEADING and not self.visible:
            return  # a piece never starts with blanks: Telegram would strip them anyway
        self.tokens.append(token)
        self.size += token.size
        self.visible += token.kind == "text"


def _open_after(start: list[_Token], tokens: list[_Token]) -> list[_Token]:
    """The elements still open after `tokens`, given those open before them."""
    stack = list(start)
    for token in tokens:
        if token.kind == "open":
            stack.append(token)
        elif token.kind == "close":
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].name == token.name:
                    del stack[depth:]
                    break
    return stack


def _render(tokens: list[_Token], still_open: list[_Token]) -> str:
    body = "".join(token.raw for token in tokens)
    return body + "".join(f"</{token.name}>" for token in reversed(still_open))


def _cut_index(piece: _Piece, reopened: int, incoming: _Token) -> tuple[int, bool]:
    """Where to end a full piece: (index of the first token that moves on, drop it?).

    A blank line in the second half of the piece wins (a paragraph stays together), then
    the last line break; in a single over-long line, the last blank in the second half;
    otherwise the piece is cut right before the token that did not fit (`incoming`, which
    is itself the best place when it is a line break or a blank).
    """
    tokens = [*piece.tokens, incoming]
    first_text = next(
        (i for i in range(reopened, len(tokens)) if _is_text(tokens[i])), len(tokens)
    )
    half = piece.size // 2
    before = [0]
    for token in tokens:
        before.append(before[-1] + token.size)
    breaks = [i for i in range(first_text + 1, len(tokens)) if tokens[i].raw == "\n"]
    for index in reversed(breaks):
        if tokens[index - 1].raw == "\n" and before[index] >= half:
            return index, True
    if breaks:
        return breaks[-1], True
    for index in range(len(tokens) - 1, first_text, -1):
        if tokens[index].raw in _BLANKS and before[index] >= half:
            return min(index + 1, len(piece.tokens)), False  # the blank ends this piece
    return len(piece.tokens), False


def _is_text(token: _Token) -> bool:
    return token.kind == "text" and not token.raw.isspace()


def split_html(html: str, limit: int = TEXT_LIMIT) -> list[str]:
    """`html` as pieces of at most `limit` visible UTF-16 units each, in order.

    A text that fits comes back unchanged as the only piece. Newlines at the edges of a
    piece are dropped (Telegram would strip them), and a piece with nothing visible in
    it is left out; an empty or blank text gives no pieces at all.
    """
    if limit < _MIN_LIMIT:
        raise ValueError(f"limit must be at least {_MIN_LIMIT}, got {limit}")
    if _utf16(html) <= limit:  # fits as it is (tags and entities only shorten it)
        return [html] if _visible_text(html) else []
    tokens = _tokens(html)
    if sum(token.size for token in tokens) <= limit:
        return [html] if _visible_text(html) else []
    pieces: list[str] = []
    open_now: list[_Token] = []
    piece = _Piece(open_now)
    for token in tokens:
        while piece.size + token.size > limit and piece.visible:
            reopened = len(open_now)
            cut, drop = _cut_index(piece, reopened, token)
            kept, rest = piece.tokens[:cut], piece.tokens[cut + int(drop) :]
            still_open = _open_after(open_now, piece.tokens[reopened:cut])
            pieces.append(_render(kept, still_open))
            open_now = still_open
            piece = _Piece(open_now)
            for moved in rest:
                piece.add(moved)
        piece.add(token)
    pieces.append(_render(piece.tokens, _open_after(open_now, piece.tokens[len(open_now) :])))
    return [p for p in (_trim(p) for p in pieces) if _visible_text(p)]


def _trim(piece: str) -> str:
    return piece.strip("\n")


def _visible_text(piece: str) -> bool:
    """Whether anything but blanks is left once the tags are gone (as `_is_text` over
    the tokens, without tokenising: every message passes here)."""
    return bool(_TAG_RE.sub("", piece).strip())


def shorten(text: str, limit: int) -> str:
    """Plain `text` cut to at most `limit` characters at a word boundary, with "…".

    For long SOP step titles in lists and tables, where the full title is one tap away.
    """
    if limit < 2:
        raise ValueError(f"limit must be at least 2, got {limit}")
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space >= limit // 2:
        head = head[:space]
    return head.rstrip(" ,.;:-") + "…"


# -- fitting a message that embeds typed text --------------------------------------------


def typed(value: object) -> str:
    """`value`, text an officer typed, marked as the part `fit` may shorten.

    Mark it before it is HTML-escaped or after (the marks are not touched by escaping);
    a text built with marks must go through `fit`, which removes them.
    """
    text = str(value).replace(_TYPED_OPEN, "").replace(_TYPED_CLOSE, "")
    return f"{_TYPED_OPEN}{text}{_TYPED_CLOSE}"


def fit(html: str, limit: int = TEXT_LIMIT, more: str = ELLIPSIS) -> str:
    """`html` within `limit` visible UTF-16 units, by shortening only its `typed` parts.

    Every part longer than a common cap is cut to that cap (at a blank in its second
    half when there is one, never inside an entity: the parts are escaped text, so they
    hold no tags) and ends with `more`, HTML such as "… (selengkapnya: /riwayat KODE)";
    the cap is the largest that fits, so short parts stay whole and the long ones share
    what is left. When even `more` does not fit, the parts end with a bare "…"; when the
    text outside the parts is itself too long, the parts are emptied and the text comes
    back over the limit (the sender's fallback is the last line of defence). A text that
    fits comes back unchanged but for the marks.
    """
    whole = _strip_marks(html)
    if _utf16(whole) <= limit:  # tags and entities only shorten what Telegram counts
        return whole  # (the common case, a press's every message: no tokenising)
    pieces = _TYPED_RE.split(html)
    fixed = [_strip_marks(p) for p in pieces[0::2]]
    parts = [_tokens(p) for p in pieces[1::2]]
    sizes = [sum(t.size for t in part) for part in parts]
    room = limit - sum(visible_length(p) for p in fixed)
    if sum(sizes) <= room:
        return "".join(_strip_marks(p) for p in pieces)
    for ending in (more, ELLIPSIS):
        cap = _largest_cap(sizes, room, visible_length(ending))
        if cap is not None:
            break
    else:
        cap, ending = 0, ""
    ending_size = visible_length(ending)
    out = [fixed[0]]
    for part, size, after in zip(parts, sizes, fixed[1:], strict=True):
        if size <= cap + ending_size:
            out.append("".join(t.raw for t in part))
        else:
            out.append(_cut(part, cap) + ending)
        out.append(after)
    return "".join(out)


def _strip_marks(text: str) -> str:
    return text.replace(_TYPED_OPEN, "").replace(_TYPED_CLOSE, "")


def _largest_cap(sizes: list[int], room: int, ending: int) -> int | None:
    """The largest cap for which the parts fit in `room`, each cut one ending with
    `ending`; None when not even a cap of 0 fits."""

    def used(cap: int) -> int:
        return sum(size if size <= cap + ending else cap + ending for size in sizes)

    if used(0) > room:
        return None
    low, high = 0, max(sizes, default=0)
    while low < high:  # the largest cap with used(cap) <= room; used() grows with cap
        middle = (low + high + 1) // 2
        if used(middle) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(part: list[_Token], cap: int) -> str:
    """The start of `part` up to `cap` units, ending at a blank in its second half if any."""
    kept: list[_Token] = []
    size = 0
    for token in part:
        if size + token.size > cap:
            break
        kept.append(token)
        size += token.size
    blanks = [i for i, t in enumerate(kept) if t.raw.isspace() and i >= len(kept) // 2]
    if blanks and len(kept) < len(part):
        kept = kept[: blanks[-1]]
    return "".join(t.raw for t in kept).rstrip()
