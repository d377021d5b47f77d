"""The demo's terminal: the conversation as the officers' phones show it, read off the stand-in.

Everything printed about the bot comes from the Bot API calls the local Telegram
stand-in recorded (`FakeTelegram.calls`) and the chats it keeps, never from inside the
bot: what the terminal shows is what Telegram would have delivered. The officers'
own actions are printed by the scenario as it performs them (`Console.act`).

Messages are condensed so that a whole case fits on a screen or two: a task message
keeps its header, deadline and any return reason, and drops the lines every task
message repeats (requirements, output, time standard); an edit shows only the lines it
added; buttons are shown as `[Setujui] [Kembalikan]`. Those repeated lines are found
through the message catalogue, so a reworded message changes nothing here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TextIO
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.core.sop import Sop
from bot.views.fmt import format_file_size, zone_abbrev
from bot.views.i18n import Catalogue
from fakegram import ApiCall, FakeTelegram, FakeUsageError, parse_html

__all__ = ["Console", "TaskHeaders", "buttons_line", "plain_text"]

WIDTH: Final = 104  # characters per line, stamp included
MAX_LINES: Final = 4  # lines of one message shown (then "…")
STAMP_PATTERN: Final = "EEE dd/MM HH.mm"  # "Sen 06/07 08.05", then the zone
INDENT: Final = "   "  # bot output under the action that caused it
_SLOT: Final = "\ue000"  # stands for a placeholder when reading a template's shape
_SHOWN: Final = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageCaption"}
)


def plain_text(html_text: str) -> str:
    """What the user reads: the HTML the bot sent, without tags and entities."""
    try:
        return parse_html(html_text)[0]
    except ValueError:  # not valid HTML: show it as sent
        return html_text


def buttons_line(keyboard: Any) -> str:
    """`[Setujui] [Kembalikan]` for an inline keyboard as the Bot API carries it."""
    rows = keyboard.get("inline_keyboard", []) if isinstance(keyboard, Mapping) else []
    return " ".join(f"[{button.get('text', '')}]" for row in rows for button in row)


def _labels(keyboard: Any) -> set[str]:
    rows = keyboard.get("inline_keyboard", []) if isinstance(keyboard, Mapping) else []
    return {str(button.get("text", "")) for row in rows for button in row}


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _shape(catalogue: Catalogue, lang: str, key: str) -> str:
    """A message's plain text with every placeholder replaced by `_SLOT`."""
    slots = {name: _SLOT for name in catalogue.placeholders(key)}
    return plain_text(catalogue.text(lang, key, **slots))


@dataclass(frozen=True)
class TaskHeaders:
    """How to recognise a task message and the repeated lines to leave out, per catalogue."""

    new_task: str  # "Ada tugas baru untuk Bapak/Ibu."
    again: str  # "🔁 Putaran ": a later round's task opens with what changed
    header: re.Pattern[str]  # "<code> · Langkah <number>: <title>"
    repeated: tuple[str, ...]  # line prefixes every task message carries
    # what a task given to a stand-in (or handed over, or back) opens with instead
    other_intros: tuple[str, ...] = ()

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue, lang: str) -> TaskHeaders:
        shape = _shape(catalogue, lang, "task.header")
        pattern = re.escape(shape)
        for name in ("case_code", "number", "title"):
            # Placeholders come in template order; each slot takes the next name's group.
            group = r"(?P<number>\d+)" if name == "number" else rf"(?P<{name}>.+?)"
            pattern = pattern.replace(re.escape(_SLOT), group, 1)
        keys = ("task.needs", "task.output", "task.time_standard")
        repeated = tuple(_shape(catalogue, lang, k).split(_SLOT)[0] for k in keys)
        intros = ("acting.intro_acting", "acting.intro_acting_end", "acting.intro_reassigned")
        return cls(
            new_task=plain_text(catalogue.text(lang, "task.new")),
            again=_shape(catalogue, lang, "task.again").split(_SLOT)[0],
            header=re.compile(f"^{pattern}$"),
            repeated=tuple(p for p in repeated if p.strip()),
            other_intros=tuple(_shape(catalogue, lang, k).split(_SLOT)[0] for k in intros),
        )

    def step_number(self, text: str) -> int | None:
        """The step a *new task* message is about, or None for any other message."""
        opening = text.lstrip()
        if (
            self.new_task not in text
            and not opening.startswith(self.again)
            and not any(opening.startswith(intro) for intro in self.other_intros)
        ):
            return None
        return self.header_number(text)

    def header_number(self, text: str) -> int | None:
        """The step a task's text is about (its header line), whatever opens it."""
        for line in text.splitlines():
            match = self.header.match(line.strip())
            if match is not None:
                return int(match.group("number"))
        return None


@dataclass
class _Message:
    """What the terminal last showed of one message, to print only what an edit adds."""

    lines: list[str]
    buttons: str


@dataclass
class Console:
    """Prints the conversation; `flush()` after every action shows what the bot did."""

    fake: FakeTelegram
    names: Mapping[int, str]  # chat id -> how the terminal names that person
    sop: Sop
    headers: TaskHeaders
    tz: ZoneInfo
    now: Callable[[], datetime]  # the simulated clock
    sinks: Sequence[TextIO]
    lang: str = "id"
    width: int = WIDTH
    _seen: int = 0
    _messages: dict[tuple[int, int], _Message] = field(default_factory=dict)
    _step_rounds: dict[int, int] = field(default_factory=dict)
    _last_step: int | None = None

    # -- output ---------------------------------------------------------------------------

    def stamp(self, at: datetime) -> str:
        """ "Sen 06/07 08.05 WIB": simulated local time, fixed width."""
        local = format_datetime(at, STAMP_PATTERN, tzinfo=self.tz, locale=self.lang)
        return f"{local} {zone_abbrev(self.tz)}"

    def _write(self, text: str = "") -> None:
        for sink in self.sinks:
            sink.write(text + "\n")
            sink.flush()

    def _event(self, at: datetime, first: str, more: Iterable[str] = ()) -> None:
        stamp = self.stamp(at)
        pad = " " * len(stamp)
        room = self.width - len(stamp) - 2
        self._write(f"{stamp}  {_clip(first, room)}")
        for line in more:
            self._write(f"{pad}  {_clip(line, room)}")

    def heading(self, text: str) -> None:
        self._write()
        self._write(text)
        self._write("─" * min(self.width, max(len(text), 20)))

    def say(self, text: str = "") -> None:
        """A line of the demo's own (cast list, summary): no stamp."""
        self._write(text)

    def note(self, text: str) -> None:
        """The narrator: what happens off the phones (time passing, the scheduler)."""
        self._event(self.now(), f"⏩ {text}")

    def act(self, who: str, what: str) -> None:
        """An officer does something on their phone (printed before the bot reacts)."""
        self._event(self.now(), f"{who} ▸ {what}")

    # -- the bot's side -------------------------------------------------------------------

    def flush(self) -> None:
        """Print every Bot API call the stand-in received since the last flush."""
        calls = self.fake.calls
        fresh, self._seen = calls[self._seen :], len(calls)
        for index, call in enumerate(fresh):
            if call.ok and call.method in _SHOWN:
                if call.method == "sendDocument":
                    # A task's draft goes just before its task message: the step starts here.
                    chat = call.params.get("chat_id")
                    upcoming = self._task_step_after(fresh[index + 1 :], chat)
                    if upcoming is not None:
                        self._progress(upcoming)
                self._show(call)
            elif call.method == "answerCallbackQuery" and call.params.get("text"):
                at = datetime.fromtimestamp(call.time, UTC)
                self._event(at, f"{INDENT}↳ notifikasi: {call.params['text']}")

    def _task_step_after(self, calls: Sequence[ApiCall], chat: object) -> int | None:
        """The step of the next message to `chat`, if that is a new task message."""
        for call in calls:
            if call.method == "sendMessage" and call.params.get("chat_id") == chat:
                return self.headers.step_number(plain_text(str(call.params.get("text", ""))))
        return None

    def _show(self, call: ApiCall) -> None:
        p = call.params
        at = datetime.fromtimestamp(call.time, UTC)
        chat = int(p.get("chat_id", 0))
        who = self.names.get(chat, str(chat))
        if call.method in ("editMessageText", "editMessageCaption"):
            self._show_edit(at, who, chat, p)
            return
        text = plain_text(str(p.get("text") or p.get("caption") or ""))
        keyboard = p.get("reply_markup")
        number = self.headers.step_number(text)
        if number is not None:
            self._progress(number)
        lines = self._condense(text, _labels(keyboard))
        if call.method in ("sendDocument", "sendPhoto"):
            lines.insert(0, self._attachment(call.method, p))
        buttons = buttons_line(keyboard)
        first = lines[0] if lines else ""
        more = [*lines[1:], *([buttons] if buttons else [])]
        self._event(at, f"{INDENT}bot → {who}: {first}", [f"{INDENT}  {m}" for m in more])

    def _show_edit(self, at: datetime, who: str, chat: int, p: Mapping[str, Any]) -> None:
        message_id = int(p.get("message_id", 0))
        text = plain_text(str(p.get("text") or p.get("caption") or ""))
        keyboard = p.get("reply_markup")
        before = self._previous(chat, message_id)
        number = self.headers.header_number(text)
        if number is not None and number != self.headers.header_number("\n".join(before.lines)):
            self._progress(number)  # the card pressed turned into the officer's next step
        labels = _labels(keyboard)
        added = [
            line for line in self._condense(text, labels, limit=None) if line not in before.lines
        ]
        buttons = buttons_line(keyboard)
        shown = added[:2] + (["…"] if len(added) > 2 else [])
        if buttons and buttons != before.buttons:
            shown.append(buttons)
        self._messages[(chat, message_id)] = _Message(self._condense(text, labels, None), buttons)
        if shown:
            first, *more = shown
            self._event(at, f"{INDENT}✎ {who}: {first}", [f"{INDENT}  {m}" for m in more])

    def _previous(self, chat: int, message_id: int) -> _Message:
        """What the message said before this edit: remembered, or its first text."""
        known = self._messages.get((chat, message_id))
        if known is not None:
            return known
        if chat not in self.names:  # a chat the demo never opened: show the whole edit
            return _Message([], "")
        try:
            message = self.fake.user(chat, "").message(message_id)
        except FakeUsageError:  # no such message: show the whole edit
            return _Message([], "")
        original = message.history[0] if message.history else message.text
        return _Message(self._condense(original, set(message.button_texts), None), "")

    def _condense(self, text: str, labels: set[str], limit: int | None = MAX_LINES) -> list[str]:
        lines = [line.strip() for line in text.splitlines()]
        kept = [
            line
            for line in lines
            if line and line not in labels and not line.startswith(self.headers.repeated)
        ]
        if limit is not None and len(kept) > limit:
            kept = [*kept[: limit - 1], "…"]
        return kept

    def _attachment(self, method: str, p: Mapping[str, Any]) -> str:
        media = p.get("document") if method == "sendDocument" else p.get("photo")
        if isinstance(media, Mapping):
            size = format_file_size(int(media.get("size", 0)), self.lang)
            return f"📎 {media.get('upload', '')} ({size})"
        return "📎 (berkas)" if method == "sendDocument" else "🖼 (foto)"

    def _progress(self, number: int) -> None:
        """A line per step the case enters, before the first task message of that step."""
        if number == self._last_step:
            return
        self._last_step = number
        self._step_rounds[number] = self._step_rounds.get(number, 0) + 1
        step = next((s for s in self.sop.steps if s.number == number), None)
        if step is None:
            return
        total = max(s.number for s in self.sop.steps)
        roles = ", ".join(self.sop.roles.get(r, r).split(" (")[0] for r in step.roles)
        again = self._step_rounds[number]
        label = f"Langkah {number}/{total}" + (f" · putaran {again}" if again > 1 else "")
        title = _clip(step.title, self.width - len(label) - len(roles) - 12)
        self._write()
        self._write(f"── {label}: {title} ({roles})")
