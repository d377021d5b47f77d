"""Telegram's HTML parse mode, reimplemented after tdlib's `parse_html`.

The fake must refuse what Telegram refuses (a stray `<`, `<br>`, an unclosed `<b>`), with
the same wording, because the bot's HTML escaping is exactly what end-to-end tests should
catch. It must also produce what the user *sees*: plain text plus entities with UTF-16
offsets, which is what real updates carry (e.g. `callback_query.message.text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Tag name -> entity type. Synonyms are accepted by Telegram as well.
_TAG_ENTITY = {
    "a": "text_link",
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_SPACES = " \t\r\n\f\v"
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_STRIP = " \t\r\n"


class EntityParseError(ValueError):
    """Telegram's own explanation, to be prefixed with "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units (emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    attrs: dict[str, str] = field(default_factory=dict)


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # UTF-16 units written so far
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def _peek(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def _emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += utf16_len(text)

    def _decode_entity(self, index: int) -> tuple[str, int] | None:
        """Decode `&...;` at `index` like tdlib: the `;` is optional, unknown names stay text."""
        end = index + 1
        if self._peek(end) == "#":
            end += 1
            value = 0
            if self._peek(end) in ("x", "X"):
                end += 1
                while self._peek(end) and self._peek(end) in "0123456789abcdefABCDEF":
                    value = value * 16 + int(self._peek(end), 16)
                    if value >= 0x10FFFF:
                        return None
                    end += 1
            else:
                while self._peek(end).isdigit() and self._peek(end).isascii():
                    value = value * 10 + int(self._peek(end))
                    if value >= 0x10FFFF:
                        return None
                    end += 1
            if value == 0 or 0xD800 <= value <= 0xDFFF:
                return None
            char = chr(value)
        else:
            while self._peek(end).isascii() and self._peek(end).isalpha():
                end += 1
            name = self.src[index + 1 : end]
            if name not in _NAMED_ENTITIES:
                return None
            char = _NAMED_ENTITIES[name]
        if self._peek(end) == ";":
            end += 1
        return char, end

    def parse(self) -> tuple[str, list[dict[str, Any]]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                decoded = self._decode_entity(self.pos)
                if decoded is not None:
                    self._emit(decoded[0])
                    self.pos = decoded[1]
                    continue
            if char != "<":
                self._emit(char)
                self.pos += 1
                continue
            if self._peek(self.pos + 1) == "/":
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        return "".join(self.out), self.entities

    def _start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self._peek(i) and self._peek(i) not in _SPACES and self._peek(i) != ">":
            i += 1
        if not self._peek(i):
            raise EntityParseError(f"Unclosed start tag at byte offset {self._byte_offset(begin)}")
        tag = self.src[begin + 1 : i].lower()
        if tag not in _TAG_ENTITY:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while self._peek(i) != ">":
            while self._peek(i) and self._peek(i) in _SPACES:
                i += 1
            if self._peek(i) == ">":
                break
            name_start = i
            while self._peek(i) and self._peek(i) not in _SPACES + "=>":
                i += 1
            name = self.src[name_start:i].lower()
            if not name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self._byte_offset(begin)}"
                )
            while self._peek(i) and self._peek(i) in _SPACES:
                i += 1
            if self._peek(i) != "=":
                if not self._peek(i):
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {self._byte_offset(begin)}"
                    )
                if tag == "blockquote" and name == "expandable":
                    attrs["expandable"] = ""
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self._byte_offset(begin)}"
                )
            i += 1
            while self._peek(i) and self._peek(i) in _SPACES:
                i += 1
            if not self._peek(i):
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self._byte_offset(begin)}"
                )
            value, i = self._attribute_value(i, begin)
            attrs[name] = value
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{self._byte_offset(begin)}"
            )
        self.stack.append(_Open(tag=tag, start=self.out_len, attrs=attrs))
        self.pos = i + 1

    def _attribute_value(self, i: int, tag_begin: int) -> tuple[str, int]:
        quote = self._peek(i)
        if quote not in ("'", '"'):
            token_start = i
            while self._peek(i) and (self._peek(i).isalnum() or self._peek(i) in ".-"):
                i += 1
            if self._peek(i) not in (*_SPACES, ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self._byte_offset(token_start)}"
                )
            return self.src[token_start:i].lower(), i
        i += 1
        chars: list[str] = []
        while self._peek(i) and self._peek(i) != quote:
            if self._peek(i) == "&":
                decoded = self._decode_entity(i)
                if decoded is not None:
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
            chars.append(self._peek(i))
            i += 1
        if self._peek(i) == quote:
            i += 1
        if not self._peek(i):
            raise EntityParseError(
                f"Unclosed start tag at byte offset {self._byte_offset(tag_begin)}"
            )
        return "".join(chars), i

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset(begin)}")
        i = begin + 2
        while self._peek(i) and self._peek(i) not in _SPACES and self._peek(i) != ">":
            i += 1
        name = self.src[begin + 2 : i].lower()
        while self._peek(i) and self._peek(i) in _SPACES:
            i += 1
        if self._peek(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self._byte_offset(begin)}")
        opened = self.stack[-1]
        if name and name != opened.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset(begin)}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.pos = i + 1
        self._close(opened)

    def _close(self, opened: _Open) -> None:
        length = self.out_len - opened.start
        if length <= 0:
            return
        entity: dict[str, Any] = {
            "type": _TAG_ENTITY[opened.tag],
            "offset": opened.start,
            "length": length,
        }
        if opened.tag == "a":
            url = opened.attrs.get("href", "")
            entity["url"] = url or utf16_slice("".join(self.out), opened.start, length)
        elif opened.tag == "code":
            css = opened.attrs.get("class", "")
            if css.startswith("language-"):
                entity["language"] = css.removeprefix("language-")
        elif opened.tag == "pre":
            inner = self.entities[-1] if self.entities else None
            if (
                inner is not None
                and inner["type"] == "code"
                and inner["offset"] == opened.start
                and inner["length"] == length
            ):
                self.entities.pop()
                if "language" in inner:
                    entity["language"] = inner["language"]
        elif opened.tag == "blockquote" and "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append(entity)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The text an entity covers (its offset and length count UTF-16 units)."""
    units = text.encode("utf-16-le")
    return units[offset * 2 : (offset + length) * 2].decode("utf-16-le")


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of a message sent with `parse_mode=HTML`.

    Raises `EntityParseError` with tdlib's wording; byte offsets count UTF-8 bytes of the
    source, as Telegram reports them.
    """
    return _Parser(source).parse()


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does and clip entities to what remains.

    Telegram never stores leading or trailing blanks; tests comparing transcripts should see
    exactly the text a user would.
    """
    stripped = text.strip(_STRIP)
    if stripped == text:
        return text, _sorted(entities)
    shift = utf16_len(text[: len(text) - len(text.lstrip(_STRIP))])
    total = utf16_len(stripped)
    clipped: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, _sorted(clipped)


def _sorted(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))
